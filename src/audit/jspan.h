/*
 * A span-based JSON reader for the audit's hot path: it finds the fields a reader needs in one log
 * record without building a tree. Values are spans into the caller's text; strings are decoded only
 * on request. sov__js_skip checks structure (balanced and matching brackets, terminated strings,
 * nothing after the value), which is what tells a truncated or malformed record apart.
 * Thread-safe (no state); allocation-free except where a function takes an arena.
 */
#ifndef SOV_AUDIT_JSPAN_H
#define SOV_AUDIT_JSPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A value: its first byte (type: '{', '[', '"', 'n'umber, 't', 'f', 'z' for null, 'r' for raw text
 * from a CSV cell, 0 when absent) and its span (strings include their quotes). */
struct sov_jv {
    const char *s;
    size_t n;
    char type;
};

#define SOV_JS_MAX_KEYS 48

/* The top-level keys of one object and their values (the first SOV_JS_MAX_KEYS). */
struct sov_jobj {
    size_t n;
    struct sov_jv keys[SOV_JS_MAX_KEYS]; /* key strings, quotes included */
    struct sov_jv vals[SOV_JS_MAX_KEYS];
};

/* A bump allocator whose blocks never move (pointers stay valid until reset). */
struct sov_arena {
    struct sov_arena_block *head;
    size_t used_total, cap; /* cap: most bytes per reset (0 = none) */
};
void *sov__arena_alloc(struct sov_arena *a, size_t n);
void sov__arena_reset(struct sov_arena *a); /* keeps the first block */
void sov__arena_free(struct sov_arena *a);

/* Skips one value (after leading whitespace) in [p, e); returns the first byte after it, or NULL
 * when the value is malformed or truncated. */
const char *sov__js_skip(const char *p, const char *e);
/* Parses [p, e) as exactly one value (whitespace around allowed). Returns 0 or -1. */
int sov__js_value(const char *p, const char *e, struct sov_jv *out);
/* Indexes the keys of an object value. Returns 0, or -1 if v is not a well-formed object. */
int sov__js_index(struct sov_jv obj, struct sov_jobj *out);
/* The value of key in an indexed object (type 0 when absent). */
struct sov_jv sov__js_get(const struct sov_jobj *o, const char *key);
/* Looks key up in an object value without indexing it (one pass). */
struct sov_jv sov__js_find(struct sov_jv obj, const char *key);
/* Follows a dotted path ("metadata.app") through objects. */
struct sov_jv sov__js_path(struct sov_jv obj, const char *path);
/* Array iteration: *it starts at NULL; returns 1 with the next element in *el, 0 at the end, -1 malformed. */
int sov__js_next(struct sov_jv arr, const char **it, struct sov_jv *el);

/* A string value decoded to UTF-8 (NUL-terminated, in the arena); raw CSV text is returned as is.
 * Returns NULL if v is not a string or is malformed. *len gets the length. */
char *sov__js_str(struct sov_jv v, struct sov_arena *a, size_t *len);
/* Decodes into a fixed buffer (truncating at cap - 1 bytes); "" when absent. Returns the length. */
size_t sov__js_strbuf(struct sov_jv v, char *buf, size_t cap);
/* True if v is a string equal to lit (no escapes compared). */
bool sov__js_eq(struct sov_jv v, const char *lit);
/* A number (or a string/raw cell holding one). Returns def when absent or not a number. */
double sov__js_num(struct sov_jv v, double def);
/* An object or array that may also arrive encoded inside a string or a CSV cell (double-encoded
 * logs): returns the value, decoding and parsing the string when needed (type 0 if neither). */
struct sov_jv sov__js_nested(struct sov_jv v, struct sov_arena *a);

#endif
