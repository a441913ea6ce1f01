/* Small helpers shared by every module: clocks, UTF-8, strings, files. All thread-safe. */
#ifndef SOV_COMMON_UTIL_H
#define SOV_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monotonic clock in nanoseconds / microseconds. */
uint64_t sov_now_ns(void);
static inline uint64_t sov_now_us(void)
{
    return sov_now_ns() / 1000;
}
/* Wall clock, seconds since the epoch, with fraction. */
double sov_wall_time(void);

/* True if s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
bool sov_utf8_valid(const char *s, size_t n);
/* Length of the longest prefix of s[0..n) that does not end inside a multi-byte sequence
 * which could still be completed by more bytes (for streaming: hold the rest back). */
size_t sov_utf8_complete_prefix(const char *s, size_t n);

/* Case-insensitive ASCII comparison of a with the first n bytes of b. */
bool sov_strieq(const char *a, const char *b);
/* strdup/strndup that abort nothing: return NULL when out of memory. */
char *sov_strndup(const char *s, size_t n);

/* Reads a whole file into memory with a cap (0 = none); *len gets the size. Returns NULL and sets *err on failure. */
char *sov_read_file(const char *path, size_t cap, size_t *len, char **err);

/* printf into a new string (the caller frees), or NULL. */
char *sov_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Constant-time comparison of two byte strings of equal length. */
bool sov_ct_equal(const void *a, const void *b, size_t n);

/* The longest wait a Retry-After may ask for, in seconds (a day); longer asks are clamped to it. */
#define SOV_RETRY_AFTER_MAX 86400u

/* A Retry-After value (RFC 9110 10.2.3: delta-seconds, or an HTTP-date in the IMF-fixdate form
 * "Sun, 06 Nov 1994 08:49:37 GMT") as seconds from `now` (Unix time), clamped to
 * [0, SOV_RETRY_AFTER_MAX]; a date in the past gives 0. Leading/trailing blanks are allowed.
 * Returns false (and leaves *out) for anything else, including the obsolete date forms. */
bool sov_retry_after_parse(const char *v, size_t n, int64_t now, unsigned *out);

#endif
