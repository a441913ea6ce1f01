/*
 * Backends: one vtable, one row per kind in the table of backend.c ("openai", "anthropic", and
 * later "llama"), one file per kind. The gateway speaks the OpenAI chat format inside: a backend
 * receives an OpenAI chat request (json) and reports OpenAI-format results through the call's sink,
 * translating as it must.
 *
 * Threading: a call lives on one worker's event loop. start/cancel and every sink callback run on
 * that loop's thread. A kind that computes elsewhere (the in-process llama node) hands results back
 * to the loop (e.g. with event_active) before calling the sink.
 *
 * Lifecycle of a call: start() returns 0 and later exactly one of on_done / on_error fires,
 * unless cancel() is called first, after which no callback fires. If start() fails, no callback
 * ever fires. A sink callback must not call cancel() on its own call (the call is still on the stack).
 */
#ifndef SOV_BACKEND_BACKEND_H
#define SOV_BACKEND_BACKEND_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct event_base;
struct sov_upstream_loop;
struct sov_call;
struct sov_backend;
struct sov_queue_metrics;

struct sov_usage {
    int64_t prompt_tokens;      /* -1 = unknown */
    int64_t completion_tokens;  /* -1 = unknown */
    int64_t cached_tokens;      /* -1 = unknown */
    /* Confidence summary from token probabilities, when the backend has them (has_confidence). */
    bool has_confidence;
    double mean_logprob, min_logprob, mean_entropy;
};

enum sov_call_error_kind {
    SOV_CALL_ERR_CONNECT,     /* connection refused/failed, DNS */
    SOV_CALL_ERR_TIMEOUT,     /* connect, first-byte or idle timeout */
    SOV_CALL_ERR_STATUS,      /* upstream answered with an HTTP error status */
    SOV_CALL_ERR_PROTOCOL,    /* upstream answered something we cannot parse */
    SOV_CALL_ERR_BROKEN,      /* the stream broke after it started */
    SOV_CALL_ERR_INTERNAL,    /* our side: out of memory, local model failure */
    SOV_CALL_ERR_OVERLOADED,  /* local queue full */
};

struct sov_call_error {
    enum sov_call_error_kind kind;
    int status;               /* upstream HTTP status for SOV_CALL_ERR_STATUS, else 0 */
    bool retryable;           /* worth trying the next backend (if nothing reached the client yet) */
    const char *message;      /* safe to show the client: never holds keys or bodies */
    const char *body;         /* upstream's error body for STATUS (may be NULL); passed through when no other backend is left */
    size_t body_len;
    unsigned retry_after_s;   /* a Retry-After hint (OVERLOADED, or an upstream 429/503), 0 = none */
};

struct sov_call_sink {
    /* Streaming: one OpenAI chat.completion.chunk object as JSON text (no "data: " framing). */
    void (*on_chunk)(struct sov_call *c, const char *json, size_t len);
    /* Non-streaming: the whole OpenAI chat.completion object as JSON text. Followed by on_done. */
    void (*on_complete)(struct sov_call *c, const char *json, size_t len);
    /* Success: the stream ended (or the completion was delivered). c->usage is final. */
    void (*on_done)(struct sov_call *c);
    /* Failure. c->chunks tells whether anything was already delivered. */
    void (*on_error)(struct sov_call *c, const struct sov_call_error *e);
    /* May be NULL. A backend that sets c->in_burst while it delivers the chunks of one upstream read
     * calls this after the last of them (with in_burst cleared): the sink may hold the chunks of a
     * burst and send them as one write. Not called when the burst ended in on_error. */
    void (*on_flush)(struct sov_call *c);
};

struct sov_call {
    struct sov_backend *backend;
    struct event_base *base;            /* the worker's loop */
    struct sov_upstream_loop *upstream; /* the worker's HTTP client (libcurl multi on that loop) */
    json_t *request;                    /* OpenAI chat request; borrowed, valid until the call ends */
    const char *model;                  /* the model name to ask the backend for */
    const char *body;                   /* the client's raw body when it can be sent as is (same model, OpenAI format); may be NULL */
    size_t body_len;
    bool stream;
    bool include_usage;                 /* the client asked for a usage chunk (stream_options.include_usage) */
    const struct sov_call_sink *sink;
    void *user;                         /* the gateway's per-request state */
    void *priv;                         /* the backend's per-call state */
    struct sov_usage usage;
    uint64_t chunks;                    /* chunks delivered so far */
    bool in_burst;                      /* on_chunk calls now are followed by on_flush (see the sink) */
    char start_error[192];              /* start() may explain a SOV_EINVAL here (the request cannot be
                                         * expressed for this backend): safe to show the client */
};

struct sov_backend_ops {
    const char *kind;
    /* May be NULL. Checks kind-specific configuration and prepares shared state (e.g. loads a model).
     * Called once at start and by --check-config (with check_only = true: validate, load nothing heavy). */
    int (*open)(struct sov_backend *b, bool check_only, char **err);
    /* May be NULL. Frees what open() made. */
    void (*close)(struct sov_backend *b);
    /* Required. Begins a call; see the lifecycle above. Returns 0 or a negative SOV_E* code. */
    int (*start)(struct sov_call *c);
    /* Required. Abandons a started call (client gone, deadline). No sink callback fires afterwards;
     * frees the call's backend state. */
    void (*cancel)(struct sov_call *c);
    /* May be NULL (no embeddings). Begins a POST /v1/embeddings call (c->request is the OpenAI
     * embeddings request): the same lifecycle as start, the answer through on_complete + on_done. */
    int (*embed)(struct sov_call *c);
};

struct sov_backend {
    const struct sov_backend_config *cfg; /* borrowed from the config snapshot */
    const struct sov_backend_ops *ops;
    char *api_key;                        /* from the environment; never logged */
    atomic_uint inflight;                 /* calls in progress, all workers together */
    void *priv;                           /* the kind's shared state */
    struct sov_queue_metrics *queue;      /* may be NULL: slots and queue of a kind that queues locally
                                           * (llama), set by open(), valid until close(); read by GET /metrics */
};

/* Finds the ops row of a kind; NULL if unknown (or not compiled in). */
const struct sov_backend_ops *sov_backend_kind(const char *kind);
/* A comma-separated list of the kinds compiled in, for messages and --help. */
const char *sov_backend_kinds(void);

/* Opens every backend of a config (api keys from the environment). Returns NULL and sets *err. */
struct sov_backend *sov_backends_open(const struct sov_config *cfg, bool check_only, char **err);
void sov_backends_close(struct sov_backend *b, size_t n);

/* Claims a concurrency slot; false if the backend is at its cap. */
bool sov_backend_acquire(struct sov_backend *b);
void sov_backend_release(struct sov_backend *b);

#endif
