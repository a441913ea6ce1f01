/* URL targets of `sovereign bench`: streaming chat requests to an OpenAI-compatible server through
 * libcurl's multi interface, N in flight, timed chunk by chunk. */
#include "bench/bench.h"
#include "common/buf.h"
#include "common/util.h"
#include "protocol/sse.h"
#include "sovereign/sovereign.h"

#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENT (1u << 20) /* one SSE event */
#define MAX_PLAIN (4u << 20) /* a non-streamed answer or an error body */
#define MAX_ERROR_TEXT 200

struct xfer {
    CURL *easy;
    struct curl_slist *hdrs;
    char *body;
    struct sov_bench_result *r;
    struct sov_bench_sample *s;
    uint64_t t0;
    int mode; /* 0 undecided, 1 SSE, 2 plain body */
    struct sov_sse sse;
    struct sov_buf plain;
    struct sov__json_watch content_watch, tool_watch;
    bool got_first, done, usage, tool, stream_error;
    double last_token_ms;
    double chunks;
    double prompt_estimate;
    char *error; /* this request's failure reason */
};

static double ms_since(uint64_t t0)
{
    return (double)(sov_now_ns() - t0) / 1e6;
}

static void set_error(struct xfer *x, char *msg)
{
    if (!x->error)
        x->error = msg;
    else
        free(msg);
}

/* A piece of answer (content or tool-call arguments) arrived at time t. */
static void on_piece(struct xfer *x, const char *s, size_t n, bool is_tool, double t)
{
    if (n == 0)
        return;
    if (!x->got_first) {
        x->got_first = true;
        x->s->ttft_ms = t;
    }
    x->last_token_ms = t;
    if (isnan(x->s->action_ms)) {
        struct sov__json_watch *w = is_tool ? &x->tool_watch : &x->content_watch;
        if (sov__json_watch_feed(w, s, n)) {
            x->s->action_ms = t;
            x->s->action = is_tool ? SOV_BENCH_ACT_TOOL : SOV_BENCH_ACT_JSON;
        }
    }
}

static void on_usage(struct xfer *x, json_t *usage)
{
    json_t *pt = json_object_get(usage, "prompt_tokens"), *ct = json_object_get(usage, "completion_tokens");
    if (json_is_integer(pt) && json_is_integer(ct)) {
        x->usage = true;
        x->s->prompt_tokens = (double)json_integer_value(pt);
        x->s->completion_tokens = (double)json_integer_value(ct);
    }
}

/* One chat completion chunk, or a whole non-streamed chat completion (plain). */
static void on_object(struct xfer *x, json_t *j, bool plain, double t)
{
    json_t *err = json_object_get(j, "error");
    if (err) {
        const char *m = json_string_value(json_object_get(err, "message"));
        set_error(x, sov_asprintf("error in the answer: %.*s", MAX_ERROR_TEXT, m ? m : "(no message)"));
        x->stream_error = true;
        return;
    }
    json_t *usage = json_object_get(j, "usage");
    if (json_is_object(usage))
        on_usage(x, usage);
    json_t *choice = json_array_get(json_object_get(j, "choices"), 0);
    if (!choice)
        return;
    json_t *delta = json_object_get(choice, plain ? "message" : "delta");
    json_t *content = json_object_get(delta, "content");
    if (json_is_string(content) && json_string_length(content)) {
        x->chunks++;
        on_piece(x, json_string_value(content), json_string_length(content), false, t);
    }
    json_t *calls = json_object_get(delta, "tool_calls");
    size_t i;
    json_t *call;
    json_array_foreach(calls, i, call)
    {
        json_t *idx = json_object_get(call, "index");
        if (json_is_integer(idx) && json_integer_value(idx) != 0)
            continue; /* the first tool call decides */
        x->tool = true;
        json_t *args = json_object_get(json_object_get(call, "function"), "arguments");
        if (json_is_string(args) && json_string_length(args)) {
            x->chunks++;
            on_piece(x, json_string_value(args), json_string_length(args), true, t);
        } else if (!x->got_first) {
            x->got_first = true; /* the call's name is its first token */
            x->s->ttft_ms = t;
            x->last_token_ms = t;
        }
    }
    json_t *fin = json_object_get(choice, "finish_reason");
    if (json_is_string(fin) && isnan(x->s->latency_ms) && !plain)
        x->s->latency_ms = t; /* the answer is complete; a usage chunk may still follow */
}

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    struct xfer *x = ud;
    double t = ms_since(x->t0);
    if (len == 6 && !memcmp(data, "[DONE]", 6)) {
        x->done = true;
        if (isnan(x->s->latency_ms))
            x->s->latency_ms = t;
        return 0;
    }
    json_t *j = json_loadb(data, len, 0, NULL);
    if (!j) {
        set_error(x, sov_asprintf("malformed stream event (not JSON)"));
        x->stream_error = true;
        return 0;
    }
    on_object(x, j, false, t);
    json_decref(j);
    return 0;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    if (x->mode == 0) {
        long code = 0;
        const char *ct = NULL;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
        x->mode = (code == 200 && ct && strstr(ct, "text/event-stream")) ? 1 : 2;
    }
    if (x->mode == 1) {
        int rc = sov_sse_feed(&x->sse, p, n, on_event, x);
        if (rc) {
            set_error(x, sov_asprintf("a stream event over %u bytes", MAX_EVENT));
            return 0;
        }
        return n;
    }
    if (sov_buf_append(&x->plain, p, n)) {
        set_error(x, sov_asprintf("an answer over %u bytes", MAX_PLAIN));
        return 0;
    }
    return n;
}

