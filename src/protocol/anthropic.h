/*
 * Protocol translation between the OpenAI Chat Completions format (what the gateway speaks inside)
 * and the Anthropic Messages API, both ways, streaming included. Pure functions over jansson values
 * and small state machines; no networking, no logging of contents. docs/protocol-anthropic.md has
 * the field-by-field mapping.
 *
 * Ownership: every json_t returned is a new reference the caller json_decref()s; inputs are
 * borrowed and never modified. Every `char **err` / `char **err_msg` may be NULL; otherwise it must
 * point to NULL on entry, and on failure receives a malloc'd message the caller free()s.
 * Thread-safety: the functions keep no global state; a stream object belongs to one thread.
 * Robustness: any input shape (wrong types anywhere, missing fields, huge indices) gives an error,
 * never a crash.
 */
#ifndef SOV_PROTOCOL_ANTHROPIC_H
#define SOV_PROTOCOL_ANTHROPIC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default max_tokens sent to Anthropic when the OpenAI request names none (Anthropic requires it). */
#define SOV_ANTHROPIC_DEFAULT_MAX_TOKENS 4096

/* Receives one OpenAI chat.completion.chunk object as JSON text (no "data: " framing, not NUL-
 * terminated for the callee's purposes: use len). The text is valid only during the call. */
typedef void (*sov_chunk_cb)(void *ud, const char *json, size_t len);
/* Receives one Anthropic SSE event: its name ("message_start"...) and its data as JSON text, both
 * valid only during the call. The caller frames it as "event: NAME\ndata: DATA\n\n". */
typedef void (*sov_event_cb)(void *ud, const char *event_name, const char *data_json, size_t len);

/* ---- A. Outbound: the gateway (OpenAI) calls an Anthropic upstream ---------------------------- */

/*
 * OpenAI chat request -> Anthropic Messages request body. `model` overrides openai_req.model when
 * non-NULL (the backend's upstream model name). Returns NULL and sets *err when the request cannot
 * be expressed (n > 1, unsupported content parts or response_format, invalid tool-call arguments,
 * wrong types). Harmless unsupported fields (seed, penalties, logprobs, ...) are dropped.
 */
json_t *sov_anthropic_request_from_openai(const json_t *openai_req, const char *model, char **err);

/*
 * Anthropic message (non-streaming response body) -> OpenAI chat.completion. An Anthropic error
 * body ({"type":"error",...}) gives NULL with its message in *err.
 */
json_t *sov_anthropic_response_to_openai(const json_t *anth_resp, char **err);

/*
 * Streaming Anthropic -> OpenAI: feed each upstream SSE event, get OpenAI chunks. The chunks
 * follow OpenAI's order: a first chunk with delta.role "assistant", content deltas, tool_calls
 * deltas (index/id/type/function.name first, then function.arguments fragments), one chunk with
 * finish_reason (on message_delta), and, when include_usage, a last chunk with "choices": [] and
 * usage (on message_stop). With include_usage every other chunk carries "usage": null, as OpenAI's do.
 */
struct sov_anthropic_stream;

/* `model` is the name put in every chunk (NULL: the upstream's name from message_start).
 * Returns NULL when out of memory. */
struct sov_anthropic_stream *sov_anthropic_stream_new(const char *model, bool include_usage);

/*
 * Feeds one SSE event. event_name may be NULL (the data's "type" is used; the data's type wins
 * when both are present). data/len: the event's data field (JSON). cb may fire zero or more times.
 * Returns 0; SOV_EUPSTREAM when the event is an `error` event (the stream is failed, see
 * sov_anthropic_stream_error); SOV_EPARSE when the data is not a well-formed event or comes out of
 * order (the stream is failed too, with a message); SOV_EINVAL on NULL arguments or a feed after the
 * stream ended or failed; SOV_ELIMIT past 4096 content blocks; SOV_ENOMEM. ping and unknown
 * event types are ignored.
 */
int sov_anthropic_stream_feed(struct sov_anthropic_stream *st, const char *event_name, const char *data, size_t len,
                              sov_chunk_cb cb, void *ud);

/* True once message_stop was fed (the stream ended normally). */
bool sov_anthropic_stream_done(const struct sov_anthropic_stream *st);
/* NULL unless the stream failed; else a message safe to relay (the upstream's error message or a
 * parse-error description, never contents). *type (if type non-NULL) gets the Anthropic error type
 * ("overloaded_error", "api_error", ...; "api_error" for parse errors). Valid until the stream is freed. */
