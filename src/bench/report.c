/* Reports of `sovereign bench`: the terminal table, --json and the HTML page with inline SVG charts. */
#include "bench/bench.h"
#include "sovereign/sovereign.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct sov_bench_stat metric_stat(const struct sov_bench_result *r, const struct sov_bench_metric *m)
{
    double *xs = malloc((r->n ? r->n : 1) * sizeof *xs);
    if (!xs) {
        struct sov_bench_stat none = {0, NAN, NAN, NAN, NAN};
        return none;
    }
    for (size_t i = 0; i < r->n; i++)
        xs[i] = *(const double *)((const char *)&r->s[i] + m->offset);
    struct sov_bench_stat st = sov_bench_stat_of(xs, r->n);
    free(xs);
    return st;
}

static double total_of(const struct sov_bench_result *r, size_t offset)
{
    double t = 0;
    for (size_t i = 0; i < r->n; i++) {
        double v = *(const double *)((const char *)&r->s[i] + offset);
        if (r->s[i].ok && !isnan(v))
            t += v;
    }
    return t;
}

static double req_per_s(const struct sov_bench_result *r)
{
    return r->wall_s > 0 ? (double)r->ok / r->wall_s : NAN;
}

static double agg_gen_tps(const struct sov_bench_result *r)
{
    return r->wall_s > 0 ? total_of(r, offsetof(struct sov_bench_sample, completion_tokens)) / r->wall_s : NAN;
}

static const char *short_name(const char *target)
{
    if (strstr(target, "://"))
        return target;
    const char *slash = strrchr(target, '/');
    return slash ? slash + 1 : target;
}

/* ---- --compare rows: one table drives the terminal, JSON and HTML comparisons -------------------- */

enum cmp_kind { CMP_FIELD, CMP_METRIC_P50, CMP_REQ_S };
struct cmp_row {
    const char *key, *label, *fmt;
    enum cmp_kind kind;
    size_t offset; /* CMP_FIELD: in the result; CMP_METRIC_P50: in the sample */
};
static const struct cmp_row cmp_rows[] = {
    {"model_size_mib", "file size MiB", "%.1f", CMP_FIELD, offsetof(struct sov_bench_result, model_size_mib)},
    {"peak_rss_mib", "peak RSS MiB", "%.1f", CMP_FIELD, offsetof(struct sov_bench_result, peak_rss_mib)},
    {"prompt_tokens_per_s_p50", "prompt tokens/s p50", "%.1f", CMP_METRIC_P50, offsetof(struct sov_bench_sample, prompt_tps)},
    {"gen_tokens_per_s_p50", "generation tokens/s p50", "%.1f", CMP_METRIC_P50, offsetof(struct sov_bench_sample, gen_tps)},
    {"ttft_ms_p50", "time to first token p50 ms", "%.2f", CMP_METRIC_P50, offsetof(struct sov_bench_sample, ttft_ms)},
    {"action_ms_p50", "token-to-action p50 ms", "%.2f", CMP_METRIC_P50, offsetof(struct sov_bench_sample, action_ms)},
    {"requests_per_s", "requests/s", "%.2f", CMP_REQ_S, 0},
    {"perplexity", "perplexity", "%.3f", CMP_FIELD, offsetof(struct sov_bench_result, perplexity)},
};

static double cmp_value(const struct sov_bench_result *r, const struct cmp_row *row)
{
    switch (row->kind) {
    case CMP_FIELD:
        return *(const double *)((const char *)r + row->offset);
    case CMP_METRIC_P50: {
        for (size_t i = 0; i < sov_bench_n_metrics; i++)
            if (sov_bench_metrics[i].offset == row->offset)
                return metric_stat(r, &sov_bench_metrics[i]).p50;
        return NAN;
    }
    case CMP_REQ_S:
        return req_per_s(r);
    }
    return NAN;
}

/* ---- terminal ------------------------------------------------------------------------------------ */

