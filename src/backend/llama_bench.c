/* GGUF targets of `sovereign bench`: a model loaded in-process (through src/backend/llama_node.h),
 * answering the prompt set one request at a time with greedy decoding, then (for --compare) its
 * perplexity on a text. */
#include "backend/llama_node.h"
#include "bench/bench.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#define PPL_BATCH 512 /* perplexity windows: min(--ctx, this) tokens, every position's logits kept */

bool sov_bench_have_gguf(void)
{
    return true;
}

struct gen_state {
    uint64_t t_first, t_last, t_action;
    struct sov__json_watch watch;
    int32_t *ids; /* the answer's tokens, when kept */
    size_t n, cap;
    size_t *peak;
};

static int on_token(void *user, const struct sov_llama_token *t)
{
    struct gen_state *g = user;
    uint64_t now = sov_now_ns();
    if (t->id < 0) { /* the end: UTF-8 bytes held back, not a token */
        if (!g->t_action && t->len && sov__json_watch_feed(&g->watch, t->text, t->len))
            g->t_action = now;
        return 0;
    }
    if (!g->t_first)
        g->t_first = now;
    g->t_last = now;
    if (!g->t_action && t->len && sov__json_watch_feed(&g->watch, t->text, t->len))
        g->t_action = now;
    if (g->n == g->cap) {
        size_t nc = g->cap ? 2 * g->cap : 64;
        int32_t *ni = realloc(g->ids, nc * sizeof *ni);
        if (!ni)
            return 1;
        g->ids = ni;
        g->cap = nc;
    }
    g->ids[g->n++] = t->id;
    if ((g->n & 15) == 1) { /* sample the resident memory now and then */
        size_t rss = sov__bench_rss_now();
        if (rss > *g->peak)
            *g->peak = rss;
    }
    return 0;
}

static double ms_between(uint64_t a, uint64_t b)
{
    return (double)(b - a) / 1e6;
}

/* One request: fills s (and answer when not NULL). Returns 0, or non-zero with *why for a failed request. */
static int one_request(struct sov_llama_model *m, struct sov_llama_ctx *c, json_t *req, const struct sov_bench_opts *o,
                       struct sov_bench_sample *s, struct sov_bench_answer *answer, size_t *peak, char **why)
{
    uint64_t t0 = sov_now_ns();
    char *prompt = sov__llama_chat_format(m, json_object_get(req, "messages"), true, NULL, why);
    if (!prompt)
        return SOV_EINVAL;
    int32_t *toks = NULL;
    size_t n_prompt = 0;
    int rc = sov__llama_tokenize(m, prompt, strlen(prompt), true, true, &toks, &n_prompt, why);
    free(prompt);
    if (rc)
        return rc;
    uint32_t n_ctx = sov__llama_ctx_n_ctx_seq(c);
    if (n_prompt + 1 > n_ctx) {
        *why = sov_asprintf("a prompt of %zu tokens does not fit the context of %u (--ctx)", n_prompt, n_ctx);
        free(toks);
        return SOV_ELIMIT;
    }
    struct sov_llama_sampling sp;
    sov__llama_sampling_default(&sp);
    sp.temperature = 0; /* greedy: answers comparable between models and runs */
    sp.has_seed = true;
    sp.seed = 1;
    sp.max_tokens = o->max_tokens;
    struct gen_state g;
    memset(&g, 0, sizeof g);
    g.peak = peak;
    struct sov_llama_stats st;
    rc = sov__llama_generate(c, toks, n_prompt, &sp, on_token, &g, &st, why);
    free(toks);
    uint64_t t_end = sov_now_ns();
    if (rc) {
        free(g.ids);
        return rc;
    }
    size_t rss = sov__bench_rss_now();
    if (rss > *peak)
        *peak = rss;
    if (!g.t_first) /* an empty answer: its end is the first (and only) event */
        g.t_first = g.t_last = t_end;
    s->ok = true;
    s->ttft_ms = ms_between(t0, g.t_first);
    s->latency_ms = ms_between(t0, t_end);
    s->action = g.t_action ? SOV_BENCH_ACT_JSON : SOV_BENCH_ACT_TEXT;
    s->action_ms = g.t_action ? ms_between(t0, g.t_action) : s->latency_ms;
    s->prompt_tokens = (double)n_prompt;
    s->completion_tokens = (double)g.n;
    s->prompt_tps = s->ttft_ms > 0 ? (double)n_prompt / (s->ttft_ms / 1e3) : NAN;
    double span = ms_between(g.t_first, g.t_last);
    s->gen_tps = g.n >= 2 && span > 0 ? (double)(g.n - 1) / (span / 1e3) : NAN;
    if (answer) {
        answer->tokens = g.ids;
        answer->n = g.n;
    } else {
        free(g.ids);
    }
    return 0;
}

