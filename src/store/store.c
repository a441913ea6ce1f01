/* The decision store: a bounded queue in front of one SQLite writer thread. See store.h. */
#define SOV_LOG_MODULE "store"
#include "store/store.h"
#include "common/log.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORE_APP_ID 0x536f7672 /* "Sovr": marks a file as a Sovereign store */
#define STORE_SCHEMA 1          /* PRAGMA user_version */
#define BATCH_MAX 512
#define FLUSH_MS 200

/* The columns, in order: one table drives the schema, the insert and the reader. */
#define STORE_COLUMNS(X)                                                                                                       \
    X(time, "REAL NOT NULL")                                                                                                   \
    X(method, "TEXT")                                                                                                          \
    X(path, "TEXT")                                                                                                            \
    X(status, "INTEGER")                                                                                                       \
    X(model, "TEXT")                                                                                                           \
    X(backend, "TEXT")                                                                                                         \
    X(tier, "TEXT")                                                                                                            \
    X(route, "TEXT")                                                                                                           \
    X(reason, "TEXT")                                                                                                          \
    X(task, "TEXT")                                                                                                            \
    X(complexity, "REAL")                                                                                                      \
    X(sensitive, "TEXT")                                                                                                       \
    X(workflow, "TEXT")                                                                                                        \
    X(client, "TEXT")                                                                                                          \
    X(stream, "INTEGER")                                                                                                       \
    X(attempts, "INTEGER")                                                                                                     \
    X(prompt_tokens, "INTEGER")                                                                                                \
    X(completion_tokens, "INTEGER")                                                                                            \
    X(cost_usd, "REAL")                                                                                                        \
    X(latency_ms, "REAL")                                                                                                      \
    X(ttfb_ms, "REAL")                                                                                                         \
    X(mean_logprob, "REAL")

#define COL_NAME_(n, t) #n ","
#define COL_DEF_(n, t) ", " #n " " t
#define COL_Q_(n, t) "?,"
static const char COLUMN_LIST[] = STORE_COLUMNS(COL_NAME_);  /* trailing comma trimmed at use */
static const char CREATE_SQL[] = "CREATE TABLE IF NOT EXISTS decisions (id INTEGER PRIMARY KEY" STORE_COLUMNS(COL_DEF_) ");"
                                 "CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);";
static const char PLACEHOLDERS[] = STORE_COLUMNS(COL_Q_);

struct sov_store {
    sqlite3 *db;
    sqlite3_stmt *insert, *prune;
    unsigned retention_days;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sov_store_record *ring;
    size_t cap, head, count; /* records ring[head .. head+count) (mod cap) wait for the writer */
    bool stop;
    atomic_uint_fast64_t dropped;
    uint64_t since_prune;
};

