/*
 * What src/backend/llama*.c share beyond llama_node.h, in llama.cpp's own types. Includes llama.h:
 * only src/backend/llama*.c may include this header.
 */
#ifndef SOV_BACKEND_LLAMA_PRIV_H
#define SOV_BACKEND_LLAMA_PRIV_H

#include <llama.h>

#include "backend/llama_node.h"

/* The llama.cpp objects behind a model and a context (borrowed; valid while they live). */
struct llama_model *sov__llama_model_raw(const struct sov_llama_model *m);
const struct llama_vocab *sov__llama_vocab(const struct sov_llama_model *m);
struct llama_context *sov__llama_ctx_raw(const struct sov_llama_ctx *c);
/* A sampler chain for s (grammar first, then top_k, top_p, min_p, temperature, seeded dist; greedy
 * at temperature 0). NULL with *err if the grammar does not parse. Free with llama_sampler_free. */
struct llama_sampler *sov__llama_sampler_new(const struct sov_llama_model *m, const struct sov_llama_sampling *s, char **err);
/* The top k (at most 20) alternatives of a logits row into t->top / t->n_top. */
void sov__llama_top_logprobs(const float *logits, size_t n, int k, struct sov_llama_token *t);

#endif
