/*
 * The router: scan -> classify -> policy for one OpenAI chat request (see router.h).
 * The `router:` section of the configuration:
 *   router:
 *     model: models/router-model.bin   # the classifier (default: $SOVEREIGN_ROUTER_MODEL, then the
 *                                      # model beside the binary, then the source tree's)
 *     air_gapped: false                # true: everything stays local, whatever the rules say
 *     local_backend: local             # where "auto" sends local work (default: the first local-tier backend)
 *     cloud_backend: openai            # where "auto" sends cloud work (default: the first cloud-tier backend)
 *     on_sensitive_cloud: keep_local   # a request naming a cloud model but carrying sensitive data:
 *                                      # keep_local (refused if no local backend), refuse, or allow
 */
#define SOV_LOG_MODULE "router"
#include "route/router.h"
#include "common/log.h"
#include "common/util.h"
#include "route/classify.h"
#include "route/policy.h"
#include "sovereign/sovereign.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SPANS 64

struct sov_router {
    struct sov_scanner *scanner;
    struct sov_classifier *cls;
    struct sov_policy *policy;
    char *model_path;
};

struct sov_router_scratch {
    struct sov_scan_scratch *scan;
    struct sov_classify_scratch *cls;
    struct sov_span spans[MAX_SPANS];
};

static const char *const router_keys[] = {"model", "air_gapped", "local_backend", "cloud_backend", "on_sensitive_cloud", NULL};

static char *default_model_path(void)
{
    const char *env = getenv("SOVEREIGN_ROUTER_MODEL");
    if (env && *env)
        return strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *rel[] = {"/../models/router-model.bin", "/models/router-model.bin",
                                 "/../share/sovereign/router-model.bin"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                char *p = sov_asprintf("%s%s", exe, rel[i]);
                if (p && access(p, R_OK) == 0)
                    return p;
                free(p);
            }
        }
    }
    return strdup(SOV_SOURCE_DIR "/models/router-model.bin");
}

const char *sov_route_name(enum sov_route r)
{
    return r == SOV_ROUTE_LOCAL ? "local" : "cloud";
}

struct sov_router *sov_router_new(const struct sov_config *cfg, char **err)
{
    const struct sov_yaml_node *root = cfg ? cfg->root : NULL;
    const struct sov_yaml_node *rs = sov_yaml_get(root, "router");
    if (rs && rs->type != SOV_YAML_MAP) {
        *err = sov_asprintf("router (line %d): expected a mapping", rs->line);
        return NULL;
    }
    for (size_t i = 0; rs && i < rs->n; i++) {
        bool known = false;
        for (const char *const *k = router_keys; *k; k++)
            known |= !strcmp(*k, rs->keys[i]);
        if (!known) {
            *err = sov_asprintf("router.%s (line %d): unknown key (model, air_gapped, local_backend, cloud_backend, "
                                "on_sensitive_cloud)",
                                rs->keys[i], rs->key_lines[i]);
            return NULL;
        }
    }
    struct sov_router *r = calloc(1, sizeof *r);
    if (!r) {
        *err = strdup("out of memory");
        return NULL;
    }
    const struct sov_yaml_node *m = sov_yaml_get(rs, "model");
    if (m && m->type == SOV_YAML_SCALAR) {
        /* relative paths are relative to the configuration file */
        if (m->scalar[0] != '/' && cfg && cfg->path && strchr(cfg->path, '/'))
            r->model_path = sov_asprintf("%.*s/%s", (int)(strrchr(cfg->path, '/') - cfg->path), cfg->path, m->scalar);
        else
            r->model_path = strdup(m->scalar);
    } else {
        r->model_path = default_model_path();
    }
    char *e = NULL;
    if (!(r->policy = sov_policy_new(sov_yaml_get(root, "policy"), rs, &e)) ||
        !(r->scanner = sov_scanner_new(sov_yaml_get(root, "sensitive"), &e))) {
        *err = e;
        sov_router_free(r);
        return NULL;
    }
    r->cls = sov_classifier_load(r->model_path, &e);
    if (!r->cls) {
        *err = sov_asprintf("router.model: %s (rebuild it with scripts/train-router.sh)", e ? e : "cannot load");
        free(e);
        sov_router_free(r);
        return NULL;
    }
    return r;
}

void sov_router_free(struct sov_router *r)
{
    if (!r)
        return;
    sov_scanner_free(r->scanner);
    sov_classifier_free(r->cls);
    sov_policy_free(r->policy);
    free(r->model_path);
    free(r);
}

struct sov_router_scratch *sov_router_scratch_new(const struct sov_router *r)
{
    struct sov_router_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->scan = sov_scan_scratch_new(r->scanner);
    s->cls = sov_classify_scratch_new();
    if (!s->scan || !s->cls) {
        sov_router_scratch_free(s);
        return NULL;
    }
    return s;
}

void sov_router_scratch_free(struct sov_router_scratch *s)
{
    if (!s)
        return;
    sov_scan_scratch_free(s->scan);
    sov_classify_scratch_free(s->cls);
    free(s);
}

