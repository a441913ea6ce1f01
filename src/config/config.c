/*
 * The configuration schema as tables (redis's static_configs[] in spirit): each row names a key,
 * its type, where it lands in the structs, its default and bounds, and a line of documentation.
 * Loading walks the YAML tree against these rows: unknown keys, wrong types and out-of-range
 * values are errors that name the key path and the line. docs/configuration.md follows these rows.
 */
#define SOV_LOG_MODULE "config"
#include "config/config.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type {
    T_STRING,   /* char * */
    T_UINT,     /* unsigned */
    T_SIZE,     /* size_t */
    T_DOUBLE,   /* double >= min */
    T_BOOL,     /* bool */
    T_STRLIST,  /* char ** (NULL-terminated) + size_t count at off2 */
    T_TIER,     /* enum sov_tier */
    T_MAP,      /* a nested map described by sub */
    T_EXTERNAL, /* a section validated by another module (router, policy, sensitive...) */
};

struct cfg_row {
    const char *key;
    enum cfg_type type;
    size_t off;
    size_t off2;
    const char *def;    /* default as text (NULL = none) */
    double min, max;
    const struct cfg_row *sub;
    bool required;
};

#define END {NULL, 0, 0, 0, NULL, 0, 0, NULL, false}

/* server: */
static const struct cfg_row server_rows[] = {
    {"listen", T_STRING, offsetof(struct sov_config, listen), 0, "127.0.0.1:8080", 0, 0, NULL, false},
    {"workers", T_UINT, offsetof(struct sov_config, workers), 0, "0", 0, 256, NULL, false},
    {"log_level", T_STRING, offsetof(struct sov_config, log_level), 0, "info", 0, 0, NULL, false},
    {"access_log", T_BOOL, offsetof(struct sov_config, access_log), 0, "true", 0, 0, NULL, false},
    END,
};

#define L_(f) offsetof(struct sov_config, limits) + offsetof(struct sov_limits_config, f)
static const struct cfg_row limits_rows[] = {
    {"max_body_bytes", T_SIZE, L_(max_body_bytes), 0, "1048576", 64, 1 << 30, NULL, false},
    {"max_messages", T_SIZE, L_(max_messages), 0, "256", 1, 100000, NULL, false},
    {"max_prompt_bytes", T_SIZE, L_(max_prompt_bytes), 0, "524288", 1, 1 << 30, NULL, false},
    {"request_timeout_ms", T_UINT, L_(request_timeout_ms), 0, "300000", 10, 86400000, NULL, false},
    {"shutdown_grace_ms", T_UINT, L_(shutdown_grace_ms), 0, "10000", 0, 3600000, NULL, false},
    END,
};

#define A_(f) offsetof(struct sov_config, auth) + offsetof(struct sov_auth_config, f)
static const struct cfg_row auth_rows[] = {
    {"keys_env", T_STRING, A_(keys_env), 0, NULL, 0, 0, NULL, false},
    {"key_sha256", T_STRLIST, A_(key_sha256), A_(n_key_sha256), NULL, 0, 0, NULL, false},
    END,
};

