/* Member lookup of protocol/json_check.c (sov_json_object_members): grammar, members, integers, the mention filter,
 * and agreement with jansson on which texts are valid JSON objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/json_check.h"

static int members(const char *s, const char *const *keys, size_t n, struct sov_json_span *out)
{
    return sov_json_object_members(s, strlen(s), keys, n, out);
}

static void span_is(struct sov_json_span v, const char *want)
{
    if (!want) {
        assert_null(v.p);
        return;
    }
    assert_non_null(v.p);
    assert_int_equal(v.n, strlen(want));
    assert_memory_equal(v.p, want, v.n);
}

static void object_members(void **state)
{
    static const char *const keys[] = {"choices", "usage", "missing"};
    struct sov_json_span v[3];
    const char *c = " {\"id\":\"x\",\"choices\":[{\"a\":1},{\"b\":[true,false,null]}],\n"
                    " \"usage\" : {\"prompt_tokens\":11,\"completion_tokens\":4}} \r\n";
    assert_int_equal(members(c, keys, 3, v), 0);
    span_is(v[0], "[{\"a\":1},{\"b\":[true,false,null]}]");
    span_is(v[1], "{\"prompt_tokens\":11,\"completion_tokens\":4}");
    span_is(v[2], NULL);
    /* duplicates: the last wins (as jansson) */
    assert_int_equal(members("{\"usage\":1,\"usage\":2}", keys, 3, v), 0);
    span_is(v[1], "2");
    /* a key inside a nested object or a string is not a top-level member */
    assert_int_equal(members("{\"x\":{\"usage\":1},\"y\":\"\\\"usage\\\":2\"}", keys, 3, v), 0);
    span_is(v[1], NULL);
    assert_int_equal(members("{}", keys, 3, v), 0);
    span_is(v[0], NULL);
}

static void invalid_texts(void **state)
{
    static const char *const keys[] = {"a"};
    struct sov_json_span v[1];
    static const char *const bad[] = {
        "",
        "   ",
        "[]",
        "\"s\"",
        "{",
        "{\"a\":1",
        "{\"a\":1,}",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":1e}",
        "{\"a\":.5}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":\"open}",
        "{\"a\":+1}",
        "{\"a\":1,\"b\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (members(bad[i], keys, 1, v) != -1)
            fail_msg("accepted invalid JSON: %s", bad[i]);
    }
    /* nesting beyond the limit is refused rather than recursing without end */
    char deep[2 * SOV_JSON_CHECK_MAX_DEPTH + 64];
    for (int levels = SOV_JSON_CHECK_MAX_DEPTH - 1; levels <= SOV_JSON_CHECK_MAX_DEPTH; levels++) {
        size_t k = (size_t)snprintf(deep, sizeof deep, "{\"a\":");
        for (int i = 0; i < levels; i++)
            deep[k++] = '[';
        for (int i = 0; i < levels; i++)
            deep[k++] = ']';
        deep[k++] = '}';
        deep[k] = '\0';
        /* the object itself is one level: SOV_JSON_CHECK_MAX_DEPTH - 1 arrays inside fit, one more does not */
        assert_int_equal(members(deep, keys, 1, v), levels < SOV_JSON_CHECK_MAX_DEPTH ? 0 : -1);
    }
}

/* Whatever jansson calls a valid object, the scanner does too, and the other way round. */
static void agrees_with_jansson(void **state)
{
    static const char *const texts[] = {
        "{\"a\":1}",
        "{\"a\":-0.5e+10,\"b\":[],\"c\":{},\"d\":\"\\u00e9\\n\\\"\"}",
        "{\"a\":[[[[1]]]],\"b\":true,\"c\":false,\"d\":null}",
        "{\"a\":\"\\ud83d\\ude00\"}",
        " \t\n{ \"a\" : [ 1 , 2 ] } \n",
        "{\"a\":1,}",
        "{\"a\":[1,2}",
        "{\"a\":\"\\q\"}",
        "{\"a\":00}",
        "{\"a\":1}]",
        "{\"a\":\"x\"",
        "null",
        "{\"\":0}",
        "{\"a\":1E5,\"b\":-1e-5,\"c\":0.0}",
    };
    static const char *const keys[] = {"a"};
    struct sov_json_span v[1];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_t *j = json_loadb(texts[i], strlen(texts[i]), 0, NULL);
        bool jansson_ok = json_is_object(j);
        json_decref(j);
        bool ours = members(texts[i], keys, 1, v) == 0;
        if (jansson_ok != ours)
            fail_msg("disagree on %s: jansson %d, jscan %d", texts[i], jansson_ok, ours);
    }
}

static void integers(void **state)
{
    int64_t x = 0;
    struct sov_json_span v;
#define SPAN(s) ((struct sov_json_span){(s), strlen(s)})
    assert_true(sov_json_span_int(SPAN("0"), &x));
    assert_int_equal(x, 0);
    assert_true(sov_json_span_int(SPAN("123456"), &x));
    assert_int_equal(x, 123456);
    assert_true(sov_json_span_int(SPAN("-42"), &x));
    assert_int_equal(x, -42);
    assert_true(sov_json_span_int(SPAN("9223372036854775807"), &x));
    assert_true(x == INT64_MAX);
    assert_true(sov_json_span_int(SPAN("-9223372036854775808"), &x));
    assert_true(x == INT64_MIN);
    x = 7;
    assert_false(sov_json_span_int(SPAN("9223372036854775808"), &x));
    assert_false(sov_json_span_int(SPAN("1.5"), &x));
    assert_false(sov_json_span_int(SPAN("1e3"), &x));
    assert_false(sov_json_span_int(SPAN("\"3\""), &x));
    assert_false(sov_json_span_int(SPAN("null"), &x));
    assert_false(sov_json_span_int(SPAN("12a"), &x));
    assert_int_equal(x, 7); /* untouched on failure */
    v.p = NULL;
    v.n = 0;
    assert_false(sov_json_span_int(v, &x));
#undef SPAN
}

static void mentions(void **state)
{
#define M(s) sov_json_mentions((s), strlen(s), "\"usage\"", 7)
    assert_true(M("{\"usage\":{\"prompt_tokens\":1}}"));
    assert_true(M("{\"usage\" :  0}"));
    assert_false(M("{\"usage\":null}"));
    assert_false(M("{\"usage\" : null,\"x\":1}"));
    assert_false(M("{\"x\":\"usage\"}"));                    /* no quotes around it in the text */
    assert_false(M("{\"usage_total\":3}"));                  /* another key */
    assert_true(M("{\"usage\":null,\"y\":{\"usage\":{}}}")); /* the second one counts */
    assert_false(M(""));
#undef M
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(object_members), cmocka_unit_test(invalid_texts), cmocka_unit_test(agrees_with_jansson),
        cmocka_unit_test(integers),       cmocka_unit_test(mentions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
