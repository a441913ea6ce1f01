/* RFC 4180 CSV over a buffer in memory: quoted fields (with "" and line breaks inside), LF or CRLF. */
#ifndef SOV_COMMON_CSV_H
#define SOV_COMMON_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

struct sov_csv {
    const char *p, *end;
    size_t line; /* line where the current record started (1-based) */
};

void sov_csv_init(struct sov_csv *c, const char *data, size_t len);
/* Reads the next record: its fields are written NUL-separated into buf (reset first), their count to
 * *n. Returns 1 for a record, 0 at the end, SOV_EPARSE on an unterminated quote, SOV_ELIMIT if buf's
 * cap is exceeded. */
int sov_csv_next(struct sov_csv *c, struct sov_buf *buf, size_t *n);
/* The i-th NUL-separated field of a record read by sov_csv_next (NULL if i >= n). */
const char *sov_csv_field(const struct sov_buf *buf, size_t n, size_t i);

#endif
