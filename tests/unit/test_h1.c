/* The plain-HTTP/1.1 upstream client (backend/h1.c) through sov_upstream_post, against a canned
 * server on 127.0.0.1: framings (length, chunked with extensions and trailers, close-delimited),
 * 1xx before the answer, broken and unreadable answers, keep-alive reuse, a stale reused connection,
 * a refused connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/h1.h"
#include "backend/upstream.h"

/* ---- the canned server: one connection at a time, answers chosen by the request path ---------- */

static int srv_fd, srv_port;
static atomic_int accepts;

static const char *answer_for(const char *path, bool *close_after)
{
    *close_after = false;
    if (!strncmp(path, "/len", 4))
        return "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    if (!strncmp(path, "/lenclose", 9))
        return "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    if (!strncmp(path, "/chunked", 8))
        return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n";
    if (!strncmp(path, "/ratelimit", 10))
        return "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7 \r\nContent-Length: 2\r\n\r\nno";
    if (!strncmp(path, "/continue", 9))
        return "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
    *close_after = true;
    if (!strncmp(path, "/close", 6))
        return "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end";
    if (!strncmp(path, "/broken", 7))
        return "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    return "NOT HTTP AT ALL\r\n\r\n";
}

static void *server(void *arg)
{
    for (;;) {
        int c = accept(srv_fd, NULL, NULL);
        if (c < 0)
            return NULL;
        atomic_fetch_add(&accepts, 1);
        char buf[8192];
        size_t len = 0;
        for (;;) {
            ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
            if (n <= 0)
                break;
            len += (size_t)n;
            buf[len] = '\0';
            char *eoh = strstr(buf, "\r\n\r\n");
            if (!eoh)
                continue;
            const char *cl = strcasestr(buf, "Content-Length:");
            size_t want = (size_t)(eoh - buf) + 4 + (cl ? strtoul(cl + 15, NULL, 10) : 0);
            if (len < want)
                continue;
            char path[64] = "";
            sscanf(buf, "POST %63s", path);
            bool close_after;
            const char *a = answer_for(path, &close_after);
            if (write(c, a, strlen(a)) < 0)
                break;
            memmove(buf, buf + want, len - want);
            len -= want;
            if (close_after || !strncmp(path, "/lenclose", 9))
                break; /* /lenclose: closes without saying so (a stale keep-alive connection) */
        }
        close(c);
    }
}

/* ---- the client side ---------------------------------------------------------------------------- */

struct result {
    char data[256];
    size_t len;
    int status, done_status;
    unsigned retry_after;
    enum sov_upstream_result res;
    bool done;
    struct event_base *base;
    struct sov_upstream_loop *loop;
    const char *then; /* another request to start from on_done (the stale-connection case) */
    struct result *next;
};

static void on_data(void *ud, int status, const char *p, size_t n)
{
    struct result *r = ud;
    r->status = status;
    if (r->len + n < sizeof r->data) {
        memcpy(r->data + r->len, p, n);
        r->len += n;
    }
}

static struct sov_upstream_req *post(struct result *r, const char *path);

static void on_retry_after(void *ud, unsigned s)
{
    struct result *r = ud;
    assert_false(r->done); /* before on_done */
    r->retry_after = s;
}

static void on_done(void *ud, enum sov_upstream_result res, int status)
{
    struct result *r = ud;
    r->res = res;
    r->done_status = status;
    r->done = true;
    if (r->then)
        post(r->next, r->then);
    else
        event_base_loopbreak(r->base);
}

static struct sov_upstream_req *post(struct result *r, const char *path)
{
    static const struct sov_upstream_cbs cbs = {on_data, on_done, on_retry_after};
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", srv_port, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    char *body = strdup("{\"x\":1}");
    struct sov_upstream_timeouts t = {1000, 3000, 3000};
    return sov_upstream_post(r->loop, url, h, body, strlen(body), &t, &cbs, r);
}

static struct result run(struct event_base *base, struct sov_upstream_loop *l, const char *path)
{
    struct result r = {0};
    r.base = base;
    r.loop = l;
    assert_non_null(post(&r, path));
    event_base_dispatch(base);
    assert_true(r.done);
    return r;
}

