/*
 * OpenAI Chat Completions <-> Anthropic Messages translation. See anthropic.h for the contract and
 * docs/protocol-anthropic.md for the mapping table.
 *
 * Inputs are read only through jansson's type-checked accessors (json_object_get on a non-object
 * gives NULL, json_string_value on a non-string gives NULL), so a wrong type anywhere turns into an
 * error, never a crash. Streaming output is written straight into one reusable buffer per stream
 * (a prefix built once, then the delta), not built as jansson trees, to keep per-chunk work small.
 */

#include "protocol/anthropic.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#define MAX_STREAM_BLOCKS 4096

/* ---- small helpers ----------------------------------------------------------------------------- */

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(char **err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    free(*err);
    *err = s;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A copy of a jansson string value (keeps embedded length). */
static json_t *jcopy_str(const json_t *s)
{
    return json_stringn(json_string_value(s), json_string_length(s));
}

static bool streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Sets key to a new value; returns -1 if v is NULL (out of memory) or the set fails. */
static int jset(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v);
}

/* Marks an optional member left out of jobj(). Never dereferenced. */
static const char jskip_;
#define JSKIP ((json_t *)(uintptr_t)&jskip_)

/* Builds an object from (const char *key, json_t *value) pairs ending with a NULL key. Values are
 * stolen; a NULL value (a failed allocation) makes the whole call fail; JSKIP leaves the key out.
 * On failure everything is released and NULL returned, so callers need no cleanup. */
static json_t *jobj(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    json_t *o = json_object();
    bool ok = o != NULL;
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        json_t *v = va_arg(ap, json_t *);
        if (v == JSKIP)
            continue;
        if (!ok || !v) {
            json_decref(v);
            ok = false;
            continue;
        }
        if (json_object_set_new(o, k, v)) /* releases v */
            ok = false;
    }
    va_end(ap);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Integer field: returns the value, or `def` when absent/null; *bad set when present with a wrong type. */
static json_int_t jint_opt(const json_t *o, const char *key, json_int_t def, bool *bad)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return def;
    if (!json_is_integer(v)) {
        *bad = true;
        return def;
    }
    return json_integer_value(v);
}

/* Appends the text of an OpenAI content value (string, or array of {type:"text"} parts) to b,
 * separating parts with sep. Returns 0, or -1 with *what naming the problem. */
static int openai_text_of(const json_t *content, struct sov_buf *b, const char *sep, const char **what)
{
    if (!content || json_is_null(content))
        return 0;
    if (json_is_string(content))
        return sov_buf_append(b, json_string_value(content), json_string_length(content)) ? (*what = "out of memory", -1) : 0;
    if (!json_is_array(content)) {
        *what = "content must be a string or an array of content parts";
        return -1;
    }
    size_t i;
    json_t *part;
    bool first = true;
    json_array_foreach(content, i, part)
    {
        const char *type = jstr(part, "type");
        json_t *text = json_object_get(part, "text");
        if (!streq(type, "text") || !json_is_string(text)) {
            *what = "only text content parts are supported here";
            return -1;
        }
        if (!first && sep && sov_buf_puts(b, sep))
            return *what = "out of memory", -1;
        if (sov_buf_append(b, json_string_value(text), json_string_length(text)))
            return *what = "out of memory", -1;
        first = false;
    }
    return 0;
}

/* Strips a known prefix from an upstream id so ids translate back and forth readably. */
static const char *id_core(const char *id, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(id, prefix, n) == 0 && id[n] ? id + n : id;
}

static char *gen_id(const char *prefix)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t x = sov_now_ns() ^ ((uint64_t)(uintptr_t)&x << 17);
    char core[25];
    for (int i = 0; i < 24; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        core[i] = hex[x & 15];
    }
    core[24] = 0;
    return sov_asprintf("%s%s", prefix, core);
}

/* ---- stop reasons ------------------------------------------------------------------------------ */

struct reason_map {
    const char *anthropic;
    const char *openai;
};

/* Anthropic stop_reason -> OpenAI finish_reason. The first row for an OpenAI reason is also the
 * reverse mapping. */
static const struct reason_map reasons[] = {
    {"end_turn", "stop"},      {"max_tokens", "length"}, {"tool_use", "tool_calls"},    {"refusal", "content_filter"},
    {"stop_sequence", "stop"}, {"pause_turn", "stop"},   {"tool_use", "function_call"},
};

static const char *finish_from_stop(const char *stop_reason)
{
    for (size_t i = 0; stop_reason && i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(reasons[i].anthropic, stop_reason) == 0)
            return reasons[i].openai;
    return "stop";
}

static const char *stop_from_finish(const char *finish_reason)
{
    for (size_t i = 0; finish_reason && i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(reasons[i].openai, finish_reason) == 0)
            return reasons[i].anthropic;
    return "end_turn";
}

/* ======================================================================================================
 * A1. OpenAI chat request -> Anthropic Messages request
 * ==================================================================================================== */

/* Appends blocks (stolen) to the conversation, merging into the previous message when the role is
 * the same (Anthropic requires alternating roles). */
static int push_blocks(json_t *msgs, const char *role, json_t *blocks)
{
    if (!blocks)
        return -1;
    size_t n = json_array_size(msgs);
    json_t *last = n ? json_array_get(msgs, n - 1) : NULL;
    if (last && streq(jstr(last, "role"), role)) {
        int rc = json_array_extend(json_object_get(last, "content"), blocks);
        json_decref(blocks);
        return rc;
    }
    json_t *m = jobj("role", json_string(role), "content", blocks, NULL);
    return m ? json_array_append_new(msgs, m) : -1;
}

static json_t *text_block(const char *s, size_t n)
{
    return jobj("type", json_string("text"), "text", json_stringn(s, n), NULL);
}

/* OpenAI image_url part -> Anthropic image block. */
static json_t *image_block_from_openai(const json_t *part, const char *path, char **err)
{
    json_t *iu = json_object_get(part, "image_url");
    const char *url = json_is_string(iu) ? json_string_value(iu) : jstr(iu, "url");
    if (!url) {
        set_err(err, "%s.image_url.url: must be a string", path);
        return NULL;
    }
    json_t *src;
    if (strncmp(url, "data:", 5) == 0) {
        const char *comma = strchr(url, ',');
        const char *hdr = url + 5;
        size_t hl = comma ? (size_t)(comma - hdr) : 0;
        if (!comma || hl < 7 || memcmp(comma - 7, ";base64", 7) != 0) {
            set_err(err, "%s.image_url.url: only base64 data URLs are supported", path);
            return NULL;
        }
        size_t ml = strcspn(hdr, ";");
        if (ml == 0 || !comma[1]) {
            set_err(err, "%s.image_url.url: data URL needs a media type and data", path);
            return NULL;
        }
        src = jobj("type", json_string("base64"), "media_type", json_stringn(hdr, ml), "data", json_string(comma + 1), NULL);
    } else if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) {
        src = jobj("type", json_string("url"), "url", json_string(url), NULL);
    } else {
        set_err(err, "%s.image_url.url: must be an http(s) URL or a base64 data URL", path);
        return NULL;
    }
    json_t *b = jobj("type", json_string("image"), "source", src, NULL);
    if (!b)
        set_err(err, "out of memory");
    return b;
}

/* OpenAI message content -> Anthropic content blocks (new array). Empty text is skipped
 * (Anthropic rejects empty text blocks). */
static json_t *blocks_from_openai_content(const json_t *content, bool user, const char *path, char **err)
{
    json_t *blocks = json_array();
    if (!blocks)
        return NULL;
    if (!content || json_is_null(content))
        return blocks;
    if (json_is_string(content)) {
        if (json_string_length(content) &&
            json_array_append_new(blocks, text_block(json_string_value(content), json_string_length(content))))
            goto fail_oom;
        return blocks;
    }
    if (!json_is_array(content)) {
        set_err(err, "%s.content: must be a string, an array of content parts or null", path);
        goto fail;
    }
    size_t i;
    json_t *part;
    json_array_foreach(content, i, part)
    {
        char ppath[96];
        snprintf(ppath, sizeof ppath, "%s.content.%zu", path, i);
        const char *type = jstr(part, "type");
        if (!type) {
            set_err(err, "%s.type: must be a string", ppath);
            goto fail;
        }
        json_t *blk = NULL;
        if (strcmp(type, "text") == 0 || (!user && strcmp(type, "refusal") == 0)) {
            json_t *t = json_object_get(part, type[0] == 't' ? "text" : "refusal");
            if (!json_is_string(t)) {
                set_err(err, "%s.%s: must be a string", ppath, type);
                goto fail;
            }
            if (!json_string_length(t))
                continue;
            blk = text_block(json_string_value(t), json_string_length(t));
        } else if (user && strcmp(type, "image_url") == 0) {
            blk = image_block_from_openai(part, ppath, err);
            if (!blk)
                goto fail;
        } else {
            set_err(err, "%s.type: content part type \"%s\" is not supported by this backend", ppath, type);
            goto fail;
        }
        if (json_array_append_new(blocks, blk))
            goto fail_oom;
    }
    return blocks;
fail_oom:
    set_err(err, "out of memory");
fail:
    json_decref(blocks);
    return NULL;
}

/* Parses a tool call's arguments string into an object (empty -> {}). */
static json_t *parse_arguments(const json_t *args, const char *path, char **err)
{
    json_t *v = NULL;
    if (!args || json_is_null(args) || json_is_object(args)) {
        v = args && json_is_object(args) ? json_deep_copy(args) : json_object();
        if (!v)
            set_err(err, "out of memory");
        return v;
    }
    if (!json_is_string(args)) {
        set_err(err, "%s.function.arguments: must be a string", path);
        return NULL;
    }
    const char *s = json_string_value(args);
    size_t n = json_string_length(args);
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))
        k++;
    if (k == n) {
        if (!(v = json_object()))
            set_err(err, "out of memory");
        return v;
    }
    json_error_t je;
    v = json_loadb(s, n, JSON_DECODE_ANY, &je);
    if (!v || !json_is_object(v)) {
        json_decref(v);
        set_err(err, "%s.function.arguments: must be a JSON object", path);
        return NULL;
    }
    return v;
}

