#include "backend/http_common.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void sov__http_error(struct sov_call_error *e, enum sov_upstream_result r, int status, const char *body, size_t body_len,
                     char *message, size_t cap, const char *name)
{
    memset(e, 0, sizeof *e);
    if (r == SOV_UP_OK && status >= 400) {
        e->kind = SOV_CALL_ERR_STATUS;
        e->status = status;
        e->retryable = status == 408 || status == 429 || status >= 500;
        e->body = body;
        e->body_len = body_len;
        snprintf(message, cap, "backend %s answered HTTP %d", name, status);
    } else if (r == SOV_UP_TIMEOUT) {
        e->kind = SOV_CALL_ERR_TIMEOUT;
        e->retryable = true;
        snprintf(message, cap, "backend %s timed out", name);
    } else if (r == SOV_UP_CONNECT) {
        e->kind = SOV_CALL_ERR_CONNECT;
        e->retryable = true;
        snprintf(message, cap, "backend %s: connection failed", name);
    } else if (r == SOV_UP_BROKEN) {
        e->kind = SOV_CALL_ERR_BROKEN;
        e->retryable = true;
        snprintf(message, cap, "backend %s: connection broken during the response", name);
    } else if (r == SOV_UP_OK) {
        e->kind = SOV_CALL_ERR_PROTOCOL;
        e->retryable = true;
        snprintf(message, cap, "backend %s sent a response that could not be read", name);
    } else {
        e->kind = SOV_CALL_ERR_INTERNAL;
        snprintf(message, cap, "internal error calling backend %s", name);
    }
    e->message = message;
}

struct sov_upstream_timeouts sov__http_timeouts(const struct sov_backend *b)
{
    struct sov_upstream_timeouts t = {b->cfg->connect_timeout_ms, b->cfg->first_byte_timeout_ms, b->cfg->idle_timeout_ms};
    return t;
}

void sov__usage_from_openai(struct sov_usage *u, const json_t *usage)
{
    if (!json_is_object(usage))
        return;
    json_t *v = json_object_get(usage, "prompt_tokens");
    if (json_is_integer(v))
        u->prompt_tokens = json_integer_value(v);
    v = json_object_get(usage, "completion_tokens");
    if (json_is_integer(v))
        u->completion_tokens = json_integer_value(v);
    v = json_object_get(json_object_get(usage, "prompt_tokens_details"), "cached_tokens");
    if (json_is_integer(v))
        u->cached_tokens = json_integer_value(v);
}

void sov__confidence_add(struct sov_usage *u, const json_t *content, size_t *n, double *sum_lp, double *sum_ent)
{
    size_t i;
    json_t *tok;
    json_array_foreach(content, i, tok)
    {
        json_t *lp = json_object_get(tok, "logprob");
        if (!json_is_number(lp))
            continue;
        double l = json_number_value(lp);
        if (*n == 0 || l < u->min_logprob)
            u->min_logprob = l;
        *sum_lp += l;
        /* entropy over the returned alternatives (a lower bound on the true entropy) */
        json_t *top = json_object_get(tok, "top_logprobs");
        double h = 0;
        size_t k;
        json_t *alt;
        json_array_foreach(top, k, alt)
        {
            json_t *al = json_object_get(alt, "logprob");
            if (json_is_number(al)) {
                double p = exp(json_number_value(al));
                if (p > 0)
                    h -= p * json_number_value(al);
            }
        }
        *sum_ent += h;
        (*n)++;
    }
    if (*n) {
        u->has_confidence = true;
        u->mean_logprob = *sum_lp / (double)*n;
        u->mean_entropy = *sum_ent / (double)*n;
    }
}
