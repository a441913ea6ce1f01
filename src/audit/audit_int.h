/* Internals shared by the audit's readers (fmt_*.c), the format table and the engine. */
#ifndef SOV_AUDIT_AUDIT_INT_H
#define SOV_AUDIT_AUDIT_INT_H

#include "audit/audit.h"
#include "audit/jspan.h"

#define SOV_AUDIT_MAX_MSGS 64

/* One logged call as a reader sees it. Texts live in the record's arena. */
struct sov_audit_rec {
    struct sov_router_msg msgs[SOV_AUDIT_MAX_MSGS];
    size_t n_msgs;
    bool has_prompt; /* the record carried the request's messages */
    bool has_tools;
    char model[128];
    char workflow[128];
    bool has_workflow;
    int64_t prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens; /* -1: not logged */
    bool has_response;
    size_t response_bytes; /* text the model answered (for estimates) */
    bool failed;           /* the call returned an error */
    double ts;             /* seconds since the epoch, 0 unknown */
    const char *provider;  /* hint from the format ("openai", "anthropic") or NULL */
    /* a record that carries the gateway's own decision (Sovereign's decision store): used as is */
    bool has_decision;
    int dec_task, dec_route; /* SOV_AUDIT_TASK_UNKNOWN / -1 when not decided */
    float dec_complexity;    /* < 0 unknown */
    uint32_t dec_sens;
    double logged_cost; /* >= 0: the cost the gateway computed (used when the model has no price row) */
    int join;           /* 0, or 1 = batch input, 2 = batch output (join_id set) */
    char join_id[128];
};

struct sov_audit_rctx {
    struct sov_jv record; /* the whole record (an object; raw cells for CSV rows: type 0) */
    struct sov_arena *arena;
    const char *workflow_field;
};

struct sov_audit_format {
    const char *name;
    const char *summary;
    /* > 0 when the record looks like this format */
    int (*detect)(const struct sov_jobj *top);
    /* fills r; returns 0, or -1 and *why (static text) when the record cannot be read */
    int (*parse)(const struct sov_audit_rctx *cx, const struct sov_jobj *top, struct sov_audit_rec *r, const char **why);
};

extern const struct sov_audit_format *const sov__audit_formats[]; /* terminated by NULL */
/* index in the table, or -1 */
int sov__audit_format_find(const char *name);
/* the best-matching row for a record, or -1 */
int sov__audit_format_detect(const struct sov_jobj *top);

/* readers' rows (one file each) */
extern const struct sov_audit_format sov__fmt_openai, sov__fmt_anthropic, sov__fmt_batch_input, sov__fmt_batch_output,
    sov__fmt_litellm, sov__fmt_helicone, sov__fmt_litellm_proxy, sov__fmt_decisions;

/* Fills r from one decision-store row's fields (fmt_decisions.c; also used for the SQLite file). */
void sov__audit_decision(struct sov_audit_rec *r, const char *model, const char *backend, const char *tier, const char *route,
                         const char *task, double complexity, const char *sensitive_csv, int status, int64_t prompt_tokens,
                         int64_t completion_tokens, double cost_usd, double time);

/* shared reader helpers (format.c) */
/* OpenAI or Anthropic messages array (content strings, text parts, tool calls/results). */
int sov__audit_messages(const struct sov_audit_rctx *cx, struct sov_jv arr, struct sov_audit_rec *r);
/* Adds a system prompt (string or Anthropic text blocks) as the first message. */
int sov__audit_system(const struct sov_audit_rctx *cx, struct sov_jv sys, struct sov_audit_rec *r);
/* An OpenAI chat completion or an Anthropic message (response body): model, usage, answer size. */
void sov__audit_response(const struct sov_audit_rctx *cx, struct sov_jv resp, struct sov_audit_rec *r);
/* A usage object of either provider (OpenAI prompt/completion, Anthropic input/output/cache). */
void sov__audit_usage(struct sov_jv usage, struct sov_audit_rec *r);
/* The workflow field, looked up in each of objs in turn (JSON-in-strings decoded). */
void sov__audit_workflow(const struct sov_audit_rctx *cx, const struct sov_jv *objs, size_t n, struct sov_audit_rec *r);
/* A timestamp: epoch seconds or milliseconds, or an ISO 8601 string. 0 when unreadable. */
double sov__audit_time(struct sov_jv v);
/* The request part of an OpenAI chat body: model, messages, tools. Returns 0 or -1. */
int sov__audit_chat_request(const struct sov_audit_rctx *cx, struct sov_jv body, struct sov_audit_rec *r);

/* CSV: a header row maps names to cells; the rows are given to readers as a sov_jobj of raw cells. */
int sov__audit_csv_detect(const char *const *names, size_t n);

/* Template masking: writes the masked template of the request's system and user messages into
 * scratch, returns its hash and the first display_cap - 1 bytes in display. */
struct sov_buf;
uint64_t sov__audit_template(const struct sov_router_msg *msgs, size_t n, const struct sov_decision *d, struct sov_buf *scratch,
                             char *display, size_t display_cap);

#endif
