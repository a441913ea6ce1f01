/* The request path. See gateway.h for the overview and docs/architecture.md for the life of a request. */
#define SOV_LOG_MODULE "gateway"
#include "http/gateway.h"
#include "backend/upstream.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "http/errors.h"
#include "http/server.h"
#include "sovereign/sovereign.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- replies ---------------------------------------------------------------------------------- */

static void set_common_headers(struct gw_req *r, const char *ctype)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Content-Type", ctype);
    if (r->backend >= 0) {
        const struct sov_backend_config *b = &r->w->g->cfg->backends[r->backend];
        evhttp_add_header(h, "x-sovereign-backend", b->name);
        evhttp_add_header(h, "x-sovereign-tier", b->tier == SOV_TIER_LOCAL ? "local" : "cloud");
    }
    if (r->route) {
        evhttp_add_header(h, "x-sovereign-route", r->route);
        if (r->reason)
            evhttp_add_header(h, "x-sovereign-reason", r->reason);
    }
}

/* The access log's numbers without printf (one line per request: printf was ~10k instructions of it). */
static void put_u64(struct sov_buf *o, uint64_t v)
{
    char t[24];
    size_t n = 0;
    do {
        t[sizeof t - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sov_buf_append(o, t + sizeof t - n, n);
}

static void put_i64(struct sov_buf *o, int64_t v)
{
    if (v < 0) {
        sov_buf_putc(o, '-');
        put_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(o, (uint64_t)v);
    }
}

/* Microseconds as milliseconds with 3 decimals: what printf("%.3f", us / 1000.0) writes. */
static void put_ms(struct sov_buf *o, uint64_t us)
{
    put_u64(o, us / 1000);
    char f[4] = {'.', (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10), (char)('0' + us % 10)};
    sov_buf_append(o, f, 4);
}

static void access_log(struct gw_req *r)
{
    struct sov_gateway *g = r->w->g;
    uint64_t now = sov_now_us();
    uint64_t dur = now - r->t0;
    uint64_t ttfb = r->t_first ? r->t_first - r->t0 : 0;
    const struct sov_backend_config *b = r->backend >= 0 ? &g->cfg->backends[r->backend] : NULL;
    const struct sov_usage *u = &r->call.usage;
    double cost = 0;
    if (b && r->status == 200) {
        if (u->prompt_tokens > 0)
            cost += (double)u->prompt_tokens * b->price_in_per_m / 1e6;
        if (u->completion_tokens > 0)
            cost += (double)u->completion_tokens * b->price_out_per_m / 1e6;
        sov_metrics_tokens(g->metrics, r->backend, u->prompt_tokens, u->completion_tokens, cost);
        if (u->has_confidence)
            sov_metrics_confidence(g->metrics, r->backend, u->mean_logprob);
    }
    sov_metrics_request(g->metrics, r->backend, r->status, dur, ttfb);
    if (g->store)
        sov__gw_record(r, cost);
    if (!g->cfg->access_log)
        return;
    char line[1024];
    struct sov_buf o = {line, 0, sizeof line, 0};
    /* a stack buffer: sov_buf never reallocs memory it did not allocate, so cap it */
    o.alloc = sizeof line;
    o.cap = sizeof line - 2;
    struct sov_worker *w = r->w;
    double wt = sov_wall_time();
    time_t sec = (time_t)wt;
    if ((long long)sec != w->log_sec || !w->log_ts[0]) {
        struct tm tm;
        gmtime_r(&sec, &tm);
        snprintf(w->log_ts, sizeof w->log_ts, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        w->log_sec = (long long)sec;
    }
    int ms = (int)((wt - (double)sec) * 1000);
    char msz[6] = {'.', (char)('0' + ms / 100 % 10), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10), 'Z', '"'};
    sov_buf_puts(&o, "{\"time\":\"");
    sov_buf_puts(&o, w->log_ts);
    sov_buf_append(&o, msz, sizeof msz);
    sov_buf_puts(&o, ",\"method\":\"");
    sov_buf_puts(&o, r->method);
    sov_buf_puts(&o, "\",\"path\":\"");
    sov_buf_json_escape(&o, r->path ? r->path : "", r->path ? strlen(r->path) : 0);
    sov_buf_puts(&o, "\",\"status\":");
    put_i64(&o, r->status);
    if (b) {
        sov_buf_puts(&o, ",\"backend\":\"");
        sov_buf_puts(&o, b->name);
        sov_buf_puts(&o, b->tier == SOV_TIER_LOCAL ? "\",\"tier\":\"local\"" : "\",\"tier\":\"cloud\"");
    }
    if (r->model[0]) {
        sov_buf_puts(&o, ",\"model\":\"");
        sov_buf_json_escape(&o, r->model, strlen(r->model));
        sov_buf_putc(&o, '"');
    }
    if (r->route)
        sov_buf_printf(&o, ",\"route\":\"%s\",\"reason\":\"%s\"", r->route, r->reason ? r->reason : "");
    sov_buf_puts(&o, r->stream ? ",\"stream\":true,\"attempts\":" : ",\"stream\":false,\"attempts\":");
    put_u64(&o, r->attempt);
    if (u->prompt_tokens >= 0 && r->backend >= 0 && r->status == 200) {
        sov_buf_puts(&o, ",\"prompt_tokens\":");
        put_i64(&o, u->prompt_tokens);
        sov_buf_puts(&o, ",\"completion_tokens\":");
        put_i64(&o, u->completion_tokens < 0 ? 0 : u->completion_tokens);
        sov_buf_printf(&o, ",\"cost_usd\":%.8f", cost);
    }
    if (u->has_confidence && r->status == 200)
        sov_buf_printf(&o, ",\"confidence\":{\"mean_logprob\":%.4f,\"min_logprob\":%.4f,\"mean_entropy\":%.4f}",
                       u->mean_logprob, u->min_logprob, u->mean_entropy);
    sov_buf_puts(&o, ",\"latency_ms\":");
    put_ms(&o, dur);
    sov_buf_puts(&o, ",\"ttfb_ms\":");
    put_ms(&o, ttfb);
    sov_buf_puts(&o, "}\n");
    if (o.len && o.data[o.len - 1] != '\n') { /* truncated: keep it one line */
        o.len = o.len < sizeof line - 1 ? o.len : sizeof line - 1;
        o.data[o.len - 1] = '\n';
    }
    ssize_t wr = write(STDERR_FILENO, o.data, o.len);
    (void)wr;
}

static void flush_events(struct gw_req *r);

/* Ends the request's life: metrics, access log, memory. The reply was already sent (or the client left). */
static void gw_finish(struct gw_req *r)
{
    if (r->finished)
        return;
    r->finished = true;
    flush_events(r); /* nothing of this request may stay in the worker's scratch buffer */
    if (r->call_active) {
        r->call.backend->ops->cancel(&r->call);
        r->call_active = false;
    }
    if (r->slot_held) {
        sov_backend_release(r->call.backend);
        r->slot_held = false;
    }
    if (r->req && r->evcon)
        evhttp_connection_set_closecb(r->evcon, NULL, NULL);
    if (r->orphan) {
        if (r->reply_started)
            evhttp_send_reply_end(r->orphan);
        else
            evhttp_send_reply(r->orphan, 499, "Client Closed Request", NULL);
    }
    access_log(r);
    if (r->deadline)
        event_free(r->deadline);
    sov__front_stream_free(r->front);
    json_decref(r->body);
    free(r->err_body);
    r->w->inflight--;
    free(r);
}

static void send_json(struct evhttp_request *req, int status, const char *body, size_t len)
{
    struct evbuffer *b = evbuffer_new();
    if (b)
        evbuffer_add(b, body, len);
    evhttp_send_reply(req, status, NULL, b);
    if (b)
        evbuffer_free(b);
}

/* An error before anything was sent. */
static void reply_error(struct gw_req *r, int status, const char *type, const char *code, const char *param, const char *msg)
{
    r->status = status;
    if (r->req) {
        char tmp[512];
        struct sov_buf o = SOV_BUF_INIT(0);
        (void)tmp;
        sov_error_body(&o, r->fmt, status, type, code, param, msg);
        set_common_headers(r, "application/json");
        if (status == 429 || status == 503) {
            char ra[16];
            snprintf(ra, sizeof ra, "%u", r->retry_after_s ? r->retry_after_s : 1);
            evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", ra);
        }
        send_json(r->req, status, o.data, o.len);
        sov_buf_free(&o);
    }
    gw_finish(r);
}

/* ---- streaming to the client ------------------------------------------------------------------ */

static void start_stream(struct gw_req *r)
{
    r->headers_sent = true;
    r->t_first = sov_now_us();
    if (!r->req)
        return;
    set_common_headers(r, "text/event-stream");
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_add_header(h, "X-Accel-Buffering", "no");
    evhttp_send_reply_start(r->req, 200, "OK");
    r->reply_started = true;
}

/* Sends r's events held in the worker's scratch buffer as one HTTP chunk (drops them if the client
 * is gone). The scratch holds one request's events at a time: its owner's. */
static void flush_events(struct gw_req *r)
{
    struct sov_worker *w = r->w;
    if (w->scratch_owner != r)
        return;
    w->scratch_owner = NULL;
    if (r->req && evbuffer_get_length(w->scratch))
        evhttp_send_reply_chunk(r->req, w->scratch);
    evbuffer_drain(w->scratch, evbuffer_get_length(w->scratch));
}

/* One SSE event to the client. During a backend's burst (the events of one upstream read) events
 * gather in the scratch buffer and leave together at on_flush; otherwise at once. */
void sov__gw_write_event(struct gw_req *r, const char *event, const char *data, size_t len)
{
    if (!r->req)
        return;
    struct sov_worker *w = r->w;
    if (w->scratch_owner && w->scratch_owner != r)
        flush_events(w->scratch_owner);
    struct evbuffer *b = w->scratch;
    if (event) {
        evbuffer_add(b, "event: ", 7);
        evbuffer_add(b, event, strlen(event));
        evbuffer_add(b, "\n", 1);
    }
    evbuffer_add(b, "data: ", 6);
    evbuffer_add(b, data, len);
    evbuffer_add(b, "\n\n", 2);
    w->scratch_owner = r;
    if (!r->call.in_burst)
        flush_events(r);
}

static void end_stream(struct gw_req *r)
{
    flush_events(r);
    if (r->req)
        evhttp_send_reply_end(r->req);
}

/* ---- the backend's sink ------------------------------------------------------------------------ */

static void try_next(struct gw_req *r);

static void on_chunk(struct sov_call *c, const char *json, size_t len)
{
    struct gw_req *r = c->user;
    if (!r->headers_sent)
        start_stream(r);
    if (r->fmt == SOV_FMT_ANTHROPIC)
        sov__front_stream_chunk(r, json, len);
    else
        sov__gw_write_event(r, NULL, json, len);
}

static void on_complete(struct sov_call *c, const char *json, size_t len)
{
    struct gw_req *r = c->user;
    r->headers_sent = true;
    r->t_first = sov_now_us();
    r->status = 200;
    if (!r->req)
        return;
    set_common_headers(r, "application/json");
    if (c->usage.has_confidence) {
        char conf[128];
        snprintf(conf, sizeof conf, "mean_logprob=%.4f; min_logprob=%.4f; mean_entropy=%.4f", c->usage.mean_logprob,
                 c->usage.min_logprob, c->usage.mean_entropy);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "x-sovereign-confidence", conf);
    }
    if (r->fmt == SOV_FMT_ANTHROPIC) {
        struct sov_buf o = SOV_BUF_INIT(0);
        if (sov__front_complete(r, json, len, &o) == 0) {
            send_json(r->req, 200, o.data, o.len);
        } else {
            r->status = 502;
            sov_buf_reset(&o);
            sov_error_body(&o, r->fmt, 502, "api_error", "upstream_error", NULL, "could not translate the backend's answer");
            send_json(r->req, 502, o.data, o.len);
        }
        sov_buf_free(&o);
    } else {
        send_json(r->req, 200, json, len);
    }
}

static void on_done(struct sov_call *c)
{
    struct gw_req *r = c->user;
    r->call_active = false;
    if (r->stream) {
        r->status = 200;
        if (r->fmt == SOV_FMT_ANTHROPIC)
            sov__front_stream_end(r);
        else
            sov__gw_write_event(r, NULL, "[DONE]", 6);
        end_stream(r);
    }
    gw_finish(r);
}

static void mid_stream_error(struct gw_req *r, const char *msg)
{
    r->status = 200; /* the status line went out as 200; the access log tells the rest */
    if (r->req) {
        struct sov_buf o = SOV_BUF_INIT(0);
        sov_error_body(&o, r->fmt, 502, "api_error", "upstream_error", NULL, msg);
        if (r->fmt == SOV_FMT_ANTHROPIC)
            sov__gw_write_event(r, "error", o.data, o.len);
        else
            sov__gw_write_event(r, NULL, o.data, o.len);
        sov_buf_free(&o);
        end_stream(r);
    }
    r->status = 502;
    gw_finish(r);
}

static void on_error(struct sov_call *c, const struct sov_call_error *e)
{
    struct gw_req *r = c->user;
    r->call_active = false;
    if (r->slot_held) {
        sov_backend_release(c->backend);
        r->slot_held = false;
    }
    sov_metrics_upstream_error(r->w->g->metrics, r->backend, (int)e->kind);
    snprintf(r->err_msg, sizeof r->err_msg, "%s", e->message ? e->message : "backend failed");
    r->err_kind = e->kind;
    r->err_status = e->status;
    if (e->retry_after_s > r->retry_after_s)
        r->retry_after_s = e->retry_after_s;
    free(r->err_body);
    r->err_body = NULL;
    r->err_body_len = 0;
    if (e->kind == SOV_CALL_ERR_STATUS && e->body && e->body_len) {
        r->err_body = sov_strndup(e->body, e->body_len);
        r->err_body_len = r->err_body ? e->body_len : 0;
    }
    if (r->headers_sent) {
        mid_stream_error(r, r->err_msg);
        return;
    }
    if (e->retryable && r->attempt < r->n_cand) {
        sov_metrics_failover(r->w->g->metrics, r->backend);
        try_next(r);
        return;
    }
    /* nothing left: answer with the last failure */
    if (e->kind == SOV_CALL_ERR_STATUS && e->status >= 400 && e->status < 500 && e->status != 429 && e->status != 408) {
        /* the upstream refused the request itself: pass its answer through when it is in our format */
        if (r->fmt == SOV_FMT_OPENAI && r->err_body && r->req && strstr(r->err_body, "\"error\"")) {
            r->status = e->status;
            set_common_headers(r, "application/json");
            send_json(r->req, e->status, r->err_body, r->err_body_len);
            gw_finish(r);
            return;
        }
        reply_error(r, e->status, "invalid_request_error", "upstream_rejected", NULL, r->err_msg);
        return;
    }
    sov__gw_fail_all(r);
}

static void on_flush(struct sov_call *c)
{
    flush_events(c->user);
}

static const struct sov_call_sink sink = {on_chunk, on_complete, on_done, on_error, on_flush};

/* Every candidate failed (or none was free): answer with the kind of the last failure. */
void sov__gw_fail_all(struct gw_req *r)
{
    switch (r->err_kind) {
    case SOV_CALL_ERR_TIMEOUT:
        reply_error(r, 504, "api_error", "upstream_timeout", NULL, r->err_msg);
        break;
    case SOV_CALL_ERR_OVERLOADED:
        reply_error(r, 429, "rate_limit_error", "backend_overloaded", NULL, r->err_msg);
        break;
    case SOV_CALL_ERR_STATUS:
        if (r->err_status == 429) {
            reply_error(r, 429, "rate_limit_error", "rate_limit_exceeded", NULL, r->err_msg);
            break;
        }
        /* fall through */
    default:
        reply_error(r, 502, "api_error", "upstream_error", NULL, r->err_msg);
    }
}

/* ---- attempts and failover -------------------------------------------------------------------- */

static const char *model_for(struct gw_req *r, int bi)
{
    const struct sov_backend_config *b = &r->w->g->cfg->backends[bi];
    for (size_t i = 0; i < b->n_models; i++)
        if (!strcmp(b->models[i], r->model))
            return b->models[i];
    return b->n_models ? b->models[0] : r->model;
}

static void try_next(struct gw_req *r)
{
    struct sov_gateway *g = r->w->g;
    while (r->attempt < r->n_cand) {
        int bi = r->cand[r->attempt++];
        struct sov_backend *b = &g->backends[bi];
        r->backend = bi;
        if (!sov_backend_acquire(b)) {
            snprintf(r->err_msg, sizeof r->err_msg, "backend %s is at its concurrency limit", b->cfg->name);
            r->err_kind = SOV_CALL_ERR_OVERLOADED;
            sov_metrics_upstream_error(g->metrics, bi, SOV_CALL_ERR_OVERLOADED);
            continue;
        }
        r->slot_held = true;
        memset(&r->call, 0, sizeof r->call);
        r->call.backend = b;
        r->call.base = r->w->base;
        r->call.upstream = r->w->up;
        r->call.request = r->body;
        r->call.model = model_for(r, bi);
        r->call.body = r->raw && !strcmp(r->call.model, r->model) ? r->raw : NULL;
        r->call.body_len = r->call.body ? r->raw_len : 0;
        r->call.stream = r->stream;
        r->call.include_usage = r->include_usage;
        r->call.sink = &sink;
        r->call.user = r;
        r->call.usage.prompt_tokens = r->call.usage.completion_tokens = r->call.usage.cached_tokens = -1;
        int rc = !r->embeddings ? b->ops->start(&r->call) : b->ops->embed ? b->ops->embed(&r->call) : SOV_EINVAL;
        if (r->embeddings && !b->ops->embed)
            snprintf(r->call.start_error, sizeof r->call.start_error, "backend %s (kind %s) does not serve embeddings",
                     b->cfg->name, b->cfg->kind);
        if (rc == 0) {
            r->call_active = true;
            return;
        }
        sov_backend_release(b);
        r->slot_held = false;
        if (rc == SOV_EINVAL && r->call.start_error[0]) {
            /* the request itself cannot go to this backend: a client error if nothing else can take it */
            snprintf(r->err_msg, sizeof r->err_msg, "%s", r->call.start_error);
            r->err_kind = SOV_CALL_ERR_STATUS;
            r->err_status = 400;
            if (r->attempt >= r->n_cand) {
                reply_error(r, 400, "invalid_request_error", "unsupported_for_backend", NULL, r->err_msg);
                return;
            }
            continue;
        }
        snprintf(r->err_msg, sizeof r->err_msg, "backend %s could not start the request: %s", b->cfg->name,
                 sov_strerror(rc));
        r->err_kind = SOV_CALL_ERR_INTERNAL;
        sov_metrics_upstream_error(g->metrics, bi, SOV_CALL_ERR_INTERNAL);
    }
    sov__gw_fail_all(r);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct gw_req *r = arg;
    if (r->call_active) {
        r->call.backend->ops->cancel(&r->call);
        r->call_active = false;
    }
    snprintf(r->err_msg, sizeof r->err_msg, "the request took longer than limits.request_timeout_ms");
    if (r->headers_sent) {
        mid_stream_error(r, r->err_msg);
        return;
    }
    reply_error(r, 504, "api_error", "request_timeout", NULL, r->err_msg);
}

static void on_client_close(struct evhttp_connection *evcon, void *arg)
{
    struct gw_req *r = arg;
    r->orphan = r->req; /* detached from the connection, still ours to complete */
    r->req = NULL;
    r->status = 499;
    gw_finish(r);
}

/* ---- request checks --------------------------------------------------------------------------- */

static const char *const roles[] = {"system", "developer", "user", "assistant", "tool", "function", NULL};

/* Returns 0, or an HTTP status with *param and msg set. */
static int check_chat(struct sov_gateway *g, json_t *j, const char **param, char *msg, size_t cap)
{
    const struct sov_limits_config *lim = &g->cfg->limits;
    if (!json_is_object(j)) {
        snprintf(msg, cap, "the request body must be a JSON object");
        return 400;
    }
    json_t *model = json_object_get(j, "model");
    if (!json_is_string(model) || !json_string_length(model)) {
        *param = "model";
        snprintf(msg, cap, model ? "'model' must be a non-empty string" : "you must provide a model parameter");
        return 400;
    }
    if (json_string_length(model) >= 128) {
        *param = "model";
        snprintf(msg, cap, "'model' is too long");
        return 400;
    }
    json_t *msgs = json_object_get(j, "messages");
    if (!json_is_array(msgs)) {
        *param = "messages";
        snprintf(msg, cap, msgs ? "'messages' must be an array" : "'messages' is a required property");
        return 400;
    }
    if (json_array_size(msgs) == 0) {
        *param = "messages";
        snprintf(msg, cap, "'messages' must contain at least one message");
        return 400;
    }
    if (json_array_size(msgs) > lim->max_messages) {
        *param = "messages";
        snprintf(msg, cap, "too many messages: %zu, the limit is %zu (limits.max_messages)", json_array_size(msgs),
                 lim->max_messages);
        return 400;
    }
    size_t total = 0, i;
    json_t *m;
    static _Thread_local char pbuf[64]; /* param points here until the reply is written; one per worker */
    json_array_foreach(msgs, i, m)
    {
        snprintf(pbuf, sizeof pbuf, "messages[%zu]", i);
        if (!json_is_object(m)) {
            *param = pbuf;
            snprintf(msg, cap, "each message must be an object");
            return 400;
        }
        json_t *role = json_object_get(m, "role");
        bool ok = false;
        for (const char *const *r = roles; json_is_string(role) && *r; r++)
            ok |= !strcmp(json_string_value(role), *r);
        if (!ok) {
            snprintf(pbuf, sizeof pbuf, "messages[%zu].role", i);
            *param = pbuf;
            snprintf(msg, cap, "role must be one of system, developer, user, assistant, tool");
            return 400;
        }
        json_t *content = json_object_get(m, "content");
        if (json_is_string(content)) {
            total += json_string_length(content);
        } else if (json_is_array(content)) {
            size_t k;
            json_t *part;
            json_array_foreach(content, k, part)
            {
                json_t *t = json_object_get(part, "type");
                if (!json_is_object(part) || !json_is_string(t)) {
                    snprintf(pbuf, sizeof pbuf, "messages[%zu].content[%zu]", i, k);
                    *param = pbuf;
                    snprintf(msg, cap, "each content part must be an object with a type");
                    return 400;
                }
                json_t *txt = json_object_get(part, "text");
                if (json_is_string(txt))
                    total += json_string_length(txt);
            }
        } else if (content && !json_is_null(content)) {
            snprintf(pbuf, sizeof pbuf, "messages[%zu].content", i);
            *param = pbuf;
            snprintf(msg, cap, "content must be a string, an array of parts or null");
            return 400;
        } else if (!content && strcmp(json_string_value(role), "assistant") != 0) {
            snprintf(pbuf, sizeof pbuf, "messages[%zu].content", i);
            *param = pbuf;
            snprintf(msg, cap, "content is required");
            return 400;
        }
    }
    if (total > lim->max_prompt_bytes) {
        *param = "messages";
        snprintf(msg, cap, "the prompt is %zu bytes, the limit is %zu (limits.max_prompt_bytes)", total, lim->max_prompt_bytes);
        return 413;
    }
    json_t *stream = json_object_get(j, "stream");
    if (stream && !json_is_boolean(stream) && !json_is_null(stream)) {
        *param = "stream";
        snprintf(msg, cap, "'stream' must be a boolean");
        return 400;
    }
    json_t *so = json_object_get(j, "stream_options");
    if (so && !json_is_null(so) && !json_is_object(so)) {
        *param = "stream_options";
        snprintf(msg, cap, "'stream_options' must be an object");
        return 400;
    }
    json_t *n = json_object_get(j, "n");
    if (n && !json_is_null(n) && (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 128)) {
        *param = "n";
        snprintf(msg, cap, "'n' must be an integer between 1 and 128");
        return 400;
    }
    json_t *mt = json_object_get(j, "max_tokens");
    if (mt && !json_is_null(mt) && (!json_is_integer(mt) || json_integer_value(mt) < 1)) {
        *param = "max_tokens";
        snprintf(msg, cap, "'max_tokens' must be a positive integer");
        return 400;
    }
    json_t *temp = json_object_get(j, "temperature");
    if (temp && !json_is_null(temp) && (!json_is_number(temp) || json_number_value(temp) < 0 || json_number_value(temp) > 2)) {
        *param = "temperature";
        snprintf(msg, cap, "'temperature' must be a number between 0 and 2");
        return 400;
    }
    json_t *tools = json_object_get(j, "tools");
    if (tools && !json_is_null(tools) && !json_is_array(tools)) {
        *param = "tools";
        snprintf(msg, cap, "'tools' must be an array");
        return 400;
    }
    return 0;
}

/* ---- handlers ---------------------------------------------------------------------------------- */

static int find_backend_for_model(struct sov_gateway *g, const char *model)
{
    for (size_t i = 0; i < g->cfg->n_backends; i++)
        for (size_t k = 0; k < g->cfg->backends[i].n_models; k++)
            if (!strcmp(g->cfg->backends[i].models[k], model))
                return (int)i;
    return -1;
}

static void add_candidate(struct gw_req *r, int bi)
{
    for (size_t i = 0; i < r->n_cand; i++)
        if (r->cand[i] == bi)
            return;
    if (r->n_cand < MAX_CANDIDATES)
        r->cand[r->n_cand++] = bi;
}

/* POST /v1/chat/completions and, translated, POST /v1/messages. r->body holds the OpenAI request. */
void sov__gw_dispatch_chat(struct gw_req *r)
{
    struct sov_gateway *g = r->w->g;
    const char *param = NULL;
    char msg[256];
    int st = check_chat(g, r->body, &param, msg, sizeof msg);
    if (st) {
        reply_error(r, st, "invalid_request_error", st == 413 ? "request_too_large" : NULL, param, msg);
        return;
    }
    snprintf(r->model, sizeof r->model, "%s", json_string_value(json_object_get(r->body, "model")));
    r->stream = json_is_true(json_object_get(r->body, "stream"));
    if (r->fmt == SOV_FMT_OPENAI)
        r->include_usage = json_is_true(json_object_get(json_object_get(r->body, "stream_options"), "include_usage"));
    else
        r->include_usage = r->stream; /* the Anthropic stream reports usage in message_start/message_delta */
    int bi;
    if (!strcmp(r->model, "auto")) {
        bi = sov__gw_route_auto(r);
        if (bi < 0)
            return; /* answered */
    } else {
        bi = find_backend_for_model(g, r->model);
        if (bi < 0) {
            snprintf(msg, sizeof msg, "The model '%.100s' does not exist or you do not have access to it.", r->model);
            reply_error(r, 404, "invalid_request_error", "model_not_found", "model", msg);
            return;
        }
    }
    add_candidate(r, bi);
    for (size_t i = 0; i < g->n_fallback; i++)
        add_candidate(r, g->fallback[i]);
    if (sov__gw_guard(r, !strcmp(r->model, "auto")) != 0)
        return;
    unsigned ms = g->cfg->limits.request_timeout_ms;
    r->deadline = evtimer_new(r->w->base, on_deadline, r);
    if (r->deadline) {
        struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
        evtimer_add(r->deadline, &tv);
    }
    try_next(r);
}

/* POST /v1/embeddings: the backend serving the model, no router, no fallback chain (an embedding
 * is only meaningful from the model asked for). */
void sov__gw_dispatch_embeddings(struct gw_req *r)
{
    struct sov_gateway *g = r->w->g;
    json_t *model = json_object_get(r->body, "model");
    if (!json_is_object(r->body)) {
        reply_error(r, 400, "invalid_request_error", NULL, NULL, "the request body must be a JSON object");
        return;
    }
    if (!json_is_string(model) || !json_string_length(model) || json_string_length(model) >= sizeof r->model) {
        reply_error(r, 400, "invalid_request_error", NULL, "model", "'model' must be a non-empty string");
        return;
    }
    json_t *in = json_object_get(r->body, "input");
    size_t bytes = json_is_string(in) ? json_string_length(in) : 0, i;
    json_t *e;
    if (json_is_array(in))
        json_array_foreach(in, i, e) bytes += json_is_string(e) ? json_string_length(e) : 0;
    if (!json_is_string(in) && !json_is_array(in)) {
        reply_error(r, 400, "invalid_request_error", NULL, "input", "'input' must be a string or an array of strings");
        return;
    }
    if (bytes > g->cfg->limits.max_prompt_bytes) {
        char msg[160];
        snprintf(msg, sizeof msg, "the input is %zu bytes, the limit is %zu (limits.max_prompt_bytes)", bytes,
                 g->cfg->limits.max_prompt_bytes);
        reply_error(r, 413, "invalid_request_error", "request_too_large", "input", msg);
        return;
    }
    snprintf(r->model, sizeof r->model, "%s", json_string_value(model));
    int bi = find_backend_for_model(g, r->model);
    if (bi < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "The model '%.100s' does not exist or you do not have access to it.", r->model);
        reply_error(r, 404, "invalid_request_error", "model_not_found", "model", msg);
        return;
    }
    r->embeddings = true;
    r->raw = NULL; /* never relayed as a chat body */
    add_candidate(r, bi);
    unsigned ms = g->cfg->limits.request_timeout_ms;
    r->deadline = evtimer_new(r->w->base, on_deadline, r);
    if (r->deadline) {
        struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
        evtimer_add(r->deadline, &tv);
    }
    try_next(r);
}

