/* Shared helpers: capped buffers, JSON escaping, UTF-8, the SSE parser, error bodies, metrics text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "common/buf.h"
#include "common/util.h"
#include "config/config.h"
#include "http/errors.h"
#include "metrics/metrics.h"
#include "protocol/sse.h"
#include "sovereign/sovereign.h"

static void buf_cap(void **state)
{
    struct sov_buf b = SOV_BUF_INIT(10);
    assert_int_equal(sov_buf_puts(&b, "hello"), 0);
    assert_int_equal(sov_buf_puts(&b, "world"), 0);
    assert_int_equal(sov_buf_puts(&b, "!"), SOV_ELIMIT);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "helloworld");
    sov_buf_consume(&b, 5);
    assert_string_equal(b.data, "world");
    assert_int_equal(sov_buf_printf(&b, "%d", 12345), 0);
    assert_string_equal(b.data, "world12345");
    sov_buf_free(&b);
    struct sov_buf u = SOV_BUF_INIT(0);
    for (int i = 0; i < 1000; i++)
        sov_buf_printf(&u, "%04d", i);
    assert_int_equal(u.len, 4000);
    assert_memory_equal(u.data + 3996, "0999", 4);
    char *s = sov_buf_steal(&u);
    assert_int_equal(strlen(s), 4000);
    free(s);
    assert_null(u.data);
}

static void json_escape(void **state)
{
    struct sov_buf b = SOV_BUF_INIT(0);
    const char in[] = "a\"b\\c\n\x01 \xc3\xa9 \xff end";
    sov_buf_json_escape(&b, in, sizeof in - 1);
    assert_string_equal(b.data, "a\\\"b\\\\c\\n\\u0001 \xc3\xa9 \xef\xbf\xbd end");
    /* the result is always valid JSON string content */
    struct sov_buf q = SOV_BUF_INIT(0);
    sov_buf_printf(&q, "\"%s\"", b.data);
    json_t *j = json_loads(q.data, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    json_decref(j);
    sov_buf_free(&b);
    sov_buf_free(&q);
}

static void utf8(void **state)
{
    assert_true(sov_utf8_valid("plain", 5));
    assert_true(sov_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
    assert_false(sov_utf8_valid("\xc3", 1));
    assert_false(sov_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(sov_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(sov_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(sov_utf8_valid("a\xffz", 3));
    /* a streaming cut holds back only an incomplete tail */
    assert_int_equal(sov_utf8_complete_prefix("ab\xe2\x82", 4), 2);
    assert_int_equal(sov_utf8_complete_prefix("ab\xe2\x82\xac", 5), 5);
    assert_int_equal(sov_utf8_complete_prefix("ab\xf0", 3), 2);
    assert_int_equal(sov_utf8_complete_prefix("abc", 3), 3);
    assert_int_equal(sov_utf8_complete_prefix("ab\xff", 3), 3); /* invalid is not held back forever */
    assert_true(sov_ct_equal("abcd", "abcd", 4));
    assert_false(sov_ct_equal("abcd", "abce", 4));
}

struct events {
    char names[16][64];
    char data[16][256];
    int n;
};

static int collect(void *ud, const char *event, const char *data, size_t len)
{
    struct events *e = ud;
    snprintf(e->names[e->n], 64, "%s", event);
    snprintf(e->data[e->n], 256, "%.*s", (int)len, data);
    e->n++;
    return 0;
}

static void sse(void **state)
{
    const char *stream = ": comment\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\n"
                         "data: line1\ndata: line2\n\n"
                         "data:nospace\r\rdata: [DONE]\n\n";
    /* every split point gives the same events */
    size_t n = strlen(stream);
    for (size_t cut = 0; cut <= n; cut++) {
        struct sov_sse p;
        struct events e = {0};
        sov_sse_init(&p, 1024);
        assert_int_equal(sov_sse_feed(&p, stream, cut, collect, &e), 0);
        assert_int_equal(sov_sse_feed(&p, stream + cut, n - cut, collect, &e), 0);
        assert_int_equal(e.n, 4);
        assert_string_equal(e.names[0], "message_start");
        assert_string_equal(e.data[0], "{\"a\":1}");
        assert_string_equal(e.names[1], "message");
        assert_string_equal(e.data[1], "line1\nline2");
        assert_string_equal(e.data[2], "nospace");
        assert_string_equal(e.data[3], "[DONE]");
        sov_sse_free(&p);
    }
    /* an event over the cap is an error, not a truncation */
    struct sov_sse p;
    struct events e = {0};
    sov_sse_init(&p, 16);
    assert_int_equal(sov_sse_feed(&p, "data: 0123456789abcdefghij\n\n", 28, collect, &e), SOV_ELIMIT);
    assert_int_equal(e.n, 0);
    sov_sse_free(&p);
}

static void error_bodies(void **state)
{
    struct sov_buf b = SOV_BUF_INIT(0);
    sov_error_body(&b, SOV_FMT_OPENAI, 400, "invalid_request_error", NULL, "messages[0]", "bad \"thing\"");
    json_t *j = json_loads(b.data, 0, NULL);
    assert_non_null(j);
    json_t *e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "message")), "bad \"thing\"");
    assert_string_equal(json_string_value(json_object_get(e, "type")), "invalid_request_error");
    assert_string_equal(json_string_value(json_object_get(e, "param")), "messages[0]");
    assert_true(json_is_null(json_object_get(e, "code")));
    json_decref(j);
    sov_buf_reset(&b);
    sov_error_body(&b, SOV_FMT_ANTHROPIC, 404, "invalid_request_error", "model_not_found", NULL, "no such model");
    j = json_loads(b.data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "error");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "type")), "not_found_error");
    json_decref(j);
    sov_buf_free(&b);
        assert_string_equal(sov_strerror(SOV_ELIMIT), "limit exceeded");
    assert_string_equal(sov_strerror(12345), "unknown error");
}

