/*
 * The audit engine (see audit.h): inputs -> chunks -> worker threads -> aggregates -> result.
 */
#define SOV_LOG_MODULE "audit"
#include "audit/agg.h"
#include "audit/audit_int.h"
#include "common/buf.h"
#include "common/csv.h"
#include "common/util.h"
#include "sovereign/sovereign.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (4u << 20)
#define QUEUE_DEPTH 4
#define CACHE_SHARDS 64
#define CACHE_SHARD_MAX 4096

void sov_audit_opts_default(struct sov_audit_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_record_bytes = 64u << 20;
    o->max_templates = 20000;
    o->local = (struct sov_audit_local){-1, -1, -1, -1, -1, -1, -1};
}

const char *sov_audit_band_name(int band)
{
    static const char *const names[] = {"low", "medium", "high"};
    return band >= 0 && band < SOV_AUDIT_BANDS ? names[band] : "unknown";
}

static int band_of(float complexity)
{
    return complexity < 0.35f ? 0 : complexity < 0.65f ? 1 : 2;
}

/* ---- the per-template verdict cache, shared by the workers ---- */

struct verdict {
    uint64_t key;
    float probs[SOV_TASK_COUNT];
    float complexity;
    int task;
};

struct cache_shard {
    pthread_mutex_t mu;
    struct verdict *v; /* open addressing, CACHE_SHARD_MAX * 2 slots; key 0 = empty */
    size_t n;
};

struct vcache {
    struct cache_shard shard[CACHE_SHARDS];
};

