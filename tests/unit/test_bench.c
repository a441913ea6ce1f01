/* The benchmark engine's figures: percentiles, the JSON completeness watch, answer agreement, prompt sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "bench/bench.h"
#include "sovereign/sovereign.h"

static void stats(void **state)
{
    double xs[100];
    for (int i = 0; i < 100; i++)
        xs[i] = 100 - i; /* 100..1, unsorted */
    xs[7] = NAN;         /* skipped */
    struct sov_bench_stat st = sov_bench_stat_of(xs, 100);
    assert_int_equal(st.n, 99);
    assert_true(st.p50 == 50); /* values 1..100 without 93: rank ceil(0.5 * 99) = 50 -> 50th smallest */
    assert_true(st.p90 == 90);
    assert_true(st.p99 == 100);
    double one[1] = {3.5};
    st = sov_bench_stat_of(one, 1);
    assert_true(st.mean == 3.5 && st.p50 == 3.5 && st.p99 == 3.5);
    double none[2] = {NAN, NAN};
    st = sov_bench_stat_of(none, 2);
    assert_int_equal(st.n, 0);
    assert_true(isnan(st.mean) && isnan(st.p99));
}

/* Feeds text in pieces of `step` bytes; returns the offset at which the value completed, or -1. */
static int watch(const char *s, size_t step)
{
    struct sov__json_watch w;
    memset(&w, 0, sizeof w);
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += step) {
        size_t k = n - i < step ? n - i : step;
        if (sov__json_watch_feed(&w, s + i, k))
            return (int)(i + k);
    }
    return -1;
}

static void json_watch(void **state)
{
    for (size_t step = 1; step <= 4; step++) {
        assert_int_equal(watch("{\"a\": 1} trailing", step) >= 8, 1);
        assert_int_equal(watch("{\"a\": 1} trailing", 1), 8);
        assert_int_equal(watch("  \n[1, [2, {\"x\": \"]}\"}], 3]", 1), 27);
        assert_int_equal(watch("{\"s\": \"a \\\" } still string\"}", 1), 28);
        assert_int_equal(watch("```json\n{\"k\": [\"}\"]}\n```", 1), 20);
        assert_int_equal(watch("Sure! {\"a\": 1}", step), -1);   /* does not open with JSON */
        assert_int_equal(watch("{\"a\": {\"b\": 1}", step), -1); /* not closed yet */
        assert_int_equal(watch("``not a fence {}", step), -1);
    }
}

static void agreement(void **state)
{
    int32_t a0[] = {1, 2, 3, 4}, b0[] = {1, 2, 3, 4}; /* identical */
    int32_t a1[] = {5, 6, 7, 8}, b1[] = {5, 6, 8, 7}; /* same tokens, other order: F1 1, prefix 2/4 */
    int32_t a2[] = {9, 9}, b2[] = {1};                /* nothing in common */
    struct sov_bench_answer aa[3] = {{a0, 4}, {a1, 4}, {a2, 2}}, bb[3] = {{b0, 4}, {b1, 4}, {b2, 1}};
    struct sov_bench_sample ok[3] = {{.ok = true}, {.ok = true}, {.ok = true}};
    struct sov_bench_result ra = {.answers = aa, .n_answers = 3, .s = ok, .n = 3};
    struct sov_bench_result rb = {.answers = bb, .n_answers = 3, .s = ok, .n = 3};
    struct sov_bench_agreement g;
    sov_bench_agree(&ra, &rb, &g);
    assert_int_equal(g.n, 3);
    assert_true(fabs(g.exact_match - 1.0 / 3) < 1e-12);
    assert_true(fabs(g.token_overlap - 2.0 / 3) < 1e-12);
    assert_true(fabs(g.prefix_share - (1 + 0.5 + 0) / 3) < 1e-12);
    /* a failed request on one side is left out */
    struct sov_bench_sample partly[3] = {{.ok = true}, {.ok = true}, {.ok = false}};
    rb.s = partly;
    sov_bench_agree(&ra, &rb, &g);
    assert_int_equal(g.n, 2);
    assert_true(fabs(g.exact_match - 0.5) < 1e-12);
}

static void prompt_sets(void **state)
{
    struct sov_bench_prompts p;
    assert_int_equal(sov_bench_prompts_default(&p), 0);
    assert_true(p.n >= 8);
    int tools = 0, json = 0;
    for (size_t i = 0; i < p.n; i++) {
        tools += json_object_get(p.reqs[i], "tools") != NULL;
        json += json_object_get(p.reqs[i], "response_format") != NULL;
        const char **roles;
        char **contents;
        char *err = NULL;
        int n = sov__bench_messages(p.reqs[i], &roles, &contents, &err);
        assert_true(n >= 1);
        assert_true(strlen(contents[n - 1]) > 10);
        sov__bench_messages_free(roles, contents, n);
    }
    assert_int_equal(tools, 1);
    assert_true(json >= 1);
    sov_bench_prompts_free(&p);
    sov_bench_prompts_free(NULL);

    char path[] = "/tmp/sov-test-bench-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "{\"prompt\":\"hi\"}\n\n{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                       "{\"type\":\"text\",\"text\":\"b\"}]}]}\n[1]\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *err = NULL;
    assert_int_equal(sov_bench_prompts_load(&p, path, &err), SOV_EINVAL);
    assert_non_null(strstr(err, ":4: not a JSON object"));
    free(err);
    fd = open(path, O_WRONLY | O_TRUNC);
    size_t keep = strlen(text) - 4;
    assert_int_equal(write(fd, text, keep), (ssize_t)keep);
    close(fd);
    err = NULL;
    assert_int_equal(sov_bench_prompts_load(&p, path, &err), 0);
    assert_int_equal(p.n, 2);
    const char **roles;
    char **contents;
    assert_int_equal(sov__bench_messages(p.reqs[0], &roles, &contents, &err), 1);
    assert_string_equal(contents[0], "hi");
    sov__bench_messages_free(roles, contents, 1);
    assert_int_equal(sov__bench_messages(p.reqs[1], &roles, &contents, &err), 1);
    assert_string_equal(contents[0], "a\nb");
    sov__bench_messages_free(roles, contents, 1);
    sov_bench_prompts_free(&p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stats),
        cmocka_unit_test(json_watch),
        cmocka_unit_test(agreement),
        cmocka_unit_test(prompt_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
