/* sovereign decisions: read the gateway's decision store (store.path). */
#include "cli/cli.h"
#include "common/util.h"
#include "config/config.h"
#include "store/store.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign decisions (--store FILE | --config FILE) [options]\n\n"
                 "Show what the gateway decided for each request: route, rule, task, backend, tokens, cost,\n"
                 "latency (the decision store, `store.path` in the configuration). Never shows prompts or answers:\n"
                 "the store does not hold them.\n\n"
                 "Options:\n"
                 "  -s, --store FILE       the store's SQLite file\n"
                 "  -c, --config FILE      read store.path from this configuration\n"
                 "      --since WHEN       only requests at or after WHEN: 30m, 12h, 7d (ago), epoch seconds or\n"
                 "                         YYYY-MM-DD[THH:MM[:SS]] (UTC)\n"
                 "      --until WHEN       only requests before WHEN (same forms)\n"
                 "      --route R          only local or cloud\n"
                 "      --backend NAME     only this backend\n"
                 "      --workflow NAME    only this x-sovereign-workflow\n"
                 "  -n, --limit N          the newest N (default 50 in the table, all with --json/--summary; 0 = all)\n"
                 "      --summary          totals by route, tier, backend, task and sensitive type instead of rows\n"
                 "      --json             one JSON object per line (with --summary: one object)\n"
                 "  -h, --help             show this help\n");
}

/* Parses WHEN into epoch seconds; returns 0 or -1. */
static int parse_when(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end != s && end[0] && !end[1] && v >= 0) {
        double unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 0;
        if (!unit)
            return -1;
        *out = sov_wall_time() - v * unit;
        return 0;
    }
    if (end != s && !*end && v > 1e8) { /* epoch seconds */
        *out = v;
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = strptime(s, "%Y-%m-%d", &tm);
    if (!p)
        return -1;
    if (*p == 'T' || *p == ' ') {
        const char *q = strptime(p + 1, "%H:%M:%S", &tm);
        if (!q)
            q = strptime(p + 1, "%H:%M", &tm);
        if (!q)
            return -1;
        p = q;
    }
    if (*p == 'Z')
        p++;
    if (*p)
        return -1;
    *out = (double)timegm(&tm);
    return 0;
}