static json_t *tool_use_blocks_from_openai(const json_t *tool_calls, const char *path, char **err)
{
    if (!json_is_array(tool_calls)) {
        set_err(err, "%s.tool_calls: must be an array", path);
        return NULL;
    }
    json_t *blocks = json_array();
    if (!blocks) {
        set_err(err, "out of memory");
        return NULL;
    }
    size_t i;
    json_t *tc;
    json_array_foreach(tool_calls, i, tc)
    {
        char tpath[96];
        snprintf(tpath, sizeof tpath, "%s.tool_calls.%zu", path, i);
        const char *type = jstr(tc, "type");
        json_t *fn = json_object_get(tc, "function");
        const char *id = jstr(tc, "id");
        const char *name = jstr(fn, "name");
        if (!json_is_object(tc) || (json_object_get(tc, "type") && !streq(type, "function"))) {
            set_err(err, "%s: only function tool calls are supported", tpath);
            goto fail;
        }
        if (!id || !name) {
            set_err(err, "%s: id and function.name must be strings", tpath);
            goto fail;
        }
        json_t *input = parse_arguments(json_object_get(fn, "arguments"), tpath, err);
        if (!input)
            goto fail;
        json_t *b = jobj("type", json_string("tool_use"), "id", json_string(id), "name", json_string(name), "input", input, NULL);
        if (!b || json_array_append_new(blocks, b)) {
            set_err(err, "out of memory");
            goto fail;
        }
    }
    return blocks;
fail:
    json_decref(blocks);
    return NULL;
}

static json_t *tools_from_openai(const json_t *tools, char **err)
{
    if (!json_is_array(tools)) {
        set_err(err, "tools: must be an array");
        return NULL;
    }
    json_t *out = json_array();
    if (!out) {
        set_err(err, "out of memory");
        return NULL;
    }
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t)
    {
        json_t *fn = json_object_get(t, "function");
        const char *name = jstr(fn, "name");
        if (!streq(jstr(t, "type"), "function") || !json_is_object(fn)) {
            set_err(err, "tools.%zu: only function tools are supported", i);
            goto fail;
        }
        if (!name) {
            set_err(err, "tools.%zu.function.name: must be a string", i);
            goto fail;
        }
        json_t *desc = json_object_get(fn, "description");
        json_t *params = json_object_get(fn, "parameters");
        if ((desc && !json_is_string(desc) && !json_is_null(desc)) ||
            (params && !json_is_object(params) && !json_is_null(params))) {
            set_err(err, "tools.%zu.function: description must be a string and parameters an object", i);
            goto fail;
        }
        json_t *schema = json_is_object(params) ? json_deep_copy(params)
                                                : jobj("type", json_string("object"), "properties", json_object(), NULL);
        json_t *o = jobj("name", json_string(name), "description", json_is_string(desc) ? jcopy_str(desc) : JSKIP, "input_schema",
                         schema, NULL);
        if (!o || json_array_append_new(out, o)) {
            set_err(err, "out of memory");
            goto fail;
        }
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

static json_t *tool_choice_from_openai(const json_t *tc, char **err)
{
    const char *s = json_string_value(tc);
    if (s) {
        static const struct reason_map choices[] = {{"none", "none"}, {"auto", "auto"}, {"any", "required"}};
        for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++)
            if (strcmp(s, choices[i].openai) == 0)
                return json_pack("{s:s}", "type", choices[i].anthropic);
        set_err(err, "tool_choice: unknown value \"%s\"", s);
        return NULL;
    }
    const char *name = jstr(json_object_get(tc, "function"), "name");
    if (!streq(jstr(tc, "type"), "function") || !name) {
        set_err(err,
                "tool_choice: must be \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}");
        return NULL;
    }
    return json_pack("{s:s,s:s}", "type", "tool", "name", name);
}

json_t *sov_anthropic_request_from_openai(const json_t *req, const char *model, char **err)
{
    struct sov_buf system = SOV_BUF_INIT(0);
    json_t *out = NULL, *msgs = NULL;
    bool bad = false;
    if (!json_is_object(req)) {
        set_err(err, "request must be a JSON object");
        return NULL;
    }
    if (!model)
        model = jstr(req, "model");
    if (!model) {
        set_err(err, "model: must be a string");
        return NULL;
    }
    json_int_t n = jint_opt(req, "n", 1, &bad);
    if (bad || n != 1) {
        set_err(err, "n: only n = 1 is supported by this backend");
        return NULL;
    }
    json_t *rf = json_object_get(req, "response_format");
    if (rf && !json_is_null(rf) && !streq(jstr(rf, "type"), "text")) {
        set_err(err, "response_format: only {\"type\":\"text\"} is supported by this backend");
        return NULL;
    }
    if ((json_object_get(req, "audio") && !json_is_null(json_object_get(req, "audio"))) ||
        (json_object_get(req, "functions") && !json_is_null(json_object_get(req, "functions")))) {
        set_err(err, "audio and legacy functions are not supported by this backend");
        return NULL;
    }
    json_t *messages = json_object_get(req, "messages");
    if (!json_is_array(messages) || json_array_size(messages) == 0) {
        set_err(err, "messages: must be a non-empty array");
        return NULL;
    }
    out = json_object();
    msgs = json_array();
    if (!out || !msgs)
        goto oom;

    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        char path[48];
        snprintf(path, sizeof path, "messages.%zu", i);
        const char *role = jstr(m, "role");
        json_t *content = json_object_get(m, "content");
        if (!role) {
            set_err(err, "%s.role: must be a string", path);
            goto fail;
        }
        if (strcmp(role, "system") == 0 || strcmp(role, "developer") == 0) {
            const char *what = NULL;
            size_t before = system.len, sep = before ? 1 : 0;
            if (sep && sov_buf_puts(&system, "\n"))
                goto oom;
            if (openai_text_of(content, &system, "\n", &what)) {
                set_err(err, "%s.content: %s", path, what);
                goto fail;
            }
            if (sep && system.len == before + sep) /* nothing added but the separator */
                system.len = before, system.data[before] = 0;
        } else if (strcmp(role, "user") == 0) {
            json_t *blocks = blocks_from_openai_content(content, true, path, err);
            if (!blocks)
                goto fail;
            if (push_blocks(msgs, "user", blocks))
                goto oom;
        } else if (strcmp(role, "assistant") == 0) {
            json_t *blocks = blocks_from_openai_content(content, false, path, err);
            if (!blocks)
                goto fail;
            json_t *tcs = json_object_get(m, "tool_calls");
            if (tcs && !json_is_null(tcs)) {
                json_t *tb = tool_use_blocks_from_openai(tcs, path, err);
                if (!tb) {
                    json_decref(blocks);
                    goto fail;
                }
                int rc = json_array_extend(blocks, tb);
                json_decref(tb);
                if (rc) {
                    json_decref(blocks);
                    goto oom;
                }
            }
            if (push_blocks(msgs, "assistant", blocks))
                goto oom;
        } else if (strcmp(role, "tool") == 0) {
            const char *id = jstr(m, "tool_call_id");
            if (!id) {
                set_err(err, "%s.tool_call_id: must be a string", path);
                goto fail;
            }
            struct sov_buf text = SOV_BUF_INIT(0);
            const char *what = NULL;
            if (openai_text_of(content, &text, "\n", &what)) {
                sov_buf_free(&text);
                set_err(err, "%s.content: %s", path, what);
                goto fail;
            }
            json_t *b = jobj("type", json_string("tool_result"), "tool_use_id", json_string(id), "content",
                             text.len ? json_stringn(text.data, text.len) : JSKIP, NULL);
            sov_buf_free(&text);
            json_t *arr = json_array();
            if (!arr) {
                json_decref(b);
                goto oom;
            }
            if (json_array_append_new(arr, b)) { /* releases b (also when NULL) */
                json_decref(arr);
                goto oom;
            }
            if (push_blocks(msgs, "user", arr))
                goto oom;
        } else {
            set_err(err, "%s.role: role \"%s\" is not supported", path, role);
            goto fail;
        }
    }
    /* Drop messages left empty (e.g. an assistant turn with content ""), merging the neighbours. */
    for (size_t k = 0; k < json_array_size(msgs);) {
        json_t *mm = json_array_get(msgs, k);
        if (json_array_size(json_object_get(mm, "content")) == 0) {
            json_array_remove(msgs, k);
            if (k > 0 && k < json_array_size(msgs)) {
                json_t *prev = json_array_get(msgs, k - 1), *next = json_array_get(msgs, k);
                if (streq(jstr(prev, "role"), jstr(next, "role"))) {
                    if (json_array_extend(json_object_get(prev, "content"), json_object_get(next, "content")))
                        goto oom;
                    json_array_remove(msgs, k);
                }
            }
            continue;
        }
        k++;
    }
    if (json_array_size(msgs) == 0) {
        set_err(err, "messages: no user or assistant content to send");
        goto fail;
    }

    if (jset(out, "model", json_string(model)))
        goto oom;
    json_int_t mt = jint_opt(req, "max_completion_tokens", -1, &bad);
    if (mt < 0)
        mt = jint_opt(req, "max_tokens", -1, &bad);
    if (bad || mt == 0 || mt < -1) {
        set_err(err, "max_tokens: must be a positive integer");
        goto fail;
    }
    if (mt < 0)
        mt = SOV_ANTHROPIC_DEFAULT_MAX_TOKENS;
    if (jset(out, "max_tokens", json_integer(mt)))
        goto oom;
    if (system.len && jset(out, "system", json_stringn(system.data, system.len)))
        goto oom;
    if (jset(out, "messages", msgs)) {
        msgs = NULL;
        goto oom;
    }
    msgs = NULL;

    static const char *const numbers[] = {"temperature", "top_p"};
    for (size_t k = 0; k < 2; k++) {
        json_t *v = json_object_get(req, numbers[k]);
        if (!v || json_is_null(v))
            continue;
        if (!json_is_number(v)) {
            set_err(err, "%s: must be a number", numbers[k]);
            goto fail;
        }
        double d = json_number_value(v);
        if (d < 0)
            d = 0;
        if (d > 1) /* OpenAI's temperature goes to 2, Anthropic's to 1 */
            d = 1;
        if (jset(out, numbers[k], json_real(d)))
            goto oom;
    }
    json_int_t top_k = jint_opt(req, "top_k", -1, &bad); /* an extension some OpenAI-compatible clients send */
    if (bad) {
        set_err(err, "top_k: must be an integer");
        goto fail;
    }
    if (top_k > 0 && jset(out, "top_k", json_integer(top_k)))
        goto oom;

    json_t *stop = json_object_get(req, "stop");
    if (stop && !json_is_null(stop)) {
        json_t *seqs = json_array();
        if (!seqs)
            goto oom;
        if (json_is_string(stop)) {
            if (json_array_append_new(seqs, jcopy_str(stop))) {
                json_decref(seqs);
                goto oom;
            }
        } else if (json_is_array(stop)) {
            size_t k;
            json_t *s;
            json_array_foreach(stop, k, s)
            {
                if (!json_is_string(s)) {
                    json_decref(seqs);
                    set_err(err, "stop.%zu: must be a string", k);
                    goto fail;
                }
                if (json_array_append_new(seqs, jcopy_str(s))) {
                    json_decref(seqs);
                    goto oom;
                }
            }
        } else {
            json_decref(seqs);
            set_err(err, "stop: must be a string or an array of strings");
            goto fail;
        }
        if (json_array_size(seqs) == 0)
            json_decref(seqs);
        else if (jset(out, "stop_sequences", seqs))
            goto oom;
    }

    json_t *stream = json_object_get(req, "stream");
    if (stream && !json_is_null(stream) && !json_is_boolean(stream)) {
        set_err(err, "stream: must be a boolean");
        goto fail;
    }
    if (json_is_true(stream) && jset(out, "stream", json_true()))
        goto oom;

    json_t *user = json_object_get(req, "user");
    if (json_is_string(user) && json_string_length(user) && jset(out, "metadata", json_pack("{s:o}", "user_id", jcopy_str(user))))
        goto oom;

    json_t *tools = json_object_get(req, "tools");
    bool has_tools = tools && !json_is_null(tools) && json_array_size(tools) > 0;
    if (tools && !json_is_null(tools)) {
        json_t *t = tools_from_openai(tools, err);
        if (!t)
            goto fail;
        if (json_array_size(t) == 0)
            json_decref(t);
        else if (jset(out, "tools", t))
            goto oom;
    }
    json_t *tc = json_object_get(req, "tool_choice");
    json_t *ptc = json_object_get(req, "parallel_tool_calls");
    if (has_tools) {
        json_t *choice = NULL;
        if (tc && !json_is_null(tc)) {
            choice = tool_choice_from_openai(tc, err);
            if (!choice)
                goto fail;
        }
        if (json_is_false(ptc) && !(choice && streq(jstr(choice, "type"), "none"))) {
            if (!choice)
                choice = json_pack("{s:s}", "type", "auto");
            if (!choice || jset(choice, "disable_parallel_tool_use", json_true())) {
                json_decref(choice);
                goto oom;
            }
        }
        if (choice && jset(out, "tool_choice", choice))
            goto oom;
    } else if (tc && !json_is_null(tc) && !json_is_string(tc) && !json_is_object(tc)) {
        set_err(err, "tool_choice: must be a string or an object");
        goto fail;
    }
    sov_buf_free(&system);
    return out;
