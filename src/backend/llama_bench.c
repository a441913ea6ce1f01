/* GGUF targets of `sovereign bench`: a model loaded in-process with llama.cpp, answering the prompt
 * set one request at a time with greedy decoding; the perplexity of --compare; the log capture that
 * `quantize` shares. */
#include "backend/llama_bench.h"
#include "bench/bench.h"
#include "common/buf.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <ggml-backend.h>
#include <llama.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SOV_LLAMA_LIBDIR
#define SOV_LLAMA_LIBDIR ""
#endif

#define PPL_WINDOW_MAX 512 /* tokens per perplexity window: logits of every position are kept */

/* ---- one-time initialisation and the log capture ------------------------------------------------ */

static struct {
    pthread_mutex_t mu;
    bool verbose;
    struct sov_buf line; /* the line being assembled (llama.cpp logs in pieces) */
    char *first_error;
    int line_level;
    sov__llama_line_cb cb;
    void *ud;
} logcap = {PTHREAD_MUTEX_INITIALIZER, false, SOV_BUF_INIT(1 << 16), NULL, 0, NULL, NULL};

static void emit_line(int level, const char *s)
{
    if (logcap.verbose)
        fprintf(stderr, "llama: %s\n", s);
    if (level == GGML_LOG_LEVEL_ERROR && !logcap.first_error) {
        /* "function_name: message" -> "message" */
        const char *p = s;
        while (*p && (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            p++;
        if (p != s && p[0] == ':' && p[1] == ' ')
            s = p + 2;
        logcap.first_error = sov_asprintf("%s", s);
    }
    if (logcap.cb)
        logcap.cb(logcap.ud, level, s);
}

static void on_log(enum ggml_log_level level, const char *text, void *ud)
{
    pthread_mutex_lock(&logcap.mu);
    if (level != GGML_LOG_LEVEL_CONT)
        logcap.line_level = (int)level;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            emit_line(logcap.line_level, logcap.line.data ? logcap.line.data : "");
            sov_buf_reset(&logcap.line);
        } else if (logcap.line.len + 1 < logcap.line.cap) {
            sov_buf_putc(&logcap.line, *p);
        }
    }
    pthread_mutex_unlock(&logcap.mu);
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void)
{
    const char *v = getenv("SOV_LLAMA_LOG");
    logcap.verbose = v && strcmp(v, "1") == 0;
    llama_log_set(on_log, NULL);
    ggml_backend_load_all_from_path(SOV_LLAMA_LIBDIR);
    llama_backend_init();
}

void sov__llama_bench_init(void)
{
    pthread_once(&init_once, init);
}

void sov__llama_capture_begin(sov__llama_line_cb cb, void *ud)
{
    pthread_mutex_lock(&logcap.mu);
    free(logcap.first_error);
    logcap.first_error = NULL;
    sov_buf_reset(&logcap.line);
    logcap.cb = cb;
    logcap.ud = ud;
    pthread_mutex_unlock(&logcap.mu);
}

char *sov__llama_capture_end(void)
{
    pthread_mutex_lock(&logcap.mu);
    if (logcap.line.len)
        emit_line(logcap.line_level, logcap.line.data);
    sov_buf_free(&logcap.line);
    char *e = logcap.first_error;
    logcap.first_error = NULL;
    logcap.cb = NULL;
    logcap.ud = NULL;
    pthread_mutex_unlock(&logcap.mu);
    return e;
}

int sov__gguf_check(const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = sov_asprintf("%s: %s", path, strerror(errno));
        return SOV_EIO;
    }
    unsigned char h[8];
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < sizeof h || memcmp(h, "GGUF", 4) != 0) {
        *err = sov_asprintf("%s: not a GGUF model (no GGUF header)", path);
        return SOV_EPARSE;
    }
    unsigned version = h[4] | (unsigned)h[5] << 8 | (unsigned)h[6] << 16 | (unsigned)h[7] << 24;
    if (version < 2 || version > 3) {
        *err = sov_asprintf("%s: unsupported GGUF version %u", path, version);
        return SOV_EPARSE;
    }
    return 0;
}

bool sov_bench_have_gguf(void)
{
    return true;
}

/* ---- the model ------------------------------------------------------------------------------------ */

struct model {
    struct llama_model *model;
    struct llama_context *ctx;
    const struct llama_vocab *vocab;
    const char *tmpl; /* the model's chat template, or NULL */
};

static void model_free(struct model *m)
{
    if (m->ctx)
        llama_free(m->ctx);
    if (m->model)
        llama_model_free(m->model);
    memset(m, 0, sizeof *m);
}

