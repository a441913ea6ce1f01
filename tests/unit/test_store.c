/* The decision store: write, drain on close, read back, filters, a full queue, foreign files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/util.h"
#include "sovereign/sovereign.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void tmp_path(char *out, size_t cap, const char *name)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/sov-store-XXXXXX");
        assert_non_null(mkdtemp(dir));
    }
    snprintf(out, cap, "%s/%s", dir, name);
}

static void fill(struct sov_store_record *r, int i)
{
    memset(r, 0, sizeof *r);
    r->time = 1700000000.0 + i;
    snprintf(r->method, sizeof r->method, "POST");
    snprintf(r->path, sizeof r->path, "/v1/chat/completions");
    r->status = i % 10 ? 200 : 502;
    snprintf(r->model, sizeof r->model, "auto");
    snprintf(r->backend, sizeof r->backend, i % 2 ? "cloud" : "local");
    snprintf(r->tier, sizeof r->tier, i % 2 ? "cloud" : "local");
    snprintf(r->route, sizeof r->route, i % 2 ? "cloud" : "local");
    snprintf(r->task, sizeof r->task, "summarization");
    r->complexity = (double)(i % 100) / 100.0;
    if (i % 3 == 0)
        snprintf(r->sensitive, sizeof r->sensitive, "email,iban");
    snprintf(r->workflow, sizeof r->workflow, "wf%d", i % 4);
    r->attempts = 1;
    r->prompt_tokens = i;
    r->completion_tokens = i % 5 ? 2 * i : -1;
    r->cost_usd = i * 1e-6;
    r->latency_ms = 1.5;
    r->has_confidence = i % 2;
    r->mean_logprob = -0.25;
}

struct seen {
    int n;
    double last_time;
    bool ordered;
    int limit_stop;
};

static int count_cb(const struct sov_store_record *r, void *u)
{
    struct seen *s = u;
    int i = (int)(r->time - 1700000000.0 + 0.5);
    struct sov_store_record want;
    fill(&want, i);
    assert_int_equal(r->status, want.status);
    assert_string_equal(r->backend, want.backend);
    assert_string_equal(r->sensitive, want.sensitive);
    assert_string_equal(r->workflow, want.workflow);
    assert_int_equal(r->prompt_tokens, want.prompt_tokens);
    assert_int_equal(r->completion_tokens, want.completion_tokens);
    assert_int_equal(r->has_confidence, want.has_confidence);
    assert_true(r->complexity > want.complexity - 1e-9 && r->complexity < want.complexity + 1e-9);
    if (s->n && r->time < s->last_time)
        s->ordered = false;
    s->last_time = r->time;
    s->n++;
    return s->limit_stop && s->n == s->limit_stop ? 7 : 0;
}

static void test_roundtrip(void **state)
{
    (void)state;
    char path[128];
    tmp_path(path, sizeof path, "a.db");
    char *err = NULL;
    struct sov_store_options o = {.queue = 100000};
    struct sov_store *s = sov_store_open(path, &o, &err);
    assert_non_null(s);
    struct sov_store_record r;
    for (int i = 0; i < 5000; i++) {
        fill(&r, i);
        assert_int_equal(sov_store_put(s, &r), 0);
    }
    sov_store_close(s); /* drains */
    struct seen seen = {.ordered = true};
    assert_int_equal(sov_store_each(path, NULL, count_cb, &seen, &err), 0);
    assert_int_equal(seen.n, 5000);
    assert_true(seen.ordered);

    /* filters */
    struct sov_store_filter f = {.route = "cloud", .workflow = "wf1"};
    memset(&seen, 0, sizeof seen);
    seen.ordered = true;
    assert_int_equal(sov_store_each(path, &f, count_cb, &seen, &err), 0);
    assert_int_equal(seen.n, 1250); /* odd i with i % 4 == 1 */
    struct sov_store_filter g = {.since = 1700000000.0 + 100, .until = 1700000000.0 + 200};
    memset(&seen, 0, sizeof seen);
    assert_int_equal(sov_store_each(path, &g, count_cb, &seen, &err), 0);
    assert_int_equal(seen.n, 100);
    /* a limit takes the newest, newest first */
    struct sov_store_filter l = {.limit = 10};
    memset(&seen, 0, sizeof seen);
    seen.ordered = true;
    assert_int_equal(sov_store_each(path, &l, count_cb, &seen, &err), 0);
    assert_int_equal(seen.n, 10);
    assert_false(seen.ordered);
    assert_true(seen.last_time < 1700000000.0 + 4991.5 && seen.last_time > 1700000000.0 + 4989.5);
    /* a callback's non-zero answer stops the walk and is returned */
    memset(&seen, 0, sizeof seen);
    seen.limit_stop = 3;
    assert_int_equal(sov_store_each(path, NULL, count_cb, &seen, &err), 7);
    assert_int_equal(seen.n, 3);

    /* reopening appends to the same table */
    s = sov_store_open(path, NULL, &err);
    assert_non_null(s);
    fill(&r, 6000);
    assert_int_equal(sov_store_put(s, &r), 0);
    sov_store_close(s);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(sov_store_each(path, NULL, count_cb, &seen, &err), 0);
    assert_int_equal(seen.n, 5001);
}

