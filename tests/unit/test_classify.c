/* The task classifier: the committed model file, its validation, the structural features, and the
 * accuracy floors on the hand-written prompt sets that were never trained on (tests/data/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "route/classify.h"
#include "route/router.h"
#include "sovereign/sovereign.h"

static const char *src_dir(void)
{
    const char *d = getenv("SOV_SOURCE_DIR");
    return d ? d : SOV_SOURCE_DIR;
}

static char *model_path(void)
{
    return sov_asprintf("%s/models/router-model.bin", src_dir());
}

static void committed_model(void **state)
{
    (void)state;
    char *path = model_path(), *err = NULL;
    struct sov_classifier *c = sov_classifier_load(path, &err);
    if (!c)
        fail_msg("%s", err);
    assert_true(c->bucket_bits >= 10 && c->bucket_bits <= 24);
    assert_true(sov_classifier_file_size(c) < 512 * 1024); /* the committed model stays small */
    assert_int_equal(c->holdout_permille, 150);
    sov_classifier_free(c);
    free(path);
}

static void bad_model_files(void **state)
{
    (void)state;
    char *path = model_path(), *err = NULL;
    size_t len = 0;
    char *data = sov_read_file(path, 64u << 20, &len, &err);
    assert_non_null(data);
    struct sov_classifier *c;
    /* truncated header, truncated body, trailing bytes */
    assert_null(c = sov_classifier_parse(data, 20, &err));
    assert_non_null(strstr(err, "truncated header"));
    free(err);
    assert_null(c = sov_classifier_parse(data, len - 1, &err));
    assert_non_null(strstr(err, "truncated"));
    free(err);
    char *big = malloc(len + 1);
    memcpy(big, data, len);
    big[len] = 0;
    assert_null(c = sov_classifier_parse(big, len + 1, &err));
    assert_non_null(strstr(err, "trailing"));
    free(err);
    free(big);
    /* a flipped weight byte: checksum */
    data[len - 3] ^= 0x5a;
    assert_null(c = sov_classifier_parse(data, len, &err));
    assert_non_null(strstr(err, "checksum"));
    free(err);
    data[len - 3] ^= 0x5a;
    /* bad magic, other version */
    data[0] = 'X';
    assert_null(c = sov_classifier_parse(data, len, &err));
    assert_non_null(strstr(err, "magic"));
    free(err);
    data[0] = 'S';
    data[8] = 1;
    assert_null(c = sov_classifier_parse(data, len, &err));
    assert_non_null(strstr(err, "version"));
    free(err);
    data[8] = (char)SOV_CLS_VERSION;
    assert_non_null(c = sov_classifier_parse(data, len, &err));
    sov_classifier_free(c);
    /* a missing file */
    assert_null(sov_classifier_load("/nonexistent/model.bin", &err));
    assert_non_null(err);
    free(err);
    free(data);
    free(path);
}

static void save_and_parse(void **state)
{
    (void)state;
    struct sov_classifier *c = sov_classifier_new(10);
    assert_non_null(c);
    assert_null(sov_classifier_new(9));
    c->bias[SOV_TASK_CODE] = 2.5f;
    c->hashed[7 * SOV_CLS_STRIDE + 3] = -42;
    char path[] = "/tmp/sov-test-model-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char *err = NULL;
    assert_int_equal(sov_classifier_save(c, path, &err), 0);
    struct sov_classifier *d = sov_classifier_load(path, &err);
    assert_non_null(d);
    assert_true(d->bias[SOV_TASK_CODE] == 2.5f);
    assert_int_equal(d->hashed[7 * SOV_CLS_STRIDE + 3], -42);
    sov_classifier_free(d);
    sov_classifier_free(c);
    sov_classifier_free(NULL);
    remove(path);
}

static const float *dense_of(struct sov_classify_scratch *s, const char *body)
{
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    assert_int_equal(sov_classify_features(s, 15, j), 0);
    json_decref(j);
    return s->dense;
}

