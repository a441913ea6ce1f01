/* The in-process llama.cpp node: model checks and loading, tokens, chat templates, sampling,
 * generation, perplexity, embeddings, UTF-8 repair (see llama_node.h). */
#define SOV_LOG_MODULE "llama"
#include "backend/llama_node.h"
#include "backend/llama_priv.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ggml-backend.h>
#include <ggml.h>
#include <gguf.h>
#include <llama.h>

#ifndef SOV_LLAMA_LIBDIR
#define SOV_LLAMA_LIBDIR ""
#endif

struct sov_llama_model {
    struct llama_model *model;
    const struct llama_vocab *vocab;
    char *path;
};

struct sov_llama_ctx {
    struct sov_llama_model *m;
    struct llama_context *ctx;
    uint32_t n_ctx, n_seq, n_batch;
    bool embeddings;
};

/* ---- process-wide initialisation ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;
static char init_err[256];

static void on_llama_log(enum ggml_log_level level, const char *text, void *user)
{
    (void)user;
    /* llama.cpp's own messages are detail (our errors say what went wrong): debug level only. */
    if (level == GGML_LOG_LEVEL_ERROR)
        sov_debug("llama.cpp error: %.*s", (int)strcspn(text, "\n"), text);
    else
        sov_debug("llama.cpp: %.*s", (int)strcspn(text, "\n"), text);
}

static void do_init(void)
{
    llama_log_set(on_llama_log, NULL);
    const char *dir = getenv("SOV_LLAMA_LIBDIR");
    if (!dir || !*dir)
        dir = SOV_LLAMA_LIBDIR;
    /* The prebuilt libraries keep each CPU family's kernels in a libggml-cpu-*.so that must be loaded
     * before llama_backend_init, or no CPU device exists (a from-source build links it in). */
    if (*dir && ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == NULL)
        ggml_backend_load_all_from_path(dir);
    llama_backend_init();
    if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == NULL) {
        snprintf(init_err, sizeof init_err, "llama.cpp: no CPU backend found in '%s' (run scripts/deps.sh)", dir);
        init_rc = SOV_EIO;
    }
}

int sov__llama_init(char **err)
{
    pthread_once(&init_once, do_init);
    if (init_rc && err)
        *err = strdup(init_err);
    return init_rc;
}

/* ---- file checks ---- */

static int64_t mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[256];
    int64_t kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "MemAvailable:", 13) == 0) {
            kb = strtoll(line + 13, NULL, 10);
            break;
        }
    fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

