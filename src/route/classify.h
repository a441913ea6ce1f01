/*
 * The task classifier: a fastText-style linear model over one OpenAI chat request.
 *
 * Features cover the whole conversation (system prompt, every turn, tool definitions): hashed word
 * unigrams and bigrams and character 3..5-grams in separate namespaces for instruction text and for
 * supplied content (fenced blocks, text after "Text:"-style headers, quoted lines, long pasted
 * paragraphs), plus a small dense vector of structural features (content-to-instruction ratio, code
 * and math presence, output-format constraints, tools, turns, lengths, question marks). A softmax over
 * the ten task types of SOV_TASK_MAP and a logistic complexity head in [0, 1] share those features.
 *
 * Model file (little-endian, see docs/router-model.md): magic "SOVRTM\0\1", version, shape, the split
 * the model was trained with, the task names in SOV_TASK_MAP order, an FNV-1a checksum of the payload,
 * then float biases, float dense weights and int8 hashed weights with one float scale per output.
 *
 * Thread-safety: a loaded sov_classifier is immutable and may be shared by all threads; each thread
 * classifies with its own sov_classify_scratch. sov_classify allocates nothing.
 */
#ifndef SOV_ROUTE_CLASSIFY_H
#define SOV_ROUTE_CLASSIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "route/router.h"

#define SOV_CLS_MAGIC "SOVRTM\0\1"
#define SOV_CLS_VERSION 2u
#define SOV_CLS_OUTPUTS (SOV_TASK_COUNT + 1) /* the task logits, then the complexity logit */
#define SOV_CLS_STRIDE 12                    /* int8 weights per hashed bucket (11 outputs, padded to 12) */
#define SOV_CLS_MAX_FEATS 65536              /* hashed features per request (the caps below keep under it) */

/* Dense structural features: one table, read by the extractor, the trainer and the docs. */
#define SOV_CLS_DENSE_MAP(X)                                                                                                       \
    X(BIAS, "bias")                                                                                                                \
    X(LEN_64, "total length < 64 B")                                                                                               \
    X(LEN_256, "total length < 256 B")                                                                                             \
    X(LEN_1K, "total length < 1 KB")                                                                                               \
    X(LEN_4K, "total length < 4 KB")                                                                                               \
    X(LEN_16K, "total length < 16 KB")                                                                                             \
    X(LEN_BIG, "total length >= 16 KB")                                                                                            \
    X(INSTR_LOG, "log2 of instruction bytes / 16")                                                                                 \
    X(CONTENT_LOG, "log2 of supplied-content bytes / 16")                                                                          \
    X(CONTENT_RATIO, "supplied content / (content + instruction)")                                                                 \
    X(HAS_CONTENT, "some supplied content")                                                                                        \
    X(CODE_FENCE, "a ``` fence")                                                                                                   \
    X(CODE_SYNTAX, "code punctuation density ({ } ; = ( ) per line)")                                                              \
    X(CODE_INDENT, "share of indented lines")                                                                                      \
    X(DIGITS, "share of digits")                                                                                                   \
    X(MATH_OPS, "math operators next to digits")                                                                                   \
    X(LATEX, "LaTeX or $...$")                                                                                                     \
    X(NON_ASCII, "share of non-ASCII bytes")                                                                                       \
    X(LINES_LOG, "log2 of line count / 8")                                                                                         \
    X(BULLETS, "share of bullet or numbered lines")                                                                                \
    X(KV_LINES, "share of 'Key: value' lines")                                                                                     \
    X(QMARK_LAST, "'?' in the last user instruction")                                                                              \
    X(QMARK_MANY, "several '?' in the instructions")                                                                               \
    X(TOOLS, "tool definitions present")                                                                                           \
    X(TURNS_1, "one user turn")                                                                                                    \
    X(TURNS_2, "two or three user turns")                                                                                          \
    X(TURNS_4, "four or more user turns")                                                                                          \
    X(ASSISTANT, "an assistant turn present")                                                                                      \
    X(SYSTEM, "a system prompt present")                                                                                           \
    X(DATA_ONLY_USER, "system prompt instructs, user message is only data")                                                        \
    X(OPTIONS, "lettered/numbered options (A. B. C.)")                                                                             \
    X(SHORT_INSTR, "instruction under 12 words")                                                                                   \
    X(Q_CONTENT, "a question in the last instruction, over supplied content")                                                      \
    X(Q_BARE, "a question in the last instruction, no supplied content")                                                           \
    X(CAPS_LABELS, "ALL-CAPS tokens in the instructions (label sets)")                                                             \
    X(CHOICES, "an 'X, Y or Z' / 'X/Y' choice list in the instructions")

