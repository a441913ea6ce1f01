/*
 * bench_scan: throughput and per-call latency of the sensitive-data scanner (one vectorscan pass plus
 * validators) on realistic prompt text, next to PCRE2 (JIT) running the same expressions one by one
 * (matching only: PCRE2 gets no validation work, so its figures are a lower bound for a PCRE2 scanner).
 *
 * Text: Arena-Hard prompts from ../shared/data (SOV_SHARED_DATA or argv[1]) concatenated, with a fake
 * PII item (email, phone, card, IBAN, SSN, IP, API key) inserted about every 400 bytes.
 *
 * Usage: build/bench_scan [DATA_DIR]   (prints a Markdown table to stdout)
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "bench_text.h"
#include "common/util.h"
#include "sensitive/sensitive.h"

#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct result {
    double mb_s, mean_us, p50_us, p99_us;
    size_t spans;
};

static struct result bench_sov(const struct sov_scanner *s, struct sov_scan_scratch *sc, const char *text, size_t len, size_t iters)
{
    static struct sov_span spans[4096];
    uint64_t *lat = malloc(iters * sizeof *lat);
    size_t n = 0;
    for (size_t i = 0; i < iters / 10 + 1; i++) /* warm up */
        sov_scan(s, sc, text, len, spans, 4096, &n);
    uint64_t t0 = sov_now_ns();
    for (size_t i = 0; i < iters; i++) {
        uint64_t a = sov_now_ns();
        sov_scan(s, sc, text, len, spans, 4096, &n);
        lat[i] = sov_now_ns() - a;
    }
    uint64_t total = sov_now_ns() - t0;
    qsort(lat, iters, sizeof *lat, bench_cmp_u64);
    struct result r = {(double)len * (double)iters / ((double)total / 1e9) / 1e6, (double)total / (double)iters / 1e3,
                       (double)lat[iters / 2] / 1e3, (double)lat[iters * 99 / 100] / 1e3, n};
    free(lat);
    return r;
}

struct pcre_set {
    pcre2_code **codes;
    pcre2_match_data **md;
    size_t n;
};

static int pcre_set_init(struct pcre_set *ps, const struct sov_scanner *s)
{
    size_t n = sov__scanner_pattern_count(s);
    ps->codes = calloc(n, sizeof *ps->codes);
    ps->md = calloc(n, sizeof *ps->md);
    ps->n = 0;
    for (size_t i = 0; i < n; i++) {
        int ec;
        PCRE2_SIZE eo;
        bool caseless = false;
        const char *expr = sov__scanner_pattern(s, i, &caseless);
        uint32_t opt = caseless ? PCRE2_CASELESS : 0;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)expr, PCRE2_ZERO_TERMINATED, opt, &ec, &eo, NULL);
        if (!c) {
            fprintf(stderr, "bench_scan: PCRE2 cannot compile expression %zu\n", i);
            return -1;
        }
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
        ps->codes[ps->n] = c;
        ps->md[ps->n] = pcre2_match_data_create_from_pattern(c, NULL);
        ps->n++;
    }
    return 0;
}

static size_t pcre_scan(const struct pcre_set *ps, const char *text, size_t len)
{
    size_t matches = 0;
    for (size_t i = 0; i < ps->n; i++) {
        PCRE2_SIZE off = 0;
        while (off <= len) {
            int rc = pcre2_match(ps->codes[i], (PCRE2_SPTR)text, len, off, 0, ps->md[i], NULL);
            if (rc < 0)
                break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ps->md[i]);
            matches++;
            off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
    }
    return matches;
}

