/* sovereign bench: latency, tokens/s and memory of local nodes (URLs or in-process GGUF models),
 * and --compare of two quantizations of one model. */
#include "bench/bench.h"
#include "bench/progress.h"
#include "cli/cli.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TARGETS 16
#define MAX_TEXT (16u << 20)

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign bench [OPTIONS] TARGET...\n"
                 "       sovereign bench --compare A.gguf B.gguf [OPTIONS]\n\n"
                 "Measure local nodes over a prompt set: time to first token, token-to-action latency (until the\n"
                 "complete answer, or the complete JSON object / tool call, is usable), prompt and generation tokens/s,\n"
                 "requests/s, and the peak RSS of in-process models; mean, p50, p90 and p99 of each.\n\n"
                 "A TARGET is an OpenAI-compatible URL (http://host:port, .../v1 or .../v1/chat/completions; llama-server,\n"
                 "vLLM, Ollama, Sovereign's own gateway), driven with streaming chat requests, or a GGUF file run\n"
                 "in-process with greedy decoding, one request at a time.\n\n"
                 "  -p, --prompts FILE      JSONL prompt set: one chat request body per line ({\"messages\": [...]}, other\n"
                 "                          members such as tools and response_format are sent as they are; or\n"
                 "                          {\"prompt\": \"...\"}); default: a built-in set of 10 varied prompts\n"
                 "  -c, --concurrency N     requests in flight per URL target (default 1, at most 1024)\n"
                 "  -r, --rounds N          passes over the prompt set (default 1)\n"
                 "  -n, --requests N        requests per target (default: prompts x rounds)\n"
                 "  -m, --max-tokens N      max_tokens of every request (default 64)\n"
                 "      --model NAME        \"model\" of URL requests whose body names none (default \"auto\")\n"
                 "      --api-key-env VAR   send the key in environment variable VAR as a bearer token (never printed)\n"
                 "      --timeout SEC       per-request timeout (default 120)\n"
                 "  -t, --threads N         GGUF targets: inference threads (default: the CPUs online, at most 8)\n"
                 "      --ctx N             GGUF targets: context size in tokens (default 2048)\n"
                 "      --compare           exactly two GGUF targets, two quantizations of one model: speed and memory\n"
                 "                          side by side, agreement of their greedy answers (exact-match rate, token\n"
                 "                          overlap) and each one's perplexity on --text\n"
                 "      --text FILE         perplexity text for --compare (default: a built-in English text)\n"
                 "  -j, --json              machine output on stdout instead of the table\n"
                 "      --html FILE         also write a self-contained HTML report with SVG charts\n"
                 "      --no-progress       no progress bar (drawn only when stderr is a terminal)\n"
                 "  -h, --help              show this help\n\n"
                 "Exit status: 0 done, 1 a target answered no request, 2 bad usage or input.\n");
}

enum { OPT_MODEL = 256, OPT_KEYENV, OPT_TIMEOUT, OPT_CTX, OPT_COMPARE, OPT_TEXT, OPT_HTML, OPT_NOPROGRESS };

