/*
 * sovereign train: builds the router's task/complexity model from labelled JSONL.
 *
 * Each line: {"messages": [...], "tools": [...]?, "task": "extraction", "group": "...", "complexity": 0.3,
 * "source": "..."} or {"prompt": "...", "task": "..."}. The held-out split is by a hash of "group" when
 * present (so whole templates stay out), else of the line itself. Softmax over the task types plus a
 * logistic complexity head, trained jointly with Adagrad and L2, class-balanced; weights are quantised
 * to int8 and the held-out scores printed are those of the quantised model that is written.
 */
#include "cli/cli.h"
#include "common/util.h"
#include "route/classify.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "train"
#define MAX_DATA 64
#define NSRC 64

struct example {
    json_t *req; /* the whole line's object (features read messages/prompt/tools from it) */
    int task;
    float complexity;
    bool holdout;
    int source;    /* index in sources[] */
    int eval_file; /* -1 for training data, else the --eval file */
};

struct trainer {
    struct example *ex;
    size_t n, alloc;
    char *sources[NSRC];
    int nsrc;
};

/* Complexity when a line has none: a prior by task type (see docs/router-model.md). */
static const float task_prior[SOV_TASK_COUNT] = {0.15f, 0.2f, 0.25f, 0.25f, 0.25f, 0.5f, 0.6f, 0.8f, 0.75f, 0.15f};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: sovereign train --data FILE.jsonl [--data FILE2 ...] --out MODEL [options]\n\n"
            "Trains the router's task-type and complexity model from labelled JSONL lines:\n"
            "  {\"messages\": [...], \"tools\": [...], \"task\": \"extraction\"}  or  {\"prompt\": \"...\", \"task\": \"...\"}\n"
            "optionally with \"group\" (split key: a whole group is held out together), \"complexity\" (0..1)\n"
            "and \"source\" (for the per-source report).\n\n"
            "Options:\n"
            "  --data FILE      labelled JSONL (repeatable)\n"
            "  --eval FILE      extra labelled JSONL scored in full after training, never trained on (repeatable)\n"
            "  --out MODEL      where to write the model\n"
            "  --holdout F      share held out for evaluation (default 0.15)\n"
            "  --seed N         split and shuffle seed (default 1)\n"
            "  --epochs N       passes over the training split (default 12)\n"
            "  --bits N         hashed feature space 2^N (default 15)\n"
            "  --lr F           Adagrad learning rate (default 0.05)\n"
            "  --l2 F           L2 penalty per update (default 1e-6)\n"
            "  --show-errors N  print up to N misclassified held-out examples\n"
            "  --holdout-out F  also write the held-out split to F (labelled JSONL, for sovereign eval --tasks)\n"
            "  -h, --help       show this help\n");
}

static int source_index(struct trainer *t, const char *name)
{
    for (int i = 0; i < t->nsrc; i++)
        if (strcmp(t->sources[i], name) == 0)
            return i;
    if (t->nsrc == NSRC)
        return NSRC - 1;
    t->sources[t->nsrc] = sov_strndup(name, strlen(name));
    return t->sources[t->nsrc] ? t->nsrc++ : 0;
}

/* Reads one JSONL file. Returns 0, or 2 after printing the one-line error. */
static int read_file(struct trainer *t, const char *path, uint32_t permille, uint32_t seed, int eval_file)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sov_cli_usage_error(CMD, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        const char *why = NULL;
        int task = -1;
        if (!o)
            why = je.text;
        else if (!json_is_object(o))
            why = "not a JSON object";
        else if (!json_is_string(json_object_get(o, "task")))
            why = "missing \"task\"";
        else if ((task = sov_task_parse(json_string_value(json_object_get(o, "task")))) < 0)
            why = "unknown task type";
        else if (!json_is_array(json_object_get(o, "messages")) && !json_is_string(json_object_get(o, "prompt")))
            why = "needs \"messages\" (array) or \"prompt\" (string)";
        const json_t *cx = json_object_get(o, "complexity");
        if (!why && cx && (!json_is_number(cx) || json_number_value(cx) < 0 || json_number_value(cx) > 1))
            why = "\"complexity\" must be a number in [0, 1]";
        if (why) {
            json_decref(o);
            rc = sov_cli_usage_error(CMD, "%s:%zu: %s", path, lineno, why);
            break;
        }
        if (t->n == t->alloc) {
            size_t na = t->alloc ? t->alloc * 2 : 4096;
            struct example *ne = realloc(t->ex, na * sizeof *ne);
            if (!ne) {
                json_decref(o);
                rc = sov_cli_fail(CMD, "out of memory");
                break;
            }
            t->ex = ne;
            t->alloc = na;
        }
        struct example *e = &t->ex[t->n++];
        e->req = o;
        e->task = task;
        e->complexity = cx ? (float)json_number_value(cx) : task_prior[task];
        const json_t *g = json_object_get(o, "group");
        e->holdout = json_is_string(g) ? sov_classify_is_holdout(json_string_value(g), json_string_length(g), permille, seed)
                                       : sov_classify_is_holdout(line, (size_t)len, permille, seed);
        const json_t *src = json_object_get(o, "source");
        e->source = source_index(t, json_is_string(src) ? json_string_value(src) : path);
        e->eval_file = eval_file;
    }
    free(line);
    fclose(f);
    return rc;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

