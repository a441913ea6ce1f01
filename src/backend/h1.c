/* The plain-HTTP/1.1 fast path of the upstream client (see h1.h). */
#define SOV_LOG_MODULE "h1"
#include "backend/h1.h"
#include "common/log.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define H1_HEAD_MAX (64u << 10) /* response status line + headers */
#define H1_READ_CHUNK (16u << 10)
#define H1_IDLE_MAX 256 /* idle keep-alive connections kept per worker */

struct h1_conn {
    int fd;
    struct sockaddr_storage addr;
    socklen_t alen;
    struct event *ev; /* while idle: readable means closed (or junk): drop it */
    struct sov__h1_loop *loop;
    struct h1_conn *next;
};

struct sov__h1_loop {
    struct event_base *base;
    struct h1_conn *idle;
    size_t n_idle;
    size_t active;
    struct h1_req *reqs;
};

enum h1_state { S_CONNECT, S_WRITE, S_HEAD, S_LEN, S_CHUNK_SIZE, S_CHUNK_DATA, S_CHUNK_END, S_TRAILER, S_CLOSE };

struct h1_req {
    int kind; /* SOV__H1_KIND: first, see h1.h */
    struct sov__h1_loop *loop;
    struct h1_req *prev, *next;
    struct sockaddr_storage addr;
    socklen_t alen;
    int fd;
    bool reused, retried, in_cb, aborted, got_data, keep_alive;
    enum h1_state state;
    struct event *ev;    /* the socket */
    struct event *timer; /* connect, then first byte / idle */
    unsigned connect_ms, first_byte_ms, idle_ms;
    char *head; /* request line + headers */
    size_t head_len;
    char *body;
    size_t body_len, sent;
    struct sov_upstream_cbs cbs;
    void *ud;
    char *in; /* response bytes; in[in_off..in_len) not parsed yet */
    size_t in_off, in_len, in_cap;
    int status;
    unsigned retry_after; /* seconds, from a 429/503 answer's Retry-After (0: none) */
    uint64_t remaining;
};

/* ---- URLs ------------------------------------------------------------------------------------ */

struct h1_target {
    struct sockaddr_storage addr;
    socklen_t alen;
    const char *host, *path; /* host: as written (with brackets), for the Host header */
    size_t host_len;
};

static bool parse_url(const char *url, struct h1_target *t)
{
    if (strncmp(url, "http://", 7) != 0)
        return false;
    const char *h = url + 7, *p = h, *hend;
    char ip[64];
    if (*p == '[') {
        hend = strchr(p, ']');
        if (!hend || (size_t)(hend - p - 1) >= sizeof ip)
            return false;
        memcpy(ip, p + 1, (size_t)(hend - p - 1));
        ip[hend - p - 1] = '\0';
        p = hend + 1;
    } else {
        hend = p + strcspn(p, ":/?#");
        if ((size_t)(hend - p) >= sizeof ip)
            return false;
        memcpy(ip, p, (size_t)(hend - p));
        ip[hend - p] = '\0';
        p = hend;
    }
    long port = 80;
    if (*p == ':') {
        char *e;
        port = strtol(p + 1, &e, 10);
        if (e == p + 1 || port <= 0 || port > 65535)
            return false;
        p = e;
    }
    if (*p != '/' || strpbrk(p, "#"))
        return false;
    t->host = h;
    t->host_len = (size_t)(p - h);
    t->path = p;
    memset(&t->addr, 0, sizeof t->addr);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&t->addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&t->addr;
    if (!strcmp(ip, "localhost"))
        snprintf(ip, sizeof ip, "127.0.0.1");
    if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        t->alen = sizeof *a4;
    } else if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        t->alen = sizeof *a6;
    } else {
        return false; /* a name: libcurl resolves it without blocking the loop */
    }
    return true;
}

bool sov__h1_accepts(const char *url)
{
    struct h1_target t;
    return url && parse_url(url, &t);
}

/* ---- connections ------------------------------------------------------------------------------ */

static void conn_close(struct h1_conn *c)
{
    if (c->ev)
        event_free(c->ev);
    close(c->fd);
    free(c);
}

static void unlink_idle(struct sov__h1_loop *l, struct h1_conn *c)
{
    for (struct h1_conn **pp = &l->idle; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            l->n_idle--;
            return;
        }
}

static void on_idle_readable(evutil_socket_t fd, short what, void *arg)
{
    struct h1_conn *c = arg;
    unlink_idle(c->loop, c); /* the server closed it (or sent what nobody asked for) */
    conn_close(c);
}

