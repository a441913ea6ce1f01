/*
 * LiteLLM-proxy completion logs, one JSON document per call (as OpenHands' LLM fixtures record them,
 * ../shared/data/api_logs): {"messages": [...], "tools": [...], "kwargs": {...}, "response":
 * {chat completion with usage}, "cost", "timestamp", "latency_sec"}. The model comes from the
 * response ("litellm_proxy/claude-sonnet-4-20250514"); kwargs.extra_body.metadata is searched for
 * the workflow field too.
 */
#include "audit/audit_int.h"

static int detect(const struct sov_jobj *top)
{
    return sov__js_get(top, "messages").type && sov__js_get(top, "response").type && !sov__js_get(top, "request").type ? 1 : 0;
}

static int parse(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    if (sov__audit_messages(cx, sov__js_get(top, "messages"), r) != 0 || !r->has_prompt) {
        *why = "messages is not a list of chat messages";
        return -1;
    }
    struct sov_jv tools = sov__js_get(top, "tools");
    r->has_tools = tools.type == '[' && tools.n > 2;
    struct sov_jv kwargs = sov__js_get(top, "kwargs");
    struct sov_jv model = sov__js_find(kwargs, "model");
    if (model.type == '"')
        sov__js_strbuf(model, r->model, sizeof r->model);
    sov__audit_response(cx, sov__js_get(top, "response"), r);
    double ts = sov__audit_time(sov__js_get(top, "timestamp"));
    if (ts)
        r->ts = ts;
    struct sov_jv objs[3] = {kwargs, sov__js_path(kwargs, "extra_body.metadata"), cx->record};
    sov__audit_workflow(cx, objs, 3, r);
    return 0;
}

const struct sov_audit_format sov__fmt_litellm_proxy = {
    "litellm-proxy-log", "LiteLLM-proxy call logs ({\"messages\", \"tools\", \"kwargs\", \"response\", \"cost\"} per call)", detect,
    parse};
