/*
 * Where the router's judgment enters the request path. Until the router is configured, "auto" goes
 * to routing.default.
 */
#include "http/server.h"

int sov__gw_route_auto(struct gw_req *r)
{
    struct sov_gateway *g = sov__gw_worker(r)->g;
    return g->default_backend;
}

int sov__gw_guard_sensitive(struct gw_req *r, int backend)
{
    return backend;
}

int sov__gateway_router_init(struct sov_gateway *g, char **err)
{
    g->router = NULL;
    return 0;
}

void sov__gateway_router_free(struct sov_gateway *g)
{
    g->router = NULL;
}
