#include "common/csv.h"
#include "sovereign/sovereign.h"

#include <string.h>

void sov_csv_init(struct sov_csv *c, const char *data, size_t len)
{
    c->p = data;
    c->end = data + len;
    c->line = 1;
}

int sov_csv_next(struct sov_csv *c, struct sov_buf *b, size_t *n)
{
    sov_buf_reset(b);
    *n = 0;
    if (c->p >= c->end)
        return 0;
    const char *s = c->p;
    size_t line = c->line;
    for (;;) {
        int rc = 0;
        if (s < c->end && *s == '"') {
            s++;
            for (;;) {
                const char *q = memchr(s, '"', (size_t)(c->end - s));
                if (!q)
                    return SOV_EPARSE;
                for (const char *t = s; t < q; t++)
                    line += *t == '\n';
                if ((rc = sov_buf_append(b, s, (size_t)(q - s))))
                    return rc;
                if (q + 1 < c->end && q[1] == '"') {
                    if ((rc = sov_buf_putc(b, '"')))
                        return rc;
                    s = q + 2;
                    continue;
                }
                s = q + 1;
                break;
            }
            /* anything between the closing quote and the separator is kept, as most readers do */
            while (s < c->end && *s != ',' && *s != '\n' && *s != '\r')
                if ((rc = sov_buf_putc(b, *s++)))
                    return rc;
        } else {
            const char *e = s;
            while (e < c->end && *e != ',' && *e != '\n' && *e != '\r')
                e++;
            if ((rc = sov_buf_append(b, s, (size_t)(e - s))))
                return rc;
            s = e;
        }
        if ((rc = sov_buf_putc(b, '\0')))
            return rc;
        (*n)++;
        if (s < c->end && *s == ',') {
            s++;
            continue;
        }
        if (s < c->end && *s == '\r')
            s++;
        if (s < c->end && *s == '\n')
            s++;
        line++;
        break;
    }
    c->p = s;
    c->line = line;
    return 1;
}

const char *sov_csv_field(const struct sov_buf *b, size_t n, size_t i)
{
    if (i >= n)
        return NULL;
    const char *p = b->data;
    while (i--)
        p += strlen(p) + 1;
    return p;
}