static void park(struct h1_req *r)
{
    struct sov__h1_loop *l = r->loop;
    struct h1_conn *c = l->n_idle < H1_IDLE_MAX ? calloc(1, sizeof *c) : NULL;
    if (c)
        c->ev = event_new(l->base, r->fd, EV_READ, on_idle_readable, c);
    if (!c || !c->ev || event_add(c->ev, NULL) != 0) {
        if (c && c->ev)
            event_free(c->ev);
        free(c);
        close(r->fd);
        r->fd = -1;
        return;
    }
    c->fd = r->fd;
    c->addr = r->addr;
    c->alen = r->alen;
    c->loop = l;
    c->next = l->idle;
    l->idle = c;
    l->n_idle++;
    r->fd = -1;
}

static int take_idle(struct sov__h1_loop *l, const struct sockaddr_storage *a, socklen_t alen)
{
    for (struct h1_conn **pp = &l->idle; *pp; pp = &(*pp)->next) {
        struct h1_conn *c = *pp;
        if (c->alen == alen && !memcmp(&c->addr, a, alen)) {
            *pp = c->next;
            l->n_idle--;
            int fd = c->fd;
            event_free(c->ev);
            free(c);
            return fd;
        }
    }
    return -1;
}

/* ---- requests --------------------------------------------------------------------------------- */

static void req_free(struct h1_req *r)
{
    struct sov__h1_loop *l = r->loop;
    if (r->prev)
        r->prev->next = r->next;
    else if (l->reqs == r)
        l->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    l->active--;
    if (r->ev)
        event_free(r->ev);
    if (r->timer)
        event_free(r->timer);
    if (r->fd >= 0)
        close(r->fd);
    free(r->head);
    free(r->body);
    free(r->in);
    free(r);
}

static void finish(struct h1_req *r, enum sov_upstream_result res)
{
    struct sov_upstream_cbs cbs = r->cbs;
    void *ud = r->ud;
    int status = r->status;
    bool aborted = r->aborted;
    unsigned ra = r->retry_after;
    req_free(r);
    if (ra && !aborted && cbs.on_retry_after)
        cbs.on_retry_after(ud, ra);
    if (!aborted && cbs.on_done)
        cbs.on_done(ud, res, status);
}

static void arm(struct h1_req *r, unsigned ms)
{
    if (!ms) {
        evtimer_del(r->timer);
        return;
    }
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(r->timer, &tv);
}

static void on_socket(evutil_socket_t fd, short what, void *arg);

/* Watches r->fd for `what` (EV_READ or EV_WRITE). */
static int watch(struct h1_req *r, short what)
{
    if (r->ev)
        event_free(r->ev);
    r->ev = event_new(r->loop->base, r->fd, what | EV_PERSIST, on_socket, r);
    return r->ev && event_add(r->ev, NULL) == 0 ? 0 : -1;
}