static void structural_features(void **state)
{
    (void)state;
    struct sov_classify_scratch *s = sov_classify_scratch_new();
    const float *d = dense_of(s, "{\"messages\":[{\"role\":\"user\",\"content\":\"Who pays for the roof?\\n\\nThe Landlord is "
                                 "responsible for structural elements, including the roof, the foundations and the external "
                                 "walls, and for the boiler in the flat.\"}]}");
    assert_true(d[SOV_CLS_D_Q_CONTENT] == 1.0f);
    assert_true(d[SOV_CLS_D_Q_BARE] == 0.0f);
    d = dense_of(s, "{\"prompt\":\"Who built the pyramids?\"}");
    assert_true(d[SOV_CLS_D_Q_CONTENT] == 0.0f);
    assert_true(d[SOV_CLS_D_Q_BARE] == 1.0f);
    d = dense_of(s, "{\"messages\":[{\"role\":\"system\",\"content\":\"Reply with BUG, FEATURE_REQUEST or OTHER.\"},"
                    "{\"role\":\"user\",\"content\":\"it crashes\"}]}");
    assert_true(d[SOV_CLS_D_CAPS_LABELS] > 0.0f);
    assert_true(d[SOV_CLS_D_SYSTEM] == 1.0f);
    d = dense_of(s, "{\"prompt\":\"Is it positive, negative or neutral?\"}");
    assert_true(d[SOV_CLS_D_CHOICES] == 1.0f);
    d = dense_of(s, "{\"prompt\":\"Write a poem about the sea\"}");
    assert_true(d[SOV_CLS_D_CHOICES] == 0.0f);
    assert_true(d[SOV_CLS_D_CAPS_LABELS] == 0.0f);
    /* not a chat request */
    json_t *j = json_loads("{\"input\":\"x\"}", 0, NULL);
    assert_int_equal(sov_classify_features(s, 15, j), SOV_EINVAL);
    json_decref(j);
    sov_classify_scratch_free(s);
}

/* Task accuracy and local/cloud decision accuracy of the committed model and default policy on one set. */
static void score_set(const char *rel, double *task_acc, double *route_acc)
{
    char *path = sov_asprintf("%s/%s", src_dir(), rel), *err = NULL;
    size_t len = 0;
    char *data = sov_read_file(path, 16u << 20, &len, &err);
    if (!data)
        fail_msg("%s", err);
    setenv("SOVEREIGN_ROUTER_MODEL", "", 1);
    char *mp = model_path();
    setenv("SOVEREIGN_ROUTER_MODEL", mp, 1);
    free(mp);
    struct sov_router *r = sov_router_new(NULL, &err);
    if (!r)
        fail_msg("%s", err);
    struct sov_router_scratch *sc = sov_router_scratch_new(r);
    size_t n = 0, ok_task = 0, ok_route = 0;
    for (char *line = data, *nl; line < data + len; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(data + len - line));
        if (!nl)
            nl = data + len;
        if (nl == line)
            continue;
        json_t *j = json_loadb(line, (size_t)(nl - line), 0, NULL);
        assert_non_null(j);
        int want = sov_task_parse(json_string_value(json_object_get(j, "task")));
        assert_true(want >= 0);
        struct sov_decision dcs;
        assert_int_equal(sov_router_decide(r, sc, j, NULL, NULL, &dcs), 0);
        n++;
        ok_task += (int)dcs.task == want;
        enum sov_route expect = sov_task_is_local_kind((enum sov_task)want) ? SOV_ROUTE_LOCAL : SOV_ROUTE_CLOUD;
        if (dcs.sensitive_types)
            expect = SOV_ROUTE_LOCAL;
        ok_route += dcs.route == expect;
        json_decref(j);
    }
    assert_true(n >= 50);
    *task_acc = (double)ok_task / (double)n;
    *route_acc = (double)ok_route / (double)n;
    print_message("%s: %zu prompts, task %.3f, local/cloud %.3f\n", rel, n, *task_acc, *route_acc);
    sov_router_scratch_free(sc);
    sov_router_free(r);
    free(data);
    free(path);
}

static void accuracy_floors(void **state)
{
    (void)state;
    double t, rt;
    /* floors a little under the figures in docs/router-model.md, so that a regression fails */
    score_set("tests/data/classify_unseen.jsonl", &t, &rt);
    assert_true(t >= 0.85);
    assert_true(rt >= 0.95);
    score_set("tests/data/classify_unseen2.jsonl", &t, &rt);
    assert_true(t >= 0.84);
    assert_true(rt >= 0.92);
    score_set("tests/data/classify_unseen3.jsonl", &t, &rt);
    assert_true(t >= 0.90);
    assert_true(rt >= 0.92);
    /* unseen4 was never used to steer the corpus (docs/router-model.md) */
    score_set("tests/data/classify_unseen4.jsonl", &t, &rt);
    assert_true(t >= 0.79);
    assert_true(rt >= 0.89);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(committed_model),     cmocka_unit_test(bad_model_files), cmocka_unit_test(save_and_parse),
        cmocka_unit_test(structural_features), cmocka_unit_test(accuracy_floors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