struct weights {
    uint32_t bits;
    float *w, *g; /* [buckets][STRIDE] */
    float wd[SOV_CLS_DENSE_COUNT][SOV_CLS_OUTPUTS], gd[SOV_CLS_DENSE_COUNT][SOV_CLS_OUTPUTS];
};

/* The normalisation of feature i of the scratch (its group's 1/sqrt(count)), 0 for unused slots. */
static float feat_norm(const struct sov_classify_scratch *s, uint32_t i)
{
    if (i < s->n_instr)
        return 1.0f / sqrtf((float)s->n_instr);
    if (i >= SOV_CLS_MAX_FEATS - s->n_content)
        return 1.0f / sqrtf((float)s->n_content);
    return 0.0f;
}

static void forward(const struct weights *W, const struct sov_classify_scratch *s, float z[SOV_CLS_OUTPUTS])
{
    float acc[SOV_CLS_STRIDE] = {0};
    for (uint32_t i = 0; i < SOV_CLS_MAX_FEATS; i++) {
        if (i == s->n_instr)
            i = SOV_CLS_MAX_FEATS - s->n_content;
        if (i >= SOV_CLS_MAX_FEATS)
            break;
        float nm = feat_norm(s, i);
        const float *row = W->w + (size_t)s->feats[i] * SOV_CLS_STRIDE;
        for (int k = 0; k < SOV_CLS_OUTPUTS; k++)
            acc[k] += row[k] * nm;
    }
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++) {
        float v = acc[k];
        for (int j = 0; j < SOV_CLS_DENSE_COUNT; j++)
            v += W->wd[j][k] * s->dense[j];
        z[k] = v;
    }
}

