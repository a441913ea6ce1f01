/*
 * sov_buf: a growable byte buffer with an explicit cap.
 * Every buffer filled from the network or a file has a cap; appends past it fail with SOV_ELIMIT
 * and leave the buffer unchanged. The data is always NUL-terminated (the NUL is not counted in len).
 * Not thread-safe; a buffer belongs to one request or one thread.
 */
#ifndef SOV_COMMON_BUF_H
#define SOV_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sov_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap; /* 0 = unlimited */
};

#define SOV_BUF_INIT(c) {NULL, 0, 0, (c)}

/* Returns 0, SOV_ENOMEM or SOV_ELIMIT (len + n would exceed cap). */
int sov_buf_append(struct sov_buf *b, const void *p, size_t n);
int sov_buf_puts(struct sov_buf *b, const char *s);
int sov_buf_putc(struct sov_buf *b, char c);
int sov_buf_printf(struct sov_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as the inside of a JSON string (escaped, no quotes). Invalid UTF-8 is replaced by U+FFFD. */
int sov_buf_json_escape(struct sov_buf *b, const char *s, size_t n);
/* Makes room for n more bytes; returns a pointer to write at, or NULL. Commit with b->len += written. */
char *sov_buf_reserve(struct sov_buf *b, size_t n);
/* Drops the first n bytes. */
void sov_buf_consume(struct sov_buf *b, size_t n);
void sov_buf_reset(struct sov_buf *b);
/* Frees the memory; the buffer may be reused (it keeps its cap). */
void sov_buf_free(struct sov_buf *b);
/* Hands the data over to the caller (who frees it); the buffer is left empty. Never NULL unless out of memory. */
char *sov_buf_steal(struct sov_buf *b);

#endif