static int run_here(const char *path, const struct sov_bench_prompts *p, const struct sov_bench_opts *o, struct sov_bench_result *r,
                    char **err)
{
    memset(r, 0, sizeof *r);
    r->gguf = true;
    r->peak_rss_mib = r->model_size_mib = r->perplexity = r->load_s = NAN;
    r->concurrency = 1;
    r->n = o->requests;
    r->target = sov_asprintf("%s", path);
    r->s = calloc(r->n ? r->n : 1, sizeof *r->s);
    if (o->keep_answers) {
        r->n_answers = p->n < r->n ? p->n : r->n;
        r->answers = calloc(r->n_answers ? r->n_answers : 1, sizeof *r->answers);
    }
    if (!r->target || !r->s || (o->keep_answers && !r->answers)) {
        *err = sov_asprintf("out of memory");
        return SOV_ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        struct sov_bench_sample *s = &r->s[i];
        s->ttft_ms = s->action_ms = s->latency_ms = s->prompt_tps = s->gen_tps = NAN;
        s->prompt_tokens = s->completion_tokens = NAN;
    }
    struct stat sb;
    if (stat(path, &sb) == 0)
        r->model_size_mib = (double)sb.st_size / (1024.0 * 1024.0);
    /* the baseline after llama.cpp's one-time set-up (backend libraries), so that the figure is the
     * model's own: weights, KV cache, compute buffers */
    int rc = sov__llama_init(err);
    if (rc)
        return rc;
    malloc_trim(0);
    size_t base = sov__bench_rss_now();
    size_t peak = base;
    uint64_t t_load = sov_now_ns();
    struct sov_llama_model_params mp = {path, 0, false};
    struct sov_llama_model *m = sov__llama_model_load(&mp, err);
    if (!m)
        return SOV_EPARSE;
    struct sov_llama_ctx_params cp = {(uint32_t)o->ctx, PPL_BATCH, o->threads, 1, false};
    struct sov_llama_ctx *c = sov__llama_ctx_new(m, &cp, err);
    r->load_s = (double)(sov_now_ns() - t_load) / 1e9;
    if (!c) {
        sov__llama_model_free(m);
        return SOV_ENOMEM;
    }
    struct sov_llama_model_info info;
    sov__llama_model_info(m, &info);
    r->model_desc = sov_asprintf("%s", info.desc);
    size_t rss = sov__bench_rss_now();
    if (rss > peak)
        peak = rss;
    uint64_t t0 = sov_now_ns();
    for (size_t i = 0; i < r->n; i++) {
        char *why = NULL;
        struct sov_bench_answer *ans = o->keep_answers && i < r->n_answers ? &r->answers[i] : NULL;
        if (one_request(m, c, p->reqs[i % p->n], o, &r->s[i], ans, &peak, &why) != 0) {
            r->s[i].ok = false;
            if (!r->first_error)
                r->first_error = why ? why : sov_asprintf("the request failed");
            else
                free(why);
        }
        if (o->progress)
            o->progress(o->progress_ud, i + 1, r->n);
    }
    r->wall_s = (double)(sov_now_ns() - t0) / 1e9;
    r->peak_rss_mib = (double)(peak > base ? peak - base : 0) / (1024.0 * 1024.0);
    sov_bench_result_tally(r);
    if (o->ppl_text) { /* after the RSS measurement: it keeps every position's logits */
        int32_t *toks = NULL;
        size_t n = 0;
        rc = sov__llama_tokenize(m, o->ppl_text, strlen(o->ppl_text), true, false, &toks, &n, err);
        if (rc == 0)
            rc = sov__llama_perplexity(c, toks, n, &r->perplexity, &r->ppl_tokens, err);
        free(toks);
    }
    sov__llama_ctx_free(c);
    sov__llama_model_free(m);
    return rc;
}

/* ---- each model in a process of its own ---------------------------------------------------------
 * Peak RSS is a per-process figure, and a process that has run one model keeps some of its memory
 * (heap, lazily built tables), so each GGUF target runs in a child that starts from the same state
 * and sends its result back through a pipe. A model that makes llama.cpp abort ends that child, not
 * the benchmark. */

struct wire {
    int rc;
    size_t n, n_answers, ppl_tokens, len_error, len_desc, len_err;
    double wall_s, peak_rss_mib, model_size_mib, perplexity, load_s;
};

