#include "metrics/metrics.h"
#include "backend/backend.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int statuses[SOV_METRICS_STATUSES] = {200, 400, 401, 403, 404, 405, 413, 429, 499, 500, 502, 503, 504, 0};
static const double bounds_s[SOV_METRICS_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,  10,    60};
/* log-probability bounds of the confidence histogram (natural log; 0 = certain) */
static const double conf_bounds[SOV_METRICS_BUCKETS] = {-12, -10, -8, -6, -5, -4, -3, -2.5, -2, -1.5, -1, -0.5, -0.25, -0.1};
static const char *const error_kinds[SOV_METRICS_ERROR_KINDS] = {"connect", "timeout",  "status",    "protocol",
                                                                 "broken",  "internal", "overloaded"};

struct sov_metrics *sov_metrics_new(const struct sov_config *cfg)
{
    struct sov_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cfg = cfg;
    m->n = cfg->n_backends + 1;
    m->b = calloc(m->n, sizeof *m->b);
    if (!m->b) {
        free(m);
        return NULL;
    }
    m->started_us = sov_now_us();
    return m;
}

void sov_metrics_free(struct sov_metrics *m)
{
    if (!m)
        return;
    free(m->b);
    free(m);
}

static struct sov_backend_metrics *bm(struct sov_metrics *m, int backend)
{
    return &m->b[backend >= 0 && (size_t)backend < m->n - 1 ? (size_t)backend : m->n - 1];
}

#define INC(x, v) atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)

void sov_metrics_observe(struct sov_histogram *h, uint64_t us)
{
    double s = (double)us / 1e6;
    int i = 0;
    while (i < SOV_METRICS_BUCKETS && s > bounds_s[i])
        i++;
    if (i < SOV_METRICS_BUCKETS)
        INC(h->buckets[i], 1);
    INC(h->count, 1);
    INC(h->sum_us, us);
}

