/* The audit's building blocks: the span JSON reader (structure checks, string decoding), the price
 * table (matching, arithmetic, YAML overrides and their errors), template masking, and the router's
 * span entry points agreeing with sov_router_decide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/audit_int.h"
#include "audit/pricing.h"
#include "common/buf.h"
#include "config/yaml.h"
#include "route/router.h"
#include "sovereign/sovereign.h"
#include "store/store.h"

#include <unistd.h>

static struct sov_jv val(const char *s)
{
    struct sov_jv v = {NULL, 0, 0};
    if (sov__js_value(s, s + strlen(s), &v) != 0)
        v.type = 0;
    return v;
}

static void jspan_structure(void **state)
{
    (void)state;
    const char *good[] = {"{}", "[]", "{\"a\":[1,2,{\"b\":\"x\\\"}\"}]}", "  \"s\\\\\"  ", "true", "null", "-1.5e3", "[[[]]]"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_not_equal(val(good[i]).type, 0);
    const char *bad[] = {"", "{", "{\"a\":1", "[1,2", "{\"a\":\"x}", "{]", "[}", "{} x", "\"unterminated", "nul", "{\"a\":1}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(val(bad[i]).type, 0);
    /* depth beyond the cap is malformed, not a crash */
    char deep[2100];
    memset(deep, '[', 1050);
    memset(deep + 1050, ']', 1050);
    deep[2100 - 1] = '\0';
    deep[2098] = ']';
    assert_int_equal(val(deep).type, 0);
}

static void jspan_lookup_and_strings(void **state)
{
    (void)state;
    struct sov_arena a = {NULL, 0, 0};
    struct sov_jv v =
        val("{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":12,\"x\":\"7\"},\"m\":\"caf\\u00e9 \\ud83d\\ude00 \\n\\\"q\\\"\","
            "\"arr\":[1,\"two\",{\"k\":3}],\"nested\":\"{\\\"app\\\":\\\"crm\\\"}\"}");
    assert_int_equal(v.type, '{');
    struct sov_jobj o;
    assert_int_equal(sov__js_index(v, &o), 0);
    assert_int_equal(o.n, 5);
    assert_true(sov__js_eq(sov__js_get(&o, "model"), "gpt-4o"));
    assert_int_equal(sov__js_get(&o, "missing").type, 0);
    assert_true(sov__js_num(sov__js_path(v, "usage.prompt_tokens"), -1) == 12);
    assert_true(sov__js_num(sov__js_path(v, "usage.x"), -1) == 7); /* numbers in strings too */
    assert_true(sov__js_num(sov__js_path(v, "usage.none"), -1) == -1);
    size_t n;
    char *s = sov__js_str(sov__js_get(&o, "m"), &a, &n);
    assert_non_null(s);
    assert_string_equal(s, "caf\xc3\xa9 \xf0\x9f\x98\x80 \n\"q\"");
    assert_int_equal(n, strlen(s));
    const char *it = NULL;
    struct sov_jv el;
    int k = 0;
    while (sov__js_next(sov__js_get(&o, "arr"), &it, &el) == 1)
        k++;
    assert_int_equal(k, 3);
    struct sov_jv nested = sov__js_nested(sov__js_get(&o, "nested"), &a);
    assert_int_equal(nested.type, '{');
    char buf[8];
    assert_int_equal(sov__js_strbuf(sov__js_find(nested, "app"), buf, sizeof buf), 3);
    assert_string_equal(buf, "crm");
    /* truncating into a small buffer */
    assert_int_equal(sov__js_strbuf(sov__js_get(&o, "model"), buf, 4), 3);
    assert_string_equal(buf, "gpt");
    /* bad escapes are refused */
    assert_null(sov__js_str(val("\"\\x\""), &a, &n));
    assert_null(sov__js_str(val("\"\\u12\""), &a, &n));
    sov__arena_free(&a);
}

