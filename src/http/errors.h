/* Error bodies in the shape each client family expects. */
#ifndef SOV_HTTP_ERRORS_H
#define SOV_HTTP_ERRORS_H

#include "common/buf.h"

enum sov_api_format { SOV_FMT_OPENAI = 0, SOV_FMT_ANTHROPIC = 1 };

/* OpenAI: {"error":{"message":M,"type":T,"param":P|null,"code":C|null}}
 * Anthropic: {"type":"error","error":{"type":T',"message":M}} where T' is Anthropic's name for the status
 * (sov_anthropic_error_type_for_status). */
int sov_error_body(struct sov_buf *out, enum sov_api_format fmt, int status, const char *type, const char *code,
                   const char *param, const char *message);

#endif