static void metrics_text(void **state)
{
    char *err = NULL;
    const char *y = "backends:\n  - {name: loc, kind: openai, tier: local}\n  - {name: cl, kind: openai}\n";
    struct sov_config *c = sov_config_parse(y, strlen(y), NULL, &err);
    assert_non_null(c);
    struct sov_metrics *m = sov_metrics_new(c);
    sov_metrics_request(m, 0, 200, 1500, 700);
    sov_metrics_request(m, 0, 200, 3000, 0);
    sov_metrics_request(m, -1, 404, 10, 0);
    sov_metrics_tokens(m, 0, 10, 20, 0.5);
    sov_metrics_upstream_error(m, 1, 0);
    sov_metrics_decision(m, 0, "sensitive");
    sov_metrics_decision(m, 0, "sensitive");
    struct sov_buf o = SOV_BUF_INIT(0);
    sov_metrics_render(m, NULL, &o);
    assert_null(strstr(o.data, "sovereign_backend_slots"));
    sov_buf_free(&o);
    /* a backend with a local queue: its gauges, counter and wait histogram; the other has none */
    struct sov_queue_metrics q = {0};
    struct sov_backend bk[2] = {{.queue = &q}, {0}};
    atomic_store(&q.slots_total, 4);
    atomic_store(&q.slots_busy, 3);
    atomic_store(&q.queued, 2);
    atomic_store(&q.queue_limit, 16);
    atomic_fetch_add(&q.rejected, 5);
    sov_metrics_observe(&q.wait, 2000);
    sov_metrics_observe(&q.wait, 3000000);
    o = (struct sov_buf)SOV_BUF_INIT(0);
    sov_metrics_render(m, bk, &o);
    assert_non_null(strstr(o.data, "# TYPE sovereign_backend_slots gauge\nsovereign_backend_slots{backend=\"loc\"} 4\n"));
    assert_non_null(strstr(o.data, "sovereign_backend_slots_busy{backend=\"loc\"} 3\n"));
    assert_non_null(strstr(o.data, "sovereign_backend_queue_length{backend=\"loc\"} 2\n"));
    assert_non_null(strstr(o.data, "sovereign_backend_queue_limit{backend=\"loc\"} 16\n"));
    assert_non_null(strstr(o.data, "# TYPE sovereign_backend_queue_rejected_total counter\n"
                                   "sovereign_backend_queue_rejected_total{backend=\"loc\"} 5\n"));
    assert_non_null(strstr(o.data, "sovereign_backend_queue_wait_seconds_bucket{backend=\"loc\",le=\"0.0025\"} 1\n"));
    assert_non_null(strstr(o.data, "sovereign_backend_queue_wait_seconds_bucket{backend=\"loc\",le=\"2.5\"} 1\n"));
    assert_non_null(strstr(o.data, "sovereign_backend_queue_wait_seconds_bucket{backend=\"loc\",le=\"10\"} 2\n"));
    assert_non_null(strstr(o.data, "sovereign_backend_queue_wait_seconds_count{backend=\"loc\"} 2\n"));
    assert_null(strstr(o.data, "sovereign_backend_slots{backend=\"cl\"}"));
    assert_non_null(strstr(o.data, "sovereign_requests_total{backend=\"loc\",tier=\"local\",status=\"200\"} 2\n"));
    assert_non_null(strstr(o.data, "sovereign_requests_total{backend=\"none\",tier=\"none\",status=\"404\"} 1\n"));
    assert_non_null(strstr(o.data, "sovereign_tokens_total{backend=\"loc\",tier=\"local\",direction=\"completion\"} 20\n"));
    assert_non_null(strstr(o.data, "sovereign_cost_usd_total{backend=\"loc\",tier=\"local\"} 0.500000000\n"));
    assert_non_null(strstr(o.data, "sovereign_upstream_errors_total{backend=\"cl\",kind=\"connect\"} 1\n"));
    assert_non_null(strstr(o.data, "sovereign_request_duration_seconds_bucket{backend=\"loc\",tier=\"local\",le=\"0.0025\"} 1\n"));
    assert_non_null(strstr(o.data, "sovereign_request_duration_seconds_count{backend=\"loc\",tier=\"local\"} 2\n"));
    assert_non_null(strstr(o.data, "sovereign_ttfb_seconds_count{backend=\"loc\",tier=\"local\"} 1\n"));
    assert_non_null(strstr(o.data, "sovereign_route_decisions_total{route=\"local\",reason=\"sensitive\"} 2\n"));
    sov_buf_free(&o);
    sov_metrics_free(m);
    sov_config_free(c);
}

