/* Pieces shared by the backend kinds that call an HTTP server (openai, anthropic). */
#ifndef SOV_BACKEND_HTTP_COMMON_H
#define SOV_BACKEND_HTTP_COMMON_H

#include "backend/backend.h"
#include "backend/upstream.h"

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
