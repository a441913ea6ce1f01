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

#define SOV_JSON_CHECK_MAX_DEPTH 256

/* True when p[0..n) is exactly one JSON value, with optional surrounding whitespace. */
bool sov_json_well_formed(const char *p, size_t n);

#endif
