/* The in-process llama.cpp node (src/backend/llama_node.c): UTF-8 repair, log-softmax statistics,
 * model file checks (missing, not GGUF, corrupt, truncated, too big) and a real model from
 * $SOV_SHARED_DATA/models/llama-2-tiny-random.gguf: tokenizer, chat format, greedy generation,
 * perplexity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/llama_node.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

static char model_path[1024];

static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "/tmp/sov-test-llama-%d-%s", (int)getpid(), name);
}

static void utf8_repair(void **state)
{
    struct sov_llama_utf8 u = {0};
    char out[64];
    /* "é" split across two pushes: held back, then released whole. */
    assert_int_equal(sov__llama_utf8_push(&u, "a\xC3", 2, out, sizeof out), 1);
    assert_memory_equal(out, "a", 1);
    size_t k = sov__llama_utf8_push(&u,
                                    "\xA9"
                                    "b",
                                    2, out, sizeof out);
    assert_int_equal(k, 3);
    assert_memory_equal(out,
                        "\xC3\xA9"
                        "b",
                        3);
    /* A stray continuation byte and an invalid lead become U+FFFD. */
    k = sov__llama_utf8_push(&u, "\x80x\xFF", 3, out, sizeof out);
    assert_int_equal(k, 7);
    assert_memory_equal(out, "\xEF\xBF\xBDx\xEF\xBF\xBD", 7);
    /* A broken sequence: lead then ASCII -> U+FFFD then the ASCII. */
    k = sov__llama_utf8_push(&u, "\xE2\x82z", 3, out, sizeof out);
    assert_int_equal(k, 4);
    assert_memory_equal(out, "\xEF\xBF\xBDz", 4);
    /* Surrogates (ED A0..) and overlongs (E0 80..) are refused. */
    k = sov__llama_utf8_push(&u, "\xED\xA0\x80", 3, out, sizeof out);
    assert_true(sov_utf8_valid(out, k));
    assert_null(memmem(out, k, "\xED\xA0", 2));
    /* A held tail is flushed as U+FFFD at the end. */
    assert_int_equal(sov__llama_utf8_push(&u, "\xF0\x9F", 2, out, sizeof out), 0);
    assert_int_equal(sov__llama_utf8_finish(&u, out, sizeof out), 3);
    /* Random bytes: the output is always valid. */
    srand(7);
    for (int round = 0; round < 200; round++) {
        char in[16], o[3 * 19 + 3];
        size_t n = (size_t)(rand() % 16);
        for (size_t i = 0; i < n; i++)
            in[i] = (char)(rand() & 0xFF);
        k = sov__llama_utf8_push(&u, in, n, o, sizeof o);
        assert_true(sov_utf8_valid(o, k));
    }
}

