/*
 * Where the router's judgment enters the request path.
 *  - "model": "auto": scan -> classify -> policy picks local or cloud, then the backend of that tier
 *    (router.local_backend / router.cloud_backend, else the first backend of the tier).
 *  - A named model: when any backend that could answer (the chosen one or the fallback chain) is in
 *    the cloud tier, the request is scanned; sensitive data never goes to a cloud-tier backend: the
 *    request is kept on a local backend, or refused (router.on_sensitive_cloud).
 *  - router.air_gapped: nothing ever goes to a cloud-tier backend.
 * Requests that carry sensitive data lose the cloud-tier members of their fallback chain too.
 */
#define SOV_LOG_MODULE "decide"
#include "common/log.h"
#include "common/util.h"
#include "http/server.h"
#include "route/policy.h"
#include "route/router.h"
#include "sovereign/sovereign.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum on_sensitive { KEEP_LOCAL = 0, REFUSE, ALLOW };

struct gw_router {
    int local_backend, cloud_backend; /* -1 = none of that tier */
    enum on_sensitive on_sensitive;
    bool air_gapped;
};

static int backend_named(const struct sov_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_backends; i++)
        if (!strcmp(c->backends[i].name, name))
            return (int)i;
    return -1;
}

static int first_of_tier(const struct sov_config *c, enum sov_tier t)
{
    if (c->default_backend) {
        int d = backend_named(c, c->default_backend);
        if (d >= 0 && c->backends[d].tier == t)
            return d;
    }
    for (size_t i = 0; i < c->n_backends; i++)
        if (c->backends[i].tier == t)
            return (int)i;
    return -1;
}

static int pick(const struct sov_config *c, const struct sov_yaml_node *rs, const char *key, enum sov_tier t, int *out,
                char **err)
{
    const struct sov_yaml_node *n = sov_yaml_get(rs, key);
    if (!n) {
        *out = first_of_tier(c, t);
        return 0;
    }
    int b = n->type == SOV_YAML_SCALAR ? backend_named(c, n->scalar) : -1;
    if (b < 0) {
        *err = sov_asprintf("router.%s (line %d): no backend is named '%s'", key, n->line,
                            n->type == SOV_YAML_SCALAR ? n->scalar : "?");
        return SOV_ECONFIG;
    }
    if (c->backends[b].tier != t) {
        *err = sov_asprintf("router.%s (line %d): backend '%s' is not in the %s tier", key, n->line, n->scalar,
                            t == SOV_TIER_LOCAL ? "local" : "cloud");
        return SOV_ECONFIG;
    }
    *out = b;
    return 0;
}

int sov__gateway_router_init(struct sov_gateway *g, char **err)
{
    const struct sov_config *c = g->cfg;
    const struct sov_yaml_node *rs = sov_yaml_get(c->root, "router");
    struct gw_router *gr = calloc(1, sizeof *gr);
    if (!gr) {
        *err = strdup("out of memory");
        return SOV_ENOMEM;
    }
    g->route_cfg = gr;
    if (pick(c, rs, "local_backend", SOV_TIER_LOCAL, &gr->local_backend, err) ||
        pick(c, rs, "cloud_backend", SOV_TIER_CLOUD, &gr->cloud_backend, err))
        return SOV_ECONFIG;
    const struct sov_yaml_node *os = sov_yaml_get(rs, "on_sensitive_cloud");
    if (os) {
        if (os->type == SOV_YAML_SCALAR && !strcmp(os->scalar, "keep_local"))
            gr->on_sensitive = KEEP_LOCAL;
        else if (os->type == SOV_YAML_SCALAR && !strcmp(os->scalar, "refuse"))
            gr->on_sensitive = REFUSE;
        else if (os->type == SOV_YAML_SCALAR && !strcmp(os->scalar, "allow"))
            gr->on_sensitive = ALLOW;
        else {
            *err = sov_asprintf("router.on_sensitive_cloud (line %d): expected keep_local, refuse or allow", os->line);
            return SOV_ECONFIG;
        }
    }
    g->router = sov_router_new(c, err);
    if (!g->router)
        return SOV_ECONFIG;
    gr->air_gapped = sov_policy_air_gapped(sov_router_policy(g->router));
    return 0;
}

void sov__gateway_router_free(struct sov_gateway *g)
{
    sov_router_free(g->router);
    g->router = NULL;
    free(g->route_cfg);
    g->route_cfg = NULL;
}

static const char *header(struct gw_req *r, const char *name)
{
    return r->req ? evhttp_find_header(evhttp_request_get_input_headers(r->req), name) : NULL;
}

/* the category of a reason, for metrics: "sensitive:iban" -> "sensitive" */
static void reason_category(const char *reason, char *out, size_t cap)
{
    size_t n = strcspn(reason, ":");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, reason, n);
    out[n] = '\0';
}