int sov__llama_check_file(const char *path, int64_t mem_limit, uint64_t *size_bytes, char **err)
{
    struct stat st;
    if (!path || !*path) {
        *err = strdup("no model path");
        return SOV_EINVAL;
    }
    if (stat(path, &st) != 0) {
        *err = sov_asprintf("model '%s': %s", path, strerror(errno));
        return errno == ENOENT ? SOV_ENOTFOUND : SOV_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = sov_asprintf("model '%s': not a regular file", path);
        return SOV_EINVAL;
    }
    if (access(path, R_OK) != 0) {
        *err = sov_asprintf("model '%s': %s", path, strerror(errno));
        return SOV_EIO;
    }
    FILE *f = fopen(path, "rb");
    char magic[4] = {0};
    size_t got = f ? fread(magic, 1, 4, f) : 0;
    if (f)
        fclose(f);
    if (got != 4 || memcmp(magic, "GGUF", 4) != 0) {
        *err = sov_asprintf("model '%s': not a GGUF file (bad magic)", path);
        return SOV_EINVAL;
    }
    int rc = sov__llama_init(err);
    if (rc)
        return rc;
    struct gguf_init_params gp = {.no_alloc = true, .ctx = NULL};
    struct gguf_context *g = gguf_init_from_file(path, gp);
    if (!g) {
        *err = sov_asprintf("model '%s': corrupt or truncated GGUF metadata", path);
        return SOV_EINVAL;
    }
    uint64_t data_off = gguf_get_data_offset(g), total = 0;
    int64_t n = gguf_get_n_tensors(g);
    rc = 0;
    if (n <= 0) {
        *err = sov_asprintf("model '%s': GGUF holds no tensors", path);
        rc = SOV_EINVAL;
    }
    for (int64_t i = 0; i < n && !rc; i++) {
        uint64_t off = gguf_get_tensor_offset(g, i), sz = gguf_get_tensor_size(g, i);
        if (data_off + off + sz > (uint64_t)st.st_size || data_off + off < data_off) {
            *err = sov_asprintf("model '%s': truncated (tensor '%s' ends at byte %llu, the file has %lld)", path,
                                gguf_get_tensor_name(g, i), (unsigned long long)(data_off + off + sz), (long long)st.st_size);
            rc = SOV_EINVAL;
        }
        total += sz;
    }
    int64_t key = gguf_find_key(g, "general.architecture");
    if (!rc && (key < 0 || gguf_get_kv_type(g, key) != GGUF_TYPE_STRING)) {
        *err = sov_asprintf("model '%s': no general.architecture in the GGUF metadata", path);
        rc = SOV_EINVAL;
    }
    gguf_free(g);
    if (rc)
        return rc;
    if (mem_limit < 0)
        mem_limit = mem_available();
    if (mem_limit > 0 && total > (uint64_t)mem_limit) {
        *err = sov_asprintf("model '%s' is too big: %.1f MiB of weights, %.1f MiB of memory available", path,
                            (double)total / 1048576.0, (double)mem_limit / 1048576.0);
        return SOV_ELIMIT;
    }
    if (size_bytes)
        *size_bytes = total;
    return 0;
}

/* ---- models ---- */

struct sov_llama_model *sov__llama_model_load(const struct sov_llama_model_params *p, char **err)
{
    if (sov__llama_check_file(p->path, p->vocab_only ? 0 : -1, NULL, err) != 0)
        return NULL;
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = p->gpu_layers;
    mp.vocab_only = p->vocab_only;
    struct llama_model *lm = llama_model_load_from_file(p->path, mp);
    if (!lm) {
        *err = sov_asprintf("model '%s': llama.cpp could not load it (unsupported architecture or corrupt tensors)", p->path);
        return NULL;
    }
    struct sov_llama_model *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(p->path))) {
        free(m);
        llama_model_free(lm);
        *err = strdup("out of memory");
        return NULL;
    }
    m->model = lm;
    m->vocab = llama_model_get_vocab(lm);
    return m;
}

void sov__llama_model_free(struct sov_llama_model *m)
{
    if (!m)
        return;
    llama_model_free(m->model);
    free(m->path);
    free(m);
}

void sov__llama_model_info(const struct sov_llama_model *m, struct sov_llama_model_info *out)
{
    memset(out, 0, sizeof *out);
    llama_model_desc(m->model, out->desc, sizeof out->desc);
    if (llama_model_meta_val_str(m->model, "general.architecture", out->arch, sizeof out->arch) < 0)
        out->arch[0] = 0;
    out->n_params = llama_model_n_params(m->model);
    out->size_bytes = llama_model_size(m->model);
    out->n_vocab = llama_vocab_n_tokens(m->vocab);
    out->n_ctx_train = llama_model_n_ctx_train(m->model);
    out->n_embd = llama_model_n_embd(m->model);
    out->n_layer = llama_model_n_layer(m->model);
    out->has_chat_template = llama_model_chat_template(m->model, NULL) != NULL;
    char pool[16];
    out->is_embedding = llama_model_has_encoder(m->model) && !llama_model_has_decoder(m->model);
    if (!out->is_embedding) {
        char key[96];
        snprintf(key, sizeof key, "%s.pooling_type", out->arch);
        out->is_embedding = llama_model_meta_val_str(m->model, key, pool, sizeof pool) > 0 && strcmp(pool, "0") != 0;
    }
}

struct llama_model *sov__llama_model_raw(const struct sov_llama_model *m)
{
    return m->model;
}

