/* sovereign eval: how good the router's judgment is, on labelled data. */
#include "cli/cli.h"
#include "common/buf.h"
#include "common/csv.h"
#include "common/util.h"
#include "config/config.h"
#include "route/router.h"
#include "sensitive/eval.h"
#include "sovereign/sovereign.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: sovereign eval [--config FILE] [--tasks FILE.jsonl]... [--pii DIR] [--routellm DIR] [--json]\n\n"
            "Measure the router on labelled data.\n\n"
            "  --tasks FILE     labelled JSONL ({\"messages\": [...]} or {\"prompt\": \"...\"}, with \"task\" and\n"
            "                   optionally \"route\"): accuracy per task type, the confusion matrix, local-kind vs\n"
            "                   cloud-kind accuracy and local/cloud decision accuracy (repeatable)\n"
            "  --pii DIR        precision and recall per entity type on the PII corpora under DIR\n"
            "                   (../shared/data: presidio, pii_synthetic, detect_secrets)\n"
            "  --routellm DIR   the cost-quality curve on RouteLLM's MMLU outcomes (DIR/responses/*.csv: whether\n"
            "                   a weak and a strong model answered each question correctly): share sent to the\n"
            "                   cloud (the most complex first) against accuracy, next to random routing\n"
            "  -c, --config F   the router, policy and sensitive sections (default: built-in)\n"
            "  -j, --json       machine output\n"
            "  -h, --help       show this help\n");
}

/* ---- tasks ---------------------------------------------------------------------------------------- */

struct task_eval {
    size_t n, correct, kind_correct, route_correct, bad_lines;
    size_t per_n[SOV_TASK_COUNT], per_ok[SOV_TASK_COUNT];
    size_t confusion[SOV_TASK_COUNT][SOV_TASK_COUNT]; /* [gold][predicted] */
};

static int eval_tasks(const char *path, struct sov_router *r, struct sov_router_scratch *s, struct task_eval *te)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sov_cli_usage_error("eval", "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n <= 1)
            continue;
        json_t *j = json_loadb(line, (size_t)n, 0, NULL);
        int gold = sov_task_parse(json_string_value(json_object_get(j, "task")));
        json_t *req = j;
        if (j && !json_object_get(j, "messages") && json_is_string(json_object_get(j, "prompt"))) {
            req = json_pack("{s:[{s:s,s:O}]}", "messages", "role", "user", "content", json_object_get(j, "prompt"));
        } else if (j) {
            json_incref(req);
        }
        struct sov_decision d;
        if (!j || gold < 0 || !req || sov_router_decide(r, s, req, NULL, NULL, &d) != 0) {
            fprintf(stderr, "sovereign eval: %s:%zu: skipped (not a labelled chat request)\n", path, lineno);
            te->bad_lines++;
        } else {
            te->n++;
            te->per_n[gold]++;
            te->confusion[gold][d.task]++;
            if ((int)d.task == gold) {
                te->correct++;
                te->per_ok[gold]++;
            }
            bool gold_local = sov_task_is_local_kind((enum sov_task)gold);
            te->kind_correct += sov_task_is_local_kind(d.task) == gold_local;
            const char *want = json_string_value(json_object_get(j, "route"));
            enum sov_route wr = want ? (!strcmp(want, "local") ? SOV_ROUTE_LOCAL : SOV_ROUTE_CLOUD)
                                     : (gold_local ? SOV_ROUTE_LOCAL : SOV_ROUTE_CLOUD);
            te->route_correct += d.route == wr;
        }
        json_decref(req);
        json_decref(j);
    }
    free(line);
    fclose(f);
    return 0;
}

