/*
 * Backend kind "anthropic": the Messages API. OpenAI chat requests are translated on the way out,
 * answers and stream events on the way back (src/protocol/anthropic.c).
 */
#define SOV_LOG_MODULE "anthropic"
#include "backend/backend.h"
#include "backend/http_common.h"
#include "backend/upstream.h"
#include "common/log.h"
#include "common/util.h"
#include "protocol/anthropic.h"
#include "sovereign/sovereign.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANTHROPIC_VERSION "2023-06-01"

struct an_kind {
    char *url; /* {base_url}/v1/messages */
};

struct an_call {
    struct sov__http_call h; /* first: the shared HTTP call state */
    struct sov_anthropic_stream *st;
};

static int an_open(struct sov_backend *b, bool check_only, char **err)
{
    if (!b->cfg->base_url) {
        *err = sov_asprintf("backends[%s].base_url: required for kind anthropic", b->cfg->name);
        return SOV_ECONFIG;
    }
    struct an_kind *k = calloc(1, sizeof *k);
    if (!k)
        return SOV_ENOMEM;
    size_t n = strlen(b->cfg->base_url);
    while (n && b->cfg->base_url[n - 1] == '/')
        n--;
    bool has_v1 = n >= 3 && !memcmp(b->cfg->base_url + n - 3, "/v1", 3);
    k->url = sov_asprintf("%.*s%s/messages", (int)n, b->cfg->base_url, has_v1 ? "" : "/v1");
    b->priv = k;
    return k->url ? 0 : SOV_ENOMEM;
}

static void an_close(struct sov_backend *b)
{
    struct an_kind *k = b->priv;
    if (k)
        free(k->url);
    free(k);
    b->priv = NULL;
}

static void an_free(struct sov__http_call *h)
{
    struct an_call *ac = (struct an_call *)h;
    sov_anthropic_stream_free(ac->st);
    sov__http_call_release(h);
    free(ac);
}

static void on_chunk(void *ud, const char *json, size_t len)
{
    struct an_call *ac = ud;
    struct sov_call *c = ac->h.call;
    c->chunks++;
    c->sink->on_chunk(c, json, len);
}

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    struct an_call *ac = ud;
    struct sov_call *c = ac->h.call;
    int rc = sov_anthropic_stream_feed(ac->st, event, data, len, on_chunk, ac);
    if (rc == 0)
        return 0;
    const char *type = NULL;
    const char *m = sov_anthropic_stream_error(ac->st, &type);
    struct sov_call_error *e = &ac->h.pending;
    e->kind = c->chunks ? SOV_CALL_ERR_BROKEN : (rc == SOV_EUPSTREAM ? SOV_CALL_ERR_STATUS : SOV_CALL_ERR_PROTOCOL);
    e->status = type && !strcmp(type, "overloaded_error") ? 529 : 502;
    e->retryable = true;
    snprintf(ac->h.msg, sizeof ac->h.msg, "backend %s: %s", c->backend->cfg->name,
             rc == SOV_EUPSTREAM ? (type ? type : "error event") : (m ? m : "unreadable stream"));
    e->message = ac->h.msg;
    return 1;
}

static void on_data(void *ud, int status, const char *p, size_t n)
{
    sov__http_call_data(ud, status, p, n, on_event);
}

static void on_done(void *ud, enum sov_upstream_result r, int status)
{
    struct an_call *ac = ud;
    struct sov__http_call *h = &ac->h;
    struct sov_call *c = h->call;
    h->req = NULL;
    if (r == SOV_UP_OK && status == 200) {
        if (c->stream) {
            if (sov_anthropic_stream_done(ac->st)) {
                sov_anthropic_stream_usage(ac->st, &c->usage.prompt_tokens, &c->usage.completion_tokens,
                                           &c->usage.cached_tokens);
                sov__http_call_done(h);
                return;
            }
        } else {
            json_t *j = json_loadb(h->body.data ? h->body.data : "", h->body.len, 0, NULL);
            char *err = NULL;
            json_t *o = j ? sov_anthropic_response_to_openai(j, &err) : NULL;
            json_decref(j);
            free(err);
            char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
            if (text) {
                sov__usage_from_openai(&c->usage, json_object_get(o, "usage"));
                json_decref(o);
                c->chunks++;
                c->sink->on_complete(c, text, strlen(text));
                free(text);
                sov__http_call_done(h);
                return;
            }
            json_decref(o);
        }
    }
    sov__http_call_failed(h, r, status);
}

static int an_start(struct sov_call *c)
{
    struct an_kind *k = c->backend->priv;
    char *err = NULL;
    json_t *req = sov_anthropic_request_from_openai(c->request, c->model, &err);
    if (!req) {
        snprintf(c->start_error, sizeof c->start_error, "backend %s (Anthropic Messages API) cannot take this request: %s",
                 c->backend->cfg->name, err ? err : "unsupported request");
        free(err);
        return SOV_EINVAL;
    }
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    struct an_call *ac = calloc(1, sizeof *ac);
    if (!body || !ac) {
        free(body);
        free(ac);
        return SOV_ENOMEM;
    }
    sov__http_call_init(&ac->h, c, an_free);
    if (c->stream && !(ac->st = sov_anthropic_stream_new(c->model, c->include_usage))) {
        free(body);
        an_free(&ac->h);
        return SOV_ENOMEM;
    }
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    hd = curl_slist_append(hd, "Expect:");
    hd = curl_slist_append(hd, "anthropic-version: " ANTHROPIC_VERSION);
    if (c->stream)
        hd = curl_slist_append(hd, "Accept: text/event-stream");
    if (c->backend->api_key) {
        char *key = sov_asprintf("x-api-key: %s", c->backend->api_key);
        if (key)
            hd = curl_slist_append(hd, key);
        free(key);
    }
    static const struct sov_upstream_cbs cbs = {on_data, on_done, sov__http_on_retry_after};
    return sov__http_call_post(&ac->h, k->url, hd, body, strlen(body), &cbs);
}

const struct sov_backend_ops sov_backend_anthropic = {
    .kind = "anthropic",
    .open = an_open,
    .close = an_close,
    .start = an_start,
    .cancel = sov__http_call_cancel,
};