static const struct option long_opts[] = {
    {"prompts", required_argument, NULL, 'p'},
    {"concurrency", required_argument, NULL, 'c'},
    {"rounds", required_argument, NULL, 'r'},
    {"requests", required_argument, NULL, 'n'},
    {"max-tokens", required_argument, NULL, 'm'},
    {"model", required_argument, NULL, OPT_MODEL},
    {"api-key-env", required_argument, NULL, OPT_KEYENV},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"threads", required_argument, NULL, 't'},
    {"ctx", required_argument, NULL, OPT_CTX},
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"text", required_argument, NULL, OPT_TEXT},
    {"json", no_argument, NULL, 'j'},
    {"html", required_argument, NULL, OPT_HTML},
    {"no-progress", no_argument, NULL, OPT_NOPROGRESS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses a whole decimal integer in [lo, hi]. */
static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool is_url(const char *t)
{
    return strncmp(t, "http://", 7) == 0 || strncmp(t, "https://", 8) == 0;
}

struct progress_ctx {
    const char *label;
};

static void on_progress(void *ud, size_t done, size_t total)
{
    struct progress_ctx *p = ud;
    sov_progress_draw(p->label, done, total);
}

int sov_cmd_bench(int argc, char **argv)
{
    struct sov_bench_opts o;
    sov_bench_opts_default(&o);
    const char *prompts_path = NULL, *text_path = NULL, *html_path = NULL, *key_env = NULL;
    long rounds = 1, requests = 0, v;
    bool json = false, compare = false, no_progress = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:c:r:n:m:t:jh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            prompts_path = optarg;
            break;
        case 'c':
            if (!parse_long(optarg, 1, 1024, &v))
                return sov_cli_usage_error("bench", "--concurrency: expected an integer from 1 to 1024, got '%s'", optarg);
            o.concurrency = (size_t)v;
            break;
        case 'r':
            if (!parse_long(optarg, 1, 100000, &rounds))
                return sov_cli_usage_error("bench", "--rounds: expected an integer from 1 to 100000, got '%s'", optarg);
            break;
        case 'n':
            if (!parse_long(optarg, 1, 10000000, &requests))
                return sov_cli_usage_error("bench", "--requests: expected an integer from 1 to 10000000, got '%s'", optarg);
            break;
        case 'm':
            if (!parse_long(optarg, 1, 1 << 20, &v))
                return sov_cli_usage_error("bench", "--max-tokens: expected a positive integer, got '%s'", optarg);
            o.max_tokens = (int)v;
            break;
        case OPT_MODEL:
            o.model = optarg;
            break;
        case OPT_KEYENV:
            key_env = optarg;
            break;
        case OPT_TIMEOUT:
            if (!parse_long(optarg, 1, 86400, &v))
                return sov_cli_usage_error("bench", "--timeout: expected seconds from 1 to 86400, got '%s'", optarg);
            o.timeout_ms = v * 1000;
            break;
        case 't':
            if (!parse_long(optarg, 1, 1024, &v))
                return sov_cli_usage_error("bench", "--threads: expected an integer from 1 to 1024, got '%s'", optarg);
            o.threads = (int)v;
            break;
        case OPT_CTX:
            if (!parse_long(optarg, 16, 1 << 20, &v))
                return sov_cli_usage_error("bench", "--ctx: expected an integer from 16 to 1048576, got '%s'", optarg);
            o.ctx = (int)v;
            break;
        case OPT_COMPARE:
            compare = true;
            break;
        case OPT_TEXT:
            text_path = optarg;
            break;
        case 'j':
            json = true;
            break;
        case OPT_HTML:
            html_path = optarg;
            break;
        case OPT_NOPROGRESS:
            no_progress = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return sov_cli_usage_error("bench", "%s needs a value (see 'sovereign bench --help')", argv[optind - 1]);
        default:
            return sov_cli_usage_error("bench", "unknown option '%s' (see 'sovereign bench --help')", argv[optind - 1]);
        }
    }
    int ntargets = argc - optind;
    char **targets = argv + optind;
    if (ntargets < 1)
        return sov_cli_usage_error("bench", "no target (a URL or a GGUF file; see 'sovereign bench --help')");
    if (ntargets > MAX_TARGETS)
        return sov_cli_usage_error("bench", "at most %d targets", MAX_TARGETS);
    if (compare && ntargets != 2)
        return sov_cli_usage_error("bench", "--compare takes exactly two GGUF files, got %d target%s", ntargets,
                                   ntargets == 1 ? "" : "s");
    if (text_path && !compare)
        return sov_cli_usage_error("bench", "--text is only used with --compare");
    for (int i = 0; i < ntargets; i++) {
        if (is_url(targets[i])) {
            if (compare)
                return sov_cli_usage_error("bench", "--compare takes two GGUF files, not a URL ('%s')", targets[i]);
            continue;
        }
        if (strstr(targets[i], "://"))
            return sov_cli_usage_error("bench", "'%s': only http:// and https:// URLs are supported", targets[i]);
        struct stat st;
        if (stat(targets[i], &st) != 0)
            return sov_cli_usage_error("bench", "'%s': %s (a target is a URL or a GGUF file)", targets[i], strerror(errno));
        if (!S_ISREG(st.st_mode))
            return sov_cli_usage_error("bench", "'%s': not a regular file (a target is a URL or a GGUF file)", targets[i]);
        if (!sov_bench_have_gguf())
            return sov_cli_usage_error("bench", "'%s': this build has no llama.cpp (configure with -DSOV_LLAMA=ON)", targets[i]);
    }
    if (key_env) {
        o.api_key = getenv(key_env);
        if (!o.api_key || !*o.api_key)
            return sov_cli_usage_error("bench", "--api-key-env: environment variable '%s' is not set", key_env);
    }

    struct sov_bench_prompts prompts;
    char *err = NULL;
    if (prompts_path) {
        if (sov_bench_prompts_load(&prompts, prompts_path, &err) != 0) {
            int rc = sov_cli_usage_error("bench", "%s", err);
            free(err);
            return rc;
        }
    } else if (sov_bench_prompts_default(&prompts) != 0) {
        return sov_cli_fail("bench", "out of memory");
    }
    char *text = NULL;
    if (compare && text_path) {
        size_t len;
        text = sov_read_file(text_path, MAX_TEXT, &len, &err);
        if (!text || len == 0 || !sov_utf8_valid(text, len)) {
            int rc = sov_cli_usage_error("bench", "--text: %s", err ? err : "empty or not UTF-8 text");
            free(err);
            free(text);
            sov_bench_prompts_free(&prompts);
            return rc;
        }
    }
    if (requests == 0) {
        if ((size_t)rounds > SIZE_MAX / prompts.n || (size_t)rounds * prompts.n > 10000000) {
            sov_bench_prompts_free(&prompts);
            free(text);
            return sov_cli_usage_error("bench", "--rounds: more than 10000000 requests");
        }
        requests = (long)((size_t)rounds * prompts.n);
    }
    o.requests = (size_t)requests;
    o.keep_answers = compare;
    if (compare)
        o.ppl_text = text ? text : sov_bench_default_text();
    if (o.concurrency > o.requests)
        o.concurrency = o.requests;

    FILE *html = NULL;
    if (html_path && !(html = fopen(html_path, "w"))) {
        int rc = sov_cli_usage_error("bench", "--html: %s: %s", html_path, strerror(errno));
        sov_bench_prompts_free(&prompts);
        free(text);
        return rc;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    bool progress = sov_progress_wanted(no_progress);
    struct progress_ctx pctx = {NULL};
    if (progress) {
        o.progress = on_progress;
        o.progress_ud = &pctx;
    }
    struct sov_bench_result results[MAX_TARGETS];
    memset(results, 0, sizeof results);
    int status = 0;
    int ran = 0;
    for (int i = 0; i < ntargets && status != 2; i++) {
        pctx.label = targets[i];
        struct sov_bench_result *r = &results[i];
        int rc = is_url(targets[i]) ? sov_bench_run_url(targets[i], &prompts, &o, r, &err)
                                    : sov_bench_run_gguf(targets[i], &prompts, &o, r, &err);
        if (progress)
            sov_progress_end();
        ran = i + 1;
        if (rc != 0) {
            status = rc == SOV_ENOMEM || rc == SOV_EUNSUPPORTED ? sov_cli_fail("bench", "%s", err ? err : sov_strerror(rc))
                                                                : sov_cli_usage_error("bench", "%s", err ? err : sov_strerror(rc));
            free(err);
            err = NULL;
        }
    }
    if (status == 0) {
        struct sov_bench_agreement agree;
        if (compare)
            sov_bench_agree(&results[0], &results[1], &agree);
        struct sov_bench_report rep = {results, (size_t)ntargets, &o, prompts.n, compare ? &agree : NULL};
        if (json) {
            json_t *j = sov_bench_report_json(&rep);
            char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) : NULL;
            if (s)
                printf("%s\n", s);
            else
                status = sov_cli_fail("bench", "out of memory");
            free(s);
            json_decref(j);
        } else {
            sov_bench_print_table(stdout, &rep);
        }
        if (html && status == 0) {
            int wrc = sov_bench_write_html(html, &rep);
            if (fclose(html) != 0 || wrc != 0)
                status = sov_cli_fail("bench", "--html: %s: write failed", html_path);
            html = NULL;
        }
        for (int i = 0; i < ntargets && status == 0; i++)
            if (results[i].ok == 0)
                status = sov_cli_fail("bench", "%s: no request succeeded (%s)", results[i].target,
                                      results[i].first_error ? results[i].first_error : "no answer");
    }
    if (html) { /* nothing was written: leave no empty report behind */
        fclose(html);
        remove(html_path);
    }
    for (int i = 0; i < ran; i++)
        sov_bench_result_free(&results[i]);
    sov_bench_prompts_free(&prompts);
    free(text);
    curl_global_cleanup();
    return status;
}
