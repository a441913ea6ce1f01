/* sovereign audit: turn existing API logs into a migration plan (src/audit/). */
#include "audit/audit.h"
#include "cli/cli.h"
#include "common/buf.h"
#include "common/util.h"
#include "config/config.h"
#include "config/yaml.h"
#include "route/router.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    O_FORMAT = 'f',
    O_CONFIG = 'c',
    O_JSON = 'j',
    O_HELP = 'h',
    O_PRICING = 256,
    O_WORKFLOW,
    O_HTML,
    O_TOP,
    O_THREADS,
    O_EXACT,
    O_PERIOD,
    O_NO_PROGRESS,
    O_MAX_RECORD,
    O_L_TPS,
    O_L_PTPS,
    O_L_HW,
    O_L_MONTHS,
    O_L_WATTS,
    O_L_KWH,
    O_L_HOURLY,
};

/* the options: one table for parsing and --help */
static const struct opt {
    const char *name;
    int has_arg, id;
    const char *arg, *help;
} opts[] = {
    {"format", 1, O_FORMAT, "NAME", "read every record as this format (default: detect per record; see below)"},
    {"config", 1, O_CONFIG, "FILE", "take router, policy, sensitive and pricing sections from FILE"},
    {"pricing", 1, O_PRICING, "FILE", "YAML prices per 1M tokens (pricing: {models: {NAME: {input, cached_input, output}}})"},
    {"workflow-field", 1, O_WORKFLOW, "PATH", "group by this request field, e.g. user or metadata.app"},
    {"json", 0, O_JSON, NULL, "print the report as JSON instead of tables"},
    {"html", 1, O_HTML, "FILE", "also write a self-contained HTML report (inline SVG charts)"},
    {"top", 1, O_TOP, "N", "rows per table and templates listed (default 10)"},
    {"period-days", 1, O_PERIOD, "D", "the span the logs cover, for monthly figures (default: from timestamps, else 30)"},
    {"local-tokens-per-s", 1, O_L_TPS, "N", "local node generation throughput (as `sovereign bench` measures it)"},
    {"local-prompt-tokens-per-s", 1, O_L_PTPS, "N", "local prompt processing throughput (default 10x the above)"},
    {"local-hardware-usd", 1, O_L_HW, "USD", "purchase price of one local node"},
    {"local-amortize-months", 1, O_L_MONTHS, "N", "amortization period of the hardware (default 36)"},
    {"local-power-watts", 1, O_L_WATTS, "W", "power draw of a node under load"},
    {"local-kwh-usd", 1, O_L_KWH, "USD", "electricity price per kWh"},
    {"local-hourly-usd", 1, O_L_HOURLY, "USD", "or: flat cost per hour of node use (rented hardware)"},
    {"threads", 1, O_THREADS, "N", "worker threads (default: one per core, at most 8)"},
    {"exact", 0, O_EXACT, NULL, "classify every request (default: once per prompt template and length)"},
    {"max-record-bytes", 1, O_MAX_RECORD, "N", "longest record accepted (default 67108864)"},
    {"no-progress", 0, O_NO_PROGRESS, NULL, "no progress bar (it is shown only when stderr is a terminal)"},
    {"help", 0, O_HELP, NULL, "show this help"},
};
#define N_OPTS (sizeof opts / sizeof opts[0])

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign audit [options] LOG...   (files, directories, gzip or plain; - for stdin)\n\n"
                 "Phase 1 of a migration: read existing API logs, send every request through the router (the same\n"
                 "scan, classifier and policy as serve), price it, and report what it costs, what could run on a\n"
                 "local node, what sensitive data already left, and which prompt templates to move first.\n"
                 "Nothing leaves the machine; sensitive values are never printed, only counted.\n\nOptions:\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        char left[64];
        if (opts[i].id < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].id, opts[i].name, opts[i].arg ? " " : "",
                     opts[i].arg ? opts[i].arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        fprintf(out, "  %-34s %s\n", left, opts[i].help);
    }
    fprintf(out, "\nFormats (--format NAME; detected per record otherwise):\n");
    const char *summary;
    for (size_t i = 0; sov_audit_format_name(i, &summary); i++)
        fprintf(out, "  %-20s %s\n", sov_audit_format_name(i, NULL), summary);
    fprintf(out, "\nTokens come from the logged usage; where there is none they are estimated (bytes / 4) and the\n"
                 "report says how many. Models without a price are listed as unpriced, never counted as free.\n"
                 "Exit status: 0 done (unreadable records are counted and listed as file:line), 2 bad usage.\n"
                 "See docs/audit.md.\n");
}

