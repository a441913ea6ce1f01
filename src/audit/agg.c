/*
 * The audit's aggregates: per-worker counters by task, band, model, workflow, provider and template
 * (open-addressing maps with caps), merged into one sov_audit_result at the end.
 */
#include "audit/agg.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* ---- string-keyed groups ---- */

static int gmap_grow(struct sov__gmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    int32_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < cap; i++)
        slots[i] = -1;
    for (size_t i = 0; i < m->n; i++) {
        size_t k = hash_str(m->v[i].name) & (cap - 1);
        while (slots[k] >= 0)
            k = (k + 1) & (cap - 1);
        slots[k] = (int32_t)i;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

struct sov_audit_group *sov__gmap_get(struct sov__gmap *m, const char *name)
{
    if (!name || !*name)
        name = "(none)";
    if (m->cap) {
        size_t k = hash_str(name) & (m->cap - 1);
        while (m->slots[k] >= 0) {
            if (!strcmp(m->v[m->slots[k]].name, name))
                return &m->v[m->slots[k]];
            k = (k + 1) & (m->cap - 1);
        }
    }
    if (m->n >= m->max) {
        /* past the cap: one "(other)" row takes the rest */
        if (strcmp(name, "(other)"))
            return sov__gmap_get_other(m);
    }
    if ((m->n + 1) * 2 > m->cap && gmap_grow(m) != 0)
        return NULL;
    if (m->n == m->alloc) {
        size_t na = m->alloc ? m->alloc * 2 : 16;
        struct sov_audit_group *v = realloc(m->v, na * sizeof *v);
        if (!v)
            return NULL;
        m->v = v;
        m->alloc = na;
    }
    struct sov_audit_group *g = &m->v[m->n];
    memset(g, 0, sizeof *g);
    if (!(g->name = strdup(name)))
        return NULL;
    size_t k = hash_str(name) & (m->cap - 1);
    while (m->slots[k] >= 0)
        k = (k + 1) & (m->cap - 1);
    m->slots[k] = (int32_t)m->n++;
    g->price = NULL;
    g->is_new = true;
    return g;
}

struct sov_audit_group *sov__gmap_get_other(struct sov__gmap *m)
{
    size_t max = m->max;
    m->max = (size_t)-1;
    struct sov_audit_group *g = sov__gmap_get(m, "(other)");
    m->max = max;
    return g;
}

void sov__gmap_free(struct sov__gmap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].name);
    free(m->v);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ---- templates ---- */

