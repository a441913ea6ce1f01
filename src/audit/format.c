/*
 * The audit's format table: one row per log format (each reader in its own fmt_*.c), in detection
 * order; `--format NAME` forces a row, otherwise each record is given to the first row whose detect
 * accepts it. Also the helpers the readers share (messages, usage, responses, timestamps).
 */
#include "audit/audit_int.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct sov_audit_format *const sov__audit_formats[] = {
    /* most specific first: decision rows carry tier+backend, batch lines custom_id, Helicone request_body, ... */
    &sov__fmt_decisions, &sov__fmt_batch_output, &sov__fmt_batch_input,
    &sov__fmt_helicone,  &sov__fmt_litellm,      &sov__fmt_litellm_proxy,
    &sov__fmt_anthropic, &sov__fmt_openai,       NULL,
};

int sov__audit_format_find(const char *name)
{
    for (int i = 0; sov__audit_formats[i]; i++)
        if (!strcmp(sov__audit_formats[i]->name, name))
            return i;
    return -1;
}

int sov__audit_format_detect(const struct sov_jobj *top)
{
    for (int i = 0; sov__audit_formats[i]; i++)
        if (sov__audit_formats[i]->detect(top) > 0)
            return i;
    return -1;
}

const char *sov_audit_format_name(size_t i, const char **summary)
{
    for (size_t k = 0; sov__audit_formats[k]; k++)
        if (k == i) {
            if (summary)
                *summary = sov__audit_formats[k]->summary;
            return sov__audit_formats[k]->name;
        }
    return NULL;
}

static const char *const roles[] = {"system", "user", "assistant", "tool", "developer", "function", NULL};

static const char *role_of(struct sov_jv v)
{
    for (size_t i = 0; roles[i]; i++)
        if (sov__js_eq(v, roles[i]))
            return i == 4 ? "system" : roles[i];
    return "user";
}

#define MAX_PARTS 32

struct parts {
    const char *t[MAX_PARTS];
    size_t n[MAX_PARTS];
    size_t k, total;
};

static void add_part(struct parts *ps, const char *t, size_t n)
{
    if (!t || !n || ps->k == MAX_PARTS)
        return;
    ps->t[ps->k] = t;
    ps->n[ps->k++] = n;
    ps->total += n;
}

static void add_str(const struct sov_audit_rctx *cx, struct parts *ps, struct sov_jv v)
{
    size_t n;
    char *s = sov__js_str(v, cx->arena, &n);
    if (s)
        add_part(ps, s, n);
}

/* content: a string, or parts ({type:text,text}, Anthropic tool_use/tool_result blocks) */
static void content_parts(const struct sov_audit_rctx *cx, struct sov_jv content, struct parts *ps, int depth)
{
    if (content.type == '"') {
        add_str(cx, ps, content);
        return;
    }
    if (content.type != '[' || depth > 2)
        return;
    const char *it = NULL;
    struct sov_jv part;
    while (sov__js_next(content, &it, &part) == 1) {
        if (part.type == '"') {
            add_str(cx, ps, part);
            continue;
        }
        if (part.type != '{')
            continue;
        struct sov_jobj o;
        if (sov__js_index(part, &o) != 0)
            continue;
        struct sov_jv t = sov__js_get(&o, "text");
        if (t.type == '"') {
            add_str(cx, ps, t);
            continue;
        }
        struct sov_jv type = sov__js_get(&o, "type");
        if (sov__js_eq(type, "tool_use")) {
            struct sov_jv in = sov__js_get(&o, "input");
            if (in.type)
                add_part(ps, in.s, in.n); /* the arguments as the provider received them */
        } else if (sov__js_eq(type, "tool_result")) {
            content_parts(cx, sov__js_get(&o, "content"), ps, depth + 1);
        }
    }
}

static int push_msg(const struct sov_audit_rctx *cx, struct sov_audit_rec *r, const char *role, struct parts *ps)
{
    if (r->n_msgs == SOV_AUDIT_MAX_MSGS) {
        /* keep the system prompt and the latest turns: drop the oldest non-system message */
        size_t drop = r->msgs[0].role[0] == 's' ? 1 : 0;
        memmove(&r->msgs[drop], &r->msgs[drop + 1], (SOV_AUDIT_MAX_MSGS - drop - 1) * sizeof r->msgs[0]);
        r->n_msgs--;
    }
    const char *text = "";
    size_t len = 0;
    if (ps->k == 1) {
        text = ps->t[0];
        len = ps->n[0];
    } else if (ps->k > 1) {
        char *o = sov__arena_alloc(cx->arena, ps->total + ps->k);
        if (!o)
            return -1;
        for (size_t i = 0; i < ps->k; i++) {
            if (i)
                o[len++] = '\n';
            memcpy(o + len, ps->t[i], ps->n[i]);
            len += ps->n[i];
        }
        text = o;
    }
    r->msgs[r->n_msgs++] = (struct sov_router_msg){role, text, len};
    r->has_prompt = true;
    return 0;
}