oom:
    set_err(err, "out of memory");
fail:
    if (err && !*err) /* a helper ran out of memory without saying so */
        set_err(err, "out of memory");
    sov_buf_free(&system);
    json_decref(msgs);
    json_decref(out);
    return NULL;
}

/* ======================================================================================================
 * A2. Anthropic message -> OpenAI chat.completion
 * ==================================================================================================== */

struct anth_usage {
    int64_t input, output, cache_read, cache_creation; /* -1 = unknown */
};

/* Reads the fields of an Anthropic usage object that are present (others keep their value). */
static void read_anth_usage(const json_t *u, struct anth_usage *au)
{
    json_t *v;
    if (json_is_integer(v = json_object_get(u, "input_tokens")))
        au->input = json_integer_value(v);
    if (json_is_integer(v = json_object_get(u, "output_tokens")))
        au->output = json_integer_value(v);
    if (json_is_integer(v = json_object_get(u, "cache_read_input_tokens")))
        au->cache_read = json_integer_value(v);
    if (json_is_integer(v = json_object_get(u, "cache_creation_input_tokens")))
        au->cache_creation = json_integer_value(v);
}

static int64_t anth_prompt_tokens(const struct anth_usage *au)
{
    if (au->input < 0)
        return -1;
    return au->input + (au->cache_read > 0 ? au->cache_read : 0) + (au->cache_creation > 0 ? au->cache_creation : 0);
}

static json_t *openai_usage_json(const struct anth_usage *au)
{
    int64_t p = anth_prompt_tokens(au), c = au->output;
    if (p < 0)
        p = 0;
    if (c < 0)
        c = 0;
    return json_pack("{s:I,s:I,s:I,s:{s:I}}", "prompt_tokens", (json_int_t)p, "completion_tokens", (json_int_t)c, "total_tokens",
                     (json_int_t)(p + c), "prompt_tokens_details", "cached_tokens",
                     (json_int_t)(au->cache_read > 0 ? au->cache_read : 0));
}

json_t *sov_anthropic_response_to_openai(const json_t *resp, char **err)
{
    if (!json_is_object(resp)) {
        set_err(err, "upstream response is not a JSON object");
        return NULL;
    }
    if (streq(jstr(resp, "type"), "error")) {
        const char *msg = jstr(json_object_get(resp, "error"), "message");
        set_err(err, "upstream error: %s", msg ? msg : "unknown");
        return NULL;
    }
    json_t *content = json_object_get(resp, "content");
    const char *id = jstr(resp, "id");
    const char *model = jstr(resp, "model");
    if (!json_is_array(content) || !id) {
        set_err(err, "upstream response is not an Anthropic message (content array and id required)");
        return NULL;
    }
    json_t *sr = json_object_get(resp, "stop_reason");
    if (sr && !json_is_null(sr) && !json_is_string(sr)) {
        set_err(err, "upstream response: stop_reason must be a string");
        return NULL;
    }
    struct sov_buf text = SOV_BUF_INIT(0);
    json_t *tool_calls = json_array();
    json_t *out = NULL;
    bool any_text = false;
    size_t i;
    json_t *b;
    json_array_foreach(content, i, b)
    {
        const char *type = jstr(b, "type");
        if (streq(type, "text")) {
            json_t *t = json_object_get(b, "text");
            if (!json_is_string(t)) {
                set_err(err, "upstream response: content.%zu.text must be a string", i);
                goto fail;
            }
            if (sov_buf_append(&text, json_string_value(t), json_string_length(t)))
                goto oom;
            any_text = true;
        } else if (streq(type, "tool_use")) {
            const char *tid = jstr(b, "id"), *name = jstr(b, "name");
            json_t *input = json_object_get(b, "input");
            if (!tid || !name) {
                set_err(err, "upstream response: content.%zu tool_use needs id and name", i);
                goto fail;
            }
            char *args = input ? json_dumps(input, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
            if (input && !args)
                goto oom;
            json_t *call = json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", tid, "type", "function", "function", "name", name, "arguments",
                                     args ? args : "{}");
            free(args);
            if (!call || json_array_append_new(tool_calls, call))
                goto oom;
        } else if (!type) {
            set_err(err, "upstream response: content.%zu.type must be a string", i);
            goto fail;
        }
        /* thinking, redacted_thinking, server tool blocks: not expressible in chat completions */
    }
    struct anth_usage au = {-1, -1, -1, -1};
    read_anth_usage(json_object_get(resp, "usage"), &au);

    bool calls = json_array_size(tool_calls) > 0;
    json_t *msg = jobj("role", json_string("assistant"), "content",
                       any_text ? json_stringn(text.data ? text.data : "", text.len) : json_null(), "refusal", json_null(),
                       "tool_calls", calls ? tool_calls : JSKIP, NULL);
    if (calls)
        tool_calls = NULL; /* given to jobj */
    if (!msg)
        goto oom;
    char *cid = sov_asprintf("chatcmpl-%s", id_core(id, "msg_"));
    if (!cid) {
        json_decref(msg);
        goto oom;
    }
    out = json_pack("{s:s,s:s,s:I,s:s,s:[{s:i,s:o,s:n,s:s}],s:o}", "id", cid, "object", "chat.completion", "created",
                    (json_int_t)time(NULL), "model", model ? model : "", "choices", "index", 0, "message", msg, "logprobs",
                    "finish_reason", finish_from_stop(json_string_value(sr)), "usage", openai_usage_json(&au));
    free(cid);
    if (!out)
        goto oom;
    sov_buf_free(&text);
    json_decref(tool_calls);
    return out;
oom:
    set_err(err, "out of memory");
fail:
    if (err && !*err)
        set_err(err, "out of memory");
    sov_buf_free(&text);
    json_decref(tool_calls);
    return NULL;
}

/* ======================================================================================================
 * A3. Streaming Anthropic events -> OpenAI chunks
 * ==================================================================================================== */

enum blk_kind { BLK_NONE = 0, BLK_TEXT, BLK_TOOL, BLK_OTHER };

struct blk {
    unsigned char kind;
    int tool_index;
};

struct sov_anthropic_stream {
    char *model;
    bool include_usage;
    bool started, finish_sent, done, failed;
    json_int_t created;
    struct sov_buf prefix; /* {"id":...,"object":"chat.completion.chunk","created":N,"model":"M", */
    struct sov_buf out;
    struct anth_usage usage;
    const char *finish_reason;
    struct blk *blocks;
    size_t nblocks;
    int ntools;
    char *err_type, *err_msg;
};

struct sov_anthropic_stream *sov_anthropic_stream_new(const char *model, bool include_usage)
{
    struct sov_anthropic_stream *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (model && !(st->model = sov_strndup(model, strlen(model)))) {
        free(st);
        return NULL;
    }
    st->include_usage = include_usage;
    st->created = (json_int_t)time(NULL);
    st->usage = (struct anth_usage){-1, -1, -1, -1};
    st->prefix = (struct sov_buf)SOV_BUF_INIT(0);
    st->out = (struct sov_buf)SOV_BUF_INIT(0);
    return st;
}

void sov_anthropic_stream_free(struct sov_anthropic_stream *st)
{
    if (!st)
        return;
    free(st->model);
    sov_buf_free(&st->prefix);
    sov_buf_free(&st->out);
    free(st->blocks);
    free(st->err_type);
    free(st->err_msg);
    free(st);
}

bool sov_anthropic_stream_done(const struct sov_anthropic_stream *st)
{
    return st && st->done;
}

const char *sov_anthropic_stream_error(const struct sov_anthropic_stream *st, const char **type)
{
    if (!st || !st->failed)
        return NULL;
    if (type)
        *type = st->err_type ? st->err_type : "api_error";
    return st->err_msg ? st->err_msg : "upstream stream error";
}