static void scan_text(const struct sov_router *r, struct sov_router_scratch *s, const char *text, size_t len, uint32_t msg,
                      struct sov_decision *d)
{
    size_t n = 0;
    if (sov_scan(r->scanner, s->scan, text, len, s->spans, MAX_SPANS, &n) != 0)
        return;
    size_t stored = n < MAX_SPANS ? n : MAX_SPANS;
    for (size_t i = 0; i < stored; i++) {
        d->sensitive_types |= 1u << s->spans[i].type;
        if (d->n_hits < SOV_DECISION_MAX_HITS)
            d->hits[d->n_hits++] = (struct sov_sensitive_hit){s->spans[i].type, msg, s->spans[i].start, s->spans[i].end};
    }
    d->n_hits_total += n;
}

int sov_router_scan(const struct sov_router *r, struct sov_router_scratch *s, const json_t *request, struct sov_decision *d)
{
    json_t *msgs = json_object_get(request, "messages");
    if (!json_is_array(msgs))
        return SOV_EINVAL;
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m)
    {
        json_t *content = json_object_get(m, "content");
        if (json_is_string(content)) {
            scan_text(r, s, json_string_value(content), json_string_length(content), (uint32_t)i, d);
        } else if (json_is_array(content)) {
            size_t k;
            json_t *part;
            json_array_foreach(content, k, part)
            {
                json_t *t = json_object_get(part, "text");
                if (json_is_string(t))
                    scan_text(r, s, json_string_value(t), json_string_length(t), (uint32_t)i, d);
            }
        }
        /* arguments the model passed to tools travel back to the provider too */
        size_t k;
        json_t *tc;
        json_array_foreach(json_object_get(m, "tool_calls"), k, tc)
        {
            json_t *args = json_object_get(json_object_get(tc, "function"), "arguments");
            if (json_is_string(args)) {
                size_t before = d->n_hits;
                scan_text(r, s, json_string_value(args), json_string_length(args), (uint32_t)i, d);
                /* offsets in arguments are not offsets in content: keep the type, drop the span */
                d->n_hits = before;
            }
        }
    }
    return 0;
}

int sov_router_decide(const struct sov_router *r, struct sov_router_scratch *s, const json_t *request, const char *workflow,
                      const char *client, struct sov_decision *out)
{
    if (!json_is_array(json_object_get(request, "messages")))
        return SOV_EINVAL;
    struct sov_decision d;
    memset(&d, 0, sizeof d);
    sov_router_scan(r, s, request, &d);
    float complexity = 0;
    int task = sov_classify(r->cls, s->cls, request, d.task_probs, &complexity);
    if (task < 0)
        return SOV_EINVAL;
    d.task = (enum sov_task)task;
    d.complexity = complexity;
    struct sov_policy_facts f = {d.task, complexity, d.sensitive_types, workflow, client};
    struct sov_policy_result pr;
    sov_policy_eval(r->policy, &f, &pr);
    d.route = pr.route;
    d.rule = pr.rule;
    memcpy(d.reason, pr.reason, sizeof d.reason);
    *out = d;
    return 0;
}

const struct sov_policy *sov_router_policy(const struct sov_router *r)
{
    return r->policy;
}

void sov_router_scan_msgs(const struct sov_router *r, struct sov_router_scratch *s, const struct sov_router_msg *msgs,
                          size_t n, struct sov_decision *d)
{
    for (size_t i = 0; i < n; i++)
        if (msgs[i].len)
            scan_text(r, s, msgs[i].text, msgs[i].len, (uint32_t)i, d);
}

int sov_router_classify_msgs(const struct sov_router *r, struct sov_router_scratch *s, const struct sov_router_msg *msgs,
                             size_t n, bool has_tools, struct sov_decision *d)
{
    if (!n)
        return SOV_EINVAL;
    /* the classifier reads a chat request: build the smallest one that carries these messages */
    json_t *req = json_object(), *arr = json_array();
    if (!req || !arr) {
        json_decref(req);
        json_decref(arr);
        return SOV_ENOMEM;
    }
    json_object_set_new(req, "messages", arr);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *m = json_object();
        if (!m || json_array_append_new(arr, m) ||
            json_object_set_new(m, "role", json_string(msgs[i].role ? msgs[i].role : "user")) ||
            json_object_set_new(m, "content", json_stringn_nocheck(msgs[i].text ? msgs[i].text : "", msgs[i].len)))
            rc = SOV_ENOMEM; /* set_new/append_new release what they were given on failure */
    }
    if (rc == 0 && has_tools)
        json_object_set_new(req, "tools", json_pack("[{s:s, s:{s:s}}]", "type", "function", "function", "name", "tool"));
    float complexity = 0;
    int task = rc == 0 ? sov_classify(r->cls, s->cls, req, d->task_probs, &complexity) : rc;
    json_decref(req);
    if (task < 0)
        return task == SOV_ENOMEM ? SOV_ENOMEM : SOV_EINVAL;
    d->task = (enum sov_task)task;
    d->complexity = complexity;
    return 0;
}

void sov_router_apply_policy(const struct sov_router *r, const char *workflow, const char *client, struct sov_decision *d)
{
    struct sov_policy_facts f = {d->task, d->complexity, d->sensitive_types, workflow, client};
    struct sov_policy_result pr;
    sov_policy_eval(r->policy, &f, &pr);
    d->route = pr.route;
    d->rule = pr.rule;
    memcpy(d->reason, pr.reason, sizeof d->reason);
}