static int start_connect(struct h1_req *r, bool may_reuse)
{
    r->fd = may_reuse ? take_idle(r->loop, &r->addr, r->alen) : -1;
    r->reused = r->fd >= 0;
    if (r->reused) {
        r->state = S_WRITE;
        return watch(r, EV_WRITE);
    }
    r->fd = socket(r->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (r->fd < 0)
        return -1;
    int one = 1;
    setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(r->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    r->state = S_CONNECT;
    if (connect(r->fd, (struct sockaddr *)&r->addr, r->alen) != 0 && errno != EINPROGRESS)
        return -1; /* refused at once (rare on TCP: usually reported on the first write event) */
    return watch(r, EV_WRITE);
}

/* The reused connection was closed by the server before any answer byte: once more, on a new one. */
static bool retry_fresh(struct h1_req *r)
{
    if (!r->reused || r->retried || r->got_data || r->status)
        return false;
    r->retried = true;
    close(r->fd);
    r->fd = -1;
    r->sent = 0;
    r->in_off = r->in_len = 0;
    r->state = S_CONNECT;
    if (start_connect(r, false) != 0)
        finish(r, SOV_UP_CONNECT);
    return true;
}

static void fail(struct h1_req *r, enum sov_upstream_result res)
{
    if (res != SOV_UP_INTERNAL && retry_fresh(r))
        return;
    finish(r, res);
}

/* Delivers body bytes; false if the request was aborted from the callback (then freed here). */
static bool deliver(struct h1_req *r, const char *p, size_t n)
{
    if (!n)
        return true;
    if (!r->got_data)
        r->got_data = true;
    arm(r, r->idle_ms);
    r->in_cb = true;
    if (r->cbs.on_data)
        r->cbs.on_data(r->ud, r->status, p, n);
    r->in_cb = false;
    if (r->aborted) {
        req_free(r);
        return false;
    }
    return true;
}

static void complete(struct h1_req *r)
{
    if (r->keep_alive && r->in_off == r->in_len) {
        if (r->ev) {
            event_free(r->ev);
            r->ev = NULL;
        }
        park(r);
    }
    finish(r, SOV_UP_OK);
}

static const char *find_crlf(const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    return nl && nl > p && nl[-1] == '\r' ? nl - 1 : nl ? nl : NULL;
}

/* The status line and headers in h[0..hl). Returns 0, or -1 if unreadable. */
static int parse_head(struct h1_req *r, const char *h, size_t hl)
{
    /* "HTTP/1.x NNN ..." */
    if (hl < 14 || memcmp(h, "HTTP/1.", 7) != 0 || (h[7] != '0' && h[7] != '1') || h[8] != ' ')
        return -1;
    for (int i = 9; i < 12; i++)
        if (h[i] < '0' || h[i] > '9')
            return -1;
    if (h[12] != ' ' && h[12] != '\r')
        return -1;
    int minor = h[7] - '0', status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
    if (status < 100)
        return -1;
    bool chunked = false, has_len = false, close_ = minor == 0, keep = false;
    uint64_t len = 0;
    const char *p = memchr(h, '\n', hl) + 1, *end = h + hl;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            break;
        size_t ll = (size_t)(e - p);
        if (ll && p[ll - 1] == '\r')
            ll--;
        const char *colon = memchr(p, ':', ll);
        if (colon) {
            size_t kl = (size_t)(colon - p);
            const char *v = colon + 1;
            while (v < p + ll && (*v == ' ' || *v == '\t'))
                v++;
            size_t vl = (size_t)(p + ll - v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            if (kl == 14 && !strncasecmp(p, "content-length", 14)) {
                char num[24];
                if (!vl || vl >= sizeof num)
                    return -1;
                memcpy(num, v, vl);
                num[vl] = '\0';
                char *ne;
                unsigned long long x = strtoull(num, &ne, 10);
                if (*ne && *ne != ' ' && *ne != '\t')
                    return -1;
                if (has_len && x != len)
                    return -1;
                len = x;
                has_len = true;
            } else if (kl == 17 && !strncasecmp(p, "transfer-encoding", 17)) {
                chunked = vl >= 7 && !strncasecmp(v + vl - 7, "chunked", 7);
                if (!chunked)
                    return -1; /* another coding: not for this client */
            } else if (kl == 11 && !strncasecmp(p, "retry-after", 11) && (status == 429 || status == 503)) {
                /* delta-seconds or an HTTP-date, as upstream.c does with libcurl */
                unsigned x = 0;
                r->retry_after = sov_retry_after_parse(v, vl, (int64_t)time(NULL), &x) ? x : 0;
            } else if (kl == 10 && !strncasecmp(p, "connection", 10)) {
                for (size_t i = 0; i + 5 <= vl; i++)
                    if (!strncasecmp(v + i, "close", 5))
                        close_ = true;
                for (size_t i = 0; i + 10 <= vl; i++)
                    if (!strncasecmp(v + i, "keep-alive", 10))
                        keep = true;
            }
        }
        p = e + 1;
    }
    r->status = status;
    r->keep_alive = !close_ || (minor == 0 && keep);
    if (status == 204 || status == 304 || (has_len && len == 0 && !chunked)) {
        r->state = S_TRAILER; /* marker: nothing follows, handled by the caller */
        r->remaining = 0;
        return 1;
    }
    if (chunked) {
        r->state = S_CHUNK_SIZE;
    } else if (has_len) {
        r->state = S_LEN;
        r->remaining = len;
    } else {
        r->state = S_CLOSE;
        r->keep_alive = false;
    }
    return 0;
}

static void consume(struct h1_req *r, size_t n)
{
    r->in_off += n;
}

/* Parses what r->in holds. Returns false if r is gone (finished, failed or aborted). */
static bool parse(struct h1_req *r)
{
    for (;;) {
        const char *b = r->in + r->in_off;
        size_t bl = r->in_len - r->in_off;
        switch (r->state) {
        case S_HEAD: {
            const char *e = bl >= 4 ? memmem(b, bl, "\r\n\r\n", 4) : NULL;
            if (!e) {
                if (bl >= H1_HEAD_MAX) {
                    finish(r, SOV_UP_BROKEN);
                    return false;
                }
                return true;
            }
            size_t hl = (size_t)(e - b) + 4;
            int rc = parse_head(r, b, hl);
            if (rc < 0) {
                finish(r, SOV_UP_BROKEN);
                return false;
            }
            consume(r, hl);
            if (r->status < 200) { /* 100 Continue and friends: the real answer follows */
                r->status = 0;
                r->state = S_HEAD;
                continue;
            }
            if (rc == 1) {
                complete(r);
                return false;
            }
            continue;
        }
        case S_LEN:
        case S_CHUNK_DATA: {
            size_t m = bl < r->remaining ? bl : (size_t)r->remaining;
            if (!m)
                return true;
            consume(r, m);
            r->remaining -= m;
            if (!deliver(r, b, m))
                return false;
            if (r->remaining)
                return true;
            if (r->state == S_LEN) {
                complete(r);
                return false;
            }
            r->state = S_CHUNK_END;
            continue;
        }
        case S_CLOSE:
            consume(r, bl);
            if (bl && !deliver(r, b, bl))
                return false;
            return true;
        case S_CHUNK_SIZE: {
            const char *e = find_crlf(b, bl);
            if (!e) {
                if (bl > 1024) {
                    finish(r, SOV_UP_BROKEN);
                    return false;
                }
                return true;
            }
            bool hexd = (*b >= '0' && *b <= '9') || (*b >= 'a' && *b <= 'f') || (*b >= 'A' && *b <= 'F');
            char *ne;
            unsigned long long sz = hexd ? strtoull(b, &ne, 16) : 0;
            if (!hexd || (ne != e && *ne != ';' && *ne != ' ' && *ne != '\t')) {
                finish(r, SOV_UP_BROKEN);
                return false;
            }
            consume(r, (size_t)(e - b) + (*e == '\r' ? 2 : 1));
            r->remaining = sz;
            r->state = sz ? S_CHUNK_DATA : S_TRAILER;
            continue;
        }
        case S_CHUNK_END:
            if (bl < 2)
                return true;
            if (b[0] != '\r' || b[1] != '\n') {
                finish(r, SOV_UP_BROKEN);
                return false;
            }
            consume(r, 2);
            r->state = S_CHUNK_SIZE;
            continue;
        case S_TRAILER: {
            const char *e = find_crlf(b, bl);
            if (!e)
                return true;
            bool empty = e == b;
            consume(r, (size_t)(e - b) + (*e == '\r' ? 2 : 1));
            if (empty) {
                complete(r);
                return false;
            }
            continue;
        }
        default:
            return true;
        }
    }
}

static void on_readable(struct h1_req *r)
{
    for (int rounds = 0; rounds < 16; rounds++) {
        if (r->in_off) { /* keep only what is not parsed yet */
            memmove(r->in, r->in + r->in_off, r->in_len - r->in_off);
            r->in_len -= r->in_off;
            r->in_off = 0;
        }
        if (r->in_cap - r->in_len < H1_READ_CHUNK && r->in_cap < H1_HEAD_MAX + H1_READ_CHUNK) {
            size_t nc = r->in_cap ? r->in_cap * 2 : H1_READ_CHUNK * 2;
            char *p = realloc(r->in, nc);
            if (!p) {
                finish(r, SOV_UP_INTERNAL);
                return;
            }
            r->in = p;
            r->in_cap = nc;
        }
        size_t space = r->in_cap - r->in_len;
        if (!space) { /* a header or chunk line longer than any limit: parse() refused it already */
            finish(r, SOV_UP_BROKEN);
            return;
        }
        ssize_t n = recv(r->fd, r->in + r->in_len, space, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0 && r->state == S_CLOSE) {
                r->keep_alive = false;
                complete(r);
                return;
            }
            /* nothing came back at all: a connection failure, as libcurl reports it */
            fail(r, r->status || r->got_data ? SOV_UP_BROKEN : SOV_UP_CONNECT);
            return;
        }
        r->in_len += (size_t)n;
        if (!parse(r))
            return;
        if ((size_t)n < space)
            return; /* drained the socket */
    }
}

static void on_writable(struct h1_req *r)
{
    if (r->state == S_CONNECT) {
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
            finish(r, SOV_UP_CONNECT);
            return;
        }
        r->state = S_WRITE;
        arm(r, r->first_byte_ms);
    }
    while (r->sent < r->head_len + r->body_len) {
        struct iovec iov[2];
        int n = 0;
        if (r->sent < r->head_len)
            iov[n++] = (struct iovec){r->head + r->sent, r->head_len - r->sent};
        size_t bo = r->sent > r->head_len ? r->sent - r->head_len : 0;
        if (r->body_len > bo)
            iov[n++] = (struct iovec){r->body + bo, r->body_len - bo};
        struct msghdr mh = {0};
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)n;
        ssize_t w = sendmsg(r->fd, &mh, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fail(r, SOV_UP_CONNECT);
            return;
        }
        r->sent += (size_t)w;
    }
    r->state = S_HEAD;
    if (watch(r, EV_READ) != 0)
        finish(r, SOV_UP_INTERNAL);
}

