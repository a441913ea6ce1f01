/*
 * Anthropic Messages request/response pairs, one per line:
 *   {"request": {"model", "system", "messages": [{role, content: string | blocks}], "max_tokens", "metadata"},
 *    "response": {"type": "message", "model", "content": [...], "usage": {"input_tokens", "output_tokens",
 *                 "cache_read_input_tokens", "cache_creation_input_tokens"}} | {"type": "error", ...}}
 */
#include "audit/audit_int.h"

static int detect(const struct sov_jobj *top)
{
    struct sov_jv req = sov__js_get(top, "request"), resp = sov__js_get(top, "response");
    if (req.type != '{')
        return 0;
    if (!resp.type)
        return sov__js_find(req, "system").type ? 1 : 0;
    /* one pass over the response's members */
    struct sov_jobj ro;
    if (resp.type != '{' || sov__js_index(resp, &ro) != 0 || sov__js_get(&ro, "choices").type)
        return 0;
    struct sov_jv type = sov__js_get(&ro, "type");
    if (sov__js_eq(type, "message") || sov__js_eq(type, "error"))
        return 1;
    return sov__js_find(sov__js_get(&ro, "usage"), "input_tokens").type ? 1 : 0;
}

static int parse(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    struct sov_jv req = sov__js_get(top, "request");
    if (sov__audit_chat_request(cx, req, r) != 0 || !r->has_prompt) {
        *why = "request is not an Anthropic Messages request (no messages)";
        return -1;
    }
    r->provider = "anthropic";
    struct sov_jv resp = sov__js_get(top, "response");
    if (resp.type)
        sov__audit_response(cx, resp, r);
    double status = sov__js_num(sov__js_get(top, "status"), 0);
    if (status >= 400)
        r->failed = true;
    double ts = sov__audit_time(sov__js_get(top, "timestamp"));
    if (ts)
        r->ts = ts;
    struct sov_jv objs[2] = {req, cx->record};
    sov__audit_workflow(cx, objs, 2, r);
    return 0;
}

const struct sov_audit_format sov__fmt_anthropic = {
    "anthropic", "Anthropic Messages request/response pairs ({\"request\": ..., \"response\": {\"type\": \"message\"}})", detect,
    parse};
