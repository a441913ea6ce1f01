/*
 * Helicone exports (`npx @helicone/export`, JSON, JSONL or CSV; the REST request query's rows):
 *   request_id, request_created_at (or created_at), model (or request_model / response_model),
 *   provider, request_body, response_body (objects, or JSON in strings), prompt_tokens,
 *   completion_tokens, prompt_cache_read_tokens, prompt_cache_write_tokens, request_user_id,
 *   request_properties (or properties), status (or response_status)
 */
#include "audit/audit_int.h"

#include <string.h>

static int detect(const struct sov_jobj *top)
{
    return sov__js_get(top, "request_body").type || sov__js_get(top, "response_body").type ? 1 : 0;
}

static int parse(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    struct sov_jv req = sov__js_nested(sov__js_get(top, "request_body"), cx->arena);
    if (req.type == '{' && sov__audit_chat_request(cx, req, r) != 0) {
        *why = "request_body is not a chat request";
        return -1;
    }
    struct sov_jv resp = sov__js_get(top, "response_body");
    if (resp.type)
        sov__audit_response(cx, resp, r);
    const char *mk[] = {"model", "response_model", "request_model"};
    for (size_t i = 0; i < 3; i++) {
        char m[128];
        if (sov__js_strbuf(sov__js_get(top, mk[i]), m, sizeof m)) {
            memcpy(r->model, m, sizeof m);
            break;
        }
    }
    int64_t pt = (int64_t)sov__js_num(sov__js_get(top, "prompt_tokens"), -1);
    int64_t ct = (int64_t)sov__js_num(sov__js_get(top, "completion_tokens"), -1);
    int64_t cr = (int64_t)sov__js_num(sov__js_get(top, "prompt_cache_read_tokens"), -1);
    int64_t cw = (int64_t)sov__js_num(sov__js_get(top, "prompt_cache_write_tokens"), -1);
    if (pt >= 0)
        r->prompt_tokens = pt;
    if (ct >= 0) {
        r->completion_tokens = ct;
        r->has_response = true;
    }
    if (cr >= 0)
        r->cached_tokens = cr;
    if (cw >= 0)
        r->cache_write_tokens = cw;
    double status = sov__js_num(sov__js_get(top, "status"), -1);
    if (status < 0)
        status = sov__js_num(sov__js_get(top, "response_status"), -1);
    if (status >= 400 || status == -2)
        r->failed = true;
    double ts = sov__audit_time(sov__js_get(top, "request_created_at"));
    r->ts = ts ? ts : sov__audit_time(sov__js_get(top, "created_at"));
    char prov[32];
    if (sov__js_strbuf(sov__js_get(top, "provider"), prov, sizeof prov)) {
        for (char *c = prov; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        if (!strcmp(prov, "openai") || !strcmp(prov, "azure"))
            r->provider = "openai";
        else if (!strcmp(prov, "anthropic"))
            r->provider = "anthropic";
    }
    if (cx->workflow_field) {
        struct sov_jv direct = sov__js_get(top, cx->workflow_field);
        if (direct.type && sov__js_strbuf(direct, r->workflow, sizeof r->workflow)) {
            r->has_workflow = true;
            return 0;
        }
        struct sov_jv props = sov__js_get(top, "request_properties");
        if (!props.type)
            props = sov__js_get(top, "properties");
        struct sov_jv objs[3] = {req, props, cx->record};
        sov__audit_workflow(cx, objs, 3, r);
        /* "user" means Helicone's request_user_id */
        if (!r->has_workflow && !strcmp(cx->workflow_field, "user") &&
            sov__js_strbuf(sov__js_get(top, "request_user_id"), r->workflow, sizeof r->workflow))
            r->has_workflow = true;
    }
    return 0;
}

const struct sov_audit_format sov__fmt_helicone = {
    "helicone", "Helicone exports (request_body/response_body rows: JSON, JSONL or CSV)", detect, parse};
