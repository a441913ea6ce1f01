/*
 * Backend kind `llama`: a GGUF model served in-process by llama.cpp.
 *
 * One inference thread per backend owns the llama.cpp context: N parallel slots (sequences of one
 * context, `parallel`) decoded together in one batch per step (continuous batching: a request joins
 * or leaves between steps; prompts are fed in chunks alongside other slots' generation). Requests
 * beyond the slots wait in a bounded queue (`max_queue`); beyond that they get SOV_CALL_ERR_OVERLOADED
 * (the gateway answers 429 with Retry-After, or fails over). Results go back to the worker's event
 * loop through an event made active from the inference thread (event_active, libevent with pthreads);
 * the loop never blocks on the model. A cancelled call (client gone, deadline) is dropped from its
 * slot at the next step.
 *
 * Configuration keys (read here, in open()): model (GGUF path, required), ctx_size (tokens per slot),
 * threads, parallel, gpu_layers, max_queue. See docs/configuration.md.
 *
 * Metrics: the node keeps a struct sov_queue_metrics (slots, busy slots, queue length and limit,
 * refusals, queue wait) that GET /metrics reads through b->queue; written with relaxed atomics from
 * the inference thread and the loops, with no allocation.
 */
#define SOV_LOG_MODULE "llama"
#include "backend/backend.h"
#include "backend/llama_node.h"
#include "backend/llama_priv.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "config/yaml.h"
#include "metrics/metrics.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LN_MAX_STOPS 4
#define LN_MAX_SLOTS 64

enum job_kind { JOB_CHAT, JOB_EMBED };

struct ln_node;

struct ln_job {
    struct ln_node *node;
    enum job_kind kind;
    int refs; /* under node->mu: the loop's and the inference thread's */
    /* ---- immutable after start ---- */
    int32_t *prompt;
    size_t n_prompt;
    struct sov_llama_sampling s;
    char *stops[LN_MAX_STOPS];
    size_t n_stops, max_stop;
    bool logprobs;
    json_t *inputs; /* JOB_EMBED: array of strings */
    /* ---- shared, under node->mu ---- */
    bool cancelled, done, ev_pending;
    int err; /* 0, or a SOV_CALL_ERR_* + 1 */
    char errmsg[160];
    enum sov_llama_finish finish;
    struct sov_buf out; /* text released since the loop last looked */
    json_t *out_lp;     /* logprob entries released since then (array), or NULL */
    json_t *result;     /* JOB_EMBED: the data array */
    int64_t n_gen;
    double sum_lp, min_lp, sum_h;
    struct queue_link {
        struct ln_job *next;
    } q;
    uint64_t queued_us; /* when it entered the queue (for the queue wait metric) */
    /* ---- inference thread only ---- */
    int slot;
    size_t n_fed;
    int32_t pos, last_tok;
    int batch_idx;
    struct llama_sampler *smpl;
    struct sov_llama_utf8 u;
    struct sov_buf gen; /* all released text (for stop sequences) */
    size_t released;
    /* ---- loop thread only ---- */
    struct sov_call *call;
    struct event *ev;
    struct sov_buf full;
    json_t *all_lp;
    bool sent_role;
    char id[48];
    long long created;
};

struct ln_node {
    struct sov_backend *b;
    struct sov_llama_model *m;
    struct sov_llama_ctx *ctx;
    struct llama_context *lctx;
    struct sov_llama_model_info info;
    uint32_t n_slots, n_ctx_slot, max_queue, n_batch;
    int n_vocab;
    pthread_t thr;
    bool thr_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    struct ln_job *q_head, *q_tail;
    uint32_t n_queued;
    struct ln_job *slots[LN_MAX_SLOTS]; /* inference thread only */
    atomic_uint n_active;               /* slots in use (for admission at start) */
    atomic_ullong next_id;
    struct sov_queue_metrics qm; /* read by GET /metrics through b->queue */
};

/* ---- configuration ---- */

static int key_uint(const struct sov_backend *b, const char *key, unsigned def, unsigned lo, unsigned hi, unsigned *out, char **err)
{
    const struct sov_yaml_node *v = sov_yaml_get(b->cfg->node, key);
    *out = def;
    if (!v)
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long x = v->type == SOV_YAML_SCALAR ? strtoul(v->scalar, &end, 10) : 0;
    if (v->type != SOV_YAML_SCALAR || !end || *end || end == v->scalar || errno || x < lo || x > hi) {
        *err = sov_asprintf("backends[%s].%s (line %d): expected an integer from %u to %u", b->cfg->name, key, v->line, lo, hi);
        return SOV_ECONFIG;
    }
    *out = (unsigned)x;
    return 0;
}

/* ---- metrics (relaxed atomics: no lock needed, nothing allocated) ---- */

/* mu held: the queue length changed by delta. */
static void queue_add_locked(struct ln_node *n, int delta)
{
    n->n_queued = (uint32_t)((int)n->n_queued + delta);
    atomic_store_explicit(&n->qm.queued, n->n_queued, memory_order_relaxed);
}