struct gw_req *sov__gw_req_new(struct sov_worker *w, struct evhttp_request *req, const char *path, enum sov_api_format fmt)
{
    struct gw_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->w = w;
    r->req = req;
    r->fmt = fmt;
    r->path = path;
    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET: r->method = "GET"; break;
    case EVHTTP_REQ_POST: r->method = "POST"; break;
    case EVHTTP_REQ_PUT: r->method = "PUT"; break;
    case EVHTTP_REQ_DELETE: r->method = "DELETE"; break;
    case EVHTTP_REQ_PATCH: r->method = "PATCH"; break;
    case EVHTTP_REQ_HEAD: r->method = "HEAD"; break;
    case EVHTTP_REQ_OPTIONS: r->method = "OPTIONS"; break;
    default: r->method = "OTHER";
    }
    r->backend = -1;
    r->t0 = sov_now_us();
    r->call.usage.prompt_tokens = r->call.usage.completion_tokens = -1;
    r->evcon = evhttp_request_get_connection(req);
    w->inflight++;
    if (r->evcon) {
        evhttp_connection_set_closecb(r->evcon, on_client_close, r);
        /* libevent stops reading once a request is in; read on, so that a client that goes away
         * while we wait for the backend is noticed (EOF ends the connection and calls on_client_close) */
        struct bufferevent *bev = evhttp_connection_get_bufferevent(r->evcon);
        if (bev)
            bufferevent_enable(bev, EV_READ);
    }
    return r;
}

void sov__gw_reply_error(struct gw_req *r, int status, const char *type, const char *code, const char *param,
                         const char *msg)
{
    reply_error(r, status, type, code, param, msg);
}

void sov__gw_set_body(struct gw_req *r, json_t *body, const char *raw, size_t raw_len)
{
    r->body = body;
    r->raw = raw;
    r->raw_len = raw_len;
}

struct sov_front_stream **sov__gw_front(struct gw_req *r)
{
    return &r->front;
}

const char *sov__gw_model(struct gw_req *r)
{
    return r->model;
}

struct sov_usage *sov__gw_usage(struct gw_req *r)
{
    return &r->call.usage;
}

void sov__gw_set_route(struct gw_req *r, const char *route, const char *reason)
{
    r->route = route;
    if (reason) {
        snprintf(r->reason_buf, sizeof r->reason_buf, "%s", reason);
        r->reason = r->reason_buf;
    }
}

json_t *sov__gw_body(struct gw_req *r)
{
    return r->body;
}

struct sov_worker *sov__gw_worker(struct gw_req *r)
{
    return r->w;
}
