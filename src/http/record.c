/* The gateway's side of the decision store: one record per finished request (see store/store.h). */
#define SOV_LOG_MODULE "gateway"
#include "common/log.h"
#include "common/util.h"
#include "http/server.h"
#include "route/router.h"
#include "sensitive/sensitive.h"
#include "store/store.h"
#include "sovereign/sovereign.h"

#include <stdlib.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <string.h>

int sov__gw_store_open(struct sov_gateway *g, char **err)
{
    const struct sov_store_config *sc = &g->cfg->store;
    if (!sc->path)
        return 0;
    struct sov_store_options o = {.queue = sc->queue, .retention_days = sc->retention_days};
    char *e = NULL;
    g->store = sov_store_open(sc->path, &o, &e);
    if (!g->store) {
        *err = sov_asprintf("store.path: %s", e ? e : "cannot open");
        free(e);
        return SOV_EIO;
    }
    return 0;
}

void sov__gw_store_close(struct sov_gateway *g)
{
    if (g->store && sov_store_dropped(g->store))
        sov_warn("decision store: %llu record(s) dropped (queue full or write errors)",
                 (unsigned long long)sov_store_dropped(g->store));
    sov_store_close(g->store);
    g->store = NULL;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

void sov__gw_record(struct gw_req *r, double cost)
{
    struct sov_gateway *g = r->w->g;
    struct sov_store_record rec;
    memset(&rec, 0, sizeof rec);
    uint64_t now = sov_now_us();
    rec.time = sov_wall_time() - (double)(now - r->t0) / 1e6;
    copy(rec.method, sizeof rec.method, r->method);
    copy(rec.path, sizeof rec.path, r->path);
    rec.status = r->status;
    copy(rec.model, sizeof rec.model, r->model);
    if (r->backend >= 0) {
        const struct sov_backend_config *b = &g->cfg->backends[r->backend];
        copy(rec.backend, sizeof rec.backend, b->name);
        copy(rec.tier, sizeof rec.tier, b->tier == SOV_TIER_LOCAL ? "local" : "cloud");
    }
    copy(rec.route, sizeof rec.route, r->route);
    copy(rec.reason, sizeof rec.reason, r->reason);
    rec.complexity = -1;
    if (r->classified) {
        copy(rec.task, sizeof rec.task, sov_task_name((enum sov_task)r->task));
        rec.complexity = r->complexity;
    }
    size_t n = 0;
    for (int t = 0; t < 32 && n < sizeof rec.sensitive; t++)
        if (r->sensitive_types & (1u << t))
            n += (size_t)snprintf(rec.sensitive + n, sizeof rec.sensitive - n, "%s%s", n ? "," : "",
                                  sov_pii_type_name((enum sov_pii_type)t));
    struct evhttp_request *req = r->req ? r->req : r->orphan;
    if (req)
        copy(rec.workflow, sizeof rec.workflow, evhttp_find_header(evhttp_request_get_input_headers(req), "x-sovereign-workflow"));
    copy(rec.client, sizeof rec.client, r->client_id);
    rec.stream = r->stream;
    rec.attempts = (unsigned)r->attempt;
    const struct sov_usage *u = &r->call.usage;
    bool ok = r->backend >= 0 && r->status == 200;
    rec.prompt_tokens = ok ? u->prompt_tokens : -1;
    rec.completion_tokens = ok ? u->completion_tokens : -1;
    rec.cost_usd = cost;
    rec.latency_ms = (double)(now - r->t0) / 1000.0;
    rec.ttfb_ms = r->t_first ? (double)(r->t_first - r->t0) / 1000.0 : 0;
    rec.has_confidence = u->has_confidence;
    rec.mean_logprob = u->mean_logprob;
    sov_store_put(g->store, &rec);
}
