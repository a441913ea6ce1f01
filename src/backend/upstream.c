#define SOV_LOG_MODULE "upstream"
#include "backend/upstream.h"
#include "backend/h1.h"
#include "common/log.h"
#include "common/util.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sov_upstream_loop {
    struct event_base *base;
    CURLM *multi;
    struct event *timer;
    size_t active;
    struct sov_upstream_req *reqs; /* doubly linked list of live requests */
    int in_action;                 /* depth of curl_multi_socket_action calls */
    struct sov_upstream_req *graveyard; /* aborted during an action; freed after it */
    CURL **pool;                   /* idle easy handles kept for reuse */
    size_t n_pool;
    struct sov__h1_loop *h1;            /* plain HTTP to numeric addresses (h1.c); NULL: all by libcurl */
};

struct sov_upstream_req {
    int kind; /* 0 here; h1.c's requests start with SOV__H1_KIND */
    struct sov_upstream_loop *loop;
    struct sov_upstream_req *prev, *next;
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    struct sov_upstream_cbs cbs;
    void *ud;
    struct event *timer; /* first-byte / idle */
    unsigned idle_ms;
    bool got_data;
    bool timed_out;
    bool aborted;
    bool added; /* in the multi handle (a post made inside a libcurl callback waits for the loop) */
    unsigned first_byte_ms;
    int status;
    char errbuf[CURL_ERROR_SIZE];
};

#define POOL_MAX 64

struct sock_ctx {
    struct event *ev;
    struct sov_upstream_loop *loop;
};

static void check_done(struct sov_upstream_loop *l);
static void on_deferred_add(evutil_socket_t fd, short what, void *arg);
static void socket_action(struct sov_upstream_loop *l, curl_socket_t fd, int ev_bitmask);

static void req_free(struct sov_upstream_req *r)
{
    struct sov_upstream_loop *l = r->loop;
    if (r->prev)
        r->prev->next = r->next;
    else if (l->reqs == r)
        l->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    if (r->easy && !r->added) {
        curl_easy_cleanup(r->easy);
    } else if (r->easy) {
        curl_multi_remove_handle(l->multi, r->easy);
        if (l->n_pool < POOL_MAX) {
            curl_easy_reset(r->easy);
            l->pool[l->n_pool++] = r->easy;
        } else {
            curl_easy_cleanup(r->easy);
        }
        l->active--;
    }
    if (r->timer)
        event_free(r->timer);
    curl_slist_free_all(r->headers);
    free(r->body);
    free(r);
}

