/*
 * The in-process llama.cpp node: a small internal API over llama.h, so that only src/backend/llama*.c
 * include llama.h. Used by the `llama` backend kind (src/backend/llama.c), `sovereign bench`,
 * `sovereign quantize` and `sovereign gen-tiny-model`. Compiled only when SOV_HAVE_LLAMA is defined
 * (CMake option SOV_LLAMA, see cmake/llama.cmake); callers outside src/backend/ guard with
 * `#ifdef SOV_HAVE_LLAMA`.
 *
 * Ownership: every *_new / *_load has a *_free, and *_free(NULL) is a no-op. Errors: functions return
 * 0 or a negative SOV_E*, constructors return NULL; details go out through `char **err` (the caller
 * frees). Nothing here prints: llama.cpp's own log goes to the project log at debug level.
 *
 * Threads: a model is read-only after loading and may be shared by contexts on several threads. A
 * context (struct sov_llama_ctx) belongs to one thread at a time.
 */
#ifndef SOV_BACKEND_LLAMA_NODE_H
#define SOV_BACKEND_LLAMA_NODE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sov_llama_model;
struct sov_llama_ctx;

/* Process-wide, once: loads the ggml CPU backends from the library directory (SOV_LLAMA_LIBDIR, or
 * $SOV_LLAMA_LIBDIR when set) and initialises llama.cpp. Idempotent and thread-safe; every other
 * function calls it. Returns 0 or SOV_EIO (no CPU backend found) with *err set. */
int sov__llama_init(char **err);

/* Checks a GGUF file without loading its weights: exists and readable, a valid GGUF header and metadata,
 * every tensor's data inside the file (not truncated), and (when mem_limit > 0) the tensor data fits in
 * mem_limit bytes; mem_limit < 0 means "what /proc/meminfo calls MemAvailable". Cheap (reads metadata
 * only): used by --check-config. On success *size_bytes (may be NULL) gets the tensor data size.
 * Returns 0, SOV_ENOENT, SOV_EINVAL (not a GGUF / corrupt / truncated) or SOV_ELIMIT (too big). */
int sov__llama_check_file(const char *path, int64_t mem_limit, uint64_t *size_bytes, char **err);

struct sov_llama_model_params {
    const char *path; /* GGUF file; required */
    int gpu_layers;   /* layers to offload on GPU builds; 0 on CPU-only builds */
    bool vocab_only;  /* only the tokenizer (fast; enough for tokenize / chat_format) */
};
/* Loads a model (runs sov__llama_check_file first with mem_limit -1, so a bad file is a clear error,
 * never a crash). Returns NULL and sets *err. */
struct sov_llama_model *sov__llama_model_load(const struct sov_llama_model_params *p, char **err);
void sov__llama_model_free(struct sov_llama_model *m);

struct sov_llama_model_info {
    char desc[128]; /* llama_model_desc, e.g. "llama ?B F32" */
    char arch[32];  /* general.architecture */
    uint64_t n_params;
    uint64_t size_bytes; /* tensor data */
    int32_t n_vocab, n_ctx_train, n_embd, n_layer;
    bool has_chat_template; /* tokenizer.chat_template present */
    bool is_embedding;      /* an encoder-only / pooling model: serve /v1/embeddings, not chat */
};
void sov__llama_model_info(const struct sov_llama_model *m, struct sov_llama_model_info *out);

/* Tokenizes text[0..len). add_special: BOS etc. as the model wants; parse_special: "<|im_start|>"-like
 * text becomes control tokens. *out (caller frees) gets *n tokens. Returns 0, SOV_ENOMEM, SOV_EINVAL. */
int sov__llama_tokenize(const struct sov_llama_model *m, const char *text, size_t len, bool add_special, bool parse_special,
                        int32_t **out, size_t *n, char **err);
/* The bytes of one token (not NUL-terminated, may be an incomplete or invalid UTF-8 sequence: pass them
 * through struct sov_llama_utf8). Writes at most cap bytes; returns the length, or -1 if cap is too small. */
int sov__llama_token_piece(const struct sov_llama_model *m, int32_t tok, char *buf, size_t cap);
/* End of generation (EOS, EOT, ...). */
bool sov__llama_token_is_eog(const struct sov_llama_model *m, int32_t tok);

/* Formats OpenAI chat messages (a JSON array of {role, content}; content a string or an array of
 * {type:"text",text}) into a prompt with the model's own chat template (llama_chat_apply_template),
 * falling back to ChatML when the model has none or llama.cpp does not know it; *used_fallback (may be
 * NULL) says which. Returns a new string (caller frees) or NULL with *err. */
char *sov__llama_chat_format(const struct sov_llama_model *m, const json_t *messages, bool add_assistant, bool *used_fallback,
                             char **err);

struct sov_llama_ctx_params {
    uint32_t n_ctx;   /* total context (all slots together); 0 = 4096 capped at the model's */
    uint32_t n_batch; /* 0 = 512 */
    int n_threads;    /* 0 = number of CPUs */
    uint32_t n_seq;   /* parallel sequences (slots); 0 = 1 */
    bool embeddings;  /* an embedding context (pooled output per sequence) */
};
struct sov_llama_ctx *sov__llama_ctx_new(struct sov_llama_model *m, const struct sov_llama_ctx_params *p, char **err);
void sov__llama_ctx_free(struct sov_llama_ctx *c);
/* Per-sequence context size (n_ctx / n_seq). */
uint32_t sov__llama_ctx_n_ctx_seq(const struct sov_llama_ctx *c);