int sov__audit_messages(const struct sov_audit_rctx *cx, struct sov_jv arr, struct sov_audit_rec *r)
{
    arr = sov__js_nested(arr, cx->arena);
    if (arr.type != '[')
        return -1;
    const char *it = NULL;
    struct sov_jv m;
    int rc;
    while ((rc = sov__js_next(arr, &it, &m)) == 1) {
        struct sov_jobj o;
        if (m.type != '{' || sov__js_index(m, &o) != 0)
            continue;
        struct parts ps = {{0}, {0}, 0, 0};
        content_parts(cx, sov__js_get(&o, "content"), &ps, 0);
        /* tool calls the model made travel back to the provider with the conversation */
        struct sov_jv calls = sov__js_get(&o, "tool_calls");
        const char *ci = NULL;
        struct sov_jv call;
        while (calls.type == '[' && sov__js_next(calls, &ci, &call) == 1) {
            struct sov_jv args = sov__js_path(call, "function.arguments");
            if (args.type == '"')
                add_str(cx, &ps, args);
        }
        if (push_msg(cx, r, role_of(sov__js_get(&o, "role")), &ps) != 0)
            return -1;
    }
    return rc < 0 ? -1 : 0;
}

int sov__audit_system(const struct sov_audit_rctx *cx, struct sov_jv sys, struct sov_audit_rec *r)
{
    if (sys.type != '"' && sys.type != '[')
        return 0;
    struct parts ps = {{0}, {0}, 0, 0};
    content_parts(cx, sys, &ps, 0);
    if (!ps.k)
        return 0;
    if (push_msg(cx, r, "system", &ps) != 0)
        return -1;
    /* the system prompt goes first */
    struct sov_router_msg m = r->msgs[r->n_msgs - 1];
    memmove(&r->msgs[1], &r->msgs[0], (r->n_msgs - 1) * sizeof m);
    r->msgs[0] = m;
    return 0;
}

static int64_t tok(struct sov_jv v)
{
    double d = sov__js_num(v, -1);
    return d < 0 || d > 1e15 ? -1 : (int64_t)d;
}

void sov__audit_usage(struct sov_jv usage, struct sov_audit_rec *r)
{
    struct sov_jobj u;
    if (usage.type != '{' || sov__js_index(usage, &u) != 0)
        return;
    int64_t pt = tok(sov__js_get(&u, "prompt_tokens")), ct = tok(sov__js_get(&u, "completion_tokens"));
    int64_t in = tok(sov__js_get(&u, "input_tokens")), out = tok(sov__js_get(&u, "output_tokens"));
    int64_t cr = tok(sov__js_get(&u, "cache_read_input_tokens")), cw = tok(sov__js_get(&u, "cache_creation_input_tokens"));
    int64_t cached = tok(sov__js_path(sov__js_get(&u, "prompt_tokens_details"), "cached_tokens"));
    if (pt >= 0 || ct >= 0) {
        /* OpenAI shape: prompt_tokens includes cached tokens */
        r->prompt_tokens = pt;
        r->completion_tokens = ct;
        r->cached_tokens = cached >= 0 ? cached : cr;
        if (cw > 0 && pt >= 0)
            r->cache_write_tokens = cw;
    } else if (in >= 0 || out >= 0) {
        /* Anthropic shape: input_tokens excludes cache reads and writes */
        r->prompt_tokens = (in > 0 ? in : 0) + (cr > 0 ? cr : 0) + (cw > 0 ? cw : 0);
        r->completion_tokens = out;
        r->cached_tokens = cr > 0 ? cr : 0;
        r->cache_write_tokens = cw > 0 ? cw : 0;
    }
}

static size_t text_size(struct sov_jv v)
{
    return v.type == '"' && v.n >= 2 ? v.n - 2 : v.type ? v.n : 0;
}

