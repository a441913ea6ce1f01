#include "route/policy.h"
#include "common/buf.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 16

enum sens_mode { SENS_IGNORE = 0, SENS_ANY, SENS_NONE, SENS_TYPES };

struct rule {
    char *name;
    enum sov_route route;
    enum sens_mode sens;
    uint32_t sens_mask;      /* SENS_TYPES */
    uint32_t task_mask;      /* 0 = any task */
    bool has_below, has_above;
    float below, above;      /* complexity < below, complexity >= above */
    char *workflows[MAX_NAMES];
    size_t n_workflows;
    char *clients[MAX_NAMES];
    size_t n_clients;
};

struct sov_policy {
    struct rule *rules;
    size_t n;
    bool air_gapped;
};

static int fail(char **err, const char *path, int line, const char *msg, const char *arg)
{
    *err = sov_asprintf("%s (line %d): %s%s%s%s", path, line, msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    return SOV_ECONFIG;
}

static int parse_float01(const struct sov_yaml_node *n, float *out)
{
    if (!n || n->type != SOV_YAML_SCALAR)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(n->scalar, &end);
    if (errno || *end || end == n->scalar || !(v >= 0 && v <= 1))
        return -1;
    *out = (float)v;
    return 0;
}

/* a scalar or a list of scalars */
static int each_name(const struct sov_yaml_node *n, size_t *count, const struct sov_yaml_node **items, size_t max)
{
    if (n->type == SOV_YAML_SCALAR) {
        items[0] = n;
        *count = 1;
        return 0;
    }
    if (n->type != SOV_YAML_SEQ || n->n > max)
        return -1;
    for (size_t i = 0; i < n->n; i++) {
        if (n->items[i]->type != SOV_YAML_SCALAR)
            return -1;
        items[i] = n->items[i];
    }
    *count = n->n;
    return 0;
}

static int parse_when(struct rule *r, const struct sov_yaml_node *w, const char *path, char **err)
{
    char p[160];
    if (w->type != SOV_YAML_MAP)
        return fail(err, path, w->line, "expected a mapping of conditions", NULL);
    for (size_t i = 0; i < w->n; i++) {
        const char *k = w->keys[i];
        const struct sov_yaml_node *v = w->items[i];
        const struct sov_yaml_node *items[32];
        size_t cnt = 0;
        snprintf(p, sizeof p, "%s.%s", path, k);
        if (!strcmp(k, "sensitive")) {
            if (v->type == SOV_YAML_SCALAR && !strcmp(v->scalar, "any"))
                r->sens = SENS_ANY;
            else if (v->type == SOV_YAML_SCALAR && !strcmp(v->scalar, "none"))
                r->sens = SENS_NONE;
            else {
                if (each_name(v, &cnt, items, 32))
                    return fail(err, p, v->line, "expected any, none or a list of entity types", NULL);
                r->sens = SENS_TYPES;
                for (size_t j = 0; j < cnt; j++) {
                    int t = sov_pii_type_parse(items[j]->scalar);
                    if (t < 0)
                        return fail(err, p, items[j]->line, "unknown entity type", items[j]->scalar);
                    r->sens_mask |= 1u << t;
                }
            }
        } else if (!strcmp(k, "task")) {
            if (each_name(v, &cnt, items, 32))
                return fail(err, p, v->line, "expected a task type or a list of them", NULL);
            for (size_t j = 0; j < cnt; j++) {
                int t = !strcmp(items[j]->scalar, "local_kind") ? -2 : sov_task_parse(items[j]->scalar);
                if (t == -2) {
                    for (int x = 0; x < SOV_TASK_COUNT; x++)
                        if (sov_task_is_local_kind((enum sov_task)x))
                            r->task_mask |= 1u << x;
                    continue;
                }
                if (t < 0)
                    return fail(err, p, items[j]->line, "unknown task type", items[j]->scalar);
                r->task_mask |= 1u << t;
            }
        } else if (!strcmp(k, "complexity_below")) {
            if (parse_float01(v, &r->below))
                return fail(err, p, v->line, "expected a number in [0, 1]", NULL);
            r->has_below = true;
        } else if (!strcmp(k, "complexity_at_least")) {
            if (parse_float01(v, &r->above))
                return fail(err, p, v->line, "expected a number in [0, 1]", NULL);
            r->has_above = true;
        } else if (!strcmp(k, "workflow") || !strcmp(k, "client")) {
            bool wf = k[0] == 'w';
            if (each_name(v, &cnt, items, MAX_NAMES))
                return fail(err, p, v->line, "expected a name or a list of at most 16 names", NULL);
            for (size_t j = 0; j < cnt; j++) {
                char *s = strdup(items[j]->scalar);
                if (!s)
                    return SOV_ENOMEM;
                if (wf)
                    r->workflows[r->n_workflows++] = s;
                else
                    r->clients[r->n_clients++] = s;
            }
        } else {
            return fail(err, p, w->key_lines[i],
                        "unknown condition (sensitive, task, complexity_below, complexity_at_least, workflow, client)", NULL);
        }
    }
    return 0;
}

static int parse_rule(struct rule *r, const struct sov_yaml_node *n, size_t idx, char **err)
{
    char path[64];
    snprintf(path, sizeof path, "policy[%zu]", idx);
    if (n->type != SOV_YAML_MAP)
        return fail(err, path, n->line, "expected a mapping with name, when and route", NULL);
    bool has_route = false;
    for (size_t i = 0; i < n->n; i++) {
        const char *k = n->keys[i];
        const struct sov_yaml_node *v = n->items[i];
        char p[96];
        snprintf(p, sizeof p, "%s.%s", path, k);
        if (!strcmp(k, "name")) {
            if (v->type != SOV_YAML_SCALAR)
                return fail(err, p, v->line, "expected a string", NULL);
            r->name = strdup(v->scalar);
        } else if (!strcmp(k, "route")) {
            if (v->type != SOV_YAML_SCALAR || (strcmp(v->scalar, "local") && strcmp(v->scalar, "cloud")))
                return fail(err, p, v->line, "expected local or cloud", NULL);
            r->route = !strcmp(v->scalar, "local") ? SOV_ROUTE_LOCAL : SOV_ROUTE_CLOUD;
            has_route = true;
        } else if (!strcmp(k, "when")) {
            int rc = parse_when(r, v, p, err);
            if (rc)
                return rc;
        } else {
            return fail(err, p, n->key_lines[i], "unknown key (name, when, route)", NULL);
        }
    }
    if (!has_route)
        return fail(err, path, n->line, "a rule needs a route (local or cloud)", NULL);
    if (!r->name)
        r->name = sov_asprintf("rule-%zu", idx + 1);
    return r->name ? 0 : SOV_ENOMEM;
}

/* The built-in policy when the configuration has none: sensitive data stays local, local-kind work
 * under 0.6 complexity goes local, the rest to the cloud. */
static int default_rules(struct sov_policy *p)
{
    p->rules = calloc(3, sizeof *p->rules);
    if (!p->rules)
        return SOV_ENOMEM;
    p->n = 3;
    p->rules[0].name = strdup("sensitive-stays-local");
    p->rules[0].sens = SENS_ANY;
    p->rules[0].route = SOV_ROUTE_LOCAL;
    p->rules[1].name = strdup("local-kind-tasks");
    for (int x = 0; x < SOV_TASK_COUNT; x++)
        if (sov_task_is_local_kind((enum sov_task)x))
            p->rules[1].task_mask |= 1u << x;
    p->rules[1].has_below = true;
    p->rules[1].below = 0.6f;
    p->rules[1].route = SOV_ROUTE_LOCAL;
    p->rules[2].name = strdup("default");
    p->rules[2].route = SOV_ROUTE_CLOUD;
    for (size_t i = 0; i < 3; i++)
        if (!p->rules[i].name)
            return SOV_ENOMEM;
    return 0;
}

struct sov_policy *sov_policy_new(const struct sov_yaml_node *policy, const struct sov_yaml_node *router, char **err)
{
    struct sov_policy *p = calloc(1, sizeof *p);
    if (!p) {
        *err = strdup("out of memory");
        return NULL;
    }
    int rc = 0;
    const struct sov_yaml_node *ag = router ? sov_yaml_get(router, "air_gapped") : NULL;
    if (ag) {
        if (ag->type != SOV_YAML_SCALAR || (strcmp(ag->scalar, "true") && strcmp(ag->scalar, "false")))
            rc = fail(err, "router.air_gapped", ag->line, "expected true or false", NULL);
        p->air_gapped = ag->type == SOV_YAML_SCALAR && !strcmp(ag->scalar, "true");
    }
    if (!rc && policy) {
        if (policy->type != SOV_YAML_SEQ || policy->n == 0) {
            rc = fail(err, "policy", policy->line, "expected a non-empty list of rules", NULL);
        } else {
            p->rules = calloc(policy->n, sizeof *p->rules);
            if (!p->rules)
                rc = SOV_ENOMEM;
            for (size_t i = 0; !rc && i < policy->n; i++) {
                p->n = i + 1;
                rc = parse_rule(&p->rules[i], policy->items[i], i, err);
            }
        }
    } else if (!rc) {
        rc = default_rules(p);
    }
    if (rc) {
        if (rc == SOV_ENOMEM && !*err)
            *err = strdup("out of memory");
        sov_policy_free(p);
        return NULL;
    }
    return p;
}

void sov_policy_free(struct sov_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        struct rule *r = &p->rules[i];
        free(r->name);
        for (size_t k = 0; k < r->n_workflows; k++)
            free(r->workflows[k]);
        for (size_t k = 0; k < r->n_clients; k++)
            free(r->clients[k]);
    }
    free(p->rules);
    free(p);
}

