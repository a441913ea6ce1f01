#include "sovereign/sovereign.h"

const char *sov_strerror(int code)
{
    switch (code) {
#define SOV_X_(name, val, msg)                                                                                                 \
    case val:                                                                                                                  \
        return msg;
        SOV_ERRNO_MAP(SOV_X_)
#undef SOV_X_
    }
    return "unknown error";
}
