/*
 * The outbound HTTP client every HTTP-speaking backend shares: libcurl's multi interface driven by
 * the worker's libevent loop (one sov_upstream_loop per worker thread), so connections to each
 * upstream are kept alive and reused, and nothing blocks the loop.
 *
 * Timeouts: connect (libcurl), first byte (from the start until the first body byte), idle (between
 * body bytes); the two latter are our timers.
 *
 * Callbacks run on the loop's thread. After sov_upstream_abort() no callback fires. It is safe to call
 * sov_upstream_abort() from inside on_data; the request is then torn down once libcurl returns.
 */
#ifndef SOV_BACKEND_UPSTREAM_H
#define SOV_BACKEND_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct curl_slist;
struct sov_upstream_loop;
struct sov_upstream_req;

enum sov_upstream_result {
    SOV_UP_OK = 0,        /* the response arrived in full */
    SOV_UP_CONNECT,       /* could not connect (refused, DNS, TLS handshake) */
    SOV_UP_TIMEOUT,       /* connect, first-byte or idle timeout */
    SOV_UP_BROKEN,        /* the connection broke during the response */
    SOV_UP_INTERNAL,      /* out of memory or a libcurl failure */
};

struct sov_upstream_cbs {
    /* A piece of the response body. status is the HTTP status (known from the first call on). */
    void (*on_data)(void *ud, int status, const char *p, size_t n);
    /* The end. status is 0 if no response line arrived. */
    void (*on_done)(void *ud, enum sov_upstream_result r, int status);
    /* May be NULL. Called just before on_done when a 429 or 503 answer carried Retry-After (seconds). */
    void (*on_retry_after)(void *ud, unsigned seconds);
};

struct sov_upstream_timeouts {
    unsigned connect_ms, first_byte_ms, idle_ms;
};

/* One per worker thread; lives as long as the loop. Returns NULL on failure. */
struct sov_upstream_loop *sov_upstream_loop_new(struct event_base *base);
/* Aborts every request still running (no callbacks) and frees the loop. */
void sov_upstream_loop_free(struct sov_upstream_loop *l);
/* Requests in flight on this loop. */
size_t sov_upstream_loop_active(const struct sov_upstream_loop *l);

/* Starts a POST. Takes ownership of headers (a curl_slist) and body (malloc'd). Returns NULL on
 * failure (then nothing was taken: the caller frees headers and body). */
struct sov_upstream_req *sov_upstream_post(struct sov_upstream_loop *l, const char *url, struct curl_slist *headers, char *body,
                                           size_t body_len, const struct sov_upstream_timeouts *t,
                                           const struct sov_upstream_cbs *cbs, void *ud);
/* Stops a request; no callback fires afterwards. */
void sov_upstream_abort(struct sov_upstream_req *r);

/* Describes a result for messages: "connection failed", ... */
const char *sov_upstream_result_str(enum sov_upstream_result r);

#endif