/* Sampling. sov__llama_sampling_default: temperature 0.8, top_p 0.95, top_k 40, min_p 0.05, seed
 * random, max_tokens 256. temperature 0 = greedy. */
struct sov_llama_sampling {
    double temperature, top_p, min_p;
    int top_k;     /* 0 = off */
    uint32_t seed; /* with has_seed; else random */
    bool has_seed;
    int max_tokens;      /* > 0 */
    int top_logprobs;    /* 0..20: alternatives reported per token */
    const char *grammar; /* GBNF (root rule "root"), or NULL */
};
void sov__llama_sampling_default(struct sov_llama_sampling *s);
/* A GBNF grammar for "any JSON object" (response_format json_object). Static string. */
const char *sov__llama_json_grammar(void);

/* One generated token, as reported to the callback. */
struct sov_llama_token {
    int32_t id;
    const char *text; /* valid UTF-8 released by this token (may be empty: bytes held back) */
    size_t len;
    double logprob; /* natural log-probability of the chosen token (softmax of raw logits) */
    double entropy; /* entropy (nats) of the distribution it was drawn from */
    int n_top;      /* alternatives in top[] (s->top_logprobs) */
    struct {
        int32_t id;
        double logprob;
    } top[20];
};
/* Return 0 to go on, non-zero to stop (stop sequence found, client gone...). */
typedef int (*sov_llama_token_cb)(void *user, const struct sov_llama_token *t);

enum sov_llama_finish { SOV_LLAMA_FINISH_STOP, SOV_LLAMA_FINISH_LENGTH, SOV_LLAMA_FINISH_CALLER };
struct sov_llama_stats {
    int64_t n_prompt, n_gen;
    double t_prompt_ms, t_gen_ms; /* prompt processing; generation after the first token */
    double t_first_token_ms;      /* from the call to the first token's callback */
    enum sov_llama_finish finish;
    double mean_logprob, min_logprob, mean_entropy; /* confidence summary over generated tokens */
};

/* Generates on sequence 0 of a context, synchronously (on the caller's thread): clears the sequence,
 * evaluates the prompt tokens, samples until end-of-generation, max_tokens, the context end, or cb
 * returning non-zero; cb gets every token. stats may be NULL. Returns 0, SOV_EINVAL (prompt longer
 * than the context), SOV_EIO (llama_decode failed) with *err. */
int sov__llama_generate(struct sov_llama_ctx *c, const int32_t *prompt, size_t n_prompt, const struct sov_llama_sampling *s,
                        sov_llama_token_cb cb, void *user, struct sov_llama_stats *stats, char **err);

/* Perplexity of a token sequence: split into windows of the sequence context, each token after the
 * first half of a window scored (llama-perplexity's scheme). *ppl = exp(mean NLL); *n_scored (may be
 * NULL) the tokens scored. Returns 0, SOV_EINVAL (fewer than 2 * 16 tokens), SOV_EIO. */
int sov__llama_perplexity(struct sov_llama_ctx *c, const int32_t *tokens, size_t n, double *ppl, size_t *n_scored, char **err);

/* Mean-pooled, L2-normalised embedding of a text on an embedding context: *out (caller frees) gets
 * *dim floats. Returns 0, SOV_EINVAL (too long for the context), SOV_EIO. */
int sov__llama_embed(struct sov_llama_ctx *c, const char *text, size_t len, float **out, int *dim, char **err);

/* Log-softmax statistics of a logits row (pure math, no model): the log-probability of `chosen` and
 * the entropy, computed with log-sum-exp (stable for any logits). */
void sov__llama_logit_stats(const float *logits, size_t n, int32_t chosen, double *logprob, double *entropy);

/*
 * Streaming UTF-8 repair: random-weight models emit arbitrary bytes, split sequences across tokens.
 * Push each token's bytes; what comes out is always valid UTF-8: complete sequences pass, invalid
 * bytes become U+FFFD, an incomplete sequence at the end is held back (at most 3 bytes) until the next
 * push; finish() flushes a held-back tail as U+FFFD.
 */
struct sov_llama_utf8 {
    unsigned char held[4];
    size_t n_held;
};
/* Appends the valid UTF-8 for in[0..n) to out (cap bytes; needs at most 3 * (n + 3)). Returns the length written. */
size_t sov__llama_utf8_push(struct sov_llama_utf8 *u, const char *in, size_t n, char *out, size_t cap);
size_t sov__llama_utf8_finish(struct sov_llama_utf8 *u, char *out, size_t cap);

/* `sovereign gen-tiny-model` (src/backend/llama_tiny.c): a random-weight llama GGUF with a byte-level
 * vocabulary (262 tokens: <unk> <s> </s>, the 256 bytes, "▁", <|im_start|> <|im_end|>) and a ChatML
 * chat template; the same bytes for the same options. */
struct sov_llama_tiny_opts {
    uint64_t seed;
    int n_layer, n_embd, n_head, n_head_kv, n_ff, n_ctx;
    bool embedding; /* mark it an embedding model (mean pooling): serves /v1/embeddings */
};
void sov__llama_tiny_default(struct sov_llama_tiny_opts *o);
/* Writes the model to out_path (through a temporary file, renamed at the end). Returns 0,
 * SOV_EINVAL (bad shape), SOV_ENOMEM, SOV_EIO with *err. */
int sov__llama_gen_tiny(const struct sov_llama_tiny_opts *o, const char *out_path, char **err);

#endif