static void logit_stats(void **state)
{
    /* Against the naive softmax, with logits large enough to overflow a naive exp(). */
    float l[5] = {1000.0f, 999.0f, 998.5f, -50.0f, 1000.0f};
    double lp, h;
    sov__llama_logit_stats(l, 5, 1, &lp, &h);
    double z = 0, p[5];
    for (int i = 0; i < 5; i++)
        z += exp((double)l[i] - 1000.0);
    double hn = 0;
    for (int i = 0; i < 5; i++) {
        p[i] = exp((double)l[i] - 1000.0) / z;
        if (p[i] > 0)
            hn -= p[i] * log(p[i]);
    }
    assert_true(fabs(lp - log(p[1])) < 1e-6);
    assert_true(fabs(h - hn) < 1e-6);
    /* Uniform over 4: entropy log 4, every logprob -log 4. */
    float u[4] = {3, 3, 3, 3};
    sov__llama_logit_stats(u, 4, 2, &lp, &h);
    assert_true(fabs(lp + log(4.0)) < 1e-9);
    assert_true(fabs(h - log(4.0)) < 1e-9);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void bad_files(void **state)
{
    char *err = NULL, p[256];
    assert_int_equal(sov__llama_check_file("/nonexistent/model.gguf", -1, NULL, &err), SOV_ENOTFOUND);
    assert_non_null(strstr(err, "No such file"));
    free(err), err = NULL;

    tmp_path(p, sizeof p, "text.gguf");
    write_file(p, "hello, not a model\n", 19);
    assert_int_equal(sov__llama_check_file(p, -1, NULL, &err), SOV_EINVAL);
    assert_non_null(strstr(err, "not a GGUF"));
    free(err), err = NULL;

    /* GGUF magic, then garbage. */
    write_file(p, "GGUF\x03\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x01\x02", 18);
    assert_int_equal(sov__llama_check_file(p, -1, NULL, &err), SOV_EINVAL);
    assert_non_null(strstr(err, "corrupt"));
    free(err), err = NULL;

    /* The real model cut in the middle of its tensors. */
    size_t len;
    char *data = sov_read_file(model_path, 0, &len, &err);
    assert_non_null(data);
    write_file(p, data, len - len / 3);
    assert_int_equal(sov__llama_check_file(p, -1, NULL, &err), SOV_EINVAL);
    assert_non_null(strstr(err, "truncated"));
    free(err), err = NULL;
    struct sov_llama_model_params mp = {.path = p};
    assert_null(sov__llama_model_load(&mp, &err));
    assert_non_null(strstr(err, "truncated"));
    free(err), err = NULL;
    free(data);
    unlink(p);

    /* Too big for the given memory limit. */
    uint64_t size = 0;
    assert_int_equal(sov__llama_check_file(model_path, -1, &size, &err), 0);
    assert_true(size > 0);
    assert_int_equal(sov__llama_check_file(model_path, (int64_t)size / 2, NULL, &err), SOV_ELIMIT);
    assert_non_null(strstr(err, "too big"));
    free(err);
}

struct collect {
    char text[4096];
    size_t len;
    int n;
    int stop_after;
};

static int on_token(void *user, const struct sov_llama_token *t)
{
    struct collect *c = user;
    if (c->len + t->len < sizeof c->text) {
        memcpy(c->text + c->len, t->text, t->len);
        c->len += t->len;
    }
    if (t->id >= 0) {
        c->n++;
        assert_true(t->logprob <= 0);
        assert_true(t->entropy >= 0);
        if (t->n_top > 0) {
            assert_true(t->top[0].logprob >= t->logprob - 1e-9); /* the best is at least the chosen */
            for (int i = 1; i < t->n_top; i++)
                assert_true(t->top[i - 1].logprob >= t->top[i].logprob);
        }
    }
    return c->stop_after && c->n >= c->stop_after;
}

static void real_model(void **state)
{
    char *err = NULL;
    struct sov_llama_model_params mp = {.path = model_path};
    struct sov_llama_model *m = sov__llama_model_load(&mp, &err);
    if (!m)
        fail_msg("load: %s", err);
    struct sov_llama_model_info info;
    sov__llama_model_info(m, &info);
    assert_string_equal(info.arch, "llama");
    assert_int_equal(info.n_vocab, 32000);
    assert_false(info.is_embedding);

    /* Tokenizer round trip. */
    int32_t *toks;
    size_t n;
    assert_int_equal(sov__llama_tokenize(m, "Hello world", 11, true, false, &toks, &n, &err), 0);
    assert_true(n >= 3);
    char piece[64];
    int k = sov__llama_token_piece(m, toks[n - 1], piece, sizeof piece);
    assert_true(k > 0);
    assert_non_null(memmem("Hello world", 11, piece + (piece[0] == ' '), (size_t)k - (piece[0] == ' ')));
    free(toks);

    /* Chat format: this model has no template -> ChatML. */
    json_t *msgs = json_pack("[{s:s,s:s},{s:s,s:[{s:s,s:s}]}]", "role", "system", "content", "Be brief.", "role", "user", "content",
                             "type", "text", "text", "Hi");
    bool fb = false;
    char *prompt = sov__llama_chat_format(m, msgs, true, &fb, &err);
    assert_non_null(prompt);
    assert_true(fb);
    assert_string_equal(prompt, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    json_decref(msgs);

    struct sov_llama_ctx_params cp = {.n_ctx = 512, .n_threads = 1};
    struct sov_llama_ctx *c = sov__llama_ctx_new(m, &cp, &err);
    assert_non_null(c);
    assert_int_equal(sov__llama_tokenize(m, prompt, strlen(prompt), true, true, &toks, &n, &err), 0);
    free(prompt);

    /* Greedy is deterministic; max_tokens is honoured; the text is valid UTF-8. */
    struct sov_llama_sampling s;
    sov__llama_sampling_default(&s);
    s.temperature = 0;
    s.max_tokens = 12;
    s.top_logprobs = 3;
    struct collect a = {0}, b = {0};
    struct sov_llama_stats st;
    assert_int_equal(sov__llama_generate(c, toks, n, &s, on_token, &a, &st, &err), 0);
    assert_int_equal(sov__llama_generate(c, toks, n, &s, on_token, &b, NULL, &err), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.text, b.text, a.len);
    assert_true(sov_utf8_valid(a.text, a.len));
    assert_int_equal(st.n_prompt, (int64_t)n);
    assert_true(st.n_gen <= 12);
    if (st.finish == SOV_LLAMA_FINISH_LENGTH)
        assert_int_equal(st.n_gen, 12);
    assert_true(st.min_logprob <= st.mean_logprob);
    assert_true(st.mean_entropy >= 0);

    /* The callback can stop it. */
    struct collect d = {.stop_after = 2};
    s.temperature = 0.9;
    s.seed = 42;
    s.has_seed = true;
    assert_int_equal(sov__llama_generate(c, toks, n, &s, on_token, &d, &st, &err), 0);
    assert_int_equal(st.finish, SOV_LLAMA_FINISH_CALLER);
    assert_int_equal(d.n, 2);

    /* A prompt longer than the context is refused, not truncated. */
    int32_t *big = calloc(600, sizeof *big);
    for (int i = 0; i < 600; i++)
        big[i] = toks[i % n];
    assert_int_equal(sov__llama_generate(c, big, 600, &s, on_token, &d, &st, &err), SOV_EINVAL);
    assert_non_null(strstr(err, "context"));
    free(err), err = NULL;

    /* Perplexity: finite and > 1 for random weights. */
    double ppl = 0;
    size_t scored = 0;
    assert_int_equal(sov__llama_perplexity(c, big, 600, &ppl, &scored, &err), 0);
    assert_true(isfinite(ppl) && ppl > 1);
    assert_true(scored > 100);
    assert_int_equal(sov__llama_perplexity(c, big, 10, &ppl, NULL, &err), SOV_EINVAL);
    free(err);
    free(big);
    free(toks);
    sov__llama_ctx_free(c);
    sov__llama_model_free(m);
}

int main(void)
{
    const char *shared = getenv("SOV_SHARED_DATA");
    snprintf(model_path, sizeof model_path, "%s/models/llama-2-tiny-random.gguf", shared ? shared : "../shared/data");
    if (access(model_path, R_OK) != 0) {
        fprintf(stderr, "test_llama_node: %s is missing (SOV_SHARED_DATA)\n", model_path);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_repair),
        cmocka_unit_test(logit_stats),
        cmocka_unit_test(bad_files),
        cmocka_unit_test(real_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