static char *chat_url(const char *url)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    const char *tail = "/chat/completions";
    size_t tl = strlen(tail);
    if (n >= tl && !memcmp(url + n - tl, tail, tl))
        return sov_asprintf("%.*s", (int)n, url);
    if (n >= 3 && !memcmp(url + n - 3, "/v1", 3))
        return sov_asprintf("%.*s/chat/completions", (int)n, url);
    return sov_asprintf("%.*s/v1/chat/completions", (int)n, url);
}

/* The body of request i: the prompt's request with stream, usage and max_tokens set. */
static char *request_body(json_t *req, const struct sov_bench_opts *o, double *prompt_estimate)
{
    json_t *b = json_deep_copy(req);
    if (!b)
        return NULL;
    if (!json_is_string(json_object_get(b, "model")))
        json_object_set_new(b, "model", json_string(o->model ? o->model : "auto"));
    else if (o->model)
        json_object_set_new(b, "model", json_string(o->model));
    json_object_set_new(b, "stream", json_true());
    json_object_set_new(b, "stream_options", json_pack("{s:b}", "include_usage", 1));
    json_object_set_new(b, "max_tokens", json_integer(o->max_tokens));
    json_object_del(b, "max_completion_tokens");
    /* ~4 bytes per token, for servers that report no usage */
    double bytes = 0;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(b, "messages"), i, m)
    {
        json_t *c = json_object_get(m, "content");
        bytes += json_is_string(c) ? (double)json_string_length(c) : 0;
    }
    *prompt_estimate = ceil(bytes / 4);
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

static int start(CURLM *multi, struct xfer *x, const char *url, json_t *req, const struct sov_bench_opts *o)
{
    memset(x, 0, sizeof *x);
    x->body = request_body(req, o, &x->prompt_estimate);
    x->easy = curl_easy_init();
    if (!x->body || !x->easy)
        return SOV_ENOMEM;
    x->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    x->hdrs = curl_slist_append(x->hdrs, "Accept: text/event-stream");
    if (o->api_key) {
        char *h = sov_asprintf("Authorization: Bearer %s", o->api_key);
        if (h)
            x->hdrs = curl_slist_append(x->hdrs, h);
        free(h);
    }
    sov_sse_init(&x->sse, MAX_EVENT);
    x->plain.cap = MAX_PLAIN;
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "sovereign-bench/" SOV_VERSION);
    x->t0 = sov_now_ns();
    return curl_multi_add_handle(multi, e) == CURLM_OK ? 0 : SOV_ENOMEM;
}