static void train(struct trainer *t, struct weights *W, struct sov_classify_scratch *s, int epochs, float lr, float l2,
                  uint64_t seed)
{
    size_t ntrain = 0, count[SOV_TASK_COUNT] = {0};
    size_t *order = malloc(t->n * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < t->n; i++)
        if (!t->ex[i].holdout && t->ex[i].eval_file < 0) {
            order[ntrain++] = i;
            count[t->ex[i].task]++;
        }
    float cw[SOV_TASK_COUNT];
    for (int k = 0; k < SOV_TASK_COUNT; k++) {
        float v = count[k] ? (float)ntrain / (float)(SOV_TASK_COUNT * count[k]) : 1.0f;
        cw[k] = v < 0.2f ? 0.2f : v > 5.0f ? 5.0f : v;
    }
    uint64_t rs = seed * 0x9e3779b97f4a7c15ull + 1;
    for (int ep = 0; ep < epochs; ep++) {
        for (size_t i = ntrain; i > 1; i--) {
            size_t j = rng_next(&rs) % i;
            size_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        double loss = 0;
        size_t correct = 0;
        for (size_t oi = 0; oi < ntrain; oi++) {
            struct example *e = &t->ex[order[oi]];
            sov_classify_features(s, W->bits, e->req);
            float z[SOV_CLS_OUTPUTS];
            forward(W, s, z);
            float mx = z[0];
            int best = 0;
            for (int k = 1; k < SOV_TASK_COUNT; k++)
                if (z[k] > mx)
                    mx = z[k], best = k;
            correct += best == e->task;
            float p[SOV_CLS_OUTPUTS], sum = 0;
            for (int k = 0; k < SOV_TASK_COUNT; k++)
                sum += p[k] = expf(z[k] - mx);
            float g[SOV_CLS_OUTPUTS];
            float wgt = cw[e->task];
            for (int k = 0; k < SOV_TASK_COUNT; k++) {
                p[k] /= sum;
                g[k] = (p[k] - (k == e->task ? 1.0f : 0.0f)) * wgt;
            }
            loss -= log(p[e->task] + 1e-9);
            float sc = 1.0f / (1.0f + expf(-z[SOV_TASK_COUNT]));
            g[SOV_TASK_COUNT] = sc - e->complexity;
            for (uint32_t i = 0; i < SOV_CLS_MAX_FEATS; i++) {
                if (i == s->n_instr)
                    i = SOV_CLS_MAX_FEATS - s->n_content;
                if (i >= SOV_CLS_MAX_FEATS)
                    break;
                float norm = feat_norm(s, i);
                float *row = W->w + (size_t)s->feats[i] * SOV_CLS_STRIDE;
                float *acc = W->g + (size_t)s->feats[i] * SOV_CLS_STRIDE;
                for (int k = 0; k < SOV_CLS_OUTPUTS; k++) {
                    float gr = g[k] * norm + l2 * row[k];
                    acc[k] += gr * gr;
                    row[k] -= lr * gr / sqrtf(acc[k] + 1e-8f);
                }
            }
            for (int j = 0; j < SOV_CLS_DENSE_COUNT; j++) {
                if (s->dense[j] == 0.0f)
                    continue;
                for (int k = 0; k < SOV_CLS_OUTPUTS; k++) {
                    float gr = g[k] * s->dense[j] + l2 * W->wd[j][k];
                    W->gd[j][k] += gr * gr;
                    W->wd[j][k] -= lr * gr / sqrtf(W->gd[j][k] + 1e-8f);
                }
            }
        }
        printf("epoch %d: loss %.4f, training accuracy %.4f\n", ep + 1, loss / (double)(ntrain ? ntrain : 1),
               (double)correct / (double)(ntrain ? ntrain : 1));
        fflush(stdout);
    }
    free(order);
}

static void quantise(const struct weights *W, struct sov_classifier *c)
{
    size_t nb = (size_t)1 << W->bits;
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++) {
        float mx = 0;
        for (size_t b = 0; b < nb; b++) {
            float v = fabsf(W->w[b * SOV_CLS_STRIDE + k]);
            if (v > mx)
                mx = v;
        }
        c->scale[k] = mx > 0 ? mx / 127.0f : 1.0f;
        c->bias[k] = 0;
        for (size_t b = 0; b < nb; b++) {
            float q = roundf(W->w[b * SOV_CLS_STRIDE + k] / c->scale[k]);
            c->hashed[b * SOV_CLS_STRIDE + k] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
        }
        for (int j = 0; j < SOV_CLS_DENSE_COUNT; j++)
            c->dense[j][k] = W->wd[j][k];
    }
}

/* Scores the examples selected by (holdout, eval_file) and prints the report. */
static int show_errors; /* --show-errors N: print up to N misclassified held-out examples */

/* A one-line preview of an example: the last user message's first 100 bytes. */
static void preview(const json_t *req, char out[104])
{
    const char *txt = json_string_value(json_object_get(req, "prompt"));
    const json_t *msgs = json_object_get(req, "messages");
    for (size_t i = json_array_size(msgs); !txt && i > 0; i--) {
        const json_t *m = json_array_get(msgs, i - 1);
        const char *role = json_string_value(json_object_get(m, "role"));
        if (role && strcmp(role, "user") == 0)
            txt = json_string_value(json_object_get(m, "content"));
    }
    size_t n = 0;
    for (; txt && txt[n] && n < 100; n++)
        out[n] = (txt[n] == '\n' || txt[n] == '\r' || txt[n] == '\t') ? ' ' : txt[n];
    out[n] = '\0';
}

