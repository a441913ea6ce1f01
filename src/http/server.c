/* The inbound server: listening sockets, worker threads, the path table, auth, shutdown. */
#define SOV_LOG_MODULE "server"
#include "http/server.h"
#include "backend/upstream.h"
#include "common/log.h"
#include "common/util.h"
#include "http/gateway.h"
#include "route/router.h"
#include "sovereign/sovereign.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- small replies ---------------------------------------------------------------------------- */

static void reply_text(struct evhttp_request *req, int status, const char *ctype, const char *body, size_t len)
{
    struct evbuffer *b = evbuffer_new();
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
    if (b)
        evbuffer_add(b, body, len);
    evhttp_send_reply(req, status, NULL, b);
    if (b)
        evbuffer_free(b);
}

static void handle_models(struct sov_worker *w, struct evhttp_request *req)
{
    reply_text(req, 200, "application/json", w->g->models_body, w->g->models_len);
}

static void handle_health(struct sov_worker *w, struct evhttp_request *req)
{
    char body[128];
    int n = snprintf(body, sizeof body, "{\"status\":\"%s\",\"backends\":%zu}",
                     atomic_load(&w->g->stopping) ? "draining" : "ok", w->g->cfg->n_backends);
    reply_text(req, atomic_load(&w->g->stopping) ? 503 : 200, "application/json", body, (size_t)n);
}

static void handle_metrics(struct sov_worker *w, struct evhttp_request *req)
{
    struct sov_buf o = SOV_BUF_INIT(0);
    sov_metrics_render(w->g->metrics, w->g->backends, &o);
    reply_text(req, 200, "text/plain; version=0.0.4", o.data ? o.data : "", o.len);
    sov_buf_free(&o);
}

/* Body of a POST: contiguous bytes, or NULL if empty. */
static const char *body_of(struct evhttp_request *req, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    *len = evbuffer_get_length(in);
    if (!*len)
        return NULL;
    return (const char *)evbuffer_pullup(in, -1);
}

static void handle_post_json(struct sov_worker *w, struct evhttp_request *req, const char *path, enum sov_api_format fmt,
                             const char *client_id)
{
    struct gw_req *r = sov__gw_req_new(w, req, path, fmt);
    if (r)
        snprintf(r->client_id, sizeof r->client_id, "%s", client_id);
    if (!r) {
        reply_text(req, 500, "application/json", "{\"error\":{\"message\":\"out of memory\",\"type\":\"api_error\"}}", 57);
        return;
    }
    size_t len;
    const char *body = body_of(req, &len);
    if (len > w->g->cfg->limits.max_body_bytes) {
        char msg[160];
        snprintf(msg, sizeof msg, "the request body is %zu bytes, the limit is %zu (limits.max_body_bytes)", len,
                 w->g->cfg->limits.max_body_bytes);
        sov__gw_reply_error(r, 413, "invalid_request_error", "request_too_large", NULL, msg);
        return;
    }
    if (!body) {
        sov__gw_reply_error(r, 400, "invalid_request_error", "invalid_json", NULL, "the request body is empty");
        return;
    }
    if (!sov_utf8_valid(body, len)) {
        sov__gw_reply_error(r, 400, "invalid_request_error", "invalid_utf8", NULL, "the request body is not valid UTF-8");
        return;
    }
    if (fmt == SOV_FMT_ANTHROPIC) {
        sov__messages_handle(r, body, len);
        return;
    }
    json_error_t je;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        char msg[256];
        snprintf(msg, sizeof msg, "We could not parse the JSON body of your request: %s (line %d, column %d)", je.text, je.line,
                 je.column);
        sov__gw_reply_error(r, 400, "invalid_request_error", "invalid_json", NULL, msg);
        return;
    }
    sov__gw_set_body(r, j, body, len);
    if (!strcmp(path, "/v1/embeddings"))
        sov__gw_dispatch_embeddings(r);
    else
        sov__gw_dispatch_chat(r);
}

/* ---- auth -------------------------------------------------------------------------------------- */

