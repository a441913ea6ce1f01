/*
 * LiteLLM spend logs (the LiteLLM_SpendLogs table as `/spend/logs` or a database export writes it:
 * a JSON array, JSONL, or CSV with a header row). Columns read:
 *   request_id, call_type, model (or model_group), spend, prompt_tokens, completion_tokens,
 *   startTime, user, metadata, messages, response, proxy_server_request, status, custom_llm_provider
 * messages/response/metadata may be JSON or JSON inside a string (CSV cells always are). LiteLLM
 * does not store prompts unless store_prompts_in_spend_logs is set: such rows count in spend and
 * tokens, with the task "unknown".
 */
#include "audit/audit_int.h"

#include <string.h>

static int detect(const struct sov_jobj *top)
{
    return sov__js_get(top, "spend").type && (sov__js_get(top, "request_id").type || sov__js_get(top, "call_type").type) ? 1 : 0;
}

static int parse(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    struct sov_jv model = sov__js_get(top, "model");
    if (!sov__js_strbuf(model, r->model, sizeof r->model))
        sov__js_strbuf(sov__js_get(top, "model_group"), r->model, sizeof r->model);
    int64_t pt = (int64_t)sov__js_num(sov__js_get(top, "prompt_tokens"), -1);
    int64_t ct = (int64_t)sov__js_num(sov__js_get(top, "completion_tokens"), -1);
    r->prompt_tokens = pt;
    r->completion_tokens = ct;
    struct sov_jv msgs = sov__js_nested(sov__js_get(top, "messages"), cx->arena);
    struct sov_jv psr = sov__js_nested(sov__js_get(top, "proxy_server_request"), cx->arena);
    if (msgs.type == '[') {
        if (sov__audit_messages(cx, msgs, r) != 0) {
            *why = "messages is not a list of chat messages";
            return -1;
        }
    } else if (psr.type == '{') {
        sov__audit_chat_request(cx, psr, r);
    }
    if (psr.type == '{')
        r->has_tools = sov__js_find(psr, "tools").n > 2;
    struct sov_jv resp = sov__js_nested(sov__js_get(top, "response"), cx->arena);
    char keep_model[128];
    memcpy(keep_model, r->model, sizeof keep_model);
    if (resp.type == '{' && resp.n > 2) {
        int64_t p0 = r->prompt_tokens, c0 = r->completion_tokens;
        sov__audit_response(cx, resp, r);
        /* the row's own token columns win over the stored response's */
        if (p0 >= 0)
            r->prompt_tokens = p0;
        if (c0 >= 0)
            r->completion_tokens = c0;
    }
    r->has_response = r->has_response || ct >= 0;
    if (keep_model[0])
        memcpy(r->model, keep_model, sizeof keep_model);
    struct sov_jv status = sov__js_get(top, "status");
    if (sov__js_eq(status, "failure") || sov__js_eq(status, "error"))
        r->failed = true;
    r->ts = sov__audit_time(sov__js_get(top, "startTime"));
    char prov[32];
    if (sov__js_strbuf(sov__js_get(top, "custom_llm_provider"), prov, sizeof prov)) {
        if (!strcmp(prov, "openai") || !strcmp(prov, "azure"))
            r->provider = "openai";
        else if (!strcmp(prov, "anthropic"))
            r->provider = "anthropic";
    }
    struct sov_jv meta = sov__js_get(top, "metadata");
    struct sov_jv objs[3] = {psr, cx->record.type ? cx->record : (struct sov_jv){NULL, 0, 0}, {NULL, 0, 0}};
    if (!cx->record.type && cx->workflow_field) {
        /* a CSV row: the named column, or a path inside the metadata column */
        struct sov_jv direct = sov__js_get(top, cx->workflow_field);
        if (direct.type && sov__js_strbuf(direct, r->workflow, sizeof r->workflow)) {
            r->has_workflow = true;
            return 0;
        }
        const char *dot = strchr(cx->workflow_field, '.');
        if (dot && !strncmp(cx->workflow_field, "metadata.", 9)) {
            struct sov_audit_rctx sub = *cx;
            sub.workflow_field = dot + 1;
            objs[2] = meta;
            sov__audit_workflow(&sub, &objs[2], 1, r);
            return 0;
        }
    }
    sov__audit_workflow(cx, objs, 2, r);
    return 0;
}

const struct sov_audit_format sov__fmt_litellm = {
    "litellm", "LiteLLM spend logs (LiteLLM_SpendLogs rows: JSON array, JSONL or CSV)", detect, parse};