/* Retry-After of a 429/503 answer in seconds (delta-seconds or an HTTP-date), 0 if none. */
static unsigned retry_after(struct sov_upstream_req *r)
{
    struct curl_header *h = NULL;
    if ((r->status != 429 && r->status != 503) || !r->added ||
        curl_easy_header(r->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h->value)
        return 0;
    unsigned s = 0;
    return sov_retry_after_parse(h->value, strlen(h->value), (int64_t)time(NULL), &s) ? s : 0;
}

static void finish(struct sov_upstream_req *r, enum sov_upstream_result res)
{
    struct sov_upstream_cbs cbs = r->cbs;
    void *ud = r->ud;
    int status = r->status;
    bool aborted = r->aborted;
    unsigned ra = cbs.on_retry_after && !aborted ? retry_after(r) : 0;
    req_free(r);
    if (ra)
        cbs.on_retry_after(ud, ra);
    if (!aborted && cbs.on_done)
        cbs.on_done(ud, res, status);
}

static void on_req_timer(evutil_socket_t fd, short what, void *arg)
{
    struct sov_upstream_req *r = arg;
    r->timed_out = true;
    finish(r, SOV_UP_TIMEOUT);
}

static void arm(struct sov_upstream_req *r, unsigned ms)
{
    if (!ms)
        return;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(r->timer, &tv);
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    struct sov_upstream_req *r = arg;
    size_t n = size * nmemb;
    if (r->aborted)
        return 0; /* makes libcurl stop this transfer */
    if (!r->got_data) {
        long code = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
        r->status = (int)code;
        r->got_data = true;
    }
    arm(r, r->idle_ms);
    if (r->cbs.on_data)
        r->cbs.on_data(r->ud, r->status, p, n);
    return r->aborted ? 0 : n;
}

static void check_done(struct sov_upstream_loop *l)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(l->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct sov_upstream_req *r = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        if (!r || r->aborted)
            continue; /* aborted inside a libcurl callback: on_deferred_free owns it */
        CURLcode rc = m->data.result;
        if (!r->got_data) {
            long code = 0;
            curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
            r->status = (int)code;
        }
        enum sov_upstream_result res;
        switch (rc) {
        case CURLE_OK:
            res = SOV_UP_OK;
            break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
            res = SOV_UP_CONNECT;
            break;
        case CURLE_OPERATION_TIMEDOUT:
            res = SOV_UP_TIMEOUT;
            break;
        case CURLE_OUT_OF_MEMORY:
            res = SOV_UP_INTERNAL;
            break;
        default:
            /* nothing came back at all: treat as a connection failure (e.g. reset before the response) */
            res = r->status ? SOV_UP_BROKEN : SOV_UP_CONNECT;
        }
        if (res != SOV_UP_OK && !r->aborted)
            sov_debug("request ended: %s (%s)", curl_easy_strerror(rc), r->errbuf);
        finish(r, res);
    }
}

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    struct sov_upstream_loop *l = arg;
    int mask = ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    socket_action(l, fd, mask);
}

static void socket_action(struct sov_upstream_loop *l, curl_socket_t fd, int mask)
{
    int running;
    l->in_action++;
    curl_multi_socket_action(l->multi, fd, mask, &running);
    check_done(l);
    l->in_action--;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    socket_action(arg, CURL_SOCKET_TIMEOUT, 0);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct sov_upstream_loop *l = userp;
    struct sock_ctx *sc = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (sc) {
            event_free(sc->ev);
            free(sc);
            curl_multi_assign(l->multi, s, NULL);
        }
        return 0;
    }
    short kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc)
            return -1;
        sc->loop = l;
        curl_multi_assign(l->multi, s, sc);
    } else {
        event_free(sc->ev);
    }
    sc->ev = event_new(l->base, s, kind, on_socket_event, l);
    if (!sc->ev)
        return -1;
    event_add(sc->ev, NULL);
    return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
    struct sov_upstream_loop *l = userp;
    if (timeout_ms < 0) {
        evtimer_del(l->timer);
        return 0;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evtimer_add(l->timer, &tv);
    return 0;
}

struct sov_upstream_loop *sov_upstream_loop_new(struct event_base *base)
{
    struct sov_upstream_loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->base = base;
    l->multi = curl_multi_init();
    l->timer = evtimer_new(base, on_timer, l);
    l->pool = calloc(POOL_MAX, sizeof *l->pool);
    l->h1 = sov__h1_loop_new(base); /* NULL when a proxy is configured: then libcurl does all */
    if (!l->multi || !l->timer || !l->pool) {
        sov_upstream_loop_free(l);
        return NULL;
    }
    curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
    curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
    curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, 256L);
    return l;
}

void sov_upstream_loop_free(struct sov_upstream_loop *l)
{
    if (!l)
        return;
    sov__h1_loop_free(l->h1);
    while (l->reqs) {
        l->reqs->aborted = true;
        req_free(l->reqs);
    }
    for (size_t i = 0; i < l->n_pool; i++)
        curl_easy_cleanup(l->pool[i]);
    free(l->pool);
    if (l->multi)
        curl_multi_cleanup(l->multi);
    if (l->timer)
        event_free(l->timer);
    free(l);
}

size_t sov_upstream_loop_active(const struct sov_upstream_loop *l)
{
    return l->active + sov__h1_loop_active(l->h1);
}