static void pricing_match_and_cost(void **state)
{
    (void)state;
    struct sov_pricing *p = sov_pricing_new();
    assert_non_null(p);
    const struct sov_price *r = sov_pricing_find(p, "gpt-4o-2024-08-06");
    assert_non_null(r);
    assert_string_equal(r->model, "gpt-4o");
    assert_string_equal(sov_pricing_find(p, "gpt-4o-mini-2024-07-18")->model, "gpt-4o-mini");
    assert_string_equal(sov_pricing_find(p, "gpt-4o-2024-05-13")->model, "gpt-4o-2024-05-13");
    assert_string_equal(sov_pricing_find(p, "litellm_proxy/anthropic/claude-sonnet-4-20250514")->model, "claude-sonnet-4");
    assert_string_equal(sov_pricing_find(p, "openai/gpt-4.1-mini")->model, "gpt-4.1-mini");
    assert_null(sov_pricing_find(p, "gpt-4oz"));
    assert_null(sov_pricing_find(p, "deepseek-chat"));
    assert_null(sov_pricing_find(p, ""));
    /* 1M uncached + 1M cached + 1M out of gpt-4o = 2.50 + 1.25 + 10.00 */
    assert_true(fabs(sov_pricing_cost(r, 2000000, 1000000, 0, 1000000) - 13.75) < 1e-9);
    /* negative (absent) counts are zero; cached never exceeds prompt */
    assert_true(sov_pricing_cost(r, -1, -1, -1, -1) == 0);
    assert_true(fabs(sov_pricing_cost(r, 10, 20, 0, 0) - 20 * 1.25 / 1e6) < 1e-12);
    const struct sov_price *s4 = sov_pricing_find(p, "claude-sonnet-4");
    assert_true(fabs(sov_pricing_cost(s4, 64000, 50000, 4000, 2000) - 0.09) < 1e-12);
    assert_string_equal(sov_pricing_date(p), SOV_PRICING_DATE);

    char *err = NULL;
    const char *yaml = "pricing:\n  date: 2025-09-01\n  models:\n    deepseek-chat: {input: 0.27, output: 1.10}\n"
                       "    gpt-4o: {input: 1, cached_input: 0.5, output: 2}\n";
    struct sov_yaml_node *doc = sov_yaml_parse(yaml, strlen(yaml), &err);
    assert_non_null(doc);
    assert_int_equal(sov_pricing_load(p, sov_yaml_get(doc, "pricing"), "t.yaml", &err), 0);
    sov_yaml_free(doc);
    assert_string_equal(sov_pricing_date(p), "2025-09-01");
    const struct sov_price *d = sov_pricing_find(p, "litellm_proxy/deepseek-chat");
    assert_non_null(d);
    assert_true(d->cached_input == 0.27); /* defaults to input */
    assert_string_equal(d->source, "t.yaml");
    assert_true(sov_pricing_find(p, "gpt-4o-2024-08-06")->input == 1); /* user rows win */
    assert_true(sov_pricing_count(p) > 20);

    const char *bad[] = {"pricing: 3\n",
                         "pricing:\n  models:\n    x: {input: -1, output: 1}\n",
                         "pricing:\n  models:\n    x: {input: 1}\n",
                         "pricing:\n  models:\n    x: {input: 1, output: 1, typo: 2}\n",
                         "pricing:\n  colour: blue\n  models: {}\n",
                         "pricing:\n  models:\n    x: {input: abc, output: 1}\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        doc = sov_yaml_parse(bad[i], strlen(bad[i]), &err);
        assert_non_null(doc);
        assert_int_equal(sov_pricing_load(p, sov_yaml_get(doc, "pricing"), "t.yaml", &err), SOV_ECONFIG);
        assert_non_null(strstr(err, "line"));
        free(err);
        err = NULL;
        sov_yaml_free(doc);
    }
    sov_pricing_free(p);
    sov_pricing_free(NULL);
}