static char *db_error(sqlite3 *db, const char *what, const char *path)
{
    return sov_asprintf("%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}

/* "a,b,c," -> "a,b,c" into out */
static void trim_comma(const char *in, char *out, size_t cap)
{
    size_t n = strlen(in);
    if (n && in[n - 1] == ',')
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s[0])
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int write_one(struct sov_store *s, const struct sov_store_record *r)
{
    sqlite3_stmt *st = s->insert;
    int i = 1;
    sqlite3_bind_double(st, i++, r->time);
    bind_text(st, i++, r->method);
    bind_text(st, i++, r->path);
    sqlite3_bind_int(st, i++, r->status);
    bind_text(st, i++, r->model);
    bind_text(st, i++, r->backend);
    bind_text(st, i++, r->tier);
    bind_text(st, i++, r->route);
    bind_text(st, i++, r->reason);
    bind_text(st, i++, r->task);
    if (r->complexity >= 0)
        sqlite3_bind_double(st, i++, r->complexity);
    else
        sqlite3_bind_null(st, i++);
    bind_text(st, i++, r->sensitive);
    bind_text(st, i++, r->workflow);
    bind_text(st, i++, r->client);
    sqlite3_bind_int(st, i++, r->stream);
    sqlite3_bind_int(st, i++, (int)r->attempts);
    if (r->prompt_tokens >= 0)
        sqlite3_bind_int64(st, i++, r->prompt_tokens);
    else
        sqlite3_bind_null(st, i++);
    if (r->completion_tokens >= 0)
        sqlite3_bind_int64(st, i++, r->completion_tokens);
    else
        sqlite3_bind_null(st, i++);
    sqlite3_bind_double(st, i++, r->cost_usd);
    sqlite3_bind_double(st, i++, r->latency_ms);
    sqlite3_bind_double(st, i++, r->ttfb_ms);
    if (r->has_confidence)
        sqlite3_bind_double(st, i++, r->mean_logprob);
    else
        sqlite3_bind_null(st, i++);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : SOV_EIO;
}

static void write_batch(struct sov_store *s, const struct sov_store_record *batch, size_t n)
{
    bool tx = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        if (write_one(s, &batch[i]) != 0)
            failed++;
    if (tx && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        failed = n;
    }
    if (failed) {
        atomic_fetch_add_explicit(&s->dropped, failed, memory_order_relaxed);
        sov_warn("could not write %zu decision(s): %s", failed, sqlite3_errmsg(s->db));
    }
    s->since_prune += n;
    if (s->prune && s->since_prune >= 4096) {
        s->since_prune = 0;
        sqlite3_bind_double(s->prune, 1, sov_wall_time() - (double)s->retention_days * 86400.0);
        sqlite3_step(s->prune);
        sqlite3_reset(s->prune);
    }
}

static void *writer(void *arg)
{
    struct sov_store *s = arg;
    struct sov_store_record *batch = malloc(BATCH_MAX * sizeof *batch);
    if (!batch) {
        sov_error("out of memory: the decision store stops writing");
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (!s->count && !s->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += FLUSH_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        }
        if (!s->count && s->stop)
            break;
        size_t n = 0;
        while (s->count && n < BATCH_MAX) {
            batch[n++] = s->ring[s->head];
            s->head = (s->head + 1) % s->cap;
            s->count--;
        }
        pthread_mutex_unlock(&s->mu);
        if (n)
            write_batch(s, batch, n);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    free(batch);
    return NULL;
}

/* Checks an existing file is ours (or empty) and creates the schema. */
static int prepare(sqlite3 *db, const char *path, char **err)
{
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt *st = NULL;
    int app = 0, tables = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) != SQLITE_OK) {
        *err = db_error(db, "not an SQLite database", path);
        return SOV_EIO;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        app = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        *err = db_error(db, "not an SQLite database", path);
        return SOV_EIO;
    }
    tables = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (tables && app != STORE_APP_ID) {
        *err = sov_asprintf("%s: not a Sovereign decision store (an SQLite file of something else)", path);
        return SOV_EINVAL;
    }
    char sql[1536];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA application_id=%d; %s PRAGMA user_version=%d;",
             STORE_APP_ID, CREATE_SQL, STORE_SCHEMA);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        *err = sov_asprintf("%s: cannot create the decision table: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        return SOV_EIO;
    }
    return 0;
}

struct sov_store *sov_store_open(const char *path, const struct sov_store_options *opt, char **err)
{
    struct sov_store *s = calloc(1, sizeof *s);
    if (!s) {
        *err = strdup("out of memory");
        return NULL;
    }
    s->cap = opt && opt->queue ? opt->queue : 4096;
    s->retention_days = opt ? opt->retention_days : 0;
    /* calloc: pages of the ring are only touched when records queue up */
    s->ring = calloc(s->cap, sizeof *s->ring);
    if (!s->ring) {
        free(s);
        *err = strdup("out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        *err = db_error(s->db, "cannot open", path);
        goto fail;
    }
    if (prepare(s->db, path, err) != 0)
        goto fail;
    char cols[512], sql[1024];
    char q[128];
    trim_comma(COLUMN_LIST, cols, sizeof cols);
    trim_comma(PLACEHOLDERS, q, sizeof q);
    snprintf(sql, sizeof sql, "INSERT INTO decisions (%s) VALUES (%s)", cols, q);
    if (sqlite3_prepare_v2(s->db, sql, -1, &s->insert, NULL) != SQLITE_OK) {
        *err = db_error(s->db, "cannot prepare the insert", path);
        goto fail;
    }
    if (s->retention_days &&
        sqlite3_prepare_v2(s->db, "DELETE FROM decisions WHERE time < ?", -1, &s->prune, NULL) != SQLITE_OK) {
        *err = db_error(s->db, "cannot prepare the retention delete", path);
        goto fail;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, writer, s) != 0) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        *err = sov_asprintf("%s: cannot start the writer thread: %s", path, strerror(errno));
        goto fail;
    }
    return s;
fail:
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->prune);
    sqlite3_close(s->db);
    free(s->ring);
    free(s);
    return NULL;
}

