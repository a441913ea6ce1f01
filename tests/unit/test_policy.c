/* Policy rules: order, conditions, scoping by workflow and client, air-gapped, errors, and the router end to end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "config/config.h"
#include "route/policy.h"
#include "route/router.h"
#include "sovereign/sovereign.h"

static struct sov_policy *load(const char *yaml, char **err)
{
    *err = NULL;
    struct sov_yaml_node *root = sov_yaml_parse(yaml, strlen(yaml), err);
    assert_non_null(root);
    struct sov_policy *p = sov_policy_new(sov_yaml_get(root, "policy"), sov_yaml_get(root, "router"), err);
    sov_yaml_free(root);
    return p;
}

static const char *rules = "policy:\n"
                           "  - name: secrets-local\n"
                           "    when: {sensitive: [secret, iban]}\n"
                           "    route: local\n"
                           "  - name: invoices-pilot\n"
                           "    when: {workflow: [invoices, receipts], task: extraction}\n"
                           "    route: local\n"
                           "  - name: team-a\n"
                           "    when: {client: [0123456789abcdef]}\n"
                           "    route: cloud\n"
                           "  - name: easy\n"
                           "    when: {task: local_kind, complexity_below: 0.5}\n"
                           "    route: local\n"
                           "  - name: hard-chat\n"
                           "    when: {task: chat, complexity_at_least: 0.9}\n"
                           "    route: cloud\n"
                           "  - name: rest\n"
                           "    route: cloud\n";

static struct sov_policy_result eval(struct sov_policy *p, enum sov_task t, float cx, uint32_t sens, const char *wf,
                                     const char *client)
{
    struct sov_policy_facts f = {t, cx, sens, wf, client};
    struct sov_policy_result r;
    memset(&r, 0, sizeof r);
    sov_policy_eval(p, &f, &r);
    return r;
}

static void order_and_conditions(void **state)
{
    char *err;
    struct sov_policy *p = load(rules, &err);
    if (!p)
        fail_msg("%s", err);
    assert_int_equal(sov_policy_rules(p), 6);
    struct sov_policy_result r;
    /* the first matching rule wins */
    r = eval(p, SOV_TASK_CREATIVE, 0.9f, 1u << SOV_PII_IBAN, NULL, NULL);
    assert_string_equal(r.rule, "secrets-local");
    assert_int_equal(r.route, SOV_ROUTE_LOCAL);
    assert_string_equal(r.reason, "sensitive:iban");
    /* a type the rule does not list does not match it */
    r = eval(p, SOV_TASK_CREATIVE, 0.9f, 1u << SOV_PII_EMAIL, NULL, NULL);
    assert_string_equal(r.rule, "rest");
    /* workflow scoping */
    r = eval(p, SOV_TASK_EXTRACTION, 0.95f, 0, "receipts", NULL);
    assert_string_equal(r.rule, "invoices-pilot");
    assert_string_equal(r.reason, "workflow:receipts");
    r = eval(p, SOV_TASK_EXTRACTION, 0.95f, 0, "other", NULL);
    assert_string_equal(r.rule, "rest");
    r = eval(p, SOV_TASK_EXTRACTION, 0.95f, 0, NULL, NULL);
    assert_string_equal(r.rule, "rest");
    /* client scoping comes before the generic rule */
    r = eval(p, SOV_TASK_SUMMARIZATION, 0.1f, 0, NULL, "0123456789abcdef");
    assert_string_equal(r.rule, "team-a");
    assert_string_equal(r.reason, "client:0123456789abcdef");
    /* local_kind and the threshold (strictly below) */
    r = eval(p, SOV_TASK_SUMMARIZATION, 0.49f, 0, NULL, NULL);
    assert_string_equal(r.rule, "easy");
    assert_string_equal(r.reason, "task:summarization");
    r = eval(p, SOV_TASK_SUMMARIZATION, 0.5f, 0, NULL, NULL);
    assert_string_equal(r.rule, "rest");
    r = eval(p, SOV_TASK_CODE, 0.1f, 0, NULL, NULL);
    assert_string_equal(r.rule, "rest");
    assert_string_equal(r.reason, "default");
    r = eval(p, SOV_TASK_CHAT, 0.95f, 0, NULL, NULL);
    assert_string_equal(r.rule, "hard-chat");
    assert_string_equal(r.reason, "complexity:0.95");
    /* calibrate rewrites the threshold */
    assert_int_equal(sov_policy_set_threshold(p, 0.7f), 1);
    r = eval(p, SOV_TASK_SUMMARIZATION, 0.6f, 0, NULL, NULL);
    assert_string_equal(r.rule, "easy");
    struct sov_buf o = SOV_BUF_INIT(0);
    sov_policy_dump(p, &o);
    assert_non_null(strstr(o.data, "complexity_below: 0.7000"));
    assert_non_null(strstr(o.data, "sensitive: [iban, secret]"));
    assert_non_null(strstr(o.data, "workflow: [invoices, receipts]"));
    sov_buf_free(&o);
    sov_policy_free(p);
}