static void busy_add(struct ln_node *n, int delta)
{
    if (delta > 0)
        atomic_fetch_add_explicit(&n->qm.slots_busy, (uint_fast64_t)delta, memory_order_relaxed);
    else
        atomic_fetch_sub_explicit(&n->qm.slots_busy, (uint_fast64_t)-delta, memory_order_relaxed);
}

/* A queued job got a slot (or the embedding thread): how long it waited. */
static void queue_waited(struct ln_node *n, const struct ln_job *j)
{
    uint64_t now = sov_now_us();
    sov_metrics_observe(&n->qm.wait, now > j->queued_us ? now - j->queued_us : 0);
}

/* ---- jobs ---- */

static void job_free(struct ln_job *j)
{
    free(j->prompt);
    for (size_t i = 0; i < j->n_stops; i++)
        free(j->stops[i]);
    json_decref(j->inputs);
    sov_buf_free(&j->out);
    json_decref(j->out_lp);
    json_decref(j->result);
    if (j->smpl)
        llama_sampler_free(j->smpl);
    sov_buf_free(&j->gen);
    sov_buf_free(&j->full);
    json_decref(j->all_lp);
    free(j);
}

/* Drops a reference; called with node->mu held. Frees the job at zero. */
static void job_unref_locked(struct ln_job *j)
{
    if (--j->refs == 0)
        job_free(j);
}

/* Inference thread, mu held: tell the loop there is news. */
static void job_notify_locked(struct ln_job *j)
{
    if (!j->cancelled && !j->ev_pending && j->ev) {
        j->ev_pending = true;
        event_active(j->ev, EV_READ, 0);
    }
}

static void job_fail_locked(struct ln_job *j, int kind, const char *msg)
{
    j->done = true;
    j->err = kind + 1;
    snprintf(j->errmsg, sizeof j->errmsg, "%s", msg);
    job_notify_locked(j);
}

/* ---- the inference thread ---- */

static void slot_release(struct ln_node *n, int s)
{
    struct ln_job *j = n->slots[s];
    llama_memory_seq_rm(llama_get_memory(n->lctx), s, -1, -1);
    if (j->smpl) {
        llama_sampler_free(j->smpl);
        j->smpl = NULL;
    }
    n->slots[s] = NULL;
    atomic_fetch_sub(&n->n_active, 1);
    busy_add(n, -1);
    job_unref_locked(j);
}

/* A valid UTF-8 boundary at or before pos in s[0..len). */
static size_t char_boundary(const char *s, size_t pos)
{
    while (pos > 0 && ((unsigned char)s[pos] & 0xC0) == 0x80)
        pos--;
    return pos;
}

/* One OpenAI logprobs entry for a token. */
static json_t *token_entry(struct ln_node *n, int32_t tok, double lp)
{
    char piece[1024], text[3 * (sizeof piece + 3)]; /* llama.cpp pieces are far shorter */
    int k = sov__llama_token_piece(n->m, tok, piece, sizeof piece);
    if (k < 0)
        k = 0;
    struct sov_llama_utf8 u = {0};
    size_t tl = sov__llama_utf8_push(&u, piece, (size_t)k, text, sizeof text);
    tl += sov__llama_utf8_finish(&u, text + tl, sizeof text - tl);
    json_t *bytes = json_array();
    for (int i = 0; i < k; i++)
        json_array_append_new(bytes, json_integer((unsigned char)piece[i]));
    return json_pack("{s:s%,s:f,s:o}", "token", text, tl, "logprob", isfinite(lp) ? lp : -9999.0, "bytes", bytes);
}

/* After sampling tok for job j: statistics, text, stop sequences, limits. mu is not held. Returns
 * true if the job is finished. */