#define B_(f) offsetof(struct sov_backend_config, f)
static const struct cfg_row price_rows[] = {
    {"input", T_DOUBLE, B_(price_in_per_m), 0, "0", 0, 1e6, NULL, false},
    {"output", T_DOUBLE, B_(price_out_per_m), 0, "0", 0, 1e6, NULL, false},
    END,
};
static const struct cfg_row timeout_rows[] = {
    {"connect_ms", T_UINT, B_(connect_timeout_ms), 0, "2000", 1, 600000, NULL, false},
    {"first_byte_ms", T_UINT, B_(first_byte_timeout_ms), 0, "60000", 1, 3600000, NULL, false},
    {"idle_ms", T_UINT, B_(idle_timeout_ms), 0, "60000", 1, 3600000, NULL, false},
    END,
};
/* Keys read by a backend kind's own open() (see src/backend/<kind>.c); listed so that typos elsewhere are caught. */
static const struct cfg_row backend_rows[] = {
    {"name", T_STRING, B_(name), 0, NULL, 0, 0, NULL, true},
    {"kind", T_STRING, B_(kind), 0, NULL, 0, 0, NULL, true},
    {"base_url", T_STRING, B_(base_url), 0, NULL, 0, 0, NULL, false},
    {"models", T_STRLIST, B_(models), B_(n_models), NULL, 0, 0, NULL, false},
    {"api_key_env", T_STRING, B_(api_key_env), 0, NULL, 0, 0, NULL, false},
    {"tier", T_TIER, B_(tier), 0, "cloud", 0, 0, NULL, false},
    {"price", T_MAP, 0, 0, NULL, 0, 0, price_rows, false},
    {"timeouts", T_MAP, 0, 0, NULL, 0, 0, timeout_rows, false},
    {"max_concurrency", T_UINT, B_(max_concurrency), 0, "0", 0, 1000000, NULL, false},
    /* llama kind */
    {"model", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"ctx_size", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"threads", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"parallel", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"gpu_layers", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"max_queue", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    END,
};

static const struct cfg_row routing_rows[] = {
    {"default", T_STRING, offsetof(struct sov_config, default_backend), 0, NULL, 0, 0, NULL, false},
    {"fallback", T_STRLIST, offsetof(struct sov_config, fallback), offsetof(struct sov_config, n_fallback), NULL, 0, 0, NULL,
     false},
    END,
};

#define S_(f) offsetof(struct sov_config, store) + offsetof(struct sov_store_config, f)
static const struct cfg_row store_rows[] = {
    {"path", T_STRING, S_(path), 0, NULL, 0, 0, NULL, false},
    {"queue", T_SIZE, S_(queue), 0, "4096", 16, 1 << 22, NULL, false},
    {"retention_days", T_UINT, S_(retention_days), 0, "0", 0, 36500, NULL, false},
    END,
};

static const struct cfg_row top_rows[] = {
    {"server", T_MAP, 0, 0, NULL, 0, 0, server_rows, false},
    {"limits", T_MAP, 0, 0, NULL, 0, 0, limits_rows, false},
    {"auth", T_MAP, 0, 0, NULL, 0, 0, auth_rows, false},
    {"backends", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, true}, /* a list, handled below */
    {"routing", T_MAP, 0, 0, NULL, 0, 0, routing_rows, false},
    /* sections validated by their own modules when the router is built */
    {"router", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"policy", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"sensitive", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    {"store", T_MAP, 0, 0, NULL, 0, 0, store_rows, false},
    {"pricing", T_EXTERNAL, 0, 0, NULL, 0, 0, NULL, false},
    END,
};

struct ctx {
    const char *file;
    char **err;
};

static int fail(struct ctx *cx, const char *path, int line, const char *fmt, const char *a, const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    *cx->err = sov_asprintf("%s%s%s (line %d): %s", cx->file ? cx->file : "", cx->file ? ": " : "", path, line, msg);
    return SOV_ECONFIG;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static int parse_scalar(struct ctx *cx, const struct cfg_row *r, const struct sov_yaml_node *n, const char *text, void *base,
                        const char *path, int line)
{
    char *end;
    switch (r->type) {
    case T_STRING: {
        char **dst = (char **)((char *)base + r->off);
        free(*dst);
        *dst = strdup(text);
        return *dst ? 0 : SOV_ENOMEM;
    }
    case T_UINT:
    case T_SIZE: {
        errno = 0;
        if (text[0] == '-' || text[0] == '\0')
            return fail(cx, path, line, "expected a non-negative integer, got '%s'", text, NULL);
        unsigned long long v = strtoull(text, &end, 10);
        if (errno || *end) {
            /* accept 1k/1m suffixes for sizes */
            if (r->type == T_SIZE && !errno && (end[0] == 'k' || end[0] == 'K' || end[0] == 'm' || end[0] == 'M') && !end[1])
                v *= (end[0] == 'k' || end[0] == 'K') ? 1024ull : 1048576ull;
            else
                return fail(cx, path, line, "expected a non-negative integer, got '%s'", text, NULL);
        }
        if ((double)v < r->min || (double)v > r->max) {
            char range[96];
            snprintf(range, sizeof range, "%.0f..%.0f", r->min, r->max);
            return fail(cx, path, line, "value '%s' is out of range %s", text, range);
        }
        if (r->type == T_UINT)
            *(unsigned *)((char *)base + r->off) = (unsigned)v;
        else
            *(size_t *)((char *)base + r->off) = (size_t)v;
        return 0;
    }
    case T_DOUBLE: {
        errno = 0;
        double v = strtod(text, &end);
        if (errno || *end || end == text || !isfinite(v))
            return fail(cx, path, line, "expected a number, got '%s'", text, NULL);
        if (v < r->min || v > r->max)
            return fail(cx, path, line, "value '%s' is out of range", text, NULL);
        *(double *)((char *)base + r->off) = v;
        return 0;
    }
    case T_BOOL: {
        bool v;
        if (!strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "on"))
            v = true;
        else if (!strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "off"))
            v = false;
        else
            return fail(cx, path, line, "expected true or false, got '%s'", text, NULL);
        *(bool *)((char *)base + r->off) = v;
        return 0;
    }
    case T_TIER: {
        enum sov_tier t;
        if (!strcmp(text, "local"))
            t = SOV_TIER_LOCAL;
        else if (!strcmp(text, "cloud"))
            t = SOV_TIER_CLOUD;
        else
            return fail(cx, path, line, "expected local or cloud, got '%s'", text, NULL);
        *(enum sov_tier *)((char *)base + r->off) = t;
        return 0;
    }
    default:
        (void)n;
        return fail(cx, path, line, "internal: bad row type%s%s", NULL, NULL);
    }
}

static int apply_rows(struct ctx *cx, const struct cfg_row *rows, const struct sov_yaml_node *map, void *base,
                      const char *prefix);

static int apply_row(struct ctx *cx, const struct cfg_row *r, const struct sov_yaml_node *v, void *base, const char *path)
{
    switch (r->type) {
    case T_EXTERNAL:
        return 0;
    case T_MAP:
        if (v && v->type != SOV_YAML_MAP)
            return fail(cx, path, v->line, "expected a mapping%s%s", NULL, NULL);
        return apply_rows(cx, r->sub, v, base, path);
    case T_STRLIST: {
        if (!v)
            return 0;
        char ***dst = (char ***)((char *)base + r->off);
        size_t *cnt = (size_t *)((char *)base + r->off2);
        const struct sov_yaml_node *const *items = (const struct sov_yaml_node *const *)&v;
        size_t n = 1;
        if (v->type == SOV_YAML_SEQ) {
            items = (const struct sov_yaml_node *const *)v->items;
            n = v->n;
        } else if (v->type != SOV_YAML_SCALAR) {
            return fail(cx, path, v->line, "expected a list of strings%s%s", NULL, NULL);
        }
        char **list = calloc(n + 1, sizeof *list);
        if (!list)
            return SOV_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            if (items[i]->type != SOV_YAML_SCALAR || !items[i]->scalar[0]) {
                for (size_t j = 0; j < i; j++)
                    free(list[j]);
                free(list);
                return fail(cx, path, items[i]->line, "expected a list of non-empty strings%s%s", NULL, NULL);
            }
            list[i] = strdup(items[i]->scalar);
        }
        *dst = list;
        *cnt = n;
        return 0;
    }
    default:
        if (!v) {
            if (!r->def)
                return 0;
            return parse_scalar(cx, r, NULL, r->def, base, path, 0);
        }
        if (v->type != SOV_YAML_SCALAR)
            return fail(cx, path, v->line, "expected a single value, not a %s%s", v->type == SOV_YAML_MAP ? "mapping" : "list",
                        NULL);
        if (r->type == T_STRING && !v->quoted && (!strcmp(v->scalar, "null") || !strcmp(v->scalar, "~") || !v->scalar[0]))
            return r->def ? parse_scalar(cx, r, NULL, r->def, base, path, 0) : 0;
        return parse_scalar(cx, r, v, v->scalar, base, path, v->line);
    }
}