static int number(const char *opt, const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(d) || d < min || d > max)
        return sov_cli_usage_error("audit", "--%s: expected a number from %g to %g, got '%s'", opt, min, max, s);
    *out = d;
    return 0;
}

static int load_pricing(struct sov_pricing *p, const char *path)
{
    char *err = NULL;
    size_t len;
    char *text = sov_read_file(path, 16u << 20, &len, &err);
    if (!text) {
        int rc = sov_cli_usage_error("audit", "--pricing %s: %s", path, err ? err : "cannot read");
        free(err);
        return rc;
    }
    struct sov_yaml_node *doc = sov_yaml_parse(text, len, &err);
    free(text);
    if (!doc) {
        int rc = sov_cli_usage_error("audit", "%s: %s", path, err ? err : "invalid YAML");
        free(err);
        return rc;
    }
    const struct sov_yaml_node *node = sov_yaml_get(doc, "pricing");
    int rc = sov_pricing_load(p, node ? node : doc, path, &err);
    sov_yaml_free(doc);
    if (rc) {
        rc = sov_cli_usage_error("audit", "%s: %s", path, err);
        free(err);
        return rc;
    }
    return 0;
}

static int write_file(const char *path, const struct sov_buf *b)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t n = fwrite(b->data, 1, b->len, f);
    int rc = fclose(f);
    return n == b->len && rc == 0 ? 0 : -1;
}

