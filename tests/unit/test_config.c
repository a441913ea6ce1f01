/* The configuration loader: defaults, every error naming key and line, backend helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "sovereign/sovereign.h"

static struct sov_config *parse(const char *text, char **err)
{
    *err = NULL;
    return sov_config_parse(text, strlen(text), "t.yaml", err);
}

/* Asserts that text fails and the message contains each of the fragments. */
static void expect_error(const char *text, const char *frag1, const char *frag2)
{
    char *err;
    struct sov_config *c = parse(text, &err);
    if (c)
        fail_msg("expected an error for:\n%s", text);
    assert_non_null(err);
    if (!strstr(err, frag1) || (frag2 && !strstr(err, frag2)))
        fail_msg("error '%s' lacks '%s'/'%s'", err, frag1, frag2 ? frag2 : "");
    free(err);
}

static const char *minimal = "backends:\n"
                             "  - name: a\n"
                             "    kind: openai\n"
                             "    base_url: http://127.0.0.1:1/v1\n"
                             "    models: [m1, m2]\n";

static void defaults(void **state)
{
    char *err;
    struct sov_config *c = parse(minimal, &err);
    assert_non_null(c);
    assert_string_equal(c->listen, "127.0.0.1:8080");
    assert_int_equal(c->workers, 0);
    assert_true(c->access_log);
    assert_int_equal(c->limits.max_body_bytes, 1048576);
    assert_int_equal(c->limits.max_messages, 256);
    assert_int_equal(c->n_backends, 1);
    assert_string_equal(c->backends[0].name, "a");
    assert_int_equal(c->backends[0].n_models, 2);
    assert_string_equal(c->backends[0].models[1], "m2");
    assert_null(c->backends[0].models[2]);
    assert_int_equal(c->backends[0].tier, SOV_TIER_CLOUD);
    assert_int_equal(c->backends[0].connect_timeout_ms, 2000);
    assert_string_equal(c->default_backend, "a");
    assert_ptr_equal(sov_config_backend(c, "a"), &c->backends[0]);
    assert_null(sov_config_backend(c, "zz"));
    sov_config_free(c);
}

static void full(void **state)
{
    const char *text = "server:\n  listen: '[::1]:0'\n  workers: 3\n  access_log: false\n"
                       "limits:\n  max_body_bytes: 2k\n  max_messages: 5\n"
                       "auth:\n  keys_env: K\n  key_sha256: [2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae]\n"
                       "backends:\n"
                       "  - name: l\n    kind: openai\n    base_url: http://x/v1\n    models: [a]\n    tier: local\n"
                       "    price: {input: 0.5, output: 1.25}\n    timeouts: {connect_ms: 5, first_byte_ms: 6, idle_ms: 7}\n"
                       "    max_concurrency: 9\n    api_key_env: MY_KEY\n"
                       "  - name: c\n    kind: anthropic\n    base_url: https://api.anthropic.com\n    models: [b]\n"
                       "routing:\n  default: c\n  fallback: [l]\n";
    char *err;
    struct sov_config *c = parse(text, &err);
    if (!c)
        fail_msg("%s", err);
    assert_string_equal(c->listen, "[::1]:0");
    assert_int_equal(c->workers, 3);
    assert_false(c->access_log);
    assert_int_equal(c->limits.max_body_bytes, 2048);
    assert_int_equal(c->auth.n_key_sha256, 1);
    assert_string_equal(c->auth.keys_env, "K");
    const struct sov_backend_config *l = &c->backends[0];
    assert_int_equal(l->tier, SOV_TIER_LOCAL);
    assert_true(l->price_in_per_m == 0.5 && l->price_out_per_m == 1.25);
    assert_int_equal(l->connect_timeout_ms, 5);
    assert_int_equal(l->first_byte_timeout_ms, 6);
    assert_int_equal(l->idle_timeout_ms, 7);
    assert_int_equal(l->max_concurrency, 9);
    assert_string_equal(l->api_key_env, "MY_KEY");
    assert_string_equal(c->default_backend, "c");
    assert_int_equal(c->n_fallback, 1);
    assert_string_equal(c->fallback[0], "l");
    sov_config_free(c);
}