void sov_anthropic_stream_usage(const struct sov_anthropic_stream *st, int64_t *prompt, int64_t *completion, int64_t *cached)
{
    if (prompt)
        *prompt = st ? anth_prompt_tokens(&st->usage) : -1;
    if (completion)
        *completion = st ? st->usage.output : -1;
    if (cached)
        *cached = st ? st->usage.cache_read : -1;
}

const char *sov_anthropic_stream_finish_reason(const struct sov_anthropic_stream *st)
{
    return st ? st->finish_reason : NULL;
}

static int stream_fail(struct sov_anthropic_stream *st, int rc, const char *type, const char *msg)
{
    st->failed = true;
    free(st->err_type);
    free(st->err_msg);
    st->err_type = sov_strndup(type, strlen(type));
    st->err_msg = sov_strndup(msg, strlen(msg));
    return rc;
}

static int put_json_str(struct sov_buf *b, const char *s, size_t n)
{
    int rc = sov_buf_putc(b, '"');
    if (!rc)
        rc = sov_buf_json_escape(b, s, n);
    if (!rc)
        rc = sov_buf_putc(b, '"');
    return rc;
}

/* Starts a chunk in st->out: prefix + "choices":[{"index":0,"delta": */
static int chunk_begin(struct sov_anthropic_stream *st)
{
    sov_buf_reset(&st->out);
    int rc = sov_buf_append(&st->out, st->prefix.data, st->prefix.len);
    if (!rc)
        rc = sov_buf_puts(&st->out, "\"choices\":[{\"index\":0,\"delta\":");
    return rc;
}

/* Ends the chunk (after the delta object) and hands it to cb. */
static int chunk_end(struct sov_anthropic_stream *st, const char *finish, sov_chunk_cb cb, void *ud)
{
    int rc = sov_buf_puts(&st->out, ",\"logprobs\":null,\"finish_reason\":");
    if (!rc)
        rc = finish ? sov_buf_printf(&st->out, "\"%s\"}]", finish) : sov_buf_puts(&st->out, "null}]");
    if (!rc)
        rc = sov_buf_puts(&st->out, st->include_usage ? ",\"usage\":null}" : "}");
    if (rc)
        return rc;
    cb(ud, st->out.data, st->out.len);
    return 0;
}

static int emit_content(struct sov_anthropic_stream *st, const char *text, size_t n, sov_chunk_cb cb, void *ud)
{
    int rc = chunk_begin(st);
    if (!rc)
        rc = sov_buf_puts(&st->out, "{\"content\":");
    if (!rc)
        rc = put_json_str(&st->out, text, n);
    if (!rc)
        rc = sov_buf_putc(&st->out, '}');
    return rc ? rc : chunk_end(st, NULL, cb, ud);
}

static int emit_tool_start(struct sov_anthropic_stream *st, int index, const char *id, const char *name, sov_chunk_cb cb, void *ud)
{
    int rc = chunk_begin(st);
    if (!rc)
        rc = sov_buf_printf(&st->out, "{\"tool_calls\":[{\"index\":%d,\"id\":", index);
    if (!rc)
        rc = put_json_str(&st->out, id, strlen(id));
    if (!rc)
        rc = sov_buf_puts(&st->out, ",\"type\":\"function\",\"function\":{\"name\":");
    if (!rc)
        rc = put_json_str(&st->out, name, strlen(name));
    if (!rc)
        rc = sov_buf_puts(&st->out, ",\"arguments\":\"\"}}]}");
    return rc ? rc : chunk_end(st, NULL, cb, ud);
}

static int emit_tool_args(struct sov_anthropic_stream *st, int index, const char *frag, size_t n, sov_chunk_cb cb, void *ud)
{
    int rc = chunk_begin(st);
    if (!rc)
        rc = sov_buf_printf(&st->out, "{\"tool_calls\":[{\"index\":%d,\"function\":{\"arguments\":", index);
    if (!rc)
        rc = put_json_str(&st->out, frag, n);
    if (!rc)
        rc = sov_buf_puts(&st->out, "}}]}");
    return rc ? rc : chunk_end(st, NULL, cb, ud);
}

static int emit_finish(struct sov_anthropic_stream *st, const char *finish, sov_chunk_cb cb, void *ud)
{
    st->finish_reason = finish;
    st->finish_sent = true;
    int rc = chunk_begin(st);
    if (!rc)
        rc = sov_buf_puts(&st->out, "{}");
    return rc ? rc : chunk_end(st, finish, cb, ud);
}

static int emit_usage(struct sov_anthropic_stream *st, sov_chunk_cb cb, void *ud)
{
    int64_t p = anth_prompt_tokens(&st->usage), c = st->usage.output, cr = st->usage.cache_read;
    if (p < 0)
        p = 0;
    if (c < 0)
        c = 0;
    if (cr < 0)
        cr = 0;
    sov_buf_reset(&st->out);
    int rc = sov_buf_append(&st->out, st->prefix.data, st->prefix.len);
    if (!rc)
        rc = sov_buf_printf(&st->out,
                            "\"choices\":[],\"usage\":{\"prompt_tokens\":%" PRId64 ",\"completion_tokens\":%" PRId64
                            ",\"total_tokens\":%" PRId64 ",\"prompt_tokens_details\":{\"cached_tokens\":%" PRId64 "}}}",
                            p, c, p + c, cr);
    if (rc)
        return rc;
    cb(ud, st->out.data, st->out.len);
    return 0;
}

/* The block an event refers to; NULL (and a failed stream) when the index is bad. */
static struct blk *event_block(struct sov_anthropic_stream *st, const json_t *ev, bool create, int *rc)
{
    json_t *iv = json_object_get(ev, "index");
    if (!json_is_integer(iv) || json_integer_value(iv) < 0) {
        *rc = stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: bad content block index");
        return NULL;
    }
    json_int_t idx = json_integer_value(iv);
    if (idx >= MAX_STREAM_BLOCKS) {
        *rc = stream_fail(st, SOV_ELIMIT, "api_error", "upstream stream has too many content blocks");
        return NULL;
    }
    if ((size_t)idx >= st->nblocks) {
        if (!create) {
            *rc = stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: unknown content block index");
            return NULL;
        }
        size_t nn = (size_t)idx + 1;
        struct blk *nb = realloc(st->blocks, nn * sizeof *nb);
        if (!nb) {
            *rc = SOV_ENOMEM;
            return NULL;
        }
        memset(nb + st->nblocks, 0, (nn - st->nblocks) * sizeof *nb);
        st->blocks = nb;
        st->nblocks = nn;
    }
    return &st->blocks[idx];
}

static int on_message_start(struct sov_anthropic_stream *st, const json_t *ev, sov_chunk_cb cb, void *ud)
{
    json_t *msg = json_object_get(ev, "message");
    const char *id = jstr(msg, "id");
    if (!json_is_object(msg))
        return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: message_start without message");
    if (!st->model) {
        const char *m = jstr(msg, "model");
        st->model = sov_strndup(m ? m : "", m ? strlen(m) : 0);
        if (!st->model)
            return SOV_ENOMEM;
    }
    read_anth_usage(json_object_get(msg, "usage"), &st->usage);
    char *gen = id ? NULL : gen_id("");
    if (!id && !gen)
        return SOV_ENOMEM;
    int rc = sov_buf_puts(&st->prefix, "{\"id\":\"chatcmpl-");
    if (!rc) {
        const char *core = id ? id_core(id, "msg_") : gen;
        rc = sov_buf_json_escape(&st->prefix, core, strlen(core));
    }
    free(gen);
    if (!rc)
        rc = sov_buf_printf(&st->prefix,
                            "\",\"object\":\"chat.completion.chunk\",\"created\":%" JSON_INTEGER_FORMAT ",\"model\":", st->created);
    if (!rc)
        rc = put_json_str(&st->prefix, st->model, strlen(st->model));
    if (!rc)
        rc = sov_buf_putc(&st->prefix, ',');
    if (rc)
        return rc;
    st->started = true;
    rc = chunk_begin(st);
    if (!rc)
        rc = sov_buf_puts(&st->out, "{\"role\":\"assistant\",\"content\":\"\"}");
    return rc ? rc : chunk_end(st, NULL, cb, ud);
}

static int on_block_start(struct sov_anthropic_stream *st, const json_t *ev, sov_chunk_cb cb, void *ud)
{
    int rc = 0;
    struct blk *b = event_block(st, ev, true, &rc);
    if (!b)
        return rc;
    json_t *cb_obj = json_object_get(ev, "content_block");
    const char *type = jstr(cb_obj, "type");
    if (!type)
        return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: content_block without type");
    if (b->kind != BLK_NONE)
        return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: content block started twice");
    if (strcmp(type, "text") == 0) {
        b->kind = BLK_TEXT;
        json_t *t = json_object_get(cb_obj, "text");
        if (json_is_string(t) && json_string_length(t))
            return emit_content(st, json_string_value(t), json_string_length(t), cb, ud);
        return 0;
    }
    if (strcmp(type, "tool_use") == 0) {
        const char *id = jstr(cb_obj, "id"), *name = jstr(cb_obj, "name");
        if (!id || !name)
            return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: tool_use without id or name");
        b->kind = BLK_TOOL;
        b->tool_index = st->ntools++;
        rc = emit_tool_start(st, b->tool_index, id, name, cb, ud);
        json_t *input = json_object_get(cb_obj, "input");
        if (!rc && json_is_object(input) && json_object_size(input)) {
            char *args = json_dumps(input, JSON_COMPACT);
            if (!args)
                return SOV_ENOMEM;
            rc = emit_tool_args(st, b->tool_index, args, strlen(args), cb, ud);
            free(args);
        }
        return rc;
    }
    b->kind = BLK_OTHER; /* thinking, redacted_thinking, server tools: nothing to say in chat completions */
    return 0;
}

static int on_block_delta(struct sov_anthropic_stream *st, const json_t *ev, sov_chunk_cb cb, void *ud)
{
    int rc = 0;
    struct blk *b = event_block(st, ev, false, &rc);
    if (!b)
        return rc;
    json_t *delta = json_object_get(ev, "delta");
    const char *type = jstr(delta, "type");
    if (!type)
        return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: delta without type");
    if (strcmp(type, "text_delta") == 0) {
        json_t *t = json_object_get(delta, "text");
        if (!json_is_string(t) || b->kind != BLK_TEXT)
            return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: bad text_delta");
        return json_string_length(t) ? emit_content(st, json_string_value(t), json_string_length(t), cb, ud) : 0;
    }
    if (strcmp(type, "input_json_delta") == 0) {
        json_t *p = json_object_get(delta, "partial_json");
        if (!json_is_string(p) || b->kind != BLK_TOOL)
            return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: bad input_json_delta");
        return json_string_length(p) ? emit_tool_args(st, b->tool_index, json_string_value(p), json_string_length(p), cb, ud) : 0;
    }
    return 0; /* thinking_delta, signature_delta, citations_delta */
}