static void template_masking(void **state)
{
    (void)state;
    struct sov_buf b = SOV_BUF_INIT(0);
    char disp[176];
    struct sov_decision d;
    memset(&d, 0, sizeof d);
    const char *a = "Classify this ticket for Maria Keller: order 4411 was charged twice. Contact maria@example.com, ref AB12CD34.";
    const char *c = "Classify this ticket for John Smith: order 98 was charged twice. Contact john@example.org, ref ZZ99XY11.";
    struct sov_router_msg ma[] = {{"system", "Answer with one label.", 22}, {"user", a, strlen(a)}};
    struct sov_router_msg mc[] = {{"system", "Answer with one label.", 22}, {"user", c, strlen(c)}};
    uint64_t ha = sov__audit_template(ma, 2, &d, &b, disp, sizeof disp);
    assert_null(strstr(disp, "Maria"));
    assert_null(strstr(disp, "4411"));
    assert_null(strstr(disp, "example.com"));
    assert_null(strstr(disp, "AB12"));
    assert_non_null(strstr(disp, "<name>"));
    assert_non_null(strstr(disp, "<email>"));
    assert_non_null(strstr(disp, "Answer with one label. | Classify this ticket"));
    uint64_t hc = sov__audit_template(mc, 2, &d, &b, disp, sizeof disp);
    assert_true(ha == hc); /* the same template */
    /* supplied content after a label or a line ending with ':' is masked */
    const char *s1 = "Summarize the following:\nThe board met on Monday and agreed to expand.";
    const char *s2 = "Summarize the following:\nRevenue fell in the south.";
    struct sov_router_msg m1[] = {{"user", s1, strlen(s1)}}, m2[] = {{"user", s2, strlen(s2)}};
    uint64_t h1 = sov__audit_template(m1, 1, &d, &b, disp, sizeof disp);
    assert_string_equal(disp, "Summarize the following: <content>");
    assert_true(h1 == sov__audit_template(m2, 1, &d, &b, disp, sizeof disp));
    const char *q = "Rewrite \"Send it now.\" politely";
    struct sov_router_msg mq[] = {{"user", q, strlen(q)}, {"assistant", "ok", 2}};
    sov__audit_template(mq, 2, &d, &b, disp, sizeof disp);
    assert_string_equal(disp, "Rewrite \"<text>\" politely"); /* assistant turns are not the template */
    /* sensitive spans the scanner found are masked by type */
    const char *p = "call me at home";
    struct sov_router_msg mp[] = {{"user", p, strlen(p)}};
    d.n_hits = 1;
    d.hits[0] = (struct sov_sensitive_hit){SOV_PII_PHONE, 0, 11, 15};
    sov__audit_template(mp, 1, &d, &b, disp, sizeof disp);
    assert_string_equal(disp, "call me at <phone>");
    /* the display is cut on a UTF-8 boundary */
    char big[400];
    memset(big, 'a', sizeof big);
    for (size_t i = 0; i + 2 < sizeof big; i += 3)
        memcpy(big + i, "\xc3\xa9 ", 3);
    struct sov_router_msg mb[] = {{"user", big, sizeof big - 1}};
    sov__audit_template(mb, 1, &d, &b, disp, 10);
    assert_true(strlen(disp) <= 9);
    assert_true(((unsigned char)disp[strlen(disp) - 1] & 0xC0) != 0xC0);
    sov_buf_free(&b);
}

static void router_span_matches_json(void **state)
{
    (void)state;
    char *err = NULL;
    struct sov_router *r = sov_router_new(NULL, &err);
    assert_non_null(r);
    struct sov_router_scratch *s = sov_router_scratch_new(r);
    const char *prompts[] = {"Classify this support ticket as billing or technical: I was charged twice.",
                             "Write a short story about a dragon who learns to cook.",
                             "Extract the IBAN from: please pay DE89 3704 0044 0532 0130 00 by Friday.",
                             "Prove that there are infinitely many primes, step by step."};
    for (size_t i = 0; i < sizeof prompts / sizeof prompts[0]; i++) {
        json_t *req = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "model", "auto", "messages", "role", "system", "content",
                                "You are helpful.", "role", "user", "content", prompts[i]);
        struct sov_decision a, b;
        assert_int_equal(sov_router_decide(r, s, req, NULL, NULL, &a), 0);
        struct sov_router_msg m[] = {{"system", "You are helpful.", 16}, {"user", prompts[i], strlen(prompts[i])}};
        memset(&b, 0, sizeof b);
        sov_router_scan_msgs(r, s, m, 2, &b);
        assert_int_equal(sov_router_classify_msgs(r, s, m, 2, false, &b), 0);
        sov_router_apply_policy(r, NULL, NULL, &b);
        assert_int_equal(a.task, b.task);
        assert_int_equal(a.route, b.route);
        assert_true(fabsf(a.complexity - b.complexity) < 1e-6f);
        assert_int_equal(a.sensitive_types, b.sensitive_types);
        assert_string_equal(a.reason, b.reason);
        json_decref(req);
    }
    struct sov_decision z;
    memset(&z, 0, sizeof z);
    assert_int_equal(sov_router_classify_msgs(r, s, NULL, 0, false, &z), SOV_EINVAL);
    sov_router_scratch_free(s);
    sov_router_free(r);
}

