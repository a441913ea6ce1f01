/* The span-based JSON reader (see jspan.h). */
#include "audit/jspan.h"

#include <stdlib.h>
#include <string.h>

struct sov_arena_block {
    struct sov_arena_block *next;
    size_t size, used;
    char data[];
};

#define ARENA_BLOCK (64u << 10)

void *sov__arena_alloc(struct sov_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (a->cap && a->used_total + n > a->cap)
        return NULL;
    struct sov_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used_total += n;
    return p;
}

void sov__arena_reset(struct sov_arena *a)
{
    struct sov_arena_block *b = a->head, *keep = NULL;
    while (b) {
        struct sov_arena_block *next = b->next;
        if (!next && b->size == ARENA_BLOCK) {
            keep = b; /* the oldest standard block stays */
        } else {
            free(b);
        }
        b = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->used_total = 0;
}

void sov__arena_free(struct sov_arena *a)
{
    sov__arena_reset(a);
    free(a->head);
    a->head = NULL;
}

static inline const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* p is just after an opening quote; returns the byte after the closing quote or NULL */
static inline const char *skip_str(const char *p, const char *e)
{
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(e - p));
        if (!q)
            return NULL;
        const char *b = q;
        while (b > p && b[-1] == '\\')
            b--;
        if (((q - b) & 1) == 0)
            return q + 1;
        p = q + 1;
    }
}

static const char *skip_scalar(const char *p, const char *e)
{
    if (*p == 't' || *p == 'n') {
        if (e - p < 4 || memcmp(p, *p == 't' ? "true" : "null", 4))
            return NULL;
        return p + 4;
    }
    if (*p == 'f') {
        if (e - p < 5 || memcmp(p, "false", 5))
            return NULL;
        return p + 5;
    }
    const char *s = p;
    while (p < e && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9')))
        p++;
    return p > s ? p : NULL;
}

#define MAX_DEPTH 512

static char type_of(const char *p)
{
    switch (*p) {
    case '"':
        return '"';
    case '{':
        return '{';
    case '[':
        return '[';
    case 't':
        return 't';
    case 'f':
        return 'f';
    case 'n':
        return 'z';
    default:
        return 'n';
    }
}

const char *sov__js_skip(const char *p, const char *e)
{
    p = ws(p, e);
    if (p >= e)
        return NULL;
    if (*p == '"')
        return skip_str(p + 1, e);
    if (*p != '{' && *p != '[')
        return skip_scalar(p, e);
    uint64_t stack[MAX_DEPTH / 64] = {0}; /* bit set: inside an object */
    int depth = 0;
    while (p < e) {
        char c = *p;
        if (c == '"') {
            if (!(p = skip_str(p + 1, e)))
                return NULL;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth >= MAX_DEPTH)
                return NULL;
            if (c == '{')
                stack[depth >> 6] |= 1ull << (depth & 63);
            else
                stack[depth >> 6] &= ~(1ull << (depth & 63));
            depth++;
        } else if (c == '}' || c == ']') {
            if (!depth)
                return NULL;
            depth--;
            bool obj = (stack[depth >> 6] >> (depth & 63)) & 1;
            if (obj != (c == '}'))
                return NULL;
            if (!depth)
                return p + 1;
        }
        p++;
    }
    return NULL;
}

int sov__js_value(const char *p, const char *e, struct sov_jv *out)
{
    p = ws(p, e);
    const char *end = sov__js_skip(p, e);
    if (!end || ws(end, e) != e)
        return -1;
    out->s = p;
    out->n = (size_t)(end - p);
    out->type = type_of(p);
    return 0;
}

/* Where the next member or element of a container starts: after the opening bracket at `open`
 * (it NULL, the first one) or after the ',' that follows the previous one (it = its end). Returns e
 * or later at the end, NULL when something other than ',' follows an item. */
static const char *next_item(const char *open, const char *it, const char *e)
{
    const char *p = ws(it ? it : open + 1, e);
    if (it && p < e) {
        if (*p != ',')
            return NULL;
        p = ws(p + 1, e);
    }
    return p;
}

/* Iterates the members of an object: *it NULL at start. Returns 1, 0 at the end, -1 malformed. */
static int obj_next(struct sov_jv obj, const char **it, struct sov_jv *key, struct sov_jv *val)
{
    const char *e = obj.s + obj.n - 1; /* the closing brace */
    const char *p = next_item(obj.s, *it, e);
    if (!p)
        return -1;
    if (p >= e)
        return 0;
    if (*p != '"')
        return -1;
    const char *ke = skip_str(p + 1, e);
    if (!ke)
        return -1;
    *key = (struct sov_jv){p, (size_t)(ke - p), '"'};
    p = ws(ke, e);
    if (p >= e || *p != ':')
        return -1;
    p = ws(p + 1, e);
    if (p >= e)
        return -1;
    const char *ve = sov__js_skip(p, e);
    if (!ve)
        return -1;
    *val = (struct sov_jv){p, (size_t)(ve - p), type_of(p)};
    *it = ve;
    return 1;
}

int sov__js_index(struct sov_jv obj, struct sov_jobj *out)
{
    out->n = 0;
    if (obj.type != '{' || obj.n < 2)
        return -1;
    const char *it = NULL;
    struct sov_jv k, v;
    int rc;
    while ((rc = obj_next(obj, &it, &k, &v)) == 1)
        if (out->n < SOV_JS_MAX_KEYS) {
            out->keys[out->n] = k;
            out->vals[out->n++] = v;
        }
    return rc;
}

