/*
 * Incremental server-sent-events parser: feed bytes as they arrive, get one callback per event
 * (event name, data with multiple data: lines joined by '\n'). Comments and unknown fields are
 * ignored; \n, \r\n and \r line ends are accepted. An event larger than the cap is an error.
 */
#ifndef SOV_PROTOCOL_SSE_H
#define SOV_PROTOCOL_SSE_H

#include <stddef.h>

#include "common/buf.h"

/* Return non-zero to stop parsing (sov_sse_feed then returns that value). */
typedef int (*sov_sse_cb)(void *ud, const char *event, const char *data, size_t len);

struct sov_sse {
    struct sov_buf line;  /* the current, incomplete line */
    struct sov_buf data;  /* data of the current event */
    char event[64];
    int has_data;
    int last_cr;
};

void sov_sse_init(struct sov_sse *p, size_t max_event_bytes);
/* Returns 0, SOV_ELIMIT if an event exceeds the cap, or the callback's non-zero value. */
int sov_sse_feed(struct sov_sse *p, const char *buf, size_t n, sov_sse_cb cb, void *ud);
void sov_sse_free(struct sov_sse *p);

#endif
