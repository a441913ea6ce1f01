/* Pieces shared by the backend kinds that call an HTTP server (openai, anthropic). */
#ifndef SOV_BACKEND_HTTP_COMMON_H
#define SOV_BACKEND_HTTP_COMMON_H

#include "backend/backend.h"
#include "backend/upstream.h"
#include "common/buf.h"
#include "protocol/sse.h"

#define SOV_HTTP_MAX_RESPONSE_BYTES (64u << 20)
#define SOV_HTTP_MAX_EVENT_BYTES (8u << 20)

/* The state every HTTP-kind call shares; a kind embeds it as the first member of its own call state.
 * Lifecycle: init -> post -> (data...) -> exactly one of done / fail / failed, or cancel. Each of
 * those ends clears call->priv, reports to the sink (except cancel) and then frees through free_fn:
 * nothing touches the call after its terminal callback, which may free it. */
struct sov__http_call;
typedef void (*sov__http_free_fn)(struct sov__http_call *h);

struct sov__http_call {
    struct sov_call *call;
    struct sov_upstream_req *req;
    struct sov_buf body;              /* non-streaming answer, or an error body */
    struct sov_sse sse;
    struct sov_call_error pending;    /* set by an SSE callback that returns 1 */
    char msg[160];
    unsigned retry_after_s;           /* from a 429/503 answer's Retry-After */
    sov__http_free_fn free_fn;
};

void sov__http_call_init(struct sov__http_call *h, struct sov_call *c, sov__http_free_fn free_fn);
/* Frees the buffers (not h). For free_fn implementations. */
void sov__http_call_release(struct sov__http_call *h);
/* Sends the request (takes headers and body). On failure frees everything, h included, and returns
 * a negative code: the caller returns it from start(). */
int sov__http_call_post(struct sov__http_call *h, const char *url, struct curl_slist *headers, char *body, size_t len,
                        const struct sov_upstream_cbs *cbs);
/* on_data for kinds: buffers error bodies and non-streaming answers, feeds streams to the SSE parser. */
void sov__http_call_data(struct sov__http_call *h, int status, const char *p, size_t n, sov_sse_cb on_event);
void sov__http_call_done(struct sov__http_call *h);
void sov__http_call_fail(struct sov__http_call *h, const struct sov_call_error *e);
/* The transfer ended without a usable answer: classify and fail. */
void sov__http_call_failed(struct sov__http_call *h, enum sov_upstream_result r, int status);
/* on_retry_after for kinds (the ud is the call state, whose first member is the sov__http_call). */
void sov__http_on_retry_after(void *ud, unsigned seconds);
/* The cancel() of every HTTP kind. */
void sov__http_call_cancel(struct sov_call *c);

/* Classifies an upstream failure into a call error; retryable for connection failures, timeouts,
 * 408, 429 and 5xx. `message` must outlive the call to on_error. */
void sov__http_error(struct sov_call_error *e, enum sov_upstream_result r, int status, const char *body, size_t body_len,
                     char *message, size_t message_cap, const char *backend_name);

/* Timeouts of a backend's configuration. */
struct sov_upstream_timeouts sov__http_timeouts(const struct sov_backend *b);

/* Reads usage from an OpenAI usage object into u. */
void sov__usage_from_openai(struct sov_usage *u, const json_t *usage);

/* Updates the confidence summary from an OpenAI logprobs.content array (one entry per token).
 * The running sums live in the call state; *n_tokens counts tokens seen. */
void sov__confidence_add(struct sov_usage *u, const json_t *logprobs_content, size_t *n_tokens, double *sum_lp, double *sum_ent);

#endif
