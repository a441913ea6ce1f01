/*
 * Sensitive-data scanning: one pass over a text for every detector (vectorscan), then a validator
 * per match (Luhn, mod-97, SSN ranges, entropy...). Results are typed spans with byte offsets.
 * Values are never copied out, logged or stored: callers get types and offsets only.
 *
 * Threading: a scanner is immutable after sov_scanner_new() and shared by all threads; each thread
 * scans with its own sov_scan_scratch.
 */
#ifndef SOV_SENSITIVE_SENSITIVE_H
#define SOV_SENSITIVE_SENSITIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/yaml.h"

/* Entity types; the names (sov_pii_type_name) are the ones users see: in reasons, JSON, metrics. */
#define SOV_PII_TYPE_MAP(X)                                                                                                    \
    X(EMAIL, "email")                                                                                                          \
    X(PHONE, "phone")                                                                                                          \
    X(CREDIT_CARD, "credit_card")                                                                                              \
    X(IBAN, "iban")                                                                                                            \
    X(SSN, "ssn")                                                                                                              \
    X(IP_ADDRESS, "ip_address")                                                                                                \
    X(SECRET, "secret")                                                                                                        \
    X(PERSON, "person")                                                                                                        \
    X(ADDRESS, "address")                                                                                                      \
    X(CUSTOM, "custom")

enum sov_pii_type {
#define SOV_X_(id, name) SOV_PII_##id,
    SOV_PII_TYPE_MAP(SOV_X_)
#undef SOV_X_
        SOV_PII_COUNT
};

/* "email", "phone", ...; NULL if out of range. */
const char *sov_pii_type_name(enum sov_pii_type t);
/* The type for a name, or -1. */
int sov_pii_type_parse(const char *name);

struct sov_span {
    enum sov_pii_type type;
    uint32_t start, end; /* byte offsets in the scanned text, end exclusive */
    uint16_t rule;       /* for CUSTOM: index of the user's term/pattern; else 0 */
};

struct sov_scanner;
struct sov_scan_scratch;

/* Builds a scanner from the built-in detectors plus the `sensitive:` section of the configuration
 * (custom terms and patterns; may be NULL). Returns NULL and sets *err (caller frees) with the key
 * and line of a bad pattern. */
struct sov_scanner *sov_scanner_new(const struct sov_yaml_node *section, char **err);
void sov_scanner_free(struct sov_scanner *s);

/* Per-thread scratch space. */
struct sov_scan_scratch *sov_scan_scratch_new(const struct sov_scanner *s);
void sov_scan_scratch_free(struct sov_scan_scratch *sc);

/* Scans text[0..len). Writes up to max validated, non-overlapping spans to out (in order of start)
 * and their total count to *n (which may exceed max: the caller can tell it was truncated).
 * Returns 0 or a negative SOV_E* code. Does not allocate. Safe on any bytes (invalid UTF-8 too). */
int sov_scan(const struct sov_scanner *s, struct sov_scan_scratch *sc, const char *text, size_t len, struct sov_span *out,
             size_t max, size_t *n);

/* For CUSTOM spans: the name of the user's pattern (span.rule), or "term" for a literal term (terms are
 * not echoed: they are sensitive themselves). NULL if rule is out of range. Valid while s lives. */
const char *sov_scanner_rule_name(const struct sov_scanner *s, uint16_t rule);

/* Internal (benchmarks): the number of expressions compiled into the database, and expression i
 * (Hyperscan/PCRE syntax) with whether it is case-insensitive. NULL if i is out of range. Valid while s lives. */
size_t sov__scanner_pattern_count(const struct sov_scanner *s);
/* Internal (benchmarks): like sov_scanner_new, but every built-in expression is compiled with start-of-match
 * tracking too (results are the same; it measures what SOM would cost). */
struct sov_scanner *sov__scanner_new_som(const struct sov_yaml_node *section, char **err);
const char *sov__scanner_pattern(const struct sov_scanner *s, size_t i, bool *caseless);

#endif
