/* Allocation-free JSON syntax check (see json_check.h). */
#include "protocol/json_check.h"

#include <string.h>

struct jc {
    const char *p, *end;
    int depth;
};

static void ws(struct jc *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool string(struct jc *s)
{
    s->p++; /* the opening quote */
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p++;
        if (c == '"')
            return true;
        if (c < 0x20)
            return false;
        if (c != '\\')
            continue;
        if (s->p >= s->end)
            return false;
        c = (unsigned char)*s->p++;
        if (c == 'u') {
            if (s->end - s->p < 4 || !is_hex(s->p[0]) || !is_hex(s->p[1]) || !is_hex(s->p[2]) || !is_hex(s->p[3]))
                return false;
            s->p += 4;
        } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
            return false;
        }
    }
    return false;
}

static bool digits(struct jc *s)
{
    const char *d = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > d;
}

static bool number(struct jc *s)
{
    if (*s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!digits(s))
        return false;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!digits(s))
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!digits(s))
            return false;
    }
    return true;
}

static bool literal(struct jc *s, const char *word, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
        return false;
    s->p += n;
    return true;
}

static bool value(struct jc *s);

/* An object or an array: open is '{' or '['. */
static bool container(struct jc *s, char close)
{
    if (++s->depth > SOV_JSON_CHECK_MAX_DEPTH)
        return false;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        if (close == '}') {
            if (s->p >= s->end || *s->p != '"' || !string(s))
                return false;
            ws(s);
            if (s->p >= s->end || *s->p != ':')
                return false;
            s->p++;
        }
        if (!value(s))
            return false;
        ws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == close) {
            s->p++;
            s->depth--;
            return true;
        }
        if (*s->p != ',')
            return false;
        s->p++;
        ws(s);
    }
}

static bool value(struct jc *s)
{
    ws(s);
    if (s->p >= s->end)
        return false;
    switch (*s->p) {
    case '{':
        return container(s, '}');
    case '[':
        return container(s, ']');
    case '"':
        return string(s);
    case 't':
        return literal(s, "true", 4);
    case 'f':
        return literal(s, "false", 5);
    case 'n':
        return literal(s, "null", 4);
    default:
        return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) && number(s);
    }
}

bool sov_json_well_formed(const char *p, size_t n)
{
    if (!p)
        return false;
    struct jc s = {p, p + n, 0};
    if (!value(&s))
        return false;
    ws(&s);
    return s.p == s.end;
}

int sov_json_object_members(const char *p, size_t n, const char *const *keys, size_t nkeys, struct sov_json_span *out)
{
    for (size_t i = 0; i < nkeys; i++)
        out[i] = (struct sov_json_span){NULL, 0};
    if (!p)
        return -1;
    struct jc s = {p, p + n, 1};
    ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return -1;
    s.p++;
    ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
        ws(&s);
        return s.p == s.end ? 0 : -1;
    }
    for (;;) {
        if (s.p >= s.end || *s.p != '"')
            return -1;
        const char *k = s.p + 1;
        if (!string(&s))
            return -1;
        size_t kn = (size_t)(s.p - 1 - k);
        ws(&s);
        if (s.p >= s.end || *s.p != ':')
            return -1;
        s.p++;
        ws(&s);
        const char *v = s.p;
        if (!value(&s))
            return -1;
        for (size_t i = 0; i < nkeys; i++)
            if (strlen(keys[i]) == kn && !memcmp(keys[i], k, kn))
                out[i] = (struct sov_json_span){v, (size_t)(s.p - v)};
        ws(&s);
        if (s.p >= s.end)
            return -1;
        if (*s.p == '}') {
            s.p++;
            ws(&s);
            return s.p == s.end ? 0 : -1;
        }
        if (*s.p != ',')
            return -1;
        s.p++;
        ws(&s);
    }
}

bool sov_json_span_int(struct sov_json_span v, int64_t *out)
{
    if (!v.p || !v.n)
        return false;
    struct jc s = {v.p, v.p + v.n, 0};
    if (!(*s.p == '-' || (*s.p >= '0' && *s.p <= '9')) || !number(&s) || s.p != s.end)
        return false;
    const char *d = v.p;
    bool neg = *d == '-';
    if (neg)
        d++;
    uint64_t acc = 0;
    for (; d < s.end; d++) {
        if (*d < '0' || *d > '9')
            return false; /* a fraction or an exponent: not an integer */
        unsigned k = (unsigned)(*d - '0');
        if (acc > (UINT64_MAX - k) / 10)
            return false;
        acc = acc * 10 + k;
    }
    if (neg ? acc > (uint64_t)INT64_MAX + 1 : acc > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return true;
}

bool sov_json_mentions(const char *p, size_t n, const char *qkey, size_t qlen)
{
    const char *end = p + n;
    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), qkey, qlen);
        if (!hit)
            return false;
        struct jc s = {hit + qlen, end, 0};
        ws(&s);
        if (s.p < s.end && *s.p == ':') {
            s.p++;
            ws(&s);
            if (!literal(&s, "null", 4))
                return true;
        }
        p = hit + qlen;
    }
    return false;
}