static void cell(FILE *out, const char *fmt, double v, int width)
{
    char b[64];
    if (isnan(v))
        snprintf(b, sizeof b, "-");
    else
        snprintf(b, sizeof b, fmt, v);
    fprintf(out, " %*s", width, b);
}

void sov_bench_print_table(FILE *out, const struct sov_bench_report *rep)
{
    const struct sov_bench_opts *o = rep->opts;
    fprintf(out, "sovereign bench: %zu target%s, %zu requests each over %zu prompts, concurrency %zu, max_tokens %d\n", rep->n,
            rep->n == 1 ? "" : "s", o->requests, rep->n_prompts, o->concurrency, o->max_tokens);
    for (size_t t = 0; t < rep->n; t++) {
        const struct sov_bench_result *r = &rep->r[t];
        fprintf(out, "\n%s (%s)\n", r->target, r->gguf ? "GGUF, in-process" : "URL");
        fprintf(out, "  %zu requests: %zu ok, %zu failed in %.2f s; %.2f requests/s, %.1f generated tokens/s overall\n", r->n,
                r->ok, r->failed, r->wall_s, req_per_s(r), agg_gen_tps(r));
        if (r->gguf)
            fprintf(out, "  model: %s, %.1f MiB on disk, loaded in %.2f s, peak RSS %.1f MiB\n",
                    r->model_desc ? r->model_desc : "?", r->model_size_mib, r->load_s, r->peak_rss_mib);
        fprintf(out, "  usable at: ");
        for (int a = 0; a < SOV_BENCH_ACT_COUNT; a++)
            fprintf(out, "%s%s %zu", a ? ", " : "", sov_bench_action_name((enum sov_bench_action)a), r->actions[a]);
        fprintf(out, " (json / tool_call: the complete object; text: the complete answer)\n\n");
        fprintf(out, "  %-24s %-6s %10s %10s %10s %10s\n", "figure", "unit", "mean", "p50", "p90", "p99");
        for (size_t i = 0; i < sov_bench_n_metrics; i++) {
            const struct sov_bench_metric *m = &sov_bench_metrics[i];
            struct sov_bench_stat st = metric_stat(r, m);
            fprintf(out, "  %-24s %-6s", m->label, m->unit);
            const char *fmt = strcmp(m->unit, "tok") == 0 ? "%.1f" : "%.2f";
            cell(out, fmt, st.mean, 10);
            cell(out, fmt, st.p50, 10);
            cell(out, fmt, st.p90, 10);
            cell(out, fmt, st.p99, 10);
            fprintf(out, "\n");
        }
        if (r->tokens_estimated)
            fprintf(out,
                    "  (the server reported no usage: completion tokens counted as stream chunks, prompt tokens as bytes/4)\n");
        if (r->first_error)
            fprintf(out, "  first failure: %s\n", r->first_error);
    }
    if (rep->agree && rep->n == 2) {
        const struct sov_bench_result *a = &rep->r[0], *b = &rep->r[1];
        int w = 14;
        const char *heads[4] = {short_name(a->target), short_name(b->target), a->model_desc, b->model_desc};
        for (int k = 0; k < 4; k++)
            if (heads[k] && (int)strlen(heads[k]) > w)
                w = (int)strlen(heads[k]) > 40 ? 40 : (int)strlen(heads[k]);
        fprintf(out, "\nComparison\n  %-28s %*.*s %*.*s\n", "", w, w, short_name(a->target), w, w, short_name(b->target));
        fprintf(out, "  %-28s %*.*s %*.*s\n", "model", w, w, a->model_desc ? a->model_desc : "?", w, w,
                b->model_desc ? b->model_desc : "?");
        for (size_t i = 0; i < sizeof cmp_rows / sizeof *cmp_rows; i++) {
            fprintf(out, "  %-28s", cmp_rows[i].label);
            cell(out, cmp_rows[i].fmt, cmp_value(a, &cmp_rows[i]), w);
            cell(out, cmp_rows[i].fmt, cmp_value(b, &cmp_rows[i]), w);
            fprintf(out, "\n");
        }
        fprintf(out, "  perplexity over %zu / %zu tokens of the text\n", a->ppl_tokens, b->ppl_tokens);
        const struct sov_bench_agreement *g = rep->agree;
        fprintf(out,
                "\nAgreement of the answers (greedy decoding, %zu prompts): exact match %.1f%%, token overlap %.1f%%, "
                "common prefix %.1f%%\n",
                g->n, 100 * g->exact_match, 100 * g->token_overlap, 100 * g->prefix_share);
    }
}