void sov_metrics_confidence(struct sov_metrics *m, int backend, double mean_logprob)
{
    struct sov_backend_metrics *b = bm(m, backend);
    int i = 0;
    while (i < SOV_METRICS_BUCKETS && mean_logprob > conf_bounds[i])
        i++;
    if (i < SOV_METRICS_BUCKETS)
        INC(b->conf_buckets[i], 1);
    INC(b->conf_count, 1);
    double cur = atomic_load_explicit(&b->conf_sum, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&b->conf_sum, &cur, cur + mean_logprob, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

void sov_metrics_request(struct sov_metrics *m, int backend, int status, uint64_t duration_us, uint64_t ttfb_us)
{
    struct sov_backend_metrics *b = bm(m, backend);
    int i = 0;
    while (i < SOV_METRICS_STATUSES - 1 && statuses[i] != status)
        i++;
    INC(b->requests[i], 1);
    sov_metrics_observe(&b->duration, duration_us);
    if (ttfb_us)
        sov_metrics_observe(&b->ttfb, ttfb_us);
}

void sov_metrics_upstream_error(struct sov_metrics *m, int backend, int kind)
{
    if (kind >= 0 && kind < SOV_METRICS_ERROR_KINDS)
        INC(bm(m, backend)->upstream_errors[kind], 1);
}

void sov_metrics_failover(struct sov_metrics *m, int backend)
{
    INC(bm(m, backend)->failovers, 1);
}

void sov_metrics_tokens(struct sov_metrics *m, int backend, int64_t prompt, int64_t completion, double cost_usd)
{
    struct sov_backend_metrics *b = bm(m, backend);
    if (prompt > 0)
        INC(b->prompt_tokens, (uint64_t)prompt);
    if (completion > 0)
        INC(b->completion_tokens, (uint64_t)completion);
    if (cost_usd > 0)
        INC(b->cost_nano_usd, (uint64_t)(cost_usd * 1e9 + 0.5));
}

void sov_metrics_decision(struct sov_metrics *m, int route, const char *reason)
{
    if (route < 0 || route > 1 || !reason)
        return;
    uint32_t n = (uint32_t)atomic_load_explicit(&m->n_reasons, memory_order_acquire);
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(m->reason_names[i], reason)) {
            INC(m->decisions[route][i], 1);
            return;
        }
    /* a new reason: the set of reason categories is small and fixed in code, so a race here only
     * costs a duplicate row at worst; guard the slot claim */
    uint_fast32_t slot = atomic_fetch_add_explicit(&m->n_reasons, 1, memory_order_acq_rel);
    if (slot >= SOV_METRICS_REASONS) {
        atomic_store(&m->n_reasons, SOV_METRICS_REASONS);
        return;
    }
    snprintf(m->reason_names[slot], sizeof m->reason_names[slot], "%s", reason);
    INC(m->decisions[route][slot], 1);
}

#define LOAD(x) (unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed)

static const char *bname(struct sov_metrics *m, size_t i)
{
    return i < m->n - 1 ? m->cfg->backends[i].name : "none";
}
static const char *btier(struct sov_metrics *m, size_t i)
{
    return i < m->n - 1 ? (m->cfg->backends[i].tier == SOV_TIER_LOCAL ? "local" : "cloud") : "none";
}

static void render_hist(struct sov_buf *o, struct sov_metrics *m, const char *name, size_t off)
{
    for (size_t i = 0; i < m->n; i++) {
        struct sov_histogram *h = (struct sov_histogram *)((char *)&m->b[i] + off);
        unsigned long long cum = 0;
        for (int k = 0; k < SOV_METRICS_BUCKETS; k++) {
            cum += LOAD(h->buckets[k]);
            sov_buf_printf(o, "%s_bucket{backend=\"%s\",tier=\"%s\",le=\"%g\"} %llu\n", name, bname(m, i), btier(m, i),
                           bounds_s[k], cum);
        }
        sov_buf_printf(o, "%s_bucket{backend=\"%s\",tier=\"%s\",le=\"+Inf\"} %llu\n", name, bname(m, i), btier(m, i),
                       LOAD(h->count));
        sov_buf_printf(o, "%s_sum{backend=\"%s\",tier=\"%s\"} %.6f\n", name, bname(m, i), btier(m, i),
                       (double)LOAD(h->sum_us) / 1e6);
        sov_buf_printf(o, "%s_count{backend=\"%s\",tier=\"%s\"} %llu\n", name, bname(m, i), btier(m, i), LOAD(h->count));
    }
}

/* The slot and queue metrics of the backends that have a queue (rows: name, HELP text, TYPE, field). */
static const struct {
    const char *name, *help, *type;
    size_t off;
} queue_rows[] = {
    {"sovereign_backend_slots", "Parallel slots of a local model backend (parallel).", "gauge",
     offsetof(struct sov_queue_metrics, slots_total)},
    {"sovereign_backend_slots_busy", "Slots of a local model backend now serving a request.", "gauge",
     offsetof(struct sov_queue_metrics, slots_busy)},
    {"sovereign_backend_queue_length", "Requests waiting for a slot of a local model backend.", "gauge",
     offsetof(struct sov_queue_metrics, queued)},
    {"sovereign_backend_queue_limit", "Most requests that may wait for a slot (max_queue).", "gauge",
     offsetof(struct sov_queue_metrics, queue_limit)},
    {"sovereign_backend_queue_rejected_total", "Requests refused because the slots and the queue were full (429).",
     "counter", offsetof(struct sov_queue_metrics, rejected)},
};

static void render_queues(struct sov_metrics *m, const struct sov_backend *bk, struct sov_buf *o)
{
    size_t nb = m->n - 1, any = 0;
    for (size_t i = 0; bk && i < nb; i++)
        any += bk[i].queue != NULL;
    if (!any)
        return;
    for (size_t r = 0; r < sizeof queue_rows / sizeof queue_rows[0]; r++) {
        sov_buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", queue_rows[r].name, queue_rows[r].help, queue_rows[r].name,
                       queue_rows[r].type);
        for (size_t i = 0; i < nb; i++)
            if (bk[i].queue)
                sov_buf_printf(o, "%s{backend=\"%s\"} %llu\n", queue_rows[r].name, bname(m, i),
                               LOAD(*(atomic_uint_fast64_t *)((char *)bk[i].queue + queue_rows[r].off)));
    }
    sov_buf_puts(o, "# HELP sovereign_backend_queue_wait_seconds Time a request of a local model backend waited for a slot.\n"
                    "# TYPE sovereign_backend_queue_wait_seconds histogram\n");
    for (size_t i = 0; i < nb; i++) {
        struct sov_histogram *h = bk[i].queue ? &bk[i].queue->wait : NULL;
        if (!h)
            continue;
        unsigned long long cum = 0;
        for (int k = 0; k < SOV_METRICS_BUCKETS; k++) {
            cum += LOAD(h->buckets[k]);
            sov_buf_printf(o, "sovereign_backend_queue_wait_seconds_bucket{backend=\"%s\",le=\"%g\"} %llu\n", bname(m, i),
                           bounds_s[k], cum);
        }
        sov_buf_printf(o, "sovereign_backend_queue_wait_seconds_bucket{backend=\"%s\",le=\"+Inf\"} %llu\n", bname(m, i),
                       LOAD(h->count));
        sov_buf_printf(o, "sovereign_backend_queue_wait_seconds_sum{backend=\"%s\"} %.6f\n", bname(m, i),
                       (double)LOAD(h->sum_us) / 1e6);
        sov_buf_printf(o, "sovereign_backend_queue_wait_seconds_count{backend=\"%s\"} %llu\n", bname(m, i), LOAD(h->count));
    }
}

