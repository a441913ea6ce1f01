#include "backend/http_common.h"

#include "sovereign/sovereign.h"

#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void sov__http_error(struct sov_call_error *e, enum sov_upstream_result r, int status, const char *body, size_t body_len,
                     char *message, size_t cap, const char *name)
{
    memset(e, 0, sizeof *e);
    if (r == SOV_UP_OK && status >= 400) {
        e->kind = SOV_CALL_ERR_STATUS;
        e->status = status;
        e->retryable = status == 408 || status == 429 || status >= 500;
        e->body = body;
        e->body_len = body_len;
        snprintf(message, cap, "backend %s answered HTTP %d", name, status);
    } else if (r == SOV_UP_TIMEOUT) {
        e->kind = SOV_CALL_ERR_TIMEOUT;
        e->retryable = true;
        snprintf(message, cap, "backend %s timed out", name);
    } else if (r == SOV_UP_CONNECT) {
        e->kind = SOV_CALL_ERR_CONNECT;
        e->retryable = true;
        snprintf(message, cap, "backend %s: connection failed", name);
    } else if (r == SOV_UP_BROKEN) {
        e->kind = SOV_CALL_ERR_BROKEN;
        e->retryable = true;
        snprintf(message, cap, "backend %s: connection broken during the response", name);
    } else if (r == SOV_UP_OK) {
        e->kind = SOV_CALL_ERR_PROTOCOL;
        e->retryable = true;
        snprintf(message, cap, "backend %s sent a response that could not be read", name);
    } else {
        e->kind = SOV_CALL_ERR_INTERNAL;
        snprintf(message, cap, "internal error calling backend %s", name);
    }
    e->message = message;
}

struct sov_upstream_timeouts sov__http_timeouts(const struct sov_backend *b)
{
    struct sov_upstream_timeouts t = {b->cfg->connect_timeout_ms, b->cfg->first_byte_timeout_ms, b->cfg->idle_timeout_ms};
    return t;
}

void sov__usage_from_openai(struct sov_usage *u, const json_t *usage)
{
    if (!json_is_object(usage))
        return;
    json_t *v = json_object_get(usage, "prompt_tokens");
    if (json_is_integer(v))
        u->prompt_tokens = json_integer_value(v);
    v = json_object_get(usage, "completion_tokens");
    if (json_is_integer(v))
        u->completion_tokens = json_integer_value(v);
    v = json_object_get(json_object_get(usage, "prompt_tokens_details"), "cached_tokens");
    if (json_is_integer(v))
        u->cached_tokens = json_integer_value(v);
}

void sov__confidence_add(struct sov_usage *u, const json_t *content, size_t *n, double *sum_lp, double *sum_ent)
{
    size_t i;
    json_t *tok;
    json_array_foreach(content, i, tok)
    {
        json_t *lp = json_object_get(tok, "logprob");
        if (!json_is_number(lp))
            continue;
        double l = json_number_value(lp);
        if (*n == 0 || l < u->min_logprob)
            u->min_logprob = l;
        *sum_lp += l;
        /* entropy over the returned alternatives (a lower bound on the true entropy) */
        json_t *top = json_object_get(tok, "top_logprobs");
        double h = 0;
        size_t k;
        json_t *alt;
        json_array_foreach(top, k, alt)
        {
            json_t *al = json_object_get(alt, "logprob");
            if (json_is_number(al)) {
                double p = exp(json_number_value(al));
                if (p > 0)
                    h -= p * json_number_value(al);
            }
        }
        *sum_ent += h;
        (*n)++;
    }
    if (*n) {
        u->has_confidence = true;
        u->mean_logprob = *sum_lp / (double)*n;
        u->mean_entropy = *sum_ent / (double)*n;
    }
}

void sov__http_call_init(struct sov__http_call *h, struct sov_call *c, sov__http_free_fn free_fn)
{
    h->call = c;
    h->free_fn = free_fn;
    h->body.cap = SOV_HTTP_MAX_RESPONSE_BYTES;
    sov_sse_init(&h->sse, SOV_HTTP_MAX_EVENT_BYTES);
    c->usage.prompt_tokens = c->usage.completion_tokens = c->usage.cached_tokens = -1;
    c->priv = h;
}