const struct llama_vocab *sov__llama_vocab(const struct sov_llama_model *m)
{
    return m->vocab;
}

struct llama_context *sov__llama_ctx_raw(const struct sov_llama_ctx *c)
{
    return c->ctx;
}

/* ---- tokens ---- */

int sov__llama_tokenize(const struct sov_llama_model *m, const char *text, size_t len, bool add_special, bool parse_special,
                        int32_t **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    if (len > INT32_MAX / 2) {
        *err = strdup("text too long to tokenize");
        return SOV_EINVAL;
    }
    int32_t cap = (int32_t)len + 8;
    int32_t *toks = malloc((size_t)cap * sizeof *toks);
    if (!toks) {
        *err = strdup("out of memory");
        return SOV_ENOMEM;
    }
    int32_t k = llama_tokenize(m->vocab, text, (int32_t)len, toks, cap, add_special, parse_special);
    if (k < 0 && k != INT32_MIN) {
        int32_t *t2 = realloc(toks, (size_t)(-k) * sizeof *toks);
        if (!t2) {
            free(toks);
            *err = strdup("out of memory");
            return SOV_ENOMEM;
        }
        toks = t2;
        k = llama_tokenize(m->vocab, text, (int32_t)len, toks, -k, add_special, parse_special);
    }
    if (k < 0) {
        free(toks);
        *err = strdup("tokenization failed");
        return SOV_EINVAL;
    }
    *out = toks;
    *n = (size_t)k;
    return 0;
}

int sov__llama_token_piece(const struct sov_llama_model *m, int32_t tok, char *buf, size_t cap)
{
    int32_t k = llama_token_to_piece(m->vocab, tok, buf, (int32_t)(cap > INT32_MAX ? INT32_MAX : cap), 0, false);
    return k < 0 ? -1 : k;
}

bool sov__llama_token_is_eog(const struct sov_llama_model *m, int32_t tok)
{
    return llama_vocab_is_eog(m->vocab, tok);
}

/* ---- chat templates ---- */

/* The text of a message's content: a string, or the concatenated text parts of an array. */
static char *content_text(const json_t *content)
{
    if (json_is_string(content))
        return sov_strndup(json_string_value(content), json_string_length(content));
    struct sov_buf b = SOV_BUF_INIT(0);
    if (json_is_array(content)) {
        size_t i;
        const json_t *part;
        json_array_foreach(content, i, part)
        {
            const json_t *t = json_object_get(part, "text");
            if (json_is_string(t) && sov_buf_append(&b, json_string_value(t), json_string_length(t)) != 0) {
                sov_buf_free(&b);
                return NULL;
            }
        }
    }
    char *s = sov_buf_steal(&b);
    return s;
}

static char *chatml(const struct llama_chat_message *msgs, size_t n, bool add_assistant)
{
    struct sov_buf b = SOV_BUF_INIT(0);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = sov_buf_printf(&b, "<|im_start|>%s\n%s<|im_end|>\n", msgs[i].role, msgs[i].content);
    if (!rc && add_assistant)
        rc = sov_buf_puts(&b, "<|im_start|>assistant\n");
    if (rc) {
        sov_buf_free(&b);
        return NULL;
    }
    return sov_buf_steal(&b);
}