/* A (new) context of n_ctx tokens on the loaded model. */
static int model_context(struct model *m, const char *path, const struct sov_bench_opts *o, int n_ctx, int n_batch, char **err)
{
    if (m->ctx)
        llama_free(m->ctx);
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t)n_ctx;
    cp.n_batch = (uint32_t)n_batch;
    cp.n_ubatch = (uint32_t)(n_batch < 512 ? n_batch : 512);
    cp.n_seq_max = 1;
    cp.no_perf = true;
    int threads = o->threads;
    if (threads <= 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    }
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    sov__llama_capture_begin(NULL, NULL);
    m->ctx = llama_init_from_model(m->model, cp);
    char *why = sov__llama_capture_end();
    if (!m->ctx) {
        *err = sov_asprintf("%s: cannot create a context of %d tokens: %s", path, n_ctx, why ? why : "out of memory?");
        free(why);
        return SOV_ENOMEM;
    }
    free(why);
    return 0;
}

static int model_load(struct model *m, const char *path, const struct sov_bench_opts *o, char **err)
{
    memset(m, 0, sizeof *m);
    int rc = sov__gguf_check(path, err);
    if (rc)
        return rc;
    sov__llama_bench_init();
    sov__llama_capture_begin(NULL, NULL);
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    m->model = llama_model_load_from_file(path, mp);
    char *why = sov__llama_capture_end();
    if (!m->model) {
        *err = sov_asprintf("%s: cannot load the model: %s", path, why ? why : "llama.cpp refused it");
        free(why);
        return SOV_EPARSE;
    }
    free(why);
    rc = model_context(m, path, o, o->ctx, o->ctx < 2048 ? o->ctx : 2048, err);
    if (rc) {
        model_free(m);
        return rc;
    }
    m->vocab = llama_model_get_vocab(m->model);
    m->tmpl = llama_model_chat_template(m->model, NULL);
    return 0;
}

/* The prompt text of a chat request through the model's template, else ChatML. */
static char *format_chat(const struct model *m, json_t *req, char **err)
{
    const char **roles;
    char **contents;
    int n = sov__bench_messages(req, &roles, &contents, err);
    if (n < 0)
        return NULL;
    struct llama_chat_message *msgs = calloc((size_t)n, sizeof *msgs);
    size_t total = 0;
    for (int i = 0; msgs && i < n; i++) {
        msgs[i].role = roles[i];
        msgs[i].content = contents[i];
        total += strlen(contents[i]) + strlen(roles[i]) + 16;
    }
    char *out = NULL;
    const char *tmpls[2] = {m->tmpl, "chatml"};
    for (int t = 0; msgs && t < 2 && !out; t++) {
        if (!tmpls[t])
            continue;
        int32_t cap = (int32_t)(2 * total + 256);
        char *buf = malloc((size_t)cap);
        int32_t k = buf ? llama_chat_apply_template(tmpls[t], msgs, (size_t)n, true, buf, cap) : -1;
        if (k >= cap) {
            char *nb = realloc(buf, (size_t)k + 1);
            buf = nb;
            k = nb ? llama_chat_apply_template(tmpls[t], msgs, (size_t)n, true, buf, k + 1) : -1;
        }
        if (k >= 0 && buf) {
            buf[k] = '\0';
            out = buf;
        } else {
            free(buf);
        }
    }
    if (!out)
        *err = sov_asprintf("cannot format the chat for the model");
    free(msgs);
    sov__bench_messages_free(roles, contents, n);
    return out;
}

static int tokenize(const struct model *m, const char *text, bool add_special, llama_token **out, int *n_out)
{
    int32_t len = (int32_t)strlen(text);
    int32_t cap = len + 8;
    llama_token *t = malloc((size_t)cap * sizeof *t);
    if (!t)
        return SOV_ENOMEM;
    int32_t n = llama_tokenize(m->vocab, text, len, t, cap, add_special, true);
    if (n < 0 && n != INT32_MIN) {
        cap = -n;
        llama_token *nt = realloc(t, (size_t)cap * sizeof *t);
        if (!nt) {
            free(t);
            return SOV_ENOMEM;
        }
        t = nt;
        n = llama_tokenize(m->vocab, text, len, t, cap, add_special, true);
    }
    if (n < 0) {
        free(t);
        return SOV_EINVAL;
    }
    *out = t;
    *n_out = n;
    return 0;
}

static double ms_between(uint64_t a, uint64_t b)
{
    return (double)(b - a) / 1e6;
}