static int on_message_delta(struct sov_anthropic_stream *st, const json_t *ev, sov_chunk_cb cb, void *ud)
{
    json_t *delta = json_object_get(ev, "delta");
    json_t *sr = json_object_get(delta, "stop_reason");
    if (delta && !json_is_object(delta))
        return stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event: bad message_delta");
    read_anth_usage(json_object_get(ev, "usage"), &st->usage);
    if (json_is_string(sr) && !st->finish_sent)
        return emit_finish(st, finish_from_stop(json_string_value(sr)), cb, ud);
    return 0;
}

int sov_anthropic_stream_feed(struct sov_anthropic_stream *st, const char *event_name, const char *data, size_t len,
                              sov_chunk_cb cb, void *ud)
{
    if (!st || !cb || (!data && len))
        return SOV_EINVAL;
    if (st->done || st->failed)
        return SOV_EINVAL;
    json_error_t je;
    json_t *ev = data ? json_loadb(data, len, 0, &je) : NULL;
    const char *type = jstr(ev, "type");
    if (!type)
        type = event_name;
    int rc = 0;
    if (!json_is_object(ev) || !type) {
        rc = stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream event");
    } else if (strcmp(type, "ping") == 0) {
        rc = 0;
    } else if (strcmp(type, "error") == 0) {
        json_t *e = json_object_get(ev, "error");
        const char *et = jstr(e, "type"), *em = jstr(e, "message");
        rc = stream_fail(st, SOV_EUPSTREAM, et ? et : "api_error", em ? em : "upstream stream error");
    } else if (strcmp(type, "message_start") == 0) {
        rc = st->started ? stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream: second message_start")
                         : on_message_start(st, ev, cb, ud);
    } else if (strcmp(type, "content_block_start") == 0 || strcmp(type, "content_block_delta") == 0 ||
               strcmp(type, "content_block_stop") == 0 || strcmp(type, "message_delta") == 0 || strcmp(type, "message_stop") == 0) {
        if (!st->started) {
            rc = stream_fail(st, SOV_EPARSE, "api_error", "malformed upstream stream: event before message_start");
        } else if (strcmp(type, "content_block_start") == 0) {
            rc = on_block_start(st, ev, cb, ud);
        } else if (strcmp(type, "content_block_delta") == 0) {
            rc = on_block_delta(st, ev, cb, ud);
        } else if (strcmp(type, "content_block_stop") == 0) {
            int brc = 0;
            rc = event_block(st, ev, false, &brc) ? 0 : brc;
        } else if (strcmp(type, "message_delta") == 0) {
            rc = on_message_delta(st, ev, cb, ud);
        } else { /* message_stop */
            if (!st->finish_sent)
                rc = emit_finish(st, st->ntools ? "tool_calls" : "stop", cb, ud);
            if (!rc && st->include_usage)
                rc = emit_usage(st, cb, ud);
            if (!rc)
                st->done = true;
        }
    }
    /* unknown event types are ignored (forward compatibility) */
    json_decref(ev);
    return rc;
}

/* ======================================================================================================
 * Errors
 * ==================================================================================================== */

json_t *sov_anthropic_error_body(const char *type, const char *message)
{
    return json_pack("{s:s,s:{s:s,s:s}}", "type", "error", "error", "type", type ? type : "api_error", "message",
                     message ? message : "");
}

char *sov_anthropic_error_event(const char *type, const char *message, size_t *len)
{
    json_t *b = sov_anthropic_error_body(type, message);
    char *s = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    if (s && len)
        *len = strlen(s);
    return s;
}

const char *sov_anthropic_error_type_for_status(int status)
{
    static const struct {
        int status;
        const char *type;
    } map[] = {{400, "invalid_request_error"}, {401, "authentication_error"}, {402, "billing_error"},
               {403, "permission_error"},      {404, "not_found_error"},      {413, "request_too_large"},
               {429, "rate_limit_error"},      {503, "overloaded_error"},     {529, "overloaded_error"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].status == status)
            return map[i].type;
    return status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
}

/* ======================================================================================================
 * B4. Anthropic Messages request -> OpenAI chat request (with validation)
 * ==================================================================================================== */

struct vctx {
    char **err_msg;
    const char **err_param;
};