static void on_socket(evutil_socket_t fd, short what, void *arg)
{
    struct h1_req *r = arg;
    if (r->state <= S_WRITE)
        on_writable(r);
    else
        on_readable(r);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    finish(arg, SOV_UP_TIMEOUT);
}

/* ---- the API ---------------------------------------------------------------------------------- */

struct sov__h1_loop *sov__h1_loop_new(struct event_base *base)
{
    /* SOV_UPSTREAM_CURL=1 sends everything through libcurl (to compare the two) */
    static const char *const proxy_env[] = {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "SOV_UPSTREAM_CURL"};
    for (size_t i = 0; i < sizeof proxy_env / sizeof proxy_env[0]; i++) {
        const char *v = getenv(proxy_env[i]);
        if (v && *v)
            return NULL;
    }
    struct sov__h1_loop *l = calloc(1, sizeof *l);
    if (l)
        l->base = base;
    return l;
}

void sov__h1_loop_free(struct sov__h1_loop *l)
{
    if (!l)
        return;
    while (l->reqs) {
        l->reqs->aborted = true;
        req_free(l->reqs);
    }
    while (l->idle) {
        struct h1_conn *c = l->idle;
        l->idle = c->next;
        conn_close(c);
    }
    free(l);
}

size_t sov__h1_loop_active(const struct sov__h1_loop *l)
{
    return l ? l->active : 0;
}