/* Sovereign's own decision store (SQLite) is a log the audit reads: the gateway's decisions as they were */
static void decision_store(void **state)
{
    (void)state;
    char path[] = "/tmp/sov-test-audit-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char *err = NULL;
    struct sov_store_options so = {0, 0};
    struct sov_store *st = sov_store_open(path, &so, &err);
    assert_non_null(st);
    for (int i = 0; i < 10; i++) {
        struct sov_store_record r;
        memset(&r, 0, sizeof r);
        r.time = 1751328000.0 + i * 3600;
        r.status = i == 9 ? 502 : 200;
        snprintf(r.model, sizeof r.model, "%s", i % 2 ? "gpt-4o" : "auto");
        snprintf(r.backend, sizeof r.backend, "%s", i % 2 ? "openai" : "local");
        snprintf(r.tier, sizeof r.tier, "%s", i % 2 ? "cloud" : "local");
        snprintf(r.route, sizeof r.route, "%s", i % 2 ? "cloud" : "local");
        snprintf(r.task, sizeof r.task, "%s", i % 2 ? "creative" : "extraction");
        r.complexity = i % 2 ? 0.8 : 0.1;
        if (i % 3 == 0)
            snprintf(r.sensitive, sizeof r.sensitive, "email,iban");
        snprintf(r.workflow, sizeof r.workflow, "wf%d", i % 2);
        r.attempts = 1;
        r.prompt_tokens = 1000;
        r.completion_tokens = 100;
        r.cost_usd = i % 2 ? 0.0035 : 0;
        assert_int_equal(sov_store_put(st, &r), 0);
    }
    sov_store_close(st);

    struct sov_router *router = sov_router_new(NULL, &err);
    struct sov_pricing *p = sov_pricing_new();
    struct sov_audit_opts o;
    sov_audit_opts_default(&o);
    o.workflow_field = "workflow";
    o.threads = 1;
    char *paths[] = {path};
    struct sov_audit_result *res = NULL;
    assert_int_equal(sov_audit_run(&o, router, p, paths, 1, &res, &err), 0);
    assert_int_equal(res->total.requests, 9);
    assert_int_equal(res->failed_calls, 1);
    assert_int_equal(res->errors, 0);
    assert_int_equal(res->by_task[SOV_TASK_EXTRACTION].requests, 5);
    assert_int_equal(res->by_task[SOV_TASK_CREATIVE].requests, 4);
    assert_int_equal(res->total.local_requests, 5);
    /* gpt-4o from the price table: 1000 x $2.50 + 100 x $10 per 1M, four times */
    assert_true(fabs(res->total.spend_usd - 4 * 0.0035) < 1e-9);
    assert_int_equal(res->sens_requests[SOV_PII_EMAIL], 4);
    assert_int_equal(res->n_workflows, 2);
    assert_true(res->ts_max - res->ts_min > 8 * 3600 - 1);
    struct sov_buf b = SOV_BUF_INIT(0);
    assert_int_equal(sov_audit_report_json(res, 10, &b), 0);
    assert_non_null(strstr(b.data, "\"sovereign-decisions\":10"));
    sov_buf_free(&b);
    sov_audit_result_free(res);
    sov_pricing_free(p);
    sov_router_free(router);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jspan_structure),  cmocka_unit_test(jspan_lookup_and_strings), cmocka_unit_test(pricing_match_and_cost),
        cmocka_unit_test(template_masking), cmocka_unit_test(router_span_matches_json), cmocka_unit_test(decision_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