/* The message of an error body ({"error": {"message": ...}}), or its first bytes. */
static char *http_error(long code, const struct sov_buf *b)
{
    json_t *j = b->len ? json_loadb(b->data, b->len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *m = json_is_string(e) ? json_string_value(e) : json_string_value(json_object_get(e, "message"));
    char *out;
    if (m) {
        out = sov_asprintf("HTTP %ld: %.*s", code, MAX_ERROR_TEXT, m);
    } else {
        size_t n = b->len < 80 ? b->len : 80;
        out = sov_asprintf("HTTP %ld%s%.*s", code, n ? ": " : "", (int)n, b->len ? b->data : "");
        for (char *p = out; p && *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
    }
    json_decref(j);
    return out;
}

static void finish(struct xfer *x, CURLcode res)
{
    struct sov_bench_sample *s = x->s;
    double t = ms_since(x->t0);
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    if (res != CURLE_OK && !x->error)
        set_error(x, sov_asprintf("%s", curl_easy_strerror(res)));
    if (!x->error && code != 200)
        set_error(x, http_error(code, &x->plain));
    if (!x->error && x->mode == 2) {
        json_t *j = json_loadb(x->plain.data ? x->plain.data : "", x->plain.len, 0, NULL);
        if (!j)
            set_error(x, sov_asprintf("the answer is neither a stream nor JSON"));
        else
            on_object(x, j, true, t);
        json_decref(j);
    }
    if (!x->error && x->mode == 1 && !x->done && isnan(s->latency_ms))
        set_error(x, sov_asprintf("the stream ended before the answer was complete"));
    if (!x->error && !x->got_first)
        set_error(x, sov_asprintf("an empty answer"));
    if (x->error) {
        s->ok = false;
        s->ttft_ms = s->action_ms = s->latency_ms = s->prompt_tps = s->gen_tps = NAN;
        s->prompt_tokens = s->completion_tokens = NAN;
        if (!x->r->first_error) {
            x->r->first_error = x->error;
            x->error = NULL;
        }
        return;
    }
    s->ok = true;
    if (isnan(s->latency_ms))
        s->latency_ms = t;
    if (isnan(s->action_ms)) {
        s->action_ms = s->latency_ms;
        s->action = x->tool ? SOV_BENCH_ACT_TOOL : SOV_BENCH_ACT_TEXT;
    }
    if (!x->usage) {
        x->r->tokens_estimated = true;
        s->prompt_tokens = x->prompt_estimate;
        s->completion_tokens = x->chunks;
    }
    s->prompt_tps = s->ttft_ms > 0 ? s->prompt_tokens / (s->ttft_ms / 1e3) : NAN;
    double span = x->last_token_ms - s->ttft_ms;
    s->gen_tps = (s->completion_tokens >= 2 && span > 0) ? (s->completion_tokens - 1) / (span / 1e3) : NAN;
}

static void xfer_free(CURLM *multi, struct xfer *x)
{
    if (x->easy) {
        curl_multi_remove_handle(multi, x->easy);
        curl_easy_cleanup(x->easy);
    }
    curl_slist_free_all(x->hdrs);
    free(x->body);
    free(x->error);
    sov_sse_free(&x->sse);
    sov_buf_free(&x->plain);
    memset(x, 0, sizeof *x);
}

int sov_bench_run_url(const char *url, const struct sov_bench_prompts *p, const struct sov_bench_opts *o,
                      struct sov_bench_result *r, char **err)
{
    memset(r, 0, sizeof *r);
    r->peak_rss_mib = r->model_size_mib = r->perplexity = r->load_s = NAN;
    r->target = sov_asprintf("%s", url);
    r->concurrency = o->concurrency;
    r->n = o->requests;
    r->s = calloc(r->n ? r->n : 1, sizeof *r->s);
    char *curl_url = chat_url(url);
    CURLM *multi = curl_multi_init();
    struct xfer *xs = calloc(o->concurrency, sizeof *xs);
    if (!r->target || !r->s || !curl_url || !multi || !xs) {
        free(curl_url);
        free(xs);
        if (multi)
            curl_multi_cleanup(multi);
        *err = sov_asprintf("out of memory");
        return SOV_ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        struct sov_bench_sample *s = &r->s[i];
        s->ttft_ms = s->action_ms = s->latency_ms = s->prompt_tps = s->gen_tps = NAN;
        s->prompt_tokens = s->completion_tokens = NAN;
    }
    int rc = 0;
    size_t next = 0, done = 0, running = 0;
    uint64_t t0 = sov_now_ns();
    while (done < r->n && rc == 0) {
        /* keep `concurrency` requests in flight */
        for (size_t k = 0; k < o->concurrency && next < r->n; k++) {
            if (xs[k].easy)
                continue;
            if (start(multi, &xs[k], curl_url, p->reqs[next % p->n], o) != 0) {
                rc = SOV_ENOMEM;
                break;
            }
            xs[k].r = r;
            xs[k].s = &r->s[next++];
            running++;
        }
        int still = 0;
        curl_multi_perform(multi, &still);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            struct xfer *x = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            CURLcode res = m->data.result;
            finish(x, res);
            xfer_free(multi, x);
            running--;
            done++;
            if (o->progress)
                o->progress(o->progress_ud, done, r->n);
        }
        if (done < r->n && running)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    r->wall_s = (double)(sov_now_ns() - t0) / 1e9;
    for (size_t k = 0; k < o->concurrency; k++)
        xfer_free(multi, &xs[k]);
    free(xs);
    curl_multi_cleanup(multi);
    free(curl_url);
    sov_bench_result_tally(r);
    if (rc)
        *err = sov_asprintf("out of memory");
    return rc;
}
