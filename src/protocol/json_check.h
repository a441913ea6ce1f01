/*
 * An allocation-free check that a byte string is one well-formed JSON value (RFC 8259 syntax,
 * nesting up to SOV_JSON_CHECK_MAX_DEPTH). For the relay path, where events are forwarded as they
 * are without building a tree: it says whether a client could parse them. Does not check UTF-8
 * (sov_utf8_valid does). Thread-safe, no state.
 */
#ifndef SOV_PROTOCOL_JSON_CHECK_H
#define SOV_PROTOCOL_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOV_JSON_CHECK_MAX_DEPTH 256

/* True when p[0..n) is exactly one JSON value, with optional surrounding whitespace. */
bool sov_json_well_formed(const char *p, size_t n);

/* Reading a few members of an answer without building a jansson tree (a tree of a small chat
 * completion costs ~60k instructions; this, a few thousand). */

/* A value's bytes inside the checked text; p == NULL when absent. */
struct sov_json_span {
    const char *p;
    size_t n;
};

/* Checks that s[0..n) is exactly one well-formed JSON object and finds the values of its members
 * named keys[0..nkeys) (compared byte for byte with the raw key text: keys written with escapes are
 * not recognised; with duplicates the last wins, as in jansson). out[i] gets the value of keys[i]
 * or {NULL, 0}. Returns 0, or -1 when the text is not one well-formed JSON object. */
int sov_json_object_members(const char *s, size_t n, const char *const *keys, size_t nkeys, struct sov_json_span *out);

/* True if v is a JSON integer (no fraction, no exponent) that fits in int64_t; *out gets it. */
bool sov_json_span_int(struct sov_json_span v, int64_t *out);

/* A filter before parsing: true if `"key"` (qkey, given with its quotes) occurs in s[0..n) followed
 * by ':' and a value other than null. It may say true for the same text inside a string (the caller
 * then parses and finds out); it says false only when no such member is written plainly. */
bool sov_json_mentions(const char *s, size_t n, const char *qkey, size_t qlen);

#endif
