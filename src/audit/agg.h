/* The audit's aggregates (internal to src/audit/). Not thread-safe: one per worker, merged at the end. */
#ifndef SOV_AUDIT_AGG_H
#define SOV_AUDIT_AGG_H

#include <stdio.h>

#include "audit/audit.h"

/* One routed, tokenised call, ready to count. */
struct sov__obs {
    const char *model, *provider, *workflow; /* workflow NULL when the record has none */
    int task;                                /* SOV_AUDIT_TASK_UNKNOWN when no prompt was logged */
    int band;                                /* -1 unknown */
    int route;                               /* -1 unknown (not migratable) */
    uint32_t sens;
    bool has_template;
    uint64_t tpl;
    const char *tpl_text;
    int64_t prompt, completion, cached, cache_write;
    bool est_prompt, est_completion, no_response, failed;
    double ts;
    double cost_override; /* >= 0: the logged cost, for a model without a price row */
};

struct sov__gmap {
    struct sov_audit_group *v;
    size_t n, alloc, max;
    int32_t *slots;
    size_t cap;
};

struct sov__tmap {
    struct sov_audit_template *v;
    size_t n, alloc, max;
    int32_t *slots;
    size_t cap;
};

struct sov__err {
    uint32_t file;
    uint64_t line;
    char *reason;
};

struct sov__agg {
    struct sov_audit_counts total;
    struct sov_audit_counts by_task[SOV_TASK_COUNT + 1];
    struct sov_audit_counts by_band[SOV_AUDIT_BANDS];
    uint64_t sens[SOV_PII_COUNT];
    uint64_t errors, failed_calls, est_prompt, est_completion, no_response, unpriced_requests, templates_untracked;
    uint64_t batch_unmatched_inputs, batch_unmatched_outputs;
    uint64_t format_records[16];
    double ts_min, ts_max;
    struct sov__gmap models, workflows, providers;
    struct sov__tmap templates;
    struct sov__err err[SOV_AUDIT_MAX_ERRORS];
    size_t n_err;
};

void sov__agg_init(struct sov__agg *a, size_t max_templates);
void sov__agg_free(struct sov__agg *a);
void sov__agg_add(struct sov__agg *a, const struct sov_pricing *p, const struct sov__obs *o);
void sov__agg_error(struct sov__agg *a, uint32_t file, uint64_t line, const char *reason);
/* Adds s into d (s keeps its maps; its error strings move to d). */
void sov__agg_merge(struct sov__agg *d, struct sov__agg *s);
void sov__counts_merge(struct sov_audit_counts *d, const struct sov_audit_counts *s);
struct sov_audit_group *sov__gmap_get(struct sov__gmap *m, const char *name);
struct sov_audit_group *sov__gmap_get_other(struct sov__gmap *m);
struct sov_audit_template *sov__tmap_get(struct sov__tmap *m, uint64_t hash, const char *text, int task, int band);

#endif
