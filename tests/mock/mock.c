/*
 * sov-mock: a scriptable mock upstream for the gateway's integration tests, the demo and the
 * benchmarks. It speaks the OpenAI chat-completions protocol (POST /v1/chat/completions, plain and
 * SSE, usage chunk, logprobs, tool calls, GET /v1/models) and the Anthropic Messages protocol
 * (POST /v1/messages, plain and streaming events, tool_use).
 *
 * What it does with a request is scripted by directives (docs/testing.md), `key=value` words taken
 * from, in order (later ones win):
 *   1. the mock's configuration (POST /mock/config with a body of directives; POST /mock/reset),
 *   2. `x-mock-KEY: VALUE` request headers,
 *   3. `#mock key=value ...` anywhere in the request body (e.g. in the last user message);
 *      `NAME.key=value` applies only to the mock started with --name NAME.
 * GET /mock/stats reports counters (requests, completed, cancelled by the client, broken on
 * purpose, in flight); GET /mock/last returns the last request received (method, path, headers,
 * body), so that tests can assert what the gateway sent.
 *
 * One event loop per worker thread (--workers, SO_REUSEPORT on one port).
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <jansson.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MOCK_MAX_WORKERS 64
#define MOCK_CONFIG_CAP 1024
/* appends a string literal */
#define ADDL(b, lit) evbuffer_add((b), (lit), sizeof(lit) - 1)

/* ---- directives ------------------------------------------------------------------------------ */

struct dirs {
    int delay_ms;        /* before the response headers */
    int chunk_delay_ms;  /* between stream chunks */
    int chunks;          /* content pieces (stream chunks; concatenated when not streaming) */
    int status;          /* answer with this HTTP error status and a protocol-shaped error body */
    int retry_after;     /* Retry-After header (seconds) with status */
    int retry_date;      /* Retry-After header as the HTTP-date this many seconds from now, with status */
    int break_after;     /* close the connection after this many content pieces */
    int malformed_after; /* send a malformed event (or an unreadable body) after this many pieces */
    int error_after;     /* send an error event after this many pieces, then end the stream */
    int hang;            /* never answer */
    int hang_after;      /* stop sending after this many pieces, keep the connection open */
    int echo;            /* the answer's text is the request as received (JSON) */
    int no_done;         /* OpenAI streams: leave out data: [DONE] */
    int usage_in;        /* prompt / input tokens reported */
    int usage_out;       /* completion / output tokens reported (default: chunks) */
    char tool[64];       /* answer with a call to this tool ("1": the request's first tool) */
};

enum dir_type { DIR_INT, DIR_STR };

static const struct dir_row {
    const char *key;
    enum dir_type type;
    size_t off;
    size_t cap;
    const char *help;
} dir_table[] = {
    {"delay_ms", DIR_INT, offsetof(struct dirs, delay_ms), 0, "wait before the response headers"},
    {"chunk_delay_ms", DIR_INT, offsetof(struct dirs, chunk_delay_ms), 0, "wait between stream chunks"},
    {"chunks", DIR_INT, offsetof(struct dirs, chunks), 0, "number of content pieces (default 4)"},
    {"status", DIR_INT, offsetof(struct dirs, status), 0, "answer with this HTTP status and an error body"},
    {"retry_after", DIR_INT, offsetof(struct dirs, retry_after), 0, "Retry-After seconds sent with status"},
    {"retry_date", DIR_INT, offsetof(struct dirs, retry_date), 0, "Retry-After as the HTTP-date S seconds ahead"},
    {"break_after", DIR_INT, offsetof(struct dirs, break_after), 0, "close the connection after N pieces"},
    {"malformed_after", DIR_INT, offsetof(struct dirs, malformed_after), 0, "malformed event / body after N pieces"},
    {"error_after", DIR_INT, offsetof(struct dirs, error_after), 0, "error event after N pieces, then end"},
    {"hang", DIR_INT, offsetof(struct dirs, hang), 0, "1: never answer"},
    {"hang_after", DIR_INT, offsetof(struct dirs, hang_after), 0, "go silent after N pieces"},
    {"echo", DIR_INT, offsetof(struct dirs, echo), 0, "1: the answer's text is the request received"},
    {"no_done", DIR_INT, offsetof(struct dirs, no_done), 0, "1: no data: [DONE] at the end"},
    {"usage_in", DIR_INT, offsetof(struct dirs, usage_in), 0, "prompt tokens reported (default 11)"},
    {"usage_out", DIR_INT, offsetof(struct dirs, usage_out), 0, "completion tokens reported (default chunks)"},
    {"tool", DIR_STR, offsetof(struct dirs, tool), sizeof(((struct dirs *)0)->tool), "call this tool (1: the first)"},
};
#define N_DIRS (sizeof dir_table / sizeof dir_table[0])

static void dirs_default(struct dirs *d)
{
    memset(d, 0, sizeof *d);
    d->chunks = 4;
    d->break_after = d->malformed_after = d->error_after = d->hang_after = -1;
    d->retry_after = d->retry_date = -1;
    d->usage_in = 11;
    d->usage_out = -1;
}

static const char *mock_name = "mock";