/* Checks the client key; client_id gets the first 16 hex digits of its SHA-256 (the id policies name). */
static bool authorized(struct sov_gateway *g, struct evhttp_request *req, bool anthropic, char client_id[17])
{
    client_id[0] = '\0';
    if (!g->n_keys)
        return true;
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    const char *key = NULL;
    const char *a = evhttp_find_header(h, "Authorization");
    if (a && !strncasecmp(a, "Bearer ", 7))
        key = a + 7;
    if (!key && anthropic)
        key = evhttp_find_header(h, "x-api-key");
    if (!key)
        key = evhttp_find_header(h, "x-api-key");
    if (!key || !*key)
        return false;
    unsigned char d[32];
    SHA256((const unsigned char *)key, strlen(key), d);
    for (int i = 0; i < 8; i++)
        snprintf(client_id + 2 * i, 3, "%02x", d[i]);
    bool ok = false;
    for (size_t i = 0; i < g->n_keys; i++)
        ok |= sov_ct_equal(d, g->keys[i], 32); /* no early exit: time does not depend on which key matched */
    return ok;
}

/* ---- the path table ---------------------------------------------------------------------------- */

enum route_kind { R_CHAT, R_MESSAGES, R_EMBEDDINGS, R_MODELS, R_HEALTH, R_METRICS };

static const struct {
    const char *path;
    enum evhttp_cmd_type method;
    enum route_kind kind;
    bool needs_auth;
} routes[] = {
    {"/v1/chat/completions", EVHTTP_REQ_POST, R_CHAT, true},
    {"/v1/messages", EVHTTP_REQ_POST, R_MESSAGES, true},
    {"/v1/embeddings", EVHTTP_REQ_POST, R_EMBEDDINGS, true},
    {"/v1/models", EVHTTP_REQ_GET, R_MODELS, true},
    {"/healthz", EVHTTP_REQ_GET, R_HEALTH, false},
    {"/metrics", EVHTTP_REQ_GET, R_METRICS, false},
};

static void simple_error(struct sov_worker *w, struct evhttp_request *req, const char *path, enum sov_api_format fmt,
                         int status, const char *type, const char *code, const char *msg)
{
    struct gw_req *r = sov__gw_req_new(w, req, path, fmt);
    if (r)
        sov__gw_reply_error(r, status, type, code, NULL, msg);
    else
        reply_text(req, status, "application/json", "{}", 2);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct sov_worker *w = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path || !*path)
        path = "/";
    if (w->draining)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(routes[i].path, path) != 0)
            continue;
        enum sov_api_format fmt = routes[i].kind == R_MESSAGES ? SOV_FMT_ANTHROPIC : SOV_FMT_OPENAI;
        if (m != routes[i].method) {
            char msg[128];
            snprintf(msg, sizeof msg, "%s only accepts %s", routes[i].path, routes[i].method == EVHTTP_REQ_GET ? "GET" : "POST");
            evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                              routes[i].method == EVHTTP_REQ_GET ? "GET" : "POST");
            simple_error(w, req, routes[i].path, fmt, 405, "invalid_request_error", "method_not_allowed", msg);
            return;
        }
        char client_id[17] = "";
        if (routes[i].needs_auth && !authorized(w->g, req, fmt == SOV_FMT_ANTHROPIC, client_id)) {
            simple_error(w, req, routes[i].path, fmt, 401, "authentication_error", "invalid_api_key",
                         "Incorrect or missing API key. Send it as 'Authorization: Bearer KEY'.");
            return;
        }
        switch (routes[i].kind) {
        case R_CHAT:
        case R_MESSAGES:
        case R_EMBEDDINGS:
            if (w->draining) {
                simple_error(w, req, routes[i].path, fmt, 503, "api_error", "shutting_down", "the gateway is shutting down");
                return;
            }
            handle_post_json(w, req, routes[i].path, fmt, client_id);
            return;
        case R_MODELS:
            handle_models(w, req);
            return;
        case R_HEALTH:
            handle_health(w, req);
            return;
        case R_METRICS:
            handle_metrics(w, req);
            return;
        }
    }
    simple_error(w, req, NULL, strncmp(path, "/v1/messages", 12) == 0 ? SOV_FMT_ANTHROPIC : SOV_FMT_OPENAI, 404,
                 "invalid_request_error", "not_found", "Unknown path. See GET /v1/models, POST /v1/chat/completions, POST /v1/messages.");
}

/* ---- sockets and workers ----------------------------------------------------------------------- */

