/*
 * POST /v1/messages: Anthropic-format clients. The request is translated to the OpenAI chat format
 * the gateway speaks inside, goes through the same path (routing, failover, accounting), and the
 * answer or the stream is translated back (src/protocol/anthropic.c).
 */
#include "http/server.h"
#include "protocol/anthropic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sov_front_stream {
    struct sov_openai_to_anthropic_stream *st;
};

void sov__messages_handle(struct gw_req *r, const char *body, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        char msg[256];
        snprintf(msg, sizeof msg, "invalid JSON body: %s (line %d, column %d)", je.text, je.line, je.column);
        sov__gw_reply_error(r, 400, "invalid_request_error", "invalid_json", NULL, msg);
        return;
    }
    char *err = NULL;
    const char *param = NULL;
    json_t *oa = sov_anthropic_request_to_openai(j, &err, &param);
    json_decref(j);
    if (!oa) {
        sov__gw_reply_error(r, 400, "invalid_request_error", NULL, param, err ? err : "invalid request");
        free(err);
        return;
    }
    sov__gw_set_body(r, oa, NULL, 0);
    sov__gw_dispatch_chat(r);
}

static void emit(void *ud, const char *event, const char *data, size_t len)
{
    sov__gw_write_event(ud, event, data, len);
}

void sov__front_stream_chunk(struct gw_req *r, const char *json, size_t len)
{
    struct sov_front_stream **f = sov__gw_front(r);
    if (!*f) {
        *f = calloc(1, sizeof **f);
        if (*f)
            (*f)->st = sov_openai_to_anthropic_stream_new(sov__gw_model(r));
    }
    if (*f && (*f)->st)
        sov_openai_to_anthropic_stream_feed((*f)->st, json, len, emit, r);
}

void sov__front_stream_end(struct gw_req *r)
{
    struct sov_front_stream *f = *sov__gw_front(r);
    if (f && f->st)
        sov_openai_to_anthropic_stream_finish(f->st, emit, r);
}

int sov__front_complete(struct gw_req *r, const char *json, size_t len, struct sov_buf *out)
{
    json_t *j = json_loadb(json, len, 0, NULL);
    char *err = NULL;
    json_t *a = j ? sov_openai_response_to_anthropic(j, &err) : NULL;
    json_decref(j);
    free(err);
    if (!a)
        return -1;
    json_object_set_new(a, "model", json_string(sov__gw_model(r)));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (!s)
        return -1;
    int rc = sov_buf_puts(out, s);
    free(s);
    return rc;
}

void sov__front_stream_free(struct sov_front_stream *f)
{
    if (!f)
        return;
    sov_openai_to_anthropic_stream_free(f->st);
    free(f);
}