int sov_store_put(struct sov_store *s, const struct sov_store_record *rec)
{
    pthread_mutex_lock(&s->mu);
    if (s->count == s->cap) {
        pthread_mutex_unlock(&s->mu);
        atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
        return SOV_EBUSY;
    }
    s->ring[(s->head + s->count) % s->cap] = *rec;
    bool wake = ++s->count >= BATCH_MAX / 2;
    pthread_mutex_unlock(&s->mu);
    if (wake)
        pthread_cond_signal(&s->cv);
    return 0;
}

uint64_t sov_store_dropped(const struct sov_store *s)
{
    return atomic_load_explicit(&s->dropped, memory_order_relaxed);
}

void sov_store_close(struct sov_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->prune);
    sqlite3_close(s->db);
    free(s->ring);
    free(s);
}

/* ---- reading ---------------------------------------------------------------------------------- */

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n = t ? strlen((const char *)t) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

static int64_t col_i64_or(sqlite3_stmt *st, int i, int64_t dflt)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(st, i);
}

static void read_row(sqlite3_stmt *st, struct sov_store_record *r)
{
    memset(r, 0, sizeof *r);
    int i = 0;
    r->time = sqlite3_column_double(st, i++);
    col_text(st, i++, r->method, sizeof r->method);
    col_text(st, i++, r->path, sizeof r->path);
    r->status = sqlite3_column_int(st, i++);
    col_text(st, i++, r->model, sizeof r->model);
    col_text(st, i++, r->backend, sizeof r->backend);
    col_text(st, i++, r->tier, sizeof r->tier);
    col_text(st, i++, r->route, sizeof r->route);
    col_text(st, i++, r->reason, sizeof r->reason);
    col_text(st, i++, r->task, sizeof r->task);
    r->complexity = sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_double(st, i);
    i++;
    col_text(st, i++, r->sensitive, sizeof r->sensitive);
    col_text(st, i++, r->workflow, sizeof r->workflow);
    col_text(st, i++, r->client, sizeof r->client);
    r->stream = sqlite3_column_int(st, i++) != 0;
    r->attempts = (unsigned)sqlite3_column_int(st, i++);
    r->prompt_tokens = col_i64_or(st, i++, -1);
    r->completion_tokens = col_i64_or(st, i++, -1);
    r->cost_usd = sqlite3_column_double(st, i++);
    r->latency_ms = sqlite3_column_double(st, i++);
    r->ttfb_ms = sqlite3_column_double(st, i++);
    r->has_confidence = sqlite3_column_type(st, i) != SQLITE_NULL;
    r->mean_logprob = sqlite3_column_double(st, i++);
}

int sov_store_each(const char *path, const struct sov_store_filter *f, int (*cb)(const struct sov_store_record *r, void *u),
                   void *u, char **err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *err = db_error(db, "cannot open", path);
        sqlite3_close(db);
        return SOV_EIO;
    }
    sqlite3_busy_timeout(db, 2000);
    int rc = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
        sqlite3_column_int(st, 0) != STORE_APP_ID) {
        *err = sov_asprintf("%s: not a Sovereign decision store", path);
        rc = SOV_EPARSE;
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    char cols[512], sql[1024];
    trim_comma(COLUMN_LIST, cols, sizeof cols);
    bool newest = f && f->limit;
    snprintf(sql, sizeof sql,
             "SELECT %s FROM decisions WHERE (?1 = 0 OR time >= ?1) AND (?2 = 0 OR time < ?2) AND (?3 IS NULL OR route = ?3)"
             " AND (?4 IS NULL OR backend = ?4) AND (?5 IS NULL OR workflow = ?5) ORDER BY time %s, id %s LIMIT ?6",
             cols, newest ? "DESC" : "ASC", newest ? "DESC" : "ASC");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *err = db_error(db, "cannot read the decision table", path);
        rc = SOV_EPARSE;
        goto out;
    }
    sqlite3_bind_double(st, 1, f ? f->since : 0);
    sqlite3_bind_double(st, 2, f ? f->until : 0);
    if (f && f->route)
        sqlite3_bind_text(st, 3, f->route, -1, SQLITE_STATIC);
    if (f && f->backend)
        sqlite3_bind_text(st, 4, f->backend, -1, SQLITE_STATIC);
    if (f && f->workflow)
        sqlite3_bind_text(st, 5, f->workflow, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, newest ? (sqlite3_int64)f->limit : -1);
    struct sov_store_record r;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &r);
        if ((rc = cb(&r, u)) != 0)
            goto out;
    }
    if (s != SQLITE_DONE) {
        *err = db_error(db, "read failed", path);
        rc = SOV_EIO;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