static void report(const char *title, struct trainer *t, const struct sov_classifier *c, struct sov_classify_scratch *s,
                   bool holdout, int eval_file)
{
    int errors_left = holdout || eval_file >= 0 ? show_errors : 0;
    size_t conf[SOV_TASK_COUNT][SOV_TASK_COUNT] = {{0}};
    size_t n = 0, ok = 0, kind_ok = 0;
    size_t src_n[NSRC] = {0}, src_ok[NSRC] = {0};
    double cx_sum[SOV_TASK_COUNT] = {0};
    double cx_err = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct example *e = &t->ex[i];
        if (e->eval_file != eval_file || (eval_file < 0 && e->holdout != holdout))
            continue;
        float probs[SOV_TASK_COUNT], cx;
        int pred = sov_classify(c, s, e->req, probs, &cx);
        if (pred < 0)
            continue;
        n++;
        if (pred != e->task && errors_left > 0) {
            char pv[104];
            preview(e->req, pv);
            printf("  miss %-14s -> %-14s %s\n", sov_task_name((enum sov_task)e->task), sov_task_name((enum sov_task)pred), pv);
            errors_left--;
        }
        conf[e->task][pred]++;
        ok += pred == e->task;
        kind_ok += sov_task_is_local_kind((enum sov_task)pred) == sov_task_is_local_kind((enum sov_task)e->task);
        src_n[e->source]++;
        src_ok[e->source] += pred == e->task;
        cx_sum[e->task] += cx;
        cx_err += fabs(cx - e->complexity);
    }
    printf("\n== %s: %zu examples\n", title, n);
    if (!n)
        return;
    printf("task accuracy %.4f, local-vs-cloud kind accuracy %.4f, complexity mean abs error %.3f\n", (double)ok / (double)n,
           (double)kind_ok / (double)n, cx_err / (double)n);
    printf("%-15s %6s %8s %9s %6s %10s\n", "task", "n", "recall", "precision", "f1", "complexity");
    for (int k = 0; k < SOV_TASK_COUNT; k++) {
        size_t row = 0, col = 0;
        for (int j = 0; j < SOV_TASK_COUNT; j++)
            row += conf[k][j], col += conf[j][k];
        double r = row ? (double)conf[k][k] / (double)row : 0, p = col ? (double)conf[k][k] / (double)col : 0;
        printf("%-15s %6zu %8.3f %9.3f %6.3f %10.3f\n", sov_task_name((enum sov_task)k), row, r, p,
               r + p > 0 ? 2 * r * p / (r + p) : 0, row ? cx_sum[k] / (double)row : 0);
    }
    printf("confusion (rows: true, columns: predicted)\n%-15s", "");
    for (int j = 0; j < SOV_TASK_COUNT; j++)
        printf(" %6.6s", sov_task_name((enum sov_task)j));
    printf("\n");
    for (int k = 0; k < SOV_TASK_COUNT; k++) {
        printf("%-15s", sov_task_name((enum sov_task)k));
        for (int j = 0; j < SOV_TASK_COUNT; j++)
            printf(" %6zu", conf[k][j]);
        printf("\n");
    }
    printf("by source:\n");
    for (int i = 0; i < t->nsrc; i++)
        if (src_n[i])
            printf("  %-32s %6zu  %.3f\n", t->sources[i], src_n[i], (double)src_ok[i] / (double)src_n[i]);
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int sov_cmd_train(int argc, char **argv)
{
    const char *data[MAX_DATA], *evals[MAX_DATA], *out = NULL, *holdout_out = NULL;
    int ndata = 0, neval = 0;
    double holdout = 0.15, seed = 1, epochs = 12, bits = 15, lr = 0.05, l2 = 1e-6;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (sov_cli_is_help(a)) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return sov_cli_usage_error(CMD, "'%s' needs a value or is unknown (see --help)", a);
        const char *v = argv[++i];
        bool ok = true;
        if (strcmp(a, "--data") == 0) {
            if (ndata == MAX_DATA)
                return sov_cli_usage_error(CMD, "too many --data files");
            data[ndata++] = v;
        } else if (strcmp(a, "--eval") == 0) {
            if (neval == MAX_DATA)
                return sov_cli_usage_error(CMD, "too many --eval files");
            evals[neval++] = v;
        } else if (strcmp(a, "--out") == 0)
            out = v;
        else if (strcmp(a, "--holdout-out") == 0)
            holdout_out = v;
        else if (strcmp(a, "--holdout") == 0)
            ok = parse_num(v, 0, 0.9, &holdout);
        else if (strcmp(a, "--seed") == 0)
            ok = parse_num(v, 0, 4294967295.0, &seed) && seed == floor(seed);
        else if (strcmp(a, "--epochs") == 0)
            ok = parse_num(v, 1, 1000, &epochs) && epochs == floor(epochs);
        else if (strcmp(a, "--bits") == 0)
            ok = parse_num(v, 10, 24, &bits) && bits == floor(bits);
        else if (strcmp(a, "--lr") == 0)
            ok = parse_num(v, 1e-6, 10, &lr);
        else if (strcmp(a, "--l2") == 0)
            ok = parse_num(v, 0, 1, &l2);
        else if (strcmp(a, "--show-errors") == 0) {
            double se = 0;
            ok = parse_num(v, 0, 1e6, &se);
            show_errors = (int)se;
        } else
            return sov_cli_usage_error(CMD, "unknown option '%s' (see --help)", a);
        if (!ok)
            return sov_cli_usage_error(CMD, "bad value '%s' for %s", v, a);
    }
    if (!ndata)
        return sov_cli_usage_error(CMD, "no --data file given (see --help)");
    if (!out)
        return sov_cli_usage_error(CMD, "no --out given (see --help)");

    uint32_t permille = (uint32_t)lround(holdout * 1000);
    struct trainer t = {0};
    int rc = 0;
    for (int i = 0; i < ndata && !rc; i++)
        rc = read_file(&t, data[i], permille, (uint32_t)seed, -1);
    for (int i = 0; i < neval && !rc; i++)
        rc = read_file(&t, evals[i], permille, (uint32_t)seed, i);
    struct sov_classify_scratch *s = sov_classify_scratch_new();
    struct sov_classifier *c = NULL;
    struct weights W = {.bits = (uint32_t)bits};
    size_t nb = (size_t)1 << W.bits;
    if (!rc) {
        W.w = calloc(nb * SOV_CLS_STRIDE, sizeof(float));
        W.g = calloc(nb * SOV_CLS_STRIDE, sizeof(float));
        c = sov_classifier_new(W.bits);
        if (!s || !W.w || !W.g || !c)
            rc = sov_cli_fail(CMD, "out of memory");
    }
    if (!rc) {
        size_t nh = 0, ntr = 0, per[SOV_TASK_COUNT] = {0};
        for (size_t i = 0; i < t.n; i++)
            if (t.ex[i].eval_file < 0) {
                t.ex[i].holdout ? nh++ : ntr++;
                per[t.ex[i].task]++;
            }
        printf("examples: %zu training, %zu held out (holdout %.3f, seed %u)\n", ntr, nh, permille / 1000.0, (uint32_t)seed);
        for (int k = 0; k < SOV_TASK_COUNT; k++)
            printf("  %-15s %6zu\n", sov_task_name((enum sov_task)k), per[k]);
        if (holdout_out) {
            /* the held-out split as labelled JSONL, for `sovereign eval --tasks` (policy-applied accuracy) */
            FILE *hf = fopen(holdout_out, "w");
            if (!hf)
                rc = sov_cli_usage_error(CMD, "%s: %s", holdout_out, strerror(errno));
            for (size_t i = 0; hf && i < t.n; i++)
                if (t.ex[i].holdout && t.ex[i].eval_file < 0 && json_dumpf(t.ex[i].req, hf, JSON_COMPACT) == 0)
                    fputc('\n', hf);
            if (hf && fclose(hf) != 0)
                rc = sov_cli_fail(CMD, "%s: cannot write", holdout_out);
        }
    }
    if (!rc) {
        uint64_t t0 = sov_now_ns();
        train(&t, &W, s, (int)epochs, (float)lr, (float)l2, (uint64_t)seed);
        printf("trained in %.1f s\n", (double)(sov_now_ns() - t0) / 1e9);
        quantise(&W, c);
        c->holdout_permille = permille;
        c->split_seed = (uint32_t)seed;
        report("training split", &t, c, s, false, -1);
        report("held-out split", &t, c, s, true, -1);
        for (int i = 0; i < neval; i++)
            report(evals[i], &t, c, s, false, i);
        char *err = NULL;
        if (sov_classifier_save(c, out, &err) < 0) {
            rc = sov_cli_fail(CMD, "%s", err ? err : "cannot write the model");
            free(err);
        } else {
            printf("\nwrote %s (%zu bytes)\n", out, sov_classifier_file_size(c));
        }
    }
    sov_classifier_free(c);
    sov_classify_scratch_free(s);
    free(W.w);
    free(W.g);
    for (size_t i = 0; i < t.n; i++)
        json_decref(t.ex[i].req);
    free(t.ex);
    for (int i = 0; i < t.nsrc; i++)
        free(t.sources[i]);
    return rc;
}