static int apply_rows(struct ctx *cx, const struct cfg_row *rows, const struct sov_yaml_node *map, void *base,
                      const char *prefix)
{
    char path[256];
    /* unknown keys first, with a suggestion */
    for (size_t i = 0; map && i < map->n; i++) {
        const struct cfg_row *r = rows;
        while (r->key && strcmp(r->key, map->keys[i]) != 0)
            r++;
        if (!r->key) {
            const char *best = NULL;
            size_t bd = 3;
            for (r = rows; r->key; r++) {
                size_t d = edit_distance(r->key, map->keys[i]);
                if (d < bd)
                    bd = d, best = r->key;
            }
            snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", map->keys[i]);
            char hint[96] = "";
            if (best)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
            return fail(cx, path, map->key_lines[i], "unknown key%s%s", hint, NULL);
        }
    }
    for (const struct cfg_row *r = rows; r->key; r++) {
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", r->key);
        const struct sov_yaml_node *v = sov_yaml_get(map, r->key);
        if (!v && r->required)
            return fail(cx, path, map ? map->line : 1, "required key is missing%s%s", NULL, NULL);
        int rc = apply_row(cx, r, v, base, path);
        if (rc)
            return rc;
    }
    return 0;
}

static bool valid_listen(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return *end == '\0' && colon[1] && port >= 0 && port <= 65535;
}

