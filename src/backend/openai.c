/*
 * Backend kind "openai": any OpenAI-compatible server (OpenAI, llama-server, vLLM, Ollama...).
 * Requests go out as they came whenever possible (no re-serialisation); streamed chunks are relayed
 * one by one as they arrive, looking inside only for the usage chunk and for logprobs.
 */
#define SOV_LOG_MODULE "openai"
#include "backend/backend.h"
#include "backend/http_common.h"
#include "backend/upstream.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "protocol/sse.h"
#include "sovereign/sovereign.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RESPONSE_BYTES (64u << 20)
#define MAX_EVENT_BYTES (8u << 20)

struct oa_kind {
    char *url; /* {base_url}/chat/completions */
};

struct oa_call {
    struct sov_call *call;
    struct sov_upstream_req *req;
    struct sov_buf body;  /* non-streaming response, or an error body */
    struct sov_sse sse;
    bool done_marker;     /* saw [DONE] */
    bool failed;
    size_t conf_n;
    double conf_lp, conf_ent;
    struct sov_call_error pending; /* set by on_event, reported once the parser has returned */
    char msg[160];
};

static int oa_open(struct sov_backend *b, bool check_only, char **err)
{
    if (!b->cfg->base_url) {
        *err = sov_asprintf("backends[%s].base_url: required for kind openai", b->cfg->name);
        return SOV_ECONFIG;
    }
    struct oa_kind *k = calloc(1, sizeof *k);
    if (!k)
        return SOV_ENOMEM;
    size_t n = strlen(b->cfg->base_url);
    while (n && b->cfg->base_url[n - 1] == '/')
        n--;
    k->url = sov_asprintf("%.*s/chat/completions", (int)n, b->cfg->base_url);
    b->priv = k;
    return k->url ? 0 : SOV_ENOMEM;
}

static void oa_close(struct sov_backend *b)
{
    struct oa_kind *k = b->priv;
    if (k)
        free(k->url);
    free(k);
    b->priv = NULL;
}

/* Frees the call state. Never touches oc->call: the terminal sink callback may already have freed it. */
static void oa_free(struct oa_call *oc)
{
    sov_buf_free(&oc->body);
    sov_sse_free(&oc->sse);
    free(oc);
}

static void fail_call(struct oa_call *oc, const struct sov_call_error *e)
{
    struct sov_call *c = oc->call;
    oc->failed = true;
    c->priv = NULL;
    /* the error's strings point into oc: report, then free */
    c->sink->on_error(c, e);
    oa_free(oc);
}

/* One SSE event from upstream. */
static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    struct oa_call *oc = ud;
    struct sov_call *c = oc->call;
    if (len == 6 && !memcmp(data, "[DONE]", 6)) {
        oc->done_marker = true;
        return 0;
    }
    /* Look inside only when needed: usage, logprobs or an error object. */
    bool has_usage = memmem(data, len, "\"usage\"", 7) != NULL;
    bool has_lp = memmem(data, len, "\"logprobs\"", 10) != NULL;
    bool has_err = len > 9 && memmem(data, len < 32 ? len : 32, "\"error\"", 7) != NULL;
    bool forward = true;
    if (has_usage || has_lp || has_err) {
        json_t *j = json_loadb(data, len, 0, NULL);
        if (j) {
            json_t *u = json_object_get(j, "usage");
            if (json_is_object(u)) {
                sov__usage_from_openai(&c->usage, u);
                json_t *choices = json_object_get(j, "choices");
                if (!c->include_usage && json_is_array(choices) && json_array_size(choices) == 0)
                    forward = false; /* we asked for it; the client did not */
            }
            json_t *ch0 = json_array_get(json_object_get(j, "choices"), 0);
            json_t *lpc = json_object_get(json_object_get(ch0, "logprobs"), "content");
            if (json_is_array(lpc))
                sov__confidence_add(&c->usage, lpc, &oc->conf_n, &oc->conf_lp, &oc->conf_ent);
            if (json_is_object(json_object_get(j, "error"))) {
                json_decref(j);
                struct sov_call_error *e = &oc->pending;
                e->kind = c->chunks ? SOV_CALL_ERR_BROKEN : SOV_CALL_ERR_STATUS;
                e->status = 502;
                e->retryable = true;
                snprintf(oc->msg, sizeof oc->msg, "backend %s sent an error event", c->backend->cfg->name);
                e->message = oc->msg;
                return 1;
            }
            json_decref(j);
        }
    }
    if (forward) {
        c->chunks++;
        c->sink->on_chunk(c, data, len);
    }
    return 0;
}

static void on_data(void *ud, int status, const char *p, size_t n)
{
    struct oa_call *oc = ud;
    struct sov_call *c = oc->call;
    if (status != 200 || !c->stream) {
        if (sov_buf_append(&oc->body, p, n) != 0) {
            struct sov_call_error e = {0};
            e.kind = SOV_CALL_ERR_PROTOCOL;
            e.retryable = !c->chunks;
            snprintf(oc->msg, sizeof oc->msg, "backend %s: response larger than %u bytes", c->backend->cfg->name,
                     MAX_RESPONSE_BYTES);
            e.message = oc->msg;
            sov_upstream_abort(oc->req);
            oc->req = NULL;
            fail_call(oc, &e);
        }
        return;
    }
    int rc = sov_sse_feed(&oc->sse, p, n, on_event, oc);
    if (rc == 1) {
        sov_upstream_abort(oc->req);
        oc->req = NULL;
        fail_call(oc, &oc->pending);
    } else if (rc == SOV_ELIMIT) {
        struct sov_call_error e = {0};
        e.kind = c->chunks ? SOV_CALL_ERR_BROKEN : SOV_CALL_ERR_PROTOCOL;
        e.retryable = true;
        snprintf(oc->msg, sizeof oc->msg, "backend %s: stream event too large", c->backend->cfg->name);
        e.message = oc->msg;
        sov_upstream_abort(oc->req);
        oc->req = NULL;
        fail_call(oc, &e);
    }
}