/* Applies one `key=value` (or `NAME.key=value`) word. Unknown keys are ignored. */
static void dirs_set(struct dirs *d, const char *k, size_t klen, const char *v, size_t vlen)
{
    const char *dot = memchr(k, '.', klen);
    if (dot) {
        size_t nl = (size_t)(dot - k);
        if (nl != strlen(mock_name) || memcmp(k, mock_name, nl))
            return;
        klen -= nl + 1;
        k = dot + 1;
    }
    for (size_t i = 0; i < N_DIRS; i++) {
        const struct dir_row *r = &dir_table[i];
        if (strlen(r->key) != klen || memcmp(r->key, k, klen))
            continue;
        char *field = (char *)d + r->off;
        if (r->type == DIR_INT) {
            char tmp[24];
            if (vlen == 0 || vlen >= sizeof tmp)
                return;
            memcpy(tmp, v, vlen);
            tmp[vlen] = 0;
            char *end;
            long x = strtol(tmp, &end, 10);
            if (*end == 0 && x >= -1 && x <= 100000000)
                *(int *)field = (int)x;
        } else {
            size_t n = vlen < r->cap - 1 ? vlen : r->cap - 1;
            memcpy(field, v, n);
            field[n] = 0;
        }
        return;
    }
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
           c == '=';
}

/* Parses `key=value` words separated by blanks, stopping at the first other character. */
static void dirs_parse(struct dirs *d, const char *p, const char *end)
{
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        const char *w = p;
        while (p < end && word_char(*p))
            p++;
        if (p == w)
            return;
        const char *eq = memchr(w, '=', (size_t)(p - w));
        if (eq)
            dirs_set(d, w, (size_t)(eq - w), eq + 1, (size_t)(p - eq - 1));
    }
}

/* Every `#mock ...` in the body. */
static void dirs_from_body(struct dirs *d, const char *body, size_t len)
{
    const char *p = body, *end = body + len;
    while (p && p < end) {
        const char *m = memmem(p, (size_t)(end - p), "#mock", 5);
        if (!m)
            return;
        dirs_parse(d, m + 5, end);
        p = m + 5;
    }
}

static void dirs_from_headers(struct dirs *d, struct evkeyvalq *h)
{
    for (struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next) {
        if (strncasecmp(kv->key, "x-mock-", 7))
            continue;
        char key[32];
        size_t n = strlen(kv->key + 7);
        if (n >= sizeof key)
            continue;
        for (size_t i = 0; i < n; i++)
            key[i] = kv->key[7 + i] == '-' ? '_' : (char)(kv->key[7 + i] | 0x20);
        dirs_set(d, key, n, kv->value, strlen(kv->value));
    }
}

/* ---- shared state ---------------------------------------------------------------------------- */

static struct {
    atomic_long requests, completed, cancelled, broken, in_flight, chat, messages;
    pthread_mutex_t lock;
    char config[MOCK_CONFIG_CAP]; /* directives from POST /mock/config */
    char *last;                   /* JSON of the last request */
} st = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct worker {
    struct event_base *base;
    struct evhttp *http;
    struct evbuffer *scratch;
    pthread_t thread;
};

enum proto { P_OPENAI, P_ANTHROPIC };

/* One request being answered. */
struct mreq {
    struct worker *w;
    struct evhttp_request *req;
    struct evhttp_connection *evcon;
    struct event *timer;
    struct dirs d;
    enum proto proto;
    bool stream, include_usage, logprobs, started, closing, finished;
    int next;      /* next content piece */
    char *model;   /* JSON-escaped model name, with quotes */
    char *echo;    /* the request as received, for echo=1 */
    char tool[64]; /* tool to call, resolved */
    char id[40];
    long created;
};

/* ---- JSON writing ---------------------------------------------------------------------------- */

static void put_str(struct evbuffer *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    ADDL(b, "\"");
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        evbuffer_add(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t el = 2;
        if (c == '\n')
            esc[1] = 'n';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c == '\t')
            esc[1] = 't';
        else if (c < 0x20) {
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            el = 6;
        }
        evbuffer_add(b, esc, el);
    }
    evbuffer_add(b, s + run, n - run);
    ADDL(b, "\"");
}

/* Content piece i: "NAME:" then " tokI" for each piece; echo=1: the request received. */
static void put_piece(struct evbuffer *b, struct mreq *m, int i)
{
    char tmp[96];
    if (m->d.echo) {
        put_str(b, m->echo, strlen(m->echo));
        return;
    }
    int n = i == 0 ? snprintf(tmp, sizeof tmp, "%s: tok0", mock_name) : snprintf(tmp, sizeof tmp, " tok%d", i);
    put_str(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static int n_pieces(const struct mreq *m)
{
    return m->d.echo ? 1 : m->d.chunks;
}

static int usage_out(const struct mreq *m)
{
    return m->d.usage_out >= 0 ? m->d.usage_out : n_pieces(m);
}

static void put_full_text(struct evbuffer *b, struct mreq *m)
{
    /* the concatenation of the pieces, as one JSON string */
    if (m->d.echo) {
        put_piece(b, m, 0);
        return;
    }
    struct evbuffer *t = evbuffer_new();
    evbuffer_add_printf(t, "%s:", mock_name);
    for (int i = 0; i < m->d.chunks; i++)
        evbuffer_add_printf(t, " tok%d", i);
    if (m->d.chunks == 0)
        evbuffer_drain(t, evbuffer_get_length(t));
    size_t n = evbuffer_get_length(t);
    put_str(b, (const char *)evbuffer_pullup(t, -1), n);
    evbuffer_free(t);
}

/* ---- responses ------------------------------------------------------------------------------- */

static void add_header(struct evhttp_request *req, const char *k, const char *v)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), k, v);
}