static json_t *vfail(struct vctx *v, const char *param, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static json_t *vfail(struct vctx *v, const char *param, const char *fmt, ...)
{
    if (v->err_param)
        *v->err_param = param;
    if (v->err_msg) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (s) {
            va_start(ap, fmt);
            vsnprintf(s, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
        free(*v->err_msg);
        *v->err_msg = s;
    }
    return NULL;
}

/* Anthropic image block -> OpenAI image_url part. */
static json_t *image_part_from_anthropic(struct vctx *v, const json_t *blk, const char *path)
{
    json_t *src = json_object_get(blk, "source");
    const char *st = jstr(src, "type");
    if (streq(st, "base64")) {
        const char *mt = jstr(src, "media_type"), *data = jstr(src, "data");
        if (!mt || !data)
            return vfail(v, "messages.content.source", "%s.source: base64 images need media_type and data strings", path);
        char *url = sov_asprintf("data:%s;base64,%s", mt, data);
        json_t *p = url ? json_pack("{s:s,s:{s:s}}", "type", "image_url", "image_url", "url", url) : NULL;
        free(url);
        return p ? p : vfail(v, NULL, "out of memory");
    }
    if (streq(st, "url")) {
        const char *url = jstr(src, "url");
        if (!url)
            return vfail(v, "messages.content.source.url", "%s.source.url: must be a string", path);
        json_t *p = json_pack("{s:s,s:{s:s}}", "type", "image_url", "image_url", "url", url);
        return p ? p : vfail(v, NULL, "out of memory");
    }
    return vfail(v, "messages.content.source.type", "%s.source.type: must be \"base64\" or \"url\"", path);
}

/* tool_result content (string or text blocks) -> one string appended to b. */
static int tool_result_text(struct vctx *v, const json_t *content, struct sov_buf *b, const char *path)
{
    if (!content || json_is_null(content))
        return 0;
    if (json_is_string(content))
        return sov_buf_append(b, json_string_value(content), json_string_length(content)) ? (vfail(v, NULL, "out of memory"), -1)
                                                                                          : 0;
    if (!json_is_array(content)) {
        vfail(v, "messages.content.content", "%s.content: must be a string or an array of content blocks", path);
        return -1;
    }
    size_t i;
    json_t *blk;
    json_array_foreach(content, i, blk)
    {
        const char *type = jstr(blk, "type");
        json_t *text = json_object_get(blk, "text");
        if (streq(type, "text") && json_is_string(text)) {
            if ((b->len && sov_buf_putc(b, '\n')) || sov_buf_append(b, json_string_value(text), json_string_length(text))) {
                vfail(v, NULL, "out of memory");
                return -1;
            }
        } else if (streq(type, "text")) {
            vfail(v, "messages.content.content.text", "%s.content.%zu.text: must be a string", path, i);
            return -1;
        } else {
            vfail(v, "messages.content.content.type", "%s.content.%zu.type: only text blocks are supported inside tool_result",
                  path, i);
            return -1;
        }
    }
    return 0;
}

/* Converts one Anthropic message, appending one or more OpenAI messages to out. */
static int message_to_openai(struct vctx *v, const json_t *m, size_t mi, json_t *out)
{
    char path[48];
    snprintf(path, sizeof path, "messages.%zu", mi);
    if (!json_is_object(m)) {
        vfail(v, "messages", "%s: must be an object", path);
        return -1;
    }
    const char *role = jstr(m, "role");
    if (!streq(role, "user") && !streq(role, "assistant")) {
        vfail(v, "messages.role", "%s.role: must be \"user\" or \"assistant\"", path);
        return -1;
    }
    bool user = role[0] == 'u';
    json_t *content = json_object_get(m, "content");
    if (json_is_string(content)) {
        json_t *om = json_pack("{s:s,s:o}", "role", role, "content", jcopy_str(content));
        if (!om || json_array_append_new(out, om)) {
            vfail(v, NULL, "out of memory");
            return -1;
        }
        return 0;
    }
    if (!json_is_array(content)) {
        vfail(v, "messages.content", "%s.content: must be a string or an array of content blocks", path);
        return -1;
    }
    json_t *parts = json_array();      /* user: text/image parts */
    json_t *tool_calls = json_array(); /* assistant */
    struct sov_buf text = SOV_BUF_INIT(0);
    int rc = -1;
    size_t nparts_text = 0;
    if (!parts || !tool_calls) {
        vfail(v, NULL, "out of memory");
        goto done;
    }
    size_t i;
    json_t *blk;
    json_array_foreach(content, i, blk)
    {
        char bpath[96];
        snprintf(bpath, sizeof bpath, "%s.content.%zu", path, i);
        const char *type = jstr(blk, "type");
        if (!json_is_object(blk) || !type) {
            vfail(v, "messages.content.type", "%s.type: must be a string", bpath);
            goto done;
        }
        if (strcmp(type, "text") == 0) {
            json_t *t = json_object_get(blk, "text");
            if (!json_is_string(t)) {
                vfail(v, "messages.content.text", "%s.text: must be a string", bpath);
                goto done;
            }
            if (user) {
                json_t *p = json_pack("{s:s,s:o}", "type", "text", "text", jcopy_str(t));
                if (!p || json_array_append_new(parts, p))
                    goto oom;
                nparts_text++;
            } else if (sov_buf_append(&text, json_string_value(t), json_string_length(t))) {
                goto oom;
            }
        } else if (strcmp(type, "image") == 0) {
            if (!user) {
                vfail(v, "messages.content.type", "%s.type: image blocks are only allowed in user messages", bpath);
                goto done;
            }
            json_t *p = image_part_from_anthropic(v, blk, bpath);
            if (!p || json_array_append_new(parts, p))
                goto done;
        } else if (strcmp(type, "tool_use") == 0) {
            const char *id = jstr(blk, "id"), *name = jstr(blk, "name");
            json_t *input = json_object_get(blk, "input");
            if (user) {
                vfail(v, "messages.content.type", "%s.type: tool_use blocks are only allowed in assistant messages", bpath);
                goto done;
            }
            if (!id || !name) {
                vfail(v, !id ? "messages.content.id" : "messages.content.name", "%s.%s: must be a string", bpath,
                      !id ? "id" : "name");
                goto done;
            }
            if (!json_is_object(input)) {
                vfail(v, "messages.content.input", "%s.input: must be an object", bpath);
                goto done;
            }
            char *args = json_dumps(input, JSON_COMPACT);
            json_t *call =
                args ? json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", id, "type", "function", "function", "name", name, "arguments", args)
                     : NULL;
            free(args);
            if (!call || json_array_append_new(tool_calls, call))
                goto oom;
        } else if (strcmp(type, "tool_result") == 0) {
            const char *id = jstr(blk, "tool_use_id");
            json_t *ie = json_object_get(blk, "is_error");
            if (!user) {
                vfail(v, "messages.content.type", "%s.type: tool_result blocks are only allowed in user messages", bpath);
                goto done;
            }
            if (!id) {
                vfail(v, "messages.content.tool_use_id", "%s.tool_use_id: must be a string", bpath);
                goto done;
            }
            if (ie && !json_is_boolean(ie)) {
                vfail(v, "messages.content.is_error", "%s.is_error: must be a boolean", bpath);
                goto done;
            }
            struct sov_buf rt = SOV_BUF_INIT(0);
            if (tool_result_text(v, json_object_get(blk, "content"), &rt, bpath)) {
                sov_buf_free(&rt);
                goto done;
            }
            /* OpenAI wants tool messages right after the assistant's tool_calls: they go before the user's parts */
            json_t *tm = json_pack("{s:s,s:s,s:s%}", "role", "tool", "tool_call_id", id, "content", rt.data ? rt.data : "", rt.len);
            sov_buf_free(&rt);
            if (!tm || json_array_append_new(out, tm))
                goto oom;
        } else if (strcmp(type, "thinking") == 0 || strcmp(type, "redacted_thinking") == 0) {
            if (user) {
                vfail(v, "messages.content.type", "%s.type: thinking blocks are only allowed in assistant messages", bpath);
                goto done;
            }
            /* dropped: chat completions has no place for them */
        } else if (strcmp(type, "document") == 0 || strcmp(type, "search_result") == 0 || strcmp(type, "server_tool_use") == 0 ||
                   strcmp(type, "web_search_tool_result") == 0) {
            vfail(v, "messages.content.type", "%s.type: content block type \"%s\" is not supported", bpath, type);
            goto done;
        } else {
            vfail(v, "messages.content.type", "%s.type: unknown content block type \"%s\"", bpath, type);
            goto done;
        }
    }
    if (user) {
        /* one text block -> a plain string; several blocks or images -> content parts; only tool
         * results -> nothing more; an empty array -> "" */
        json_t *om = NULL;
        size_t np = json_array_size(parts);
        if (np == 1 && nparts_text == 1)
            om = json_pack("{s:s,s:O}", "role", "user", "content", json_object_get(json_array_get(parts, 0), "text"));
        else if (np > 0)
            om = json_pack("{s:s,s:O}", "role", "user", "content", parts);
        else if (json_array_size(content) == 0)
            om = json_pack("{s:s,s:s}", "role", "user", "content", "");
        if (np > 0 || json_array_size(content) == 0) {
            if (!om || json_array_append_new(out, om))
                goto oom;
        }
    } else {
        bool calls = json_array_size(tool_calls) > 0;
        json_t *om = jobj("role", json_string("assistant"), "content",
                          text.len || !calls ? json_stringn(text.data ? text.data : "", text.len) : json_null(), "tool_calls",
                          calls ? json_incref(tool_calls) : JSKIP, NULL);
        if (!om || json_array_append_new(out, om))
            goto oom;
    }
    rc = 0;
    goto done;
oom:
    vfail(v, NULL, "out of memory");
done:
    json_decref(parts);
    json_decref(tool_calls);
    sov_buf_free(&text);
    return rc;
}

static json_t *tools_to_openai(struct vctx *v, const json_t *tools)
{
    if (!json_is_array(tools))
        return vfail(v, "tools", "tools: must be an array");
    json_t *out = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t)
    {
        const char *name = jstr(t, "name");
        json_t *type = json_object_get(t, "type");
        json_t *desc = json_object_get(t, "description");
        json_t *schema = json_object_get(t, "input_schema");
        if (!json_is_object(t)) {
            vfail(v, "tools", "tools.%zu: must be an object", i);
            goto fail;
        }
        if (type && !json_is_null(type) && !streq(json_string_value(type), "custom")) {
            vfail(v, "tools.type", "tools.%zu.type: server tools are not supported", i);
            goto fail;
        }
        if (!name || !*name) {
            vfail(v, "tools.name", "tools.%zu.name: must be a non-empty string", i);
            goto fail;
        }
        if (desc && !json_is_string(desc)) {
            vfail(v, "tools.description", "tools.%zu.description: must be a string", i);
            goto fail;
        }
        if (!json_is_object(schema)) {
            vfail(v, "tools.input_schema", "tools.%zu.input_schema: must be an object", i);
            goto fail;
        }
        json_t *fn = json_pack("{s:s,s:o}", "name", name, "parameters", json_deep_copy(schema));
        if (fn && desc && jset(fn, "description", jcopy_str(desc))) {
            json_decref(fn);
            fn = NULL;
        }
        json_t *o = fn ? json_pack("{s:s,s:o}", "type", "function", "function", fn) : NULL;
        if (!o || json_array_append_new(out, o)) {
            vfail(v, NULL, "out of memory");
            goto fail;
        }
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

json_t *sov_anthropic_request_to_openai(const json_t *req, char **err_msg, const char **err_param)
{
    struct vctx v = {err_msg, err_param};
    if (!json_is_object(req))
        return vfail(&v, NULL, "request body must be a JSON object");
    json_t *model = json_object_get(req, "model");
    if (!model)
        return vfail(&v, "model", "model: field required");
    if (!json_is_string(model) || !json_string_length(model))
        return vfail(&v, "model", "model: must be a non-empty string");
    json_t *mt = json_object_get(req, "max_tokens");
    if (!mt)
        return vfail(&v, "max_tokens", "max_tokens: field required");
    if (!json_is_integer(mt) || json_integer_value(mt) < 1)
        return vfail(&v, "max_tokens", "max_tokens: must be a positive integer");
    json_t *messages = json_object_get(req, "messages");
    if (!messages)
        return vfail(&v, "messages", "messages: field required");
    if (!json_is_array(messages) || json_array_size(messages) == 0)
        return vfail(&v, "messages", "messages: must be a non-empty array");

    json_t *out = json_pack("{s:o,s:[],s:O}", "model", jcopy_str(model), "messages", "max_tokens", mt);
    if (!out)
        return vfail(&v, NULL, "out of memory");
    json_t *omsgs = json_object_get(out, "messages");

    json_t *system = json_object_get(req, "system");
    if (system && !json_is_null(system)) {
        struct sov_buf sb = SOV_BUF_INIT(0);
        if (json_is_string(system)) {
            if (sov_buf_append(&sb, json_string_value(system), json_string_length(system)))
                goto oom_sb;
        } else if (json_is_array(system)) {
            size_t i;
            json_t *b;
            json_array_foreach(system, i, b)
            {
                json_t *t = json_object_get(b, "text");
                if (!streq(jstr(b, "type"), "text") || !json_is_string(t)) {
                    sov_buf_free(&sb);
                    vfail(&v, "system", "system.%zu: only text blocks with a text string are supported", i);
                    goto fail;
                }
                if ((sb.len && sov_buf_putc(&sb, '\n')) || sov_buf_append(&sb, json_string_value(t), json_string_length(t)))
                    goto oom_sb;
            }
        } else {
            vfail(&v, "system", "system: must be a string or an array of text blocks");
            goto fail;
        }
        if (sb.len) {
            json_t *sm = json_pack("{s:s,s:s%}", "role", "system", "content", sb.data, sb.len);
            if (!sm || json_array_append_new(omsgs, sm))
                goto oom_sb;
        }
        sov_buf_free(&sb);
        if (0) {
        oom_sb:
            sov_buf_free(&sb);
            vfail(&v, NULL, "out of memory");
            goto fail;
        }
    }

    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        if (message_to_openai(&v, m, i, omsgs))
            goto fail;
    }

    json_t *tools = json_object_get(req, "tools");
    size_t ntools = 0;
    if (tools && !json_is_null(tools)) {
        json_t *t = tools_to_openai(&v, tools);
        if (!t)
            goto fail;
        ntools = json_array_size(t);
        if (!ntools)
            json_decref(t);
        else if (jset(out, "tools", t))
            goto oom;
    }
    json_t *tc = json_object_get(req, "tool_choice");
    if (tc && !json_is_null(tc)) {
        const char *type = jstr(tc, "type");
        json_t *dp = json_object_get(tc, "disable_parallel_tool_use");
        json_t *choice = NULL;
        if (streq(type, "auto"))
            choice = json_string("auto");
        else if (streq(type, "any"))
            choice = json_string("required");
        else if (streq(type, "none"))
            choice = json_string("none");
        else if (streq(type, "tool")) {
            const char *name = jstr(tc, "name");
            if (!name) {
                vfail(&v, "tool_choice.name", "tool_choice.name: must be a string");
                goto fail;
            }
            choice = json_pack("{s:s,s:{s:s}}", "type", "function", "function", "name", name);
        } else {
            vfail(&v, "tool_choice.type", "tool_choice.type: must be \"auto\", \"any\", \"tool\" or \"none\"");
            goto fail;
        }
        if (dp && !json_is_boolean(dp)) {
            json_decref(choice);
            vfail(&v, "tool_choice.disable_parallel_tool_use", "tool_choice.disable_parallel_tool_use: must be a boolean");
            goto fail;
        }
        if (ntools) {
            if (jset(out, "tool_choice", choice) || (json_is_true(dp) && jset(out, "parallel_tool_calls", json_false())))
                goto oom;
        } else {
            json_decref(choice); /* OpenAI rejects tool_choice without tools */
        }
    }

    json_t *ss = json_object_get(req, "stop_sequences");
    if (ss && !json_is_null(ss)) {
        if (!json_is_array(ss)) {
            vfail(&v, "stop_sequences", "stop_sequences: must be an array of strings");
            goto fail;
        }
        size_t k;
        json_t *s;
        json_array_foreach(ss, k, s)
        {
            if (!json_is_string(s)) {
                vfail(&v, "stop_sequences", "stop_sequences.%zu: must be a string", k);
                goto fail;
            }
        }
        if (json_array_size(ss) && jset(out, "stop", json_deep_copy(ss)))
            goto oom;
    }
    static const char *const numbers[] = {"temperature", "top_p"};
    for (size_t k = 0; k < 2; k++) {
        json_t *n = json_object_get(req, numbers[k]);
        if (!n || json_is_null(n))
            continue;
        if (!json_is_number(n)) {
            vfail(&v, numbers[k], "%s: must be a number", numbers[k]);
            goto fail;
        }
        if (jset(out, numbers[k], json_real(json_number_value(n))))
            goto oom;
    }
    json_t *top_k = json_object_get(req, "top_k"); /* validated; OpenAI has no top_k */
    if (top_k && !json_is_null(top_k) && !json_is_integer(top_k)) {
        vfail(&v, "top_k", "top_k: must be an integer");
        goto fail;
    }
    json_t *stream = json_object_get(req, "stream");
    if (stream && !json_is_null(stream) && !json_is_boolean(stream)) {
        vfail(&v, "stream", "stream: must be a boolean");
        goto fail;
    }
    if (json_is_true(stream) &&
        (jset(out, "stream", json_true()) || jset(out, "stream_options", json_pack("{s:b}", "include_usage", 1))))
        goto oom;
    json_t *md = json_object_get(req, "metadata");
    if (md && !json_is_null(md) && !json_is_object(md)) {
        vfail(&v, "metadata", "metadata: must be an object");
        goto fail;
    }
    json_t *uid = json_object_get(md, "user_id");
    if (uid && !json_is_null(uid) && !json_is_string(uid)) {
        vfail(&v, "metadata.user_id", "metadata.user_id: must be a string");
        goto fail;
    }
    if (json_is_string(uid) && jset(out, "user", jcopy_str(uid)))
        goto oom;
    return out;
oom:
    vfail(&v, NULL, "out of memory");
fail:
    if (err_msg && !*err_msg) /* a helper ran out of memory without saying so */
        vfail(&v, NULL, "out of memory");
    json_decref(out);
    return NULL;
}

/* ======================================================================================================
 * B5. OpenAI chat.completion -> Anthropic message
 * ==================================================================================================== */

static char *msg_id_from(const char *openai_id)
{
    if (!openai_id || !*openai_id)
        return gen_id("msg_");
    return sov_asprintf("msg_%s", id_core(openai_id, "chatcmpl-"));
}

json_t *sov_openai_response_to_anthropic(const json_t *resp, char **err)
{
    if (!json_is_object(resp)) {
        set_err(err, "upstream response is not a JSON object");
        return NULL;
    }
    json_t *choice = json_array_get(json_object_get(resp, "choices"), 0);
    json_t *msg = json_object_get(choice, "message");
    if (!json_is_object(msg)) {
        set_err(err, "upstream response has no choices[0].message object");
        return NULL;
    }
    json_t *blocks = json_array();
    if (!blocks)
        goto oom;
    json_t *content = json_object_get(msg, "content");
    struct sov_buf text = SOV_BUF_INIT(0);
    const char *what = NULL;
    if (json_is_array(content)) {
        if (openai_text_of(content, &text, "", &what)) {
            sov_buf_free(&text);
            set_err(err, "upstream response: choices[0].message.content: %s", what);
            goto fail;
        }
    } else if (json_is_string(content)) {
        if (sov_buf_append(&text, json_string_value(content), json_string_length(content))) {
            sov_buf_free(&text);
            goto oom;
        }
    } else if (content && !json_is_null(content)) {
        sov_buf_free(&text);
        set_err(err, "upstream response: choices[0].message.content must be a string or null");
        goto fail;
    }
    const char *refusal = jstr(msg, "refusal");
    if (!text.len && refusal && *refusal && sov_buf_puts(&text, refusal)) {
        sov_buf_free(&text);
        goto oom;
    }
    if (text.len) {
        json_t *tb = text_block(text.data, text.len);
        sov_buf_free(&text);
        if (!tb || json_array_append_new(blocks, tb))
            goto oom;
    }
    sov_buf_free(&text);
    json_t *tcs = json_object_get(msg, "tool_calls");
    if (tcs && !json_is_null(tcs)) {
        json_t *tb = tool_use_blocks_from_openai(tcs, "upstream response: choices[0].message", err);
        if (!tb)
            goto fail;
        int rc = json_array_extend(blocks, tb);
        json_decref(tb);
        if (rc)
            goto oom;
    }
    json_t *fr = json_object_get(choice, "finish_reason");
    if (fr && !json_is_null(fr) && !json_is_string(fr)) {
        set_err(err, "upstream response: finish_reason must be a string");
        goto fail;
    }
    const char *stop = stop_from_finish(json_string_value(fr));
    json_t *u = json_object_get(resp, "usage");
    bool bad = false;
    json_int_t pt = jint_opt(u, "prompt_tokens", 0, &bad), ct = jint_opt(u, "completion_tokens", 0, &bad);
    json_int_t cached = jint_opt(json_object_get(u, "prompt_tokens_details"), "cached_tokens", 0, &bad);
    if (bad || pt < 0 || ct < 0 || cached < 0 || cached > pt) {
        set_err(err, "upstream response: malformed usage");
        goto fail;
    }
    char *id = msg_id_from(jstr(resp, "id"));
    const char *model = jstr(resp, "model");
    json_t *out = id ? json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:n,s:{s:I,s:I,s:I,s:I}}", "id", id, "type", "message", "role",
                                 "assistant", "model", model ? model : "", "content", blocks, "stop_reason", stop, "stop_sequence",
                                 "usage", "input_tokens", pt - cached, "cache_creation_input_tokens", (json_int_t)0,
                                 "cache_read_input_tokens", cached, "output_tokens", ct)
                     : NULL;
    if (!id)
        json_decref(blocks);
    free(id);
    if (!out) {
        set_err(err, "out of memory");
        return NULL;
    }
    return out;
oom:
    set_err(err, "out of memory");
fail:
    if (err && !*err)
        set_err(err, "out of memory");
    json_decref(blocks);
    return NULL;
}

