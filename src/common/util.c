#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

uint64_t sov_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double sov_wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns the length of the sequence starting at s, 0 if invalid, or -k if it is a valid but
 * incomplete prefix that needs more bytes. */
static int utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int len;
    unsigned min;
    if ((c & 0xE0) == 0xC0)
        len = 2, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x7Fu >> len);
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -len;
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool sov_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        int l = utf8_len(s + i, n - i);
        if (l <= 0)
            return false;
        i += (size_t)l;
    }
    return true;
}

size_t sov_utf8_complete_prefix(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    /* only the last 3 bytes can start an incomplete sequence */
    size_t start = n > 3 ? n - 3 : 0;
    for (size_t i = n; i > start; i--) {
        unsigned c = s[i - 1];
        if ((c & 0xC0) == 0xC0) { /* a lead byte */
            int l = utf8_len(s + i - 1, n - (i - 1));
            return l < 0 ? i - 1 : n;
        }
        if (c < 0x80)
            return n;
    }
    return n;
}

bool sov_strieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

char *sov_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sov_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *sov_read_file(const char *path, size_t cap, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err)
            *err = sov_asprintf("%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t alloc = 65536, n = 0;
    char *buf = malloc(alloc + 1);
    while (buf) {
        size_t r = fread(buf + n, 1, alloc - n, f);
        n += r;
        if (cap && n > cap) {
            free(buf);
            buf = NULL;
            if (err)
                *err = sov_asprintf("%s: larger than the limit of %zu bytes", path, cap);
            break;
        }
        if (r == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
                if (err)
                    *err = sov_asprintf("%s: %s", path, strerror(errno));
            }
            break;
        }
        if (n == alloc) {
            char *nb = realloc(buf, alloc * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                if (err)
                    *err = sov_asprintf("%s: out of memory", path);
                break;
            }
            buf = nb;
            alloc *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

bool sov_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}
