/*
 * The benchmark engine behind `sovereign bench`: drives targets (an OpenAI-compatible URL with
 * streaming chat requests, or a GGUF file run in-process) over a prompt set and reports per-request
 * figures (time to first token, token-to-action latency, prompt and generation tokens/s) with their
 * mean and percentiles, plus per-target aggregates (requests/s, peak RSS of an in-process model).
 *
 * Ownership: a sov_bench_prompts owns its requests; a sov_bench_result owns its samples, its
 * answers and its strings; free both with their _free functions (NULL-safe). Nothing here prints to
 * stdout; the report functions write to the FILE the caller gives. Not thread-safe: one run at a time
 * per result.
 */
#ifndef SOV_BENCH_BENCH_H
#define SOV_BENCH_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- the prompt set ----------------------------------------------------------------------------- */

struct sov_bench_prompts {
    json_t **reqs; /* chat request bodies ({"messages": [...]}, other members kept) */
    size_t n;
};

/* Loads a JSONL prompt set: one chat request body per line ({"messages": [...]}, or the shorthand
 * {"prompt": "..."}). Blank lines are skipped. Returns 0, or SOV_EIO / SOV_EPARSE / SOV_EINVAL with
 * *err naming FILE:LINE; an empty set is SOV_EINVAL. */
int sov_bench_prompts_load(struct sov_bench_prompts *p, const char *path, char **err);
/* The built-in set: varied chat prompts (extraction into JSON, a tool call, summarising, rewriting,
 * a question, code). Returns 0 or SOV_ENOMEM. */
int sov_bench_prompts_default(struct sov_bench_prompts *p);
void sov_bench_prompts_free(struct sov_bench_prompts *p);
/* The built-in text of the perplexity measurement (a few paragraphs of plain English). */
const char *sov_bench_default_text(void);

/* ---- options and results ----------------------------------------------------------------------- */

/* Called after each finished request (done of total) so a caller can draw progress. */
typedef void (*sov_bench_progress_cb)(void *ud, size_t done, size_t total);

struct sov_bench_opts {
    size_t concurrency;   /* requests in flight (URL targets); >= 1 */
    size_t requests;      /* requests per target; >= 1 */
    int max_tokens;       /* max_tokens of every request; > 0 */
    const char *model;    /* "model" of URL requests when the body has none (NULL = "auto") */
    const char *api_key;  /* bearer token for URL targets, or NULL; never printed */
    long timeout_ms;      /* per request */
    int threads;          /* GGUF targets: threads (0 = llama.cpp's default) */
    int ctx;              /* GGUF targets: context size */
    bool keep_answers;    /* GGUF targets: keep each answer's tokens (for --compare) */
    const char *ppl_text; /* GGUF targets: measure the perplexity on this text (NULL: not) */
    sov_bench_progress_cb progress;
    void *progress_ud;
};
/* Defaults: concurrency 1, requests 0 (caller sets), max_tokens 64, timeout 120 s, ctx 2048. */
void sov_bench_opts_default(struct sov_bench_opts *o);

enum sov_bench_action { SOV_BENCH_ACT_TEXT = 0, SOV_BENCH_ACT_JSON, SOV_BENCH_ACT_TOOL, SOV_BENCH_ACT_COUNT };
const char *sov_bench_action_name(enum sov_bench_action a);

/* One request's figures; times in milliseconds from the moment the request was sent. NAN where a
 * figure does not apply (a failed request, or generation speed of a one-token answer). */
struct sov_bench_sample {
    bool ok;
    enum sov_bench_action action; /* what made the answer usable */
    double ttft_ms;               /* first content or tool-call token */
    double action_ms;             /* token-to-action: the complete JSON value / tool call, else the complete answer */
    double latency_ms;            /* the whole answer */
    double prompt_tokens;
    double completion_tokens;
    double prompt_tps; /* prompt tokens / time to first token */
    double gen_tps;    /* tokens after the first / time from the first to the last token */
};

/* The figures of the per-request table, in order; a row of the terminal and HTML tables and a key
 * of "metrics" in --json. */
struct sov_bench_metric {
    const char *key;   /* --json key */
    const char *label; /* table label */
    const char *unit;
    size_t offset; /* of the double in struct sov_bench_sample */
};
extern const struct sov_bench_metric sov_bench_metrics[];
extern const size_t sov_bench_n_metrics;

struct sov_bench_stat {
    size_t n;
    double mean, p50, p90, p99; /* NAN when n == 0 */
};
/* Mean and percentiles (nearest rank on the sorted values) of xs[0..n), NaN values skipped. xs is
 * sorted in place. */
struct sov_bench_stat sov_bench_stat_of(double *xs, size_t n);

struct sov_bench_answer {
    int32_t *tokens;
    size_t n;
};

