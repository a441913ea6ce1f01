#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vline(const char *cmd, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* one line: fold any newline the message carries */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "sovereign%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", msg);
}

int sov_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(cmd, fmt, ap);
    va_end(ap);
    return 2;
}

int sov_cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(cmd, fmt, ap);
    va_end(ap);
    return 1;
}

bool sov_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}