char *sov__llama_chat_format(const struct sov_llama_model *m, const json_t *messages, bool add_assistant, bool *used_fallback,
                             char **err)
{
    if (!json_is_array(messages) || json_array_size(messages) == 0) {
        *err = strdup("messages must be a non-empty array");
        return NULL;
    }
    size_t n = json_array_size(messages), total = 0;
    struct llama_chat_message *msgs = calloc(n, sizeof *msgs);
    char **texts = calloc(n, sizeof *texts);
    char *out = NULL;
    if (!msgs || !texts)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        const json_t *msg = json_array_get(messages, i);
        const char *role = json_string_value(json_object_get(msg, "role"));
        texts[i] = content_text(json_object_get(msg, "content"));
        if (!texts[i])
            goto oom;
        msgs[i].role = role ? role : "user";
        msgs[i].content = texts[i];
        total += strlen(texts[i]) + strlen(msgs[i].role) + 64;
    }
    const char *tmpl = llama_model_chat_template(m->model, NULL);
    bool fallback = true;
    if (tmpl && total < INT32_MAX / 4) {
        int32_t cap = (int32_t)(2 * total + 256);
        out = malloc((size_t)cap);
        if (!out)
            goto oom;
        int32_t k = llama_chat_apply_template(tmpl, msgs, n, add_assistant, out, cap);
        if (k >= cap) {
            char *o2 = realloc(out, (size_t)k + 1);
            if (!o2)
                goto oom;
            out = o2;
            k = llama_chat_apply_template(tmpl, msgs, n, add_assistant, out, k + 1);
        }
        if (k >= 0) {
            out[k] = 0;
            fallback = false;
        } else {
            free(out);
            out = NULL;
            sov_debug("the model's chat template is not one llama.cpp knows: using ChatML");
        }
    }
    if (fallback && !(out = chatml(msgs, n, add_assistant)))
        goto oom;
    if (used_fallback)
        *used_fallback = fallback;
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(msgs);
    return out;
oom:
    if (texts)
        for (size_t i = 0; i < n; i++)
            free(texts[i]);
    free(texts);
    free(msgs);
    free(out);
    *err = strdup("out of memory");
    return NULL;
}

/* ---- contexts ---- */

struct sov_llama_ctx *sov__llama_ctx_new(struct sov_llama_model *m, const struct sov_llama_ctx_params *p, char **err)
{
    struct llama_context_params cp = llama_context_default_params();
    uint32_t n_seq = p->n_seq ? p->n_seq : 1;
    uint32_t n_ctx = p->n_ctx ? p->n_ctx : 4096 * n_seq;
    int32_t train = llama_model_n_ctx_train(m->model);
    if (!p->n_ctx && train > 0 && n_ctx > (uint32_t)train * n_seq)
        n_ctx = (uint32_t)train * n_seq;
    if (n_seq > llama_max_parallel_sequences()) {
        *err = sov_asprintf("%u parallel sequences: llama.cpp allows at most %zu", n_seq, llama_max_parallel_sequences());
        return NULL;
    }
    cp.n_ctx = n_ctx;
    cp.n_batch = p->n_batch ? p->n_batch : 512;
    cp.n_ubatch = cp.n_batch;
    cp.n_seq_max = n_seq;
    int threads = p->n_threads > 0 ? p->n_threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    cp.n_threads = threads > 0 ? threads : 1;
    cp.n_threads_batch = cp.n_threads;
    cp.kv_unified = false; /* each slot gets n_ctx / n_seq of its own */
    cp.embeddings = p->embeddings;
    if (p->embeddings)
        cp.pooling_type = LLAMA_POOLING_TYPE_MEAN;
    cp.no_perf = true;
    struct llama_context *lc = llama_init_from_model(m->model, cp);
    if (!lc) {
        *err = sov_asprintf("could not create a llama.cpp context of %u tokens (out of memory?)", n_ctx);
        return NULL;
    }
    struct sov_llama_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        llama_free(lc);
        *err = strdup("out of memory");
        return NULL;
    }
    c->m = m;
    c->ctx = lc;
    c->n_ctx = llama_n_ctx(lc);
    c->n_seq = n_seq;
    c->n_batch = cp.n_batch;
    c->embeddings = p->embeddings;
    return c;
}

void sov__llama_ctx_free(struct sov_llama_ctx *c)
{
    if (!c)
        return;
    llama_free(c->ctx);
    free(c);
}

uint32_t sov__llama_ctx_n_ctx_seq(const struct sov_llama_ctx *c)
{
    return llama_n_ctx_seq(c->ctx);
}

/* ---- sampling ---- */

