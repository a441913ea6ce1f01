#include "protocol/sse.h"
#include "sovereign/sovereign.h"

#include <string.h>

void sov_sse_init(struct sov_sse *p, size_t max_event_bytes)
{
    memset(p, 0, sizeof *p);
    p->line.cap = max_event_bytes;
    p->data.cap = max_event_bytes;
}

void sov_sse_free(struct sov_sse *p)
{
    sov_buf_free(&p->line);
    sov_buf_free(&p->data);
}

static int dispatch(struct sov_sse *p, sov_sse_cb cb, void *ud)
{
    int rc = 0;
    if (p->has_data)
        rc = cb(ud, p->event[0] ? p->event : "message", p->data.data ? p->data.data : "", p->data.len);
    sov_buf_reset(&p->data);
    p->has_data = 0;
    p->event[0] = '\0';
    return rc;
}

static int line(struct sov_sse *p, const char *s, size_t n, sov_sse_cb cb, void *ud)
{
    if (n == 0)
        return dispatch(p, cb, ud);
    if (s[0] == ':')
        return 0;
    const char *colon = memchr(s, ':', n);
    size_t flen = colon ? (size_t)(colon - s) : n;
    const char *v = colon ? colon + 1 : s + n;
    size_t vlen = colon ? n - flen - 1 : 0;
    if (vlen && *v == ' ')
        v++, vlen--;
    if (flen == 4 && !memcmp(s, "data", 4)) {
        if (p->has_data && sov_buf_putc(&p->data, '\n'))
            return SOV_ELIMIT;
        if (sov_buf_append(&p->data, v, vlen))
            return SOV_ELIMIT;
        p->has_data = 1;
    } else if (flen == 5 && !memcmp(s, "event", 5)) {
        size_t k = vlen < sizeof p->event - 1 ? vlen : sizeof p->event - 1;
        memcpy(p->event, v, k);
        p->event[k] = '\0';
    }
    return 0;
}

int sov_sse_feed(struct sov_sse *p, const char *buf, size_t n, sov_sse_cb cb, void *ud)
{
    size_t i = 0;
    while (i < n) {
        if (p->last_cr && buf[i] == '\n') { /* the \n of a \r\n */
            p->last_cr = 0;
            i++;
            continue;
        }
        p->last_cr = 0;
        /* find the end of the line in this buffer */
        const char *nl = memchr(buf + i, '\n', n - i);
        size_t lim = nl ? (size_t)(nl - buf) : n;
        const char *cr = memchr(buf + i, '\r', lim - i);
        size_t j = cr ? (size_t)(cr - buf) : lim;
        if (j == n) {
            if (sov_buf_append(&p->line, buf + i, n - i))
                return SOV_ELIMIT;
            return 0;
        }
        int rc;
        if (p->line.len) {
            if (sov_buf_append(&p->line, buf + i, j - i))
                return SOV_ELIMIT;
            rc = line(p, p->line.data, p->line.len, cb, ud);
            sov_buf_reset(&p->line);
        } else {
            rc = line(p, buf + i, j - i, cb, ud);
        }
        if (rc)
            return rc;
        p->last_cr = buf[j] == '\r';
        i = j + 1;
    }
    return 0;
}
