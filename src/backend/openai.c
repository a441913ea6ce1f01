/*
 * Backend kind "openai": any OpenAI-compatible server (OpenAI, llama-server, vLLM, Ollama...).
 * Requests go out as they came whenever possible (no re-serialisation); streamed chunks are relayed
 * one by one as they arrive, looking inside only for the usage chunk, logprobs and error events.
 */
#define SOV_LOG_MODULE "openai"
#include "backend/backend.h"
#include "backend/http_common.h"
#include "backend/upstream.h"
#include "common/log.h"
#include "common/util.h"
#include "protocol/json_check.h"
#include "sovereign/sovereign.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct oa_kind {
    char *url; /* {base_url}/chat/completions */
};

struct oa_call {
    struct sov__http_call h; /* first: the shared HTTP call state */
    bool done_marker;        /* saw [DONE] */
    size_t conf_n;
    double conf_lp, conf_ent;
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

static void oa_free(struct sov__http_call *h)
{
    sov__http_call_release(h);
    free(h);
}

static void take_confidence(struct oa_call *oc, const json_t *choice0)
{
    json_t *lpc = json_object_get(json_object_get(choice0, "logprobs"), "content");
    if (json_is_array(lpc))
        sov__confidence_add(&oc->h.call->usage, lpc, &oc->conf_n, &oc->conf_lp, &oc->conf_ent);
}

/* An event that is not JSON: fails the call (before the first byte: the next backend answers). */
static int malformed(struct oa_call *oc)
{
    struct sov_call *c = oc->h.call;
    struct sov_call_error *e = &oc->h.pending;
    e->kind = c->chunks ? SOV_CALL_ERR_BROKEN : SOV_CALL_ERR_PROTOCOL;
    e->status = 502;
    e->retryable = true;
    snprintf(oc->h.msg, sizeof oc->h.msg, "backend %s sent a malformed stream event", c->backend->cfg->name);
    e->message = oc->h.msg;
    return 1;
}

/* One SSE event from upstream. */
static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    struct oa_call *oc = ud;
    struct sov_call *c = oc->h.call;
    if (len == 6 && !memcmp(data, "[DONE]", 6)) {
        oc->done_marker = true;
        return 0;
    }
    /* Look inside only when needed: usage, logprobs or an error object. Servers send
     * "logprobs":null (and "usage":null with include_usage) in every chunk: those need no parse. */
    bool has_usage = sov_json_mentions(data, len, "\"usage\"", 7);
    bool has_lp = sov_json_mentions(data, len, "\"logprobs\"", 10);
    bool has_err = memmem(data, len < 32 ? len : 32, "\"error\"", 7) != NULL;
    bool forward = true;
    if (has_usage || has_lp || has_err) {
        json_t *j = json_loadb(data, len, 0, NULL);
        if (!j)
            return malformed(oc);
        if (j) {
            json_t *u = json_object_get(j, "usage");
            if (json_is_object(u)) {
                sov__usage_from_openai(&c->usage, u);
                json_t *choices = json_object_get(j, "choices");
                if (!c->include_usage && json_is_array(choices) && json_array_size(choices) == 0)
                    forward = false; /* we asked for it; the client did not */
            }
            take_confidence(oc, json_array_get(json_object_get(j, "choices"), 0));
            if (json_is_object(json_object_get(j, "error"))) {
                json_decref(j);
                struct sov_call_error *e = &oc->h.pending;
                e->kind = c->chunks ? SOV_CALL_ERR_BROKEN : SOV_CALL_ERR_STATUS;
                e->status = 502;
                e->retryable = true;
                snprintf(oc->h.msg, sizeof oc->h.msg, "backend %s sent an error event", c->backend->cfg->name);
                e->message = oc->h.msg;
                return 1;
            }
            json_decref(j);
        }
    } else if (!sov_json_well_formed(data, len)) /* relayed as is: a client must be able to parse it */
        return malformed(oc);
    if (forward) {
        c->chunks++;
        c->sink->on_chunk(c, data, len);
    }
    return 0;
}

static void on_data(void *ud, int status, const char *p, size_t n)
{
    sov__http_call_data(ud, status, p, n, on_event);
}

/* usage of a completion, from its text: the fields sov__usage_from_openai reads */
static void usage_from_span(struct sov_usage *u, struct sov_json_span usage)
{
    static const char *const keys[] = {"prompt_tokens", "completion_tokens", "prompt_tokens_details"};
    static const char *const details_keys[] = {"cached_tokens"};
    struct sov_json_span v[3], d;
    int64_t x;
    if (sov_json_object_members(usage.p, usage.n, keys, 3, v) != 0)
        return;
    if (sov_json_span_int(v[0], &x))
        u->prompt_tokens = x;
    if (sov_json_span_int(v[1], &x))
        u->completion_tokens = x;
    if (v[2].p && v[2].p[0] == '{' && sov_json_object_members(v[2].p, v[2].n, details_keys, 1, &d) == 0 && sov_json_span_int(d, &x))
        u->cached_tokens = x;
}

/* A whole (non-streaming) answer: 0 if it is a chat completion (a JSON object with a choices array),
 * with usage and confidence taken; -1 if it cannot be read. Answers without logprobs are checked
 * and read without building a tree. */
static int read_completion(struct oa_call *oc, const char *s, size_t n)
{
    struct sov_call *c = oc->h.call;
    if (!sov_json_mentions(s, n, "\"logprobs\"", 10)) {
        static const char *const keys[] = {"choices", "usage"};
        struct sov_json_span v[2];
        if (!sov_utf8_valid(s, n) || sov_json_object_members(s, n, keys, 2, v) != 0 || !v[0].p || v[0].p[0] != '[')
            return -1;
        if (v[1].p && v[1].p[0] == '{')
            usage_from_span(&c->usage, v[1]);
        return 0;
    }
    json_t *j = json_loadb(s, n, 0, NULL);
    if (!json_is_object(j) || !json_is_array(json_object_get(j, "choices"))) {
        json_decref(j);
        return -1;
    }
    sov__usage_from_openai(&c->usage, json_object_get(j, "usage"));
    take_confidence(oc, json_array_get(json_object_get(j, "choices"), 0));
    json_decref(j);
    return 0;
}

static void on_done(void *ud, enum sov_upstream_result r, int status)
{
    struct oa_call *oc = ud;
    struct sov__http_call *h = &oc->h;
    struct sov_call *c = h->call;
    h->req = NULL;
    if (r == SOV_UP_OK && status == 200) {
        if (c->stream) {
            /* some servers end without [DONE]; a clean end after chunks counts as done */
            if (oc->done_marker || c->chunks) {
                sov__http_call_done(h);
                return;
            }
        } else if (read_completion(oc, h->body.data ? h->body.data : "", h->body.len) == 0) {
            c->chunks++;
            c->sink->on_complete(c, h->body.data, h->body.len);
            sov__http_call_done(h);
            return;
        }
    }
    sov__http_call_failed(h, r, status);
}

static int oa_start(struct sov_call *c)
{
    struct oa_kind *k = c->backend->priv;
    struct oa_call *oc = calloc(1, sizeof *oc);
    if (!oc)
        return SOV_ENOMEM;
    sov__http_call_init(&oc->h, c, oa_free);
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
    static const struct sov_upstream_cbs cbs = {on_data, on_done, sov__http_on_retry_after};
    return sov__http_call_post(&oc->h, k->url, h, body, len, &cbs);
}

const struct sov_backend_ops sov_backend_openai = {
    .kind = "openai",
    .open = oa_open,
    .close = oa_close,
    .start = oa_start,
    .cancel = sov__http_call_cancel,
};