static void print_tasks(const struct task_eval *te)
{
    printf("Task types: %zu labelled requests\n\n", te->n);
    printf("  %-15s %6s %8s\n", "task", "n", "accuracy");
    for (int t = 0; t < SOV_TASK_COUNT; t++)
        if (te->per_n[t])
            printf("  %-15s %6zu %8.3f\n", sov_task_name((enum sov_task)t), te->per_n[t],
                   (double)te->per_ok[t] / (double)te->per_n[t]);
    printf("  %-15s %6zu %8.3f\n\n", "all", te->n, te->n ? (double)te->correct / (double)te->n : 0);
    printf("Confusion matrix (rows: label, columns: predicted)\n%16s", "");
    for (int t = 0; t < SOV_TASK_COUNT; t++)
        printf(" %6.6s", sov_task_name((enum sov_task)t));
    printf("\n");
    for (int g = 0; g < SOV_TASK_COUNT; g++) {
        if (!te->per_n[g])
            continue;
        printf("  %-14s", sov_task_name((enum sov_task)g));
        for (int p = 0; p < SOV_TASK_COUNT; p++)
            printf(" %6zu", te->confusion[g][p]);
        printf("\n");
    }
    printf("\nLocal-kind vs cloud-kind task accuracy: %.3f\n", te->n ? (double)te->kind_correct / (double)te->n : 0);
    printf("Local/cloud decision accuracy (policy applied): %.3f\n\n", te->n ? (double)te->route_correct / (double)te->n : 0);
}

static void json_tasks(const struct task_eval *te, json_t *out)
{
    json_t *per = json_object();
    for (int t = 0; t < SOV_TASK_COUNT; t++)
        if (te->per_n[t])
            json_object_set_new(per, sov_task_name((enum sov_task)t),
                                json_pack("{s:I,s:I,s:f}", "n", (json_int_t)te->per_n[t], "correct", (json_int_t)te->per_ok[t],
                                          "accuracy", (double)te->per_ok[t] / (double)te->per_n[t]));
    json_t *conf = json_array();
    for (int g = 0; g < SOV_TASK_COUNT; g++) {
        json_t *row = json_array();
        for (int p = 0; p < SOV_TASK_COUNT; p++)
            json_array_append_new(row, json_integer((json_int_t)te->confusion[g][p]));
        json_array_append_new(conf, row);
    }
    json_t *labels = json_array();
    for (int t = 0; t < SOV_TASK_COUNT; t++)
        json_array_append_new(labels, json_string(sov_task_name((enum sov_task)t)));
    double n = te->n ? (double)te->n : 1;
    json_object_set_new(out, "tasks",
                        json_pack("{s:I,s:I,s:f,s:o,s:o,s:o,s:f,s:f}", "n", (json_int_t)te->n, "skipped", (json_int_t)te->bad_lines,
                                  "accuracy", (double)te->correct / n, "per_task", per, "labels", labels, "confusion", conf,
                                  "kind_accuracy", (double)te->kind_correct / n, "route_accuracy",
                                  (double)te->route_correct / n));
}

/* ---- RouteLLM MMLU: cost-quality curve ------------------------------------------------------------ */

struct item {
    float complexity;
    bool weak, strong;
};

static int cmp_item(const void *a, const void *b)
{
    float x = ((const struct item *)a)->complexity, y = ((const struct item *)b)->complexity;
    return x < y ? 1 : x > y ? -1 : 0; /* most complex first */
}