static int check_backends(struct ctx *cx, struct sov_config *c, const struct sov_yaml_node *list)
{
    if (!list || list->type != SOV_YAML_SEQ || list->n == 0)
        return fail(cx, "backends", list ? list->line : 1, "expected a non-empty list of backends%s%s", NULL, NULL);
    c->backends = calloc(list->n, sizeof *c->backends);
    if (!c->backends)
        return SOV_ENOMEM;
    c->n_backends = list->n;
    for (size_t i = 0; i < list->n; i++) {
        const struct sov_yaml_node *m = list->items[i];
        struct sov_backend_config *b = &c->backends[i];
        char path[64];
        snprintf(path, sizeof path, "backends[%zu]", i);
        if (m->type != SOV_YAML_MAP)
            return fail(cx, path, m->line, "expected a mapping%s%s", NULL, NULL);
        b->node = m;
        int rc = apply_rows(cx, backend_rows, m, b, path);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->backends[j].name, b->name))
                return fail(cx, path, sov_yaml_get(m, "name")->line, "duplicate backend name '%s'%s", b->name, NULL);
        if (b->base_url && strncmp(b->base_url, "http://", 7) != 0 && strncmp(b->base_url, "https://", 8) != 0)
            return fail(cx, path, sov_yaml_get(m, "base_url")->line, "base_url must start with http:// or https://%s%s", NULL,
                        NULL);
        if (b->api_key_env) {
            for (const char *p = b->api_key_env; *p; p++)
                if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
                    return fail(cx, path, sov_yaml_get(m, "api_key_env")->line,
                                "api_key_env names an environment variable (letters, digits, _), not the key itself%s%s",
                                NULL, NULL);
        }
    }
    return 0;
}

static int check_references(struct ctx *cx, struct sov_config *c)
{
    const struct sov_yaml_node *routing = sov_yaml_get(c->root, "routing");
    int line = routing ? routing->line : 1;
    if (!c->default_backend) {
        c->default_backend = strdup(c->backends[0].name);
        if (!c->default_backend)
            return SOV_ENOMEM;
    } else if (!sov_config_backend(c, c->default_backend)) {
        return fail(cx, "routing.default", sov_yaml_get(routing, "default")->line, "no backend is named '%s'%s",
                    c->default_backend, NULL);
    }
    for (size_t i = 0; i < c->n_fallback; i++)
        if (!sov_config_backend(c, c->fallback[i]))
            return fail(cx, "routing.fallback", sov_yaml_get(routing, "fallback")->line, "no backend is named '%s'%s",
                        c->fallback[i], NULL);
    /* a model name served by two backends is ambiguous */
    for (size_t i = 0; i < c->n_backends; i++)
        for (size_t k = 0; k < c->backends[i].n_models; k++) {
            const char *m = c->backends[i].models[k];
            if (!strcmp(m, "auto"))
                return fail(cx, "backends.models", c->backends[i].node->line, "'auto' is reserved for the router%s%s", NULL,
                            NULL);
            for (size_t j = i + 1; j < c->n_backends; j++)
                for (size_t l = 0; l < c->backends[j].n_models; l++)
                    if (!strcmp(m, c->backends[j].models[l]))
                        return fail(cx, "backends.models", c->backends[j].node->line,
                                    "model '%s' is served by two backends (%s)", m, c->backends[i].name);
        }
    if (!valid_listen(c->listen))
        return fail(cx, "server.listen", line, "expected host:port, got '%s'%s", c->listen, NULL);
    if (c->log_level && strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") && strcmp(c->log_level, "warn") &&
        strcmp(c->log_level, "error") && strcmp(c->log_level, "off"))
        return fail(cx, "server.log_level", line, "expected debug, info, warn, error or off, got '%s'%s", c->log_level, NULL);
    for (size_t i = 0; i < c->auth.n_key_sha256; i++) {
        const char *h = c->auth.key_sha256[i];
        bool ok = strlen(h) == 64;
        for (size_t k = 0; ok && k < 64; k++)
            ok = (h[k] >= '0' && h[k] <= '9') || (h[k] >= 'a' && h[k] <= 'f') || (h[k] >= 'A' && h[k] <= 'F');
        if (!ok)
            return fail(cx, "auth.key_sha256", sov_yaml_get(sov_yaml_get(c->root, "auth"), "key_sha256")->line,
                        "expected 64 hex digits (sha256 of a key)%s%s", NULL, NULL);
    }
    (void)line;
    return 0;
}