static bool in_list(char *const *list, size_t n, const char *s)
{
    if (!s)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static int lowest_bit(uint32_t m)
{
    for (int i = 0; i < 32; i++)
        if (m & (1u << i))
            return i;
    return -1;
}

void sov_policy_eval(const struct sov_policy *p, const struct sov_policy_facts *f, struct sov_policy_result *out)
{
    if (p->air_gapped) {
        out->route = SOV_ROUTE_LOCAL;
        out->rule = "air_gapped";
        snprintf(out->reason, sizeof out->reason, "air_gapped");
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        const struct rule *r = &p->rules[i];
        if (r->sens == SENS_ANY && !f->sensitive_types)
            continue;
        if (r->sens == SENS_NONE && f->sensitive_types)
            continue;
        if (r->sens == SENS_TYPES && !(f->sensitive_types & r->sens_mask))
            continue;
        if (r->task_mask && !(r->task_mask & (1u << f->task)))
            continue;
        if (r->has_below && !(f->complexity < r->below))
            continue;
        if (r->has_above && !(f->complexity >= r->above))
            continue;
        if (r->n_workflows && !in_list(r->workflows, r->n_workflows, f->workflow))
            continue;
        if (r->n_clients && !in_list(r->clients, r->n_clients, f->client))
            continue;
        out->route = r->route;
        out->rule = r->name;
        /* the reason names the condition that singles this rule out, most specific first */
        if (r->sens == SENS_ANY || r->sens == SENS_TYPES) {
            uint32_t m = r->sens == SENS_TYPES ? (f->sensitive_types & r->sens_mask) : f->sensitive_types;
            snprintf(out->reason, sizeof out->reason, "sensitive:%s", sov_pii_type_name((enum sov_pii_type)lowest_bit(m)));
        } else if (r->n_workflows) {
            snprintf(out->reason, sizeof out->reason, "workflow:%.40s", f->workflow);
        } else if (r->n_clients) {
            snprintf(out->reason, sizeof out->reason, "client:%.40s", f->client);
        } else if (r->task_mask && r->route == SOV_ROUTE_LOCAL) {
            snprintf(out->reason, sizeof out->reason, "task:%s", sov_task_name(f->task));
        } else if (r->has_below || r->has_above) {
            snprintf(out->reason, sizeof out->reason, "complexity:%.2f", (double)f->complexity);
        } else if (r->task_mask) {
            snprintf(out->reason, sizeof out->reason, "task:%s", sov_task_name(f->task));
        } else {
            snprintf(out->reason, sizeof out->reason, "default");
        }
        return;
    }
    out->route = SOV_ROUTE_CLOUD;
    out->rule = "no-rule-matched";
    snprintf(out->reason, sizeof out->reason, "default");
}

bool sov_policy_air_gapped(const struct sov_policy *p)
{
    return p->air_gapped;
}

size_t sov_policy_rules(const struct sov_policy *p)
{
    return p->n;
}

size_t sov_policy_set_threshold(struct sov_policy *p, float t)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->rules[i].has_below) {
            p->rules[i].below = t;
            n++;
        }
    return n;
}