static void on_done(void *ud, enum sov_upstream_result r, int status)
{
    struct oa_call *oc = ud;
    struct sov_call *c = oc->call;
    oc->req = NULL;
    if (r == SOV_UP_OK && status == 200) {
        if (c->stream) {
            if (oc->done_marker || c->chunks) {
                /* some servers end without [DONE]; a clean end after chunks counts as done */
                c->priv = NULL;
                c->sink->on_done(c);
                oa_free(oc);
                return;
            }
        } else {
            json_t *j = json_loadb(oc->body.data ? oc->body.data : "", oc->body.len, 0, NULL);
            if (j && json_is_object(j) && json_is_array(json_object_get(j, "choices"))) {
                sov__usage_from_openai(&c->usage, json_object_get(j, "usage"));
                json_t *lpc = json_object_get(json_object_get(json_array_get(json_object_get(j, "choices"), 0), "logprobs"),
                                              "content");
                if (json_is_array(lpc))
                    sov__confidence_add(&c->usage, lpc, &oc->conf_n, &oc->conf_lp, &oc->conf_ent);
                json_decref(j);
                c->chunks++;
                c->sink->on_complete(c, oc->body.data, oc->body.len);
                c->priv = NULL;
                c->sink->on_done(c);
                oa_free(oc);
                return;
            }
            json_decref(j);
        }
    }
    struct sov_call_error e;
    sov__http_error(&e, r == SOV_UP_OK && status == 200 ? SOV_UP_OK : r, status == 200 && r == SOV_UP_OK ? 0 : status,
                    oc->body.data, oc->body.len, oc->msg, sizeof oc->msg, c->backend->cfg->name);
    if (r == SOV_UP_OK && status == 200) { /* 200 but unreadable, or a stream that ended without anything */
        e.kind = SOV_CALL_ERR_PROTOCOL;
        e.retryable = !c->chunks;
    }
    if (c->chunks && e.kind != SOV_CALL_ERR_STATUS)
        e.kind = SOV_CALL_ERR_BROKEN;
    fail_call(oc, &e);
}

static int oa_start(struct sov_call *c)
{
    struct oa_kind *k = c->backend->priv;
    struct oa_call *oc = calloc(1, sizeof *oc);
    if (!oc)
        return SOV_ENOMEM;
    oc->call = c;
    oc->body.cap = MAX_RESPONSE_BYTES;
    sov_sse_init(&oc->sse, MAX_EVENT_BYTES);
    c->usage.prompt_tokens = c->usage.completion_tokens = c->usage.cached_tokens = -1;

    char *body;
    size_t len;
    if (c->body && (!c->stream || c->include_usage)) {
        body = sov_strndup(c->body, c->body_len);
        len = c->body_len;
    } else {
        /* set the backend's model name, and ask for usage when streaming so that it can be counted:
         * edit the request in place, serialise, and put it back as it was (no deep copy) */
        json_t *r = c->request;
        json_t *old_model = json_incref(json_object_get(r, "model"));
        json_t *old_so = json_incref(json_object_get(r, "stream_options"));
        json_object_set_new(r, "model", json_string(c->model));
        if (c->stream)
            json_object_set_new(r, "stream_options", json_pack("{s:b}", "include_usage", 1));
        body = json_dumps(r, JSON_COMPACT);
        if (old_model)
            json_object_set_new(r, "model", old_model);
        if (old_so)
            json_object_set_new(r, "stream_options", old_so);
        else
            json_object_del(r, "stream_options");
        len = body ? strlen(body) : 0;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    if (c->stream)
        h = curl_slist_append(h, "Accept: text/event-stream");
    if (c->backend->api_key) {
        char *auth = sov_asprintf("Authorization: Bearer %s", c->backend->api_key);
        if (auth)
            h = curl_slist_append(h, auth);
        free(auth);
    }
    if (!body || !h) {
        free(body);
        curl_slist_free_all(h);
        oa_free(oc);
        return SOV_ENOMEM;
    }
    struct sov_upstream_timeouts t = sov__http_timeouts(c->backend);
    static const struct sov_upstream_cbs cbs = {on_data, on_done};
    c->priv = oc;
    oc->req = sov_upstream_post(c->upstream, k->url, h, body, len, &t, &cbs, oc);
    if (!oc->req) {
        c->priv = NULL;
        free(body);
        curl_slist_free_all(h);
        oa_free(oc);
        return SOV_ENOMEM;
    }
    return 0;
}

static void oa_cancel(struct sov_call *c)
{
    struct oa_call *oc = c->priv;
    if (!oc)
        return;
    c->priv = NULL;
    sov_upstream_abort(oc->req);
    oa_free(oc);
}

const struct sov_backend_ops sov_backend_openai = {
    .kind = "openai",
    .open = oa_open,
    .close = oa_close,
    .start = oa_start,
    .cancel = oa_cancel,
};
