#include "http/errors.h"

#include <string.h>

const char *sov_anthropic_error_type(int status)
{
    switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 405: return "invalid_request_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    case 504: return "timeout_error";
    default: return "api_error";
    }
}

static void str_or_null(struct sov_buf *o, const char *s)
{
    if (!s) {
        sov_buf_puts(o, "null");
        return;
    }
    sov_buf_putc(o, '"');
    sov_buf_json_escape(o, s, strlen(s));
    sov_buf_putc(o, '"');
}

int sov_error_body(struct sov_buf *o, enum sov_api_format fmt, int status, const char *type, const char *code,
                   const char *param, const char *message)
{
    if (fmt == SOV_FMT_ANTHROPIC) {
        sov_buf_puts(o, "{\"type\":\"error\",\"error\":{\"type\":");
        str_or_null(o, sov_anthropic_error_type(status));
        sov_buf_puts(o, ",\"message\":");
        str_or_null(o, message);
        return sov_buf_puts(o, "}}");
    }
    sov_buf_puts(o, "{\"error\":{\"message\":");
    str_or_null(o, message);
    sov_buf_puts(o, ",\"type\":");
    str_or_null(o, type);
    sov_buf_puts(o, ",\"param\":");
    str_or_null(o, param);
    sov_buf_puts(o, ",\"code\":");
    str_or_null(o, code);
    return sov_buf_puts(o, "}}");
}