static bool job_take_token(struct ln_node *n, struct ln_job *j, int32_t tok, const float *logits)
{
    struct sov_llama_token t = {.id = tok};
    sov__llama_logit_stats(logits, (size_t)n->n_vocab, tok, &t.logprob, &t.entropy);
    json_t *entry = NULL;
    if (j->logprobs) {
        entry = token_entry(n, tok, t.logprob);
        json_t *top = json_array();
        sov__llama_top_logprobs(logits, (size_t)n->n_vocab, j->s.top_logprobs, &t);
        for (int i = 0; i < t.n_top; i++)
            json_array_append_new(top, token_entry(n, t.top[i].id, t.top[i].logprob));
        json_object_set_new(entry, "top_logprobs", top);
    }
    bool eog = sov__llama_token_is_eog(n->m, tok);
    bool finished = false;
    enum sov_llama_finish fin = SOV_LLAMA_FINISH_STOP;
    size_t gen_before = j->gen.len;
    if (!eog) {
        char piece[1024], text[3 * (sizeof piece + 3)]; /* llama.cpp pieces are far shorter */
        int k = sov__llama_token_piece(n->m, tok, piece, sizeof piece);
        size_t tl = sov__llama_utf8_push(&j->u, piece, k > 0 ? (size_t)k : 0, text, sizeof text);
        sov_buf_append(&j->gen, text, tl);
    }
    if (eog) {
        finished = true;
    } else {
        /* stop sequences: search the new text plus what could complete a stop across tokens */
        size_t from = gen_before > j->max_stop ? gen_before - j->max_stop : 0;
        for (size_t i = 0; i < j->n_stops; i++) {
            const char *hit = memmem(j->gen.data + from, j->gen.len - from, j->stops[i], strlen(j->stops[i]));
            if (hit) {
                j->gen.len = (size_t)(hit - j->gen.data);
                finished = true;
            }
        }
        if (!finished && (j->n_gen + 1 >= j->s.max_tokens || j->pos + 1 >= (int32_t)n->n_ctx_slot)) {
            finished = true;
            fin = SOV_LLAMA_FINISH_LENGTH;
        }
    }
    if (finished) {
        char tail[8];
        size_t tl = sov__llama_utf8_finish(&j->u, tail, sizeof tail);
        if (fin == SOV_LLAMA_FINISH_LENGTH)
            sov_buf_append(&j->gen, tail, tl);
    }
    /* release what can no longer be part of a stop sequence */
    size_t upto = j->gen.len;
    if (!finished && j->max_stop > 1)
        upto = j->gen.len > j->max_stop - 1 ? char_boundary(j->gen.data, j->gen.len - (j->max_stop - 1)) : 0;
    if (upto < j->released)
        upto = j->released;
    pthread_mutex_lock(&n->mu);
    if (!eog) {
        j->n_gen++;
        j->sum_lp += t.logprob;
        j->sum_h += t.entropy;
        if (j->n_gen == 1 || t.logprob < j->min_lp)
            j->min_lp = t.logprob;
    }
    if (upto > j->released) {
        sov_buf_append(&j->out, j->gen.data + j->released, upto - j->released);
        j->released = upto;
    }
    if (entry && !eog) {
        if (!j->out_lp)
            j->out_lp = json_array();
        json_array_append_new(j->out_lp, entry);
        entry = NULL;
    }
    if (finished) {
        j->done = true;
        j->finish = fin;
    }
    job_notify_locked(j);
    pthread_mutex_unlock(&n->mu);
    json_decref(entry);
    return finished;
}

static void run_embed(struct ln_node *n, struct ln_job *j)
{
    json_t *data = json_array();
    size_t i;
    json_t *in;
    char *err = NULL;
    int rc = 0;
    int64_t toks = 0;
    json_array_foreach(j->inputs, i, in)
    {
        float *v = NULL;
        int dim = 0;
        rc = sov__llama_embed(n->ctx, json_string_value(in), json_string_length(in), &v, &dim, &err);
        if (rc)
            break;
        json_t *arr = json_array();
        for (int k = 0; k < dim; k++)
            json_array_append_new(arr, json_real(v[k]));
        free(v);
        json_array_append_new(data, json_pack("{s:s,s:I,s:o}", "object", "embedding", "index", (json_int_t)i, "embedding", arr));
        int32_t *t;
        size_t nt;
        if (sov__llama_tokenize(n->m, json_string_value(in), json_string_length(in), true, false, &t, &nt, &err) == 0) {
            toks += (int64_t)nt;
            free(t);
        }
    }
    pthread_mutex_lock(&n->mu);
    if (rc) {
        json_decref(data);
        job_fail_locked(j, rc == SOV_EINVAL ? SOV_CALL_ERR_STATUS : SOV_CALL_ERR_INTERNAL, err ? err : "embedding failed");
    } else {
        j->result = data;
        j->n_gen = toks;
        j->done = true;
        job_notify_locked(j);
    }
    free(err);
    job_unref_locked(j);
    pthread_mutex_unlock(&n->mu);
}

