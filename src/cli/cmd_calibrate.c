/* sovereign calibrate: pick the complexity threshold that sends a target share of a prompt set local. */
#include "cli/cli.h"
#include "common/buf.h"
#include "config/config.h"
#include "route/policy.h"
#include "route/router.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign calibrate --target-local-share S [--config FILE] [--json] PROMPTS.jsonl\n\n"
                 "Pick the complexity threshold (complexity_below) of the policy's rules so that share S (0..1) of\n"
                 "the prompt set goes local, by quantile calibration over the router's complexity scores, and print\n"
                 "the resulting rules. PROMPTS.jsonl: one OpenAI chat request body per line (or {\"prompt\": \"...\"}).\n\n"
                 "  -s, --target-local-share S  the share of requests to keep local, e.g. 0.4\n"
                 "  -c, --config FILE           the policy to calibrate (default: the built-in policy)\n"
                 "  -j, --json                  machine output: threshold, achieved share, rules\n"
                 "  -h, --help                  show this help\n");
}

struct facts {
    struct sov_policy_facts f;
};

static double local_share(struct sov_policy *p, const struct facts *fs, size_t n, float t)
{
    sov_policy_set_threshold(p, t);
    size_t local = 0;
    for (size_t i = 0; i < n; i++) {
        struct sov_policy_result r;
        sov_policy_eval(p, &fs[i].f, &r);
        local += r.route == SOV_ROUTE_LOCAL;
    }
    return (double)local / (double)n;
}

int sov_cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target-local-share", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},                     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL;
    double target = -1;
    bool as_json = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:c:jh", opts, NULL)) != -1) {
        switch (c) {
        case 's': {
            char *end;
            target = strtod(optarg, &end);
            if (*end || end == optarg || !(target >= 0 && target <= 1))
                return sov_cli_usage_error("calibrate", "--target-local-share must be a number in [0, 1], got '%s'", optarg);
            break;
        }
        case 'c': config = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        case ':': return sov_cli_usage_error("calibrate", "option '%s' needs a value", argv[optind - 1]);
        default:
            return sov_cli_usage_error("calibrate", "unknown option '%s' (see 'sovereign calibrate --help')", argv[optind - 1]);
        }
    }
    if (target < 0)
        return sov_cli_usage_error("calibrate", "--target-local-share S is required");
    if (optind + 1 != argc)
        return sov_cli_usage_error("calibrate", "give one PROMPTS.jsonl file");
    const char *path = argv[optind];
    char *err = NULL;
    struct sov_config *cfg = NULL;
    if (config && !(cfg = sov_config_load(config, &err))) {
        int rc = sov_cli_usage_error("calibrate", "%s", err);
        free(err);
        return rc;
    }
    struct sov_router *r = sov_router_new(cfg, &err);
    struct sov_policy *p = r ? sov_policy_new(sov_yaml_get(cfg ? cfg->root : NULL, "policy"),
                                              sov_yaml_get(cfg ? cfg->root : NULL, "router"), &err)
                             : NULL;
    if (!p) {
        int rc = sov_cli_usage_error("calibrate", "%s", err);
        free(err);
        sov_router_free(r);
        sov_config_free(cfg);
        return rc;
    }
    int rc = 0;
    FILE *f = fopen(path, "r");
    struct facts *fs = NULL;
    size_t n = 0, cap = 0, lineno = 0, skipped = 0;
    if (!f) {
        rc = sov_cli_usage_error("calibrate", "%s: %s", path, strerror(errno));
        goto out;
    }
    struct sov_router_scratch *s = sov_router_scratch_new(r);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        if (len <= 1)
            continue;
        json_t *j = json_loadb(line, (size_t)len, 0, NULL);
        if (j && !json_object_get(j, "messages") && json_is_string(json_object_get(j, "prompt"))) {
            json_t *req = json_pack("{s:[{s:s,s:O}]}", "messages", "role", "user", "content", json_object_get(j, "prompt"));
            json_decref(j);
            j = req;
        }
        struct sov_decision d;
        if (!j || sov_router_decide(r, s, j, NULL, NULL, &d) != 0) {
            skipped++;
        } else {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                struct facts *nf = realloc(fs, cap * sizeof *nf);
                if (!nf) {
                    json_decref(j);
                    break;
                }
                fs = nf;
            }
            fs[n++].f = (struct sov_policy_facts){d.task, d.complexity, d.sensitive_types, NULL, NULL};
        }
        json_decref(j);
    }
    free(line);
    sov_router_scratch_free(s);
    fclose(f);
    if (!n) {
        rc = sov_cli_usage_error("calibrate", "%s: no chat requests found", path);
        goto out;
    }
    if (sov_policy_set_threshold(p, 0.5f) == 0) {
        rc = sov_cli_usage_error("calibrate", "the policy has no rule with complexity_below: nothing to calibrate");
        goto out;
    }
    /* the local share grows with the threshold: bisect on [0, 1] */
    float lo = 0, hi = 1.0001f;
    double s_lo = local_share(p, fs, n, lo), s_hi = local_share(p, fs, n, hi);
    if (target <= s_lo) {
        hi = lo;
    } else if (target >= s_hi) {
        lo = hi;
    } else {
        for (int i = 0; i < 40; i++) {
            float mid = (lo + hi) / 2;
            if (local_share(p, fs, n, mid) < target)
                lo = mid;
            else
                hi = mid;
        }
    }
    float t = hi > 1 ? 1 : hi;
    double got = local_share(p, fs, n, t);
    struct sov_buf o = SOV_BUF_INIT(0);
    sov_policy_dump(p, &o);
    if (as_json) {
        json_t *j = json_pack("{s:f,s:f,s:f,s:I,s:I,s:f,s:f,s:s}", "target_local_share", target, "threshold", (double)t,
                              "local_share", got, "prompts", (json_int_t)n, "skipped", (json_int_t)skipped, "min_share", s_lo,
                              "max_share", s_hi, "policy_yaml", o.data);
        char *text = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
        json_decref(j);
    } else {
        printf("%zu prompts%s; complexity threshold %.4f sends %.1f%% local (target %.1f%%; reachable %.1f%%..%.1f%%)\n\n",
               n, skipped ? " (some lines skipped)" : "", (double)t, got * 100, target * 100, s_lo * 100, s_hi * 100);
        printf("%s", o.data);
    }
    sov_buf_free(&o);
out:
    free(fs);
    sov_policy_free(p);
    sov_router_free(r);
    sov_config_free(cfg);
    return rc;
}
