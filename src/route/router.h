/*
 * The router's judgment: scan -> classify -> policy, for one OpenAI chat request, locally and in
 * microseconds. One sov_router (immutable, shared by all threads) holds the scanner, the classifier
 * model and the policy rules of a configuration snapshot; each thread decides with its own scratch.
 * `serve` (for "model": "auto" and for the sensitive-data guard), `route`, `eval` and `audit` all
 * call sov_router_decide, so they always agree.
 */
#ifndef SOV_ROUTE_ROUTER_H
#define SOV_ROUTE_ROUTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "sensitive/sensitive.h"

#define SOV_TASK_MAP(X)                                                                                                        \
    X(CLASSIFICATION, "classification", 1)                                                                                     \
    X(EXTRACTION, "extraction", 1)                                                                                             \
    X(SUMMARIZATION, "summarization", 1)                                                                                       \
    X(REWRITE, "rewrite", 1)                                                                                                   \
    X(CLOSED_QA, "closed_qa", 1)                                                                                               \
    X(OPEN_QA, "open_qa", 0)                                                                                                   \
    X(CREATIVE, "creative", 0)                                                                                                 \
    X(REASONING, "reasoning", 0)                                                                                               \
    X(CODE, "code", 0)                                                                                                         \
    X(CHAT, "chat", 0)
/* the third column: 1 = low-entropy execution over supplied content (a local-kind task) */

enum sov_task {
#define SOV_X_(id, name, local) SOV_TASK_##id,
    SOV_TASK_MAP(SOV_X_)
#undef SOV_X_
        SOV_TASK_COUNT
};

const char *sov_task_name(enum sov_task t);
int sov_task_parse(const char *name); /* -1 if unknown */
bool sov_task_is_local_kind(enum sov_task t);

enum sov_route { SOV_ROUTE_LOCAL = 0, SOV_ROUTE_CLOUD = 1 };
const char *sov_route_name(enum sov_route r);

#define SOV_DECISION_MAX_HITS 32

struct sov_sensitive_hit {
    enum sov_pii_type type;
    uint32_t message;    /* index in messages[] (system prompt included as it appears there) */
    uint32_t start, end; /* byte offsets in that message's text content */
};

struct sov_decision {
    enum sov_route route;
    enum sov_task task;
    float task_probs[SOV_TASK_COUNT];
    float complexity;                   /* [0, 1] */
    uint32_t sensitive_types;           /* bit (1u << type) for each enum sov_pii_type seen */
    struct sov_sensitive_hit hits[SOV_DECISION_MAX_HITS];
    size_t n_hits;                      /* hits stored */
    size_t n_hits_total;                /* hits found (may exceed n_hits) */
    const char *rule;                   /* name of the policy rule that fired (static or config-owned) */
    char reason[64];                    /* e.g. "sensitive:iban", "task:extraction", "complexity:0.71" */
};

struct sov_router;
struct sov_router_scratch;

/* Builds the router of a configuration (its `router:`/`policy:`/`sensitive:` sections; defaults when
 * absent). Returns NULL and sets *err. */
struct sov_router *sov_router_new(const struct sov_config *cfg, char **err);
void sov_router_free(struct sov_router *r);
struct sov_router_scratch *sov_router_scratch_new(const struct sov_router *r);
void sov_router_scratch_free(struct sov_router_scratch *s);

/* Decides for one OpenAI chat request body. workflow (the x-sovereign-workflow header) and
 * client (the id of the client key) may be NULL. Returns 0, or SOV_EINVAL when the body is not a chat
 * request (out is then untouched). Allocation-free on the hot path. */
int sov_router_decide(const struct sov_router *r, struct sov_router_scratch *s, const json_t *request, const char *workflow,
                      const char *client, struct sov_decision *out);

/* Only the sensitive-data scan (for requests that name a model): fills sensitive_types and hits of
 * out (which the caller zeroes). Returns 0 or SOV_EINVAL. */
int sov_router_scan(const struct sov_router *r, struct sov_router_scratch *s, const json_t *request, struct sov_decision *out);

struct sov_policy;
const struct sov_policy *sov_router_policy(const struct sov_router *r);

/* Span entry points, for callers that hold plain message texts rather than a json_t tree (the audit
 * reads logs with a span parser). Together they are sov_router_decide split in its three steps, so
 * that a caller may reuse the classifier's verdict for a prompt template it has seen before:
 *   sov_router_scan_msgs (sensitive data) -> sov_router_classify_msgs (task, complexity)
 *   -> sov_router_apply_policy (route, rule, reason). */
struct sov_router_msg {
    const char *role; /* "system", "user", "assistant", "tool", ... (NUL-terminated) */
    const char *text; /* the message's text content (all text parts joined), not NUL-terminated */
    size_t len;
};

/* Scans the messages as sov_router_scan does; fills sensitive_types, hits, n_hits, n_hits_total of
 * out (which the caller zeroes). Allocation-free. */
void sov_router_scan_msgs(const struct sov_router *r, struct sov_router_scratch *s, const struct sov_router_msg *msgs,
                          size_t n, struct sov_decision *out);
/* Classifies the messages as sov_router_decide does (has_tools: the request defined tools); fills task,
 * task_probs and complexity of out. Returns 0, SOV_EINVAL (no messages) or SOV_ENOMEM. Allocates. */
int sov_router_classify_msgs(const struct sov_router *r, struct sov_router_scratch *s, const struct sov_router_msg *msgs,
                             size_t n, bool has_tools, struct sov_decision *out);
/* Applies the policy to d's task, complexity and sensitive_types; fills route, rule and reason. */
void sov_router_apply_policy(const struct sov_router *r, const char *workflow, const char *client, struct sov_decision *d);

#endif