static void *inference_main(void *arg)
{
    struct ln_node *n = arg;
    struct llama_batch batch = llama_batch_init((int32_t)n->n_batch, 0, 1);
    pthread_mutex_lock(&n->mu);
    for (;;) {
        /* drop cancelled slots and queued jobs, admit waiting ones */
        for (uint32_t s = 0; s < n->n_slots; s++)
            if (n->slots[s] && n->slots[s]->cancelled)
                slot_release(n, (int)s);
        uint32_t active = 0;
        for (uint32_t s = 0; s < n->n_slots; s++)
            active += n->slots[s] != NULL;
        while (n->q_head && n->q_head->kind == JOB_EMBED && !n->stop) {
            struct ln_job *j = n->q_head;
            n->q_head = j->q.next;
            if (!n->q_head)
                n->q_tail = NULL;
            queue_add_locked(n, -1);
            if (j->cancelled) {
                job_unref_locked(j);
                continue;
            }
            queue_waited(n, j);
            busy_add(n, 1);
            pthread_mutex_unlock(&n->mu);
            run_embed(n, j); /* drops the thread's reference */
            busy_add(n, -1);
            pthread_mutex_lock(&n->mu);
        }
        for (uint32_t s = 0; s < n->n_slots && n->q_head; s++) {
            if (n->slots[s])
                continue;
            struct ln_job *j = n->q_head;
            n->q_head = j->q.next;
            if (!n->q_head)
                n->q_tail = NULL;
            queue_add_locked(n, -1);
            if (j->cancelled) {
                job_unref_locked(j);
                s--; /* this slot is still free */
                continue;
            }
            char *err = NULL;
            j->smpl = sov__llama_sampler_new(n->m, &j->s, &err);
            if (!j->smpl) {
                job_fail_locked(j, SOV_CALL_ERR_INTERNAL, err ? err : "sampler");
                free(err);
                job_unref_locked(j);
                s--;
                continue;
            }
            j->slot = (int)s;
            j->n_fed = 0;
            j->pos = 0;
            j->last_tok = -1;
            j->batch_idx = -1;
            n->slots[s] = j;
            atomic_fetch_add(&n->n_active, 1);
            busy_add(n, 1);
            queue_waited(n, j);
            llama_memory_seq_rm(llama_get_memory(n->lctx), (llama_seq_id)s, -1, -1);
            active++;
        }
        if (n->stop)
            break;
        if (!active) {
            pthread_cond_wait(&n->cv, &n->mu);
            continue;
        }
        pthread_mutex_unlock(&n->mu);

        /* one step: every generating slot's last token, then prompt chunks in the room left */
        batch.n_tokens = 0;
        for (uint32_t s = 0; s < n->n_slots; s++) {
            struct ln_job *j = n->slots[s];
            if (!j || j->n_fed < j->n_prompt || j->last_tok < 0)
                continue;
            int i = batch.n_tokens++;
            batch.token[i] = j->last_tok;
            batch.pos[i] = j->pos++;
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = (llama_seq_id)s;
            batch.logits[i] = 1;
            j->batch_idx = i;
        }
        for (uint32_t s = 0; s < n->n_slots; s++) {
            struct ln_job *j = n->slots[s];
            if (!j || j->n_fed >= j->n_prompt)
                continue;
            j->batch_idx = -1;
            while (j->n_fed < j->n_prompt && batch.n_tokens < (int32_t)n->n_batch) {
                int i = batch.n_tokens++;
                batch.token[i] = j->prompt[j->n_fed];
                batch.pos[i] = j->pos++;
                batch.n_seq_id[i] = 1;
                batch.seq_id[i][0] = (llama_seq_id)s;
                batch.logits[i] = 0;
                if (++j->n_fed == j->n_prompt) {
                    batch.logits[i] = 1;
                    j->batch_idx = i;
                }
            }
        }
        int32_t d = batch.n_tokens ? llama_decode(n->lctx, batch) : 0;
        if (d != 0) {
            sov_warn("backend %s: llama_decode failed (%d)", n->b->cfg->name, (int)d);
            pthread_mutex_lock(&n->mu);
            for (uint32_t s = 0; s < n->n_slots; s++)
                if (n->slots[s]) {
                    job_fail_locked(n->slots[s], SOV_CALL_ERR_INTERNAL, "the local model failed to evaluate the request");
                    slot_release(n, (int)s);
                }
            continue; /* mu held, as the loop expects */
        }
        for (uint32_t s = 0; s < n->n_slots; s++) {
            struct ln_job *j = n->slots[s];
            if (!j || j->batch_idx < 0)
                continue;
            int idx = j->batch_idx;
            j->batch_idx = -1;
            const float *logits = llama_get_logits_ith(n->lctx, idx);
            int32_t tok = llama_sampler_sample(j->smpl, n->lctx, idx);
            if (job_take_token(n, j, tok, logits)) {
                pthread_mutex_lock(&n->mu);
                slot_release(n, (int)s);
                pthread_mutex_unlock(&n->mu);
                continue;
            }
            j->last_tok = tok; /* evaluated at the next step, at j->pos */
        }
        pthread_mutex_lock(&n->mu);
    }
    /* stopping: fail what is left */
    /* (the workers' loops are gone by now: nobody is notified) */
    for (uint32_t s = 0; s < n->n_slots; s++)
        if (n->slots[s])
            slot_release(n, (int)s);
    while (n->q_head) {
        struct ln_job *j = n->q_head;
        n->q_head = j->q.next;
        queue_add_locked(n, -1);
        job_unref_locked(j);
    }
    n->q_tail = NULL;
    pthread_mutex_unlock(&n->mu);
    llama_batch_free(batch);
    return NULL;
}

/* ---- the loop side ---- */

/* Loop thread: ends the backend's part of a call (cancel, or after the last callback's data is
 * taken): the inference thread drops it from its slot or the queue at its next step. */
static void job_detach(struct ln_job *j)
{
    struct ln_node *n = j->node;
    pthread_mutex_lock(&n->mu);
    j->cancelled = true;
    /* still queued: out of the queue now (the queue's reference goes with it) */
    for (struct ln_job **pp = &n->q_head, *prev = NULL; *pp; prev = *pp, pp = &(*pp)->q.next) {
        if (*pp != j)
            continue;
        *pp = j->q.next;
        if (n->q_tail == j)
            n->q_tail = prev;
        queue_add_locked(n, -1);
        job_unref_locked(j);
        break;
    }
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    if (j->ev) {
        event_free(j->ev); /* the inference thread no longer activates it: cancelled is set */
        j->ev = NULL;
    }
    if (j->call)
        j->call->priv = NULL;
    j->call = NULL;
    pthread_mutex_lock(&n->mu);
    job_unref_locked(j);
    pthread_mutex_unlock(&n->mu);
}

static const char *finish_name(enum sov_llama_finish f)
{
    return f == SOV_LLAMA_FINISH_LENGTH ? "length" : "stop";
}