static void retry_after(void **state)
{
    (void)state;
    const int64_t now = 1792567680; /* Wed, 21 Oct 2026 07:28:00 GMT */
    unsigned s = 12345;
    assert_true(sov_retry_after_parse("7", 1, now, &s));
    assert_int_equal(s, 7);
    assert_true(sov_retry_after_parse(" 0 ", 3, now, &s));
    assert_int_equal(s, 0);
    assert_true(sov_retry_after_parse("999999999999999999999", 21, now, &s));
    assert_int_equal(s, SOV_RETRY_AFTER_MAX);
    const char *d = "Wed, 21 Oct 2026 07:30:00 GMT";
    assert_true(sov_retry_after_parse(d, strlen(d), now, &s));
    assert_int_equal(s, 120);
    d = "Wed, 21 Oct 2026 07:28:00 GMT";
    assert_true(sov_retry_after_parse(d, strlen(d), now, &s));
    assert_int_equal(s, 0);
    d = "Tue, 20 Oct 2026 07:28:00 GMT"; /* in the past */
    s = 5;
    assert_true(sov_retry_after_parse(d, strlen(d), now, &s));
    assert_int_equal(s, 0);
    d = "Thu, 01 Jan 2099 00:00:00 GMT"; /* far ahead: clamped */
    assert_true(sov_retry_after_parse(d, strlen(d), now, &s));
    assert_int_equal(s, SOV_RETRY_AFTER_MAX);
    d = "Sun, 01 Mar 2026 00:00:00 GMT"; /* over a month and year boundary */
    assert_true(sov_retry_after_parse(d, strlen(d), 1772323200 - 3600, &s));
    assert_int_equal(s, 3600);
    d = "  Wed, 21 Oct 2026 07:28:09 GMT\t";
    assert_true(sov_retry_after_parse(d, strlen(d), now, &s));
    assert_int_equal(s, 9);
    s = 77;
    static const char *bad[] = {
        "",
        "  ",
        "-1",
        "1.5",
        "7s",
        "Wed, 21 Oct 2026 07:30:00 UTC",
        "Wed, 21 Oct 2026 07:30:00",
        "Wed 21 Oct 2026 07:30:00 GMT",
        "Xyz, 21 Oct 2026 07:30:00 GMT",
        "Wed, 21 Okt 2026 07:30:00 GMT",
        "Wed, 31 Feb 2026 07:30:00 GMT",
        "Wed, 21 Oct 2026 24:30:00 GMT",
        "Wed, 2x Oct 2026 07:30:00 GMT",
        "Wednesday, 21-Oct-26 07:30:00 GMT", /* RFC 850: obsolete, not read */
        "Wed Oct 21 07:30:00 2026",          /* asctime: obsolete, not read */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(sov_retry_after_parse(bad[i], strlen(bad[i]), now, &s));
        assert_int_equal(s, 77);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_cap),      cmocka_unit_test(json_escape),  cmocka_unit_test(utf8),
        cmocka_unit_test(sse),          cmocka_unit_test(error_bodies), cmocka_unit_test(metrics_text),
        cmocka_unit_test(retry_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