static bool cache_get(struct vcache *c, uint64_t key, struct sov_decision *d)
{
    struct cache_shard *s = &c->shard[key % CACHE_SHARDS];
    bool hit = false;
    pthread_mutex_lock(&s->mu);
    if (s->v) {
        size_t cap = CACHE_SHARD_MAX * 2, k = (key / CACHE_SHARDS) & (cap - 1);
        while (s->v[k].key) {
            if (s->v[k].key == key) {
                memcpy(d->task_probs, s->v[k].probs, sizeof d->task_probs);
                d->complexity = s->v[k].complexity;
                d->task = (enum sov_task)s->v[k].task;
                hit = true;
                break;
            }
            k = (k + 1) & (cap - 1);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return hit;
}

static void cache_put(struct vcache *c, uint64_t key, const struct sov_decision *d)
{
    struct cache_shard *s = &c->shard[key % CACHE_SHARDS];
    pthread_mutex_lock(&s->mu);
    if (!s->v)
        s->v = calloc(CACHE_SHARD_MAX * 2, sizeof *s->v);
    if (s->v && s->n < CACHE_SHARD_MAX) {
        size_t cap = CACHE_SHARD_MAX * 2, k = (key / CACHE_SHARDS) & (cap - 1);
        while (s->v[k].key && s->v[k].key != key)
            k = (k + 1) & (cap - 1);
        if (!s->v[k].key) { /* the first verdict stays */
            s->v[k].key = key;
            memcpy(s->v[k].probs, d->task_probs, sizeof d->task_probs);
            s->v[k].complexity = d->complexity;
            s->v[k].task = (int)d->task;
            s->n++;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

/* ---- batch joins (custom_id -> the side seen first) ---- */

struct pending {
    char *id;
    int side; /* 1 input, 2 output */
    struct sov__obs o;
    char *model, *workflow, *tpl_text;
    uint32_t file;
    struct pending *next;
};

#define JOIN_BUCKETS 4096

#define JOIN_MAX_PENDING 262144 /* halves waiting for their other half; beyond, counted unmatched at once */

struct joins {
    pthread_mutex_t mu;
    struct pending *b[JOIN_BUCKETS];
    size_t n;
};

/* ---- jobs and the queue ---- */

enum job_kind { JOB_LINES, JOB_VALUES, JOB_CSV };

struct csv_header {
    size_t n;
    char **quoted; /* "name" with its quotes, for sov_jobj keys */
};

struct job {
    enum job_kind kind;
    char *data;
    size_t len;
    uint32_t file;
    uint64_t line0;
    const struct csv_header *hdr;
    int format; /* forced row or -1 */
};

struct audit {
    const struct sov_audit_opts *o;
    const struct sov_router *router;
    const struct sov_pricing *pricing;
    struct vcache cache;
    struct joins joins;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    struct job q[QUEUE_DEPTH];
    size_t q_head, q_n;
    bool done;
    char **files;
    size_t n_files, alloc_files;
    struct csv_header **hdrs;
    size_t n_hdrs;
    int forced;
};

struct worker {
    struct audit *a;
    pthread_t th;
    struct sov__agg agg;
    struct sov_router_scratch *rs;
    struct sov_arena arena;
    struct sov_buf tpl;
    struct sov_audit_rec rec;
};

static void q_push(struct audit *a, struct job j)
{
    pthread_mutex_lock(&a->mu);
    while (a->q_n == QUEUE_DEPTH)
        pthread_cond_wait(&a->not_full, &a->mu);
    a->q[(a->q_head + a->q_n) % QUEUE_DEPTH] = j;
    a->q_n++;
    pthread_cond_signal(&a->not_empty);
    pthread_mutex_unlock(&a->mu);
}

static bool q_pop(struct audit *a, struct job *j)
{
    pthread_mutex_lock(&a->mu);
    while (!a->q_n && !a->done)
        pthread_cond_wait(&a->not_empty, &a->mu);
    bool got = a->q_n > 0;
    if (got) {
        *j = a->q[a->q_head];
        a->q_head = (a->q_head + 1) % QUEUE_DEPTH;
        a->q_n--;
        pthread_cond_signal(&a->not_full);
    }
    pthread_mutex_unlock(&a->mu);
    return got;
}

/* ---- one record ---- */

static const char *provider_of(const char *model, const char *hint)
{
    const char *base = sov_pricing_base_name(model);
    static const struct {
        const char *prefix, *provider;
    } rows[] = {
        {"claude", "anthropic"}, {"gpt-", "openai"},  {"o1", "openai"},         {"o3", "openai"},      {"o4", "openai"},
        {"chatgpt", "openai"},   {"text-", "openai"}, {"davinci", "openai"},    {"gemini", "google"},  {"mistral", "mistral"},
        {"mixtral", "mistral"},  {"llama", "meta"},   {"deepseek", "deepseek"}, {"command", "cohere"}, {"qwen", "alibaba"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strncasecmp(base, rows[i].prefix, strlen(rows[i].prefix)))
            return rows[i].provider;
    return hint ? hint : "other";
}

static void estimate(const struct sov_audit_rec *r, struct sov__obs *o)
{
    size_t bytes = 0;
    for (size_t i = 0; i < r->n_msgs; i++)
        bytes += r->msgs[i].len;
    if (r->prompt_tokens >= 0) {
        o->prompt = r->prompt_tokens;
    } else {
        /* ~4 bytes per token (English text, BPE tokenizers) plus 4 per message for the chat framing */
        o->prompt = (int64_t)((bytes + 3) / 4 + 4 * r->n_msgs);
        o->est_prompt = true;
    }
    if (r->completion_tokens >= 0) {
        o->completion = r->completion_tokens;
    } else if (r->has_response) {
        o->completion = (int64_t)((r->response_bytes + 3) / 4);
        o->est_completion = true;
    } else {
        o->completion = 0;
        o->no_response = true;
    }
    o->cached = r->cached_tokens > 0 ? r->cached_tokens : 0;
    o->cache_write = r->cache_write_tokens > 0 ? r->cache_write_tokens : 0;
}

static size_t len_bucket(const struct sov_audit_rec *r)
{
    size_t bytes = 0, b = 0;
    for (size_t i = 0; i < r->n_msgs; i++)
        bytes += r->msgs[i].len;
    while (bytes >>= 1)
        b++;
    return b;
}

static char *dup0(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void pending_free(struct pending *p)
{
    free(p->id);
    free(p->model);
    free(p->workflow);
    free(p->tpl_text);
    free(p);
}

/* a batch line: wait for its other half, or complete the pair */
static void join(struct worker *w, struct sov__obs *o, const struct sov_audit_rec *r, uint32_t file)
{
    struct audit *a = w->a;
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *c = r->join_id; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
    struct joins *j = &a->joins;
    pthread_mutex_lock(&j->mu);
    struct pending **pp = &j->b[h % JOIN_BUCKETS], *p;
    while ((p = *pp) && (strcmp(p->id, r->join_id) || p->side == r->join))
        pp = &p->next;
    if (!p && j->n >= JOIN_MAX_PENDING) {
        /* memory stays bounded: this half is counted now, as if its other half never came */
        pthread_mutex_unlock(&j->mu);
        if (r->join == 1)
            w->agg.batch_unmatched_inputs++;
        else
            w->agg.batch_unmatched_outputs++;
        sov__agg_add(&w->agg, a->pricing, o);
        return;
    }
    if (!p) {
        p = calloc(1, sizeof *p);
        if (p) {
            j->n++;
            p->id = strdup(r->join_id);
            p->side = r->join;
            p->o = *o;
            p->model = dup0(o->model);
            p->workflow = dup0(o->workflow);
            p->tpl_text = dup0(o->tpl_text);
            p->file = file;
            p->next = j->b[h % JOIN_BUCKETS];
            j->b[h % JOIN_BUCKETS] = p;
        }
        pthread_mutex_unlock(&j->mu);
        return;
    }
    *pp = p->next;
    j->n--;
    pthread_mutex_unlock(&j->mu);
    const struct sov__obs *in = p->side == 1 ? &p->o : o, *out = p->side == 1 ? o : &p->o;
    struct sov__obs m = *in;
    /* usage and the model actually used come from the output */
    m.model = (p->side == 2 ? p->model : o->model);
    if (!m.model || !*m.model)
        m.model = p->side == 1 ? p->model : o->model;
    m.workflow = p->side == 1 ? p->workflow : o->workflow;
    m.tpl_text = p->side == 1 ? p->tpl_text : o->tpl_text;
    m.provider = out->provider;
    m.failed = out->failed;
    if (!out->est_prompt)
        m.prompt = out->prompt, m.est_prompt = false;
    m.completion = out->completion;
    m.est_completion = out->est_completion;
    m.no_response = out->no_response;
    m.cached = out->cached;
    m.cache_write = out->cache_write;
    if (out->ts)
        m.ts = out->ts;
    sov__agg_add(&w->agg, a->pricing, &m);
    pending_free(p);
}

/* one record: v is the whole object (type 0 for a CSV row), top its indexed members */
static void process_top(struct worker *w, struct sov_jv v, const struct sov_jobj *top_, uint32_t file, uint64_t line, int f)
{
    struct audit *a = w->a;
    const struct sov_jobj *tp = top_;
    struct sov_audit_rctx cx = {v, &w->arena, a->o->workflow_field};
    struct sov_audit_rec *r = &w->rec;
    memset(r, 0, offsetof(struct sov_audit_rec, join_id));
    r->join_id[0] = '\0';
    r->prompt_tokens = r->completion_tokens = r->cached_tokens = r->cache_write_tokens = -1;
    r->logged_cost = -1;
    const char *why = "unreadable record";
    int rc = sov__audit_formats[f]->parse(&cx, tp, r, &why);
    if (rc == 0)
        w->agg.format_records[f < 16 ? f : 15]++;
    if (rc != 0) {
        sov__agg_error(&w->agg, file, line, why);
    } else {
        struct sov__obs o;
        memset(&o, 0, sizeof o);
        o.model = r->model;
        o.provider = provider_of(r->model, r->provider);
        o.workflow = r->has_workflow ? r->workflow : NULL;
        o.task = SOV_AUDIT_TASK_UNKNOWN;
        o.band = -1;
        o.route = -1;
        o.failed = r->failed;
        o.ts = r->ts;
        o.cost_override = r->logged_cost;
        estimate(r, &o);
        char display[sizeof(((struct sov_audit_template *)0)->text)];
        if (r->has_decision) {
            /* the gateway already decided, with the same router: its decision is the record */
            o.task = r->dec_task;
            o.route = r->dec_route;
            o.band = r->dec_complexity >= 0 ? band_of(r->dec_complexity) : -1;
            o.sens = r->dec_sens;
        } else if (r->has_prompt && r->n_msgs) {
            struct sov_decision d;
            memset(&d, 0, sizeof d);
            sov_router_scan_msgs(a->router, w->rs, r->msgs, r->n_msgs, &d);
            o.tpl = sov__audit_template(r->msgs, r->n_msgs, &d, &w->tpl, display, sizeof display);
            o.has_template = true;
            o.tpl_text = display;
            uint64_t key = (o.tpl ^ (len_bucket(r) * 0x9E3779B97F4A7C15ull) ^ (r->has_tools ? 0x5bd1e995ull : 0)) | 1;
            bool known = !a->o->exact && cache_get(&a->cache, key, &d);
            int crc = known ? 0 : sov_router_classify_msgs(a->router, w->rs, r->msgs, r->n_msgs, r->has_tools, &d);
            if (crc == 0) {
                if (!known && !a->o->exact)
                    cache_put(&a->cache, key, &d);
                sov_router_apply_policy(a->router, o.workflow, NULL, &d);
                o.task = (int)d.task;
                o.band = band_of(d.complexity);
                o.route = (int)d.route;
            }
            o.sens = d.sensitive_types;
        }
        if (r->join) {
            if (r->join == 2)
                o.has_template = false;
            join(w, &o, r, file);
        } else {
            sov__agg_add(&w->agg, a->pricing, &o);
        }
    }
    sov__arena_reset(&w->arena);
}

static void process(struct worker *w, struct sov_jv v, uint32_t file, uint64_t line, int forced)
{
    struct sov_jobj top;
    if (v.type != '{' || sov__js_index(v, &top) != 0) {
        sov__agg_error(&w->agg, file, line, v.type == '{' ? "malformed or truncated JSON" : "not a JSON object");
        return;
    }
    int f = forced >= 0 ? forced : sov__audit_format_detect(&top);
    if (f < 0) {
        sov__agg_error(&w->agg, file, line, "not a record of any known log format");
        return;
    }
    process_top(w, v, &top, file, line, f);
}

static uint64_t line_of(const char *start, const char *p, uint64_t line0)
{
    uint64_t l = line0;
    for (const char *q = start; q < p && (q = memchr(q, '\n', (size_t)(p - q))); q++)
        l++;
    return l;
}

static void run_lines(struct worker *w, const struct job *j)
{
    const char *p = j->data, *e = j->data + j->len;
    uint64_t line = j->line0;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        const char *s = p;
        while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if ((size_t)(le - p) > w->a->o->max_record_bytes) {
            sov__agg_error(&w->agg, j->file, line, "record longer than --max-record-bytes");
        } else if (s < le) {
            struct sov_jv v;
            const char *t = le;
            while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
                t--;
            if (*s == '{' && t[-1] == '}') {
                /* an object: indexing its members checks it, no separate validation pass */
                v = (struct sov_jv){s, (size_t)(t - s), '{'};
                process(w, v, j->file, line, j->format);
            } else if (sov__js_value(s, le, &v) != 0)
                sov__agg_error(&w->agg, j->file, line,
                               sov__js_skip(s, le) ? "trailing data after the JSON value" : "malformed or truncated JSON");
            else
                process(w, v, j->file, line, j->format);
        }
        line++;
        p = le + 1;
    }
}

/* a document: one JSON value, a sequence of them, or an array of records */
static void run_values(struct worker *w, const struct job *j)
{
    const char *p = j->data, *e = j->data + j->len;
    while (p < e) {
        while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        if (p >= e)
            break;
        const char *end = sov__js_skip(p, e);
        uint64_t line = line_of(j->data, p, j->line0);
        if (!end) {
            sov__agg_error(&w->agg, j->file, line, "malformed or truncated JSON");
            break;
        }
        struct sov_jv v = {p, (size_t)(end - p), *p};
        if (*p == '[') {
            const char *it = NULL;
            struct sov_jv el;
            int rc;
            struct sov_jobj o0;
            if (j->format < 0 && sov__js_next(v, &it, &el) == 1 && el.type == '{' && sov__js_index(el, &o0) == 0 &&
                sov__js_get(&o0, "role").type && sov__audit_format_detect(&o0) < 0) {
                /* a conversation saved on its own: no model, no usage, not a log of calls */
                sov__agg_error(&w->agg, j->file, line, "a JSON list of chat messages, not records of API calls");
                p = end;
                continue;
            }
            it = NULL;
            while ((rc = sov__js_next(v, &it, &el)) == 1)
                process(w, el, j->file, line_of(j->data, el.s, j->line0), j->format);
            if (rc < 0)
                sov__agg_error(&w->agg, j->file, line, "malformed JSON array");
        } else {
            process(w, v, j->file, line, j->format);
        }
        p = end;
    }
}

static void run_csv(struct worker *w, const struct job *j)
{
    struct sov_csv c;
    sov_csv_init(&c, j->data, j->len);
    struct sov_buf rec = SOV_BUF_INIT(w->a->o->max_record_bytes);
    size_t n;
    int rc;
    while ((rc = sov_csv_next(&c, &rec, &n)) == 1) {
        uint64_t line = j->line0 + c.line - 1;
        if (n == 1 && !sov_csv_field(&rec, n, 0)[0])
            continue; /* an empty line */
        if (n != j->hdr->n) {
            sov__agg_error(&w->agg, j->file, line, "CSV row with a different number of fields than the header");
            continue;
        }
        struct sov_jobj top;
        top.n = n < SOV_JS_MAX_KEYS ? n : SOV_JS_MAX_KEYS;
        for (size_t i = 0; i < top.n; i++) {
            const char *f = sov_csv_field(&rec, n, i);
            top.keys[i] = (struct sov_jv){j->hdr->quoted[i], strlen(j->hdr->quoted[i]), '"'};
            top.vals[i] = (struct sov_jv){f, strlen(f), *f ? 'r' : 0};
        }
        int fi = j->format >= 0 ? j->format : sov__audit_format_detect(&top);
        if (fi < 0) {
            sov__agg_error(&w->agg, j->file, line, "CSV columns of no known log format");
            continue;
        }
        process_top(w, (struct sov_jv){NULL, 0, 0}, &top, j->file, line, fi);
    }
    if (rc < 0)
        sov__agg_error(&w->agg, j->file, j->line0 + c.line - 1, rc == SOV_ELIMIT ? "CSV row too long" : "unterminated CSV quote");
    sov_buf_free(&rec);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct job j;
    while (q_pop(w->a, &j)) {
        if (j.kind == JOB_LINES)
            run_lines(w, &j);
        else if (j.kind == JOB_VALUES)
            run_values(w, &j);
        else
            run_csv(w, &j);
        free(j.data);
    }
    return NULL;
}

/* ---- reading inputs ---- */

struct input {
    gzFile gz;
    const char *name;
    uint32_t file;
    uint64_t line; /* line number of the next byte */
    int format;
    bool corrupt; /* the gzip stream broke off: what came before it is read, the rest is reported */
};

struct progress {
    bool on;
    uint64_t total, done_prev, done;
    uint64_t last_ns, start_ns;
    int fd;
    off_t base;
};

static void progress_show(struct progress *pg, bool final)
{
    if (!pg->on)
        return;
    uint64_t now = sov_now_ns();
    if (!final && now - pg->last_ns < 200000000ull)
        return;
    pg->last_ns = now;
    double s = (double)(now - pg->start_ns) / 1e9;
    double mb = (double)pg->done / 1e6;
    char bar[31];
    int filled = pg->total ? (int)(30.0 * (double)pg->done / (double)pg->total) : 0;
    if (filled > 30)
        filled = 30;
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    if (pg->total)
        fprintf(stderr, "\raudit [%s] %3.0f%%  %.1f MB  %.0f MB/s ", bar, 100.0 * (double)pg->done / (double)pg->total, mb,
                s > 0 ? mb / s : 0);
    else
        fprintf(stderr, "\raudit %.1f MB  %.0f MB/s ", mb, s > 0 ? mb / s : 0);
    if (final)
        fputs("\n", stderr);
}

static void progress_tick(struct progress *pg, gzFile gz)
{
    if (!pg->on)
        return;
    z_off_t off = gzoffset(gz);
    if (off >= 0)
        pg->done = pg->done_prev + (uint64_t)off;
    progress_show(pg, false);
}

static uint64_t count_lines(const char *p, size_t n)
{
    uint64_t c = 0;
    const char *e = p + n;
    while ((p = memchr(p, '\n', (size_t)(e - p)))) {
        c++;
        p++;
    }
    return c;
}

/* the end of the last complete CSV record in [p, p+n) (0 if none): the last newline outside quotes */
static size_t csv_cut(const char *p, size_t n)
{
    bool in = false;
    size_t cut = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            in = !in;
        else if (p[i] == '\n' && !in)
            cut = i + 1;
    }
    return cut;
}

static struct csv_header *csv_header(const char *p, size_t n, char **err)
{
    struct sov_csv c;
    sov_csv_init(&c, p, n);
    struct sov_buf b = SOV_BUF_INIT(1u << 20);
    size_t k;
    if (sov_csv_next(&c, &b, &k) != 1) {
        sov_buf_free(&b);
        *err = strdup("unreadable CSV header");
        return NULL;
    }
    struct csv_header *h = calloc(1, sizeof *h);
    if (h)
        h->quoted = calloc(k ? k : 1, sizeof *h->quoted);
    if (!h || !h->quoted) {
        free(h);
        sov_buf_free(&b);
        *err = strdup("out of memory");
        return NULL;
    }
    h->n = k;
    for (size_t i = 0; i < k; i++) {
        const char *f = sov_csv_field(&b, k, i);
        while (*f == ' ')
            f++;
        h->quoted[i] = sov_asprintf("\"%s\"", f);
    }
    sov_buf_free(&b);
    return h;
}

static void csv_header_free(struct csv_header *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->quoted[i]);
    free(h->quoted);
    free(h);
}

/* reads into buf (which has len bytes) until it holds at least want bytes or the input ends */
static int fill(struct input *in, struct sov_buf *b, size_t want, struct progress *pg)
{
    while (b->len < want) {
        size_t room = want - b->len;
        char *w = sov_buf_reserve(b, room);
        if (!w)
            return SOV_ENOMEM;
        int n = in->corrupt ? 0 : gzread(in->gz, w, (unsigned)(room > (1u << 30) ? (1u << 30) : room));
        int zerr = Z_OK;
        if (n <= 0)
            gzerror(in->gz, &zerr);
        if (n < 0 || (n == 0 && zerr != Z_OK && !in->corrupt)) {
            /* a broken stream; a truncated one reads as its end with Z_BUF_ERROR */
            in->corrupt = true;
            return 0;
        }
        if (n == 0)
            return 0;
        b->len += (size_t)n;
        b->data[b->len] = '\0';
        progress_tick(pg, in->gz);
    }
    return 0;
}

static void submit(struct audit *a, enum job_kind kind, struct sov_buf *b, size_t cut, struct input *in, const struct csv_header *h,
                   uint64_t *bytes)
{
    struct job j = {kind, NULL, cut, in->file, in->line, h, in->format};
    j.data = malloc(cut ? cut : 1);
    if (!j.data)
        return;
    memcpy(j.data, b->data, cut);
    in->line += count_lines(b->data, cut);
    *bytes += cut;
    sov_buf_consume(b, cut);
    q_push(a, j);
}

struct store_walk {
    struct audit *a;
    struct sov__agg *agg;
    uint32_t file;
    uint64_t rows;
};

/* one row of Sovereign's decision store, counted as the gateway decided it */
static int store_row(const struct sov_store_record *sr, void *u)
{
    struct store_walk *sw = u;
    struct sov_audit_rec r;
    memset(&r, 0, sizeof r);
    r.cached_tokens = r.cache_write_tokens = -1;
    sov__audit_decision(&r, sr->model, sr->backend, sr->tier, sr->route, sr->task, sr->complexity, sr->sensitive, sr->status,
                        sr->prompt_tokens, sr->completion_tokens, sr->cost_usd, sr->time);
    const char *wf = sw->a->o->workflow_field;
    const char *workflow = !wf ? NULL : !strcmp(wf, "workflow") ? sr->workflow : !strcmp(wf, "client") ? sr->client : NULL;
    struct sov__obs o;
    memset(&o, 0, sizeof o);
    o.model = r.model;
    o.provider = provider_of(r.model, r.provider);
    o.workflow = workflow && *workflow ? workflow : NULL;
    o.task = r.dec_task;
    o.route = r.dec_route;
    o.band = r.dec_complexity >= 0 ? band_of(r.dec_complexity) : -1;
    o.sens = r.dec_sens;
    o.failed = r.failed;
    o.ts = r.ts;
    o.cost_override = r.logged_cost;
    estimate(&r, &o);
    sov__agg_add(sw->agg, sw->a->pricing, &o);
    sw->agg->format_records[sov__audit_format_find("sovereign-decisions")]++;
    sw->rows++;
    return 0;
}

static int read_input(struct audit *a, struct input *in, struct progress *pg, uint64_t *bytes, struct sov__agg *main_agg,
                      char **err)
{
    struct sov_buf b = SOV_BUF_INIT(0);
    int rc = fill(in, &b, CHUNK, pg);
    if (rc) {
        sov_buf_free(&b);
        *err = sov_asprintf("%s: cannot read (%s)", in->name, rc == SOV_EIO ? "corrupt or truncated gzip data" : "out of memory");
        return rc;
    }
    if (b.len >= 16 && !memcmp(b.data, "SQLite format 3", 16)) {
        /* Sovereign's decision store */
        sov_buf_free(&b);
        if (!strcmp(in->name, "-")) {
            sov__agg_error(main_agg, in->file, 1, "an SQLite decision store cannot be read from stdin: give its path");
            return 0;
        }
        struct store_walk sw = {a, main_agg, in->file, 0};
        struct sov_store_filter f;
        memset(&f, 0, sizeof f);
        char *e = NULL;
        if (sov_store_each(in->name, &f, store_row, &sw, &e) != 0) {
            char reason[256];
            snprintf(reason, sizeof reason, "not a readable Sovereign decision store (%s)", e ? e : "error");
            sov__agg_error(main_agg, in->file, 1, reason);
        }
        free(e);
        struct stat st;
        if (stat(in->name, &st) == 0)
            *bytes += (uint64_t)st.st_size;
        return 0;
    }
    size_t first = 0;
    while (first < b.len &&
           (b.data[first] == ' ' || b.data[first] == '\n' || b.data[first] == '\r' || b.data[first] == '\t' ||
            (unsigned char)b.data[first] == 0xEF || (unsigned char)b.data[first] == 0xBB || (unsigned char)b.data[first] == 0xBF))
        first++;
    if (first == b.len) { /* empty */
        sov_buf_free(&b);
        return 0;
    }
    char c0 = b.data[first];
    size_t maxrec = a->o->max_record_bytes;
    if (c0 == '{' || c0 == '[') {
        /* JSONL, unless the first value spans lines (a document: pretty-printed, an array) */
        const char *nl = memchr(b.data + first, '\n', b.len - first);
        const char *end1 = nl ? sov__js_skip(b.data + first, nl) : NULL;
        bool lines = c0 == '{' && end1 != NULL;
        if (!lines) {
            /* a document: read it whole (up to the record cap) */
            rc = fill(in, &b, maxrec + 1, pg);
            if (rc == 0 && b.len > maxrec) {
                sov__agg_error(main_agg, in->file, 1, "document larger than --max-record-bytes");
                sov_buf_free(&b);
                return 0;
            }
            if (rc == 0)
                submit(a, JOB_VALUES, &b, b.len, in, NULL, bytes);
            sov_buf_free(&b);
            if (rc)
                *err = sov_asprintf("%s: cannot read", in->name);
            return rc;
        }
        for (;;) {
            size_t cut = 0;
            for (size_t i = b.len; i > 0; i--)
                if (b.data[i - 1] == '\n') {
                    cut = i;
                    break;
                }
            if (cut) {
                submit(a, JOB_LINES, &b, cut, in, NULL, bytes);
            } else if (b.len > maxrec) {
                /* one line longer than the cap: report it, skip to its end */
                sov__agg_error(main_agg, in->file, in->line, "record longer than --max-record-bytes");
                *bytes += b.len;
                sov_buf_reset(&b);
                for (;;) {
                    if ((rc = fill(in, &b, CHUNK, pg)) || !b.len)
                        break;
                    char *q = memchr(b.data, '\n', b.len);
                    if (q) {
                        *bytes += (size_t)(q + 1 - b.data);
                        sov_buf_consume(&b, (size_t)(q + 1 - b.data));
                        in->line++;
                        break;
                    }
                    *bytes += b.len;
                    sov_buf_reset(&b);
                }
            }
            size_t before = b.len;
            size_t want = b.len + CHUNK;
            if ((rc = fill(in, &b, want, pg)))
                break;
            if (b.len == before) {
                if (b.len)
                    submit(a, JOB_LINES, &b, b.len, in, NULL, bytes); /* the last line, without a newline */
                break;
            }
        }
    } else {
        /* CSV with a header row */
        const char *nl = memchr(b.data, '\n', b.len);
        if (!nl || !memchr(b.data, ',', (size_t)(nl - b.data))) {
            sov__agg_error(main_agg, in->file, 1, "neither JSON nor CSV with a header row");
            sov_buf_free(&b);
            return 0;
        }
        size_t hlen = csv_cut(b.data, b.len);
        struct csv_header *h = hlen ? csv_header(b.data, hlen, err) : NULL;
        if (!h) {
            if (!*err)
                *err = strdup("unreadable CSV header");
            char *e2 = sov_asprintf("%s: %s", in->name, *err);
            free(*err);
            *err = e2;
            sov_buf_free(&b);
            return SOV_EPARSE;
        }
        struct csv_header **hs = realloc(a->hdrs, (a->n_hdrs + 1) * sizeof *hs);
        if (!hs) {
            csv_header_free(h);
            sov_buf_free(&b);
            return SOV_ENOMEM;
        }
        a->hdrs = hs;
        a->hdrs[a->n_hdrs++] = h;
        /* drop the header line itself */
        size_t hl = b.len;
        {
            /* the header may contain quoted newlines: cut at the end of its record */
            struct sov_csv c;
            sov_csv_init(&c, b.data, b.len);
            struct sov_buf tmp = SOV_BUF_INIT(1u << 20);
            size_t k;
            if (sov_csv_next(&c, &tmp, &k) == 1)
                hl = (size_t)(c.p - b.data);
            sov_buf_free(&tmp);
        }
        in->line += count_lines(b.data, hl);
        *bytes += hl;
        sov_buf_consume(&b, hl);
        for (;;) {
            size_t cut = csv_cut(b.data, b.len);
            if (cut)
                submit(a, JOB_CSV, &b, cut, in, h, bytes);
            else if (b.len > maxrec) {
                sov__agg_error(main_agg, in->file, in->line, "CSV row longer than --max-record-bytes");
                break;
            }
            size_t before = b.len;
            if ((rc = fill(in, &b, b.len + CHUNK, pg)))
                break;
            if (b.len == before) {
                if (b.len)
                    submit(a, JOB_CSV, &b, b.len, in, h, bytes);
                break;
            }
        }
    }
    sov_buf_free(&b);
    if (rc)
        *err = sov_asprintf("%s: cannot read (%s)", in->name, rc == SOV_EIO ? "corrupt or truncated gzip data" : "out of memory");
    return rc;
}

static int add_file(struct audit *a, const char *name)
{
    if (a->n_files == a->alloc_files) {
        size_t na = a->alloc_files ? a->alloc_files * 2 : 8;
        char **f = realloc(a->files, na * sizeof *f);
        if (!f)
            return SOV_ENOMEM;
        a->files = f;
        a->alloc_files = na;
    }
    if (!(a->files[a->n_files] = strdup(name)))
        return SOV_ENOMEM;
    a->n_files++;
    return 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* files under a directory, sorted, recursively (hidden entries skipped) */
static int expand(struct audit *a, const char *path, int depth, char **err)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return add_file(a, "-");
    if (stat(path, &st) != 0) {
        *err = sov_asprintf("%s: %s", path, strerror(errno));
        return SOV_EIO;
    }
    if (!S_ISDIR(st.st_mode))
        return add_file(a, path);
    if (depth > 16)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        *err = sov_asprintf("%s: %s", path, strerror(errno));
        return SOV_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = SOV_ENOMEM;
                break;
            }
            names = nn;
        }
        names[n++] = sov_asprintf("%s/%s", path, de->d_name);
    }
    closedir(d);
    if (rc == 0 && n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && names[i])
            rc = expand(a, names[i], depth + 1, err);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- the run ---- */

static int cmp_group(const void *x, const void *y)
{
    const struct sov_audit_group *a = x, *b = y;
    if (a->c.spend_usd != b->c.spend_usd)
        return a->c.spend_usd < b->c.spend_usd ? 1 : -1;
    if (a->c.requests != b->c.requests)
        return a->c.requests < b->c.requests ? 1 : -1;
    return strcmp(a->name, b->name);
}

static int cmp_template(const void *x, const void *y)
{
    const struct sov_audit_template *a = x, *b = y;
    if (a->c.spend_usd != b->c.spend_usd)
        return a->c.spend_usd < b->c.spend_usd ? 1 : -1;
    if (a->c.requests != b->c.requests)
        return a->c.requests < b->c.requests ? 1 : -1;
    return strcmp(a->text, b->text);
}

static int cmp_err(const void *x, const void *y)
{
    const struct sov__err *a = x, *b = y;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static void take_groups(struct sov__gmap *m, struct sov_audit_group **out, size_t *n)
{
    if (m->n)
        qsort(m->v, m->n, sizeof *m->v, cmp_group);
    *out = m->v;
    *n = m->n;
    m->v = NULL;
    m->n = 0;
}

/* ---- near-duplicate templates ---- */

#define NEAR_TOP 500 /* the most expensive templates are grouped; the rest stay as they are */
#define NEAR_WORDS 48
#define NEAR_JACCARD 0.7 /* shared words / all words of the two masked texts */

struct words {
    uint32_t h[NEAR_WORDS];
    size_t n;
};

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void words_of(const char *t, struct words *w)
{
    w->n = 0;
    while (*t && w->n < NEAR_WORDS) {
        while (*t && !((unsigned char)*t > 0x7f || (*t >= '0' && *t <= '9') || ((*t | 32) >= 'a' && (*t | 32) <= 'z') || *t == '<'))
            t++;
        uint32_t h = 2166136261u;
        size_t len = 0;
        while (*t && ((unsigned char)*t > 0x7f || (*t >= '0' && *t <= '9') || ((*t | 32) >= 'a' && (*t | 32) <= 'z') || *t == '<' ||
                      *t == '>' || *t == '#')) {
            h = (h ^ (unsigned char)(*t | 32)) * 16777619u;
            t++;
            len++;
        }
        if (len)
            w->h[w->n++] = h;
    }
    qsort(w->h, w->n, sizeof w->h[0], cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++)
        if (!k || w->h[k - 1] != w->h[i])
            w->h[k++] = w->h[i];
    w->n = k;
}

static double jaccard(const struct words *a, const struct words *b)
{
    size_t i = 0, j = 0, both = 0;
    while (i < a->n && j < b->n) {
        if (a->h[i] == b->h[j]) {
            both++;
            i++;
            j++;
        } else if (a->h[i] < b->h[j]) {
            i++;
        } else {
            j++;
        }
    }
    size_t all = a->n + b->n - both;
    return all ? (double)both / (double)all : 1;
}

/* Groups near-duplicate templates among the most expensive ones (sorted by spend): each joins the
 * first more expensive group whose masked text shares at least NEAR_JACCARD of its words. The
 * group keeps the text of its most expensive member and takes the majority task. Returns the new count. */
static size_t group_near_duplicates(struct sov_audit_template *t, size_t n)
{
    if (!n)
        return 0;
    size_t top = n < NEAR_TOP ? n : NEAR_TOP;
    struct words *w = calloc(top ? top : 1, sizeof *w);
    if (!w)
        return n;
    size_t k = 0; /* groups so far, compacted at the front */
    for (size_t i = 0; i < n; i++) {
        t[i].variants = 1;
        if (i >= top) {
            t[k++] = t[i];
            continue;
        }
        struct words cur;
        words_of(t[i].text, &cur);
        size_t g = k;
        for (size_t c = 0; c < k && g == k; c++)
            if (cur.n >= 4 && jaccard(&w[c], &cur) >= NEAR_JACCARD)
                g = c;
        if (g == k) {
            w[k] = cur;
            t[k++] = t[i];
            continue;
        }
        sov__counts_merge(&t[g].c, &t[i].c);
        for (int x = 0; x < SOV_TASK_COUNT; x++)
            t[g].task_count[x] += t[i].task_count[x];
        t[g].variants++;
    }
    free(w);
    for (size_t i = 0; i < k; i++) {
        uint64_t best = 0;
        for (int x = 0; x < SOV_TASK_COUNT; x++)
            if (t[i].task_count[x] > best) {
                best = t[i].task_count[x];
                t[i].task = x;
            }
    }
    if (k)
        qsort(t, k, sizeof *t, cmp_template);
    return k;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sov_audit_run(const struct sov_audit_opts *o, const struct sov_router *router, const struct sov_pricing *pricing,
                  char *const *paths, size_t n_paths, struct sov_audit_result **out, char **err)
{
    uint64_t t0 = sov_now_ns();
    double c0 = cpu_seconds();
    struct audit *a = calloc(1, sizeof *a);
    if (!a) {
        *err = strdup("out of memory");
        return SOV_ENOMEM;
    }
    a->o = o;
    a->router = router;
    a->pricing = pricing;
    a->forced = -1;
    if (o->format && strcmp(o->format, "auto") && (a->forced = sov__audit_format_find(o->format)) < 0) {
        *err = sov_asprintf("unknown format '%s' (see 'sovereign audit --help')", o->format);
        free(a);
        return SOV_EINVAL;
    }
    int rc = 0;
    for (size_t i = 0; i < n_paths && rc == 0; i++)
        rc = expand(a, paths[i], 0, err);
    /* open everything first: a path that cannot be opened is an error before any work */
    gzFile *gz = rc == 0 ? calloc(a->n_files ? a->n_files : 1, sizeof *gz) : NULL;
    uint64_t total = 0;
    if (rc == 0 && !gz)
        rc = SOV_ENOMEM;
    for (size_t i = 0; rc == 0 && i < a->n_files; i++) {
        bool is_stdin = !strcmp(a->files[i], "-");
        int fd = is_stdin ? dup(STDIN_FILENO) : open(a->files[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            *err = sov_asprintf("%s: %s", a->files[i], strerror(errno));
            rc = SOV_EIO;
            break;
        }
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
            total += (uint64_t)st.st_size;
        if (!(gz[i] = gzdopen(fd, "rb"))) {
            close(fd);
            rc = SOV_ENOMEM;
            *err = strdup("out of memory");
            break;
        }
        gzbuffer(gz[i], 1u << 18);
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->not_empty, NULL);
    pthread_cond_init(&a->not_full, NULL);
    pthread_mutex_init(&a->joins.mu, NULL);
    for (int i = 0; i < CACHE_SHARDS; i++)
        pthread_mutex_init(&a->cache.shard[i].mu, NULL);
    unsigned nt = o->threads;
    if (!nt) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        nt = cores < 1 ? 1 : cores > 8 ? 8 : (unsigned)cores;
    }
    struct worker *ws = calloc(nt, sizeof *ws);
    struct sov__agg main_agg;
    sov__agg_init(&main_agg, o->max_templates);
    unsigned started = 0;
    if (rc == 0 && !ws)
        rc = SOV_ENOMEM;
    for (unsigned i = 0; rc == 0 && i < nt; i++) {
        ws[i].a = a;
        sov__agg_init(&ws[i].agg, o->max_templates);
        ws[i].arena.cap = o->max_record_bytes * 4 + (1u << 20);
        ws[i].tpl = (struct sov_buf)SOV_BUF_INIT(0);
        if (!(ws[i].rs = sov_router_scratch_new(router)) || pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
            sov_router_scratch_free(ws[i].rs);
            ws[i].rs = NULL;
            sov__agg_free(&ws[i].agg);
            rc = SOV_ENOMEM;
            *err = strdup("cannot start the worker threads");
            break;
        }
        started++;
    }
    struct progress pg = {o->progress, total, 0, 0, 0, sov_now_ns(), -1, 0};
    uint64_t bytes = 0;
    for (size_t i = 0; rc == 0 && i < a->n_files; i++) {
        struct input in = {gz[i], a->files[i], (uint32_t)i, 1, a->forced, false};
        rc = read_input(a, &in, &pg, &bytes, &main_agg, err);
        if (in.corrupt)
            sov__agg_error(&main_agg, in.file, in.line, "corrupt or truncated gzip data: the rest of the file was not read");
        z_off_t off = gzoffset(gz[i]);
        pg.done_prev += off > 0 ? (uint64_t)off : 0;
        pg.done = pg.done_prev;
    }
    progress_show(&pg, true);
    pthread_mutex_lock(&a->mu);
    a->done = true;
    pthread_cond_broadcast(&a->not_empty);
    pthread_mutex_unlock(&a->mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(ws[i].th, NULL);
    for (size_t i = 0; gz && i < a->n_files; i++)
        if (gz[i])
            gzclose(gz[i]);
    free(gz);
    /* batch halves that never met their other half */
    for (size_t b = 0; b < JOIN_BUCKETS; b++) {
        struct pending *p = a->joins.b[b];
        while (p) {
            struct pending *next = p->next;
            if (p->side == 1) {
                main_agg.batch_unmatched_inputs++;
                p->o.model = p->model;
                p->o.workflow = p->workflow;
                p->o.tpl_text = p->tpl_text;
                sov__agg_add(&main_agg, pricing, &p->o);
            } else {
                main_agg.batch_unmatched_outputs++;
                p->o.model = p->model;
                p->o.workflow = p->workflow;
                p->o.tpl_text = NULL;
                sov__agg_add(&main_agg, pricing, &p->o);
            }
            pending_free(p);
            p = next;
        }
    }
    for (unsigned i = 0; i < started; i++) {
        sov__agg_merge(&main_agg, &ws[i].agg);
        sov__agg_free(&ws[i].agg);
        sov_router_scratch_free(ws[i].rs);
        sov__arena_free(&ws[i].arena);
        sov_buf_free(&ws[i].tpl);
    }
    free(ws);
    for (int i = 0; i < CACHE_SHARDS; i++) {
        free(a->cache.shard[i].v);
        pthread_mutex_destroy(&a->cache.shard[i].mu);
    }
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->not_empty);
    pthread_cond_destroy(&a->not_full);
    pthread_mutex_destroy(&a->joins.mu);
    for (size_t i = 0; i < a->n_hdrs; i++)
        csv_header_free(a->hdrs[i]);
    free(a->hdrs);
    struct sov_audit_result *r = rc == 0 ? calloc(1, sizeof *r) : NULL;
    if (rc == 0 && !r) {
        rc = SOV_ENOMEM;
        *err = strdup("out of memory");
    }
    if (r) {
        r->total = main_agg.total;
        r->errors = main_agg.errors;
        r->failed_calls = main_agg.failed_calls;
        r->est_prompt = main_agg.est_prompt;
        r->est_completion = main_agg.est_completion;
        r->no_response = main_agg.no_response;
        r->unpriced_requests = main_agg.unpriced_requests;
        r->bytes = bytes;
        r->batch_unmatched_inputs = main_agg.batch_unmatched_inputs;
        r->batch_unmatched_outputs = main_agg.batch_unmatched_outputs;
        r->templates_untracked = main_agg.templates_untracked;
        memcpy(r->format_records, main_agg.format_records, sizeof r->format_records);
        memcpy(r->by_task, main_agg.by_task, sizeof r->by_task);
        memcpy(r->by_band, main_agg.by_band, sizeof r->by_band);
        memcpy(r->sens_requests, main_agg.sens, sizeof r->sens_requests);
        take_groups(&main_agg.models, &r->models, &r->n_models);
        take_groups(&main_agg.workflows, &r->workflows, &r->n_workflows);
        take_groups(&main_agg.providers, &r->providers, &r->n_providers);
        if (main_agg.templates.n)
            qsort(main_agg.templates.v, main_agg.templates.n, sizeof *main_agg.templates.v, cmp_template);
        r->templates = main_agg.templates.v;
        r->n_templates = group_near_duplicates(main_agg.templates.v, main_agg.templates.n);
        main_agg.templates.v = NULL;
        main_agg.templates.n = 0;
        qsort(main_agg.err, main_agg.n_err, sizeof main_agg.err[0], cmp_err);
        for (size_t i = 0; i < main_agg.n_err; i++) {
            const struct sov__err *e = &main_agg.err[i];
            r->error_list[r->n_error_list++] =
                sov_asprintf("%s:%llu: %s", e->file < a->n_files ? a->files[e->file] : "?", (unsigned long long)e->line, e->reason);
        }
        r->ts_min = main_agg.ts_min;
        r->ts_max = main_agg.ts_max;
        if (o->period_days > 0) {
            r->period_days = o->period_days;
        } else if (r->ts_max - r->ts_min >= 3600) {
            r->period_days = (r->ts_max - r->ts_min) / 86400.0;
        } else {
            r->period_days = 30;
            r->period_assumed = true;
        }
        r->threads = nt;
        r->pricing_date = sov_pricing_date(pricing);
        r->local = o->local;
        r->exact = o->exact;
        r->workflow_field = o->workflow_field;
        r->files = a->files;
        r->n_files = a->n_files;
        a->files = NULL;
        a->n_files = 0;
        r->wall_s = (double)(sov_now_ns() - t0) / 1e9;
        r->cpu_s = cpu_seconds() - c0;
    }
    sov__agg_free(&main_agg);
    for (size_t i = 0; i < a->n_files; i++)
        free(a->files[i]);
    free(a->files);
    free(a);
    *out = r;
    return rc;
}

void sov_audit_result_free(struct sov_audit_result *r)
{
    if (!r)
        return;
    struct sov_audit_group *gs[3] = {r->models, r->workflows, r->providers};
    size_t ns[3] = {r->n_models, r->n_workflows, r->n_providers};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < ns[k]; i++)
            free(gs[k][i].name);
        free(gs[k]);
    }
    free(r->templates);
    for (size_t i = 0; i < r->n_error_list; i++)
        free(r->error_list[i]);
    for (size_t i = 0; i < r->n_files; i++)
        free(r->files[i]);
    free(r->files);
    free(r);
}

void sov_audit_monthly(const struct sov_audit_result *r, struct sov_audit_monthly *m)
{
    memset(m, 0, sizeof *m);
    m->factor = r->period_days > 0 ? 30.0 / r->period_days : 1;
    m->spend_usd = r->total.spend_usd * m->factor;
    m->local_spend_usd = r->total.local_spend_usd * m->factor;
    const struct sov_audit_local *l = &r->local;
    double tps = l->tokens_per_s > 0 ? l->tokens_per_s : 0;
    double pps = l->prompt_tokens_per_s > 0 ? l->prompt_tokens_per_s : tps * 10;
    if (tps > 0)
        m->local_busy_hours =
            ((double)r->total.local_prompt_tokens / pps + (double)r->total.local_completion_tokens / tps) * m->factor / 3600.0;
    bool hourly = l->hourly_usd >= 0, hw = l->hardware_usd >= 0, power = l->power_watts >= 0 && l->kwh_usd >= 0;
    m->have_cost_model = tps > 0 && (hourly || hw || power);
    m->nodes = m->local_busy_hours > 0 ? ceil(m->local_busy_hours / 730.0) : (m->have_cost_model ? 1 : 0);
    if (m->nodes < 1 && m->have_cost_model)
        m->nodes = 1;
    double cost = 0;
    if (hourly)
        cost += l->hourly_usd * m->local_busy_hours;
    if (hw)
        cost += l->hardware_usd / (l->amortize_months > 0 ? l->amortize_months : 36) * m->nodes;
    if (power)
        cost += l->power_watts / 1000.0 * m->local_busy_hours * l->kwh_usd;
    m->local_cost_usd = m->have_cost_model ? cost : 0;
    m->net_savings_usd = m->local_spend_usd - m->local_cost_usd;
}