void sov__http_call_release(struct sov__http_call *h)
{
    sov_buf_free(&h->body);
    sov_sse_free(&h->sse);
}

int sov__http_call_post(struct sov__http_call *h, const char *url, struct curl_slist *headers, char *body, size_t len,
                        const struct sov_upstream_cbs *cbs)
{
    struct sov_call *c = h->call;
    struct sov_upstream_timeouts t = sov__http_timeouts(c->backend);
    h->req = headers && body ? sov_upstream_post(c->upstream, url, headers, body, len, &t, cbs, h) : NULL;
    if (!h->req) {
        free(body);
        curl_slist_free_all(headers);
        c->priv = NULL;
        h->free_fn(h);
        return SOV_ENOMEM;
    }
    return 0;
}

void sov__http_call_done(struct sov__http_call *h)
{
    struct sov_call *c = h->call;
    c->priv = NULL;
    c->sink->on_done(c);
    h->free_fn(h);
}

void sov__http_call_fail(struct sov__http_call *h, const struct sov_call_error *e)
{
    struct sov_call *c = h->call;
    if (h->req) {
        sov_upstream_abort(h->req);
        h->req = NULL;
    }
    c->priv = NULL;
    c->sink->on_error(c, e); /* e's strings may point into h: free after */
    h->free_fn(h);
}

void sov__http_call_data(struct sov__http_call *h, int status, const char *p, size_t n, sov_sse_cb on_event)
{
    struct sov_call *c = h->call;
    struct sov_call_error e = {0};
    if (status != 200 || !c->stream) {
        if (sov_buf_append(&h->body, p, n) == 0)
            return;
        e.kind = SOV_CALL_ERR_PROTOCOL;
        e.retryable = !c->chunks;
        snprintf(h->msg, sizeof h->msg, "backend %s: answer larger than %u bytes", c->backend->cfg->name,
                 SOV_HTTP_MAX_RESPONSE_BYTES);
        e.message = h->msg;
        sov__http_call_fail(h, &e);
        return;
    }
    /* the events of this read reach the sink as one burst (one write to the client) */
    c->in_burst = c->sink->on_flush != NULL;
    int rc = sov_sse_feed(&h->sse, p, n, on_event, h);
    if (rc == 0 && c->in_burst) {
        c->in_burst = false;
        c->sink->on_flush(c);
    } else if (rc == 1) {
        sov__http_call_fail(h, &h->pending);
    } else if (rc != 0) {
        e.kind = c->chunks ? SOV_CALL_ERR_BROKEN : SOV_CALL_ERR_PROTOCOL;
        e.retryable = true;
        snprintf(h->msg, sizeof h->msg, "backend %s: stream event too large", c->backend->cfg->name);
        e.message = h->msg;
        sov__http_call_fail(h, &e);
    }
}

void sov__http_call_failed(struct sov__http_call *h, enum sov_upstream_result r, int status)
{
    struct sov_call *c = h->call;
    struct sov_call_error e;
    bool ok200 = r == SOV_UP_OK && status == 200;
    sov__http_error(&e, r, ok200 ? 0 : status, h->body.data, h->body.len, h->msg, sizeof h->msg, c->backend->cfg->name);
    if (ok200) { /* 200 but unreadable, or a stream that ended before its end */
        e.kind = SOV_CALL_ERR_PROTOCOL;
        e.retryable = !c->chunks;
    }
    if (c->chunks && e.kind != SOV_CALL_ERR_STATUS)
        e.kind = SOV_CALL_ERR_BROKEN;
    e.retry_after_s = h->retry_after_s;
    sov__http_call_fail(h, &e);
}

void sov__http_on_retry_after(void *ud, unsigned seconds)
{
    ((struct sov__http_call *)ud)->retry_after_s = seconds;
}

void sov__http_call_cancel(struct sov_call *c)
{
    struct sov__http_call *h = c->priv;
    if (!h)
        return;
    c->priv = NULL;
    sov_upstream_abort(h->req);
    h->req = NULL;
    h->free_fn(h);
}