/* ---- JSON ---------------------------------------------------------------------------------------- */

static json_t *num(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *stat_json(struct sov_bench_stat st)
{
    return json_pack("{s:I,s:o,s:o,s:o,s:o}", "n", (json_int_t)st.n, "mean", num(st.mean), "p50", num(st.p50), "p90", num(st.p90),
                     "p99", num(st.p99));
}

json_t *sov_bench_report_json(const struct sov_bench_report *rep)
{
    json_t *targets = json_array();
    for (size_t t = 0; t < rep->n; t++) {
        const struct sov_bench_result *r = &rep->r[t];
        json_t *metrics = json_object();
        for (size_t i = 0; i < sov_bench_n_metrics; i++)
            json_object_set_new(metrics, sov_bench_metrics[i].key, stat_json(metric_stat(r, &sov_bench_metrics[i])));
        json_t *actions = json_object();
        for (int a = 0; a < SOV_BENCH_ACT_COUNT; a++)
            json_object_set_new(actions, sov_bench_action_name((enum sov_bench_action)a), json_integer((json_int_t)r->actions[a]));
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:b,s:o,s:o}", "target", r->target, "kind",
                              r->gguf ? "gguf" : "url", "requests", (json_int_t)r->n, "ok", (json_int_t)r->ok, "failed",
                              (json_int_t)r->failed, "concurrency", (json_int_t)r->concurrency, "wall_s", num(r->wall_s),
                              "requests_per_s", num(req_per_s(r)), "generated_tokens_per_s", num(agg_gen_tps(r)),
                              "tokens_estimated", r->tokens_estimated, "metrics", metrics, "actions", actions);
        if (!o)
            continue;
        if (r->gguf) {
            json_object_set_new(o, "peak_rss_mib", num(r->peak_rss_mib));
            json_object_set_new(o, "model_size_mib", num(r->model_size_mib));
            json_object_set_new(o, "load_s", num(r->load_s));
            json_object_set_new(o, "model", r->model_desc ? json_string(r->model_desc) : json_null());
        }
        if (!isnan(r->perplexity) || r->ppl_tokens) {
            json_object_set_new(o, "perplexity", num(r->perplexity));
            json_object_set_new(o, "perplexity_tokens", json_integer((json_int_t)r->ppl_tokens));
        }
        json_object_set_new(o, "first_error", r->first_error ? json_string(r->first_error) : json_null());
        json_array_append_new(targets, o);
    }
    const struct sov_bench_opts *op = rep->opts;
    json_t *root =
        json_pack("{s:o,s:{s:I,s:I,s:I,s:i}}", "targets", targets, "settings", "prompts", (json_int_t)rep->n_prompts, "requests",
                  (json_int_t)op->requests, "concurrency", (json_int_t)op->concurrency, "max_tokens", op->max_tokens);
    bool any_gguf = false;
    for (size_t t = 0; t < rep->n; t++)
        any_gguf |= rep->r[t].gguf;
    if (root && any_gguf) { /* what the in-process runs used */
        json_t *st = json_object_get(root, "settings");
        json_object_set_new(st, "threads", op->threads > 0 ? json_integer(op->threads) : json_null());
        json_object_set_new(st, "ctx", json_integer(op->ctx));
    }
    if (root && rep->agree && rep->n == 2) {
        json_t *side = json_object();
        for (size_t i = 0; i < sizeof cmp_rows / sizeof *cmp_rows; i++)
            json_object_set_new(
                side, cmp_rows[i].key,
                json_pack("[o,o]", num(cmp_value(&rep->r[0], &cmp_rows[i])), num(cmp_value(&rep->r[1], &cmp_rows[i]))));
        const struct sov_bench_agreement *g = rep->agree;
        json_object_set_new(root, "compare",
                            json_pack("{s:[s,s],s:o,s:I,s:o,s:o,s:o}", "models", rep->r[0].target, rep->r[1].target, "side_by_side",
                                      side, "answers", (json_int_t)g->n, "exact_match", num(g->exact_match), "token_overlap",
                                      num(g->token_overlap), "common_prefix", num(g->prefix_share)));
    }
    return root;
}

