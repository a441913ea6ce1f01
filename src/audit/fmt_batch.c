/*
 * OpenAI Batch API files, joined by custom_id (the two files in either order):
 *   input:  {"custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {chat request}}
 *   output: {"id", "custom_id", "response": {"status_code", "request_id", "body": {chat completion}},
 *            "error": null | {...}}
 * Batch prices are the provider's batch discount off list prices: set them with `pricing:`.
 */
#include "audit/audit_int.h"

static int detect_input(const struct sov_jobj *top)
{
    return sov__js_get(top, "custom_id").type && sov__js_get(top, "body").type == '{' ? 1 : 0;
}

static int detect_output(const struct sov_jobj *top)
{
    return sov__js_get(top, "custom_id").type && !sov__js_get(top, "body").type &&
                   (sov__js_get(top, "response").type || sov__js_get(top, "error").type)
               ? 1
               : 0;
}

static int custom_id(const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    if (!sov__js_strbuf(sov__js_get(top, "custom_id"), r->join_id, sizeof r->join_id)) {
        *why = "custom_id is missing or empty";
        return -1;
    }
    return 0;
}

static int parse_input(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    if (custom_id(top, r, why))
        return -1;
    struct sov_jv body = sov__js_get(top, "body");
    if (sov__audit_chat_request(cx, body, r) != 0 || !r->has_prompt) {
        *why = "body is not a chat request (no messages)";
        return -1;
    }
    r->provider = "openai";
    r->join = 1;
    struct sov_jv objs[2] = {body, cx->record};
    sov__audit_workflow(cx, objs, 2, r);
    return 0;
}

static int parse_output(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    if (custom_id(top, r, why))
        return -1;
    r->join = 2;
    r->provider = "openai";
    struct sov_jv resp = sov__js_get(top, "response");
    double status = sov__js_num(sov__js_find(resp, "status_code"), 200);
    struct sov_jv err = sov__js_get(top, "error");
    if (status >= 400 || err.type == '{')
        r->failed = true;
    struct sov_jv body = sov__js_find(resp, "body");
    if (body.type)
        sov__audit_response(cx, body, r);
    r->has_response = true;
    return 0;
}

const struct sov_audit_format sov__fmt_batch_input = {
    "openai-batch-input", "OpenAI Batch API input JSONL ({\"custom_id\", \"method\", \"url\", \"body\"}), joined with its output",
    detect_input, parse_input};
const struct sov_audit_format sov__fmt_batch_output = {
    "openai-batch-output", "OpenAI Batch API output JSONL ({\"custom_id\", \"response\": {\"status_code\", \"body\"}})",
    detect_output, parse_output};
