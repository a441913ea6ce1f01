/*
 * The audit's reports, all from one sov_audit_result: a terminal summary (aligned tables), JSON for
 * machines, and a self-contained HTML page (inline CSS and SVG charts, no scripts, no external
 * assets). Sensitive values never reach a result, so they cannot reach a report: only counts.
 */
#include "audit/audit.h"
#include "common/buf.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *task_name(int t)
{
    return t >= 0 && t < SOV_TASK_COUNT ? sov_task_name((enum sov_task)t) : "unknown";
}

static double share(double part, double whole)
{
    return whole > 0 ? part / whole : 0;
}

static void date_str(double ts, char *buf, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M", &tm);
}

/* thousands separators */
static const char *num(char *buf, size_t cap, uint64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *usd(char *buf, size_t cap, double v)
{
    if (v != 0 && fabs(v) < 0.01)
        snprintf(buf, cap, "$%.4f", v);
    else
        snprintf(buf, cap, "$%.2f", v);
    return buf;
}

/* ---- text tables ---- */

#define TMAX_COLS 10
#define TMAX_ROWS 64

struct table {
    size_t cols, rows;
    const char *head[TMAX_COLS];
    bool right[TMAX_COLS];
    char cell[TMAX_ROWS][TMAX_COLS][96];
};

static void t_set(struct table *t, size_t row, size_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void t_set(struct table *t, size_t row, size_t col, const char *fmt, ...)
{
    if (row >= TMAX_ROWS || col >= TMAX_COLS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->cell[row][col], sizeof t->cell[row][col], fmt, ap);
    va_end(ap);
    if (row + 1 > t->rows)
        t->rows = row + 1;
}

static size_t utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void t_print(const struct table *t, struct sov_buf *o)
{
    size_t w[TMAX_COLS] = {0};
    for (size_t c = 0; c < t->cols; c++) {
        w[c] = utf8_width(t->head[c]);
        for (size_t r = 0; r < t->rows; r++)
            if (utf8_width(t->cell[r][c]) > w[c])
                w[c] = utf8_width(t->cell[r][c]);
    }
    for (int pass = -1; pass < (int)t->rows; pass++) {
        sov_buf_puts(o, "  ");
        for (size_t c = 0; c < t->cols; c++) {
            const char *s = pass < 0 ? t->head[c] : t->cell[pass][c];
            size_t pad = w[c] - utf8_width(s);
            bool last = c + 1 == t->cols;
            if (t->right[c])
                sov_buf_printf(o, "%*s%s", (int)pad, "", s);
            else
                sov_buf_printf(o, "%s%*s", s, last ? 0 : (int)pad, "");
            if (!last)
                sov_buf_puts(o, "  ");
        }
        sov_buf_putc(o, '\n');
        if (pass < 0) {
            sov_buf_puts(o, "  ");
            for (size_t c = 0; c < t->cols; c++) {
                for (size_t k = 0; k < w[c]; k++)
                    sov_buf_putc(o, '-');
                if (c + 1 < t->cols)
                    sov_buf_puts(o, "  ");
            }
            sov_buf_putc(o, '\n');
        }
    }
}

static void counts_row(struct table *t, size_t r, size_t c0, const struct sov_audit_counts *c, double total_spend)
{
    char a[32], b[32], d[32], e[32];
    t_set(t, r, c0, "%s", num(a, sizeof a, c->requests));
    t_set(t, r, c0 + 1, "%s", num(b, sizeof b, c->prompt_tokens));
    t_set(t, r, c0 + 2, "%s", num(d, sizeof d, c->completion_tokens));
    t_set(t, r, c0 + 3, "%s", usd(e, sizeof e, c->spend_usd));
    t_set(t, r, c0 + 4, "%.1f%%", 100 * share(c->spend_usd, total_spend));
    t_set(t, r, c0 + 5, "%.0f%%", 100 * share((double)c->local_requests, (double)c->requests));
}

static void counts_head(struct table *t, size_t c0)
{
    const char *h[] = {"requests", "prompt tok", "compl tok", "spend", "of spend", "local"};
    for (size_t i = 0; i < 6; i++) {
        t->head[c0 + i] = h[i];
        t->right[c0 + i] = true;
    }
    t->cols = c0 + 6;
}

static void group_table(const char *title, const struct sov_audit_group *g, size_t n, size_t top, double total_spend, bool models,
                        struct sov_buf *o)
{
    if (!n)
        return;
    sov_buf_printf(o, "\n%s\n", title);
    struct table *t = calloc(1, sizeof *t);
    if (!t)
        return;
    t->head[0] = models ? "model" : "name";
    size_t c0 = 1;
    if (models) {
        t->head[1] = "provider";
        c0 = 2;
    }
    counts_head(t, c0);
    size_t k = n < top ? n : top;
    for (size_t i = 0; i < k && i < TMAX_ROWS; i++) {
        t_set(t, i, 0, "%.60s", g[i].name);
        if (models)
            t_set(t, i, 1, "%s", g[i].provider);
        counts_row(t, i, c0, &g[i].c, total_spend);
        if (models && !g[i].c.priced_requests)
            t_set(t, i, c0 + 3, "unpriced");
    }
    t_print(t, o);
    if (n > k)
        sov_buf_printf(o, "  (%zu more)\n", n - k);
    free(t);
}

int sov_audit_report_text(const struct sov_audit_result *r, size_t top, struct sov_buf *o)
{
    char a[32], b[32], c[32], d[32];
    struct sov_audit_monthly m;
    sov_audit_monthly(r, &m);
    const struct sov_audit_counts *T = &r->total;
    sov_buf_printf(o, "Sovereign audit: %zu file%s, %s MB, %s requests", r->n_files, r->n_files == 1 ? "" : "s",
                   (snprintf(a, sizeof a, "%.1f", (double)r->bytes / 1e6), a), num(b, sizeof b, T->requests));
    if (r->failed_calls)
        sov_buf_printf(o, " (+%s failed calls)", num(c, sizeof c, r->failed_calls));
    sov_buf_printf(o, ", %s unreadable record%s\n", num(d, sizeof d, r->errors), r->errors == 1 ? "" : "s");
    if (r->period_assumed) {
        sov_buf_puts(o, "Period: no timestamps in the logs; taken as 30 days (set --period-days)\n");
    } else {
        char s1[32] = "", s2[32] = "";
        if (r->ts_min)
            date_str(r->ts_min, s1, sizeof s1);
        if (r->ts_max)
            date_str(r->ts_max, s2, sizeof s2);
        sov_buf_printf(o, "Period: %s%s%s%s%.2f days; monthly figures = x%.2f\n", s1, *s1 ? " .. " : "", s2, *s1 ? " UTC, " : "",
                       r->period_days, m.factor);
    }
    sov_buf_printf(o, "Prices: per 1M tokens, table dated %s (built-in OpenAI/Anthropic list prices unless overridden)\n",
                   r->pricing_date);

    sov_buf_puts(o, "\nTotals\n");
    sov_buf_printf(o, "  requests           %s\n", num(a, sizeof a, T->requests));
    sov_buf_printf(o, "  prompt tokens      %s", num(a, sizeof a, T->prompt_tokens));
    if (r->est_prompt)
        sov_buf_printf(o, "  (estimated for %s requests)", num(b, sizeof b, r->est_prompt));
    sov_buf_printf(o, "\n  completion tokens  %s", num(a, sizeof a, T->completion_tokens));
    if (r->est_completion)
        sov_buf_printf(o, "  (estimated for %s requests)", num(b, sizeof b, r->est_completion));
    if (r->no_response)
        sov_buf_printf(o, "  (%s requests logged without a response: counted as 0)", num(b, sizeof b, r->no_response));
    sov_buf_printf(o, "\n  spend              %s", usd(a, sizeof a, T->spend_usd));
    if (r->unpriced_requests)
        sov_buf_printf(o, "  (excludes %s requests of unpriced models, listed below)", num(b, sizeof b, r->unpriced_requests));
    sov_buf_putc(o, '\n');
    if (r->est_prompt || r->est_completion)
        sov_buf_puts(o, "  Estimates: where a record has no usage, tokens = ceil(bytes / 4) (+ 4 per message for prompts).\n");

    sov_buf_puts(o, "\nMigratable: what the policy would send to the local node\n");
    sov_buf_printf(o, "  requests  %s of %s (%.1f%%)\n", num(a, sizeof a, T->local_requests), num(b, sizeof b, T->requests),
                   100 * share((double)T->local_requests, (double)T->requests));
    sov_buf_printf(o, "  tokens    %s prompt + %s completion\n", num(a, sizeof a, T->local_prompt_tokens),
                   num(b, sizeof b, T->local_completion_tokens));
    sov_buf_printf(o, "  spend     %s of %s (%.1f%% of spend)\n", usd(a, sizeof a, T->local_spend_usd),
                   usd(b, sizeof b, T->spend_usd), 100 * share(T->local_spend_usd, T->spend_usd));
    sov_buf_printf(o, "  monthly   %s of %s cloud spend could move", usd(a, sizeof a, m.local_spend_usd),
                   usd(b, sizeof b, m.spend_usd));
    if (m.have_cost_model)
        sov_buf_printf(o, "; local cost %s (%.1f busy hours, %.0f node%s); net savings %s/month\n",
                       usd(c, sizeof c, m.local_cost_usd), m.local_busy_hours, m.nodes, m.nodes == 1 ? "" : "s",
                       usd(d, sizeof d, m.net_savings_usd));
    else
        sov_buf_puts(o, "; gross (no local cost model: see --local-tokens-per-s and --local-*)\n");

    group_table("By model", r->models, r->n_models, top, T->spend_usd, true, o);

    sov_buf_puts(o, "\nBy task\n");
    struct table *t = calloc(1, sizeof *t);
    if (!t)
        return SOV_ENOMEM;
    t->head[0] = "task";
    t->head[1] = "kind";
    counts_head(t, 2);
    size_t row = 0;
    for (int k = 0; k <= SOV_TASK_COUNT; k++) {
        if (!r->by_task[k].requests)
            continue;
        t_set(t, row, 0, "%s", task_name(k));
        t_set(t, row, 1, "%s", k == SOV_TASK_COUNT ? "-" : sov_task_is_local_kind((enum sov_task)k) ? "local" : "cloud");
        counts_row(t, row++, 2, &r->by_task[k], T->spend_usd);
    }
    t_print(t, o);
    sov_buf_puts(o, "\nBy complexity band (low < 0.35 <= medium < 0.65 <= high)\n");
    memset(t, 0, sizeof *t);
    t->head[0] = "band";
    counts_head(t, 1);
    row = 0;
    for (int k = 0; k < SOV_AUDIT_BANDS; k++) {
        t_set(t, row, 0, "%s", sov_audit_band_name(k));
        counts_row(t, row++, 1, &r->by_band[k], T->spend_usd);
    }
    t_print(t, o);
    free(t);
    if (r->workflow_field) {
        char title[160];
        snprintf(title, sizeof title, "By workflow (%s)", r->workflow_field);
        if (r->n_workflows)
            group_table(title, r->workflows, r->n_workflows, top, T->spend_usd, false, o);
        else
            sov_buf_printf(o, "\n%s: no record carried that field\n", title);
    }

    /* sensitive exposure: type x provider */
    uint64_t any = 0;
    for (int k = 0; k < SOV_PII_COUNT; k++)
        any += r->sens_requests[k];
    sov_buf_puts(o, "\nSensitive data already sent to providers (requests carrying each type; counts only, never values)\n");
    if (!any) {
        sov_buf_puts(o, "  none found\n");
    } else {
        t = calloc(1, sizeof *t);
        if (!t)
            return SOV_ENOMEM;
        t->head[0] = "type";
        size_t np = r->n_providers < TMAX_COLS - 2 ? r->n_providers : TMAX_COLS - 2;
        for (size_t p = 0; p < np; p++) {
            t->head[1 + p] = r->providers[p].name;
            t->right[1 + p] = true;
        }
        t->head[1 + np] = "total";
        t->right[1 + np] = true;
        t->cols = 2 + np;
        row = 0;
        for (int k = 0; k < SOV_PII_COUNT; k++) {
            if (!r->sens_requests[k])
                continue;
            t_set(t, row, 0, "%s", sov_pii_type_name((enum sov_pii_type)k));
            for (size_t p = 0; p < np; p++)
                t_set(t, row, 1 + p, "%s", num(a, sizeof a, r->providers[p].sens[k]));
            t_set(t, row++, 1 + np, "%s", num(a, sizeof a, r->sens_requests[k]));
        }
        t_print(t, o);
        free(t);
    }

    sov_buf_puts(o, "\nLow-hanging fruit: the most expensive repeated prompt templates (numbers, names, IDs and content masked)\n");
    size_t shown = 0;
    t = calloc(1, sizeof *t);
    if (!t)
        return SOV_ENOMEM;
    const char *th[] = {"#", "spend", "requests", "task", "band", "local-ready", "template"};
    for (size_t i = 0; i < 7; i++) {
        t->head[i] = th[i];
        t->right[i] = i < 3;
    }
    t->cols = 7;
    for (size_t i = 0; i < r->n_templates && shown < top && shown < TMAX_ROWS; i++) {
        const struct sov_audit_template *tp = &r->templates[i];
        if (tp->c.requests < 2)
            continue; /* repeated ones only */
        t_set(t, shown, 0, "%zu", shown + 1);
        t_set(t, shown, 1, "%s", usd(a, sizeof a, tp->c.spend_usd));
        t_set(t, shown, 2, "%s", num(b, sizeof b, tp->c.requests));
        t_set(t, shown, 3, "%s", task_name(tp->task));
        t_set(t, shown, 4, "%s", sov_audit_band_name(tp->band));
        t_set(t, shown, 5, "%s", tp->c.local_requests * 2 >= tp->c.requests ? "yes" : "no");
        /* one line, at most 60 characters */
        char txt[96];
        size_t k = 0, w = 0;
        for (const char *s = tp->text; *s && k + 4 < sizeof txt && w < 60; s++) {
            txt[k++] = *s == '\n' || *s == '\t' ? ' ' : *s;
            w += ((unsigned char)*s & 0xC0) != 0x80;
        }
        while (k && ((unsigned char)txt[k - 1] & 0xC0) == 0xC0)
            k--; /* a cut sequence */
        txt[k] = '\0';
        char more[32] = "";
        if (tp->variants > 1)
            snprintf(more, sizeof more, "  [+%u similar]", tp->variants - 1);
        t_set(t, shown, 6, "%s%s%s", txt, strlen(tp->text) > k ? "..." : "", more);
        shown++;
    }
    if (shown)
        t_print(t, o);
    else
        sov_buf_puts(o, "  no template was seen twice\n");
    free(t);

    bool unpriced = false;
    for (size_t i = 0; i < r->n_models; i++)
        unpriced |= r->models[i].c.priced_requests < r->models[i].c.requests;
    if (unpriced) {
        sov_buf_puts(o, "\nUnpriced models (not counted in spend; add them under pricing: or with --pricing FILE)\n");
        for (size_t i = 0; i < r->n_models; i++)
            if (r->models[i].c.priced_requests < r->models[i].c.requests)
                sov_buf_printf(o, "  %-40s %s requests, %s prompt + %s completion tokens\n", r->models[i].name,
                               num(a, sizeof a, r->models[i].c.requests), num(b, sizeof b, r->models[i].c.prompt_tokens),
                               num(c, sizeof c, r->models[i].c.completion_tokens));
    }
    if (r->batch_unmatched_inputs || r->batch_unmatched_outputs)
        sov_buf_printf(o, "\nBatch lines without their other half: %llu inputs (no usage: estimated), %llu outputs (no prompt)\n",
                       (unsigned long long)r->batch_unmatched_inputs, (unsigned long long)r->batch_unmatched_outputs);
    if (r->errors) {
        sov_buf_printf(o, "\nUnreadable records: %s%s\n", num(a, sizeof a, r->errors),
                       r->errors > r->n_error_list ? " (first ones listed)" : "");
        for (size_t i = 0; i < r->n_error_list; i++)
            sov_buf_printf(o, "  %s\n", r->error_list[i]);
    }
    return 0;
}

/* ---- JSON ---- */

static void jstr(struct sov_buf *o, const char *s)
{
    sov_buf_putc(o, '"');
    sov_buf_json_escape(o, s ? s : "", s ? strlen(s) : 0);
    sov_buf_putc(o, '"');
}

static void jcounts(struct sov_buf *o, const struct sov_audit_counts *c)
{
    sov_buf_printf(o,
                   "\"requests\":%llu,\"prompt_tokens\":%llu,\"completion_tokens\":%llu,\"cached_tokens\":%llu,\"spend_usd\":%.6f,"
                   "\"priced_requests\":%llu,\"local_requests\":%llu,\"local_spend_usd\":%.6f,\"sensitive_requests\":%llu",
                   (unsigned long long)c->requests, (unsigned long long)c->prompt_tokens, (unsigned long long)c->completion_tokens,
                   (unsigned long long)c->cached_tokens, c->spend_usd, (unsigned long long)c->priced_requests,
                   (unsigned long long)c->local_requests, c->local_spend_usd, (unsigned long long)c->sensitive_requests);
}

static void jgroups(struct sov_buf *o, const char *key, const char *namekey, const struct sov_audit_group *g, size_t n, bool models)
{
    sov_buf_printf(o, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        sov_buf_printf(o, "%s{\"%s\":", i ? "," : "", namekey);
        jstr(o, g[i].name);
        sov_buf_putc(o, ',');
        jcounts(o, &g[i].c);
        if (models) {
            sov_buf_puts(o, ",\"provider\":");
            jstr(o, g[i].provider);
            sov_buf_printf(o, ",\"priced\":%s", g[i].c.priced_requests == g[i].c.requests ? "true" : "false");
            if (g[i].price) {
                sov_buf_puts(o, ",\"price_per_1m\":{\"row\":");
                jstr(o, g[i].price->model);
                sov_buf_printf(o,
                               ",\"input\":%g,\"cached_input\":%g,\"cache_write\":%g,\"output\":%g,\"source\":", g[i].price->input,
                               g[i].price->cached_input, g[i].price->cache_write, g[i].price->output);
                jstr(o, g[i].price->source);
                sov_buf_putc(o, '}');
            }
        }
        sov_buf_putc(o, '}');
    }
    sov_buf_putc(o, ']');
}

int sov_audit_report_json(const struct sov_audit_result *r, size_t top, struct sov_buf *o)
{
    struct sov_audit_monthly m;
    sov_audit_monthly(r, &m);
    const struct sov_audit_counts *T = &r->total;
    sov_buf_printf(o,
                   "{\"requests\":%llu,\"errors\":%llu,\"failed_calls\":%llu,\"prompt_tokens\":%llu,\"completion_tokens\":%llu,"
                   "\"cached_tokens\":%llu,\"spend_usd\":%.6f",
                   (unsigned long long)T->requests, (unsigned long long)r->errors, (unsigned long long)r->failed_calls,
                   (unsigned long long)T->prompt_tokens, (unsigned long long)T->completion_tokens,
                   (unsigned long long)T->cached_tokens, T->spend_usd);
    sov_buf_printf(
        o,
        ",\"estimates\":{\"prompt_tokens_estimated_requests\":%llu,\"completion_tokens_estimated_requests\":%llu,"
        "\"requests_without_response\":%llu,\"method\":\"ceil(bytes/4) per text, +4 per prompt message; no response: 0\"}",
        (unsigned long long)r->est_prompt, (unsigned long long)r->est_completion, (unsigned long long)r->no_response);
    sov_buf_printf(o, ",\"period\":{\"days\":%.4f,\"assumed\":%s,\"start\":%.0f,\"end\":%.0f,\"monthly_factor\":%.6f}",
                   r->period_days, r->period_assumed ? "true" : "false", r->ts_min, r->ts_max, m.factor);
    sov_buf_printf(o, ",\"pricing\":{\"date\":");
    jstr(o, r->pricing_date);
    sov_buf_puts(o, "}");
    jgroups(o, "by_model", "model", r->models, r->n_models, true);
    sov_buf_puts(o, ",\"by_task\":{");
    bool first = true;
    for (int k = 0; k <= SOV_TASK_COUNT; k++) {
        if (!r->by_task[k].requests)
            continue;
        sov_buf_printf(o, "%s\"%s\":{", first ? "" : ",", task_name(k));
        jcounts(o, &r->by_task[k]);
        sov_buf_printf(o, ",\"local_kind\":%s}", k < SOV_TASK_COUNT && sov_task_is_local_kind((enum sov_task)k) ? "true" : "false");
        first = false;
    }
    sov_buf_puts(o, "},\"by_complexity\":{");
    for (int k = 0; k < SOV_AUDIT_BANDS; k++) {
        sov_buf_printf(o, "%s\"%s\":{", k ? "," : "", sov_audit_band_name(k));
        jcounts(o, &r->by_band[k]);
        sov_buf_putc(o, '}');
    }
    sov_buf_puts(o, "},\"workflow_field\":");
    if (r->workflow_field)
        jstr(o, r->workflow_field);
    else
        sov_buf_puts(o, "null");
    jgroups(o, "by_workflow", "workflow", r->workflows, r->n_workflows, false);
    jgroups(o, "by_provider", "provider", r->providers, r->n_providers, false);
    sov_buf_printf(o,
                   ",\"migratable\":{\"requests\":%llu,\"prompt_tokens\":%llu,\"completion_tokens\":%llu,\"spend_usd\":%.6f,"
                   "\"share_of_spend\":%.6f,\"share_of_requests\":%.6f,\"monthly\":{\"cloud_spend_usd\":%.6f,"
                   "\"migratable_spend_usd\":%.6f,\"local_busy_hours\":%.4f,\"local_nodes\":%.0f,\"local_cost_usd\":%.6f,"
                   "\"net_savings_usd\":%.6f,\"cost_model\":%s}}",
                   (unsigned long long)T->local_requests, (unsigned long long)T->local_prompt_tokens,
                   (unsigned long long)T->local_completion_tokens, T->local_spend_usd, share(T->local_spend_usd, T->spend_usd),
                   share((double)T->local_requests, (double)T->requests), m.spend_usd, m.local_spend_usd, m.local_busy_hours,
                   m.nodes, m.local_cost_usd, m.net_savings_usd, m.have_cost_model ? "true" : "false");
    sov_buf_puts(o, ",\"sensitive\":{");
    for (int k = 0; k < SOV_PII_COUNT; k++)
        sov_buf_printf(o, "%s\"%s\":%llu", k ? "," : "", sov_pii_type_name((enum sov_pii_type)k),
                       (unsigned long long)r->sens_requests[k]);
    sov_buf_puts(o, "},\"sensitive_by_provider\":{");
    first = true;
    for (size_t p = 0; p < r->n_providers; p++) {
        sov_buf_printf(o, "%s", first ? "" : ",");
        jstr(o, r->providers[p].name);
        sov_buf_puts(o, ":{");
        bool f2 = true;
        for (int k = 0; k < SOV_PII_COUNT; k++)
            if (r->providers[p].sens[k]) {
                sov_buf_printf(o, "%s\"%s\":%llu", f2 ? "" : ",", sov_pii_type_name((enum sov_pii_type)k),
                               (unsigned long long)r->providers[p].sens[k]);
                f2 = false;
            }
        sov_buf_putc(o, '}');
        first = false;
    }
    sov_buf_puts(o, "},\"templates\":[");
    size_t shown = 0;
    for (size_t i = 0; i < r->n_templates && shown < top; i++) {
        const struct sov_audit_template *tp = &r->templates[i];
        if (tp->c.requests < 2)
            continue;
        sov_buf_printf(o, "%s{\"template\":", shown ? "," : "");
        jstr(o, tp->text);
        sov_buf_putc(o, ',');
        jcounts(o, &tp->c);
        sov_buf_printf(o, ",\"variants\":%u", tp->variants ? tp->variants : 1);
        sov_buf_printf(o, ",\"task\":\"%s\",\"complexity\":\"%s\",\"local_ready\":%s,\"local_share\":%.4f}", task_name(tp->task),
                       sov_audit_band_name(tp->band), tp->c.local_requests * 2 >= tp->c.requests ? "true" : "false",
                       share((double)tp->c.local_requests, (double)tp->c.requests));
        shown++;
    }
    sov_buf_printf(o, "],\"templates_distinct\":%zu,\"templates_untracked_requests\":%llu", r->n_templates,
                   (unsigned long long)r->templates_untracked);
    sov_buf_puts(o, ",\"unpriced_models\":[");
    first = true;
    for (size_t i = 0; i < r->n_models; i++)
        if (r->models[i].c.priced_requests < r->models[i].c.requests) {
            sov_buf_printf(o, "%s{\"model\":", first ? "" : ",");
            jstr(o, r->models[i].name);
            sov_buf_printf(o, ",\"requests\":%llu,\"prompt_tokens\":%llu,\"completion_tokens\":%llu}",
                           (unsigned long long)r->models[i].c.requests, (unsigned long long)r->models[i].c.prompt_tokens,
                           (unsigned long long)r->models[i].c.completion_tokens);
            first = false;
        }
    sov_buf_printf(o, "],\"unpriced_requests\":%llu", (unsigned long long)r->unpriced_requests);
    sov_buf_printf(o, ",\"batch\":{\"unmatched_inputs\":%llu,\"unmatched_outputs\":%llu}",
                   (unsigned long long)r->batch_unmatched_inputs, (unsigned long long)r->batch_unmatched_outputs);
    sov_buf_puts(o, ",\"error_lines\":[");
    for (size_t i = 0; i < r->n_error_list; i++) {
        if (i)
            sov_buf_putc(o, ',');
        jstr(o, r->error_list[i]);
    }
    sov_buf_puts(o, "],\"formats\":{");
    first = true;
    for (size_t i = 0; i < 16; i++) {
        const char *name = sov_audit_format_name(i, NULL);
        if (!name)
            break;
        if (!r->format_records[i])
            continue;
        sov_buf_printf(o, "%s\"%s\":%llu", first ? "" : ",", name, (unsigned long long)r->format_records[i]);
        first = false;
    }
    sov_buf_puts(o, "},\"files\":[");
    for (size_t i = 0; i < r->n_files; i++) {
        if (i)
            sov_buf_putc(o, ',');
        jstr(o, r->files[i]);
    }
    sov_buf_printf(o, "],\"run\":{\"bytes\":%llu,\"wall_s\":%.3f,\"cpu_s\":%.3f,\"threads\":%u,\"exact\":%s}}\n",
                   (unsigned long long)r->bytes, r->wall_s, r->cpu_s, r->threads, r->exact ? "true" : "false");
    return 0;
}

/* ---- HTML ---- */

static void h(struct sov_buf *o, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            sov_buf_puts(o, "&lt;");
            break;
        case '>':
            sov_buf_puts(o, "&gt;");
            break;
        case '&':
            sov_buf_puts(o, "&amp;");
            break;
        case '"':
            sov_buf_puts(o, "&quot;");
            break;
        case '\'':
            sov_buf_puts(o, "&#39;");
            break;
        default:
            sov_buf_putc(o, *s);
        }
    }
}