void sov__audit_response(const struct sov_audit_rctx *cx, struct sov_jv resp, struct sov_audit_rec *r)
{
    resp = sov__js_nested(resp, cx->arena);
    struct sov_jobj o;
    if (resp.type != '{' || sov__js_index(resp, &o) != 0)
        return;
    r->has_response = true;
    struct sov_jv model = sov__js_get(&o, "model");
    if (model.type == '"')
        sov__js_strbuf(model, r->model, sizeof r->model);
    if (sov__js_get(&o, "error").type == '{' || sov__js_eq(sov__js_get(&o, "type"), "error"))
        r->failed = true;
    sov__audit_usage(sov__js_get(&o, "usage"), r);
    double created = sov__js_num(sov__js_get(&o, "created"), 0);
    if (created > 0 && !r->ts)
        r->ts = created;
    /* the answer's size: choices[].message.content (+ tool calls), or Anthropic content[] */
    size_t bytes = 0;
    struct sov_jv choices = sov__js_get(&o, "choices");
    const char *it = NULL;
    struct sov_jv ch;
    while (choices.type == '[' && sov__js_next(choices, &it, &ch) == 1) {
        struct sov_jv msg = sov__js_find(ch, "message");
        if (!msg.type)
            msg = sov__js_find(ch, "delta");
        bytes += text_size(sov__js_find(msg, "content"));
        bytes += text_size(sov__js_find(msg, "tool_calls"));
        bytes += text_size(sov__js_find(ch, "text"));
    }
    struct sov_jv content = sov__js_get(&o, "content");
    it = NULL;
    while (content.type == '[' && sov__js_next(content, &it, &ch) == 1) {
        struct sov_jv t = sov__js_find(ch, "text");
        bytes += t.type ? text_size(t) : text_size(sov__js_find(ch, "input"));
    }
    r->response_bytes += bytes;
}

int sov__audit_chat_request(const struct sov_audit_rctx *cx, struct sov_jv body, struct sov_audit_rec *r)
{
    body = sov__js_nested(body, cx->arena);
    struct sov_jobj o;
    if (body.type != '{' || sov__js_index(body, &o) != 0)
        return -1;
    struct sov_jv model = sov__js_get(&o, "model");
    if (model.type == '"' && !r->model[0])
        sov__js_strbuf(model, r->model, sizeof r->model);
    struct sov_jv msgs = sov__js_get(&o, "messages");
    if (msgs.type && sov__audit_messages(cx, msgs, r) != 0)
        return -1;
    struct sov_jv sys = sov__js_get(&o, "system");
    if (sys.type && sov__audit_system(cx, sys, r) != 0)
        return -1;
    struct sov_jv prompt = sov__js_get(&o, "prompt");
    if (!msgs.type && prompt.type == '"') {
        struct parts ps = {{0}, {0}, 0, 0};
        add_str(cx, &ps, prompt);
        if (push_msg(cx, r, "user", &ps) != 0)
            return -1;
    }
    struct sov_jv tools = sov__js_get(&o, "tools");
    r->has_tools = tools.type == '[' && tools.n > 2;
    return 0;
}

/* a path whose steps may cross JSON encoded in strings (LiteLLM's metadata, CSV cells) */
static struct sov_jv path_nested(const struct sov_audit_rctx *cx, struct sov_jv obj, const char *path)
{
    char part[128];
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof part)
            return (struct sov_jv){NULL, 0, 0};
        memcpy(part, path, n);
        part[n] = '\0';
        obj = sov__js_find(sov__js_nested(obj, cx->arena), part);
        if (!obj.type)
            return obj;
        path += n + (dot ? 1 : 0);
    }
    return obj;
}

void sov__audit_workflow(const struct sov_audit_rctx *cx, const struct sov_jv *objs, size_t n, struct sov_audit_rec *r)
{
    if (!cx->workflow_field)
        return;
    for (size_t i = 0; i < n; i++) {
        struct sov_jv v = path_nested(cx, objs[i], cx->workflow_field);
        if (v.type == '"' || v.type == 'n' || v.type == 'r') {
            if (sov__js_strbuf(v, r->workflow, sizeof r->workflow)) {
                r->has_workflow = true;
                return;
            }
        }
    }
}

double sov__audit_time(struct sov_jv v)
{
    double d = sov__js_num(v, -1);
    if (d > 0)
        return d > 1e11 ? d / 1000 : d; /* milliseconds */
    char buf[64];
    if (v.type != '"' && v.type != 'r')
        return 0;
    sov__js_strbuf(v, buf, sizeof buf);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        rest = strptime(buf, "%Y-%m-%d %H:%M:%S", &tm);
    if (!rest)
        return 0;
    return (double)timegm(&tm);
}
