#include "common/jscan.h"

#include <string.h>

#define JSCAN_MAX_DEPTH 64

static const char *ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    return s;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* s points at the opening quote; returns past the closing one. */
static const char *skip_string(const char *s, const char *end)
{
    for (s++; s < end; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"')
            return s + 1;
        if (c < 0x20)
            return NULL;
        if (c != '\\')
            continue;
        if (++s >= end)
            return NULL;
        switch (*s) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            break;
        case 'u': {
            if (end - s < 5)
                return NULL;
            int v = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hex(s[k]);
                if (h < 0)
                    return NULL;
                v = v << 4 | h;
            }
            if (v == 0)
                return NULL; /* jansson refuses \u0000 too */
            s += 4;
            break;
        }
        default:
            return NULL;
        }
    }
    return NULL;
}

static const char *skip_number(const char *s, const char *end)
{
    if (s < end && *s == '-')
        s++;
    if (s >= end)
        return NULL;
    if (*s == '0') {
        s++;
    } else if (*s >= '1' && *s <= '9') {
        while (s < end && *s >= '0' && *s <= '9')
            s++;
    } else {
        return NULL;
    }
    if (s < end && *s == '.') {
        const char *d = ++s;
        while (s < end && *s >= '0' && *s <= '9')
            s++;
        if (s == d)
            return NULL;
    }
    if (s < end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        const char *d = s;
        while (s < end && *s >= '0' && *s <= '9')
            s++;
        if (s == d)
            return NULL;
    }
    return s;
}

static const char *skip_literal(const char *s, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - s) >= n && !memcmp(s, lit, n) ? s + n : NULL;
}

static const char *skip_value(const char *s, const char *end, int depth)
{
    s = ws(s, end);
    if (s >= end)
        return NULL;
    switch (*s) {
    case '"':
        return skip_string(s, end);
    case 't':
        return skip_literal(s, end, "true", 4);
    case 'f':
        return skip_literal(s, end, "false", 5);
    case 'n':
        return skip_literal(s, end, "null", 4);
    case '[':
    case '{': {
        if (depth >= JSCAN_MAX_DEPTH)
            return NULL;
        bool obj = *s == '{';
        char close = obj ? '}' : ']';
        s = ws(s + 1, end);
        if (s < end && *s == close)
            return s + 1;
        for (;;) {
            if (obj) {
                if (s >= end || *s != '"' || !(s = skip_string(s, end)))
                    return NULL;
                s = ws(s, end);
                if (s >= end || *s != ':')
                    return NULL;
                s++;
            }
            if (!(s = skip_value(s, end, depth + 1)))
                return NULL;
            s = ws(s, end);
            if (s >= end)
                return NULL;
            if (*s == close)
                return s + 1;
            if (*s != ',')
                return NULL;
            s = ws(s + 1, end);
        }
    }
    default:
        return skip_number(s, end);
    }
}

const char *sov_json_skip(const char *s, const char *end)
{
    return skip_value(s, end, 0);
}

int sov_json_object_members(const char *s, size_t n, const char *const *keys, size_t nkeys, struct sov_json_span *out)
{
    const char *end = s + n;
    for (size_t i = 0; i < nkeys; i++)
        out[i] = (struct sov_json_span){NULL, 0};
    s = ws(s, end);
    if (s >= end || *s != '{')
        return -1;
    s = ws(s + 1, end);
    if (s < end && *s == '}')
        return ws(s + 1, end) == end ? 0 : -1;
    for (;;) {
        if (s >= end || *s != '"')
            return -1;
        const char *k = s + 1, *ke = skip_string(s, end);
        if (!ke)
            return -1;
        size_t kn = (size_t)(ke - 1 - k);
        s = ws(ke, end);
        if (s >= end || *s != ':')
            return -1;
        const char *v = ws(s + 1, end);
        const char *ve = skip_value(v, end, 1);
        if (!ve)
            return -1;
        for (size_t i = 0; i < nkeys; i++)
            if (strlen(keys[i]) == kn && !memcmp(keys[i], k, kn))
                out[i] = (struct sov_json_span){v, (size_t)(ve - v)};
        s = ws(ve, end);
        if (s >= end)
            return -1;
        if (*s == '}')
            return ws(s + 1, end) == end ? 0 : -1;
        if (*s != ',')
            return -1;
        s = ws(s + 1, end);
    }
}

bool sov_json_span_int(struct sov_json_span v, int64_t *out)
{
    if (!v.p || !v.n)
        return false;
    const char *s = v.p, *end = v.p + v.n;
    if (skip_number(s, end) != end)
        return false;
    bool neg = *s == '-';
    if (neg)
        s++;
    uint64_t acc = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false; /* a fraction or an exponent: not an integer */
        unsigned d = (unsigned)(*s - '0');
        if (acc > (UINT64_MAX - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    if (neg ? acc > (uint64_t)INT64_MAX + 1 : acc > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return true;
}

bool sov_json_mentions(const char *s, size_t n, const char *qkey, size_t qlen)
{
    const char *end = s + n;
    while (s < end) {
        const char *hit = memmem(s, (size_t)(end - s), qkey, qlen);
        if (!hit)
            return false;
        const char *p = ws(hit + qlen, end);
        if (p < end && *p == ':') {
            p = ws(p + 1, end);
            if (!((size_t)(end - p) >= 4 && !memcmp(p, "null", 4)))
                return true;
        }
        s = hit + qlen;
    }
    return false;
}