void sov__llama_sampling_default(struct sov_llama_sampling *s)
{
    memset(s, 0, sizeof *s);
    s->temperature = 0.8;
    s->top_p = 0.95;
    s->top_k = 40;
    s->min_p = 0.05;
    s->max_tokens = 256;
}

/* Any JSON object (response_format json_object), after llama.cpp's grammars/json.gbnf, with the
 * whitespace bounded so that a poor model cannot spin on blanks forever. */
static const char json_grammar[] = "root   ::= object\n"
                                   "value  ::= object | array | string | number | (\"true\" | \"false\" | \"null\") ws\n"
                                   "object ::= \"{\" ws ( string \":\" ws value (\",\" ws string \":\" ws value)* )? \"}\" ws\n"
                                   "array  ::= \"[\" ws ( value (\",\" ws value)* )? \"]\" ws\n"
                                   "string ::= \"\\\"\" ( [^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\bfnrt] | \"u\" "
                                   "[0-9a-fA-F]{4}) )* \"\\\"\" ws\n"
                                   "number ::= (\"-\"? ([0-9] | [1-9] [0-9]{0,15})) (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9] "
                                   "[1-9]{0,15})? ws\n"
                                   "ws     ::= | \" \" | \"\\n\" [ \\t]{0,20}\n";

const char *sov__llama_json_grammar(void)
{
    return json_grammar;
}

struct llama_sampler *sov__llama_sampler_new(const struct sov_llama_model *m, const struct sov_llama_sampling *s, char **err)
{
    struct llama_sampler_chain_params sp = llama_sampler_chain_default_params();
    sp.no_perf = true;
    struct llama_sampler *ch = llama_sampler_chain_init(sp);
    if (!ch) {
        *err = strdup("out of memory");
        return NULL;
    }
    if (s->grammar) {
        struct llama_sampler *g = llama_sampler_init_grammar(m->vocab, s->grammar, "root");
        if (!g) {
            llama_sampler_free(ch);
            *err = strdup("the output grammar does not parse");
            return NULL;
        }
        llama_sampler_chain_add(ch, g);
    }
    if (s->temperature <= 0) {
        llama_sampler_chain_add(ch, llama_sampler_init_greedy());
        return ch;
    }
    if (s->top_k > 0)
        llama_sampler_chain_add(ch, llama_sampler_init_top_k(s->top_k));
    if (s->top_p > 0 && s->top_p < 1)
        llama_sampler_chain_add(ch, llama_sampler_init_top_p((float)s->top_p, 1));
    if (s->min_p > 0)
        llama_sampler_chain_add(ch, llama_sampler_init_min_p((float)s->min_p, 1));
    llama_sampler_chain_add(ch, llama_sampler_init_temp((float)s->temperature));
    llama_sampler_chain_add(ch, llama_sampler_init_dist(s->has_seed ? s->seed : LLAMA_DEFAULT_SEED));
    return ch;
}

void sov__llama_logit_stats(const float *logits, size_t n, int32_t chosen, double *logprob, double *entropy)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (logits[i] > mx)
            mx = logits[i];
    if (!isfinite(mx)) {
        *logprob = chosen >= 0 && (size_t)chosen < n && logits[chosen] == mx ? 0 : -INFINITY;
        *entropy = 0;
        return;
    }
    /* float exp (several times faster than double, relative error ~1e-7), double sums */
    double z = 0, ez = 0;
    float fmx = (float)mx;
    for (size_t i = 0; i < n; i++) {
        float d = logits[i] - fmx;
        float e = expf(d);
        z += e;
        ez += (double)e * d;
    }
    double lse = log(z); /* log sum exp(l - mx) */
    *logprob = chosen >= 0 && (size_t)chosen < n ? (double)logits[chosen] - mx - lse : -INFINITY;
    /* H = -sum p log p = lse - E[d] */
    double h = lse - ez / z;
    *entropy = h > 0 ? h : 0;
}

