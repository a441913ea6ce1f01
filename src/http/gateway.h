/*
 * The gateway: the inbound HTTP server (libevent evhttp, one event loop per worker thread, all
 * listening on the same port with SO_REUSEPORT) and the request path: parse and check the request,
 * pick a backend (by model name, or the router for "auto"), call it, fail over along the chain
 * before the first byte reaches the client, relay streams chunk by chunk, count usage and cost,
 * log one line per request.
 */
#ifndef SOV_HTTP_GATEWAY_H
#define SOV_HTTP_GATEWAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "config/config.h"
#include "metrics/metrics.h"

struct sov_gateway;

struct sov_gateway_options {
    const char *listen; /* overrides the configuration's server.listen when not NULL */
};

/* Builds the gateway from a configuration (takes ownership of cfg): opens backends, binds the
 * listening sockets. Returns NULL and sets *err. */
struct sov_gateway *sov_gateway_new(struct sov_config *cfg, const struct sov_gateway_options *opt, char **err);
/* The address actually bound, e.g. "127.0.0.1:43117" (useful with port 0). */
const char *sov_gateway_address(const struct sov_gateway *g);
/* Runs the workers until sov_gateway_stop(); returns 0. Installs SIGTERM/SIGINT handling when
 * handle_signals is true. */
int sov_gateway_run(struct sov_gateway *g, bool handle_signals);
/* Asks the gateway to stop gracefully: stop accepting, finish in-flight requests up to
 * limits.shutdown_grace_ms. Thread-safe; may be called from any thread. */
void sov_gateway_stop(struct sov_gateway *g);
void sov_gateway_free(struct sov_gateway *g);

#endif
