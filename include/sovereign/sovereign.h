/*
 * Sovereign: the public C API's shared definitions.
 *
 * Conventions (see ../shared/STYLE.md and docs/architecture.md):
 *   - functions return int: 0 on success, a negative SOV_E* code on failure;
 *     constructors return NULL on failure and explain through `char **err`
 *     (the caller frees *err with free());
 *   - every sov_x_new() has a sov_x_free(), and sov_x_free(NULL) is a no-op;
 *   - pointers are borrowed unless a comment says "takes ownership".
 */
#ifndef SOVEREIGN_H
#define SOVEREIGN_H

#ifndef SOV_VERSION
#define SOV_VERSION "0.0.0"
#endif

/* One table of error codes; never renumber, only append. */
#define SOV_ERRNO_MAP(X)                                                                                                        \
    X(OK, 0, "success")                                                                                                        \
    X(NOMEM, -1, "out of memory")                                                                                              \
    X(INVAL, -2, "invalid argument")                                                                                           \
    X(IO, -3, "input/output error")                                                                                            \
    X(PARSE, -4, "parse error")                                                                                                \
    X(CONFIG, -5, "invalid configuration")                                                                                     \
    X(LIMIT, -6, "limit exceeded")                                                                                             \
    X(NOTFOUND, -7, "not found")                                                                                               \
    X(UPSTREAM, -8, "upstream error")                                                                                          \
    X(TIMEOUT, -9, "timed out")                                                                                                \
    X(CANCELED, -10, "canceled")                                                                                               \
    X(UNSUPPORTED, -11, "not supported")                                                                                       \
    X(BUSY, -12, "busy")                                                                                                       \
    X(AUTH, -13, "unauthorized")

enum sov_errno {
#define SOV_X_(name, val, msg) SOV_E##name = val,
    SOV_ERRNO_MAP(SOV_X_)
#undef SOV_X_
};

/* Returns a static description of a SOV_E* code; never NULL. Thread-safe. */
const char *sov_strerror(int code);

#endif
