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