/* Moves exactly n bytes over a pipe (write when out, else read); -1 on an error or an early end. */
static int pipe_all(int fd, void *p, size_t n, bool out)
{
    char *c = p;
    while (n) {
        ssize_t k = out ? write(fd, c, n) : read(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
    return pipe_all(fd, (void *)p, n, true);
}

static int read_all(int fd, void *p, size_t n)
{
    return pipe_all(fd, p, n, false);
}

static void child(int fd, const char *path, const struct sov_bench_prompts *p, const struct sov_bench_opts *o)
{
    struct sov_bench_result r;
    char *err = NULL;
    int rc = run_here(path, p, o, &r, &err);
    struct wire w = {rc,
                     r.n,
                     r.answers ? r.n_answers : 0,
                     r.ppl_tokens,
                     r.first_error ? strlen(r.first_error) : 0,
                     r.model_desc ? strlen(r.model_desc) : 0,
                     err ? strlen(err) : 0,
                     r.wall_s,
                     r.peak_rss_mib,
                     r.model_size_mib,
                     r.perplexity,
                     r.load_s};
    int bad = write_all(fd, &w, sizeof w);
    bad |= r.s ? write_all(fd, r.s, r.n * sizeof *r.s) : (w.n ? -1 : 0);
    bad |= write_all(fd, r.first_error ? r.first_error : "", w.len_error);
    bad |= write_all(fd, r.model_desc ? r.model_desc : "", w.len_desc);
    bad |= write_all(fd, err ? err : "", w.len_err);
    for (size_t i = 0; i < w.n_answers && !bad; i++) {
        bad |= write_all(fd, &r.answers[i].n, sizeof r.answers[i].n);
        bad |= write_all(fd, r.answers[i].tokens ? (const void *)r.answers[i].tokens : "", r.answers[i].n * sizeof(int32_t));
    }
    free(err);
    sov_bench_result_free(&r);
    close(fd);
#ifdef __SANITIZE_ADDRESS__
    __lsan_do_leak_check(); /* _exit skips the sanitizer's own check; a leak ends the child with an error */
#endif
    _exit(bad ? 3 : 0);
}

static char *read_str(int fd, size_t n, int *bad)
{
    if (*bad || n > (64u << 20)) {
        *bad = 1;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s || read_all(fd, s, n) != 0) {
        free(s);
        *bad = 1;
        return NULL;
    }
    s[n] = '\0';
    return s;
}

int sov_bench_run_gguf(const char *path, const struct sov_bench_prompts *p, const struct sov_bench_opts *o,
                       struct sov_bench_result *r, char **err)
{
    memset(r, 0, sizeof *r);
    r->gguf = true;
    r->peak_rss_mib = r->model_size_mib = r->perplexity = r->load_s = NAN;
    r->target = sov_asprintf("%s", path);
    int rc = sov__llama_check_file(path, 0, NULL, err);
    if (rc)
        return rc == SOV_ENOMEM ? rc : SOV_EPARSE;
    int fds[2];
    if (!r->target || pipe(fds) != 0) {
        *err = sov_asprintf("cannot start the model's process: %s", strerror(errno));
        return SOV_ENOMEM;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        *err = sov_asprintf("cannot start the model's process: %s", strerror(errno));
        return SOV_ENOMEM;
    }
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], path, p, o);
    }
    close(fds[1]);
    struct wire w;
    int bad = read_all(fds[0], &w, sizeof w) != 0;
    if (!bad && (w.n != o->requests || w.n_answers > w.n))
        bad = 1;
    if (!bad) {
        r->n = w.n;
        r->s = calloc(w.n ? w.n : 1, sizeof *r->s);
        bad = !r->s || read_all(fds[0], r->s, w.n * sizeof *r->s) != 0;
    }
    char *first_error = bad ? NULL : read_str(fds[0], w.len_error, &bad);
    char *desc = bad ? NULL : read_str(fds[0], w.len_desc, &bad);
    char *cerr = bad ? NULL : read_str(fds[0], w.len_err, &bad);
    if (!bad && w.n_answers) {
        r->answers = calloc(w.n_answers, sizeof *r->answers);
        bad = !r->answers;
        for (size_t i = 0; i < w.n_answers && !bad; i++) {
            size_t n;
            if (read_all(fds[0], &n, sizeof n) != 0 || n > (size_t)o->max_tokens) {
                bad = 1;
                break;
            }
            r->n_answers = i + 1;
            r->answers[i].tokens = malloc((n ? n : 1) * sizeof(int32_t));
            r->answers[i].n = n;
            bad = !r->answers[i].tokens || read_all(fds[0], r->answers[i].tokens, n * sizeof(int32_t)) != 0;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (first_error && !*first_error) { /* no failure */
        free(first_error);
        first_error = NULL;
    }
    r->first_error = first_error;
    r->model_desc = desc;
    if (!bad && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        bad = 1; /* e.g. the sanitizer found a leak after the result was sent */
    if (bad) {
        free(cerr);
        if (WIFSIGNALED(status))
            *err =
                sov_asprintf("%s: the model's process died (signal %d: %s)", path, WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            *err = sov_asprintf("%s: the model's process ended without a result (status %d)", path, WEXITSTATUS(status));
        return SOV_EPARSE;
    }
    if (w.rc) {
        *err = cerr;
        return w.rc;
    }
    free(cerr);
    r->wall_s = w.wall_s;
    r->peak_rss_mib = w.peak_rss_mib;
    r->model_size_mib = w.model_size_mib;
    r->perplexity = w.perplexity;
    r->load_s = w.load_s;
    r->ppl_tokens = w.ppl_tokens;
    r->concurrency = 1;
    sov_bench_result_tally(r);
    return 0;
}