static int bind_socket(const char *listen_addr, int port_override, char *bound, size_t bound_cap, char **err)
{
    char host[256];
    const char *colon = strrchr(listen_addr, ':');
    size_t hl = (size_t)(colon - listen_addr);
    if (hl >= sizeof host)
        hl = sizeof host - 1;
    memcpy(host, listen_addr, hl);
    host[hl] = '\0';
    char *h = host;
    if (h[0] == '[' && h[hl - 1] == ']') { /* [::1] */
        h[hl - 1] = '\0';
        h++;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", port_override >= 0 ? port_override : atoi(colon + 1)); /* checked by config */
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(*h ? h : NULL, port, &hints, &res);
    if (rc != 0) {
        *err = sov_asprintf("listen %s: %s", listen_addr, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
        /* accepted sockets inherit it on Linux: streamed chunks leave without Nagle's delay */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        *err = sov_asprintf("listen %s: %s", listen_addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char ip[INET6_ADDRSTRLEN] = "?";
    int p = 0;
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof ip);
        p = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        snprintf(bound, bound_cap, "%s:%d", ip, p);
    } else {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof ip);
        p = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        snprintf(bound, bound_cap, "[%s]:%d", ip, p);
    }
    return fd;
}

static int is_writing(const struct event_base *base, const struct event *ev, void *arg)
{
    return (event_get_events(ev) & EV_WRITE) ? 1 : 0; /* non-zero stops the walk */
}

static void drain_check(evutil_socket_t fd, short what, void *arg)
{
    struct sov_worker *w = arg;
    /* done when nothing is in flight and no answer is still waiting to be written to its socket
     * (a reply is queued in the connection's buffer first: exiting then would cut it off) */
    bool done = w->inflight == 0 && event_base_foreach_event(w->base, is_writing, NULL) == 0;
    if (done || sov_now_us() >= w->drain_deadline_us) {
        if (w->inflight)
            sov_warn("worker %u: %zu requests still running at the shutdown deadline", w->id, w->inflight);
        event_base_loopexit(w->base, NULL);
        return;
    }
    struct timeval tv = {0, 20000};
    evtimer_add(w->drain_timer, &tv);
}

static void on_worker_stop(evutil_socket_t fd, short what, void *arg)
{
    struct sov_worker *w = arg;
    if (w->draining)
        return;
    w->draining = true;
    if (w->bound) {
        evhttp_del_accept_socket(w->http, w->bound); /* closes the listening socket */
        w->bound = NULL;
    }
    w->drain_deadline_us = sov_now_us() + (uint64_t)w->g->cfg->limits.shutdown_grace_ms * 1000;
    drain_check(-1, 0, w);
}

static void *worker_main(void *arg)
{
    struct sov_worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

static void worker_free(struct sov_worker *w)
{
    if (w->http)
        evhttp_free(w->http);
    sov_upstream_loop_free(w->up);
    if (w->stop_ev)
        event_free(w->stop_ev);
    if (w->drain_timer)
        event_free(w->drain_timer);
    if (w->scratch)
        evbuffer_free(w->scratch);
    sov_router_scratch_free(w->route_scratch);
    if (w->base)
        event_base_free(w->base);
}

/* A worker's loop. With epoll, the changelist coalesces the add/del/modify calls that one turn of
 * the loop makes on a socket (evhttp and the upstream clients switch read and write interest
 * several times per request) into one epoll_ctl at dispatch: 10 -> 6 epoll_ctl calls per
 * keep-alive request. Its known caveat is dup()ed descriptors, which nothing here uses. */
static struct event_base *worker_base(void)
{
    struct event_config *ec = event_config_new();
    if (!ec)
        return NULL;
    event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *b = event_base_new_with_config(ec);
    event_config_free(ec);
    return b ? b : event_base_new();
}

static int worker_init(struct sov_gateway *g, struct sov_worker *w, int fd, char **err)
{
    w->g = g;
    w->fd = fd;
    w->base = worker_base();
    w->http = w->base ? evhttp_new(w->base) : NULL;
    w->up = w->base ? sov_upstream_loop_new(w->base) : NULL;
    w->scratch = evbuffer_new();
    w->stop_ev = w->base ? event_new(w->base, -1, 0, on_worker_stop, w) : NULL;
    w->drain_timer = w->base ? evtimer_new(w->base, drain_check, w) : NULL;
    if (!w->http || !w->up || !w->scratch || !w->stop_ev || !w->drain_timer) {
        *err = strdup("out of memory creating a worker");
        return SOV_ENOMEM;
    }
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    /* Bodies up to 4x the limit are read and refused by our handler with a JSON error; past that
     * libevent itself closes the connection with a bare (HTML) 413 without reading more. libevent
     * 2.1 gives a server no hook between the headers and the body (evhttp_set_newreqcb, where a
     * header_cb could be set on an incoming request, is 2.2 only), so that reply cannot be ours. */
    evhttp_set_max_body_size(w->http, (ev_ssize_t)(g->cfg->limits.max_body_bytes * 4 + 4096));

    evhttp_set_max_headers_size(w->http, 64 * 1024);
    evhttp_set_timeout(w->http, (int)(g->cfg->limits.request_timeout_ms / 1000 + 60));
    evhttp_set_gencb(w->http, on_request, w);
    w->bound = evhttp_accept_socket_with_handle(w->http, fd);
    if (!w->bound) {
        *err = strdup("could not accept on the listening socket");
        return SOV_EIO;
    }
    return 0;
}

static char *build_models(const struct sov_config *cfg, size_t *len)
{
    json_t *data = json_array();
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string("auto"));
    json_object_set_new(o, "object", json_string("model"));
    json_object_set_new(o, "created", json_integer(0));
    json_object_set_new(o, "owned_by", json_string("sovereign"));
    json_array_append_new(data, o);
    for (size_t i = 0; i < cfg->n_backends; i++)
        for (size_t k = 0; k < cfg->backends[i].n_models; k++) {
            o = json_object();
            json_object_set_new(o, "id", json_string(cfg->backends[i].models[k]));
            json_object_set_new(o, "object", json_string("model"));
            json_object_set_new(o, "created", json_integer(0));
            json_object_set_new(o, "owned_by", json_string(cfg->backends[i].name));
            json_object_set_new(o, "x_sovereign_tier",
                                json_string(cfg->backends[i].tier == SOV_TIER_LOCAL ? "local" : "cloud"));
            json_array_append_new(data, o);
        }
    json_t *root = json_pack("{s:s, s:o}", "object", "list", "data", data);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    *len = s ? strlen(s) : 0;
    return s;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int load_keys(struct sov_gateway *g, char **err)
{
    const struct sov_auth_config *a = &g->cfg->auth;
    const char *env = a->keys_env ? getenv(a->keys_env) : NULL;
    size_t n = a->n_key_sha256;
    if (env)
        for (const char *p = env; *p; p++)
            n += *p == ',';
    if (env)
        n++;
    if (a->keys_env && (!env || !*env) && !a->n_key_sha256) {
        *err = sov_asprintf("auth.keys_env: the environment variable %s is empty or not set, so no client could connect",
                            a->keys_env);
        return SOV_ECONFIG;
    }
    if (!n)
        return 0;
    g->keys = calloc(n, 32);
    if (!g->keys)
        return SOV_ENOMEM;
    for (size_t i = 0; i < a->n_key_sha256; i++) {
        for (int k = 0; k < 32; k++)
            g->keys[g->n_keys][k] = (unsigned char)(hexval(a->key_sha256[i][2 * k]) << 4 | hexval(a->key_sha256[i][2 * k + 1]));
        g->n_keys++;
    }
    if (env) {
        const char *p = env;
        while (*p) {
            const char *e = strchr(p, ',');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            while (l && (*p == ' '))
                p++, l--;
            while (l && p[l - 1] == ' ')
                l--;
            if (l)
                SHA256((const unsigned char *)p, l, g->keys[g->n_keys++]);
            p = e ? e + 1 : p + strlen(p);
        }
    }
    return 0;
}

struct sov_gateway *sov_gateway_new(struct sov_config *cfg, const struct sov_gateway_options *opt, char **err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, (void (*)(void))evthread_use_pthreads);
    struct sov_gateway *g = calloc(1, sizeof *g);
    if (!g) {
        sov_config_free(cfg);
        *err = strdup("out of memory");
        return NULL;
    }
    g->cfg = cfg;
    atomic_init(&g->stopping, false);
    g->metrics = sov_metrics_new(cfg);
    g->backends = sov_backends_open(cfg, false, err);
    if (!g->metrics || !g->backends || load_keys(g, err) != 0)
        goto fail;
    for (size_t i = 0; i < cfg->n_backends; i++)
        if (!strcmp(cfg->backends[i].name, cfg->default_backend))
            g->default_backend = (int)i;
    g->fallback = calloc(cfg->n_fallback + 1, sizeof *g->fallback);
    for (size_t i = 0; g->fallback && i < cfg->n_fallback; i++)
        for (size_t k = 0; k < cfg->n_backends; k++)
            if (!strcmp(cfg->backends[k].name, cfg->fallback[i]))
                g->fallback[g->n_fallback++] = (int)k;
    g->models_body = build_models(cfg, &g->models_len);
    if (!g->fallback || !g->models_body) {
        *err = strdup("out of memory");
        goto fail;
    }
    if (sov__gateway_router_init(g, err) != 0 || sov__gw_store_open(g, err) != 0)
        goto fail;
    unsigned n = cfg->workers;
    if (n == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (unsigned)cores : 1;
    }
    g->workers = calloc(n, sizeof *g->workers);
    if (!g->workers) {
        *err = strdup("out of memory");
        goto fail;
    }
    const char *listen_addr = opt && opt->listen ? opt->listen : cfg->listen;
    int port = -1;
    for (unsigned i = 0; i < n; i++) {
        char bound[128];
        int fd = bind_socket(listen_addr, port, bound, sizeof bound, err);
        if (fd < 0)
            goto fail;
        if (i == 0) {
            snprintf(g->address, sizeof g->address, "%s", bound);
            port = (int)strtol(strrchr(bound, ':') + 1, NULL, 10); /* our own "host:port": digits */
        }
        g->workers[i].id = i;
        g->n_workers = i + 1;
        if (worker_init(g, &g->workers[i], fd, err) != 0) {
            close(fd);
            goto fail;
        }
    }
    return g;
fail:
    sov_gateway_free(g);
    return NULL;
}

const char *sov_gateway_address(const struct sov_gateway *g)
{
    return g->address;
}

static void on_main_stop(evutil_socket_t fd, short what, void *arg)
{
    struct sov_gateway *g = arg;
    if (atomic_exchange(&g->stopping, true))
        return;
    sov_info("stopping: no new connections, finishing requests in flight (up to %u ms)", g->cfg->limits.shutdown_grace_ms);
    for (unsigned i = 0; i < g->n_workers; i++)
        event_active(g->workers[i].stop_ev, EV_READ, 0);
}

int sov_gateway_run(struct sov_gateway *g, bool handle_signals)
{
    g->main_base = event_base_new();
    if (!g->main_base)
        return SOV_ENOMEM;
    g->main_stop = event_new(g->main_base, -1, EV_PERSIST, on_main_stop, g);
    struct event *sterm = NULL, *sint = NULL;
    if (handle_signals) {
        signal(SIGPIPE, SIG_IGN);
        sterm = evsignal_new(g->main_base, SIGTERM, on_main_stop, g);
        sint = evsignal_new(g->main_base, SIGINT, on_main_stop, g);
        evsignal_add(sterm, NULL);
        evsignal_add(sint, NULL);
    }
    /* the main loop only waits for a stop; a pending never-firing timer keeps it alive */
    struct event *keep = event_new(g->main_base, -1, EV_PERSIST, on_main_stop, g);
    struct timeval day = {86400, 0};
    event_add(keep, &day);
    for (unsigned i = 0; i < g->n_workers; i++)
        pthread_create(&g->workers[i].thread, NULL, worker_main, &g->workers[i]);
    /* run until every worker has drained */
    while (1) {
        event_base_loop(g->main_base, EVLOOP_ONCE);
        if (atomic_load(&g->stopping))
            break;
    }
    for (unsigned i = 0; i < g->n_workers; i++)
        pthread_join(g->workers[i].thread, NULL);
    event_free(keep);
    if (sterm)
        event_free(sterm);
    if (sint)
        event_free(sint);
    return 0;
}

void sov_gateway_stop(struct sov_gateway *g)
{
    if (g->main_stop)
        event_active(g->main_stop, EV_READ, 0);
}

void sov_gateway_free(struct sov_gateway *g)
{
    if (!g)
        return;
    for (unsigned i = 0; i < g->n_workers; i++)
        worker_free(&g->workers[i]);
    free(g->workers);
    sov__gw_store_close(g);
    sov__gateway_router_free(g);
    if (g->main_stop)
        event_free(g->main_stop);
    if (g->main_base)
        event_base_free(g->main_base);
    sov_backends_close(g->backends, g->cfg ? g->cfg->n_backends : 0);
    sov_metrics_free(g->metrics);
    free(g->keys);
    free(g->fallback);
    free(g->models_body);
    sov_config_free(g->cfg);
    free(g);
}
