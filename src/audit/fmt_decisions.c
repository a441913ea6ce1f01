/*
 * Sovereign's own decision log (src/store): the lines `sovereign decisions --json` prints, or the
 * store's SQLite file itself (recognised by its header; read with sov_store_each). A row holds no
 * prompt: it carries the decision the gateway's router already made (route, task, complexity,
 * sensitive types), the backend and tier it went to, tokens and the cost the gateway computed
 * from the backend's configured price (used when the model has no row in the price table).
 *   {"time", "status", "model", "backend", "tier", "route", "reason", "task", "complexity",
 *    "sensitive": [...], "workflow", "client", "prompt_tokens", "completion_tokens", "cost_usd", ...}
 */
#include "audit/audit_int.h"
#include "route/router.h"
#include "sensitive/sensitive.h"

#include <stdio.h>
#include <string.h>

void sov__audit_decision(struct sov_audit_rec *r, const char *model, const char *backend, const char *tier, const char *route,
                         const char *task, double complexity, const char *sensitive_csv, int status, int64_t prompt_tokens,
                         int64_t completion_tokens, double cost_usd, double time)
{
    r->has_decision = true;
    r->has_response = completion_tokens >= 0;
    /* "auto" names no model: the backend it went to does */
    snprintf(r->model, sizeof r->model, "%s", model && *model && strcmp(model, "auto") ? model : backend ? backend : "");
    bool local = tier && !strcmp(tier, "local");
    r->provider = local ? "local" : "cloud"; /* a named model says more (provider_of) */
    r->dec_route = route && *route ? (!strcmp(route, "local") ? SOV_ROUTE_LOCAL : SOV_ROUTE_CLOUD) : local ? SOV_ROUTE_LOCAL : -1;
    int t = task && *task ? sov_task_parse(task) : -1;
    r->dec_task = t >= 0 ? t : SOV_AUDIT_TASK_UNKNOWN;
    r->dec_complexity = (float)complexity;
    for (const char *p = sensitive_csv ? sensitive_csv : ""; *p;) {
        size_t n = strcspn(p, ",");
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), p);
        int ty = sov_pii_type_parse(name);
        if (ty >= 0)
            r->dec_sens |= 1u << ty;
        p += n + (p[n] == ',');
    }
    r->failed = status >= 400 || status == 499;
    r->prompt_tokens = prompt_tokens;
    r->completion_tokens = completion_tokens;
    r->logged_cost = cost_usd >= 0 ? cost_usd : -1;
    r->ts = time;
}

static int detect(const struct sov_jobj *top)
{
    return sov__js_get(top, "tier").type && sov__js_get(top, "backend").type && sov__js_get(top, "attempts").type ? 1 : 0;
}

static int parse(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why)
{
    char model[128], backend[64], tier[8], route[8], task[24], sens[256] = "";
    sov__js_strbuf(sov__js_get(top, "model"), model, sizeof model);
    sov__js_strbuf(sov__js_get(top, "backend"), backend, sizeof backend);
    sov__js_strbuf(sov__js_get(top, "tier"), tier, sizeof tier);
    sov__js_strbuf(sov__js_get(top, "route"), route, sizeof route);
    sov__js_strbuf(sov__js_get(top, "task"), task, sizeof task);
    struct sov_jv s = sov__js_get(top, "sensitive");
    const char *it = NULL;
    struct sov_jv el;
    size_t k = 0;
    while (s.type == '[' && sov__js_next(s, &it, &el) == 1 && k + 40 < sizeof sens) {
        if (k)
            sens[k++] = ',';
        k += sov__js_strbuf(el, sens + k, sizeof sens - k);
    }
    double status = sov__js_num(sov__js_get(top, "status"), 0);
    if (!backend[0]) {
        *why = "decision record without a backend";
        return -1;
    }
    sov__audit_decision(r, model, backend, tier, route, task, sov__js_num(sov__js_get(top, "complexity"), -1), sens, (int)status,
                        (int64_t)sov__js_num(sov__js_get(top, "prompt_tokens"), -1),
                        (int64_t)sov__js_num(sov__js_get(top, "completion_tokens"), -1),
                        sov__js_num(sov__js_get(top, "cost_usd"), -1), sov__audit_time(sov__js_get(top, "time")));
    struct sov_jv objs[1] = {cx->record};
    sov__audit_workflow(cx, objs, 1, r);
    return 0;
}

const struct sov_audit_format sov__fmt_decisions = {
    "sovereign-decisions", "Sovereign's decision store: its SQLite file, or `sovereign decisions --json` lines", detect, parse};