struct bar {
    const char *label;
    double value, local; /* local: the part of value the policy would move */
    char note[48];
};

/* a horizontal bar chart: cloud part grey-blue, the migratable part green */
static void svg_bars(struct sov_buf *o, const char *id, const char *title, const struct bar *b, size_t n, bool money, bool legend)
{
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (b[i].value > max)
            max = b[i].value;
    int rowh = 26, left = 190, width = 720, barw = 380;
    int height = (int)n * rowh + (legend ? 40 : 16);
    sov_buf_printf(o,
                   "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                   "height=\"%d\" role=\"img\" aria-label=\"",
                   id, width, height, width, height);
    h(o, title);
    sov_buf_puts(o, "\"><title>");
    h(o, title);
    sov_buf_puts(o, "</title>");
    for (size_t i = 0; i < n; i++) {
        int y = 10 + (int)i * rowh;
        double wv = max > 0 ? b[i].value / max * barw : 0, wl = max > 0 ? b[i].local / max * barw : 0;
        sov_buf_printf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", left - 8, y + 15);
        char lab[64];
        snprintf(lab, sizeof lab, "%.40s", b[i].label);
        h(o, lab);
        sov_buf_printf(o, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" class=\"cloud\"/>", left, y, wv);
        if (wl > 0)
            sov_buf_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" class=\"local\"/>", left, y, wl);
        char v[32];
        if (money)
            usd(v, sizeof v, b[i].value);
        else
            num(v, sizeof v, (uint64_t)b[i].value);
        sov_buf_printf(o, "<text x=\"%.1f\" y=\"%d\" class=\"val\">%s", left + wv + 6, y + 15, v);
        if (b[i].note[0]) {
            sov_buf_puts(o, " ");
            h(o, b[i].note);
        }
        sov_buf_puts(o, "</text>");
    }
    if (!legend) {
        sov_buf_puts(o, "</svg>\n");
        return;
    }
    sov_buf_printf(o,
                   "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" class=\"cloud\"/><text x=\"%d\" y=\"%d\" "
                   "class=\"lbl\">stays in the cloud</text>",
                   left, height - 20, left + 18, height - 10);
    sov_buf_printf(o,
                   "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" class=\"local\"/><text x=\"%d\" y=\"%d\" "
                   "class=\"lbl\">could move local</text></svg>\n",
                   left + 170, height - 20, left + 188, height - 10);
}