struct sov_upstream_req *sov_upstream_post(struct sov_upstream_loop *l, const char *url, struct curl_slist *headers, char *body,
                                           size_t body_len, const struct sov_upstream_timeouts *t,
                                           const struct sov_upstream_cbs *cbs, void *ud)
{
    if (l->h1 && sov__h1_accepts(url))
        return sov__h1_post(l->h1, url, headers, body, body_len, t, cbs, ud);
    struct sov_upstream_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->loop = l;
    r->timer = evtimer_new(l->base, on_req_timer, r);
    r->easy = l->n_pool ? l->pool[--l->n_pool] : curl_easy_init();
    if (!r->timer || !r->easy) {
        if (r->easy)
            curl_easy_cleanup(r->easy);
        if (r->timer)
            event_free(r->timer);
        free(r);
        return NULL;
    }
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(t && t->connect_ms ? t->connect_ms : 10000));
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    r->headers = headers;
    r->body = body;
    r->cbs = *cbs;
    r->ud = ud;
    r->idle_ms = t ? t->idle_ms : 0;
    r->next = l->reqs;
    if (l->reqs)
        l->reqs->prev = r;
    l->reqs = r;
    r->first_byte_ms = t ? t->first_byte_ms : 0;
    if (l->in_action) {
        /* called from inside a libcurl callback (a failover from a write callback): libcurl refuses
         * to add a handle there, so add it once the loop comes back */
        event_free(r->timer);
        r->timer = evtimer_new(l->base, on_deferred_add, r);
        struct timeval tv = {0, 0};
        if (r->timer && evtimer_add(r->timer, &tv) == 0)
            return r;
        r->headers = NULL;
        r->body = NULL;
        req_free(r);
        return NULL;
    }
    if (curl_multi_add_handle(l->multi, e) != CURLM_OK) {
        r->headers = NULL;
        r->body = NULL;
        r->aborted = true;
        /* unlink without taking the caller's headers/body */
        if (l->reqs == r)
            l->reqs = r->next;
        if (r->next)
            r->next->prev = NULL;
        curl_easy_cleanup(e);
        event_free(r->timer);
        free(r);
        return NULL;
    }
    r->added = true;
    l->active++;
    arm(r, r->first_byte_ms);
    return r;
}

static void on_deferred_add(evutil_socket_t fd, short what, void *arg)
{
    struct sov_upstream_req *r = arg;
    struct sov_upstream_loop *l = r->loop;
    event_free(r->timer);
    r->timer = evtimer_new(l->base, on_req_timer, r);
    if (!r->timer || curl_multi_add_handle(l->multi, r->easy) != CURLM_OK) {
        finish(r, SOV_UP_INTERNAL);
        return;
    }
    r->added = true;
    l->active++;
    arm(r, r->first_byte_ms);
}

static void on_deferred_free(evutil_socket_t fd, short what, void *arg)
{
    struct sov_upstream_req *r = arg;
    req_free(r);
}

void sov_upstream_abort(struct sov_upstream_req *r)
{
    if (r && r->kind == SOV__H1_KIND) {
        sov__h1_abort(r);
        return;
    }
    if (!r || r->aborted)
        return;
    r->aborted = true;
    if (r->loop->in_action) {
        /* inside libcurl: the write callback returns 0 and check_done() frees it; in case libcurl
         * does not report it (no more data), free it once the loop comes back */
        evtimer_del(r->timer);
        event_free(r->timer);
        r->timer = evtimer_new(r->loop->base, on_deferred_free, r);
        struct timeval tv = {0, 0};
        if (r->timer)
            evtimer_add(r->timer, &tv);
        return;
    }
    req_free(r);
}

const char *sov_upstream_result_str(enum sov_upstream_result r)
{
    switch (r) {
    case SOV_UP_OK: return "ok";
    case SOV_UP_CONNECT: return "connection failed";
    case SOV_UP_TIMEOUT: return "timed out";
    case SOV_UP_BROKEN: return "connection broken";
    case SOV_UP_INTERNAL: return "internal error";
    }
    return "error";
}