/* ---- HTML ---------------------------------------------------------------------------------------- */

static void html_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static const char *const palette[] = {"#3b6fb6", "#d9822b", "#3a9a5b", "#b03a48", "#7d5ba6", "#5f7f8f"};
#define PALETTE_N (sizeof palette / sizeof *palette)

/* Horizontal bars: one group per label, one bar per series. values[g * nseries + s]. */
static void svg_bars(FILE *out, const char *title, const char *unit, const char *const *groups, size_t ngroups,
                     const char *const *series, size_t nseries, const double *values)
{
    double max = 0;
    for (size_t i = 0; i < ngroups * nseries; i++)
        if (!isnan(values[i]) && values[i] > max)
            max = values[i];
    if (max <= 0)
        max = 1;
    const int left = 190, width = 640, bar = 16, gap = 10, top = 34;
    int height = top + (int)(ngroups * (nseries * bar + gap)) + 20 + (int)nseries * 18;
    fprintf(out, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n", left + width + 80,
            height);
    fprintf(out, "<text x=\"0\" y=\"18\" font-weight=\"bold\">");
    html_text(out, title);
    fprintf(out, " (%s)</text>\n", unit);
    int y = top;
    for (size_t g = 0; g < ngroups; g++) {
        fprintf(out, "<text x=\"0\" y=\"%d\" font-size=\"12\">", y + bar);
        html_text(out, groups[g]);
        fprintf(out, "</text>\n");
        for (size_t s = 0; s < nseries; s++) {
            double v = values[g * nseries + s];
            int w = isnan(v) ? 0 : (int)(v / max * width);
            fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%.3g</title></rect>", left, y,
                    w < 1 && !isnan(v) ? 1 : w, bar - 2, palette[s % PALETTE_N], isnan(v) ? 0.0 : v);
            if (isnan(v))
                fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">-</text>\n", left + 4, y + bar - 4);
            else
                fprintf(out,
                        v >= 100 ? "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.0f</text>\n"
                                 : "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.3g</text>\n",
                        left + w + 4, y + bar - 4, v);
            y += bar;
        }
        y += gap;
    }
    for (size_t s = 0; s < nseries; s++) {
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">",
                left, y + 4, palette[s % PALETTE_N], left + 18, y + 15);
        html_text(out, series[s]);
        fprintf(out, "</text>\n");
        y += 18;
    }
    fprintf(out, "</svg></figure>\n");
}