static void fmt_time(double t, char *out, size_t cap)
{
    time_t sec = (time_t)t;
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *record_json(const struct sov_store_record *r)
{
    char ts[32];
    fmt_time(r->time, ts, sizeof ts);
    json_t *o = json_object();
    json_object_set_new(o, "time", json_string(ts));
    json_object_set_new(o, "method", json_string(r->method));
    json_object_set_new(o, "path", json_string(r->path));
    json_object_set_new(o, "status", json_integer(r->status));
#define STR_(k)                                                                                                                \
    if (r->k[0])                                                                                                               \
        json_object_set_new(o, #k, json_string(r->k));
    STR_(model) STR_(backend) STR_(tier) STR_(route) STR_(reason) STR_(task) STR_(workflow) STR_(client)
#undef STR_
    if (r->complexity >= 0)
        json_object_set_new(o, "complexity", json_real(round(r->complexity * 1e4) / 1e4));
    json_t *sens = json_array();
    for (const char *p = r->sensitive; *p;) {
        size_t n = strcspn(p, ",");
        json_array_append_new(sens, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    json_object_set_new(o, "sensitive", sens);
    json_object_set_new(o, "stream", json_boolean(r->stream));
    json_object_set_new(o, "attempts", json_integer(r->attempts));
    if (r->prompt_tokens >= 0)
        json_object_set_new(o, "prompt_tokens", json_integer(r->prompt_tokens));
    if (r->completion_tokens >= 0)
        json_object_set_new(o, "completion_tokens", json_integer(r->completion_tokens));
    json_object_set_new(o, "cost_usd", json_real(r->cost_usd));
    json_object_set_new(o, "latency_ms", json_real(round(r->latency_ms * 1e3) / 1e3));
    json_object_set_new(o, "ttfb_ms", json_real(round(r->ttfb_ms * 1e3) / 1e3));
    if (r->has_confidence)
        json_object_set_new(o, "mean_logprob", json_real(r->mean_logprob));
    return o;
}

/* Prints a JSON value on one line (or indented) and frees it; returns 0, or 1 when out of memory. */
static int print_json(json_t *o, size_t flags)
{
    char *t = o ? json_dumps(o, flags | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(o);
    if (!t)
        return 1;
    puts(t);
    free(t);
    return 0;
}

/* ---- rows --------------------------------------------------------------------------------------- */

struct rows {
    bool json; /* print each row as it comes (JSON without a limit: oldest first already) */
    struct sov_store_record *v; /* table mode: kept to print oldest first */
    size_t n, cap;
    int failed;
};

static int on_row(const struct sov_store_record *r, void *u)
{
    struct rows *s = u;
    if (s->json)
        return s->failed = print_json(record_json(r), JSON_COMPACT);
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        struct sov_store_record *nv = realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return s->failed = 1;
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = *r;
    return 0;
}

static int print_json_rows(const struct rows *s)
{
    for (size_t k = s->n; k-- > 0;) /* kept newest first: print oldest first */
        if (print_json(record_json(&s->v[k]), JSON_COMPACT))
            return 1;
    return 0;
}

static void print_table(const struct rows *s, bool newest_first)
{
    printf("%-20s %-6s %-5s %-14s %-14s %-5s %-22s %-16s %8s %8s %10s %9s\n", "time", "status", "route", "backend", "task",
           "cplx", "reason", "sensitive", "in_tok", "out_tok", "cost_usd", "ms");
    for (size_t k = 0; k < s->n; k++) {
        const struct sov_store_record *r = &s->v[newest_first ? s->n - 1 - k : k];
        char ts[32], cx[8] = "-", in[24] = "-", out[24] = "-";
        fmt_time(r->time, ts, sizeof ts);
        if (r->complexity >= 0)
            snprintf(cx, sizeof cx, "%.2f", r->complexity);
        if (r->prompt_tokens >= 0)
            snprintf(in, sizeof in, "%lld", (long long)r->prompt_tokens);
        if (r->completion_tokens >= 0)
            snprintf(out, sizeof out, "%lld", (long long)r->completion_tokens);
        printf("%-20s %-6d %-5s %-14.14s %-14.14s %-5s %-22.22s %-16.16s %8s %8s %10.6f %9.2f\n", ts, r->status,
               r->route[0] ? r->route : "-", r->backend[0] ? r->backend : "-", r->task[0] ? r->task : "-", cx,
               r->reason[0] ? r->reason : "-", r->sensitive[0] ? r->sensitive : "-", in, out, r->cost_usd, r->latency_ms);
    }
}

/* ---- summary ------------------------------------------------------------------------------------ */

#define GROUP_MAX 64
struct group {
    char key[128];
    uint64_t requests, errors;
    int64_t prompt_tokens, completion_tokens;
    double cost;
};
struct summary {
    struct group total;
    struct group by[5][GROUP_MAX]; /* route, tier, backend, task, sensitive type */
    size_t n[5];
    double first, last;
};
static const char *const DIMS[5] = {"by_route", "by_tier", "by_backend", "by_task", "by_sensitive"};

static void add(struct group *gr, const struct sov_store_record *r)
{
    gr->requests++;
    if (r->status != 200)
        gr->errors++;
    if (r->prompt_tokens > 0)
        gr->prompt_tokens += r->prompt_tokens;
    if (r->completion_tokens > 0)
        gr->completion_tokens += r->completion_tokens;
    gr->cost += r->cost_usd;
}

static void add_to(struct summary *s, int dim, const char *key, size_t keylen, const struct sov_store_record *r)
{
    size_t i = 0;
    for (; i < s->n[dim]; i++)
        if (strlen(s->by[dim][i].key) == keylen && !strncmp(s->by[dim][i].key, key, keylen))
            break;
    if (i == s->n[dim]) {
        if (s->n[dim] == GROUP_MAX) { /* the rest share one row */
            i = GROUP_MAX - 1;
            snprintf(s->by[dim][i].key, sizeof s->by[dim][i].key, "(other)");
        } else {
            snprintf(s->by[dim][i].key, sizeof s->by[dim][i].key, "%.*s", (int)keylen, key);
            s->n[dim]++;
        }
    }
    add(&s->by[dim][i], r);
}

static int on_sum(const struct sov_store_record *r, void *u)
{
    struct summary *s = u;
    if (!s->total.requests || r->time < s->first)
        s->first = r->time;
    if (r->time > s->last)
        s->last = r->time;
    add(&s->total, r);
    const char *route = r->route[0] ? r->route : "(none)", *tier = r->tier[0] ? r->tier : "(none)";
    const char *backend = r->backend[0] ? r->backend : "(none)", *task = r->task[0] ? r->task : "(not classified)";
    add_to(s, 0, route, strlen(route), r);
    add_to(s, 1, tier, strlen(tier), r);
    add_to(s, 2, backend, strlen(backend), r);
    add_to(s, 3, task, strlen(task), r);
    for (const char *p = r->sensitive; *p;) {
        size_t n = strcspn(p, ",");
        add_to(s, 4, p, n, r);
        p += n + (p[n] == ',');
    }
    return 0;
}

static json_t *group_json(const struct group *g)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:f}", "requests", (json_int_t)g->requests, "errors", (json_int_t)g->errors,
                     "prompt_tokens", (json_int_t)g->prompt_tokens, "completion_tokens", (json_int_t)g->completion_tokens,
                     "cost_usd", g->cost);
}

static int print_summary(const struct summary *s, bool json)
{
    uint64_t local = 0;
    for (size_t i = 0; i < s->n[1]; i++)
        if (!strcmp(s->by[1][i].key, "local"))
            local = s->by[1][i].requests;
    double share = s->total.requests ? (double)local / (double)s->total.requests : 0;
    if (json) {
        json_t *o = group_json(&s->total);
        json_object_set_new(o, "local_share", json_real(share));
        char a[32], b[32];
        fmt_time(s->first, a, sizeof a);
        fmt_time(s->last, b, sizeof b);
        if (s->total.requests) {
            json_object_set_new(o, "first", json_string(a));
            json_object_set_new(o, "last", json_string(b));
        }
        for (int d = 0; d < 5; d++) {
            json_t *m = json_object();
            for (size_t i = 0; i < s->n[d]; i++)
                json_object_set_new(m, s->by[d][i].key, group_json(&s->by[d][i]));
            json_object_set_new(o, DIMS[d], m);
        }
        return print_json(o, JSON_INDENT(2));
    }
    printf("%llu requests, %llu errors, %lld prompt + %lld completion tokens, $%.4f; %.1f%% answered locally\n",
           (unsigned long long)s->total.requests, (unsigned long long)s->total.errors, (long long)s->total.prompt_tokens,
           (long long)s->total.completion_tokens, s->total.cost, share * 100);
    for (int d = 0; d < 5; d++) {
        if (!s->n[d])
            continue;
        printf("\n%-18s %10s %8s %12s %12s %12s\n", DIMS[d] + 3, "requests", "errors", "in_tokens", "out_tokens", "cost_usd");
        for (size_t i = 0; i < s->n[d]; i++) {
            const struct group *g = &s->by[d][i];
            printf("%-18.18s %10llu %8llu %12lld %12lld %12.6f\n", g->key, (unsigned long long)g->requests,
                   (unsigned long long)g->errors, (long long)g->prompt_tokens, (long long)g->completion_tokens, g->cost);
        }
    }
    return 0;
}

int sov_cmd_decisions(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'},  {"config", required_argument, NULL, 'c'},
        {"since", required_argument, NULL, 'S'},  {"until", required_argument, NULL, 'U'},
        {"route", required_argument, NULL, 'r'},  {"backend", required_argument, NULL, 'b'},
        {"workflow", required_argument, NULL, 'w'}, {"limit", required_argument, NULL, 'n'},
        {"summary", no_argument, NULL, 'm'},      {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *store = NULL, *config = NULL;
    struct sov_store_filter f = {0};
    long long limit = -1;
    bool json = false, summary = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:c:n:h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's': store = optarg; break;
        case 'c': config = optarg; break;
        case 'S':
            if (parse_when(optarg, &f.since))
                return sov_cli_usage_error("decisions", "--since '%s': expected 30m, 12h, 7d, epoch seconds or YYYY-MM-DD[THH:MM[:SS]]", optarg);
            break;
        case 'U':
            if (parse_when(optarg, &f.until))
                return sov_cli_usage_error("decisions", "--until '%s': expected 30m, 12h, 7d, epoch seconds or YYYY-MM-DD[THH:MM[:SS]]", optarg);
            break;
        case 'r':
            if (strcmp(optarg, "local") && strcmp(optarg, "cloud"))
                return sov_cli_usage_error("decisions", "--route: expected local or cloud, not '%s'", optarg);
            f.route = optarg;
            break;
        case 'b': f.backend = optarg; break;
        case 'w': f.workflow = optarg; break;
        case 'n':
            limit = strtoll(optarg, &end, 10);
            if (end == optarg || *end || limit < 0)
                return sov_cli_usage_error("decisions", "--limit: expected a whole number >= 0, not '%s'", optarg);
            break;
        case 'm': summary = true; break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return 0;
        case ':': return sov_cli_usage_error("decisions", "option '%s' needs a value", argv[optind - 1]);
        default: return sov_cli_usage_error("decisions", "unknown option '%s' (see 'sovereign decisions --help')", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return sov_cli_usage_error("decisions", "unexpected argument '%s'", argv[optind]);
    if (!!store == !!config)
        return sov_cli_usage_error("decisions", "give one of --store FILE or --config FILE (see 'sovereign decisions --help')");
    struct sov_config *cfg = NULL;
    char *err = NULL;
    if (config) {
        cfg = sov_config_load(config, &err);
        if (!cfg) {
            int rc = sov_cli_usage_error("decisions", "%s", err);
            free(err);
            return rc;
        }
        if (!cfg->store.path) {
            sov_config_free(cfg);
            return sov_cli_usage_error("decisions", "%s has no store.path: the gateway keeps no decision store", config);
        }
        store = cfg->store.path;
    }
    f.limit = limit >= 0 ? (size_t)limit : (json || summary ? 0 : 50);
    int rc;
    if (summary) {
        struct summary *s = calloc(1, sizeof *s);
        if (!s) {
            sov_config_free(cfg);
            return sov_cli_fail("decisions", "out of memory");
        }
        rc = sov_store_each(store, &f, on_sum, s, &err);
        if (rc == 0)
            rc = print_summary(s, json);
        free(s);
    } else {
        struct rows rows = {.json = json && !f.limit};
        rc = sov_store_each(store, &f, on_row, &rows, &err);
        if (rc == 0 && json && f.limit)
            rows.failed |= print_json_rows(&rows);
        else if (rc == 0 && !json)
            print_table(&rows, f.limit != 0);
        if (rc == 0 && rows.failed)
            rc = 1;
        free(rows.v);
    }
    sov_config_free(cfg);
    if (rc < 0) {
        int r = sov_cli_usage_error("decisions", "%s", err ? err : "cannot read the store");
        free(err);
        return r;
    }
    return rc ? sov_cli_fail("decisions", "out of memory") : 0;
}