static struct result bench_pcre(const struct pcre_set *ps, const char *text, size_t len, size_t iters)
{
    uint64_t *lat = malloc(iters * sizeof *lat);
    size_t m = 0;
    for (size_t i = 0; i < iters / 10 + 1; i++)
        m = pcre_scan(ps, text, len);
    uint64_t t0 = sov_now_ns();
    for (size_t i = 0; i < iters; i++) {
        uint64_t a = sov_now_ns();
        m = pcre_scan(ps, text, len);
        lat[i] = sov_now_ns() - a;
    }
    uint64_t total = sov_now_ns() - t0;
    qsort(lat, iters, sizeof *lat, bench_cmp_u64);
    struct result r = {(double)len * (double)iters / ((double)total / 1e9) / 1e6, (double)total / (double)iters / 1e3,
                       (double)lat[iters / 2] / 1e3, (double)lat[iters * 99 / 100] / 1e3, m};
    free(lat);
    return r;
}

int main(int argc, char **argv)
{
    const char *data = argc > 1 ? argv[1] : getenv("SOV_SHARED_DATA");
    if (!data)
        data = SOV_SOURCE_DIR "/../shared/data";
    char *err = NULL;
    uint64_t t0 = sov_now_ns();
    struct sov_scanner *s = sov_scanner_new(NULL, &err);
    if (!s) {
        fprintf(stderr, "bench_scan: %s\n", err);
        return 1;
    }
    double compile_ms = (double)(sov_now_ns() - t0) / 1e6;
    struct sov_scan_scratch *sc = sov_scan_scratch_new(s);
    t0 = sov_now_ns();
    struct sov_scanner *s_som = sov__scanner_new_som(NULL, &err);
    double compile_som_ms = (double)(sov_now_ns() - t0) / 1e6;
    struct sov_scan_scratch *sc_som = s_som ? sov_scan_scratch_new(s_som) : NULL;
    if (!sc_som)
        return 1;
    struct pcre_set ps;
    if (!sc || pcre_set_init(&ps, s) != 0)
        return 1;
    static const struct {
        const char *label;
        size_t size, iters_sov, iters_pcre;
    } cases[] = {{"1 KB", 1024, 200000, 2000}, {"100 KB", 100 * 1024, 2000, 20}};
    printf("Scanner: %zu expressions in one vectorscan database (compiled in %.1f ms; %.1f ms with SOM on every "
           "expression); PCRE2 %d.%d with JIT, same expressions one by one (matching only, no validation).\n\n",
           ps.n, compile_ms, compile_som_ms, PCRE2_MAJOR, PCRE2_MINOR);
    printf("| text | engine | MB/s (mean) | MB/s (p50) | mean µs/call | p50 µs | p99 µs | spans or matches |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = bench_build_text(data, cases[i].size);
        if (!text)
            return 1;
        size_t len = bench_utf8_trim(text, strlen(text));
        struct result a = bench_sov(s, sc, text, len, cases[i].iters_sov);
        struct result c = bench_sov(s_som, sc_som, text, len, cases[i].iters_sov / 4);
        struct result b = bench_pcre(&ps, text, len, cases[i].iters_pcre);
        printf("| %s | sovereign (vectorscan + validators) | %.0f | %.0f | %.2f | %.2f | %.2f | %zu |\n", cases[i].label, a.mb_s,
               (double)len / a.p50_us, a.mean_us, a.p50_us, a.p99_us, a.spans);
        printf("| %s | same, SOM_LEFTMOST on every expression | %.0f | %.0f | %.2f | %.2f | %.2f | %zu |\n", cases[i].label, c.mb_s,
               (double)len / c.p50_us, c.mean_us, c.p50_us, c.p99_us, c.spans);
        printf("| %s | PCRE2-JIT, %zu expressions one by one | %.0f | %.0f | %.2f | %.2f | %.2f | %zu |\n", cases[i].label, ps.n,
               b.mb_s, (double)len / b.p50_us, b.mean_us, b.p50_us, b.p99_us, b.spans);
        free(text);
    }
    for (size_t i = 0; i < ps.n; i++) {
        pcre2_match_data_free(ps.md[i]);
        pcre2_code_free(ps.codes[i]);
    }
    free(ps.md);
    free(ps.codes);
    sov_scan_scratch_free(sc);
    sov_scanner_free(s);
    sov_scan_scratch_free(sc_som);
    sov_scanner_free(s_som);
    return 0;
}
