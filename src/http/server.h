/* Internal to src/http: the gateway's shared state, its workers, and the functions its files share. */
#ifndef SOV_HTTP_SERVER_H
#define SOV_HTTP_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "common/buf.h"
#include "config/config.h"
#include "http/errors.h"
#include "metrics/metrics.h"

#include <event2/util.h>

struct event_base;
struct event;
struct evhttp;
struct evhttp_request;
struct evhttp_bound_socket;
struct evbuffer;
struct sov_upstream_loop;
struct sov_router;
struct sov_router_scratch;
struct gw_req;
struct gw_router;
struct sov_front_stream;
struct sov_store;

struct sov_worker {
    struct sov_gateway *g;
    unsigned id;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct sov_upstream_loop *up;
    struct event *stop_ev, *drain_timer;
    struct evbuffer *scratch;        /* for building chunks: the events of scratch_owner not yet sent */
    struct gw_req *scratch_owner;    /* the request whose events are in scratch (NULL: empty) */
    long long log_sec;               /* the second log_ts spells (access log: one gmtime a second) */
    char log_ts[80];                 /* "YYYY-MM-DDTHH:MM:SS" */
    struct sov_router_scratch *route_scratch;
    size_t inflight;                 /* requests of this worker not yet finished */
    bool draining;
    uint64_t drain_deadline_us;
    int fd;
};

struct sov_gateway {
    struct sov_config *cfg;
    struct sov_backend *backends;
    struct sov_metrics *metrics;
    struct sov_router *router;       /* scan -> classify -> policy */
    struct gw_router *route_cfg;     /* decide.c's view of the router section */
    unsigned char (*keys)[32];       /* SHA-256 of accepted client keys */
    size_t n_keys;
    struct sov_worker *workers;
    unsigned n_workers;
    int *fallback;
    size_t n_fallback;
    int default_backend;
    char address[128];
    char *models_body;               /* GET /v1/models, built once */
    size_t models_len;
    struct event_base *main_base;
    struct event *main_stop;
    atomic_bool stopping;
    struct sov_store *store;         /* the decision store (store.path), or NULL */
};

#define MAX_CANDIDATES 16

/* One client request, from the handler to the last byte (or the client leaving). */
struct gw_req {
    struct sov_worker *w;
    struct evhttp_request *req; /* NULL once the client is gone */
    struct evhttp_request *orphan; /* the request of a client that left: libevent detached it and
                                    * leaves it to us to complete (which frees it) */
    bool reply_started;
    struct evhttp_connection *evcon;
    enum sov_api_format fmt;
    const char *path;
    const char *method;
    json_t *body;            /* the OpenAI chat request */
    const char *raw;         /* the client's bytes, when they are OpenAI chat */
    size_t raw_len;
    bool stream, include_usage;
    bool embeddings;         /* POST /v1/embeddings: the backend's embed() instead of start() */
    char model[128];         /* as the client named it */
    int cand[MAX_CANDIDATES];
    size_t n_cand, attempt;
    int backend;             /* index of the backend of the current/last attempt, -1 none */
    struct sov_call call;
    bool call_active, slot_held, headers_sent, finished;
    int status;
    uint64_t t0, t_first;
    struct event *deadline;
    struct sov_front_stream *front; /* per-format stream translation state (Anthropic clients) */
    char err_msg[192];
    int err_status;
    unsigned retry_after_s; /* the largest Retry-After an upstream asked for */
    enum sov_call_error_kind err_kind;
    char *err_body;
    size_t err_body_len;
    const char *route, *reason;  /* set by the router for "auto" */
    bool local_only;             /* sensitive data or air-gapped: never a cloud-tier backend */
    char client_id[17];          /* first 16 hex digits of the client key's SHA-256, or "" */
    uint32_t sensitive_types;
    char reason_buf[64];
    bool classified;             /* the router classified this request ("auto"): task and complexity hold */
    unsigned char task;          /* enum sov_task */
    float complexity;
};

/* gateway.c */
struct gw_req *sov__gw_req_new(struct sov_worker *w, struct evhttp_request *req, const char *path, enum sov_api_format fmt);
void sov__gw_set_body(struct gw_req *r, json_t *body, const char *raw, size_t raw_len); /* takes body */
void sov__gw_dispatch_chat(struct gw_req *r);
/* POST /v1/embeddings: r->body holds the OpenAI embeddings request; goes to the backend serving the model. */
void sov__gw_dispatch_embeddings(struct gw_req *r);
void sov__gw_reply_error(struct gw_req *r, int status, const char *type, const char *code, const char *param,
                         const char *msg);
void sov__gw_fail_all(struct gw_req *r);
void sov__gw_write_event(struct gw_req *r, const char *event, const char *data, size_t len);
struct sov_front_stream **sov__gw_front(struct gw_req *r);
const char *sov__gw_model(struct gw_req *r);
struct sov_usage *sov__gw_usage(struct gw_req *r);
json_t *sov__gw_body(struct gw_req *r);
struct sov_worker *sov__gw_worker(struct gw_req *r);
void sov__gw_set_route(struct gw_req *r, const char *route, const char *reason);

/* decide.c: the router's hooks. route_auto returns a backend index, or -1 after answering the client;
 * guard filters r->cand (sensitive data, air-gapped) and returns 0, or -1 after answering. */
int sov__gw_route_auto(struct gw_req *r);
int sov__gw_guard(struct gw_req *r, bool is_auto);
/* Builds/frees g->router from the configuration (no router configured: g->router stays NULL). */
int sov__gateway_router_init(struct sov_gateway *g, char **err);
void sov__gateway_router_free(struct sov_gateway *g);

/* record.c: the decision store. open/close with the gateway; record once per finished request
 * (cost: the request's cost in USD as the access log counts it). */
int sov__gw_store_open(struct sov_gateway *g, char **err);
void sov__gw_store_close(struct sov_gateway *g);
void sov__gw_record(struct gw_req *r, double cost);

/* messages.c: Anthropic-format clients (POST /v1/messages). */
void sov__messages_handle(struct gw_req *r, const char *body, size_t len);
void sov__front_stream_chunk(struct gw_req *r, const char *json, size_t len);
void sov__front_stream_end(struct gw_req *r);
int sov__front_complete(struct gw_req *r, const char *json, size_t len, struct sov_buf *out);
void sov__front_stream_free(struct sov_front_stream *f);

#endif