static bool key_is(struct sov_jv k, const char *key, size_t kl)
{
    return k.n == kl + 2 && !memcmp(k.s + 1, key, kl);
}

struct sov_jv sov__js_get(const struct sov_jobj *o, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < o->n; i++)
        if (key_is(o->keys[i], key, kl))
            return o->vals[i];
    return (struct sov_jv){NULL, 0, 0};
}

struct sov_jv sov__js_find(struct sov_jv obj, const char *key)
{
    struct sov_jv k, v, none = {NULL, 0, 0};
    if (obj.type != '{')
        return none;
    size_t kl = strlen(key);
    const char *it = NULL;
    while (obj_next(obj, &it, &k, &v) == 1)
        if (key_is(k, key, kl))
            return v;
    return none;
}

struct sov_jv sov__js_path(struct sov_jv obj, const char *path)
{
    char part[128];
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof part)
            return (struct sov_jv){NULL, 0, 0};
        memcpy(part, path, n);
        part[n] = '\0';
        obj = sov__js_find(obj, part);
        if (!obj.type)
            return obj;
        path += n + (dot ? 1 : 0);
    }
    return obj;
}

int sov__js_next(struct sov_jv arr, const char **it, struct sov_jv *el)
{
    if (arr.type != '[' || arr.n < 2)
        return -1;
    const char *e = arr.s + arr.n - 1;
    const char *p = next_item(arr.s, *it, e);
    if (!p)
        return -1;
    if (p >= e)
        return 0;
    const char *ve = sov__js_skip(p, e);
    if (!ve)
        return -1;
    *el = (struct sov_jv){p, (size_t)(ve - p), type_of(p)};
    *it = ve;
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex4(const char *p, const char *e)
{
    if (e - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* decodes the inside of a string [p, e) into o (room for e - p bytes suffices: escapes never grow) */
static long decode(const char *p, const char *e, char *o)
{
    char *o0 = o;
    while (p < e) {
        const char *bs = memchr(p, '\\', (size_t)(e - p));
        size_t run = bs ? (size_t)(bs - p) : (size_t)(e - p);
        memcpy(o, p, run);
        o += run;
        p += run;
        if (!bs)
            break;
        if (++p >= e)
            return -1;
        char c = *p++;
        switch (c) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '/':
            *o++ = '/';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            int cp = hex4(p, e);
            if (cp < 0)
                return -1;
            p += 4;
            uint32_t u = (uint32_t)cp;
            if (u >= 0xD800 && u < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                int lo = hex4(p + 2, e);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    u = 0x10000 + ((u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    p += 6;
                }
            }
            if (u >= 0xD800 && u < 0xE000)
                u = 0xFFFD; /* a lone surrogate */
            o += put_utf8(o, u);
            break;
        }
        default:
            return -1;
        }
    }
    return o - o0;
}

char *sov__js_str(struct sov_jv v, struct sov_arena *a, size_t *len)
{
    if (v.type == 'r') {
        char *o = sov__arena_alloc(a, v.n + 1);
        if (!o)
            return NULL;
        memcpy(o, v.s, v.n);
        o[v.n] = '\0';
        *len = v.n;
        return o;
    }
    if (v.type != '"' || v.n < 2)
        return NULL;
    char *o = sov__arena_alloc(a, v.n);
    if (!o)
        return NULL;
    long n = decode(v.s + 1, v.s + v.n - 1, o);
    if (n < 0)
        return NULL;
    o[n] = '\0';
    *len = (size_t)n;
    return o;
}

size_t sov__js_strbuf(struct sov_jv v, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *p;
    size_t n;
    if (v.type == 'r') {
        p = v.s;
        n = v.n;
    } else if (v.type == '"' && v.n >= 2) {
        p = v.s + 1;
        n = v.n - 2;
    } else if (v.type == 'n') {
        p = v.s;
        n = v.n;
    } else {
        return 0;
    }
    if (v.type == '"' && memchr(p, '\\', n)) {
        char tmp[1024];
        if (n > sizeof tmp)
            n = sizeof tmp;
        /* cut before a partial escape: decode may fail at the end, then keep what decoded */
        long d;
        while ((d = decode(p, p + n, tmp)) < 0 && n > 0)
            n--;
        p = tmp;
        n = d < 0 ? 0 : (size_t)d;
        if (n >= cap)
            n = cap - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        return n;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
}

bool sov__js_eq(struct sov_jv v, const char *lit)
{
    size_t n = strlen(lit);
    if (v.type == 'r')
        return v.n == n && !memcmp(v.s, lit, n);
    return v.type == '"' && v.n == n + 2 && !memcmp(v.s + 1, lit, n);
}

double sov__js_num(struct sov_jv v, double def)
{
    char buf[64];
    const char *p = v.s;
    size_t n = v.n;
    if (v.type == '"' && n >= 2) {
        p++;
        n -= 2;
    } else if (v.type != 'n' && v.type != 'r') {
        return def;
    }
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    if (!n || n >= sizeof buf)
        return def;
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    return end == buf || *end ? def : d;
}

struct sov_jv sov__js_nested(struct sov_jv v, struct sov_arena *a)
{
    struct sov_jv none = {NULL, 0, 0};
    if (v.type == '{' || v.type == '[')
        return v;
    if (v.type != '"' && v.type != 'r')
        return none;
    size_t n;
    char *s = sov__js_str(v, a, &n);
    if (!s)
        return none;
    struct sov_jv out;
    if (sov__js_value(s, s + n, &out) != 0 || (out.type != '{' && out.type != '['))
        return none;
    return out;
}