/* The top k (id, logprob) of a logits row. */
void sov__llama_top_logprobs(const float *logits, size_t n, int k, struct sov_llama_token *t)
{
    if (k > 20)
        k = 20;
    t->n_top = 0;
    if (k <= 0)
        return;
    double mx = -INFINITY, z = 0;
    for (size_t i = 0; i < n; i++)
        if (logits[i] > mx)
            mx = logits[i];
    for (size_t i = 0; i < n; i++)
        z += expf(logits[i] - (float)mx);
    double lse = mx + log(z);
    int have = 0;
    for (size_t i = 0; i < n; i++) {
        float v = logits[i];
        if (have == k && v <= logits[t->top[have - 1].id])
            continue;
        int j = have < k ? have++ : k - 1;
        while (j > 0 && logits[t->top[j - 1].id] < v) {
            t->top[j] = t->top[j - 1];
            j--;
        }
        t->top[j].id = (int32_t)i;
    }
    for (int j = 0; j < have; j++)
        t->top[j].logprob = (double)logits[t->top[j].id] - lse;
    t->n_top = have;
}

/* ---- generation ---- */

static double ms_since(uint64_t t0)
{
    return (double)(sov_now_ns() - t0) / 1e6;
}

/* Evaluates tokens on seq at positions pos0..; requests logits for the last one. */
static int decode_tokens(struct sov_llama_ctx *c, const int32_t *toks, size_t n, int32_t pos0, int32_t seq, char **err)
{
    struct llama_batch b = llama_batch_init((int32_t)c->n_batch, 0, 1);
    int rc = 0;
    for (size_t off = 0; off < n && !rc; off += c->n_batch) {
        size_t k = n - off < c->n_batch ? n - off : c->n_batch;
        b.n_tokens = (int32_t)k;
        for (size_t i = 0; i < k; i++) {
            b.token[i] = toks[off + i];
            b.pos[i] = pos0 + (int32_t)(off + i);
            b.n_seq_id[i] = 1;
            b.seq_id[i][0] = seq;
            b.logits[i] = off + i == n - 1;
        }
        int32_t d = llama_decode(c->ctx, b);
        if (d != 0) {
            *err = sov_asprintf("llama_decode failed (%d)", d);
            rc = SOV_EIO;
        }
    }
    llama_batch_free(b);
    return rc;
}