/* ======================================================================================================
 * B6. Streaming OpenAI chunks -> Anthropic events
 * ==================================================================================================== */

enum { OPEN_NONE = 0, OPEN_TEXT, OPEN_TOOL };

struct sov_openai_to_anthropic_stream {
    char *model;
    bool started, ended;
    int open;           /* OPEN_* */
    bool tool_pending;  /* a tool block whose content_block_start is held until its name is known */
    json_int_t tool_oi; /* the OpenAI index of the open tool call */
    unsigned block;     /* index of the open block (valid when open != OPEN_NONE) */
    unsigned nblocks;   /* blocks started so far */
    unsigned ntools;
    struct sov_buf tool_id, tool_name;
    const char *stop_reason;
    int64_t prompt_tokens, completion_tokens, cached_tokens;
    struct sov_buf out;
};

struct sov_openai_to_anthropic_stream *sov_openai_to_anthropic_stream_new(const char *model)
{
    struct sov_openai_to_anthropic_stream *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (model && !(st->model = sov_strndup(model, strlen(model)))) {
        free(st);
        return NULL;
    }
    st->prompt_tokens = st->completion_tokens = st->cached_tokens = -1;
    st->tool_id = (struct sov_buf)SOV_BUF_INIT(0);
    st->tool_name = (struct sov_buf)SOV_BUF_INIT(0);
    st->out = (struct sov_buf)SOV_BUF_INIT(0);
    return st;
}

void sov_openai_to_anthropic_stream_free(struct sov_openai_to_anthropic_stream *st)
{
    if (!st)
        return;
    free(st->model);
    sov_buf_free(&st->tool_id);
    sov_buf_free(&st->tool_name);
    sov_buf_free(&st->out);
    free(st);
}

void sov_openai_to_anthropic_stream_usage(const struct sov_openai_to_anthropic_stream *st, int64_t *prompt, int64_t *completion)
{
    if (prompt)
        *prompt = st ? st->prompt_tokens : -1;
    if (completion)
        *completion = st ? st->completion_tokens : -1;
}

static int ev_emit(struct sov_openai_to_anthropic_stream *st, const char *name, sov_event_cb cb, void *ud)
{
    cb(ud, name, st->out.data, st->out.len);
    return 0;
}

