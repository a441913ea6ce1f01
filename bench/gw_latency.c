/*
 * gw_latency: sequential request latency of HTTP targets on loopback, measured side by side.
 *
 * Each target gets its own keep-alive connection; requests go out one at a time, round-robin over
 * the targets (A, B, C, A, B, C, ...), so every target is measured under the same machine load at
 * the same moments. Time is from the first byte written to the last byte of the response read
 * (chunked bodies are read to their last chunk). With --baseline NAME, each target's p50 and p99
 * are also given minus the baseline's: the latency that target adds on top of calling it directly.
 *
 * Usage: gw_latency [-n N] [--warmup N] [--baseline NAME] --body FILE [--expect TEXT]
 *                   --target NAME URL [--header 'K: V']... [--target NAME URL ...]
 *   --header applies to the --target before it. Only http:// URLs on loopback are accepted.
 * Output: one tab-separated line per target after a header line:
 *   target n errors p50_us p99_us mean_us min_us added_p50_us added_p99_us
 * Exit status: 0, 1 if a target failed every request, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 8
#define MAX_HEADERS 8
#define MAX_RESPONSE (16u << 20)

struct target {
    const char *name;
    char host[64];
    int port;
    char path[512];
    const char *headers[MAX_HEADERS];
    int n_headers;
    char *request; /* the whole request, built once */
    size_t request_len;
    int fd;
    double *us; /* one per measured request */
    size_t n, errors;
};

struct rbuf {
    char *data;
    size_t len, cap;
};

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "gw_latency: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see the comment at the top of bench/gw_latency.c)\n");
    return 2;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int parse_url(struct target *t, const char *url)
{
    if (strncmp(url, "http://", 7) != 0)
        return -1;
    const char *h = url + 7, *colon = strchr(h, ':'), *slash = strchr(h, '/');
    if (!colon || !slash || colon > slash || (size_t)(colon - h) >= sizeof t->host)
        return -1;
    memcpy(t->host, h, (size_t)(colon - h));
    t->host[colon - h] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (end != slash || p <= 0 || p > 65535)
        return -1;
    t->port = (int)p;
    snprintf(t->path, sizeof t->path, "%s", slash);
    struct in_addr a;
    if (inet_pton(AF_INET, t->host, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127)
        return -1; /* loopback only */
    return 0;
}

static int connect_to(struct target *t)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {10, 0}; /* never hang on a target that stopped answering */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)t->port);
    inet_pton(AF_INET, t->host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int fill(int fd, struct rbuf *b)
{
    if (b->cap - b->len < 65536) {
        if (b->cap >= MAX_RESPONSE)
            return -1;
        size_t nc = b->cap ? b->cap * 2 : 131072;
        char *d = realloc(b->data, nc);
        if (!d)
            return -1;
        b->data = d;
        b->cap = nc;
    }
    ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
    if (n <= 0)
        return -1;
    b->len += (size_t)n;
    b->data[b->len] = '\0';
    return 0;
}

static const char *find_header(const char *head, size_t head_len, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = head; p && p < head + head_len; p = memchr(p, '\n', (size_t)(head + head_len - p))) {
        if (*p == '\n')
            p++;
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            p += nl + 1;
            while (*p == ' ')
                p++;
            return p;
        }
    }
    return NULL;
}