struct sov_bench_result {
    char *target;
    bool gguf;                  /* in-process model (else URL) */
    bool tokens_estimated;      /* URL target that reported no usage: chunks counted as tokens */
    struct sov_bench_sample *s; /* one per request */
    size_t n, ok, failed;
    size_t concurrency;
    double wall_s;
    double peak_rss_mib;   /* GGUF: peak resident memory of the model (load + run), else NAN */
    double model_size_mib; /* GGUF: file size, else NAN */
    double load_s;         /* GGUF: loading the model and creating its context, else NAN */
    char *model_desc;      /* GGUF: llama.cpp's description ("llama 7B Q4_K - Medium"), or NULL */
    char *first_error;     /* the first failure's reason, or NULL */
    size_t actions[SOV_BENCH_ACT_COUNT];
    struct sov_bench_answer *answers; /* keep_answers: one per prompt of the set (first round), else NULL */
    size_t n_answers;
    double perplexity; /* --compare: on the text, else NAN */
    size_t ppl_tokens;
};
void sov_bench_result_free(struct sov_bench_result *r);
/* Counts ok/failed/actions from the samples. */
void sov_bench_result_tally(struct sov_bench_result *r);

/* ---- runners ----------------------------------------------------------------------------------- */

/* Runs o->requests streaming chat requests against an OpenAI-compatible URL (the base URL
 * "http://h:p", ".../v1" or the full ".../v1/chat/completions"), o->concurrency at a time, cycling
 * over the prompt set. Failed requests are counted, never fatal. Returns 0, or SOV_EINVAL /
 * SOV_ENOMEM with *err. */
int sov_bench_run_url(const char *url, const struct sov_bench_prompts *p, const struct sov_bench_opts *o,
                      struct sov_bench_result *r, char **err);

/* Is in-process GGUF support built in (SOV_LLAMA)? */
bool sov_bench_have_gguf(void);
/* Runs o->requests chat requests through a GGUF model loaded in-process, one at a time, with greedy
 * decoding; then, when o->ppl_text is set, its perplexity on that text (windows of min(o->ctx, 512)
 * tokens, each window's second half scored). Each model runs in a child process of its own. Returns 0, SOV_EUNSUPPORTED (built
 * without llama.cpp), SOV_EIO / SOV_EPARSE (missing or corrupt model) or SOV_ENOMEM, with *err. */
int sov_bench_run_gguf(const char *path, const struct sov_bench_prompts *p, const struct sov_bench_opts *o,
                       struct sov_bench_result *r, char **err);
/* ---- --compare ---------------------------------------------------------------------------------- */

struct sov_bench_agreement {
    size_t n;             /* answers compared */
    double exact_match;   /* share of identical answers (token for token) */
    double token_overlap; /* mean token-multiset F1 between the two answers */
    double prefix_share;  /* mean share of the longer answer covered by the common prefix */
};
void sov_bench_agree(const struct sov_bench_result *a, const struct sov_bench_result *b, struct sov_bench_agreement *out);

/* ---- reports ------------------------------------------------------------------------------------ */

struct sov_bench_report {
    struct sov_bench_result *r;
    size_t n;
    const struct sov_bench_opts *opts;
    size_t n_prompts;
    const struct sov_bench_agreement *agree; /* --compare, else NULL */
};
void sov_bench_print_table(FILE *out, const struct sov_bench_report *rep);
/* A JSON object (the caller decrefs), or NULL when out of memory. */
json_t *sov_bench_report_json(const struct sov_bench_report *rep);
/* A self-contained HTML page with inline SVG charts. Returns 0 or SOV_EIO. */
int sov_bench_write_html(FILE *out, const struct sov_bench_report *rep);

/* ---- helpers shared by the runners -------------------------------------------------------------- */

/* Incremental detector of a complete JSON value at the start of a text (after whitespace and an
 * optional ``` fence): feed text as it arrives; sov__json_watch_feed returns true once the value that
 * the text opens with ({ or [) has closed. A text that does not open with { or [ never completes. */
struct sov__json_watch {
    int state; /* 0 looking for the start, 1 inside a fence's first line, 2 in the value, 3 done, 4 not JSON */
    int fence; /* backticks seen at the start */
    int depth;
    bool in_str, esc;
};
bool sov__json_watch_feed(struct sov__json_watch *w, const char *s, size_t n);

/* The text of a chat request's messages as (role, content) pairs; content arrays are joined by their
 * text parts. Returns the number of messages, or SOV_EINVAL / SOV_ENOMEM with *err. The roles point
 * into the request; the contents are new strings; free both with sov__bench_messages_free. */
int sov__bench_messages(json_t *req, const char ***roles, char ***contents, char **err);
void sov__bench_messages_free(const char **roles, char **contents, int n);

/* Resident memory of this process now, in bytes (0 if unknown). */
size_t sov__bench_rss_now(void);

#endif
