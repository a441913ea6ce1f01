/*
 * The decision store: one row per gateway request in an SQLite file (what the router decided and
 * why, where the request went, tokens, cost, latency), for `sovereign decisions`, the audit and
 * the migration reports. It never holds prompts, answers, keys or matched sensitive values: only
 * the names of the entity types seen.
 *
 * Writing never blocks the request path: sov_store_put copies the record into a bounded queue and
 * returns; one writer thread drains the queue in batched transactions (WAL journal). When the queue
 * is full the record is dropped and counted (sov_store_dropped), never waited for.
 *
 * Threading: sov_store_put and sov_store_dropped may be called from any thread. open/close from one.
 */
#ifndef SOV_STORE_STORE_H
#define SOV_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sov_store;

/* One request. Strings are copied by sov_store_put (and truncated to the sizes below, which are
 * larger than anything the gateway puts there); empty string = unknown. */
struct sov_store_record {
    double time;            /* wall clock, seconds since the epoch, when the request arrived */
    char method[8];
    char path[48];
    int status;             /* HTTP status sent to the client (499: client left) */
    char model[128];        /* as the client named it ("auto" included) */
    char backend[64];       /* the backend of the last attempt */
    char tier[8];           /* "local" / "cloud" */
    char route[8];          /* the router's route for "auto" or the guard's "local"; "" when none decided */
    char reason[64];        /* the rule or guard that fired, e.g. "sensitive:iban", "rule:2" */
    char task[24];          /* classifier's task ("auto" requests only) */
    double complexity;      /* [0,1]; < 0 unknown */
    char sensitive[128];    /* comma-separated entity types seen, e.g. "email,iban" (names only) */
    char workflow[64];      /* x-sovereign-workflow header */
    char client[17];        /* client key id: first 16 hex digits of its SHA-256 */
    bool stream;
    unsigned attempts;
    int64_t prompt_tokens;      /* -1 unknown */
    int64_t completion_tokens;  /* -1 unknown */
    double cost_usd;
    double latency_ms, ttfb_ms;
    bool has_confidence;
    double mean_logprob;
};

struct sov_store_options {
    size_t queue;             /* records waiting for the writer at most (0 = 4096) */
    unsigned retention_days;  /* rows older than this are deleted as the writer goes (0 = keep all) */
};

/* Opens (creating if needed) the store at path and starts its writer. Returns NULL and sets *err
 * (caller frees) when the file cannot be opened or is not a Sovereign store. */
struct sov_store *sov_store_open(const char *path, const struct sov_store_options *opt, char **err);
/* Queues one record; never blocks. Returns 0, or SOV_EBUSY when the queue was full (record dropped). */
int sov_store_put(struct sov_store *s, const struct sov_store_record *rec);
/* Records dropped so far because the queue was full or a write failed. */
uint64_t sov_store_dropped(const struct sov_store *s);
/* Writes what is queued, stops the writer, closes the file. NULL is a no-op. */
void sov_store_close(struct sov_store *s);

/* ---- reading (sovereign decisions, audit) ----------------------------------------------------- */

struct sov_store_filter {
    double since, until;   /* time range, seconds since the epoch (0 = open) */
    const char *route;     /* "local" / "cloud" / NULL */
    const char *backend;   /* NULL = any */
    const char *workflow;  /* NULL = any */
    size_t limit;          /* newest first, at most this many (0 = all, oldest first) */
};

/* Calls cb for each matching row (oldest first, or newest first with a limit); a non-zero return
 * from cb stops the walk and is returned. Returns 0, SOV_EIO/SOV_EPARSE with *err set. Opens the
 * file read-only: safe while a gateway writes it. */
int sov_store_each(const char *path, const struct sov_store_filter *f, int (*cb)(const struct sov_store_record *r, void *u),
                   void *u, char **err);

#endif