static void errors_name_key_and_line(void **state)
{
    expect_error("server:\n  listne: x\nbackends: []\n", "server.listne (line 2)", "did you mean 'listen'");
    expect_error("server:\n  workers: many\n", "server.workers (line 2)", "integer");
    expect_error("server:\n  workers: 100000\n", "server.workers", "out of range");
    expect_error("server: {listen: nohost}\nbackends: [{name: a, kind: openai}]\n", "server.listen", "host:port");
    expect_error("limits:\n  max_messages: -1\n", "limits.max_messages (line 2)", NULL);
    expect_error("backends: []\n", "backends", "non-empty");
    expect_error("server: {}\n", "backends", "missing");
    expect_error("backends:\n  - kind: openai\n", "backends[0].name", "missing");
    expect_error("backends:\n  - name: a\n    kind: openai\n    tier: edge\n", "backends[0].tier (line 4)", "local or cloud");
    expect_error("backends:\n  - name: a\n    kind: openai\n    base_url: ftp://x\n", "base_url", "http");
    expect_error("backends:\n  - name: a\n    kind: openai\n    api_key_env: sk-live-123\n", "api_key_env", "environment");
    expect_error("backends:\n  - {name: a, kind: openai}\n  - {name: a, kind: openai}\n", "duplicate backend name", NULL);
    expect_error("backends:\n  - {name: a, kind: openai, models: [x]}\n  - {name: b, kind: openai, models: [x]}\n",
                 "model 'x' is served by two backends", NULL);
    expect_error("backends:\n  - {name: a, kind: openai, models: [auto]}\n", "'auto' is reserved", NULL);
    expect_error("backends:\n  - {name: a, kind: openai}\nrouting:\n  default: b\n", "routing.default (line 4)", "'b'");
    expect_error("backends:\n  - {name: a, kind: openai}\nrouting:\n  fallback: [a, c]\n", "routing.fallback", "'c'");
    expect_error("backends:\n  - {name: a, kind: openai, price: {input: x}}\n", "price.input", "number");
    expect_error("backends:\n  - {name: a, kind: openai, price: 3}\n", "price", "mapping");
    expect_error("auth:\n  key_sha256: [abc]\nbackends:\n  - {name: a, kind: openai}\n", "auth.key_sha256", "64 hex");
    expect_error("backends: [\n", "line 2", NULL);
    expect_error("a: 1\na: 2\n", "duplicate key 'a'", NULL);
    expect_error("- 1\n- 2\n", "expected a mapping", NULL);
    expect_error("x: &a 1\ny: *a\n", "aliases", NULL);
    expect_error("server:\n  access_log: maybe\n", "server.access_log (line 2)", "true or false");
}

static void backend_helpers(void **state)
{
    char *err;
    struct sov_config *c = parse("backends:\n  - name: n\n    kind: openai\n    model: /x.gguf\n    ctx_size: 4096\n"
                                 "    threads: lots\n",
                                 &err);
    assert_non_null(c);
    char *s = NULL;
    assert_int_equal(sov_config_get_string(&c->backends[0], "model", true, &s, &err), 0);
    assert_string_equal(s, "/x.gguf");
    free(s);
    s = NULL;
    unsigned long long v = 7;
    assert_int_equal(sov_config_get_uint(&c->backends[0], "ctx_size", false, 1 << 20, &v, &err), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(sov_config_get_uint(&c->backends[0], "parallel", false, 64, &v, &err), 0);
    assert_int_equal(v, 4096); /* absent: untouched */
    assert_int_equal(sov_config_get_uint(&c->backends[0], "threads", false, 64, &v, &err), SOV_ECONFIG);
    assert_non_null(strstr(err, "backends[n].threads (line 6)"));
    free(err);
    assert_int_equal(sov_config_get_uint(&c->backends[0], "ctx_size", false, 100, &v, &err), SOV_ECONFIG);
    free(err);
    assert_int_equal(sov_config_get_string(&c->backends[0], "gpu_layers", true, &s, &err), SOV_ECONFIG);
    assert_non_null(strstr(err, "required"));
    free(err);
    sov_config_free(c);
    sov_config_free(NULL);
}

static void example_file_is_valid(void **state)
{
    const char *src = getenv("SOV_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/sovereign.yaml", src ? src : ".");
    char *err = NULL;
    struct sov_config *c = sov_config_load(path, &err);
    if (!c)
        fail_msg("%s", err);
    assert_true(c->n_backends >= 2);
    sov_config_free(c);
    c = sov_config_load("/nonexistent/x.yaml", &err);
    assert_null(c);
    assert_non_null(strstr(err, "No such file"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(full),
        cmocka_unit_test(errors_name_key_and_line),
        cmocka_unit_test(backend_helpers),
        cmocka_unit_test(example_file_is_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