/* The distribution of one per-request figure as a cumulative curve, one line per target. */
static void svg_cdf(FILE *out, const struct sov_bench_report *rep, const struct sov_bench_metric *m)
{
    const int left = 60, top = 30, w = 640, h = 240;
    double max = 0;
    double **vals = calloc(rep->n, sizeof *vals);
    size_t *cnt = calloc(rep->n, sizeof *cnt);
    if (!vals || !cnt) {
        free(vals);
        free(cnt);
        return;
    }
    for (size_t t = 0; t < rep->n; t++) {
        const struct sov_bench_result *r = &rep->r[t];
        vals[t] = malloc((r->n ? r->n : 1) * sizeof **vals);
        if (!vals[t])
            continue;
        for (size_t i = 0; i < r->n; i++)
            vals[t][i] = *(const double *)((const char *)&r->s[i] + m->offset);
        cnt[t] = sov_bench_stat_of(vals[t], r->n).n;
        if (cnt[t] && vals[t][cnt[t] - 1] > max)
            max = vals[t][cnt[t] - 1];
    }
    if (max <= 0)
        max = 1;
    fprintf(out, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n", left + w + 40,
            top + h + 40 + 18 * (int)rep->n);
    fprintf(out, "<text x=\"0\" y=\"18\" font-weight=\"bold\">%s: share of requests at or below (cumulative)</text>\n", m->label);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", left, top + h, left + w, top + h);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", left, top, left, top + h);
    for (int k = 0; k <= 4; k++) {
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.3g</text>", left + k * w / 4 - 10, top + h + 14, max * k / 4);
        fprintf(out, "<text x=\"10\" y=\"%d\" font-size=\"11\">%d%%</text>\n", top + h - k * h / 4 + 4, k * 25);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n", left + w + 4, top + h + 14, m->unit);
    for (size_t t = 0; t < rep->n; t++) {
        if (!vals[t] || !cnt[t])
            continue;
        fprintf(out, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"%d,%d", palette[t % PALETTE_N], left,
                top + h);
        for (size_t i = 0; i < cnt[t]; i++) {
            int x = left + (int)(vals[t][i] / max * w);
            fprintf(out, " %d,%d %d,%d", x, top + h - (int)((double)i / (double)cnt[t] * h), x,
                    top + h - (int)((double)(i + 1) / (double)cnt[t] * h));
        }
        fprintf(out, "\"/>\n");
    }
    int y = top + h + 26;
    for (size_t t = 0; t < rep->n; t++) {
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">",
                left, y, palette[t % PALETTE_N], left + 18, y + 11);
        html_text(out, rep->r[t].target);
        fprintf(out, "</text>\n");
        y += 18;
    }
    fprintf(out, "</svg></figure>\n");
    for (size_t t = 0; t < rep->n; t++)
        free(vals[t]);
    free(vals);
    free(cnt);
}

static void html_num(FILE *out, const char *fmt, double v)
{
    if (isnan(v))
        fputs("-", out);
    else
        fprintf(out, fmt, v);
}