static void finish(struct mreq *m);

static void on_close(struct evhttp_connection *evcon, void *arg)
{
    struct mreq *m = arg;
    if (m->closing)
        atomic_fetch_add(&st.broken, 1);
    else
        atomic_fetch_add(&st.cancelled, 1);
    /* a request detached from its connection is ours to free; otherwise libevent frees it */
    if (m->req && evhttp_request_get_connection(m->req) == NULL)
        evhttp_request_free(m->req);
    m->req = NULL;
    m->evcon = NULL;
    finish(m);
}

static void finish(struct mreq *m)
{
    if (m->evcon)
        evhttp_connection_set_closecb(m->evcon, NULL, NULL);
    if (m->timer)
        event_free(m->timer);
    atomic_fetch_sub(&st.in_flight, 1);
    free(m->model);
    free(m->echo);
    free(m);
}

/* Sends the reply and ends the request (counted as completed). */
static void complete(struct mreq *m, int status, struct evbuffer *body)
{
    evhttp_connection_set_closecb(m->evcon, NULL, NULL);
    m->evcon = NULL;
    evhttp_send_reply(m->req, status, NULL, body);
    m->req = NULL;
    atomic_fetch_add(&st.completed, 1);
    finish(m);
}

static const char *error_type(enum proto p, int status)
{
    if (p == P_ANTHROPIC)
        switch (status) {
        case 400:
            return "invalid_request_error";
        case 401:
            return "authentication_error";
        case 404:
            return "not_found_error";
        case 429:
            return "rate_limit_error";
        case 529:
            return "overloaded_error";
        default:
            return status >= 500 ? "api_error" : "invalid_request_error";
        }
    switch (status) {
    case 401:
        return "authentication_error";
    case 429:
        return "rate_limit_error";
    default:
        return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

static void put_error(struct evbuffer *b, enum proto p, int status, const char *msg)
{
    if (p == P_ANTHROPIC) {
        evbuffer_add_printf(b, "{\"type\":\"error\",\"error\":{\"type\":\"%s\",\"message\":", error_type(p, status));
        put_str(b, msg, strlen(msg));
        ADDL(b, "}}");
    } else {
        ADDL(b, "{\"error\":{\"message\":");
        put_str(b, msg, strlen(msg));
        evbuffer_add_printf(b, ",\"type\":\"%s\",\"param\":null,\"code\":%s}}", error_type(p, status),
                            status == 429 ? "\"rate_limit_exceeded\"" : "null");
    }
}

static void reply_error(struct mreq *m, int status, const char *msg)
{
    struct evbuffer *b = m->w->scratch;
    put_error(b, m->proto, status, msg);
    add_header(m->req, "Content-Type", "application/json");
    if (m->d.retry_after >= 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", m->d.retry_after);
        add_header(m->req, "Retry-After", ra);
    } else if (m->d.retry_date >= 0) {
        char ra[40];
        time_t t = time(NULL) + m->d.retry_date;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(ra, sizeof ra, "%a, %d %b %Y %H:%M:%S GMT", &tm); /* IMF-fixdate (the C locale) */
        add_header(m->req, "Retry-After", ra);
    }
    complete(m, status, b);
}

static void put_usage_openai(struct evbuffer *b, struct mreq *m)
{
    evbuffer_add_printf(b, "\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}", m->d.usage_in,
                        usage_out(m), m->d.usage_in + usage_out(m));
}

static void put_tool_args(struct evbuffer *b)
{
    put_str(b, "{\"q\":\"mock\"}", 12);
}

/* The whole non-streaming answer. */
static void put_plain(struct evbuffer *b, struct mreq *m)
{
    if (m->proto == P_ANTHROPIC) {
        evbuffer_add_printf(b, "{\"id\":\"%s\",\"type\":\"message\",\"role\":\"assistant\",\"model\":%s,\"content\":[", m->id,
                            m->model);
        bool text = !m->tool[0] || n_pieces(m) > 0;
        if (text) {
            ADDL(b, "{\"type\":\"text\",\"text\":");
            put_full_text(b, m);
            ADDL(b, "}");
        }
        if (m->tool[0]) {
            evbuffer_add_printf(b, "%s{\"type\":\"tool_use\",\"id\":\"toolu_mock1\",\"name\":", text ? "," : "");
            put_str(b, m->tool, strlen(m->tool));
            ADDL(b, ",\"input\":{\"q\":\"mock\"}}");
        }
        evbuffer_add_printf(b,
                            "],\"stop_reason\":\"%s\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":%d,\"output_tokens\":%d}}",
                            m->tool[0] ? "tool_use" : "end_turn", m->d.usage_in, usage_out(m));
        return;
    }
    evbuffer_add_printf(b,
                        "{\"id\":\"%s\",\"object\":\"chat.completion\",\"created\":%ld,\"model\":%s,\"choices\":[{\"index\":0,"
                        "\"message\":{\"role\":\"assistant\",\"content\":",
                        m->id, m->created, m->model);
    if (m->tool[0] && n_pieces(m) == 0)
        ADDL(b, "null");
    else
        put_full_text(b, m);
    if (m->tool[0]) {
        ADDL(b, ",\"tool_calls\":[{\"id\":\"call_mock1\",\"type\":\"function\",\"function\":{\"name\":");
        put_str(b, m->tool, strlen(m->tool));
        ADDL(b, ",\"arguments\":");
        put_tool_args(b);
        ADDL(b, "}}]");
    }
    ADDL(b, ",\"refusal\":null},\"logprobs\":");
    if (m->logprobs) {
        ADDL(b, "{\"content\":[");
        for (int i = 0; i < n_pieces(m); i++) {
            evbuffer_add_printf(b, "%s{\"token\":", i ? "," : "");
            put_piece(b, m, i);
            ADDL(b, ",\"logprob\":-0.25,\"bytes\":null,\"top_logprobs\":[]}");
        }
        ADDL(b, "],\"refusal\":null}");
    } else {
        ADDL(b, "null");
    }
    evbuffer_add_printf(b, ",\"finish_reason\":\"%s\"}],", m->tool[0] ? "tool_calls" : "stop");
    put_usage_openai(b, m);
    ADDL(b, "}");
}

/* ---- streaming ------------------------------------------------------------------------------- */

static void sse(struct evbuffer *b, const char *event)
{
    if (event)
        evbuffer_add_printf(b, "event: %s\n", event);
    ADDL(b, "data: ");
}

static void oa_chunk_head(struct evbuffer *b, struct mreq *m)
{
    sse(b, NULL);
    evbuffer_add_printf(b, "{\"id\":\"%s\",\"object\":\"chat.completion.chunk\",\"created\":%ld,\"model\":%s,\"choices\":", m->id,
                        m->created, m->model);
}

static void put_prologue(struct evbuffer *b, struct mreq *m)
{
    if (m->proto == P_ANTHROPIC) {
        sse(b, "message_start");
        evbuffer_add_printf(b,
                            "{\"type\":\"message_start\",\"message\":{\"id\":\"%s\",\"type\":\"message\",\"role\":\"assistant\","
                            "\"model\":%s,\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_"
                            "tokens\":%d,\"output_tokens\":1}}}\n\n",
                            m->id, m->model, m->d.usage_in);
        if (n_pieces(m) > 0) {
            sse(b, "content_block_start");
            ADDL(b, "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        }
        sse(b, "ping");
        ADDL(b, "{\"type\":\"ping\"}\n\n");
        return;
    }
    oa_chunk_head(b, m);
    ADDL(b, "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
}

static void put_piece_event(struct evbuffer *b, struct mreq *m, int i)
{
    if (m->proto == P_ANTHROPIC) {
        sse(b, "content_block_delta");
        ADDL(b, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":");
        put_piece(b, m, i);
        ADDL(b, "}}\n\n");
        return;
    }
    oa_chunk_head(b, m);
    ADDL(b, "[{\"index\":0,\"delta\":{\"content\":");
    put_piece(b, m, i);
    ADDL(b, "},\"logprobs\":");
    if (m->logprobs) {
        ADDL(b, "{\"content\":[{\"token\":");
        put_piece(b, m, i);
        ADDL(b, ",\"logprob\":-0.25,\"bytes\":null,\"top_logprobs\":[]}],\"refusal\":null}");
    } else {
        ADDL(b, "null");
    }
    ADDL(b, ",\"finish_reason\":null}]}\n\n");
}

static void put_epilogue(struct evbuffer *b, struct mreq *m)
{
    if (m->proto == P_ANTHROPIC) {
        int idx = 0;
        if (n_pieces(m) > 0) {
            sse(b, "content_block_stop");
            ADDL(b, "{\"type\":\"content_block_stop\",\"index\":0}\n\n");
            idx = 1;
        }
        if (m->tool[0]) {
            sse(b, "content_block_start");
            evbuffer_add_printf(b,
                                "{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":{\"type\":\"tool_use\",\"id\":"
                                "\"toolu_mock1\",\"name\":",
                                idx);
            put_str(b, m->tool, strlen(m->tool));
            ADDL(b, ",\"input\":{}}}\n\n");
            sse(b, "content_block_delta");
            evbuffer_add_printf(b,
                                "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":{\"type\":\"input_json_delta\","
                                "\"partial_json\":\"{\\\"q\\\":\"}}\n\n",
                                idx);
            sse(b, "content_block_delta");
            evbuffer_add_printf(b,
                                "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":{\"type\":\"input_json_delta\","
                                "\"partial_json\":\"\\\"mock\\\"}\"}}\n\n",
                                idx);
            sse(b, "content_block_stop");
            evbuffer_add_printf(b, "{\"type\":\"content_block_stop\",\"index\":%d}\n\n", idx);
        }
        sse(b, "message_delta");
        evbuffer_add_printf(b,
                            "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\",\"stop_sequence\":null},\"usage\":{"
                            "\"output_tokens\":%d}}\n\n",
                            m->tool[0] ? "tool_use" : "end_turn", usage_out(m));
        sse(b, "message_stop");
        ADDL(b, "{\"type\":\"message_stop\"}\n\n");
        return;
    }
    if (m->tool[0]) {
        oa_chunk_head(b, m);
        ADDL(b, "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_mock1\",\"type\":\"function\",\"function\":{"
                "\"name\":");
        put_str(b, m->tool, strlen(m->tool));
        ADDL(b, ",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        oa_chunk_head(b, m);
        ADDL(b, "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":");
        put_tool_args(b);
        ADDL(b, "}}]},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    }
    oa_chunk_head(b, m);
    evbuffer_add_printf(b, "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"%s\"}]}\n\n",
                        m->tool[0] ? "tool_calls" : "stop");
    if (m->include_usage) {
        oa_chunk_head(b, m);
        ADDL(b, "[],");
        put_usage_openai(b, m);
        ADDL(b, "}\n\n");
    }
    if (!m->d.no_done)
        ADDL(b, "data: [DONE]\n\n");
}

static void put_error_event(struct evbuffer *b, struct mreq *m)
{
    if (m->proto == P_ANTHROPIC) {
        sse(b, "error");
        ADDL(b, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"mock error event\"}}\n\n");
    } else {
        sse(b, NULL);
        ADDL(b, "{\"error\":{\"message\":\"mock error event\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
    }
}

static void put_malformed_event(struct evbuffer *b, struct mreq *m)
{
    sse(b, m->proto == P_ANTHROPIC ? "content_block_delta" : NULL);
    ADDL(b, "{\"choices\":[{\"delta\":{\"content\":\"x\"}\n\n");
}

static void on_flushed_then_break(struct evhttp_connection *evcon, void *arg)
{
    struct mreq *m = arg;
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
    m->closing = true;
    if (bev)
        shutdown(bufferevent_getfd(bev), SHUT_RDWR); /* libevent sees EOF and closes: on_close */
}

static void schedule(struct mreq *m, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(m->timer, &tv);
}

/* Sends what is buffered; with `then_break`, closes the connection once it is written. */
static void flush(struct mreq *m, bool then_break)
{
    struct evbuffer *b = m->w->scratch;
    if (then_break) {
        if (!evbuffer_get_length(b))
            ADDL(b, ": mock\n\n");
        evhttp_send_reply_chunk_with_cb(m->req, b, on_flushed_then_break, m);
    } else if (evbuffer_get_length(b)) {
        evhttp_send_reply_chunk(m->req, b);
    }
}

/* A stream's normal end: what is buffered goes out, the chunked reply closes, the request is done. */
static void end_stream(struct mreq *m)
{
    flush(m, false);
    evhttp_connection_set_closecb(m->evcon, NULL, NULL);
    m->evcon = NULL;
    evhttp_send_reply_end(m->req);
    m->req = NULL;
    atomic_fetch_add(&st.completed, 1);
    finish(m);
}

/* Emits stream pieces from m->next on, until a delay, a scripted failure or the end. */
static void stream_step(struct mreq *m)
{
    struct evbuffer *b = m->w->scratch;
    int n = n_pieces(m);
    for (;;) {
        int i = m->next;
        if (i == m->d.break_after) {
            flush(m, true);
            return;
        }
        if (i == m->d.hang_after) {
            flush(m, false);
            return;
        }
        if (i == m->d.malformed_after) {
            put_malformed_event(b, m);
            m->d.malformed_after = -1;
        }
        if (i == m->d.error_after) {
            put_error_event(b, m);
            end_stream(m);
            return;
        }
        if (i >= n)
            break;
        put_piece_event(b, m, i);
        m->next++;
        if (m->d.chunk_delay_ms > 0) {
            flush(m, false);
            schedule(m, m->d.chunk_delay_ms);
            return;
        }
    }
    put_epilogue(b, m);
    end_stream(m);
}

/* The response starts: after delay_ms. */
static void start(struct mreq *m)
{
    struct evbuffer *b = m->w->scratch;
    m->started = true;
    if (m->d.status >= 400) {
        char msg[64];
        snprintf(msg, sizeof msg, "mock %s: scripted HTTP %d", mock_name, m->d.status);
        reply_error(m, m->d.status, msg);
        return;
    }
    if (!m->stream) {
        add_header(m->req, "Content-Type", "application/json");
        if (m->d.malformed_after >= 0) {
            ADDL(b, "{\"choices\":[{\"message\":");
            complete(m, 200, b);
            return;
        }
        put_plain(b, m);
        if (m->d.break_after >= 0) { /* half the body, then close */
            size_t len = evbuffer_get_length(b);
            evbuffer_drain(b, len - len / 2);
            evhttp_send_reply_start(m->req, 200, "OK");
            flush(m, true);
            return;
        }
        complete(m, 200, b);
        return;
    }
    add_header(m->req, "Content-Type", "text/event-stream");
    add_header(m->req, "Cache-Control", "no-cache");
    evhttp_send_reply_start(m->req, 200, "OK");
    if (m->d.error_after == 0) { /* an error event as the very first event */
        stream_step(m);
        return;
    }
    if (m->d.malformed_after == 0) { /* the very first event */
        put_malformed_event(b, m);
        m->d.malformed_after = -1;
    }
    put_prologue(b, m);
    stream_step(m);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct mreq *m = arg;
    if (!m->started)
        start(m);
    else
        stream_step(m);
}

/* ---- request handling ------------------------------------------------------------------------ */

static const char *method_name(enum evhttp_cmd_type c)
{
    switch (c) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    default:
        return "OTHER";
    }
}

/* The request as received: {"method","path","headers":{lower-case name: value},"body": the body as a string}. */
static char *describe(struct evhttp_request *req, const char *path, const char *body, size_t len)
{
    struct evbuffer *b = evbuffer_new();
    if (!b)
        return NULL;
    evbuffer_add_printf(b, "{\"method\":\"%s\",\"path\":", method_name(evhttp_request_get_command(req)));
    put_str(b, path, strlen(path));
    ADDL(b, ",\"headers\":{");
    struct evkeyvalq *hs = evhttp_request_get_input_headers(req);
    for (struct evkeyval *kv = hs->tqh_first; kv; kv = kv->next.tqe_next) {
        char name[128];
        size_t n = strlen(kv->key);
        if (n >= sizeof name)
            continue;
        for (size_t i = 0; i < n; i++)
            name[i] = (char)((kv->key[i] >= 'A' && kv->key[i] <= 'Z') ? kv->key[i] | 0x20 : kv->key[i]);
        if (kv != hs->tqh_first)
            ADDL(b, ",");
        put_str(b, name, n);
        ADDL(b, ":");
        put_str(b, kv->value, strlen(kv->value));
    }
    ADDL(b, "},\"body\":");
    put_str(b, body ? body : "", len);
    ADDL(b, "}");
    size_t n = evbuffer_get_length(b);
    char *s = malloc(n + 1);
    if (s) {
        evbuffer_remove(b, s, n);
        s[n] = 0;
    }
    evbuffer_free(b);
    return s;
}

static void reply_json(struct evhttp_request *req, int status, const char *json)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, json, strlen(json));
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, status, NULL, b);
    evbuffer_free(b);
}

static void handle_control(struct evhttp_request *req, const char *path, const char *body, size_t len)
{
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    char out[512];
    if (!strcmp(path, "/mock/stats") && cmd == EVHTTP_REQ_GET) {
        snprintf(out, sizeof out,
                 "{\"name\":\"%s\",\"requests\":%ld,\"chat\":%ld,\"messages\":%ld,\"completed\":%ld,\"cancelled\":%ld,"
                 "\"broken\":%ld,\"in_flight\":%ld}",
                 mock_name, atomic_load(&st.requests), atomic_load(&st.chat), atomic_load(&st.messages), atomic_load(&st.completed),
                 atomic_load(&st.cancelled), atomic_load(&st.broken), atomic_load(&st.in_flight));
        reply_json(req, 200, out);
    } else if (!strcmp(path, "/mock/last") && cmd == EVHTTP_REQ_GET) {
        pthread_mutex_lock(&st.lock);
        char *s = st.last ? strdup(st.last) : NULL;
        pthread_mutex_unlock(&st.lock);
        reply_json(req, s ? 200 : 404, s ? s : "{\"error\":\"no request yet\"}");
        free(s);
    } else if (!strcmp(path, "/mock/config") && cmd == EVHTTP_REQ_POST) {
        if (len >= MOCK_CONFIG_CAP) {
            reply_json(req, 413, "{\"error\":\"directives too long\"}");
            return;
        }
        pthread_mutex_lock(&st.lock);
        memcpy(st.config, body ? body : "", len);
        st.config[len] = 0;
        pthread_mutex_unlock(&st.lock);
        reply_json(req, 200, "{\"ok\":true}");
    } else if (!strcmp(path, "/mock/reset") && cmd == EVHTTP_REQ_POST) {
        pthread_mutex_lock(&st.lock);
        st.config[0] = 0;
        free(st.last);
        st.last = NULL;
        pthread_mutex_unlock(&st.lock);
        atomic_store(&st.requests, 0);
        atomic_store(&st.chat, 0);
        atomic_store(&st.messages, 0);
        atomic_store(&st.completed, 0);
        atomic_store(&st.cancelled, 0);
        atomic_store(&st.broken, 0);
        reply_json(req, 200, "{\"ok\":true}");
    } else {
        reply_json(req, 404, "{\"error\":\"unknown mock control path\"}");
    }
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct worker *w = arg;
    const char *uri = evhttp_request_get_uri(req);
    char path[256];
    size_t pl = strcspn(uri, "?");
    if (pl >= sizeof path)
        pl = sizeof path - 1;
    memcpy(path, uri, pl);
    path[pl] = 0;
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    const char *body = len ? (const char *)evbuffer_pullup(in, -1) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

    if (!strncmp(path, "/mock/", 6)) {
        handle_control(req, path, body, len);
        return;
    }
    if (!strcmp(path, "/healthz")) {
        reply_json(req, 200, "{\"status\":\"ok\"}");
        return;
    }
    if ((!strcmp(path, "/v1/models") || !strcmp(path, "/models")) && cmd == EVHTTP_REQ_GET) {
        char out[256];
        snprintf(out, sizeof out,
                 "{\"object\":\"list\",\"data\":[{\"id\":\"mock-model\",\"object\":\"model\",\"created\":0,\"owned_by\":\"%s\"}]}",
                 mock_name);
        reply_json(req, 200, out);
        return;
    }
    enum proto proto;
    if (!strcmp(path, "/v1/chat/completions") || !strcmp(path, "/chat/completions"))
        proto = P_OPENAI;
    else if (!strcmp(path, "/v1/messages") || !strcmp(path, "/messages"))
        proto = P_ANTHROPIC;
    else {
        reply_json(req, 404,
                   "{\"error\":{\"message\":\"mock: no such path\",\"type\":\"invalid_request_error\",\"param\":null,"
                   "\"code\":\"unknown_url\"}}");
        return;
    }

    atomic_fetch_add(&st.requests, 1);
    atomic_fetch_add(proto == P_OPENAI ? &st.chat : &st.messages, 1);
    struct mreq *m = calloc(1, sizeof *m);
    if (!m) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    atomic_fetch_add(&st.in_flight, 1);
    m->w = w;
    m->req = req;
    m->proto = proto;
    m->evcon = evhttp_request_get_connection(req);
    m->timer = evtimer_new(w->base, on_timer, m);
    m->created = (long)time(NULL);
    snprintf(m->id, sizeof m->id, "%s-%ld", proto == P_OPENAI ? "chatcmpl-mock" : "msg_mock", atomic_load(&st.requests));

    char *desc = describe(req, path, body, len);
    pthread_mutex_lock(&st.lock);
    free(st.last);
    st.last = desc ? strdup(desc) : NULL;
    dirs_default(&m->d);
    dirs_parse(&m->d, st.config, st.config + strlen(st.config));
    pthread_mutex_unlock(&st.lock);
    dirs_from_headers(&m->d, evhttp_request_get_input_headers(req));
    if (body)
        dirs_from_body(&m->d, body, len);
    m->echo = desc;

    evhttp_connection_set_closecb(m->evcon, on_close, m);
    struct bufferevent *bev = evhttp_connection_get_bufferevent(m->evcon);
    if (bev)
        bufferevent_enable(bev, EV_READ); /* notice a client that goes away while we wait */

    json_t *j = body ? json_loadb(body, len, 0, NULL) : NULL;
    if (cmd != EVHTTP_REQ_POST || !json_is_object(j)) {
        json_decref(j);
        m->model = strdup("\"mock-model\"");
        reply_error(m, cmd != EVHTTP_REQ_POST ? 405 : 400, "mock: the body must be a JSON object (POST)");
        return;
    }
    json_t *model = json_object_get(j, "model");
    const char *mname = json_is_string(model) ? json_string_value(model) : "mock-model";
    struct evbuffer *mb = evbuffer_new();
    put_str(mb, mname, strlen(mname));
    size_t ml = evbuffer_get_length(mb);
    m->model = malloc(ml + 1);
    if (m->model) {
        evbuffer_remove(mb, m->model, ml);
        m->model[ml] = 0;
    }
    evbuffer_free(mb);
    m->stream = json_is_true(json_object_get(j, "stream"));
    m->include_usage = json_is_true(json_object_get(json_object_get(j, "stream_options"), "include_usage"));
    m->logprobs = json_is_true(json_object_get(j, "logprobs"));
    if (m->d.tool[0]) {
        const char *tn = m->d.tool;
        if (!strcmp(tn, "1")) {
            json_t *t0 = json_array_get(json_object_get(j, "tools"), 0);
            json_t *nm = proto == P_OPENAI ? json_object_get(json_object_get(t0, "function"), "name") : json_object_get(t0, "name");
            tn = json_is_string(nm) ? json_string_value(nm) : "mock_tool";
        }
        snprintf(m->tool, sizeof m->tool, "%s", tn);
    }
    const char *bad = NULL;
    if (!json_is_array(json_object_get(j, "messages")))
        bad = "mock: 'messages' must be an array";
    else if (proto == P_ANTHROPIC && !json_is_integer(json_object_get(j, "max_tokens")))
        bad = "mock: 'max_tokens' is required";
    json_decref(j);
    if (!m->model || !m->timer) {
        reply_error(m, 500, "mock: out of memory");
        return;
    }
    if (bad) {
        reply_error(m, 400, bad);
        return;
    }
    if (m->d.hang)
        return; /* until the client goes away */
    if (m->d.delay_ms > 0)
        schedule(m, m->d.delay_ms);
    else
        start(m);
}

/* ---- main ------------------------------------------------------------------------------------ */

static int listen_socket(const char *host, int port, bool reuseport, int *bound_port)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport)
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    /* accepted sockets inherit it: the last small piece of an answer (a stream's final chunk) must
     * not wait for the client's delayed ACK (a 40 ms stall that skews timings and benchmarks) */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1024)) {
        close(fd);
        return -1;
    }
    socklen_t sl = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &sl);
    *bound_port = ntohs(a.sin_port);
    return fd;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

static struct worker workers[MOCK_MAX_WORKERS];
static bool blackhole; /* --blackhole: listen with no backlog and never accept */
static int n_workers = 1;

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    for (int i = 0; i < n_workers; i++)
        event_base_loopbreak(workers[i].base);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: sov-mock [--listen HOST:PORT] [--name NAME] [--workers N] [--config DIRECTIVES]\n"
               "A scriptable mock upstream speaking the OpenAI chat-completions and Anthropic Messages protocols.\n"
               "Prints 'listening HOST:PORT' on stdout once it accepts connections; stops on SIGTERM/SIGINT.\n\n"
               "  --listen HOST:PORT  IPv4 address (default 127.0.0.1:0: a free port)\n"
               "  --name NAME         its name: in answers, and for NAME.key=value directives (default mock)\n"
               "  --workers N         event-loop threads on one port (default 1)\n"
               "  --config DIRS       initial directives, as POST /mock/config sets them\n"
               "  --blackhole         accept nothing (no backlog): connects hang, for connect timeouts\n\n"
               "Directives (key=value; from /mock/config, x-mock-KEY headers, '#mock k=v ...' in the body):\n");
    for (size_t i = 0; i < N_DIRS; i++)
        fprintf(f, "  %-16s %s\n", dir_table[i].key, dir_table[i].help);
    fprintf(f, "\nControl: GET /mock/stats, GET /mock/last, POST /mock/config, POST /mock/reset. See docs/testing.md.\n");
}

static int bad_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "sov-mock: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

int main(int argc, char **argv)
{
    const char *listen_at = "127.0.0.1:0";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "--blackhole")) {
            blackhole = true;
            continue;
        }
        if (!strcmp(a, "--listen") && has_val)
            listen_at = argv[++i];
        else if (!strcmp(a, "--name") && has_val)
            mock_name = argv[++i];
        else if (!strcmp(a, "--workers") && has_val) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > MOCK_MAX_WORKERS)
                return bad_usage("--workers must be 1..64", argv[i]);
            n_workers = (int)n;
        } else if (!strcmp(a, "--config") && has_val) {
            const char *c = argv[++i];
            if (strlen(c) >= MOCK_CONFIG_CAP)
                return bad_usage("--config too long", NULL);
            snprintf(st.config, sizeof st.config, "%s", c);
        } else
            return bad_usage(has_val || a[0] != '-' ? "unknown argument" : "missing value for", a);
    }
    if (strlen(mock_name) == 0 || strlen(mock_name) > 48)
        return bad_usage("--name must be 1..48 characters", NULL);
    char host[64];
    const char *colon = strrchr(listen_at, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || (size_t)(colon - listen_at) >= sizeof host || !end || *end || colon[1] == 0 || port < 0 || port > 65535)
        return bad_usage("--listen must be HOST:PORT", listen_at);
    memcpy(host, listen_at, (size_t)(colon - listen_at));
    host[colon - listen_at] = 0;

    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    if (blackhole) {
        /* a full accept queue: once one connection waits in it, the kernel drops new SYNs, so a
         * client's connect hangs until its connect timeout (tests of connect_ms, loopback only) */
        int bport = 0, fd = listen_socket(host, (int)port, false, &bport);
        if (fd < 0 || listen(fd, 0) != 0) {
            fprintf(stderr, "sov-mock: cannot listen on %s:%ld: %s\n", host, port, strerror(errno));
            return 1;
        }
        printf("listening %s:%d\n", host, bport);
        fflush(stdout);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_BLOCK, &set, NULL);
        int sig;
        sigwait(&set, &sig);
        close(fd);
        return 0;
    }
    int bound = (int)port;
    for (int i = 0; i < n_workers; i++) {
        struct worker *w = &workers[i];
        int fd = listen_socket(host, bound, n_workers > 1, &bound);
        if (fd < 0) {
            fprintf(stderr, "sov-mock: cannot listen on %s:%d: %s\n", host, bound, strerror(errno));
            return 1;
        }
        w->base = event_base_new();
        w->http = w->base ? evhttp_new(w->base) : NULL;
        w->scratch = evbuffer_new();
        if (!w->http || !w->scratch || !evhttp_accept_socket_with_handle(w->http, fd)) {
            fprintf(stderr, "sov-mock: cannot start its event loop\n");
            return 1;
        }
        evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                                EVHTTP_REQ_HEAD | EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
        evhttp_set_gencb(w->http, on_request, w);
    }
    struct event *sigs[2] = {evsignal_new(workers[0].base, SIGTERM, on_signal, NULL),
                             evsignal_new(workers[0].base, SIGINT, on_signal, NULL)};
    event_add(sigs[0], NULL);
    event_add(sigs[1], NULL);
    printf("listening %s:%d\n", host, bound);
    fflush(stdout);
    for (int i = 1; i < n_workers; i++)
        pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    event_base_dispatch(workers[0].base);
    for (int i = 1; i < n_workers; i++) {
        event_base_loopbreak(workers[i].base);
        pthread_join(workers[i].thread, NULL);
    }
    event_free(sigs[0]);
    event_free(sigs[1]);
    for (int i = 0; i < n_workers; i++) {
        evhttp_free(workers[i].http); /* closes connections: on_close frees what is still open */
        evbuffer_free(workers[i].scratch);
        event_base_free(workers[i].base);
    }
    free(st.last);
    libevent_global_shutdown();
    return 0;
}
