#include "common/buf.h"
#include "sovereign/sovereign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct sov_buf *b, size_t n)
{
    if (b->cap && (n > b->cap || b->len > b->cap - n))
        return SOV_ELIMIT;
    size_t need = b->len + n + 1;
    if (need <= b->alloc)
        return 0;
    size_t na = b->alloc ? b->alloc : 256;
    while (na < need)
        na *= 2;
    char *p = realloc(b->data, na);
    if (!p)
        return SOV_ENOMEM;
    b->data = p;
    b->alloc = na;
    return 0;
}

char *sov_buf_reserve(struct sov_buf *b, size_t n)
{
    if (grow(b, n) != 0)
        return NULL;
    return b->data + b->len;
}

int sov_buf_append(struct sov_buf *b, const void *p, size_t n)
{
    int rc = grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sov_buf_puts(struct sov_buf *b, const char *s)
{
    return sov_buf_append(b, s, strlen(s));
}

int sov_buf_putc(struct sov_buf *b, char c)
{
    return sov_buf_append(b, &c, 1);
}

int sov_buf_printf(struct sov_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SOV_EINVAL;
    if ((size_t)n < sizeof tmp)
        return sov_buf_append(b, tmp, (size_t)n);
    int rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid/incomplete. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if ((c & 0xE0) == 0xC0)
        len = 2, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int sov_buf_json_escape(struct sov_buf *b, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    int rc;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            run++, i++;
            continue;
        }
        if (run && (rc = sov_buf_append(b, s + i - run, run)))
            return rc;
        run = 0;
        if (c >= 0x80) {
            size_t l = utf8_seq(s + i, n - i);
            if (l) {
                rc = sov_buf_append(b, s + i, l);
                i += l;
            } else {
                rc = sov_buf_append(b, "\xEF\xBF\xBD", 3);
                i++;
            }
        } else {
            char e[7] = {'\\', 0, 0, 0, 0, 0, 0};
            size_t el = 2;
            switch (c) {
            case '"': e[1] = '"'; break;
            case '\\': e[1] = '\\'; break;
            case '\n': e[1] = 'n'; break;
            case '\r': e[1] = 'r'; break;
            case '\t': e[1] = 't'; break;
            case '\b': e[1] = 'b'; break;
            case '\f': e[1] = 'f'; break;
            default:
                e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[c >> 4], e[5] = hex[c & 15];
                el = 6;
            }
            rc = sov_buf_append(b, e, el);
            i++;
        }
        if (rc)
            return rc;
    }
    return run ? sov_buf_append(b, s + i - run, run) : 0;
}

void sov_buf_consume(struct sov_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

void sov_buf_reset(struct sov_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sov_buf_free(struct sov_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

char *sov_buf_steal(struct sov_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