static void set_usage(struct sov_call *c, const struct ln_job *j, int64_t n_gen, double sum_lp, double min_lp, double sum_h)
{
    c->usage.prompt_tokens = (int64_t)j->n_prompt;
    c->usage.completion_tokens = j->kind == JOB_EMBED ? 0 : n_gen;
    c->usage.cached_tokens = -1;
    if (j->kind == JOB_CHAT && n_gen > 0) {
        c->usage.has_confidence = true;
        c->usage.mean_logprob = sum_lp / (double)n_gen;
        c->usage.min_logprob = min_lp;
        c->usage.mean_entropy = sum_h / (double)n_gen;
    }
}

static json_t *usage_json(const struct sov_call *c)
{
    return json_pack("{s:I,s:I,s:I}", "prompt_tokens", (json_int_t)c->usage.prompt_tokens, "completion_tokens",
                     (json_int_t)c->usage.completion_tokens, "total_tokens",
                     (json_int_t)(c->usage.prompt_tokens + c->usage.completion_tokens));
}

/* Serialises and hands a JSON object to the sink (on_chunk or on_complete); consumes o. */
static void emit(struct sov_call *c, json_t *o, bool chunk)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        struct sov_call_error e = {.kind = SOV_CALL_ERR_INTERNAL, .message = "out of memory"};
        c->sink->on_error(c, &e);
        return;
    }
    if (chunk) {
        c->chunks++;
        c->sink->on_chunk(c, s, strlen(s));
    } else {
        c->sink->on_complete(c, s, strlen(s));
    }
    free(s);
}

static json_t *chunk_new(const struct ln_job *j, const struct sov_call *c)
{
    return json_pack("{s:s,s:s,s:I,s:s}", "id", j->id, "object", "chat.completion.chunk", "created", (json_int_t)j->created,
                     "model", c->model);
}

static void on_job_event(evutil_socket_t fd, short what, void *arg)
{
    struct ln_job *j = arg;
    struct ln_node *n = j->node;
    struct sov_call *c = j->call;
    struct sov_buf text = SOV_BUF_INIT(0);
    pthread_mutex_lock(&n->mu);
    j->ev_pending = false;
    text = j->out;
    j->out = (struct sov_buf)SOV_BUF_INIT(0);
    json_t *lp = j->out_lp;
    j->out_lp = NULL;
    bool done = j->done;
    int err = j->err;
    char errmsg[sizeof j->errmsg];
    memcpy(errmsg, j->errmsg, sizeof errmsg);
    int64_t n_gen = j->n_gen;
    double sum_lp = j->sum_lp, min_lp = j->min_lp, sum_h = j->sum_h;
    enum sov_llama_finish fin = j->finish;
    json_t *result = j->result;
    j->result = NULL;
    pthread_mutex_unlock(&n->mu);

    if (err) {
        struct sov_call_error e = {.kind = (enum sov_call_error_kind)(err - 1), .message = errmsg};
        e.retryable = e.kind == SOV_CALL_ERR_OVERLOADED || (e.kind == SOV_CALL_ERR_INTERNAL && c->chunks == 0);
        e.retry_after_s = e.kind == SOV_CALL_ERR_OVERLOADED ? 1 : 0;
        e.status = e.kind == SOV_CALL_ERR_STATUS ? 400 : 0;
        sov_buf_free(&text);
        json_decref(lp);
        json_decref(result);
        job_detach(j);
        c->sink->on_error(c, &e);
        return;
    }
    if (j->kind == JOB_EMBED) {
        if (!done) {
            json_decref(result);
            return;
        }
        set_usage(c, j, n_gen, 0, 0, 0);
        c->usage.prompt_tokens = n_gen; /* run_embed counts the input tokens there */
        json_t *o =
            json_pack("{s:s,s:o,s:s,s:o}", "object", "list", "data", result ? result : json_array(), "model", c->model, "usage",
                      json_pack("{s:I,s:I}", "prompt_tokens", (json_int_t)n_gen, "total_tokens", (json_int_t)n_gen));
        job_detach(j);
        emit(c, o, false);
        c->sink->on_done(c);
        return;
    }
    if (c->stream) {
        if (text.len || lp || !j->sent_role) {
            json_t *delta = json_pack("{s:s%}", "content", text.data ? text.data : "", text.len);
            if (!j->sent_role)
                json_object_set_new(delta, "role", json_string("assistant"));
            j->sent_role = true;
            json_t *choice = json_pack("{s:i,s:o,s:n}", "index", 0, "delta", delta, "finish_reason");
            json_object_set_new(choice, "logprobs", lp ? json_pack("{s:o}", "content", lp) : json_null());
            lp = NULL;
            json_t *o = chunk_new(j, c);
            json_object_set_new(o, "choices", json_pack("[o]", choice));
            emit(c, o, true);
        }
        sov_buf_free(&text);
        if (!done)
            return;
        set_usage(c, j, n_gen, sum_lp, min_lp, sum_h);
        json_t *o = chunk_new(j, c);
        json_object_set_new(o, "choices",
                            json_pack("[{s:i,s:{},s:n,s:s}]", "index", 0, "delta", "logprobs", "finish_reason", finish_name(fin)));
        json_t *u = NULL;
        if (c->include_usage) {
            u = chunk_new(j, c);
            json_object_set_new(u, "choices", json_array());
            json_object_set_new(u, "usage", usage_json(c));
        }
        job_detach(j); /* j may be gone from here on */
        emit(c, o, true);
        if (u)
            emit(c, u, true);
        c->sink->on_done(c);
        return;
    }
    sov_buf_append(&j->full, text.data ? text.data : "", text.len);
    sov_buf_free(&text);
    if (lp) {
        if (!j->all_lp)
            j->all_lp = json_array();
        json_array_extend(j->all_lp, lp);
        json_decref(lp);
    }
    if (!done)
        return;
    set_usage(c, j, n_gen, sum_lp, min_lp, sum_h);
    json_t *msg = json_pack("{s:s,s:s%}", "role", "assistant", "content", j->full.data ? j->full.data : "", j->full.len);
    json_t *choice = json_pack("{s:i,s:o,s:s}", "index", 0, "message", msg, "finish_reason", finish_name(fin));
    json_object_set_new(choice, "logprobs",
                        j->logprobs ? json_pack("{s:o}", "content", j->all_lp ? json_incref(j->all_lp) : json_array())
                                    : json_null());
    json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:[o],s:o}", "id", j->id, "object", "chat.completion", "created",
                          (json_int_t)j->created, "model", c->model, "choices", choice, "usage", usage_json(c));
    job_detach(j);
    emit(c, o, false);
    c->sink->on_done(c);
}