static int setup(void **state)
{
    srv_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(srv_fd, (struct sockaddr *)&a, sizeof a) || listen(srv_fd, 16) || getsockname(srv_fd, (struct sockaddr *)&a, &al))
        return -1;
    srv_port = ntohs(a.sin_port);
    pthread_t th;
    pthread_create(&th, NULL, server, NULL);
    pthread_detach(th);
    return 0;
}

static void framings(void **state)
{
    struct event_base *base = event_base_new();
    struct sov_upstream_loop *l = sov_upstream_loop_new(base);
    assert_non_null(l);
    assert_true(sov__h1_accepts("http://127.0.0.1:8080/v1/chat/completions"));
    assert_true(sov__h1_accepts("http://[::1]:8080/v1/x"));
    assert_true(sov__h1_accepts("http://localhost:1/v1"));
    assert_false(sov__h1_accepts("https://127.0.0.1:8080/v1"));
    assert_false(sov__h1_accepts("http://api.example.com/v1"));

    struct result r = run(base, l, "/len");
    assert_int_equal(r.res, SOV_UP_OK);
    assert_int_equal(r.done_status, 200);
    assert_int_equal(r.len, 5);
    assert_memory_equal(r.data, "hello", 5);

    r = run(base, l, "/chunked");
    assert_int_equal(r.res, SOV_UP_OK);
    assert_int_equal(r.len, 11);
    assert_memory_equal(r.data, "hello world", 11);

    r = run(base, l, "/ratelimit");
    assert_int_equal(r.res, SOV_UP_OK);
    assert_int_equal(r.done_status, 429);
    assert_int_equal(r.retry_after, 7);
    assert_memory_equal(r.data, "no", 2);

    r = run(base, l, "/continue");
    assert_int_equal(r.res, SOV_UP_OK);
    assert_int_equal(r.done_status, 201);
    assert_int_equal(r.len, 2);

    r = run(base, l, "/close");
    assert_int_equal(r.res, SOV_UP_OK);
    assert_int_equal(r.len, strlen("until the end"));

    r = run(base, l, "/broken");
    assert_int_equal(r.res, SOV_UP_BROKEN);
    assert_int_equal(r.done_status, 200);

    r = run(base, l, "/garbage");
    assert_int_not_equal(r.res, SOV_UP_OK);
    assert_int_equal(sov_upstream_loop_active(l), 0);
    sov_upstream_loop_free(l);
    event_base_free(base);
}

static void reuse_and_stale(void **state)
{
    struct event_base *base = event_base_new();
    struct sov_upstream_loop *l = sov_upstream_loop_new(base);
    int before = atomic_load(&accepts);
    for (int i = 0; i < 5; i++) {
        struct result r = run(base, l, "/len");
        assert_int_equal(r.res, SOV_UP_OK);
    }
    assert_int_equal(atomic_load(&accepts) - before, 1); /* one keep-alive connection for all five */

    /* the server closes after answering; the next request starts at once from on_done, on the
     * (now stale) parked connection: it must go through on a new one */
    struct result second = {0};
    second.base = base;
    second.loop = l;
    struct result first = {0};
    first.base = base;
    first.loop = l;
    first.then = "/len";
    first.next = &second;
    before = atomic_load(&accepts);
    assert_non_null(post(&first, "/lenclose"));
    event_base_dispatch(base);
    assert_true(first.done && second.done);
    assert_int_equal(first.res, SOV_UP_OK);
    assert_int_equal(second.res, SOV_UP_OK);
    assert_int_equal(second.len, 5);
    sov_upstream_loop_free(l);
    event_base_free(base);
}

static void refused(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd); /* a port nobody listens on */
    int saved = srv_port;
    srv_port = ntohs(a.sin_port);
    struct event_base *base = event_base_new();
    struct sov_upstream_loop *l = sov_upstream_loop_new(base);
    struct result r = run(base, l, "/len");
    assert_int_equal(r.res, SOV_UP_CONNECT);
    assert_int_equal(r.done_status, 0);
    srv_port = saved;
    sov_upstream_loop_free(l);
    event_base_free(base);
}

int main(void)
{
    unsetenv("SOV_UPSTREAM_CURL");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(framings),
        cmocka_unit_test(reuse_and_stale),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
