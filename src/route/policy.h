/*
 * The routing policy: ordered rules from the configuration's `policy:` list, the first that matches
 * decides; `router.air_gapped: true` forces local whatever the rules say. A rule's conditions are
 * ANDed; a rule without conditions always matches. Immutable after load; shared by all threads.
 *
 *   policy:
 *     - name: sensitive-stays-local
 *       when: { sensitive: any }                 # any | none | [iban, ssn, ...]
 *       route: local
 *     - name: invoices-pilot
 *       when: { workflow: [invoices], task: [extraction] }
 *       route: local
 *     - name: easy-local-work
 *       when: { task: [classification, extraction, summarization, rewrite, closed_qa], complexity_below: 0.6 }
 *       route: local
 *     - name: everything-else
 *       route: cloud
 */
#ifndef SOV_ROUTE_POLICY_H
#define SOV_ROUTE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/yaml.h"
#include "route/router.h"

/* What the policy decides on. */
struct sov_policy_facts {
    enum sov_task task;
    float complexity;
    uint32_t sensitive_types; /* bit (1u << enum sov_pii_type) */
    const char *workflow;     /* x-sovereign-workflow header, or NULL */
    const char *client;       /* the client key's id, or NULL */
};

struct sov_policy_result {
    enum sov_route route;
    const char *rule;  /* the rule's name; valid while the policy lives */
    char reason[64];   /* "sensitive:iban", "task:extraction", "complexity:0.71", "workflow:x", "air_gapped", "default" */
};

struct sov_policy;

/* Builds the policy from the `policy:` list and the `router:` map (either may be NULL: then the
 * built-in default policy applies, see docs/routing.md). Returns NULL and sets *err naming the key
 * and line. */
struct sov_policy *sov_policy_new(const struct sov_yaml_node *policy, const struct sov_yaml_node *router, char **err);
void sov_policy_free(struct sov_policy *p);

/* Evaluates the rules in order. Never allocates. */
void sov_policy_eval(const struct sov_policy *p, const struct sov_policy_facts *f, struct sov_policy_result *out);

bool sov_policy_air_gapped(const struct sov_policy *p);
/* Number of rules (the built-in default counts its rules too). */
size_t sov_policy_rules(const struct sov_policy *p);
/* Overrides the complexity threshold of every rule that has complexity_below (used by `calibrate`
 * to print the resulting rule). Returns how many rules were changed. */
size_t sov_policy_set_threshold(struct sov_policy *p, float threshold);
/* Writes the rule set as YAML (for `sovereign calibrate` and `route --explain`). */
struct sov_buf;
int sov_policy_dump(const struct sov_policy *p, struct sov_buf *out);

#endif
