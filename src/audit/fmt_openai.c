/*
 * OpenAI chat request/response JSONL, the shape most proxies write: one line per call,
 *   {"request": {"model", "messages", "tools", "user", "metadata", ...},
 *    "response": {"id", "model", "created", "choices": [...], "usage": {...}} | {"error": {...}},
 *    ...}   ("status" >= 400 or an "error" member marks a failed call)
 * A bare chat request ({"model", "messages"}) is accepted too (tokens are then estimated).
 */
#include "audit/audit_int.h"

static int detect(const struct sov_jobj *top)
{
    if (sov__js_get(top, "request").type == '{')
        return 1;
    return sov__js_get(top, "messages").type == '[' && !sov__js_get(top, "response").type ? 1 : 0;
}

static int parse(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    struct sov_jv req = sov__js_get(top, "request");
    struct sov_jv body = req.type ? req : cx->record;
    if (sov__audit_chat_request(cx, body, r) != 0 || !r->has_prompt) {
        *why = "request is not an OpenAI chat request (no messages)";
        return -1;
    }
    r->provider = "openai";
    struct sov_jv resp = sov__js_get(top, "response");
    if (resp.type)
        sov__audit_response(cx, resp, r);
    struct sov_jv err = sov__js_get(top, "error");
    double status = sov__js_num(sov__js_get(top, "status"), 0);
    if (err.type == '{' || err.type == '"' || status >= 400)
        r->failed = true;
    double ts = sov__audit_time(sov__js_get(top, "timestamp"));
    if (!ts)
        ts = sov__audit_time(sov__js_get(top, "created_at"));
    if (ts)
        r->ts = ts;
    struct sov_jv objs[2] = {body, cx->record};
    sov__audit_workflow(cx, objs, 2, r);
    return 0;
}

const struct sov_audit_format sov__fmt_openai = {
    "openai", "OpenAI chat request/response JSONL ({\"request\": ..., \"response\": ...} per line; bare requests too)", detect,
    parse};
