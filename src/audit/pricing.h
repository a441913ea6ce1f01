/*
 * Prices of hosted models, per 1M tokens: a built-in table of common OpenAI and Anthropic models
 * (list prices, dated SOV_PRICING_DATE), overridable and extensible from YAML:
 *
 *   pricing:
 *     date: 2025-09-01            # optional: when your prices were taken (shown in reports)
 *     models:
 *       deepseek-chat: { input: 0.27, cached_input: 0.07, output: 1.10 }
 *       gpt-4o:        { input: 2.50, cached_input: 1.25, output: 10.00 }
 *
 * A model name matches a row exactly or by its longest row prefix followed by '-' (dated snapshots:
 * gpt-4o-2024-08-06 -> gpt-4o), after provider prefixes ("litellm_proxy/anthropic/") are dropped;
 * user rows win over built-in ones. A model without a row is unpriced (never free).
 * Immutable once built; shared by all threads.
 */
#ifndef SOV_AUDIT_PRICING_H
#define SOV_AUDIT_PRICING_H

#include <stddef.h>
#include <stdint.h>

#include "config/yaml.h"

#define SOV_PRICING_DATE "2025-08-15"

struct sov_price {
    const char *model;
    double input;        /* USD per 1M uncached prompt tokens */
    double cached_input; /* per 1M prompt tokens read from the provider's cache */
    double cache_write;  /* per 1M prompt tokens written to the cache (Anthropic); = input elsewhere */
    double output;       /* per 1M completion tokens */
    const char *source;  /* "built-in" or the file it came from */
};

struct sov_pricing;

struct sov_pricing *sov_pricing_new(void); /* the built-in table; NULL when out of memory */
void sov_pricing_free(struct sov_pricing *p);
/* Adds or overrides rows from a `pricing:` node (the map above; a map of models directly is accepted
 * too). source names the file in messages. Returns 0 or SOV_ECONFIG with *err naming key and line. */
int sov_pricing_load(struct sov_pricing *p, const struct sov_yaml_node *node, const char *source, char **err);
/* The row for a model name, or NULL (unpriced). */
const struct sov_price *sov_pricing_find(const struct sov_pricing *p, const char *model);
/* Cost in USD: prompt_tokens counts every prompt token, cached and cache_write included. */
double sov_pricing_cost(const struct sov_price *pr, int64_t prompt_tokens, int64_t cached_tokens, int64_t cache_write_tokens,
                        int64_t completion_tokens);
const char *sov_pricing_date(const struct sov_pricing *p);
size_t sov_pricing_count(const struct sov_pricing *p);
const struct sov_price *sov_pricing_row(const struct sov_pricing *p, size_t i);
/* The model name without provider prefixes (points into name). */
const char *sov_pricing_base_name(const char *name);

#endif
