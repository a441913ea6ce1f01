#include "http/errors.h"
#include "protocol/anthropic.h"

#include <string.h>

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
        str_or_null(o, sov_anthropic_error_type_for_status(status));
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
