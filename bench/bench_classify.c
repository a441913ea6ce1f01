/*
 * bench_classify: the router's per-request cost on one core: sov_router_decide (scan + classify +
 * policy) on a parsed chat request, the classifier and the scanner alone, and the JSON parse in
 * front of it; plus the model file's size and load time.
 *
 * Text: bench_text.h (Arena-Hard prompts with fake PII every ~400 bytes) as one user message of
 * 1 KB and of 100 KB, behind a short system prompt.
 *
 * Usage: build/bench_classify [DATA_DIR [MODEL]]   (prints Markdown tables to stdout)
 *   DATA_DIR defaults to $SOV_SHARED_DATA, then ../shared/data; MODEL to the router's default model.
 */
#include "bench_text.h"
#include "common/util.h"
#include "route/classify.h"
#include "route/router.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct stats {
    double mean_us, p50_us, p99_us, cpu_p50_us;
};

/* CPU time of this thread: on a shared machine it leaves out the time the thread was preempted. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct stats summarize(uint64_t *lat, size_t iters, uint64_t total)
{
    qsort(lat, iters, sizeof *lat, bench_cmp_u64);
    return (struct stats){(double)total / (double)iters / 1e3, (double)lat[iters / 2] / 1e3, (double)lat[iters * 99 / 100] / 1e3,
                          0};
}

enum what { W_DECIDE, W_CLASSIFY, W_SCAN, W_PARSE_DECIDE };

struct ctx {
    const struct sov_router *r;
    struct sov_router_scratch *rs;
    const struct sov_classifier *cls;
    struct sov_classify_scratch *cs;
    const json_t *req;
    const char *body;
    size_t body_len;
};

static int run_once(struct ctx *c, enum what w)
{
    struct sov_decision d;
    float probs[SOV_TASK_COUNT], cx;
    switch (w) {
    case W_DECIDE:
        return sov_router_decide(c->r, c->rs, c->req, NULL, NULL, &d);
    case W_CLASSIFY:
        return sov_classify(c->cls, c->cs, c->req, probs, &cx) < 0 ? -1 : 0;
    case W_SCAN:
        memset(&d, 0, sizeof d);
        return sov_router_scan(c->r, c->rs, c->req, &d);
    case W_PARSE_DECIDE: {
        json_t *j = json_loadb(c->body, c->body_len, 0, NULL);
        int rc = j ? sov_router_decide(c->r, c->rs, j, NULL, NULL, &d) : -1;
        json_decref(j);
        return rc;
    }
    }
    return -1;
}

static struct stats bench(struct ctx *c, enum what w, size_t iters)
{
    uint64_t *lat = malloc(iters * sizeof *lat), *cpu = malloc(iters * sizeof *cpu);
    if (!lat || !cpu)
        exit(1);
    for (size_t i = 0; i < iters / 10 + 1; i++)
        if (run_once(c, w) != 0) {
            fprintf(stderr, "bench_classify: the request was refused\n");
            exit(1);
        }
    uint64_t t0 = sov_now_ns();
    for (size_t i = 0; i < iters; i++) {
        uint64_t a = sov_now_ns(), ca = cpu_ns();
        run_once(c, w);
        cpu[i] = cpu_ns() - ca;
        lat[i] = sov_now_ns() - a;
    }
    struct stats s = summarize(lat, iters, sov_now_ns() - t0);
    qsort(cpu, iters, sizeof *cpu, bench_cmp_u64);
    s.cpu_p50_us = (double)cpu[iters / 2] / 1e3;
    free(lat);
    free(cpu);
    return s;
}

int main(int argc, char **argv)
{
    const char *data = argc > 1 ? argv[1] : getenv("SOV_SHARED_DATA");
    if (!data)
        data = SOV_SOURCE_DIR "/../shared/data";
    const char *model = argc > 2 ? argv[2] : getenv("SOVEREIGN_ROUTER_MODEL");
    if (!model)
        model = SOV_SOURCE_DIR "/models/router-model.bin";
    setenv("SOVEREIGN_ROUTER_MODEL", model, 1);

    char *err = NULL;
    /* model load: best and median of 21 loads (file read, checksum, validation) */
    uint64_t loads[21];
    struct sov_classifier *cls = NULL;
    for (size_t i = 0; i < 21; i++) {
        sov_classifier_free(cls);
        uint64_t a = sov_now_ns();
        cls = sov_classifier_load(model, &err);
        loads[i] = sov_now_ns() - a;
        if (!cls) {
            fprintf(stderr, "bench_classify: %s\n", err);
            return 1;
        }
    }
    qsort(loads, 21, sizeof loads[0], bench_cmp_u64);
    struct stat st;
    long long fsize = stat(model, &st) == 0 ? (long long)st.st_size : -1;

    struct sov_router *r = sov_router_new(NULL, &err);
    if (!r) {
        fprintf(stderr, "bench_classify: %s\n", err);
        return 1;
    }
    struct ctx c = {r, sov_router_scratch_new(r), cls, sov_classify_scratch_new(), NULL, NULL, 0};
    if (!c.rs || !c.cs)
        return 1;

    printf("Model %s: %lld bytes (2^%u hashed buckets), load %.2f ms (best of 21), %.2f ms (median).\n\n", model, fsize,
           cls->bucket_bits, (double)loads[0] / 1e6, (double)loads[10] / 1e6);
    printf("| prompt | step | mean µs | p50 µs | p99 µs | CPU p50 µs |\n|---|---|---:|---:|---:|---:|\n");
    static const struct {
        const char *label;
        size_t size, iters;
    } cases[] = {{"1 KB", 1024, 100000}, {"100 KB", 100 * 1024, 1000}};
    static const struct {
        enum what w;
        const char *label;
    } steps[] = {{W_CLASSIFY, "classify alone"},
                 {W_SCAN, "scan alone"},
                 {W_DECIDE, "scan + classify + policy (sov_router_decide)"},
                 {W_PARSE_DECIDE, "JSON parse + sov_router_decide"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = bench_build_text(data, cases[i].size);
        if (!text)
            return 1;
        size_t len = bench_utf8_trim(text, strlen(text));
        text[len] = '\0';
        json_t *req = json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "messages", "role", "system", "content",
                                "You are a helpful assistant.", "role", "user", "content", text);
        char *body = json_dumps(req, JSON_COMPACT);
        if (!req || !body)
            return 1;
        c.req = req;
        c.body = body;
        c.body_len = strlen(body);
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
            struct stats s = bench(&c, steps[k].w, cases[i].iters);
            printf("| %s | %s | %.2f | %.2f | %.2f | %.2f |\n", cases[i].label, steps[k].label, s.mean_us, s.p50_us, s.p99_us,
                   s.cpu_p50_us);
        }
        free(body);
        json_decref(req);
        free(text);
    }
    sov_classify_scratch_free(c.cs);
    sov_router_scratch_free(c.rs);
    sov_router_free(r);
    sov_classifier_free(cls);
    return 0;
}