/* Decodes tokens[0..n) in pieces of the batch size. */
static int decode_all(struct model *m, llama_token *tokens, int n)
{
    int nb = (int)llama_n_batch(m->ctx);
    for (int i = 0; i < n; i += nb) {
        int k = n - i < nb ? n - i : nb;
        if (llama_decode(m->ctx, llama_batch_get_one(tokens + i, k)) != 0)
            return SOV_EINVAL;
    }
    return 0;
}

/* One request: fills s (and answer when not NULL). Returns 0, or non-zero with *why for a failed request. */
static int one_request(struct model *m, struct llama_sampler *smpl, json_t *req, const struct sov_bench_opts *o,
                       struct sov_bench_sample *s, struct sov_bench_answer *answer, size_t *peak, char **why)
{
    uint64_t t0 = sov_now_ns();
    char *prompt = format_chat(m, req, why);
    if (!prompt)
        return SOV_EINVAL;
    llama_token *toks = NULL;
    int n_prompt = 0;
    int rc = tokenize(m, prompt, true, &toks, &n_prompt);
    free(prompt);
    if (rc) {
        *why = sov_asprintf("cannot tokenize the prompt");
        return rc;
    }
    int n_ctx = (int)llama_n_ctx(m->ctx);
    if (n_prompt + 1 > n_ctx) {
        *why = sov_asprintf("a prompt of %d tokens does not fit the context of %d (--ctx)", n_prompt, n_ctx);
        free(toks);
        return SOV_ELIMIT;
    }
    llama_memory_clear(llama_get_memory(m->ctx), true);
    llama_sampler_reset(smpl);
    rc = decode_all(m, toks, n_prompt);
    free(toks);
    if (rc) {
        *why = sov_asprintf("llama_decode failed on the prompt");
        return rc;
    }
    size_t rss = sov__bench_rss_now();
    if (rss > *peak)
        *peak = rss;
    struct sov__json_watch watch;
    memset(&watch, 0, sizeof watch);
    int budget = o->max_tokens < n_ctx - n_prompt ? o->max_tokens : n_ctx - n_prompt;
    llama_token *gen = malloc((size_t)(budget > 0 ? budget : 1) * sizeof *gen);
    if (!gen) {
        *why = sov_asprintf("out of memory");
        return SOV_ENOMEM;
    }
    int n_gen = 0;
    uint64_t t_first = 0, t_last = 0, t_action = 0;
    char piece[256];
    while (n_gen < budget) {
        llama_token t = llama_sampler_sample(smpl, m->ctx, -1);
        uint64_t now = sov_now_ns();
        if (llama_vocab_is_eog(m->vocab, t))
            break;
        if (!t_first)
            t_first = now;
        t_last = now;
        gen[n_gen++] = t;
        int32_t k = llama_token_to_piece(m->vocab, t, piece, sizeof piece, 0, false);
        if (k > 0 && !t_action && sov__json_watch_feed(&watch, piece, (size_t)k))
            t_action = now;
        if (n_gen == budget)
            break;
        if (llama_decode(m->ctx, llama_batch_get_one(&gen[n_gen - 1], 1)) != 0) {
            free(gen);
            *why = sov_asprintf("llama_decode failed while generating");
            return SOV_EINVAL;
        }
    }
    uint64_t t_end = sov_now_ns();
    rss = sov__bench_rss_now();
    if (rss > *peak)
        *peak = rss;
    if (!t_first) {
        /* an empty answer: the end of generation is the first (and only) event */
        t_first = t_last = t_end;
    }
    s->ok = true;
    s->ttft_ms = ms_between(t0, t_first);
    s->latency_ms = ms_between(t0, t_end);
    s->action = t_action ? SOV_BENCH_ACT_JSON : SOV_BENCH_ACT_TEXT;
    s->action_ms = t_action ? ms_between(t0, t_action) : s->latency_ms;
    s->prompt_tokens = n_prompt;
    s->completion_tokens = n_gen;
    s->prompt_tps = s->ttft_ms > 0 ? n_prompt / (s->ttft_ms / 1e3) : NAN;
    double span = ms_between(t_first, t_last);
    s->gen_tps = n_gen >= 2 && span > 0 ? (n_gen - 1) / (span / 1e3) : NAN;
    if (answer) {
        answer->tokens = gen;
        answer->n = (size_t)n_gen;
    } else {
        free(gen);
    }
    return 0;
}

