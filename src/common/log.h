/*
 * Logging: one macro that checks the level before formatting.
 * Each .c file defines SOV_LOG_MODULE before including this header ("http", "config"...).
 * Never log request bodies, responses, API keys or matched sensitive values.
 * The sink is stderr; writes are one write(2) per line, so lines from threads do not interleave.
 */
#ifndef SOV_COMMON_LOG_H
#define SOV_COMMON_LOG_H

#include <stdarg.h>

enum sov_log_level { SOV_LOG_DEBUG = 0, SOV_LOG_INFO, SOV_LOG_WARN, SOV_LOG_ERROR, SOV_LOG_OFF };

extern int sov_log_level_; /* the one global besides the stop flag: set once in main */

/* Parses "debug", "info", "warn", "error", "off"; returns -1 if unknown. */
int sov_log_level_parse(const char *s);
void sov_log_set_level(int level);
void sov_log_emit(int level, const char *module, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifndef SOV_LOG_MODULE
#define SOV_LOG_MODULE "sovereign"
#endif

#define sov_log(level, ...)                                                                                                    \
    do {                                                                                                                       \
        if ((level) >= sov_log_level_)                                                                                         \
            sov_log_emit((level), SOV_LOG_MODULE, __VA_ARGS__);                                                                \
    } while (0)
#define sov_debug(...) sov_log(SOV_LOG_DEBUG, __VA_ARGS__)
#define sov_info(...) sov_log(SOV_LOG_INFO, __VA_ARGS__)
#define sov_warn(...) sov_log(SOV_LOG_WARN, __VA_ARGS__)
#define sov_error(...) sov_log(SOV_LOG_ERROR, __VA_ARGS__)

#endif