static void air_gapped_and_default(void **state)
{
    char *err;
    struct sov_policy *p = load("router: {air_gapped: true}\npolicy:\n  - {name: all-cloud, route: cloud}\n", &err);
    assert_non_null(p);
    assert_true(sov_policy_air_gapped(p));
    struct sov_policy_result r = eval(p, SOV_TASK_CODE, 0.9f, 0, NULL, NULL);
    assert_int_equal(r.route, SOV_ROUTE_LOCAL);
    assert_string_equal(r.reason, "air_gapped");
    sov_policy_free(p);
    /* no policy section: the built-in rules */
    p = load("server: {}\n", &err);
    assert_non_null(p);
    assert_int_equal(eval(p, SOV_TASK_CREATIVE, 0.9f, 1u << SOV_PII_SSN, NULL, NULL).route, SOV_ROUTE_LOCAL);
    assert_int_equal(eval(p, SOV_TASK_EXTRACTION, 0.2f, 0, NULL, NULL).route, SOV_ROUTE_LOCAL);
    assert_int_equal(eval(p, SOV_TASK_EXTRACTION, 0.8f, 0, NULL, NULL).route, SOV_ROUTE_CLOUD);
    assert_int_equal(eval(p, SOV_TASK_REASONING, 0.1f, 0, NULL, NULL).route, SOV_ROUTE_CLOUD);
    sov_policy_free(p);
}

static void errors(void **state)
{
    const char *bad[][2] = {
        {"policy:\n  - {name: x}\n", "policy[0] (line 2): a rule needs a route"},
        {"policy:\n  - {name: x, route: edge}\n", "policy[0].route (line 2)"},
        {"policy:\n  - name: x\n    route: local\n    when: {task: [poetry]}\n", "unknown task type 'poetry'"},
        {"policy:\n  - name: x\n    route: local\n    when: {sensitive: [dna]}\n", "unknown entity type 'dna'"},
        {"policy:\n  - name: x\n    route: local\n    when: {complexity_below: 2}\n", "[0, 1]"},
        {"policy:\n  - name: x\n    route: local\n    when:\n      colour: red\n", "policy[0].when.colour (line 5): unknown condition"},
        {"policy: []\n", "non-empty"},
        {"router: {air_gapped: maybe}\n", "router.air_gapped (line 1)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err;
        struct sov_policy *p = load(bad[i][0], &err);
        if (p)
            fail_msg("accepted: %s", bad[i][0]);
        if (!err || !strstr(err, bad[i][1]))
            fail_msg("error '%s' lacks '%s'", err ? err : "(none)", bad[i][1]);
        free(err);
    }
}

/* The router on real prompts: the decision's fields are filled and agree with the policy. */
static void router_end_to_end(void **state)
{
    const char *yaml = "backends: [{name: l, kind: openai, tier: local}]\n"
                       "sensitive:\n  terms: [Project Bluebird]\n";
    char *err = NULL;
    struct sov_config *cfg = sov_config_parse(yaml, strlen(yaml), NULL, &err);
    assert_non_null(cfg);
    struct sov_router *r = sov_router_new(cfg, &err);
    if (!r)
        fail_msg("%s", err);
    struct sov_router_scratch *s = sov_router_scratch_new(r);
    json_t *req = json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "messages", "role", "system", "content", "You are a billing assistant.",
                            "role", "user", "content", "Refund to IBAN DE89370400440532013000 please, re Project Bluebird.");
    struct sov_decision d;
    assert_int_equal(sov_router_decide(r, s, req, NULL, NULL, &d), 0);
    assert_int_equal(d.route, SOV_ROUTE_LOCAL);
    assert_true(d.sensitive_types & (1u << SOV_PII_IBAN));
    assert_true(d.sensitive_types & (1u << SOV_PII_CUSTOM));
    assert_string_equal(d.rule, "sensitive-stays-local");
    bool found = false;
    for (size_t i = 0; i < d.n_hits; i++)
        if (d.hits[i].type == SOV_PII_IBAN) {
            found = true;
            assert_int_equal(d.hits[i].message, 1);
            const char *text = "Refund to IBAN DE89370400440532013000 please, re Project Bluebird.";
            assert_memory_equal(text + d.hits[i].start, "DE89370400440532013000", d.hits[i].end - d.hits[i].start);
        }
    assert_true(found);
    float sum = 0;
    for (int t = 0; t < SOV_TASK_COUNT; t++)
        sum += d.task_probs[t];
    assert_true(sum > 0.99f && sum < 1.01f);
    assert_true(d.complexity >= 0 && d.complexity <= 1);
    json_decref(req);
    /* not a chat request */
    json_t *bad = json_pack("{s:s}", "prompt", "hi");
    assert_int_equal(sov_router_decide(r, s, bad, NULL, NULL, &d), SOV_EINVAL);
    json_decref(bad);
    sov_router_scratch_free(s);
    sov_router_free(r);
    sov_config_free(cfg);
    /* a missing model file is a clear error */
    const char *y2 = "backends: [{name: l, kind: openai}]\nrouter: {model: /nonexistent/m.bin}\n";
    cfg = sov_config_parse(y2, strlen(y2), NULL, &err);
    assert_null(sov_router_new(cfg, &err));
    assert_non_null(strstr(err, "router.model"));
    free(err);
    sov_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_and_conditions),
        cmocka_unit_test(air_gapped_and_default),
        cmocka_unit_test(errors),
        cmocka_unit_test(router_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