int sov__llama_generate(struct sov_llama_ctx *c, const int32_t *prompt, size_t n_prompt, const struct sov_llama_sampling *s,
                        sov_llama_token_cb cb, void *user, struct sov_llama_stats *stats, char **err)
{
    struct sov_llama_stats st = {.finish = SOV_LLAMA_FINISH_STOP, .min_logprob = 0};
    uint32_t n_ctx = llama_n_ctx_seq(c->ctx);
    if (n_prompt == 0 || n_prompt >= n_ctx) {
        *err = sov_asprintf("the prompt has %zu tokens; the context holds %u", n_prompt, n_ctx);
        return SOV_EINVAL;
    }
    struct llama_sampler *smpl = sov__llama_sampler_new(c->m, s, err);
    if (!smpl)
        return SOV_EINVAL;
    llama_memory_seq_rm(llama_get_memory(c->ctx), 0, -1, -1);
    uint64_t t0 = sov_now_ns();
    int rc = decode_tokens(c, prompt, n_prompt, 0, 0, err);
    st.n_prompt = (int64_t)n_prompt;
    st.t_prompt_ms = ms_since(t0);
    uint64_t tg = sov_now_ns();
    int32_t pos = (int32_t)n_prompt, n_vocab = llama_vocab_n_tokens(c->m->vocab);
    struct sov_llama_utf8 u = {0};
    double sum_lp = 0, sum_h = 0;
    char piece[1024], text[3 * (sizeof piece + 3)]; /* llama.cpp pieces are far shorter */
    while (!rc) {
        if (st.n_gen >= s->max_tokens || pos >= (int32_t)n_ctx) {
            st.finish = SOV_LLAMA_FINISH_LENGTH;
            break;
        }
        const float *logits = llama_get_logits_ith(c->ctx, -1);
        int32_t tok = llama_sampler_sample(smpl, c->ctx, -1);
        struct sov_llama_token t = {.id = tok};
        sov__llama_logit_stats(logits, (size_t)n_vocab, tok, &t.logprob, &t.entropy);
        sov__llama_top_logprobs(logits, (size_t)n_vocab, s->top_logprobs, &t);
        bool eog = llama_vocab_is_eog(c->m->vocab, tok);
        if (eog) {
            st.finish = SOV_LLAMA_FINISH_STOP;
            break;
        }
        int k = sov__llama_token_piece(c->m, tok, piece, sizeof piece);
        t.len = sov__llama_utf8_push(&u, piece, k > 0 ? (size_t)k : 0, text, sizeof text);
        t.text = text;
        st.n_gen++;
        sum_lp += t.logprob;
        sum_h += t.entropy;
        if (st.n_gen == 1 || t.logprob < st.min_logprob)
            st.min_logprob = t.logprob;
        if (st.n_gen == 1)
            st.t_first_token_ms = ms_since(t0);
        if (cb && cb(user, &t) != 0) {
            st.finish = SOV_LLAMA_FINISH_CALLER;
            break;
        }
        rc = decode_tokens(c, &tok, 1, pos++, 0, err);
    }
    st.t_gen_ms = ms_since(tg);
    if (st.n_gen > 0) {
        st.mean_logprob = sum_lp / (double)st.n_gen;
        st.mean_entropy = sum_h / (double)st.n_gen;
    }
    if (!rc && cb && st.finish != SOV_LLAMA_FINISH_CALLER) {
        struct sov_llama_token t = {.id = -1, .text = text};
        t.len = sov__llama_utf8_finish(&u, text, sizeof text);
        if (t.len)
            cb(user, &t);
    }
    llama_sampler_free(smpl);
    if (stats)
        *stats = st;
    return rc;
}

int sov__llama_perplexity(struct sov_llama_ctx *c, const int32_t *tokens, size_t n, double *ppl, size_t *n_scored, char **err)
{
    uint32_t win = llama_n_ctx_seq(c->ctx);
    if (win > c->n_batch)
        win = c->n_batch;
    if (win < 32 || n < 32) {
        *err = sov_asprintf("perplexity needs at least 32 tokens and a 32-token window (have %zu tokens, window %u)", n, win);
        return SOV_EINVAL;
    }
    int32_t n_vocab = llama_vocab_n_tokens(c->m->vocab);
    struct llama_batch b = llama_batch_init((int32_t)win, 0, 1);
    double nll = 0;
    size_t scored = 0;
    int rc = 0;
    for (size_t start = 0; start + 1 < n && !rc; start += win) {
        size_t k = n - start < win ? n - start : win;
        if (k < 2)
            break;
        llama_memory_seq_rm(llama_get_memory(c->ctx), 0, -1, -1);
        b.n_tokens = (int32_t)k;
        for (size_t i = 0; i < k; i++) {
            b.token[i] = tokens[start + i];
            b.pos[i] = (int32_t)i;
            b.n_seq_id[i] = 1;
            b.seq_id[i][0] = 0;
            b.logits[i] = 1;
        }
        if (llama_decode(c->ctx, b) != 0) {
            *err = strdup("llama_decode failed");
            rc = SOV_EIO;
            break;
        }
        /* Score the second half of each window (the first half gives the context). */
        for (size_t i = k / 2; i + 1 < k; i++) {
            double lp, h;
            sov__llama_logit_stats(llama_get_logits_ith(c->ctx, (int32_t)i), (size_t)n_vocab, tokens[start + i + 1], &lp, &h);
            nll -= lp;
            scored++;
        }
    }
    llama_batch_free(b);
    if (rc)
        return rc;
    *ppl = scored ? exp(nll / (double)scored) : NAN;
    if (n_scored)
        *n_scored = scored;
    return 0;
}

