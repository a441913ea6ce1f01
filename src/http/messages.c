/* POST /v1/messages: Anthropic-format clients. (Translation lands with src/protocol/anthropic.c.) */
#include "http/server.h"

#include <stdlib.h>

struct sov_front_stream {
    int unused;
};

void sov__messages_handle(struct gw_req *r, const char *body, size_t len)
{
    sov__gw_reply_error(r, 404, "not_found_error", "not_found", NULL, "/v1/messages is not available in this build");
}

void sov__front_stream_chunk(struct gw_req *r, const char *json, size_t len)
{
}

void sov__front_stream_end(struct gw_req *r)
{
}

int sov__front_complete(struct gw_req *r, const char *json, size_t len, struct sov_buf *out)
{
    return -1;
}

void sov__front_stream_free(struct sov_front_stream *f)
{
    free(f);
}
