/* The price table (see pricing.h). */
#include "audit/pricing.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* List prices per 1M tokens, taken 2025-08-15 from openai.com/api/pricing and
 * docs.anthropic.com/en/docs/about-claude/pricing (Anthropic cache writes: 5-minute TTL, 1.25x input). */
static const struct sov_price builtin[] = {
    /* model                 input  cached  cache_write output */
    {"gpt-5", 1.25, 0.125, 1.25, 10.00, "built-in"},
    {"gpt-5-mini", 0.25, 0.025, 0.25, 2.00, "built-in"},
    {"gpt-5-nano", 0.05, 0.005, 0.05, 0.40, "built-in"},
    {"gpt-4.1", 2.00, 0.50, 2.00, 8.00, "built-in"},
    {"gpt-4.1-mini", 0.40, 0.10, 0.40, 1.60, "built-in"},
    {"gpt-4.1-nano", 0.10, 0.025, 0.10, 0.40, "built-in"},
    {"gpt-4o", 2.50, 1.25, 2.50, 10.00, "built-in"},
    {"gpt-4o-2024-05-13", 5.00, 5.00, 5.00, 15.00, "built-in"},
    {"gpt-4o-mini", 0.15, 0.075, 0.15, 0.60, "built-in"},
    {"chatgpt-4o-latest", 5.00, 5.00, 5.00, 15.00, "built-in"},
    {"gpt-4-turbo", 10.00, 10.00, 10.00, 30.00, "built-in"},
    {"gpt-4", 30.00, 30.00, 30.00, 60.00, "built-in"},
    {"gpt-3.5-turbo", 0.50, 0.50, 0.50, 1.50, "built-in"},
    {"o1", 15.00, 7.50, 15.00, 60.00, "built-in"},
    {"o1-mini", 1.10, 0.55, 1.10, 4.40, "built-in"},
    {"o3", 2.00, 0.50, 2.00, 8.00, "built-in"},
    {"o3-mini", 1.10, 0.55, 1.10, 4.40, "built-in"},
    {"o4-mini", 1.10, 0.275, 1.10, 4.40, "built-in"},
    {"claude-opus-4-1", 15.00, 1.50, 18.75, 75.00, "built-in"},
    {"claude-opus-4", 15.00, 1.50, 18.75, 75.00, "built-in"},
    {"claude-sonnet-4", 3.00, 0.30, 3.75, 15.00, "built-in"},
    {"claude-3-7-sonnet", 3.00, 0.30, 3.75, 15.00, "built-in"},
    {"claude-3-5-sonnet", 3.00, 0.30, 3.75, 15.00, "built-in"},
    {"claude-3-5-haiku", 0.80, 0.08, 1.00, 4.00, "built-in"},
    {"claude-3-opus", 15.00, 1.50, 18.75, 75.00, "built-in"},
    {"claude-3-haiku", 0.25, 0.03, 0.30, 1.25, "built-in"},
};

struct sov_pricing {
    struct sov_price *user; /* rows from YAML; names and sources owned */
    size_t n_user;
    char *date;
};

struct sov_pricing *sov_pricing_new(void)
{
    return calloc(1, sizeof(struct sov_pricing));
}

void sov_pricing_free(struct sov_pricing *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_user; i++) {
        free((char *)p->user[i].model);
        free((char *)p->user[i].source);
    }
    free(p->user);
    free(p->date);
    free(p);
}

static int num(const struct sov_yaml_node *n, const char *path, const char *key, double *out, char **err)
{
    if (!n)
        return 0;
    char *end;
    errno = 0;
    double d = n->type == SOV_YAML_SCALAR ? strtod(n->scalar, &end) : 0;
    if (n->type != SOV_YAML_SCALAR || end == n->scalar || *end || errno || d < 0 || d > 1e6) {
        *err = sov_asprintf("pricing.%s.%s (line %d): expected a price in USD per 1M tokens (0 to 1000000)", path, key, n->line);
        return SOV_ECONFIG;
    }
    *out = d;
    return 0;
}