/* ---- requests ---- */

static int refuse(struct sov_call *c, const char *fmt, const char *arg)
{
    snprintf(c->start_error, sizeof c->start_error, fmt, arg);
    return SOV_EINVAL;
}

static bool num(const json_t *o, const char *key, double lo, double hi, double *out)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
        return false;
    *out = json_number_value(v);
    return true;
}

/* Reads the OpenAI sampling parameters into j->s / stops / logprobs. Returns 0 or SOV_EINVAL with start_error. */
static int read_params(struct sov_call *c, struct ln_job *j)
{
    const json_t *r = c->request;
    struct sov_llama_sampling *s = &j->s;
    sov__llama_sampling_default(s);
    s->temperature = 1.0; /* OpenAI's default */
    s->top_p = 1.0;
    s->top_k = 0;
    s->min_p = 0;
    double v;
    const json_t *x = json_object_get(r, "n");
    if (json_is_integer(x) && json_integer_value(x) > 1)
        return refuse(c, "%s", "the llama backend answers with one choice (n = 1)");
    x = json_object_get(r, "tools");
    if (json_is_array(x) && json_array_size(x) > 0)
        return refuse(c, "%s", "the llama backend does not run tools");
    if (!num(r, "temperature", 0, 2, &s->temperature))
        return refuse(c, "%s", "'temperature' must be a number from 0 to 2");
    if (!num(r, "top_p", 0, 1, &s->top_p))
        return refuse(c, "%s", "'top_p' must be a number from 0 to 1");
    if (!num(r, "min_p", 0, 1, &s->min_p))
        return refuse(c, "%s", "'min_p' must be a number from 0 to 1");
    v = 0;
    if (!num(r, "top_k", 0, 1e6, &v))
        return refuse(c, "%s", "'top_k' must be a non-negative integer");
    s->top_k = (int)v;
    x = json_object_get(r, "seed");
    if (x && !json_is_null(x)) {
        if (!json_is_integer(x))
            return refuse(c, "%s", "'seed' must be an integer");
        s->seed = (uint32_t)json_integer_value(x);
        s->has_seed = true;
    }
    x = json_object_get(r, "max_completion_tokens");
    if (!x || json_is_null(x))
        x = json_object_get(r, "max_tokens");
    s->max_tokens = 0;
    if (x && !json_is_null(x)) {
        if (!json_is_integer(x) || json_integer_value(x) < 1)
            return refuse(c, "%s", "'max_tokens' must be a positive integer");
        s->max_tokens = json_integer_value(x) > INT32_MAX ? INT32_MAX : (int)json_integer_value(x);
    }
    j->logprobs = json_is_true(json_object_get(r, "logprobs"));
    x = json_object_get(r, "top_logprobs");
    if (x && !json_is_null(x)) {
        if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 20)
            return refuse(c, "%s", "'top_logprobs' must be an integer from 0 to 20");
        if (!j->logprobs && json_integer_value(x) > 0)
            return refuse(c, "%s", "'top_logprobs' needs 'logprobs': true");
        s->top_logprobs = (int)json_integer_value(x);
    }
    x = json_object_get(r, "stop");
    if (json_is_string(x) || json_is_array(x)) {
        size_t k = json_is_string(x) ? 1 : json_array_size(x);
        if (k > LN_MAX_STOPS)
            return refuse(c, "%s", "at most 4 stop sequences");
        for (size_t i = 0; i < k; i++) {
            const json_t *e = json_is_string(x) ? x : json_array_get(x, i);
            if (!json_is_string(e))
                return refuse(c, "%s", "'stop' must be a string or an array of strings");
            if (!json_string_length(e))
                continue;
            j->stops[j->n_stops] = sov_strndup(json_string_value(e), json_string_length(e));
            if (!j->stops[j->n_stops])
                return SOV_ENOMEM;
            if (json_string_length(e) > j->max_stop)
                j->max_stop = json_string_length(e);
            j->n_stops++;
        }
    } else if (x && !json_is_null(x)) {
        return refuse(c, "%s", "'stop' must be a string or an array of strings");
    }
    x = json_object_get(json_object_get(r, "response_format"), "type");
    if (json_is_string(x)) {
        const char *t = json_string_value(x);
        if (!strcmp(t, "json_object") || !strcmp(t, "json_schema"))
            s->grammar = sov__llama_json_grammar(); /* a json_schema is held to "a JSON object" */
        else if (strcmp(t, "text") != 0)
            return refuse(c, "unknown response_format type '%s'", t);
    }
    return 0;
}

