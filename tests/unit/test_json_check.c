/* Unit tests for src/protocol/json_check.c: a table of valid and invalid texts, and agreement with
 * jansson on mutations of a real stream event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "protocol/json_check.h"

static const struct {
    const char *text;
    bool ok;
} cases[] = {
    {"{}", true},
    {" [ ] ", true},
    {"{\"a\":1}", true},
    {"{\"a\":[1,2.5,-0,1e9,-1.5E-3,true,false,null,\"x\\n\\u00e9\"]}", true},
    {"\"plain\"", true},
    {"0", true},
    {"{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}", true},
    {"", false},
    {"   ", false},
    {"{", false},
    {"{\"choices\":[{\"delta\":{\"content\":\"x\"}", false},
    {"{\"a\":1,}", false},
    {"[1,]", false},
    {"{\"a\" 1}", false},
    {"{a:1}", false},
    {"{\"a\":01}", false},
    {"{\"a\":1.}", false},
    {"{\"a\":-}", false},
    {"{\"a\":1e}", false},
    {"{\"a\":tru}", false},
    {"{\"a\":\"unterminated}", false},
    {"{\"a\":\"bad \\x escape\"}", false},
    {"{\"a\":\"\\u12g4\"}", false},
    {"{\"a\":\"tab\there\"}", false},
    {"{} {}", false},
    {"{}x", false},
    {"[[[[[[[[[[]]]]]]]]]", false},
};

static void t_table(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = sov_json_well_formed(cases[i].text, strlen(cases[i].text));
        if (got != cases[i].ok)
            fail_msg("case %zu '%s': expected %d", i, cases[i].text, cases[i].ok);
    }
    assert_false(sov_json_well_formed(NULL, 0));
    /* length is respected: a valid prefix of a longer buffer */
    assert_true(sov_json_well_formed("{}garbage", 2));
}

static void t_depth(void **state)
{
    char deep[2 * (SOV_JSON_CHECK_MAX_DEPTH + 1)];
    for (int d = SOV_JSON_CHECK_MAX_DEPTH; d <= SOV_JSON_CHECK_MAX_DEPTH + 1; d++) {
        for (int i = 0; i < d; i++) {
            deep[i] = '[';
            deep[d + i] = ']';
        }
        assert_int_equal(sov_json_well_formed(deep, (size_t)(2 * d)), d <= SOV_JSON_CHECK_MAX_DEPTH);
    }
}

/* Random single-byte edits, deletions and truncations of a stream event: the checker agrees with
 * jansson (which also rejects some escapes the grammar allows, such as lone surrogates). */
static void t_agrees_with_jansson(void **state)
{
    const char *ev =
        "{\"id\":\"c-1\",\"object\":\"chat.completion.chunk\",\"created\":17,\"model\":\"m\",\"choices\":[{\"index\":0,"
        "\"delta\":{\"content\":\" tok1\\n\"},\"logprobs\":null,\"finish_reason\":null}],\"x\":[1.5e3,-2,true]}";
    size_t n = strlen(ev);
    char buf[512];
    const char alphabet[] = "{}[]\",:.-+eE0123456789tfnrul\\ abx";
    srand(7);
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, ev, n);
        size_t len = n;
        int edits = 1 + rand() % 3;
        for (int e = 0; e < edits && len > 1; e++) {
            size_t at = (size_t)rand() % len;
            switch (rand() % 3) {
            case 0:
                buf[at] = alphabet[rand() % (int)(sizeof alphabet - 1)];
                break;
            case 1:
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            default:
                len = at + 1;
                break;
            }
        }
        json_error_t je;
        json_t *j = json_loadb(buf, len, JSON_DECODE_ANY, &je);
        bool mine = sov_json_well_formed(buf, len);
        if (mine != (j != NULL) && !(mine && memmem(buf, len, "\\u", 2)))
            fail_msg("disagree (mine %d) on '%.*s'", mine, (int)len, buf);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_table),
        cmocka_unit_test(t_depth),
        cmocka_unit_test(t_agrees_with_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