int sov_cmd_audit(int argc, char **argv)
{
    struct option lo[N_OPTS + 1];
    for (size_t i = 0; i < N_OPTS; i++)
        lo[i] = (struct option){opts[i].name, opts[i].has_arg ? required_argument : no_argument, NULL, opts[i].id};
    lo[N_OPTS] = (struct option){NULL, 0, NULL, 0};
    struct sov_audit_opts o;
    sov_audit_opts_default(&o);
    const char *config = NULL, *pricing_file = NULL, *html = NULL;
    bool as_json = false, no_progress = false;
    double top = 10, d;
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":f:c:jh", lo, NULL)) != -1) {
        const char *name = NULL;
        for (size_t i = 0; i < N_OPTS; i++)
            if (opts[i].id == c)
                name = opts[i].name;
        switch (c) {
        case O_FORMAT:
            o.format = optarg;
            break;
        case O_CONFIG:
            config = optarg;
            break;
        case O_PRICING:
            pricing_file = optarg;
            break;
        case O_WORKFLOW:
            if (!*optarg)
                return sov_cli_usage_error("audit", "--workflow-field: give a field name, e.g. user or metadata.app");
            o.workflow_field = optarg;
            break;
        case O_JSON:
            as_json = true;
            break;
        case O_HTML:
            html = optarg;
            break;
        case O_TOP:
            if ((rc = number(name, optarg, 1, 1000, &top)))
                return rc;
            break;
        case O_THREADS:
            if ((rc = number(name, optarg, 1, 64, &d)))
                return rc;
            o.threads = (unsigned)d;
            break;
        case O_EXACT:
            o.exact = true;
            break;
        case O_PERIOD:
            if ((rc = number(name, optarg, 0.001, 36500, &o.period_days)))
                return rc;
            break;
        case O_NO_PROGRESS:
            no_progress = true;
            break;
        case O_MAX_RECORD:
            if ((rc = number(name, optarg, 1024, 1 << 30, &d)))
                return rc;
            o.max_record_bytes = (size_t)d;
            break;
        case O_L_TPS:
            rc = number(name, optarg, 0.001, 1e9, &o.local.tokens_per_s);
            break;
        case O_L_PTPS:
            rc = number(name, optarg, 0.001, 1e9, &o.local.prompt_tokens_per_s);
            break;
        case O_L_HW:
            rc = number(name, optarg, 0, 1e9, &o.local.hardware_usd);
            break;
        case O_L_MONTHS:
            rc = number(name, optarg, 1, 600, &o.local.amortize_months);
            break;
        case O_L_WATTS:
            rc = number(name, optarg, 0, 1e7, &o.local.power_watts);
            break;
        case O_L_KWH:
            rc = number(name, optarg, 0, 100, &o.local.kwh_usd);
            break;
        case O_L_HOURLY:
            rc = number(name, optarg, 0, 1e6, &o.local.hourly_usd);
            break;
        case O_HELP:
            usage(stdout);
            return 0;
        case ':':
            return sov_cli_usage_error("audit", "option '%s' needs a value", argv[optind - 1]);
        default:
            return sov_cli_usage_error("audit", "unknown option '%s' (see 'sovereign audit --help')", argv[optind - 1]);
        }
        if (c >= O_L_TPS && c <= O_L_HOURLY && rc)
            return rc;
    }
    if (optind >= argc)
        return sov_cli_usage_error("audit",
                                   "give one or more logs (files, directories, or - for stdin); see 'sovereign audit --help'");
    bool any_local = o.local.hardware_usd >= 0 || o.local.power_watts >= 0 || o.local.kwh_usd >= 0 || o.local.hourly_usd >= 0;
    if (any_local && o.local.tokens_per_s < 0)
        return sov_cli_usage_error("audit", "the local cost model needs --local-tokens-per-s (the node's throughput)");
    if ((o.local.power_watts >= 0) != (o.local.kwh_usd >= 0))
        return sov_cli_usage_error("audit", "--local-power-watts and --local-kwh-usd go together");
    if (o.format && strcmp(o.format, "auto")) {
        bool known = false;
        for (size_t i = 0; sov_audit_format_name(i, NULL); i++)
            known |= !strcmp(sov_audit_format_name(i, NULL), o.format);
        if (!known)
            return sov_cli_usage_error("audit", "unknown format '%s' (see 'sovereign audit --help')", o.format);
    }
    o.progress = !no_progress && isatty(STDERR_FILENO);
    /* the 4 MB chunks handed to the workers come from the heap and are reused, instead of an
     * mmap/munmap (and a page fault per 4 KB) for each one */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);

    char *err = NULL;
    struct sov_config *cfg = NULL;
    if (config && !(cfg = sov_config_load(config, &err))) {
        rc = sov_cli_usage_error("audit", "%s", err);
        free(err);
        return rc;
    }
    struct sov_pricing *pricing = sov_pricing_new();
    struct sov_router *router = NULL;
    struct sov_audit_result *res = NULL;
    struct sov_buf out = SOV_BUF_INIT(0);
    rc = 0;
    if (!pricing) {
        rc = sov_cli_fail("audit", "out of memory");
        goto done;
    }
    if (cfg && sov_pricing_load(pricing, sov_yaml_get(cfg->root, "pricing"), config, &err) != 0) {
        rc = sov_cli_usage_error("audit", "%s: %s", config, err);
        goto done;
    }
    if (pricing_file && (rc = load_pricing(pricing, pricing_file)))
        goto done;
    if (!(router = sov_router_new(cfg, &err))) {
        rc = sov_cli_usage_error("audit", "%s", err);
        goto done;
    }
    int stdin_count = 0;
    for (int i = optind; i < argc; i++)
        stdin_count += !strcmp(argv[i], "-");
    if (stdin_count > 1) {
        rc = sov_cli_usage_error("audit", "'-' (stdin) may be given once");
        goto done;
    }
    if (sov_audit_run(&o, router, pricing, argv + optind, (size_t)(argc - optind), &res, &err) != 0) {
        rc = sov_cli_usage_error("audit", "%s", err ? err : "failed");
        goto done;
    }
    if (html) {
        struct sov_buf hb = SOV_BUF_INIT(0);
        if (sov_audit_report_html(res, (size_t)top, &hb) != 0 || write_file(html, &hb) != 0) {
            sov_buf_free(&hb);
            rc = sov_cli_fail("audit", "--html %s: %s", html, strerror(errno));
            goto done;
        }
        sov_buf_free(&hb);
    }
    if (as_json)
        sov_audit_report_json(res, (size_t)top, &out);
    else
        sov_audit_report_text(res, (size_t)top, &out);
    if (html && !as_json)
        sov_buf_printf(&out, "\nHTML report: %s\n", html);
    fwrite(out.data, 1, out.len, stdout);
    fflush(stdout);
done:
    free(err);
    sov_buf_free(&out);
    sov_audit_result_free(res);
    sov_router_free(router);
    sov_pricing_free(pricing);
    sov_config_free(cfg);
    return rc;
}