int sov_policy_dump(const struct sov_policy *p, struct sov_buf *o)
{
    if (p->air_gapped)
        sov_buf_puts(o, "router:\n  air_gapped: true\n");
    sov_buf_puts(o, "policy:\n");
    for (size_t i = 0; i < p->n; i++) {
        const struct rule *r = &p->rules[i];
        sov_buf_printf(o, "  - name: %s\n", r->name);
        bool any = r->sens || r->task_mask || r->has_below || r->has_above || r->n_workflows || r->n_clients;
        if (any) {
            sov_buf_puts(o, "    when:\n");
            if (r->sens == SENS_ANY)
                sov_buf_puts(o, "      sensitive: any\n");
            if (r->sens == SENS_NONE)
                sov_buf_puts(o, "      sensitive: none\n");
            if (r->sens == SENS_TYPES) {
                sov_buf_puts(o, "      sensitive: [");
                for (int t = 0, k = 0; t < SOV_PII_COUNT; t++)
                    if (r->sens_mask & (1u << t))
                        sov_buf_printf(o, "%s%s", k++ ? ", " : "", sov_pii_type_name((enum sov_pii_type)t));
                sov_buf_puts(o, "]\n");
            }
            if (r->task_mask) {
                sov_buf_puts(o, "      task: [");
                for (int t = 0, k = 0; t < SOV_TASK_COUNT; t++)
                    if (r->task_mask & (1u << t))
                        sov_buf_printf(o, "%s%s", k++ ? ", " : "", sov_task_name((enum sov_task)t));
                sov_buf_puts(o, "]\n");
            }
            if (r->has_below)
                sov_buf_printf(o, "      complexity_below: %.4f\n", (double)r->below);
            if (r->has_above)
                sov_buf_printf(o, "      complexity_at_least: %.4f\n", (double)r->above);
            for (size_t k = 0; k < r->n_workflows; k++)
                sov_buf_printf(o, "%s%s%s", k ? ", " : "      workflow: [", r->workflows[k], k + 1 == r->n_workflows ? "]\n" : "");
            for (size_t k = 0; k < r->n_clients; k++)
                sov_buf_printf(o, "%s%s%s", k ? ", " : "      client: [", r->clients[k], k + 1 == r->n_clients ? "]\n" : "");
        }
        sov_buf_printf(o, "    route: %s\n", r->route == SOV_ROUTE_LOCAL ? "local" : "cloud");
    }
    return 0;
}