int sov__gw_route_auto(struct gw_req *r)
{
    struct sov_worker *w = r->w;
    struct sov_gateway *g = w->g;
    struct gw_router *gr = g->route_cfg;
    struct sov_decision d;
    if (!w->route_scratch)
        w->route_scratch = sov_router_scratch_new(g->router);
    if (!w->route_scratch || sov_router_decide(g->router, w->route_scratch, r->body, header(r, "x-sovereign-workflow"),
                                               r->client_id[0] ? r->client_id : NULL, &d) != 0) {
        sov__gw_reply_error(r, 400, "invalid_request_error", NULL, "messages", "the router could not read this request");
        return -1;
    }
    r->sensitive_types = d.sensitive_types;
    r->classified = true;
    r->task = (unsigned char)d.task;
    r->complexity = d.complexity;
    r->local_only = d.sensitive_types || gr->air_gapped;
    int bi = d.route == SOV_ROUTE_LOCAL ? gr->local_backend : gr->cloud_backend;
    if (bi < 0) /* no backend of that tier: the other tier, unless the data must stay */
        bi = d.route == SOV_ROUTE_LOCAL || r->local_only ? gr->local_backend : gr->cloud_backend;
    if (bi < 0)
        bi = d.route == SOV_ROUTE_LOCAL ? gr->cloud_backend : gr->local_backend;
    if (bi < 0 || (r->local_only && g->cfg->backends[bi].tier != SOV_TIER_LOCAL)) {
        sov__gw_set_route(r, "local", d.reason);
        sov__gw_reply_error(r, 403, "invalid_request_error", "sensitive_data",
                            NULL, "this request must stay on a local backend and none is configured");
        return -1;
    }
    sov__gw_set_route(r, g->cfg->backends[bi].tier == SOV_TIER_LOCAL ? "local" : "cloud", d.reason);
    char cat[32];
    reason_category(d.reason, cat, sizeof cat);
    sov_metrics_decision(g->metrics, g->cfg->backends[bi].tier == SOV_TIER_LOCAL ? 0 : 1, cat);
    return bi;
}

int sov__gw_guard(struct gw_req *r, bool is_auto)
{
    struct sov_worker *w = r->w;
    struct sov_gateway *g = w->g;
    struct gw_router *gr = g->route_cfg;
    const struct sov_config *c = g->cfg;
    bool any_cloud = false;
    for (size_t i = 0; i < r->n_cand; i++)
        any_cloud |= c->backends[r->cand[i]].tier == SOV_TIER_CLOUD;
    if (!any_cloud)
        return 0;
    if (!is_auto && !gr->air_gapped && gr->on_sensitive != ALLOW) {
        struct sov_decision d;
        memset(&d, 0, sizeof d);
        if (!w->route_scratch)
            w->route_scratch = sov_router_scratch_new(g->router);
        if (w->route_scratch && sov_router_scan(g->router, w->route_scratch, r->body, &d) == 0 && d.sensitive_types) {
            r->sensitive_types = d.sensitive_types;
            r->local_only = true;
            int t = 0;
            while (!(d.sensitive_types & (1u << t)))
                t++;
            snprintf(r->reason_buf, sizeof r->reason_buf, "sensitive:%s", sov_pii_type_name((enum sov_pii_type)t));
            r->reason = r->reason_buf;
            r->route = "local";
            sov_metrics_decision(g->metrics, 0, "sensitive");
        }
    }
    if (gr->air_gapped && !r->local_only) {
        r->local_only = true;
        if (!r->reason) {
            snprintf(r->reason_buf, sizeof r->reason_buf, "air_gapped");
            r->reason = r->reason_buf;
            r->route = "local";
        }
    }
    if (!r->local_only)
        return 0;
    bool first_was_cloud = r->n_cand && c->backends[r->cand[0]].tier == SOV_TIER_CLOUD;
    if (first_was_cloud && !is_auto && gr->on_sensitive == REFUSE && !gr->air_gapped) {
        sov__gw_reply_error(r, 403, "invalid_request_error", "sensitive_data", "messages",
                            "this request carries sensitive data and may not go to a cloud model (router.on_sensitive_cloud: refuse)");
        return -1;
    }
    /* drop every cloud-tier candidate; a named cloud model is answered by the local backend */
    size_t k = 0;
    for (size_t i = 0; i < r->n_cand; i++)
        if (c->backends[r->cand[i]].tier == SOV_TIER_LOCAL)
            r->cand[k++] = r->cand[i];
    r->n_cand = k;
    if (first_was_cloud && gr->local_backend >= 0) {
        /* the local backend goes first */
        size_t j = 0;
        while (j < r->n_cand && r->cand[j] != gr->local_backend)
            j++;
        if (j == r->n_cand && r->n_cand < sizeof r->cand / sizeof r->cand[0])
            r->n_cand++;
        memmove(r->cand + 1, r->cand, j * sizeof r->cand[0]);
        r->cand[0] = gr->local_backend;
    }
    if (!r->n_cand) {
        sov__gw_reply_error(r, 403, "invalid_request_error", "sensitive_data", "messages",
                            gr->air_gapped ? "air-gapped: no local backend can serve this request"
                                           : "this request carries sensitive data and no local backend can serve it");
        return -1;
    }
    return 0;
}
