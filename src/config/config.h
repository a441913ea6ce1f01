/*
 * The configuration: one immutable snapshot loaded from YAML and validated against the schema
 * tables in config.c (which docs/configuration.md documents key by key). Every error names the
 * key path and the line. A snapshot is read-only after load and may be shared by all threads.
 */
#ifndef SOV_CONFIG_CONFIG_H
#define SOV_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/yaml.h"

enum sov_tier { SOV_TIER_LOCAL = 0, SOV_TIER_CLOUD = 1 };

struct sov_backend_config {
    char *name;
    char *kind;              /* a row of the backend table: "openai", "anthropic", "llama" */
    char *base_url;          /* e.g. "https://api.openai.com/v1" (kinds that call a server) */
    char **models;           /* model names this backend serves (NULL-terminated) */
    size_t n_models;
    char *api_key_env;       /* name of the environment variable holding the API key, or NULL */
    enum sov_tier tier;
    double price_in_per_m;   /* USD per 1M prompt tokens */
    double price_out_per_m;  /* USD per 1M completion tokens */
    unsigned connect_timeout_ms;
    unsigned first_byte_timeout_ms;
    unsigned idle_timeout_ms;
    unsigned max_concurrency; /* 0 = unlimited */
    const struct sov_yaml_node *node; /* the backend's YAML map, for kind-specific keys (valid while the config lives) */
};

struct sov_auth_config {
    char *keys_env;          /* environment variable with comma-separated client keys, or NULL */
    char **key_sha256;       /* hex SHA-256 hashes of accepted keys (NULL-terminated) */
    size_t n_key_sha256;
};

struct sov_limits_config {
    size_t max_body_bytes;
    size_t max_messages;
    size_t max_prompt_bytes;   /* total bytes of message content */
    unsigned request_timeout_ms; /* whole request, all attempts together */
    unsigned shutdown_grace_ms;
};

struct sov_store_config {
    char *path;               /* SQLite file of the decision store; NULL = no store */
    size_t queue;             /* records waiting for the writer at most */
    unsigned retention_days;  /* 0 = keep every row */
};

struct sov_config {
    char *path;              /* file it came from, or NULL */
    char *listen;            /* "host:port" */
    unsigned workers;        /* event-loop threads; 0 = one per core */
    char *log_level;
    bool access_log;
    struct sov_backend_config *backends;
    size_t n_backends;
    char *default_backend;
    char **fallback;         /* backend names tried in order after the chosen one fails */
    size_t n_fallback;
    struct sov_auth_config auth;
    struct sov_limits_config limits;
    struct sov_store_config store;
    struct sov_yaml_node *root; /* the parsed document (owned) */
};

/* Loads and validates a configuration file. Returns NULL and sets *err (caller frees) to a
 * one-line message naming the file, the key path and the line. */
struct sov_config *sov_config_load(const char *path, char **err);
/* The same from text (path is used in messages only; may be NULL). */
struct sov_config *sov_config_parse(const char *text, size_t len, const char *path, char **err);
void sov_config_free(struct sov_config *c);

/* Finds a backend by name; NULL if none. */
const struct sov_backend_config *sov_config_backend(const struct sov_config *c, const char *name);

/* Helpers for kind-specific keys read from a backend's node (used by backend kinds' open()).
 * Each returns 0, or SOV_ECONFIG with *err set to "backends[NAME].KEY (line N): ...". A missing
 * key leaves *out untouched and returns 0 unless `required`. */
int sov_config_get_string(const struct sov_backend_config *b, const char *key, bool required, char **out, char **err);
int sov_config_get_uint(const struct sov_backend_config *b, const char *key, bool required, unsigned long long max,
                        unsigned long long *out, char **err);

#endif