/* Queues a job, or makes it fail with OVERLOADED (through the loop, as every callback). */
static void enqueue(struct ln_node *n, struct ln_job *j)
{
    pthread_mutex_lock(&n->mu);
    unsigned busy = atomic_load(&n->n_active) + n->n_queued;
    if (busy >= n->n_slots + n->max_queue) {
        char msg[160];
        snprintf(msg, sizeof msg, "the local model is busy: %u slots in use and %u requests queued (parallel, max_queue)",
                 n->n_slots, n->n_queued);
        j->refs = 1; /* never queued */
        atomic_fetch_add_explicit(&n->qm.rejected, 1, memory_order_relaxed);
        job_fail_locked(j, SOV_CALL_ERR_OVERLOADED, msg);
        pthread_mutex_unlock(&n->mu);
        return;
    }
    j->q.next = NULL;
    if (n->q_tail)
        n->q_tail->q.next = j;
    else
        n->q_head = j;
    n->q_tail = j;
    j->queued_us = sov_now_us();
    queue_add_locked(n, 1);
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

static struct ln_job *job_new(struct ln_node *n, struct sov_call *c, enum job_kind kind)
{
    struct ln_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->node = n;
    j->kind = kind;
    j->refs = 2;
    j->call = c;
    j->slot = -1;
    j->created = (long long)time(NULL);
    snprintf(j->id, sizeof j->id, "%s-%d-%llu", kind == JOB_CHAT ? "chatcmpl" : "embd", (int)getpid(),
             (unsigned long long)atomic_fetch_add(&n->next_id, 1));
    j->ev = event_new(c->base, -1, 0, on_job_event, j);
    if (!j->ev) {
        free(j);
        return NULL;
    }
    return j;
}

static int ln_start(struct sov_call *c)
{
    struct ln_node *n = c->backend->priv;
    if (n->info.is_embedding)
        return refuse(c, "%s", "this model serves embeddings (POST /v1/embeddings), not chat");
    struct ln_job *j = job_new(n, c, JOB_CHAT);
    if (!j)
        return SOV_ENOMEM;
    int rc = read_params(c, j);
    char *err = NULL;
    char *prompt = NULL;
    if (!rc) {
        bool fallback = false;
        prompt = sov__llama_chat_format(n->m, json_object_get(c->request, "messages"), true, &fallback, &err);
        rc = prompt ? sov__llama_tokenize(n->m, prompt, strlen(prompt), true, true, &j->prompt, &j->n_prompt, &err) : SOV_ENOMEM;
        if (rc && err)
            refuse(c, "%s", err);
    }
    free(prompt);
    free(err);
    if (!rc && j->n_prompt + 1 >= n->n_ctx_slot) {
        snprintf(c->start_error, sizeof c->start_error,
                 "the prompt is %zu tokens; the model's context holds %u per request (ctx_size)", j->n_prompt, n->n_ctx_slot);
        rc = SOV_EINVAL;
    }
    if (rc) {
        event_free(j->ev);
        job_free(j);
        return rc;
    }
    int room = (int)(n->n_ctx_slot - j->n_prompt - 1);
    if (j->s.max_tokens <= 0 || j->s.max_tokens > room)
        j->s.max_tokens = room;
    c->priv = j;
    enqueue(n, j);
    return 0;
}

static int ln_embed(struct sov_call *c)
{
    struct ln_node *n = c->backend->priv;
    if (!n->info.is_embedding)
        return refuse(c, "%s", "this model is not an embedding model");
    const json_t *in = json_object_get(c->request, "input");
    json_t *inputs = json_is_string(in) ? json_pack("[O]", in) : json_is_array(in) ? json_incref((json_t *)in) : NULL;
    size_t i;
    json_t *e;
    bool ok = inputs && json_array_size(inputs) > 0 && json_array_size(inputs) <= 2048;
    json_array_foreach(inputs, i, e) ok = ok && json_is_string(e) && json_string_length(e) > 0;
    if (!ok) {
        json_decref(inputs);
        return refuse(c, "%s", "'input' must be a non-empty string or an array of 1 to 2048 non-empty strings");
    }
    struct ln_job *j = job_new(n, c, JOB_EMBED);
    if (!j) {
        json_decref(inputs);
        return SOV_ENOMEM;
    }
    j->inputs = inputs;
    c->priv = j;
    enqueue(n, j);
    return 0;
}

static void ln_cancel(struct sov_call *c)
{
    struct ln_job *j = c->priv;
    if (j)
        job_detach(j);
}

/* ---- open / close ---- */

static void ln_close(struct sov_backend *b)
{
    struct ln_node *n = b->priv;
    if (!n)
        return;
    b->queue = NULL;
    if (n->thr_started) {
        pthread_mutex_lock(&n->mu);
        n->stop = true;
        pthread_cond_signal(&n->cv);
        pthread_mutex_unlock(&n->mu);
        pthread_join(n->thr, NULL);
    }
    sov__llama_ctx_free(n->ctx);
    sov__llama_model_free(n->m);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n);
    b->priv = NULL;
}

