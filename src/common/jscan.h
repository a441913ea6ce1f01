/*
 * Allocation-free JSON scanning for the request path: validate an upstream answer and pick a few
 * members out of it without building a jansson tree (a tree of a small chat completion costs ~60k
 * instructions; this, ~3k). Anything that needs more than a few top-level values still uses jansson.
 * All functions are pure and thread-safe; none allocates.
 */
#ifndef SOV_COMMON_JSCAN_H
#define SOV_COMMON_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A value's bytes inside the scanned text; p == NULL when absent. */
struct sov_json_span {
    const char *p;
    size_t n;
};

/* Skips one JSON value starting at s (leading whitespace allowed); returns a pointer just past it,
 * or NULL when the text there is not one valid JSON value (RFC 8259 grammar, nesting up to 64
 * levels, no raw control characters or \u0000 in strings). Does not check UTF-8. */
const char *sov_json_skip(const char *s, const char *end);

/* Checks that s[0..n) is exactly one JSON object (whitespace around it allowed) and finds the values
 * of its members named keys[0..nkeys) (compared byte for byte with the raw key text: keys written
 * with escapes are not recognised; with duplicates the last wins, as jansson does). out[i] gets
 * the value of keys[i] or {NULL, 0}. Returns 0, or -1 if the text is not a valid JSON object. */
int sov_json_object_members(const char *s, size_t n, const char *const *keys, size_t nkeys, struct sov_json_span *out);

/* True if v is a JSON integer (no fraction, no exponent) that fits in int64_t; *out gets it. */
bool sov_json_span_int(struct sov_json_span v, int64_t *out);

/* A filter before parsing: true if `"key"` (qkey, given with its quotes) occurs in s[0..n) followed
 * by ':' and a value other than null. It may say true for the same text inside a string (the caller
 * then parses and finds out); it says false only when no such member is written plainly. */
bool sov_json_mentions(const char *s, size_t n, const char *qkey, size_t qlen);

#endif