int sov__llama_embed(struct sov_llama_ctx *c, const char *text, size_t len, float **out, int *dim, char **err)
{
    *out = NULL;
    int32_t *toks;
    size_t n;
    int rc = sov__llama_tokenize(c->m, text, len, true, false, &toks, &n, err);
    if (rc)
        return rc;
    if (n == 0 || n > c->n_batch || n > llama_n_ctx_seq(c->ctx)) {
        *err = sov_asprintf("the input has %zu tokens; at most %u fit", n, c->n_batch);
        free(toks);
        return SOV_EINVAL;
    }
    llama_memory_clear(llama_get_memory(c->ctx), true);
    struct llama_batch b = llama_batch_init((int32_t)n, 0, 1);
    b.n_tokens = (int32_t)n;
    for (size_t i = 0; i < n; i++) {
        b.token[i] = toks[i];
        b.pos[i] = (int32_t)i;
        b.n_seq_id[i] = 1;
        b.seq_id[i][0] = 0;
        b.logits[i] = 1;
    }
    free(toks);
    int32_t d = llama_model_has_encoder(c->m->model) && !llama_model_has_decoder(c->m->model) ? llama_encode(c->ctx, b)
                                                                                              : llama_decode(c->ctx, b);
    llama_batch_free(b);
    const float *e = d == 0 ? llama_get_embeddings_seq(c->ctx, 0) : NULL;
    if (!e) {
        *err = strdup("the model gave no embedding");
        return SOV_EIO;
    }
    int nd = llama_model_n_embd_out(c->m->model);
    float *v = malloc((size_t)nd * sizeof *v);
    if (!v) {
        *err = strdup("out of memory");
        return SOV_ENOMEM;
    }
    double norm = 0;
    for (int i = 0; i < nd; i++)
        norm += (double)e[i] * e[i];
    norm = norm > 0 ? sqrt(norm) : 1;
    for (int i = 0; i < nd; i++)
        v[i] = (float)(e[i] / norm);
    *out = v;
    *dim = nd;
    return 0;
}

/* ---- UTF-8 repair ---- */

static size_t seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0; /* continuation byte or invalid lead */
}

/* Whether b (a lead byte) can be followed by c as its second byte (overlongs, surrogates, > U+10FFFF). */
static bool second_ok(unsigned char b, unsigned char c)
{
    if ((c & 0xC0) != 0x80)
        return false;
    if (b == 0xE0)
        return c >= 0xA0;
    if (b == 0xED)
        return c <= 0x9F;
    if (b == 0xF0)
        return c >= 0x90;
    if (b == 0xF4)
        return c <= 0x8F;
    return true;
}

static size_t put_replacement(char *out, size_t o, size_t cap)
{
    if (o + 3 <= cap) {
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
    }
    return o;
}

size_t sov__llama_utf8_push(struct sov_llama_utf8 *u, const char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (u->n_held) {
            size_t need = seq_len(u->held[0]);
            bool ok = u->n_held == 1 ? second_ok(u->held[0], c) : (c & 0xC0) == 0x80;
            if (ok) {
                u->held[u->n_held++] = c;
                if (u->n_held == need) {
                    if (o + need <= cap) {
                        memcpy(out + o, u->held, need);
                        o += need;
                    }
                    u->n_held = 0;
                }
                continue;
            }
            /* The held sequence is broken: one replacement, then look at c afresh. */
            o = put_replacement(out, o, cap);
            u->n_held = 0;
        }
        size_t need = seq_len(c);
        if (need == 1) {
            if (o < cap)
                out[o++] = (char)c;
        } else if (need == 0) {
            o = put_replacement(out, o, cap);
        } else {
            u->held[0] = c;
            u->n_held = 1;
        }
    }
    return o;
}

size_t sov__llama_utf8_finish(struct sov_llama_utf8 *u, char *out, size_t cap)
{
    size_t o = 0;
    if (u->n_held)
        o = put_replacement(out, 0, cap);
    u->n_held = 0;
    return o;
}