static void test_full_queue_drops_and_counts(void **state)
{
    (void)state;
    char path[128];
    tmp_path(path, sizeof path, "b.db");
    char *err = NULL;
    struct sov_store_options o = {.queue = 4};
    struct sov_store *s = sov_store_open(path, &o, &err);
    assert_non_null(s);
    struct sov_store_record r;
    int ok = 0, busy = 0;
    for (int i = 0; i < 20000; i++) {
        fill(&r, i);
        int rc = sov_store_put(s, &r);
        assert_true(rc == 0 || rc == SOV_EBUSY);
        rc == 0 ? ok++ : busy++;
    }
    uint64_t dropped = sov_store_dropped(s);
    sov_store_close(s);
    assert_int_equal(dropped, (uint64_t)busy);
    struct seen seen = {.ordered = true};
    assert_int_equal(sov_store_each(path, NULL, count_cb, &seen, &err), 0);
    assert_int_equal(seen.n, ok); /* every accepted record is written, none twice */
}

static void test_retention(void **state)
{
    (void)state;
    char path[128];
    tmp_path(path, sizeof path, "c.db");
    char *err = NULL;
    struct sov_store_options o = {.queue = 10000, .retention_days = 1};
    struct sov_store *s = sov_store_open(path, &o, &err);
    assert_non_null(s);
    struct sov_store_record r;
    for (int i = 0; i < 4096; i++) { /* old rows (2023): pruned once 4096 rows went by */
        fill(&r, i);
        assert_int_equal(sov_store_put(s, &r), 0);
    }
    for (int i = 0; i < 10; i++) {
        fill(&r, i);
        r.time = sov_wall_time();
        assert_int_equal(sov_store_put(s, &r), 0);
    }
    sov_store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), min(time) FROM decisions", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    double oldest = sqlite3_column_double(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* the prune runs once 4096 rows were written, when every old row is in: only the 10 new ones stay */
    assert_int_equal(n, 10);
    assert_true(oldest > sov_wall_time() - 86400.0);
}

static void test_foreign_files(void **state)
{
    (void)state;
    char path[128];
    tmp_path(path, sizeof path, "other.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char *err = NULL;
    assert_null(sov_store_open(path, NULL, &err));
    assert_non_null(strstr(err, "not a Sovereign decision store"));
    free(err);
    err = NULL;
    struct seen seen = {0};
    assert_int_equal(sov_store_each(path, NULL, count_cb, &seen, &err), SOV_EPARSE);
    free(err);
    err = NULL;

    tmp_path(path, sizeof path, "text.db");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a database, just some text that is long enough to have a header\n", f);
    fclose(f);
    assert_null(sov_store_open(path, NULL, &err));
    free(err);
    err = NULL;
    assert_null(sov_store_open("/nonexistent-dir/x.db", NULL, &err));
    assert_non_null(err);
    free(err);
    err = NULL;
    assert_int_equal(sov_store_each("/nonexistent-dir/x.db", NULL, count_cb, &seen, &err), SOV_EIO);
    free(err);
    sov_store_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_full_queue_drops_and_counts),
        cmocka_unit_test(test_retention),
        cmocka_unit_test(test_foreign_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
