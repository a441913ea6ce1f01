/* `sovereign gen-tiny-model`: a small GGUF with random weights, written through ggml's gguf API, for
 * tests and benchmarks that must run anywhere: llama architecture, a byte-level vocabulary (SentencePiece
 * style: every byte is a token, "▁" is the space) with ChatML control tokens and a ChatML chat
 * template. Deterministic for a given seed. */
#include "backend/llama_node.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ggml.h>
#include <gguf.h>

void sov__llama_tiny_default(struct sov_llama_tiny_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->n_layer = 2;
    o->n_embd = 64;
    o->n_head = 4;
    o->n_head_kv = 2;
    o->n_ff = 172;
    o->n_ctx = 2048;
}

/* xorshift64* and Box-Muller: the same weights for the same seed on every machine. */
static uint64_t next_u64(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static float gauss(uint64_t *s)
{
    double u1 = ((double)(next_u64(s) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (double)(next_u64(s) >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

static const char chatml_template[] =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

int sov__llama_gen_tiny(const struct sov_llama_tiny_opts *o, const char *out_path, char **err)
{
    if (o->n_layer < 1 || o->n_layer > 64 || o->n_embd < 8 || o->n_embd > 4096 || o->n_head < 1 || o->n_embd % o->n_head ||
        o->n_head_kv < 1 || o->n_head % o->n_head_kv || o->n_ff < 1 || o->n_ff > 65536 || o->n_ctx < 64 ||
        (o->n_embd / o->n_head) % 2) {
        *err = strdup("invalid shape: need 1-64 layers, n_embd 8-4096 divisible by the heads (even head size), heads "
                      "divisible by kv heads, n_ctx >= 64");
        return SOV_EINVAL;
    }
    /* vocabulary: <unk> <s> </s>, 256 byte tokens, "▁", <|im_start|> <|im_end|> */
    enum { N_VOCAB = 3 + 256 + 1 + 2 };
    static char bytes_txt[256][8];
    const char *tokens[N_VOCAB];
    float scores[N_VOCAB];
    int32_t types[N_VOCAB];
    tokens[0] = "<unk>", types[0] = 2;
    tokens[1] = "<s>", types[1] = 3;
    tokens[2] = "</s>", types[2] = 3;
    for (int i = 0; i < 256; i++) {
        snprintf(bytes_txt[i], sizeof bytes_txt[i], "<0x%02X>", i);
        tokens[3 + i] = bytes_txt[i];
        types[3 + i] = 6;
    }
    tokens[259] = "\xE2\x96\x81", types[259] = 1;
    tokens[260] = "<|im_start|>", types[260] = 3;
    tokens[261] = "<|im_end|>", types[261] = 3;
    for (int i = 0; i < N_VOCAB; i++)
        scores[i] = types[i] == 1 ? 0.0f : -1000.0f;

    int n_embd = o->n_embd, n_ff = o->n_ff, hd = o->n_embd / o->n_head, n_kv = hd * o->n_head_kv;
    struct gguf_context *g = gguf_init_empty();
    gguf_set_val_str(g, "general.architecture", "llama");
    gguf_set_val_str(g, "general.name", "sovereign-tiny-random");
    gguf_set_val_u32(g, "general.file_type", 0); /* all F32 */
    gguf_set_val_u32(g, "llama.context_length", (uint32_t)o->n_ctx);
    gguf_set_val_u32(g, "llama.embedding_length", (uint32_t)n_embd);
    gguf_set_val_u32(g, "llama.block_count", (uint32_t)o->n_layer);
    gguf_set_val_u32(g, "llama.feed_forward_length", (uint32_t)n_ff);
    gguf_set_val_u32(g, "llama.attention.head_count", (uint32_t)o->n_head);
    gguf_set_val_u32(g, "llama.attention.head_count_kv", (uint32_t)o->n_head_kv);
    gguf_set_val_u32(g, "llama.rope.dimension_count", (uint32_t)hd);
    gguf_set_val_f32(g, "llama.rope.freq_base", 10000.0f);
    gguf_set_val_f32(g, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    gguf_set_val_u32(g, "llama.vocab_size", N_VOCAB);
    if (o->embedding)
        gguf_set_val_u32(g, "llama.pooling_type", 1); /* mean */
    gguf_set_val_str(g, "tokenizer.ggml.model", "llama");
    gguf_set_arr_str(g, "tokenizer.ggml.tokens", tokens, N_VOCAB);
    gguf_set_arr_data(g, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, scores, N_VOCAB);
    gguf_set_arr_data(g, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, types, N_VOCAB);
    gguf_set_val_u32(g, "tokenizer.ggml.unknown_token_id", 0);
    gguf_set_val_u32(g, "tokenizer.ggml.bos_token_id", 1);
    gguf_set_val_u32(g, "tokenizer.ggml.eos_token_id", 261); /* <|im_end|> ends a turn */
    gguf_set_val_bool(g, "tokenizer.ggml.add_bos_token", true);
    gguf_set_val_bool(g, "tokenizer.ggml.add_eos_token", false);
    gguf_set_val_str(g, "tokenizer.chat_template", chatml_template);

    /* tensors, all F32, in one ggml context with their data */
    struct {
        char name[64];
        int64_t ne0, ne1;
        bool norm;
    } t[8 + 9 * 64];
    size_t nt = 0;
#define T(nm, a, b, nrm)                                                                                                           \
    do {                                                                                                                           \
        snprintf(t[nt].name, sizeof t[nt].name, "%s", nm);                                                                         \
        t[nt].ne0 = (a), t[nt].ne1 = (b), t[nt].norm = (nrm);                                                                      \
        nt++;                                                                                                                      \
    } while (0)
    T("token_embd.weight", n_embd, N_VOCAB, false);
    for (int l = 0; l < o->n_layer; l++) {
        char nm[64];
#define L(suffix, a, b, nrm)                                                                                                       \
    do {                                                                                                                           \
        snprintf(nm, sizeof nm, "blk.%d.%s", l, suffix);                                                                           \
        T(nm, a, b, nrm);                                                                                                          \
    } while (0)
        L("attn_norm.weight", n_embd, 1, true);
        L("attn_q.weight", n_embd, n_embd, false);
        L("attn_k.weight", n_embd, n_kv, false);
        L("attn_v.weight", n_embd, n_kv, false);
        L("attn_output.weight", n_embd, n_embd, false);
        L("ffn_norm.weight", n_embd, 1, true);
        L("ffn_gate.weight", n_embd, n_ff, false);
        L("ffn_down.weight", n_ff, n_embd, false);
        L("ffn_up.weight", n_embd, n_ff, false);
#undef L
    }
    T("output_norm.weight", n_embd, 1, true);
    T("output.weight", n_embd, N_VOCAB, false);
#undef T
    size_t bytes = 0;
    for (size_t i = 0; i < nt; i++)
        bytes += (size_t)(t[i].ne0 * t[i].ne1) * sizeof(float) + 256;
    struct ggml_init_params ip = {.mem_size = bytes + (nt + 4) * ggml_tensor_overhead(), .mem_buffer = NULL, .no_alloc = false};
    struct ggml_context *ctx = ggml_init(ip);
    if (!ctx) {
        gguf_free(g);
        *err = strdup("out of memory");
        return SOV_ENOMEM;
    }
    uint64_t rng = o->seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    for (size_t i = 0; i < nt; i++) {
        struct ggml_tensor *x = t[i].ne1 == 1 ? ggml_new_tensor_1d(ctx, GGML_TYPE_F32, t[i].ne0)
                                              : ggml_new_tensor_2d(ctx, GGML_TYPE_F32, t[i].ne0, t[i].ne1);
        ggml_set_name(x, t[i].name);
        float *d = x->data;
        int64_t n = t[i].ne0 * t[i].ne1;
        /* norms 1; weights N(0, 1/sqrt(fan_in)) so that activations keep their scale */
        float sd = (float)(1.0 / sqrt((double)t[i].ne0));
        for (int64_t k = 0; k < n; k++)
            d[k] = t[i].norm ? 1.0f : gauss(&rng) * sd * (strstr(t[i].name, "output.weight") ? 4.0f : 1.0f);
        gguf_add_tensor(g, x);
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%d", out_path, (int)getpid());
    bool ok = gguf_write_to_file(g, tmp, false);
    ggml_free(ctx);
    gguf_free(g);
    if (!ok || rename(tmp, out_path) != 0) {
        unlink(tmp);
        *err = sov_asprintf("%s: could not write the model", out_path);
        return SOV_EIO;
    }
    return 0;
}