/* Perplexity over text with the loaded model (windows of the context size). */
static int perplexity(struct model *m, const char *text, double *ppl, size_t *ntokens, char **err)
{
    llama_token *toks = NULL;
    int n = 0;
    if (tokenize(m, text, true, &toks, &n) != 0) {
        *err = sov_asprintf("cannot tokenize the perplexity text");
        return SOV_EINVAL;
    }
    if (n < 2) {
        free(toks);
        *err = sov_asprintf("the perplexity text is shorter than two tokens");
        return SOV_EINVAL;
    }
    int w = (int)llama_n_ctx(m->ctx);
    int n_vocab = llama_vocab_n_tokens(m->vocab);
    struct llama_batch batch = llama_batch_init(w, 0, 1);
    double nll = 0;
    size_t scored = 0;
    int rc = 0;
    for (int start = 0; start + 1 < n && rc == 0; start += w) {
        int len = n - start < w ? n - start : w;
        if (len < 2)
            break;
        llama_memory_clear(llama_get_memory(m->ctx), true);
        batch.n_tokens = len;
        for (int i = 0; i < len; i++) {
            batch.token[i] = toks[start + i];
            batch.pos[i] = i;
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = 0;
            batch.logits[i] = 1;
        }
        if (llama_decode(m->ctx, batch) != 0) {
            *err = sov_asprintf("llama_decode failed on the perplexity text");
            rc = SOV_EINVAL;
            break;
        }
        for (int i = 0; i + 1 < len; i++) {
            const float *lg = llama_get_logits_ith(m->ctx, i);
            if (!lg) {
                *err = sov_asprintf("no logits for the perplexity text");
                rc = SOV_EINVAL;
                break;
            }
            /* -log softmax(lg)[next] with log-sum-exp */
            float mx = lg[0];
            for (int v = 1; v < n_vocab; v++)
                if (lg[v] > mx)
                    mx = lg[v];
            double sum = 0;
            for (int v = 0; v < n_vocab; v++)
                sum += exp((double)(lg[v] - mx));
            nll += log(sum) + mx - lg[toks[start + i + 1]];
            scored++;
        }
    }
    llama_batch_free(batch);
    free(toks);
    if (rc == 0) {
        *ppl = exp(nll / (double)scored);
        *ntokens = scored;
    }
    return rc;
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
    struct stat st;
    if (stat(path, &st) == 0)
        r->model_size_mib = (double)st.st_size / (1024.0 * 1024.0);
    /* the baseline after llama.cpp's one-time set-up (backend libraries, threads), so that the figure
     * is the model's own: weights, KV cache, compute buffers */
    sov__llama_bench_init();
    malloc_trim(0);
    size_t base = sov__bench_rss_now();
    size_t peak = base;
    struct model m;
    uint64_t t_load = sov_now_ns();
    int rc = model_load(&m, path, o, err);
    r->load_s = (double)(sov_now_ns() - t_load) / 1e9;
    if (rc)
        return rc;
    char desc[128];
    if (llama_model_desc(m.model, desc, sizeof desc) > 0)
        r->model_desc = sov_asprintf("%s", desc);
    size_t rss = sov__bench_rss_now();
    if (rss > peak)
        peak = rss;
    struct llama_sampler *smpl = llama_sampler_init_greedy();
    uint64_t t0 = sov_now_ns();
    for (size_t i = 0; i < r->n; i++) {
        char *why = NULL;
        struct sov_bench_answer *ans = o->keep_answers && i < r->n_answers ? &r->answers[i] : NULL;
        if (one_request(&m, smpl, p->reqs[i % p->n], o, &r->s[i], ans, &peak, &why) != 0) {
            r->s[i].ok = false;
            if (!r->first_error)
                r->first_error = why;
            else
                free(why);
        }
        if (o->progress)
            o->progress(o->progress_ud, i + 1, r->n);
    }
    r->wall_s = (double)(sov_now_ns() - t0) / 1e9;
    llama_sampler_free(smpl);
    r->peak_rss_mib = (double)(peak > base ? peak - base : 0) / (1024.0 * 1024.0);
    sov_bench_result_tally(r);
    if (o->ppl_text) {
        /* a context of its own, after the RSS measurement: every position's logits are kept */
        int w = o->ctx < PPL_WINDOW_MAX ? o->ctx : PPL_WINDOW_MAX;
        rc = model_context(&m, path, o, w, w, err);
        if (rc == 0)
            rc = perplexity(&m, o->ppl_text, &r->perplexity, &r->ppl_tokens, err);
    }
    model_free(&m);
    malloc_trim(0); /* give the model's heap back, so that a next model starts from the same baseline */
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

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t k = read(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
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
    int rc = sov__gguf_check(path, err);
    if (rc)
        return rc;
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
    r->first_error = first_error;
    r->model_desc = desc;
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
