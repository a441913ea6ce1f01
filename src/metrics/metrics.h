/*
 * Gateway metrics, rendered in the Prometheus text format on GET /metrics.
 * Counters are relaxed atomics: any thread may count, the scrape reads a consistent-enough view.
 * Backends are numbered as in the configuration; index n_backends stands for "none" (a request that
 * failed before a backend was chosen).
 */
#ifndef SOV_METRICS_METRICS_H
#define SOV_METRICS_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "config/config.h"

struct sov_backend;

#define SOV_METRICS_BUCKETS 14
#define SOV_METRICS_STATUSES 14
#define SOV_METRICS_ERROR_KINDS 7
#define SOV_METRICS_REASONS 32

struct sov_histogram {
    atomic_uint_fast64_t buckets[SOV_METRICS_BUCKETS]; /* cumulative on render, not here */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_us;
};

/* Slots and queue of a backend that queues requests itself (kind llama). The backend owns it (in its
 * shared state) and writes it from its own threads with relaxed atomics; GET /metrics reads it through
 * struct sov_backend's `queue`. Gauges are stored, counters added to. */
struct sov_queue_metrics {
    atomic_uint_fast64_t slots_total; /* parallel */
    atomic_uint_fast64_t slots_busy;  /* slots generating (or an embedding being computed) */
    atomic_uint_fast64_t queued;      /* requests waiting for a slot */
    atomic_uint_fast64_t queue_limit; /* max_queue */
    atomic_uint_fast64_t rejected;    /* refused because the slots and the queue were full (429) */
    struct sov_histogram wait;        /* from entering the queue to getting a slot (requests that got one) */
};

struct sov_backend_metrics {
    atomic_uint_fast64_t requests[SOV_METRICS_STATUSES];
    atomic_uint_fast64_t upstream_errors[SOV_METRICS_ERROR_KINDS];
    atomic_uint_fast64_t failovers; /* attempts that moved on to the next backend */
    atomic_uint_fast64_t prompt_tokens, completion_tokens;
    atomic_uint_fast64_t cost_nano_usd;
    atomic_uint_fast64_t inflight;
    struct sov_histogram duration, ttfb;
    /* mean log-probability of answers that carry a confidence summary (buckets: conf_bounds in metrics.c) */
    atomic_uint_fast64_t conf_buckets[SOV_METRICS_BUCKETS];
    atomic_uint_fast64_t conf_count;
    _Atomic double conf_sum;
};

struct sov_metrics {
    const struct sov_config *cfg;
    size_t n; /* backends + 1 */
    struct sov_backend_metrics *b;
    atomic_uint_fast64_t decisions[2][SOV_METRICS_REASONS]; /* route x reason slot */
    char reason_names[SOV_METRICS_REASONS][48];
    atomic_uint_fast32_t n_reasons;
    uint64_t started_us;
};

struct sov_metrics *sov_metrics_new(const struct sov_config *cfg);
void sov_metrics_free(struct sov_metrics *m);

/* backend: index in cfg->backends, or -1 for none. */
void sov_metrics_request(struct sov_metrics *m, int backend, int status, uint64_t duration_us, uint64_t ttfb_us);
void sov_metrics_upstream_error(struct sov_metrics *m, int backend, int kind);
void sov_metrics_failover(struct sov_metrics *m, int backend);
void sov_metrics_tokens(struct sov_metrics *m, int backend, int64_t prompt, int64_t completion, double cost_usd);
/* An answer's confidence summary (mean log-probability of its tokens, <= 0). */
void sov_metrics_confidence(struct sov_metrics *m, int backend, double mean_logprob);
/* route: 0 local, 1 cloud; reason: the category of the reason ("sensitive", "task", "complexity", "default"...). */
void sov_metrics_decision(struct sov_metrics *m, int route, const char *reason);
/* One observation of us microseconds into a histogram (the bounds of the duration histograms).
 * Thread-safe, allocation-free. */
void sov_metrics_observe(struct sov_histogram *h, uint64_t us);
/* Appends the Prometheus text. backends: the open backends of m's config (cfg->n_backends of them),
 * for the slot and queue gauges of those with a queue; may be NULL (then those are left out). */
int sov_metrics_render(struct sov_metrics *m, const struct sov_backend *backends, struct sov_buf *out);

#endif