int sov_bench_write_html(FILE *out, const struct sov_bench_report *rep)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>sovereign bench</title>\n"
          "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
          "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
          "figure{margin:1.5em 0}svg text{font-family:system-ui,sans-serif}</style></head><body>\n"
          "<h1>sovereign bench</h1>\n",
          out);
    const struct sov_bench_opts *o = rep->opts;
    fprintf(out, "<p>%zu requests per target over %zu prompts, concurrency %zu, max_tokens %d.</p>\n", o->requests, rep->n_prompts,
            o->concurrency, o->max_tokens);
    /* summary table */
    fputs("<table><tr><th>target</th><th>kind</th><th>ok</th><th>failed</th><th>requests/s</th><th>generated tok/s</th>"
          "<th>peak RSS MiB</th></tr>\n",
          out);
    for (size_t t = 0; t < rep->n; t++) {
        const struct sov_bench_result *r = &rep->r[t];
        fputs("<tr><td>", out);
        html_text(out, r->target);
        fprintf(out, "</td><td>%s</td><td>%zu</td><td>%zu</td><td>", r->gguf ? "GGUF" : "URL", r->ok, r->failed);
        html_num(out, "%.2f", req_per_s(r));
        fputs("</td><td>", out);
        html_num(out, "%.1f", agg_gen_tps(r));
        fputs("</td><td>", out);
        html_num(out, "%.1f", r->peak_rss_mib);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    /* per-target figures */
    for (size_t t = 0; t < rep->n; t++) {
        const struct sov_bench_result *r = &rep->r[t];
        fputs("<h2>", out);
        html_text(out, r->target);
        fputs("</h2>\n<table><tr><th>figure</th><th>unit</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th></tr>\n", out);
        for (size_t i = 0; i < sov_bench_n_metrics; i++) {
            struct sov_bench_stat st = metric_stat(r, &sov_bench_metrics[i]);
            fprintf(out, "<tr><td>%s</td><td>%s</td>", sov_bench_metrics[i].label, sov_bench_metrics[i].unit);
            double v[4] = {st.mean, st.p50, st.p90, st.p99};
            for (int k = 0; k < 4; k++) {
                fputs("<td>", out);
                html_num(out, "%.2f", v[k]);
                fputs("</td>", out);
            }
            fputs("</tr>\n", out);
        }
        fputs("</table>\n", out);
        if (r->first_error) {
            fputs("<p>First failure: ", out);
            html_text(out, r->first_error);
            fputs("</p>\n", out);
        }
    }
    /* charts: latencies (p50/p90/p99 per target), speeds, distributions */
    const char *names[64];
    size_t nt = rep->n < 64 ? rep->n : 64;
    for (size_t t = 0; t < nt; t++)
        names[t] = short_name(rep->r[t].target);
    const char *pct[3] = {"p50", "p90", "p99"};
    for (size_t i = 0; i < sov_bench_n_metrics; i++) {
        const struct sov_bench_metric *m = &sov_bench_metrics[i];
        if (strcmp(m->unit, "tok") == 0)
            continue;
        double *v = calloc(nt * 3 + 1, sizeof *v);
        if (!v)
            return SOV_ENOMEM;
        for (size_t t = 0; t < nt; t++) {
            struct sov_bench_stat st = metric_stat(&rep->r[t], m);
            v[t * 3] = st.p50;
            v[t * 3 + 1] = st.p90;
            v[t * 3 + 2] = st.p99;
        }
        svg_bars(out, m->label, m->unit, names, nt, pct, 3, v);
        free(v);
    }
    svg_cdf(out, rep, &sov_bench_metrics[0]);
    svg_cdf(out, rep, &sov_bench_metrics[1]);
    if (rep->agree && rep->n == 2) {
        fputs("<h2>Comparison</h2>\n<table><tr><th>figure</th><th>", out);
        html_text(out, names[0]);
        fputs("</th><th>", out);
        html_text(out, names[1]);
        fputs("</th></tr>\n", out);
        for (size_t i = 0; i < sizeof cmp_rows / sizeof *cmp_rows; i++) {
            fprintf(out, "<tr><td>%s</td><td>", cmp_rows[i].label);
            html_num(out, cmp_rows[i].fmt, cmp_value(&rep->r[0], &cmp_rows[i]));
            fputs("</td><td>", out);
            html_num(out, cmp_rows[i].fmt, cmp_value(&rep->r[1], &cmp_rows[i]));
            fputs("</td></tr>\n", out);
        }
        const struct sov_bench_agreement *g = rep->agree;
        fprintf(out,
                "</table>\n<p>Agreement of the answers under greedy decoding (%zu prompts): exact match %.1f%%, token overlap "
                "%.1f%%, common prefix %.1f%%.</p>\n",
                g->n, 100 * g->exact_match, 100 * g->token_overlap, 100 * g->prefix_share);
        const char *mem_rows[2] = {"peak RSS", "file size"}, *speed_rows[2] = {"prompt p50", "generation p50"};
        double mem[4], speed[4];
        for (int k = 0; k < 2; k++) {
            mem[k] = rep->r[k].peak_rss_mib;
            mem[2 + k] = rep->r[k].model_size_mib;
            speed[k] = cmp_value(&rep->r[k], &cmp_rows[2]);
            speed[2 + k] = cmp_value(&rep->r[k], &cmp_rows[3]);
        }
        svg_bars(out, "memory side by side", "MiB", mem_rows, 2, names, 2, mem);
        svg_bars(out, "speed side by side", "tokens/s", speed_rows, 2, names, 2, speed);
        const char *ag[3] = {"exact match", "token overlap", "common prefix"};
        double av[3] = {100 * g->exact_match, 100 * g->token_overlap, 100 * g->prefix_share};
        const char *one[1] = {"agreement"};
        svg_bars(out, "agreement of the answers", "%", ag, 3, one, 1, av);
    }
    fputs("</body></html>\n", out);
    return ferror(out) ? SOV_EIO : 0;
}