int sov_pricing_load(struct sov_pricing *p, const struct sov_yaml_node *node, const char *source, char **err)
{
    if (!node)
        return 0;
    if (node->type != SOV_YAML_MAP) {
        *err = sov_asprintf("pricing (line %d): expected a mapping of models (see docs/audit.md)", node->line);
        return SOV_ECONFIG;
    }
    const struct sov_yaml_node *models = sov_yaml_get(node, "models");
    const struct sov_yaml_node *date = sov_yaml_get(node, "date");
    if (!models && !date)
        models = node; /* a map of models directly */
    if (date) {
        if (date->type != SOV_YAML_SCALAR) {
            *err = sov_asprintf("pricing.date (line %d): expected a date", date->line);
            return SOV_ECONFIG;
        }
        free(p->date);
        p->date = strdup(date->scalar);
    }
    for (size_t i = 0; node != models && i < node->n; i++)
        if (strcmp(node->keys[i], "models") && strcmp(node->keys[i], "date")) {
            *err = sov_asprintf("pricing.%s (line %d): unknown key (date, models)", node->keys[i], node->key_lines[i]);
            return SOV_ECONFIG;
        }
    if (!models)
        return 0;
    if (models->type != SOV_YAML_MAP) {
        *err = sov_asprintf("pricing.models (line %d): expected a mapping of model -> {input, cached_input, output}", models->line);
        return SOV_ECONFIG;
    }
    for (size_t i = 0; i < models->n; i++) {
        const char *name = models->keys[i];
        const struct sov_yaml_node *row = models->items[i];
        if (row->type != SOV_YAML_MAP) {
            *err = sov_asprintf("pricing.%s (line %d): expected {input, cached_input, output}", name, models->key_lines[i]);
            return SOV_ECONFIG;
        }
        for (size_t k = 0; k < row->n; k++)
            if (strcmp(row->keys[k], "input") && strcmp(row->keys[k], "cached_input") && strcmp(row->keys[k], "output") &&
                strcmp(row->keys[k], "cache_write")) {
                *err = sov_asprintf("pricing.%s.%s (line %d): unknown key (input, cached_input, cache_write, output)", name,
                                    row->keys[k], row->key_lines[k]);
                return SOV_ECONFIG;
            }
        struct sov_price pr = {NULL, -1, -1, -1, -1, NULL};
        int rc;
        if ((rc = num(sov_yaml_get(row, "input"), name, "input", &pr.input, err)) ||
            (rc = num(sov_yaml_get(row, "cached_input"), name, "cached_input", &pr.cached_input, err)) ||
            (rc = num(sov_yaml_get(row, "cache_write"), name, "cache_write", &pr.cache_write, err)) ||
            (rc = num(sov_yaml_get(row, "output"), name, "output", &pr.output, err)))
            return rc;
        if (pr.input < 0 || pr.output < 0) {
            *err = sov_asprintf("pricing.%s (line %d): input and output are required", name, models->key_lines[i]);
            return SOV_ECONFIG;
        }
        if (pr.cached_input < 0)
            pr.cached_input = pr.input;
        if (pr.cache_write < 0)
            pr.cache_write = pr.input;
        /* a later row for the same model replaces the earlier one */
        size_t at = p->n_user;
        for (size_t k = 0; k < p->n_user; k++)
            if (!strcmp(p->user[k].model, name))
                at = k;
        if (at == p->n_user) {
            struct sov_price *u = realloc(p->user, (p->n_user + 1) * sizeof *u);
            if (!u) {
                *err = strdup("out of memory");
                return SOV_ENOMEM;
            }
            p->user = u;
            p->n_user++;
        } else {
            free((char *)p->user[at].model);
            free((char *)p->user[at].source);
        }
        pr.model = strdup(name);
        pr.source = strdup(source ? source : "config");
        p->user[at] = pr;
    }
    return 0;
}

const char *sov_pricing_base_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* exact, or the row is a prefix of name followed by '-' or '@' or ':' (snapshots, versions) */
static size_t match_len(const char *row, const char *name)
{
    size_t n = strlen(row);
    if (strncasecmp(row, name, n))
        return 0;
    return name[n] == '\0' || name[n] == '-' || name[n] == '@' || name[n] == ':' ? n : 0;
}

const struct sov_price *sov_pricing_find(const struct sov_pricing *p, const char *model)
{
    if (!model || !*model)
        return NULL;
    const char *base = sov_pricing_base_name(model);
    const struct sov_price *best = NULL;
    size_t best_len = 0;
    /* user rows first; they may name the full model (with its prefix) or the base name */
    for (size_t i = 0; i < p->n_user; i++) {
        size_t l = match_len(p->user[i].model, model);
        if (!l)
            l = match_len(p->user[i].model, base);
        if (l > best_len) {
            best = &p->user[i];
            best_len = l;
        }
    }
    if (best)
        return best;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        size_t l = match_len(builtin[i].model, base);
        if (l > best_len) {
            best = &builtin[i];
            best_len = l;
        }
    }
    return best;
}

double sov_pricing_cost(const struct sov_price *pr, int64_t prompt, int64_t cached, int64_t cache_write, int64_t completion)
{
    if (prompt < 0)
        prompt = 0;
    if (cached < 0)
        cached = 0;
    if (cache_write < 0)
        cache_write = 0;
    if (completion < 0)
        completion = 0;
    int64_t plain = prompt - cached - cache_write;
    if (plain < 0)
        plain = 0;
    return ((double)plain * pr->input + (double)cached * pr->cached_input + (double)cache_write * pr->cache_write +
            (double)completion * pr->output) /
           1e6;
}

const char *sov_pricing_date(const struct sov_pricing *p)
{
    return p->date ? p->date : SOV_PRICING_DATE;
}

size_t sov_pricing_count(const struct sov_pricing *p)
{
    return p->n_user + sizeof builtin / sizeof builtin[0];
}

const struct sov_price *sov_pricing_row(const struct sov_pricing *p, size_t i)
{
    if (i < p->n_user)
        return &p->user[i];
    i -= p->n_user;
    return i < sizeof builtin / sizeof builtin[0] ? &builtin[i] : NULL;
}