int sov_metrics_render(struct sov_metrics *m, const struct sov_backend *backends, struct sov_buf *o)
{
    sov_buf_puts(o, "# HELP sovereign_requests_total Requests answered, by backend, tier and HTTP status.\n"
                    "# TYPE sovereign_requests_total counter\n");
    for (size_t i = 0; i < m->n; i++)
        for (int k = 0; k < SOV_METRICS_STATUSES; k++) {
            unsigned long long v = LOAD(m->b[i].requests[k]);
            if (!v)
                continue;
            if (statuses[k])
                sov_buf_printf(o, "sovereign_requests_total{backend=\"%s\",tier=\"%s\",status=\"%d\"} %llu\n", bname(m, i),
                               btier(m, i), statuses[k], v);
            else
                sov_buf_printf(o, "sovereign_requests_total{backend=\"%s\",tier=\"%s\",status=\"other\"} %llu\n",
                               bname(m, i), btier(m, i), v);
        }
    sov_buf_puts(o, "# HELP sovereign_upstream_errors_total Failed upstream attempts, by backend and kind.\n"
                    "# TYPE sovereign_upstream_errors_total counter\n");
    for (size_t i = 0; i + 1 < m->n; i++)
        for (int k = 0; k < SOV_METRICS_ERROR_KINDS; k++)
            sov_buf_printf(o, "sovereign_upstream_errors_total{backend=\"%s\",kind=\"%s\"} %llu\n", bname(m, i),
                           error_kinds[k], LOAD(m->b[i].upstream_errors[k]));
    sov_buf_puts(o, "# HELP sovereign_failovers_total Requests moved from this backend to the next of the chain.\n"
                    "# TYPE sovereign_failovers_total counter\n");
    for (size_t i = 0; i + 1 < m->n; i++)
        sov_buf_printf(o, "sovereign_failovers_total{backend=\"%s\"} %llu\n", bname(m, i), LOAD(m->b[i].failovers));
    sov_buf_puts(o, "# HELP sovereign_tokens_total Tokens counted from upstream usage, by backend, tier and direction.\n"
                    "# TYPE sovereign_tokens_total counter\n");
    for (size_t i = 0; i + 1 < m->n; i++) {
        sov_buf_printf(o, "sovereign_tokens_total{backend=\"%s\",tier=\"%s\",direction=\"prompt\"} %llu\n", bname(m, i),
                       btier(m, i), LOAD(m->b[i].prompt_tokens));
        sov_buf_printf(o, "sovereign_tokens_total{backend=\"%s\",tier=\"%s\",direction=\"completion\"} %llu\n", bname(m, i),
                       btier(m, i), LOAD(m->b[i].completion_tokens));
    }
    sov_buf_puts(o, "# HELP sovereign_cost_usd_total Cost of the requests at the configured prices.\n"
                    "# TYPE sovereign_cost_usd_total counter\n");
    for (size_t i = 0; i + 1 < m->n; i++)
        sov_buf_printf(o, "sovereign_cost_usd_total{backend=\"%s\",tier=\"%s\"} %.9f\n", bname(m, i), btier(m, i),
                       (double)LOAD(m->b[i].cost_nano_usd) / 1e9);
    sov_buf_puts(o, "# HELP sovereign_request_duration_seconds Time from request to the last byte of the answer.\n"
                    "# TYPE sovereign_request_duration_seconds histogram\n");
    render_hist(o, m, "sovereign_request_duration_seconds", offsetof(struct sov_backend_metrics, duration));
    sov_buf_puts(o, "# HELP sovereign_ttfb_seconds Time from request to the first byte of the answer.\n"
                    "# TYPE sovereign_ttfb_seconds histogram\n");
    render_hist(o, m, "sovereign_ttfb_seconds", offsetof(struct sov_backend_metrics, ttfb));
    sov_buf_puts(o, "# HELP sovereign_answer_mean_logprob Mean token log-probability of answers (confidence summary).\n"
                    "# TYPE sovereign_answer_mean_logprob histogram\n");
    for (size_t i = 0; i + 1 < m->n; i++) {
        unsigned long long cum = 0;
        for (int k = 0; k < SOV_METRICS_BUCKETS; k++) {
            cum += LOAD(m->b[i].conf_buckets[k]);
            sov_buf_printf(o, "sovereign_answer_mean_logprob_bucket{backend=\"%s\",le=\"%g\"} %llu\n", bname(m, i),
                           conf_bounds[k], cum);
        }
        sov_buf_printf(o, "sovereign_answer_mean_logprob_bucket{backend=\"%s\",le=\"+Inf\"} %llu\n", bname(m, i),
                       LOAD(m->b[i].conf_count));
        sov_buf_printf(o, "sovereign_answer_mean_logprob_sum{backend=\"%s\"} %.6f\n", bname(m, i),
                       atomic_load_explicit(&m->b[i].conf_sum, memory_order_relaxed));
        sov_buf_printf(o, "sovereign_answer_mean_logprob_count{backend=\"%s\"} %llu\n", bname(m, i), LOAD(m->b[i].conf_count));
    }
    render_queues(m, backends, o);
    uint32_t nr = (uint32_t)atomic_load(&m->n_reasons);
    if (nr > SOV_METRICS_REASONS)
        nr = SOV_METRICS_REASONS;
    sov_buf_puts(o, "# HELP sovereign_route_decisions_total Router decisions for model auto, by route and reason.\n"
                    "# TYPE sovereign_route_decisions_total counter\n");
    for (uint32_t i = 0; i < nr; i++)
        for (int r = 0; r < 2; r++)
            sov_buf_printf(o, "sovereign_route_decisions_total{route=\"%s\",reason=\"%s\"} %llu\n", r ? "cloud" : "local",
                           m->reason_names[i], LOAD(m->decisions[r][i]));
    sov_buf_printf(o, "# HELP sovereign_uptime_seconds Seconds since the gateway started.\n"
                      "# TYPE sovereign_uptime_seconds gauge\nsovereign_uptime_seconds %.3f\n",
                   (double)(sov_now_us() - m->started_us) / 1e6);
    return 0;
}