static int ev_start(struct sov_openai_to_anthropic_stream *st, const char *openai_id, const char *chunk_model, sov_event_cb cb,
                    void *ud)
{
    char *id = msg_id_from(openai_id);
    if (!id)
        return SOV_ENOMEM;
    const char *model = st->model ? st->model : chunk_model ? chunk_model : "";
    int64_t in = st->prompt_tokens >= 0 ? st->prompt_tokens - (st->cached_tokens > 0 ? st->cached_tokens : 0) : 0;
    int64_t cr = st->cached_tokens > 0 ? st->cached_tokens : 0;
    sov_buf_reset(&st->out);
    int rc = sov_buf_puts(&st->out, "{\"type\":\"message_start\",\"message\":{\"id\":");
    if (!rc)
        rc = put_json_str(&st->out, id, strlen(id));
    if (!rc)
        rc = sov_buf_puts(&st->out, ",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
    if (!rc)
        rc = put_json_str(&st->out, model, strlen(model));
    if (!rc)
        rc = sov_buf_printf(&st->out,
                            ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":%" PRId64
                            ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":%" PRId64 ",\"output_tokens\":0}}}",
                            in, cr);
    free(id);
    if (rc)
        return rc;
    st->started = true;
    ev_emit(st, "message_start", cb, ud);
    sov_buf_reset(&st->out);
    if ((rc = sov_buf_puts(&st->out, "{\"type\":\"ping\"}")))
        return rc;
    return ev_emit(st, "ping", cb, ud);
}

static int ev_block_stop(struct sov_openai_to_anthropic_stream *st, sov_event_cb cb, void *ud);

static int ev_tool_block_start(struct sov_openai_to_anthropic_stream *st, sov_event_cb cb, void *ud)
{
    st->tool_pending = false;
    if (!st->tool_id.len) {
        char *gid = gen_id("toolu_");
        if (!gid || sov_buf_puts(&st->tool_id, gid)) {
            free(gid);
            return SOV_ENOMEM;
        }
        free(gid);
    }
    sov_buf_reset(&st->out);
    int rc = sov_buf_printf(
        &st->out, "{\"type\":\"content_block_start\",\"index\":%u,\"content_block\":{\"type\":\"tool_use\",\"id\":", st->block);
    if (!rc)
        rc = put_json_str(&st->out, st->tool_id.data, st->tool_id.len);
    if (!rc)
        rc = sov_buf_puts(&st->out, ",\"name\":");
    if (!rc)
        rc = put_json_str(&st->out, st->tool_name.data ? st->tool_name.data : "", st->tool_name.len);
    if (!rc)
        rc = sov_buf_puts(&st->out, ",\"input\":{}}}");
    return rc ? rc : ev_emit(st, "content_block_start", cb, ud);
}

static int ev_block_stop(struct sov_openai_to_anthropic_stream *st, sov_event_cb cb, void *ud)
{
    if (st->open == OPEN_NONE)
        return 0;
    int rc = 0;
    if (st->tool_pending && (rc = ev_tool_block_start(st, cb, ud)))
        return rc;
    sov_buf_reset(&st->out);
    if ((rc = sov_buf_printf(&st->out, "{\"type\":\"content_block_stop\",\"index\":%u}", st->block)))
        return rc;
    st->open = OPEN_NONE;
    return ev_emit(st, "content_block_stop", cb, ud);
}

static int ev_text(struct sov_openai_to_anthropic_stream *st, const char *s, size_t n, sov_event_cb cb, void *ud)
{
    int rc;
    if (st->open != OPEN_TEXT) {
        if ((rc = ev_block_stop(st, cb, ud)))
            return rc;
        st->block = st->nblocks++;
        st->open = OPEN_TEXT;
        sov_buf_reset(&st->out);
        if ((rc = sov_buf_printf(
                 &st->out, "{\"type\":\"content_block_start\",\"index\":%u,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                 st->block)))
            return rc;
        ev_emit(st, "content_block_start", cb, ud);
    }
    sov_buf_reset(&st->out);
    rc = sov_buf_printf(&st->out,
                        "{\"type\":\"content_block_delta\",\"index\":%u,\"delta\":{\"type\":\"text_delta\",\"text\":", st->block);
    if (!rc)
        rc = put_json_str(&st->out, s, n);
    if (!rc)
        rc = sov_buf_puts(&st->out, "}}");
    return rc ? rc : ev_emit(st, "content_block_delta", cb, ud);
}

static int ev_tool_delta(struct sov_openai_to_anthropic_stream *st, const json_t *tc, size_t pos, sov_event_cb cb, void *ud)
{
    int rc;
    json_t *iv = json_object_get(tc, "index");
    json_int_t oi = json_is_integer(iv) ? json_integer_value(iv) : (json_int_t)pos;
    json_t *idv = json_object_get(tc, "id");
    json_t *fn = json_object_get(tc, "function");
    json_t *name = json_object_get(fn, "name");
    json_t *args = json_object_get(fn, "arguments");
    if (!json_is_object(tc) || (iv && !json_is_integer(iv)) || (idv && !json_is_null(idv) && !json_is_string(idv)) ||
        (fn && !json_is_null(fn) && !json_is_object(fn)) || (name && !json_is_null(name) && !json_is_string(name)) ||
        (args && !json_is_null(args) && !json_is_string(args)))
        return SOV_EPARSE;
    bool new_call = st->open != OPEN_TOOL || oi != st->tool_oi ||
                    (json_string_length(idv) && (st->tool_id.len != json_string_length(idv) ||
                                                 memcmp(st->tool_id.data, json_string_value(idv), st->tool_id.len) != 0));
    if (new_call) {
        if ((rc = ev_block_stop(st, cb, ud)))
            return rc;
        st->block = st->nblocks++;
        st->open = OPEN_TOOL;
        st->tool_oi = oi;
        st->ntools++;
        st->tool_pending = true;
        sov_buf_reset(&st->tool_id);
        sov_buf_reset(&st->tool_name);
        if (json_is_string(idv) && sov_buf_append(&st->tool_id, json_string_value(idv), json_string_length(idv)))
            return SOV_ENOMEM;
    }
    if (json_string_length(name) && st->tool_pending &&
        sov_buf_append(&st->tool_name, json_string_value(name), json_string_length(name)))
        return SOV_ENOMEM;
    if (!json_string_length(args))
        return 0;
    if (st->tool_pending && (rc = ev_tool_block_start(st, cb, ud)))
        return rc;
    sov_buf_reset(&st->out);
    rc = sov_buf_printf(
        &st->out,
        "{\"type\":\"content_block_delta\",\"index\":%u,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":", st->block);
    if (!rc)
        rc = put_json_str(&st->out, json_string_value(args), json_string_length(args));
    if (!rc)
        rc = sov_buf_puts(&st->out, "}}");
    return rc ? rc : ev_emit(st, "content_block_delta", cb, ud);
}

int sov_openai_to_anthropic_stream_error(struct sov_openai_to_anthropic_stream *st, const char *type, const char *message,
                                         sov_event_cb cb, void *ud)
{
    if (!st || !cb || st->ended)
        return SOV_EINVAL;
    size_t n = 0;
    char *data = sov_anthropic_error_event(type, message, &n);
    if (!data)
        return SOV_ENOMEM;
    st->ended = true;
    cb(ud, "error", data, n);
    free(data);
    return 0;
}

int sov_openai_to_anthropic_stream_feed(struct sov_openai_to_anthropic_stream *st, const char *chunk_json, size_t len,
                                        sov_event_cb cb, void *ud)
{
    if (!st || !cb || !chunk_json || st->ended)
        return SOV_EINVAL;
    json_error_t je;
    json_t *ch = json_loadb(chunk_json, len, 0, &je);
    int rc = 0;
    if (!json_is_object(ch)) {
        rc = SOV_EPARSE;
        goto out;
    }
    json_t *e = json_object_get(ch, "error");
    if (e && !json_is_null(e)) {
        const char *msg = json_is_string(e) ? json_string_value(e) : jstr(e, "message");
        rc = sov_openai_to_anthropic_stream_error(st, "api_error", msg ? msg : "upstream stream error", cb, ud);
        rc = rc ? rc : SOV_EUPSTREAM;
        goto out;
    }
    json_t *choices = json_object_get(ch, "choices");
    json_t *u = json_object_get(ch, "usage");
    if ((choices && !json_is_null(choices) && !json_is_array(choices)) || (u && !json_is_null(u) && !json_is_object(u))) {
        rc = SOV_EPARSE;
        goto out;
    }
    if (json_is_object(u)) {
        bool bad = false;
        json_int_t p = jint_opt(u, "prompt_tokens", -1, &bad), c = jint_opt(u, "completion_tokens", -1, &bad);
        json_int_t cached = jint_opt(json_object_get(u, "prompt_tokens_details"), "cached_tokens", -1, &bad);
        if (bad) {
            rc = SOV_EPARSE;
            goto out;
        }
        if (p >= 0)
            st->prompt_tokens = p;
        if (c >= 0)
            st->completion_tokens = c;
        if (cached >= 0)
            st->cached_tokens = cached;
    }
    if (!st->started && (rc = ev_start(st, jstr(ch, "id"), jstr(ch, "model"), cb, ud)))
        goto out;
    size_t i;
    json_t *c;
    json_array_foreach(choices, i, c)
    {
        json_t *ci = json_object_get(c, "index");
        if (!json_is_object(c) || (ci && !json_is_integer(ci))) {
            rc = SOV_EPARSE;
            goto out;
        }
        if (ci && json_integer_value(ci) != 0)
            continue; /* only the first choice (n > 1 is not offered on /v1/messages) */
        json_t *delta = json_object_get(c, "delta");
        json_t *content = json_object_get(delta, "content");
        json_t *refusal = json_object_get(delta, "refusal");
        json_t *tcs = json_object_get(delta, "tool_calls");
        json_t *fr = json_object_get(c, "finish_reason");
        if ((delta && !json_is_null(delta) && !json_is_object(delta)) ||
            (content && !json_is_null(content) && !json_is_string(content)) || (tcs && !json_is_null(tcs) && !json_is_array(tcs)) ||
            (fr && !json_is_null(fr) && !json_is_string(fr))) {
            rc = SOV_EPARSE;
            goto out;
        }
        if (json_string_length(content) && (rc = ev_text(st, json_string_value(content), json_string_length(content), cb, ud)))
            goto out;
        if (json_string_length(refusal) && (rc = ev_text(st, json_string_value(refusal), json_string_length(refusal), cb, ud)))
            goto out;
        size_t k;
        json_t *tc;
        json_array_foreach(tcs, k, tc)
        {
            if ((rc = ev_tool_delta(st, tc, k, cb, ud)))
                goto out;
        }
        if (json_is_string(fr))
            st->stop_reason = stop_from_finish(json_string_value(fr));
    }
out:
    json_decref(ch);
    return rc;
}

int sov_openai_to_anthropic_stream_finish(struct sov_openai_to_anthropic_stream *st, sov_event_cb cb, void *ud)
{
    if (!st || !cb || st->ended)
        return SOV_EINVAL;
    int rc = 0;
    if (!st->started && (rc = ev_start(st, NULL, NULL, cb, ud)))
        return rc;
    if ((rc = ev_block_stop(st, cb, ud)))
        return rc;
    const char *stop = st->stop_reason ? st->stop_reason : st->ntools ? "tool_use" : "end_turn";
    sov_buf_reset(&st->out);
    rc = sov_buf_printf(&st->out,
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\",\"stop_sequence\":null},\"usage\":{", stop);
    if (!rc && st->prompt_tokens >= 0) {
        int64_t cr = st->cached_tokens > 0 ? st->cached_tokens : 0;
        rc = sov_buf_printf(&st->out, "\"input_tokens\":%" PRId64 ",\"cache_read_input_tokens\":%" PRId64 ",",
                            st->prompt_tokens - cr, cr);
    }
    if (!rc)
        rc = sov_buf_printf(&st->out, "\"output_tokens\":%" PRId64 "}}", st->completion_tokens >= 0 ? st->completion_tokens : 0);
    if (rc)
        return rc;
    st->ended = true;
    ev_emit(st, "message_delta", cb, ud);
    sov_buf_reset(&st->out);
    if ((rc = sov_buf_puts(&st->out, "{\"type\":\"message_stop\"}")))
        return rc;
    return ev_emit(st, "message_stop", cb, ud);
}