static int ln_open(struct sov_backend *b, bool check_only, char **err)
{
    const struct sov_yaml_node *mk = sov_yaml_get(b->cfg->node, "model");
    if (!mk || mk->type != SOV_YAML_SCALAR || !mk->scalar[0]) {
        *err = sov_asprintf("backends[%s].model (line %d): required for kind llama: the path of a GGUF file", b->cfg->name,
                            mk ? mk->line : b->cfg->node->line);
        return SOV_ECONFIG;
    }
    unsigned ctx, threads, parallel, gpu, maxq;
    int rc = key_uint(b, "ctx_size", 0, 0, 1u << 20, &ctx, err);
    if (!rc)
        rc = key_uint(b, "threads", 0, 0, 1024, &threads, err);
    if (!rc)
        rc = key_uint(b, "parallel", 2, 1, LN_MAX_SLOTS, &parallel, err);
    if (!rc)
        rc = key_uint(b, "gpu_layers", 0, 0, 100000, &gpu, err);
    if (!rc)
        rc = key_uint(b, "max_queue", 16, 0, 1000000, &maxq, err);
    if (rc)
        return rc;
    if (ctx && ctx < 64) {
        *err = sov_asprintf("backends[%s].ctx_size: at least 64 tokens (or 0 for the model's own, capped at 4096)", b->cfg->name);
        return SOV_ECONFIG;
    }
    char *why = NULL;
    uint64_t size = 0;
    rc = sov__llama_check_file(mk->scalar, -1, &size, &why);
    if (rc) {
        *err = sov_asprintf("backends[%s].model (line %d): %s", b->cfg->name, mk->line, why);
        free(why);
        return SOV_ECONFIG;
    }
    if (check_only)
        return 0;
    struct ln_node *n = calloc(1, sizeof *n);
    if (!n) {
        *err = strdup("out of memory");
        return SOV_ENOMEM;
    }
    n->b = b;
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    b->priv = n;
    struct sov_llama_model_params mp = {.path = mk->scalar, .gpu_layers = (int)gpu};
    uint64_t t0 = sov_now_us();
    n->m = sov__llama_model_load(&mp, &why);
    if (!n->m)
        goto fail;
    sov__llama_model_info(n->m, &n->info);
    n->n_vocab = n->info.n_vocab;
    n->n_slots = n->info.is_embedding ? 1 : parallel;
    n->max_queue = maxq;
    uint32_t per = ctx ? ctx : 4096;
    if (!ctx && n->info.n_ctx_train > 0 && per > (uint32_t)n->info.n_ctx_train)
        per = (uint32_t)n->info.n_ctx_train;
    n->n_batch = n->info.is_embedding ? per : 512;
    struct sov_llama_ctx_params cp = {.n_ctx = per * n->n_slots,
                                      .n_batch = n->n_batch,
                                      .n_threads = (int)threads,
                                      .n_seq = n->n_slots,
                                      .embeddings = n->info.is_embedding};
    n->ctx = sov__llama_ctx_new(n->m, &cp, &why);
    if (!n->ctx)
        goto fail;
    n->lctx = sov__llama_ctx_raw(n->ctx);
    n->n_ctx_slot = sov__llama_ctx_n_ctx_seq(n->ctx);
    atomic_store(&n->qm.slots_total, n->n_slots);
    atomic_store(&n->qm.queue_limit, n->max_queue);
    b->queue = &n->qm;
    if (pthread_create(&n->thr, NULL, inference_main, n) != 0) {
        why = strdup("could not start the inference thread");
        goto fail;
    }
    n->thr_started = true;
    sov_info("backend %s: %s (%s, %.1f MiB) loaded in %.0f ms: %u slots of %u tokens, queue %u", b->cfg->name, mk->scalar,
             n->info.desc, (double)size / 1048576.0, (double)(sov_now_us() - t0) / 1000.0, n->n_slots, n->n_ctx_slot, n->max_queue);
    return 0;
fail:
    *err = sov_asprintf("backends[%s].model (line %d): %s", b->cfg->name, mk->line, why ? why : "could not load");
    free(why);
    ln_close(b);
    return SOV_ECONFIG;
}

const struct sov_backend_ops sov_backend_llama = {
    .kind = "llama",
    .open = ln_open,
    .close = ln_close,
    .start = ln_start,
    .cancel = ln_cancel,
    .embed = ln_embed,
};