struct sov_upstream_req *sov__h1_post(struct sov__h1_loop *l, const char *url, struct curl_slist *headers, char *body,
                                      size_t body_len, const struct sov_upstream_timeouts *t, const struct sov_upstream_cbs *cbs,
                                      void *ud)
{
    struct h1_target tg;
    if (!parse_url(url, &tg))
        return NULL;
    size_t cap = strlen(tg.path) + tg.host_len + 96;
    for (struct curl_slist *h = headers; h; h = h->next)
        cap += strlen(h->data) + 2;
    struct h1_req *r = calloc(1, sizeof *r);
    char *head = malloc(cap);
    if (!r || !head) {
        free(r);
        free(head);
        return NULL;
    }
    int w = snprintf(head, cap, "POST %s HTTP/1.1\r\nHost: %.*s\r\nContent-Length: %zu\r\n", tg.path, (int)tg.host_len, tg.host,
                     body_len);
    size_t hl = w > 0 ? (size_t)w : 0;
    for (struct curl_slist *h = headers; h; h = h->next) {
        size_t n = strlen(h->data);
        if (!n || h->data[n - 1] == ':' || !strncasecmp(h->data, "content-length:", 15) || !strncasecmp(h->data, "host:", 5))
            continue; /* "Name:" is libcurl's way to drop a header; length and host are ours */
        memcpy(head + hl, h->data, n);
        memcpy(head + hl + n, "\r\n", 2);
        hl += n + 2;
    }
    memcpy(head + hl, "\r\n", 2);
    hl += 2;
    r->kind = SOV__H1_KIND;
    r->loop = l;
    r->addr = tg.addr;
    r->alen = tg.alen;
    r->fd = -1;
    r->head = head;
    r->head_len = hl;
    r->body = body;
    r->body_len = body_len;
    r->cbs = *cbs;
    r->ud = ud;
    r->connect_ms = t && t->connect_ms ? t->connect_ms : 10000;
    r->first_byte_ms = t ? t->first_byte_ms : 0;
    r->idle_ms = t ? t->idle_ms : 0;
    r->timer = evtimer_new(l->base, on_timer, r);
    r->next = l->reqs;
    if (l->reqs)
        l->reqs->prev = r;
    l->reqs = r;
    l->active++;
    if (!r->timer || start_connect(r, true) != 0) {
        r->body = NULL; /* not taken */
        r->aborted = true;
        req_free(r);
        return NULL;
    }
    arm(r, r->reused ? r->first_byte_ms : r->connect_ms);
    curl_slist_free_all(headers);
    return (struct sov_upstream_req *)r;
}

void sov__h1_abort(struct sov_upstream_req *ur)
{
    struct h1_req *r = (struct h1_req *)ur;
    if (r->aborted)
        return;
    r->aborted = true;
    if (!r->in_cb)
        req_free(r); /* else deliver() frees it when the callback returns */
}
