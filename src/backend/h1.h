/*
 * A minimal HTTP/1.1 client for plain-HTTP upstreams at a numeric address (a local node, a mock):
 * the fast path of upstream.c. libcurl costs ~70k instructions per small request, about 40% of the
 * gateway's work; this costs a few thousand. It speaks only what a chat backend needs: one POST per
 * request, keep-alive connections reused per worker, Content-Length, chunked and close-delimited
 * answers. HTTPS, host names (DNS), proxies and everything else stay with libcurl.
 *
 * Semantics are upstream.h's: callbacks on the loop's thread; on_data gets body bytes (de-chunked)
 * with the status; on_done once, after the request is freed; no callback after sov__h1_abort().
 * A request that finds its reused keep-alive connection closed before any answer byte is sent once
 * more on a new connection (the server closed it idle, as HTTP/1.1 allows).
 */
#ifndef SOV_BACKEND_H1_H
#define SOV_BACKEND_H1_H

#include "backend/upstream.h"

struct sov__h1_loop;
struct sov__h1_req;

/* Returns NULL when the environment asks for a proxy (then libcurl, which honours it, does all),
 * or sets SOV_UPSTREAM_CURL (everything through libcurl, to compare the two). */
struct sov__h1_loop *sov__h1_loop_new(struct event_base *base);
/* Aborts what runs (no callbacks), closes idle connections, frees. NULL is a no-op. */
void sov__h1_loop_free(struct sov__h1_loop *l);
size_t sov__h1_loop_active(const struct sov__h1_loop *l);

/* True if url is http://IP[:port]/path (IPv4, [IPv6] or localhost): one this client can take. */
bool sov__h1_accepts(const char *url);

/* As sov_upstream_post: takes headers (curl_slist, freed here) and body on success; NULL on failure
 * (nothing taken). The returned pointer is a struct sov_upstream_req for upstream.c's dispatch: its
 * first member is the int SOV__H1_KIND. */
#define SOV__H1_KIND 0x4831
struct sov_upstream_req *sov__h1_post(struct sov__h1_loop *l, const char *url, struct curl_slist *headers, char *body,
                                      size_t body_len, const struct sov_upstream_timeouts *t, const struct sov_upstream_cbs *cbs,
                                      void *ud);
void sov__h1_abort(struct sov_upstream_req *r);

#endif