static void html_counts_table(struct sov_buf *o, const char *first, const char *const *names, const struct sov_audit_counts *c,
                              size_t n, double total_spend)
{
    char a[32], b[32], d[32], e[32];
    sov_buf_puts(o, "<table><thead><tr><th>");
    h(o, first);
    sov_buf_puts(o, "</th><th>requests</th><th>prompt tokens</th><th>completion tokens</th><th>spend</th><th>of "
                    "spend</th><th>could move local</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        if (!c[i].requests)
            continue;
        sov_buf_puts(o, "<tr><td>");
        h(o, names[i]);
        sov_buf_printf(o, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.1f%%</td><td>%.0f%%</td></tr>\n",
                       num(a, sizeof a, c[i].requests), num(b, sizeof b, c[i].prompt_tokens),
                       num(d, sizeof d, c[i].completion_tokens), usd(e, sizeof e, c[i].spend_usd),
                       100 * share(c[i].spend_usd, total_spend), 100 * share((double)c[i].local_requests, (double)c[i].requests));
    }
    sov_buf_puts(o, "</tbody></table>\n");
}

int sov_audit_report_html(const struct sov_audit_result *r, size_t top, struct sov_buf *o)
{
    char a[32], b[32], c[32];
    struct sov_audit_monthly m;
    sov_audit_monthly(r, &m);
    const struct sov_audit_counts *T = &r->total;
    sov_buf_puts(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Sovereign audit: what could move local</title><style>\n"
        "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:980px;color:#1d2330;padding:0 "
        "1rem}"
        "h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #d8dde6;padding-bottom:.3rem}"
        ".kpis{display:flex;flex-wrap:wrap;gap:1rem}.kpi{background:#f3f5f9;border-radius:8px;padding:.8rem 1rem;min-width:180px}"
        ".kpi b{display:block;font-size:1.4rem}.kpi span{color:#5a6376;font-size:.85rem}"
        "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.6rem 0}th,td{padding:.3rem .5rem;border-bottom:1px "
        "solid #e6e9ef;text-align:right}"
        "th:first-child,td:first-child{text-align:left}td.tpl{text-align:left;font-family:ui-monospace,monospace;font-size:.8rem}"
        ".chart .cloud{fill:#8aa0c2}.chart .local{fill:#2e9d62}.chart .lbl{font-size:12px;fill:#1d2330}.chart "
        ".val{font-size:12px;fill:#5a6376}"
        ".note{color:#5a6376;font-size:.85rem}\n</style></head><body>\n");
    sov_buf_puts(o, "<h1>Sovereign audit: what your API traffic costs, and what could run locally</h1>\n<p class=\"note\">");
    sov_buf_printf(o, "%zu log file%s, %s requests", r->n_files, r->n_files == 1 ? "" : "s", num(a, sizeof a, T->requests));
    if (r->period_assumed)
        sov_buf_puts(o, "; the logs carry no timestamps, so they are taken as one month.");
    else
        sov_buf_printf(o, " over %.2f days; monthly figures are scaled by %.2f.", r->period_days, m.factor);
    sov_buf_puts(o, " Prices per 1M tokens from a table dated ");
    h(o, r->pricing_date);
    sov_buf_puts(o, ".</p>\n<div class=\"kpis\">");
    sov_buf_printf(o, "<div class=\"kpi\"><b>%s</b><span>spend in these logs</span></div>", usd(a, sizeof a, T->spend_usd));
    sov_buf_printf(o, "<div class=\"kpi\"><b>%.0f%%</b><span>of spend could move local (%s)</span></div>",
                   100 * share(T->local_spend_usd, T->spend_usd), usd(b, sizeof b, T->local_spend_usd));
    sov_buf_printf(o, "<div class=\"kpi\"><b>%s</b><span>%s per month</span></div>",
                   usd(c, sizeof c, m.have_cost_model ? m.net_savings_usd : m.local_spend_usd),
                   m.have_cost_model ? "net savings" : "gross savings (no local cost model given)");
    uint64_t sens_req = 0;
    for (size_t p = 0; p < r->n_providers; p++)
        sens_req += r->providers[p].c.sensitive_requests;
    sov_buf_printf(o, "<div class=\"kpi\"><b>%s</b><span>requests sent sensitive data to a provider</span></div></div>\n",
                   num(a, sizeof a, sens_req));
    if (r->unpriced_requests)
        sov_buf_printf(o, "<p class=\"note\">%s requests of models without a price are not counted in spend (listed below).</p>\n",
                       num(a, sizeof a, r->unpriced_requests));
    if (r->est_prompt || r->est_completion)
        sov_buf_printf(o,
                       "<p class=\"note\">Token estimates: %s prompts and %s answers had no logged usage; their tokens are "
                       "estimated as bytes / 4.</p>\n",
                       num(a, sizeof a, r->est_prompt), num(b, sizeof b, r->est_completion));

    /* charts */
    size_t n = r->n_models < 12 ? r->n_models : 12;
    struct bar bars[16];
    sov_buf_puts(o, "<h2>Spend by model</h2>\n");
    for (size_t i = 0; i < n; i++) {
        bars[i] = (struct bar){r->models[i].name, r->models[i].c.spend_usd, r->models[i].c.local_spend_usd, ""};
        if (r->models[i].c.priced_requests < r->models[i].c.requests)
            snprintf(bars[i].note, sizeof bars[i].note, "(unpriced: %llu requests)", (unsigned long long)r->models[i].c.requests);
    }
    svg_bars(o, "chart-models", "Spend by model", bars, n, true, true);
    sov_buf_puts(o, "<h2>Spend by task: what kind of work you pay for</h2>\n");
    n = 0;
    for (int k = 0; k <= SOV_TASK_COUNT && n < 16; k++)
        if (r->by_task[k].requests)
            bars[n++] = (struct bar){task_name(k), r->by_task[k].spend_usd, r->by_task[k].local_spend_usd, ""};
    svg_bars(o, "chart-tasks", "Spend by task", bars, n, true, true);
    const char *tnames[SOV_TASK_COUNT + 1];
    for (int k = 0; k <= SOV_TASK_COUNT; k++)
        tnames[k] = task_name(k);
    html_counts_table(o, "task", tnames, r->by_task, SOV_TASK_COUNT + 1, T->spend_usd);
    sov_buf_puts(o, "<h2>Requests by complexity</h2>\n");
    n = 0;
    for (int k = 0; k < SOV_AUDIT_BANDS; k++)
        bars[n++] = (struct bar){sov_audit_band_name(k), (double)r->by_band[k].requests, (double)r->by_band[k].local_requests, ""};
    svg_bars(o, "chart-complexity", "Requests by complexity band", bars, n, false, true);

    sov_buf_puts(o, "<h2>Sensitive data already sent to providers</h2>\n<p class=\"note\">Requests carrying each type of entity; "
                    "counts only, never the values.</p>\n");
    n = 0;
    for (int k = 0; k < SOV_PII_COUNT && n < 16; k++)
        if (r->sens_requests[k])
            bars[n++] = (struct bar){sov_pii_type_name((enum sov_pii_type)k), (double)r->sens_requests[k], 0, ""};
    if (n) {
        svg_bars(o, "chart-sensitive", "Requests with sensitive data, by type", bars, n, false, false);
        sov_buf_puts(o, "<table><thead><tr><th>type</th>");
        for (size_t p = 0; p < r->n_providers; p++) {
            sov_buf_puts(o, "<th>");
            h(o, r->providers[p].name);
            sov_buf_puts(o, "</th>");
        }
        sov_buf_puts(o, "</tr></thead><tbody>\n");
        for (int k = 0; k < SOV_PII_COUNT; k++) {
            if (!r->sens_requests[k])
                continue;
            sov_buf_printf(o, "<tr><td>%s</td>", sov_pii_type_name((enum sov_pii_type)k));
            for (size_t p = 0; p < r->n_providers; p++)
                sov_buf_printf(o, "<td>%s</td>", num(a, sizeof a, r->providers[p].sens[k]));
            sov_buf_puts(o, "</tr>\n");
        }
        sov_buf_puts(o, "</tbody></table>\n");
    } else {
        sov_buf_puts(o, "<p>None found.</p>\n");
    }

    sov_buf_puts(o,
                 "<h2>First workloads to pilot: the most expensive repeated prompt templates</h2>\n"
                 "<p class=\"note\">Prompts grouped by template: numbers, names, identifiers and supplied content are masked.</p>\n"
                 "<table><thead><tr><th>template</th><th>requests</th><th>spend</th><th>task</th><th>complexity</"
                 "th><th>local-ready</th></tr></thead><tbody>\n");
    size_t shown = 0;
    for (size_t i = 0; i < r->n_templates && shown < top; i++) {
        const struct sov_audit_template *tp = &r->templates[i];
        if (tp->c.requests < 2)
            continue;
        sov_buf_puts(o, "<tr><td class=\"tpl\">");
        h(o, tp->text);
        if (tp->variants > 1)
            sov_buf_printf(o, " <span class=\"note\">(+%u similar)</span>", tp->variants - 1);
        sov_buf_printf(o, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", num(a, sizeof a, tp->c.requests),
                       usd(b, sizeof b, tp->c.spend_usd), task_name(tp->task), sov_audit_band_name(tp->band),
                       tp->c.local_requests * 2 >= tp->c.requests ? "yes" : "no");
        shown++;
    }
    sov_buf_puts(o, "</tbody></table>\n");

    sov_buf_puts(o, "<h2>Models</h2>\n<table><thead><tr><th>model</th><th>provider</th><th>requests</th><th>prompt "
                    "tokens</th><th>completion tokens</th><th>spend</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < r->n_models; i++) {
        char d[32];
        sov_buf_puts(o, "<tr><td>");
        h(o, r->models[i].name);
        sov_buf_puts(o, "</td><td>");
        h(o, r->models[i].provider);
        sov_buf_printf(o, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", num(a, sizeof a, r->models[i].c.requests),
                       num(b, sizeof b, r->models[i].c.prompt_tokens), num(c, sizeof c, r->models[i].c.completion_tokens),
                       r->models[i].c.priced_requests ? usd(d, sizeof d, r->models[i].c.spend_usd) : "unpriced");
    }
    sov_buf_puts(o, "</tbody></table>\n");
    if (r->n_workflows) {
        sov_buf_puts(o, "<h2>Workflows (");
        h(o, r->workflow_field);
        sov_buf_puts(o, ")</h2>\n");
        n = r->n_workflows < 12 ? r->n_workflows : 12;
        for (size_t i = 0; i < n; i++)
            bars[i] = (struct bar){r->workflows[i].name, r->workflows[i].c.spend_usd, r->workflows[i].c.local_spend_usd, ""};
        svg_bars(o, "chart-workflows", "Spend by workflow", bars, n, true, true);
    }
    if (r->errors) {
        sov_buf_printf(o, "<h2>Unreadable records</h2>\n<p>%s records could not be read%s:</p><ul>\n", num(a, sizeof a, r->errors),
                       r->errors > r->n_error_list ? " (first ones listed)" : "");
        for (size_t i = 0; i < r->n_error_list; i++) {
            sov_buf_puts(o, "<li>");
            h(o, r->error_list[i]);
            sov_buf_puts(o, "</li>\n");
        }
        sov_buf_puts(o, "</ul>\n");
    }
    sov_buf_puts(
        o,
        "<p class=\"note\">Made by <code>sovereign audit</code>. Every request was classified by the same router the gateway uses; "
        "nothing left this machine.</p>\n</body></html>\n");
    return 0;
}
