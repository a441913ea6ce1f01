/*
 * A small YAML document tree (from libyaml's event parser) that keeps line numbers, so that
 * configuration errors can name the offending key and line. Scalars keep their text; the schema
 * (src/config/config.c) decides types. Nodes live as long as their document.
 */
#ifndef SOV_CONFIG_YAML_H
#define SOV_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>

enum sov_yaml_type { SOV_YAML_SCALAR, SOV_YAML_MAP, SOV_YAML_SEQ };

struct sov_yaml_node {
    enum sov_yaml_type type;
    int line;           /* 1-based line of the node's start */
    char *scalar;       /* SCALAR: the text (NUL-terminated) */
    bool quoted;        /* SCALAR: written in quotes (so "null"/"true" stay strings) */
    size_t n;           /* MAP: number of pairs; SEQ: number of items */
    char **keys;        /* MAP: keys */
    int *key_lines;     /* MAP: line of each key */
    struct sov_yaml_node **items; /* MAP: values; SEQ: items */
};

/* Parses a YAML text holding one document. Returns NULL and sets *err ("line N: ...") on error.
 * An empty document gives an empty map. */
struct sov_yaml_node *sov_yaml_parse(const char *text, size_t len, char **err);
void sov_yaml_free(struct sov_yaml_node *n);
/* Looks a key up in a map; NULL if absent or n is not a map. */
struct sov_yaml_node *sov_yaml_get(const struct sov_yaml_node *map, const char *key);

#endif