const char *sov_anthropic_stream_error(const struct sov_anthropic_stream *st, const char **type);
/* Usage so far; -1 for what is unknown. prompt = input + cache reads + cache creation tokens;
 * cached = cache reads. Any pointer may be NULL. */
void sov_anthropic_stream_usage(const struct sov_anthropic_stream *st, int64_t *prompt_tokens, int64_t *completion_tokens,
                                int64_t *cached_tokens);
/* The OpenAI finish_reason sent ("stop", "length", "tool_calls", "content_filter"), or NULL if none yet. */
const char *sov_anthropic_stream_finish_reason(const struct sov_anthropic_stream *st);
void sov_anthropic_stream_free(struct sov_anthropic_stream *st);

/* ---- B. Inbound: an Anthropic-format client calls POST /v1/messages --------------------------- */

/*
 * Validates an Anthropic Messages request and converts it to an OpenAI chat request. On failure
 * returns NULL, *err_msg gets a message that begins with the offending path ("messages.1.content.0.type: ...")
 * and *err_param a static, index-free path of the offending field ("messages.content.type"), for
 * logs and OpenAI-style bodies. Either pointer may be NULL.
 */
json_t *sov_anthropic_request_to_openai(const json_t *anth_req, char **err_msg, const char **err_param);

/* OpenAI chat.completion -> Anthropic message. Returns NULL and sets *err on a malformed completion. */
json_t *sov_openai_response_to_anthropic(const json_t *openai_resp, char **err);

/*
 * Streaming OpenAI -> Anthropic: feed each OpenAI chunk (JSON text without "data: "; do not feed
 * "[DONE]"), then call finish. Events follow the Messages API: message_start (usage.input_tokens when
 * known, else 0), ping, then per content block content_block_start / content_block_delta (text_delta
 * or input_json_delta with partial_json) / content_block_stop, then message_delta (stop_reason,
 * stop_sequence null, usage.output_tokens and input_tokens when known) and message_stop.
 */
struct sov_openai_to_anthropic_stream;

/* `model`: the name put in message_start (NULL: the first chunk's model). NULL when out of memory. */
struct sov_openai_to_anthropic_stream *sov_openai_to_anthropic_stream_new(const char *model);
/* Feeds one chunk. Returns 0; SOV_EPARSE for a malformed chunk (nothing emitted for it; the stream
 * goes on and finish still closes it properly); SOV_EUPSTREAM for a chunk that carries an "error"
 * object (an `error` event has been emitted and the stream has ended); SOV_EINVAL on NULL arguments
 * or a feed after the stream ended; SOV_ENOMEM. cb fires zero or more times. */
int sov_openai_to_anthropic_stream_feed(struct sov_openai_to_anthropic_stream *st, const char *chunk_json, size_t len,
                                        sov_event_cb cb, void *ud);
/* Closes the open block and emits message_delta and message_stop (message_start first if nothing was
 * fed). Returns 0, or SOV_EINVAL if already finished. */
int sov_openai_to_anthropic_stream_finish(struct sov_openai_to_anthropic_stream *st, sov_event_cb cb, void *ud);
/* Emits one `error` event (type e.g. "api_error", "overloaded_error"; message safe to show) and ends
 * the stream: later feeds and finish return SOV_EINVAL. Returns 0 or SOV_ENOMEM. */
int sov_openai_to_anthropic_stream_error(struct sov_openai_to_anthropic_stream *st, const char *type, const char *message,
                                         sov_event_cb cb, void *ud);
/* Usage seen so far (from the chunks' usage object); -1 when unknown. Any pointer may be NULL. */
void sov_openai_to_anthropic_stream_usage(const struct sov_openai_to_anthropic_stream *st, int64_t *prompt_tokens,
                                          int64_t *completion_tokens);
void sov_openai_to_anthropic_stream_free(struct sov_openai_to_anthropic_stream *st);

/* ---- Errors ------------------------------------------------------------------------------------ */

/* {"type":"error","error":{"type":TYPE,"message":MESSAGE}}; NULL arguments become "api_error" / "". */
json_t *sov_anthropic_error_body(const char *type, const char *message);
/* The same as compact JSON text, the data of an `error` SSE event; *len (if non-NULL) gets its length.
 * The caller frees it. NULL when out of memory. */
char *sov_anthropic_error_event(const char *type, const char *message, size_t *len);
/* The Anthropic error type for an HTTP status (400 invalid_request_error, 401 authentication_error,
 * 403 permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
 * 529/503 overloaded_error, other 5xx api_error). Static string. */
const char *sov_anthropic_error_type_for_status(int status);

#endif
