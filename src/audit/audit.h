/*
 * sovereign audit: reads existing API logs (one reader per format, src/audit/fmt_*.c, listed in the
 * table of format.c), sends every request through the router's scan/classify/policy steps (the same
 * code as `serve`), prices it (pricing.h) and aggregates the migration plan that report.c renders.
 *
 * Streaming: the calling thread reads (gzip or plain, files, directories, stdin) in chunks cut at
 * record boundaries and hands them to worker threads through a bounded queue; each worker keeps its
 * own aggregates, merged at the end. Memory is bounded by the chunk size, the queue depth, the
 * record cap and the caps on distinct models, workflows and templates (beyond them, counted as
 * "(other)").
 */
#ifndef SOV_AUDIT_AUDIT_H
#define SOV_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/pricing.h"
#include "route/router.h"
#include "sensitive/sensitive.h"

#define SOV_AUDIT_BANDS 3                     /* complexity bands: low < 0.35 <= medium < 0.65 <= high */
#define SOV_AUDIT_TASK_UNKNOWN SOV_TASK_COUNT /* a record that carried no prompt text */

/* The local cost model: every field < 0 when not given. */
struct sov_audit_local {
    double tokens_per_s;        /* generation throughput of the local node */
    double prompt_tokens_per_s; /* prompt processing throughput (default 10x tokens_per_s) */
    double hardware_usd;        /* purchase price of the node */
    double amortize_months;     /* default 36 */
    double power_watts;         /* draw under load */
    double kwh_usd;             /* electricity price */
    double hourly_usd;          /* or a flat cost per hour of use (rented node) */
};

struct sov_audit_opts {
    const char *format;         /* NULL or "auto": detect per record; else a format table name */
    const char *workflow_field; /* dotted path read from the request (then the record), or NULL */
    unsigned threads;           /* worker threads (0: one per core, at most 8) */
    bool exact;                 /* classify every request (no per-template verdict cache) */
    bool progress;              /* progress bar on stderr */
    double period_days;         /* the span the logs cover (0: from their timestamps, else 30) */
    size_t max_record_bytes;    /* longest record (line, CSV row or document) */
    size_t max_templates;       /* distinct templates tracked per worker */
    struct sov_audit_local local;
};

void sov_audit_opts_default(struct sov_audit_opts *o);

/* Counters for one group (a model, a task, a workflow, a template, ...). */
struct sov_audit_counts {
    uint64_t requests;
    uint64_t prompt_tokens, completion_tokens, cached_tokens;
    uint64_t priced_requests;
    double spend_usd;        /* priced requests only */
    uint64_t local_requests; /* the policy would send them local */
    uint64_t local_prompt_tokens, local_completion_tokens;
    double local_spend_usd;
    uint64_t sensitive_requests;
};

struct sov_audit_group {
    char *name;
    struct sov_audit_counts c;
    uint64_t sens[SOV_PII_COUNT];  /* requests carrying each type (providers' rows) */
    const struct sov_price *price; /* models: the row used, or NULL (unpriced) */
    char provider[24];             /* models: the provider it went to */
    bool is_new;                   /* internal: just inserted */
};

struct sov_audit_template {
    uint64_t hash;
    char text[176]; /* masked: numbers, names, IDs, quoted and supplied content, sensitive spans */
    struct sov_audit_counts c;
    int task; /* the classifier's task for it */
    int band;
    uint64_t task_count[SOV_TASK_COUNT];
    uint32_t variants; /* distinct masked templates grouped here as near-duplicates (1 = itself) */
};

#define SOV_AUDIT_MAX_ERRORS 50

struct sov_audit_result {
    struct sov_audit_counts total;
    uint64_t errors;       /* malformed, truncated or unreadable records */
    uint64_t failed_calls; /* logged calls that returned an error (not priced) */
    uint64_t est_prompt;   /* requests whose prompt tokens were estimated */
    uint64_t est_completion;
    uint64_t no_response; /* requests logged without their response (completion unknown: 0) */
    uint64_t unpriced_requests;
    uint64_t bytes; /* input bytes read (uncompressed) */
    uint64_t batch_unmatched_inputs, batch_unmatched_outputs;
    uint64_t templates_untracked;
    uint64_t format_records[16];
    struct sov_audit_counts by_task[SOV_TASK_COUNT + 1];
    struct sov_audit_counts by_band[SOV_AUDIT_BANDS];
    struct sov_audit_group *models, *workflows, *providers;
    size_t n_models, n_workflows, n_providers;
    uint64_t sens_requests[SOV_PII_COUNT];
    struct sov_audit_template *templates; /* sorted by spend, then requests */
    size_t n_templates;
    char *error_list[SOV_AUDIT_MAX_ERRORS]; /* "file:line: reason" (no content) */
    size_t n_error_list;
    double ts_min, ts_max; /* seconds since the epoch (0 when no record had one) */
    double period_days;    /* the span used for monthly figures */
    bool period_assumed;   /* no timestamps and no --period-days: taken as 30 days */
    double wall_s, cpu_s;
    unsigned threads;
    const char *pricing_date;
    struct sov_audit_local local;
    char **files;
    size_t n_files;
    bool exact;
    const char *workflow_field;
};

/* Monthly projection (derived from a result). */
struct sov_audit_monthly {
    double factor; /* 30 / period_days */
    double spend_usd, local_spend_usd;
    double local_busy_hours; /* hours of local node time the migrated work needs per month */
    double nodes;            /* local nodes needed (busy hours / 730), at least 1 when any cost model is set */
    double local_cost_usd;   /* hardware amortization + power, or hourly cost */
    double net_savings_usd;
    bool have_cost_model;
};
void sov_audit_monthly(const struct sov_audit_result *r, struct sov_audit_monthly *m);

/* Runs the audit over paths (files, directories, "-" for stdin). Returns 0 and sets *out (free with
 * sov_audit_result_free), or a negative SOV_E* code with *err (a path that cannot be opened, an
 * unknown format). Malformed records are counted in the result, never an error. */
int sov_audit_run(const struct sov_audit_opts *o, const struct sov_router *r, const struct sov_pricing *p, char *const *paths,
                  size_t n_paths, struct sov_audit_result **out, char **err);
void sov_audit_result_free(struct sov_audit_result *r);

/* Reports: text (aligned tables), JSON, self-contained HTML (inline SVG). 0 or SOV_ENOMEM. */
struct sov_buf;
int sov_audit_report_text(const struct sov_audit_result *r, size_t top, struct sov_buf *out);
int sov_audit_report_json(const struct sov_audit_result *r, size_t top, struct sov_buf *out);
int sov_audit_report_html(const struct sov_audit_result *r, size_t top, struct sov_buf *out);

/* The format table, for --help and docs: name and summary of row i, NULL past the end. */
const char *sov_audit_format_name(size_t i, const char **summary);

const char *sov_audit_band_name(int band);

#endif