static int load_routellm(const char *dir, struct sov_router *r, struct sov_router_scratch *s, struct item **items, size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/responses", dir);
    DIR *d = opendir(path);
    if (!d)
        return sov_cli_usage_error("eval", "%s: %s", path, strerror(errno));
    size_t cap = 0;
    struct dirent *e;
    struct sov_buf rec = SOV_BUF_INIT(1u << 20);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".csv"))
            continue;
        char file[4608];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        size_t len;
        char *err = NULL;
        char *text = sov_read_file(file, 256u << 20, &len, &err);
        if (!text) {
            fprintf(stderr, "sovereign eval: %s\n", err);
            free(err);
            continue;
        }
        struct sov_csv csv;
        sov_csv_init(&csv, text, len);
        size_t nf;
        bool header = true;
        while (sov_csv_next(&csv, &rec, &nf) == 1) {
            if (header) {
                header = false;
                continue;
            }
            if (nf < 3)
                continue;
            const char *prompt = sov_csv_field(&rec, nf, 0);
            json_t *req = json_pack("{s:[{s:s,s:s}]}", "messages", "role", "user", "content", prompt);
            struct sov_decision dec;
            if (req && sov_router_decide(r, s, req, NULL, NULL, &dec) == 0) {
                if (*n == cap) {
                    cap = cap ? cap * 2 : 4096;
                    struct item *ni = realloc(*items, cap * sizeof *ni);
                    if (!ni)
                        break;
                    *items = ni;
                }
                (*items)[(*n)++] = (struct item){dec.complexity, !strcmp(sov_csv_field(&rec, nf, 1), "True"),
                                                 !strcmp(sov_csv_field(&rec, nf, 2), "True")};
            }
            json_decref(req);
        }
        free(text);
    }
    sov_buf_free(&rec);
    closedir(d);
    if (!*n)
        return sov_cli_usage_error("eval", "%s: no MMLU outcome rows found", path);
    return 0;
}

static void routellm_curve(struct item *it, size_t n, bool as_json, json_t *out)
{
    qsort(it, n, sizeof *it, cmp_item);
    size_t weak = 0, strong = 0;
    for (size_t i = 0; i < n; i++)
        weak += it[i].weak, strong += it[i].strong;
    double aw = (double)weak / (double)n, as = (double)strong / (double)n;
    json_t *curve = json_array();
    if (!as_json) {
        printf("RouteLLM MMLU: %zu questions; weak (local-class) model accuracy %.3f, strong (cloud) %.3f\n\n", n, aw, as);
        printf("  %-12s %-10s %-10s %s\n", "cloud share", "accuracy", "random", "gain over random");
    }
    double auc = 0, auc_rand = 0, prev_acc = aw, prev_rand = aw;
    for (int pct = 0; pct <= 100; pct += 10) {
        size_t k = (size_t)((double)n * pct / 100.0 + 0.5);
        size_t ok = 0;
        for (size_t i = 0; i < n; i++)
            ok += i < k ? it[i].strong : it[i].weak;
        double acc = (double)ok / (double)n, rnd = aw + (as - aw) * pct / 100.0;
        if (pct) {
            auc += (acc + prev_acc) / 2 * 0.1;
            auc_rand += (rnd + prev_rand) / 2 * 0.1;
        }
        prev_acc = acc, prev_rand = rnd;
        if (as_json)
            json_array_append_new(curve, json_pack("{s:f,s:f,s:f}", "cloud_share", pct / 100.0, "accuracy", acc,
                                                   "random_accuracy", rnd));
        else
            printf("  %10d%% %10.3f %10.3f %+10.3f\n", pct, acc, rnd, acc - rnd);
    }
    if (as_json) {
        json_object_set_new(out, "routellm", json_pack("{s:I,s:f,s:f,s:o,s:f,s:f}", "n", (json_int_t)n, "weak_accuracy", aw,
                                                       "strong_accuracy", as, "curve", curve, "auc", auc, "random_auc", auc_rand));
    } else {
        json_decref(curve);
        printf("\n  area under the curve %.4f, random routing %.4f\n\n", auc, auc_rand);
    }
}

/* ---- PII ------------------------------------------------------------------------------------------ */