static int tmap_grow(struct sov__tmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    int32_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < cap; i++)
        slots[i] = -1;
    for (size_t i = 0; i < m->n; i++) {
        size_t k = m->v[i].hash & (cap - 1);
        while (slots[k] >= 0)
            k = (k + 1) & (cap - 1);
        slots[k] = (int32_t)i;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

struct sov_audit_template *sov__tmap_get(struct sov__tmap *m, uint64_t hash, const char *text, int task, int band)
{
    if (m->cap) {
        size_t k = hash & (m->cap - 1);
        while (m->slots[k] >= 0) {
            if (m->v[m->slots[k]].hash == hash)
                return &m->v[m->slots[k]];
            k = (k + 1) & (m->cap - 1);
        }
    }
    if (m->n >= m->max)
        return NULL;
    if ((m->n + 1) * 2 > m->cap && tmap_grow(m) != 0)
        return NULL;
    if (m->n == m->alloc) {
        size_t na = m->alloc ? m->alloc * 2 : 64;
        struct sov_audit_template *v = realloc(m->v, na * sizeof *v);
        if (!v)
            return NULL;
        m->v = v;
        m->alloc = na;
    }
    struct sov_audit_template *t = &m->v[m->n];
    memset(t, 0, sizeof *t);
    t->hash = hash;
    snprintf(t->text, sizeof t->text, "%s", text ? text : "");
    t->task = task;
    t->band = band;
    size_t k = hash & (m->cap - 1);
    while (m->slots[k] >= 0)
        k = (k + 1) & (m->cap - 1);
    m->slots[k] = (int32_t)m->n++;
    return t;
}

void sov__tmap_free(struct sov__tmap *m)
{
    free(m->v);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ---- aggregation ---- */

void sov__agg_init(struct sov__agg *a, size_t max_templates)
{
    memset(a, 0, sizeof *a);
    a->models.max = 4096;
    a->workflows.max = 4096;
    a->providers.max = 64;
    a->templates.max = max_templates;
}

void sov__agg_free(struct sov__agg *a)
{
    sov__gmap_free(&a->models);
    sov__gmap_free(&a->workflows);
    sov__gmap_free(&a->providers);
    sov__tmap_free(&a->templates);
    for (size_t i = 0; i < a->n_err; i++)
        free(a->err[i].reason);
}

static void add_counts(struct sov_audit_counts *c, const struct sov__obs *o, double cost, bool priced)
{
    c->requests++;
    c->prompt_tokens += (uint64_t)o->prompt;
    c->completion_tokens += (uint64_t)o->completion;
    c->cached_tokens += (uint64_t)(o->cached > 0 ? o->cached : 0);
    if (priced) {
        c->priced_requests++;
        c->spend_usd += cost;
    }
    if (o->route == SOV_ROUTE_LOCAL) {
        c->local_requests++;
        c->local_prompt_tokens += (uint64_t)o->prompt;
        c->local_completion_tokens += (uint64_t)o->completion;
        if (priced)
            c->local_spend_usd += cost;
    }
    if (o->sens)
        c->sensitive_requests++;
}

void sov__counts_merge(struct sov_audit_counts *d, const struct sov_audit_counts *s)
{
    d->requests += s->requests;
    d->prompt_tokens += s->prompt_tokens;
    d->completion_tokens += s->completion_tokens;
    d->cached_tokens += s->cached_tokens;
    d->priced_requests += s->priced_requests;
    d->spend_usd += s->spend_usd;
    d->local_requests += s->local_requests;
    d->local_prompt_tokens += s->local_prompt_tokens;
    d->local_completion_tokens += s->local_completion_tokens;
    d->local_spend_usd += s->local_spend_usd;
    d->sensitive_requests += s->sensitive_requests;
}

void sov__agg_add(struct sov__agg *a, const struct sov_pricing *pricing, const struct sov__obs *o)
{
    struct sov_audit_group *prov = sov__gmap_get(&a->providers, o->provider);
    if (prov && prov->is_new) {
        prov->is_new = false;
    }
    /* what left the building: counted for failed calls too */
    for (int t = 0; t < SOV_PII_COUNT; t++)
        if (o->sens & (1u << t)) {
            a->sens[t]++;
            if (prov)
                prov->sens[t]++;
        }
    if (o->failed) {
        a->failed_calls++;
        return;
    }
    struct sov_audit_group *m = sov__gmap_get(&a->models, o->model && *o->model ? o->model : "(unknown model)");
    if (m && m->is_new) {
        m->is_new = false;
        m->price = sov_pricing_find(pricing, m->name);
        snprintf(m->provider, sizeof m->provider, "%s", o->provider ? o->provider : "other");
    }
    const struct sov_price *price = m ? m->price : NULL;
    double cost = price ? sov_pricing_cost(price, o->prompt, o->cached, o->cache_write, o->completion) : 0;
    bool priced = price != NULL;
    if (!priced && o->cost_override >= 0) {
        cost = o->cost_override; /* the gateway priced it with its backend's configured price */
        priced = true;
    }
    if (!priced)
        a->unpriced_requests++;
    if (o->est_prompt)
        a->est_prompt++;
    if (o->est_completion)
        a->est_completion++;
    if (o->no_response)
        a->no_response++;
    add_counts(&a->total, o, cost, priced);
    add_counts(&a->by_task[o->task >= 0 && o->task <= SOV_TASK_COUNT ? o->task : SOV_TASK_COUNT], o, cost, priced);
    if (o->band >= 0)
        add_counts(&a->by_band[o->band], o, cost, priced);
    if (m)
        add_counts(&m->c, o, cost, priced);
    if (prov)
        add_counts(&prov->c, o, cost, priced);
    if (o->workflow) {
        struct sov_audit_group *w = sov__gmap_get(&a->workflows, o->workflow);
        if (w) {
            w->is_new = false;
            add_counts(&w->c, o, cost, priced);
        }
    }
    if (o->has_template) {
        struct sov_audit_template *t = sov__tmap_get(&a->templates, o->tpl, o->tpl_text, o->task, o->band);
        if (t) {
            add_counts(&t->c, o, cost, priced);
            if (o->task >= 0 && o->task < SOV_TASK_COUNT)
                t->task_count[o->task]++;
        } else {
            a->templates_untracked++;
        }
    }
    if (o->ts > 0) {
        if (!a->ts_min || o->ts < a->ts_min)
            a->ts_min = o->ts;
        if (o->ts > a->ts_max)
            a->ts_max = o->ts;
    }
}

void sov__agg_error(struct sov__agg *a, uint32_t file, uint64_t line, const char *reason)
{
    a->errors++;
    if (a->n_err < SOV_AUDIT_MAX_ERRORS) {
        a->err[a->n_err].file = file;
        a->err[a->n_err].line = line;
        a->err[a->n_err].reason = strdup(reason);
        a->n_err++;
    }
}

static void gmap_merge(struct sov__gmap *d, const struct sov__gmap *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct sov_audit_group *g = &s->v[i];
        struct sov_audit_group *t = sov__gmap_get(d, g->name);
        if (!t)
            continue;
        if (t->is_new) {
            t->is_new = false;
            t->price = g->price;
            memcpy(t->provider, g->provider, sizeof t->provider);
        }
        sov__counts_merge(&t->c, &g->c);
        for (int k = 0; k < SOV_PII_COUNT; k++)
            t->sens[k] += g->sens[k];
    }
}

void sov__agg_merge(struct sov__agg *d, struct sov__agg *s)
{
    sov__counts_merge(&d->total, &s->total);
    for (int t = 0; t <= SOV_TASK_COUNT; t++)
        sov__counts_merge(&d->by_task[t], &s->by_task[t]);
    for (int b = 0; b < SOV_AUDIT_BANDS; b++)
        sov__counts_merge(&d->by_band[b], &s->by_band[b]);
    for (int t = 0; t < SOV_PII_COUNT; t++)
        d->sens[t] += s->sens[t];
    d->errors += s->errors;
    d->failed_calls += s->failed_calls;
    d->est_prompt += s->est_prompt;
    d->est_completion += s->est_completion;
    d->no_response += s->no_response;
    d->unpriced_requests += s->unpriced_requests;
    d->templates_untracked += s->templates_untracked;
    d->batch_unmatched_inputs += s->batch_unmatched_inputs;
    d->batch_unmatched_outputs += s->batch_unmatched_outputs;
    for (size_t i = 0; i < 16; i++)
        d->format_records[i] += s->format_records[i];
    if (s->ts_min && (!d->ts_min || s->ts_min < d->ts_min))
        d->ts_min = s->ts_min;
    if (s->ts_max > d->ts_max)
        d->ts_max = s->ts_max;
    gmap_merge(&d->models, &s->models);
    gmap_merge(&d->workflows, &s->workflows);
    gmap_merge(&d->providers, &s->providers);
    for (size_t i = 0; i < s->templates.n; i++) {
        const struct sov_audit_template *st = &s->templates.v[i];
        struct sov_audit_template *t = sov__tmap_get(&d->templates, st->hash, st->text, st->task, st->band);
        if (!t) {
            d->templates_untracked += st->c.requests;
            continue;
        }
        sov__counts_merge(&t->c, &st->c);
        for (int k = 0; k < SOV_TASK_COUNT; k++)
            t->task_count[k] += st->task_count[k];
    }
    for (size_t i = 0; i < s->n_err; i++) {
        if (d->n_err < SOV_AUDIT_MAX_ERRORS) {
            d->err[d->n_err++] = s->err[i];
        } else {
            free(s->err[i].reason);
        }
    }
    s->n_err = 0;
}