enum sov_cls_dense {
#define SOV_X_(id, desc) SOV_CLS_D_##id,
    SOV_CLS_DENSE_MAP(SOV_X_)
#undef SOV_X_
        SOV_CLS_DENSE_COUNT
};

/* The model, immutable once loaded or trained. Fields are exposed for the trainer and the tests. */
struct sov_classifier {
    uint32_t bucket_bits;      /* hashed space = 1 << bucket_bits */
    uint32_t holdout_permille; /* the split the model was trained with */
    uint32_t split_seed;
    float bias[SOV_CLS_OUTPUTS];
    float dense[SOV_CLS_DENSE_COUNT][SOV_CLS_OUTPUTS];
    float scale[SOV_CLS_OUTPUTS]; /* int8 -> float per output */
    int8_t *hashed;               /* [1 << bucket_bits][SOV_CLS_STRIDE] */
};

/* Per-thread working memory: the hashed feature ids and dense values of the last request. Features
 * come in two groups, each normalised by 1/sqrt(its count) so that a long pasted document does not
 * drown the instruction: [0, n_instr) instruction side (instructions, first words, tools), then
 * [n_instr, n_feats) supplied content and assistant turns (stored from the end of the array). */
struct sov_classify_scratch {
    uint32_t n_instr, n_content;
    uint32_t feats[SOV_CLS_MAX_FEATS]; /* instruction ids from the front, content ids from the back */
    float dense[SOV_CLS_DENSE_COUNT];
};

/* Loads and validates a model file. Returns NULL and sets *err (caller frees) on a missing, truncated,
 * corrupt or incompatible file. */
struct sov_classifier *sov_classifier_load(const char *path, char **err);
/* Parses a model from memory (same validation). */
struct sov_classifier *sov_classifier_parse(const void *data, size_t len, char **err);
/* An all-zero model with 1 << bucket_bits buckets (for the trainer), or NULL (bits outside 10..24, no memory). */
struct sov_classifier *sov_classifier_new(uint32_t bucket_bits);
void sov_classifier_free(struct sov_classifier *c);
/* Writes the model. Returns 0, SOV_EIO (sets *err). */
int sov_classifier_save(const struct sov_classifier *c, const char *path, char **err);
/* Size in bytes of the serialised model. */
size_t sov_classifier_file_size(const struct sov_classifier *c);

struct sov_classify_scratch *sov_classify_scratch_new(void);
void sov_classify_scratch_free(struct sov_classify_scratch *s);

/* Extracts the features of a request into s (feats, dense). Accepts an OpenAI chat request
 * ({"messages": [...], "tools": [...]}), or {"prompt": "..."}. Returns 0 or SOV_EINVAL when the body
 * has neither. Allocation-free. bucket_bits selects the hashed space. */
int sov_classify_features(struct sov_classify_scratch *s, uint32_t bucket_bits, const json_t *request);

/* Task probabilities (summing to 1, SOV_TASK_MAP order) and complexity in [0, 1] for one request.
 * Returns the most probable task (>= 0), or SOV_EINVAL when the body is not a chat request (probs and
 * complexity are then untouched). Allocation-free; c is only read. */
int sov_classify(const struct sov_classifier *c, struct sov_classify_scratch *s, const json_t *request, float probs[SOV_TASK_COUNT],
                 float *complexity);

/* Scores the features already in s (after sov_classify_features with c->bucket_bits): the raw
 * outputs (task logits, complexity logit). */
void sov_classify_logits(const struct sov_classifier *c, const struct sov_classify_scratch *s, float out[SOV_CLS_OUTPUTS]);

/* The held-out split: true when the example keyed by key[0..n) (its group, or its text) falls in the
 * held-out share permille/1000 under seed. Deterministic across machines. */
bool sov_classify_is_holdout(const char *key, size_t n, uint32_t permille, uint32_t seed);

/* 64-bit FNV-1a, the hash used by the split and the model checksum. */
uint64_t sov_classify_fnv1a(const void *p, size_t n, uint64_t h);

#endif