/* Reads one response on t->fd into b; the decoded body goes to body. Returns the status, or -1. */
static int read_response(struct target *t, struct rbuf *b, struct rbuf *body, bool *keep)
{
    b->len = 0;
    body->len = 0;
    char *eoh;
    while (!(eoh = b->len ? strstr(b->data, "\r\n\r\n") : NULL))
        if (fill(t->fd, b) != 0)
            return -1;
    size_t head_len = (size_t)(eoh - b->data) + 4;
    int status = 0;
    if (sscanf(b->data, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    const char *conn = find_header(b->data, head_len, "Connection");
    *keep = !(conn && !strncasecmp(conn, "close", 5));
    const char *te = find_header(b->data, head_len, "Transfer-Encoding");
    const char *cl = find_header(b->data, head_len, "Content-Length");
    size_t pos = head_len;
    if (te && !strncasecmp(te, "chunked", 7)) {
        for (;;) {
            char *eol;
            while (!(eol = strstr(b->data + pos, "\r\n")))
                if (fill(t->fd, b) != 0)
                    return -1;
            unsigned long sz = strtoul(b->data + pos, NULL, 16);
            size_t start = (size_t)(eol - b->data) + 2;
            while (b->len < start + sz + 2)
                if (fill(t->fd, b) != 0)
                    return -1;
            if (sz == 0)
                break;
            if (body->cap < body->len + sz + 1) {
                size_t nc = (body->len + sz + 1) * 2;
                char *d = realloc(body->data, nc);
                if (!d)
                    return -1;
                body->data = d;
                body->cap = nc;
            }
            memcpy(body->data + body->len, b->data + start, sz);
            body->len += sz;
            body->data[body->len] = '\0';
            pos = start + sz + 2;
        }
    } else if (cl) {
        size_t want = head_len + strtoul(cl, NULL, 10);
        while (b->len < want)
            if (fill(t->fd, b) != 0)
                return -1;
        size_t sz = want - head_len;
        if (body->cap < sz + 1) {
            char *d = realloc(body->data, sz + 1);
            if (!d)
                return -1;
            body->data = d;
            body->cap = sz + 1;
        }
        memcpy(body->data, b->data + head_len, sz);
        body->len = sz;
        body->data[sz] = '\0';
    } else {
        return -1; /* the benchmarks' servers always frame their answers */
    }
    return status;
}

/* One request on t; returns its time in µs, or a negative number on failure. */
static double one_request(struct target *t, struct rbuf *b, struct rbuf *body, const char *expect)
{
    if (t->fd < 0 && (t->fd = connect_to(t)) < 0)
        return -1;
    double t0 = now_us();
    size_t off = 0;
    while (off < t->request_len) {
        ssize_t n = write(t->fd, t->request + off, t->request_len - off);
        if (n <= 0) {
            close(t->fd);
            t->fd = -1;
            return -1;
        }
        off += (size_t)n;
    }
    bool keep = true;
    int status = read_response(t, b, body, &keep);
    double dt = now_us() - t0;
    if (status < 0 || !keep) {
        close(t->fd);
        t->fd = -1;
    }
    if (status != 200 || (expect && (!body->data || !strstr(body->data, expect))))
        return -1;
    return dt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t i = (size_t)(p * (double)n + 0.999999);
    i = i ? i - 1 : 0;
    return v[i < n ? i : n - 1];
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *d = NULL;
    size_t cap = 0, n = 0, r;
    char tmp[8192];
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (n + r + 1 > cap) {
            cap = (n + r + 1) * 2;
            char *nd = realloc(d, cap);
            if (!nd) {
                free(d);
                fclose(f);
                return NULL;
            }
            d = nd;
        }
        memcpy(d + n, tmp, r);
        n += r;
    }
    fclose(f);
    if (!d)
        d = calloc(1, 1);
    *len = n;
    return d;
}

int main(int argc, char **argv)
{
    struct target ts[MAX_TARGETS] = {0};
    int nt = 0;
    long n = 1000, warmup = 100;
    const char *baseline = NULL, *body_path = NULL, *expect = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has1 = i + 1 < argc;
        if (!strcmp(a, "-n") && has1) {
            n = strtol(argv[++i], NULL, 10);
            if (n < 1 || n > 10000000)
                return usage("-n wants 1..10000000, not '%s'", argv[i]);
        } else if (!strcmp(a, "--warmup") && has1) {
            warmup = strtol(argv[++i], NULL, 10);
            if (warmup < 0 || warmup > 1000000)
                return usage("--warmup wants 0..1000000, not '%s'", argv[i]);
        } else if (!strcmp(a, "--baseline") && has1) {
            baseline = argv[++i];
        } else if (!strcmp(a, "--body") && has1) {
            body_path = argv[++i];
        } else if (!strcmp(a, "--expect") && has1) {
            expect = argv[++i];
        } else if (!strcmp(a, "--target") && i + 2 < argc) {
            if (nt == MAX_TARGETS)
                return usage("at most 8 targets%s", "");
            ts[nt].name = argv[++i];
            if (parse_url(&ts[nt], argv[++i]) != 0)
                return usage("'%s' is not an http://127.x.x.x:PORT/path URL", argv[i]);
            ts[nt].fd = -1;
            nt++;
        } else if (!strcmp(a, "--header") && has1) {
            if (!nt || ts[nt - 1].n_headers == MAX_HEADERS)
                return usage("--header '%s' needs a --target before it (at most 8 each)", argv[i + 1]);
            ts[nt - 1].headers[ts[nt - 1].n_headers++] = argv[++i];
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("Usage: gw_latency [-n N] [--warmup N] [--baseline NAME] --body FILE [--expect TEXT]\n"
                   "                  --target NAME URL [--header 'K: V']... [--target NAME URL ...]\n"
                   "Sequential keep-alive POSTs, round-robin over the targets; prints p50/p99 per target\n"
                   "(and minus the baseline's) as tab-separated lines.\n");
            return 0;
        } else {
            return usage("unknown or incomplete option '%s'", a);
        }
    }
    if (!nt || !body_path)
        return usage("needs --body FILE and at least one --target%s", "");
    size_t body_len;
    char *body = read_file(body_path, &body_len);
    if (!body)
        return usage("cannot read the body file '%s'", body_path);
    int base = -1;
    for (int k = 0; k < nt; k++)
        if (baseline && !strcmp(ts[k].name, baseline))
            base = k;
    if (baseline && base < 0)
        return usage("--baseline '%s' names no target", baseline);
    for (int k = 0; k < nt; k++) {
        struct target *t = &ts[k];
        size_t cap = body_len + 4096;
        t->request = malloc(cap);
        t->us = calloc((size_t)n, sizeof *t->us);
        if (!t->request || !t->us)
            return 1;
        int w = snprintf(t->request, cap,
                         "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n", t->path,
                         t->host, t->port, body_len);
        for (int h = 0; h < t->n_headers && w > 0 && (size_t)w < cap; h++)
            w += snprintf(t->request + w, cap - (size_t)w, "%s\r\n", t->headers[h]);
        if (w <= 0 || (size_t)w + 2 + body_len > cap)
            return usage("headers too long for target '%s'", t->name);
        memcpy(t->request + w, "\r\n", 2);
        memcpy(t->request + w + 2, body, body_len);
        t->request_len = (size_t)w + 2 + body_len;
    }
    struct rbuf b = {0}, rb = {0};
    for (long i = 0; i < warmup + n; i++) {
        for (int k = 0; k < nt; k++) {
            struct target *t = &ts[k];
            double dt = one_request(t, &b, &rb, expect);
            if (i < warmup)
                continue;
            if (dt < 0)
                t->errors++;
            else
                t->us[t->n++] = dt;
        }
    }
    printf("target\tn\terrors\tp50_us\tp99_us\tmean_us\tmin_us\tadded_p50_us\tadded_p99_us\n");
    double bp50 = 0, bp99 = 0;
    for (int k = 0; k < nt; k++)
        qsort(ts[k].us, ts[k].n, sizeof(double), cmp_double);
    if (base >= 0) {
        bp50 = pct(ts[base].us, ts[base].n, 0.50);
        bp99 = pct(ts[base].us, ts[base].n, 0.99);
    }
    int rc = 0;
    for (int k = 0; k < nt; k++) {
        struct target *t = &ts[k];
        double sum = 0;
        for (size_t i = 0; i < t->n; i++)
            sum += t->us[i];
        double p50 = pct(t->us, t->n, 0.50), p99 = pct(t->us, t->n, 0.99);
        if (!t->n) {
            rc = 1;
            fprintf(stderr, "gw_latency: target %s failed all %zu requests\n", t->name, t->errors);
        }
        printf("%s\t%zu\t%zu\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", t->name, t->n, t->errors, p50, p99,
               t->n ? sum / (double)t->n : 0.0, t->n ? t->us[0] : 0.0, base >= 0 ? p50 - bp50 : 0.0, base >= 0 ? p99 - bp99 : 0.0);
        if (t->fd >= 0)
            close(t->fd);
        free(t->request);
        free(t->us);
    }
    free(b.data);
    free(rb.data);
    free(body);
    return rc;
}