static void json_pii(const struct sov_pii_eval *ev, size_t n, json_t *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *types = json_object();
        for (int t = 0; t < SOV_PII_COUNT; t++) {
            if (!ev[i].has_type[t])
                continue;
            const struct sov_pii_eval_counts *c = &ev[i].c[t];
            double p = sov_pii_eval_precision(c), r = sov_pii_eval_recall(c);
            json_t *o = json_pack("{s:I,s:I,s:o,s:o}", "gold", (json_int_t)c->n_gold, "predicted", (json_int_t)c->n_pred, "precision",
                                  isnan(p) ? json_null() : json_real(p), "recall", isnan(r) ? json_null() : json_real(r));
            /* the counts behind the second reading (sensitive/eval.h); the scores above stay the standard ones */
            if (c->n_gold_not_issue) {
                json_object_set_new(o, "gold_not_issue", json_integer((json_int_t)c->n_gold_not_issue));
                json_object_set_new(o, "found_not_issue", json_integer((json_int_t)c->tp_gold_not_issue));
            }
            if (c->fp_unlabelled)
                json_object_set_new(o, "false_alarms_unlabelled_password", json_integer((json_int_t)c->fp_unlabelled));
            json_object_set_new(types, sov_pii_type_name((enum sov_pii_type)t), o);
        }
        json_array_append_new(arr, json_pack("{s:s,s:b,s:I,s:o}", "corpus", ev[i].name, "held_out", ev[i].held_out, "texts",
                                             (json_int_t)ev[i].n_texts, "types", types));
    }
    json_object_set_new(out, "pii", arr);
}

int sov_cmd_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"tasks", required_argument, NULL, 't'},
        {"pii", required_argument, NULL, 'p'},    {"routellm", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *pii = NULL, *routellm = NULL;
    const char *tasks[32];
    size_t n_tasks = 0;
    bool as_json = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 't':
            if (n_tasks == 32)
                return sov_cli_usage_error("eval", "at most 32 --tasks files");
            tasks[n_tasks++] = optarg;
            break;
        case 'p': pii = optarg; break;
        case 'r': routellm = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        case ':': return sov_cli_usage_error("eval", "option '%s' needs a value", argv[optind - 1]);
        default: return sov_cli_usage_error("eval", "unknown option '%s' (see 'sovereign eval --help')", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return sov_cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
    if (!n_tasks && !pii && !routellm)
        return sov_cli_usage_error("eval", "nothing to evaluate: give --tasks, --pii or --routellm (see 'sovereign eval --help')");
    char *err = NULL;
    struct sov_config *cfg = NULL;
    if (config && !(cfg = sov_config_load(config, &err))) {
        int rc = sov_cli_usage_error("eval", "%s", err);
        free(err);
        return rc;
    }
    struct sov_router *r = sov_router_new(cfg, &err);
    if (!r) {
        int rc = sov_cli_usage_error("eval", "%s", err);
        free(err);
        sov_config_free(cfg);
        return rc;
    }
    struct sov_router_scratch *s = sov_router_scratch_new(r);
    json_t *out = json_object();
    int rc = 0;
    if (n_tasks) {
        struct task_eval te;
        memset(&te, 0, sizeof te);
        for (size_t i = 0; i < n_tasks && !rc; i++)
            rc = eval_tasks(tasks[i], r, s, &te);
        if (!rc) {
            if (as_json)
                json_tasks(&te, out);
            else
                print_tasks(&te);
        }
    }
    if (!rc && pii) {
        /* the scanner of the configuration: a config with custom terms is evaluated as it will run */
        const struct sov_yaml_node *sec = cfg ? sov_yaml_get(cfg->root, "sensitive") : NULL;
        struct sov_scanner *sc = sov_scanner_new(sec, &err);
        struct sov_pii_eval *ev = NULL;
        size_t n = 0;
        if (!sc || sov_pii_eval_all(sc, pii, &ev, &n, &err) != 0) {
            rc = sov_cli_usage_error("eval", "%s", err ? err : "PII evaluation failed");
            free(err);
        } else if (as_json) {
            json_pii(ev, n, out);
        } else {
            sov_pii_eval_print(stdout, ev, n);
            printf("\n");
        }
        free(ev);
        sov_scanner_free(sc);
    }
    if (!rc && routellm) {
        struct item *items = NULL;
        size_t n = 0;
        rc = load_routellm(routellm, r, s, &items, &n);
        if (!rc)
            routellm_curve(items, n, as_json, out);
        free(items);
    }
    if (!rc && as_json) {
        char *text = json_dumps(out, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
    }
    json_decref(out);
    sov_router_scratch_free(s);
    sov_router_free(r);
    sov_config_free(cfg);
    return rc;
}
