/* Figures of `sovereign bench`: the metric table, percentiles, the JSON completeness watch, RSS,
 * and the agreement of two models' answers. */
#include "bench/bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct sov_bench_metric sov_bench_metrics[] = {
    {"ttft_ms", "time to first token", "ms", offsetof(struct sov_bench_sample, ttft_ms)},
    {"action_ms", "token-to-action", "ms", offsetof(struct sov_bench_sample, action_ms)},
    {"latency_ms", "complete answer", "ms", offsetof(struct sov_bench_sample, latency_ms)},
    {"prompt_tokens_per_s", "prompt tokens/s", "tok/s", offsetof(struct sov_bench_sample, prompt_tps)},
    {"gen_tokens_per_s", "generation tokens/s", "tok/s", offsetof(struct sov_bench_sample, gen_tps)},
    {"prompt_tokens", "prompt tokens", "tok", offsetof(struct sov_bench_sample, prompt_tokens)},
    {"completion_tokens", "completion tokens", "tok", offsetof(struct sov_bench_sample, completion_tokens)},
};
const size_t sov_bench_n_metrics = sizeof sov_bench_metrics / sizeof *sov_bench_metrics;

static const char *const action_names[SOV_BENCH_ACT_COUNT] = {"text", "json", "tool_call"};

const char *sov_bench_action_name(enum sov_bench_action a)
{
    return (unsigned)a < SOV_BENCH_ACT_COUNT ? action_names[a] : "?";
}

void sov_bench_opts_default(struct sov_bench_opts *o)
{
    memset(o, 0, sizeof *o);
    o->concurrency = 1;
    o->max_tokens = 64;
    o->timeout_ms = 120000;
    o->ctx = 2048;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct sov_bench_stat sov_bench_stat_of(double *xs, size_t n)
{
    struct sov_bench_stat st = {0, NAN, NAN, NAN, NAN};
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(xs[i]))
            xs[k++] = xs[i];
    if (k == 0)
        return st;
    qsort(xs, k, sizeof *xs, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < k; i++)
        sum += xs[i];
    st.n = k;
    st.mean = sum / (double)k;
    /* nearest rank: the smallest value with at least p% of the values at or below it */
    const double ps[3] = {0.50, 0.90, 0.99};
    double *out[3] = {&st.p50, &st.p90, &st.p99};
    for (int i = 0; i < 3; i++) {
        size_t rank = (size_t)ceil(ps[i] * (double)k);
        if (rank < 1)
            rank = 1;
        *out[i] = xs[rank - 1];
    }
    return st;
}

void sov_bench_result_free(struct sov_bench_result *r)
{
    if (!r)
        return;
    free(r->target);
    free(r->s);
    free(r->model_desc);
    free(r->first_error);
    for (size_t i = 0; i < r->n_answers; i++)
        free(r->answers[i].tokens);
    free(r->answers);
    memset(r, 0, sizeof *r);
}

void sov_bench_result_tally(struct sov_bench_result *r)
{
    r->ok = r->failed = 0;
    memset(r->actions, 0, sizeof r->actions);
    for (size_t i = 0; i < r->n; i++) {
        if (r->s[i].ok) {
            r->ok++;
            r->actions[r->s[i].action]++;
        } else {
            r->failed++;
        }
    }
}

bool sov__json_watch_feed(struct sov__json_watch *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n && w->state < 3; i++) {
        char c = s[i];
        switch (w->state) {
        case 0: /* before the value: whitespace, or a ``` fence */
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                break;
            if (c == '`') {
                if (++w->fence == 3)
                    w->state = 1;
                break;
            }
            if (w->fence) {
                w->state = 4;
                break;
            }
            if (c == '{' || c == '[') {
                w->state = 2;
                w->depth = 1;
            } else {
                w->state = 4;
            }
            break;
        case 1: /* the fence's info string ("json") up to the end of its line */
            if (c == '\n') {
                w->state = 0;
                w->fence = 0;
            }
            break;
        case 2:
            if (w->in_str) {
                if (w->esc)
                    w->esc = false;
                else if (c == '\\')
                    w->esc = true;
                else if (c == '"')
                    w->in_str = false;
            } else if (c == '"') {
                w->in_str = true;
            } else if (c == '{' || c == '[') {
                w->depth++;
            } else if (c == '}' || c == ']') {
                if (--w->depth == 0)
                    w->state = 3;
            }
            break;
        }
    }
    return w->state == 3;
}

size_t sov__bench_rss_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    int got = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    if (got != 2)
        return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Token-multiset F1 of two answers: 2 * common / (|a| + |b|); two empty answers agree fully. */
static double multiset_f1(const struct sov_bench_answer *a, const struct sov_bench_answer *b)
{
    if (a->n == 0 && b->n == 0)
        return 1.0;
    if (a->n == 0 || b->n == 0)
        return 0.0;
    int32_t *x = malloc(a->n * sizeof *x), *y = malloc(b->n * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return NAN;
    }
    memcpy(x, a->tokens, a->n * sizeof *x);
    memcpy(y, b->tokens, b->n * sizeof *y);
    qsort(x, a->n, sizeof *x, cmp_i32);
    qsort(y, b->n, sizeof *y, cmp_i32);
    size_t i = 0, j = 0, common = 0;
    while (i < a->n && j < b->n) {
        if (x[i] == y[j]) {
            common++;
            i++;
            j++;
        } else if (x[i] < y[j]) {
            i++;
        } else {
            j++;
        }
    }
    free(x);
    free(y);
    return 2.0 * (double)common / (double)(a->n + b->n);
}

void sov_bench_agree(const struct sov_bench_result *a, const struct sov_bench_result *b, struct sov_bench_agreement *out)
{
    memset(out, 0, sizeof *out);
    size_t n = a->n_answers < b->n_answers ? a->n_answers : b->n_answers;
    double exact = 0, overlap = 0, prefix = 0;
    size_t counted = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sov_bench_answer *x = &a->answers[i], *y = &b->answers[i];
        if ((i < a->n && !a->s[i].ok) || (i < b->n && !b->s[i].ok))
            continue; /* a failed request on either side (answer i is request i's) */
        counted++;
        size_t p = 0;
        while (p < x->n && p < y->n && x->tokens[p] == y->tokens[p])
            p++;
        size_t longer = x->n > y->n ? x->n : y->n;
        exact += (x->n == y->n && p == x->n) ? 1.0 : 0.0;
        prefix += longer ? (double)p / (double)longer : 1.0;
        double f1 = multiset_f1(x, y);
        overlap += isnan(f1) ? 0 : f1;
    }
    out->n = counted;
    out->exact_match = counted ? exact / (double)counted : NAN;
    out->token_overlap = counted ? overlap / (double)counted : NAN;
    out->prefix_share = counted ? prefix / (double)counted : NAN;
}