struct sov_config *sov_config_parse(const char *text, size_t len, const char *path, char **err)
{
    struct ctx cx = {path, err};
    struct sov_config *c = calloc(1, sizeof *c);
    if (!c) {
        *err = strdup("out of memory");
        return NULL;
    }
    c->path = path ? strdup(path) : NULL;
    char *yerr = NULL;
    c->root = sov_yaml_parse(text, len, &yerr);
    if (!c->root) {
        *err = sov_asprintf("%s%s%s", path ? path : "", path ? ": " : "", yerr ? yerr : "parse error");
        free(yerr);
        sov_config_free(c);
        return NULL;
    }
    if (c->root->type != SOV_YAML_MAP) {
        fail(&cx, "(top level)", c->root->line, "expected a mapping of sections%s%s", NULL, NULL);
        sov_config_free(c);
        return NULL;
    }
    int rc = apply_rows(&cx, top_rows, c->root, c, "");
    if (!rc)
        rc = check_backends(&cx, c, sov_yaml_get(c->root, "backends"));
    if (!rc)
        rc = check_references(&cx, c);
    if (rc) {
        if (rc == SOV_ENOMEM && !*err)
            *err = strdup("out of memory");
        sov_config_free(c);
        return NULL;
    }
    return c;
}

struct sov_config *sov_config_load(const char *path, char **err)
{
    size_t len;
    char *text = sov_read_file(path, 16u << 20, &len, err);
    if (!text)
        return NULL;
    struct sov_config *c = sov_config_parse(text, len, path, err);
    free(text);
    return c;
}

static void free_list(char **l)
{
    if (!l)
        return;
    for (char **p = l; *p; p++)
        free(*p);
    free(l);
}

void sov_config_free(struct sov_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_backends; i++) {
        struct sov_backend_config *b = &c->backends[i];
        free(b->name);
        free(b->kind);
        free(b->base_url);
        free_list(b->models);
        free(b->api_key_env);
    }
    free(c->backends);
    free(c->path);
    free(c->listen);
    free(c->log_level);
    free(c->default_backend);
    free_list(c->fallback);
    free(c->auth.keys_env);
    free(c->store.path);
    free_list(c->auth.key_sha256);
    sov_yaml_free(c->root);
    free(c);
}

const struct sov_backend_config *sov_config_backend(const struct sov_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_backends; i++)
        if (!strcmp(c->backends[i].name, name))
            return &c->backends[i];
    return NULL;
}

int sov_config_get_string(const struct sov_backend_config *b, const char *key, bool required, char **out, char **err)
{
    const struct sov_yaml_node *v = sov_yaml_get(b->node, key);
    if (!v) {
        if (required) {
            *err = sov_asprintf("backends[%s].%s (line %d): required for kind %s", b->name, key, b->node->line, b->kind);
            return SOV_ECONFIG;
        }
        return 0;
    }
    if (v->type != SOV_YAML_SCALAR) {
        *err = sov_asprintf("backends[%s].%s (line %d): expected a single value", b->name, key, v->line);
        return SOV_ECONFIG;
    }
    char *s = strdup(v->scalar);
    if (!s)
        return SOV_ENOMEM;
    free(*out);
    *out = s;
    return 0;
}

int sov_config_get_uint(const struct sov_backend_config *b, const char *key, bool required, unsigned long long max,
                        unsigned long long *out, char **err)
{
    const struct sov_yaml_node *v = sov_yaml_get(b->node, key);
    if (!v) {
        if (required) {
            *err = sov_asprintf("backends[%s].%s (line %d): required for kind %s", b->name, key, b->node->line, b->kind);
            return SOV_ECONFIG;
        }
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long x = v->type == SOV_YAML_SCALAR && v->scalar[0] != '-' ? strtoull(v->scalar, &end, 10) : 0;
    if (v->type != SOV_YAML_SCALAR || v->scalar[0] == '-' || !v->scalar[0] || errno || *end || x > max) {
        *err = sov_asprintf("backends[%s].%s (line %d): expected an integer in 0..%llu", b->name, key, v->line, max);
        return SOV_ECONFIG;
    }
    *out = x;
    return 0;
}
