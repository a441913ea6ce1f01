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

/* "Sun, 06 Nov 1994 08:49:37 GMT" (exactly 29 bytes) as Unix time. */
static bool imf_fixdate(const char *s, size_t n, int64_t *t)
{
    static const char days[] = "MonTueWedThuFriSatSun", months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
        s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        return false;
    bool day_ok = false;
    for (int i = 0; i < 7; i++)
        day_ok |= !memcmp(s, days + 3 * i, 3);
    int mon = -1;
    for (int i = 0; i < 12; i++)
        if (!memcmp(s + 8, months + 3 * i, 3))
            mon = i;
    static const int digits[] = {5, 6, 12, 13, 14, 15, 17, 18, 20, 21, 23, 24};
    for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++)
        if (s[digits[i]] < '0' || s[digits[i]] > '9')
            return false;
    if (!day_ok || mon < 0)
        return false;
#define D2(i) ((s[i] - '0') * 10 + (s[(i) + 1] - '0'))
    struct tm tm = {0};
    tm.tm_mday = D2(5);
    tm.tm_mon = mon;
    tm.tm_year = D2(12) * 100 + D2(14) - 1900;
    tm.tm_hour = D2(17);
    tm.tm_min = D2(20);
    tm.tm_sec = D2(23);
#undef D2
    if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    int mday = tm.tm_mday;
    time_t r = timegm(&tm);
    if (r == (time_t)-1 || tm.tm_mday != mday) /* 31 Feb and the like normalize into another day */
        return false;
    *t = (int64_t)r;
    return true;
}

bool sov_retry_after_parse(const char *v, size_t n, int64_t now, unsigned *out)
{
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (!n)
        return false;
    if (v[0] >= '0' && v[0] <= '9') {
        uint64_t x = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i] < '0' || v[i] > '9')
                return false;
            if (x <= SOV_RETRY_AFTER_MAX)
                x = x * 10 + (uint64_t)(v[i] - '0');
        }
        *out = x > SOV_RETRY_AFTER_MAX ? SOV_RETRY_AFTER_MAX : (unsigned)x;
        return true;
    }
    int64_t t;
    if (!imf_fixdate(v, n, &t))
        return false;
    int64_t d = t - now;
    *out = d <= 0 ? 0u : d > (int64_t)SOV_RETRY_AFTER_MAX ? SOV_RETRY_AFTER_MAX : (unsigned)d;
    return true;
}
