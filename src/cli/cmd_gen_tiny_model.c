/* sovereign gen-tiny-model OUT.gguf: a small random-weight llama model for tests and benchmarks. */
#include "cli/cli.h"
#include "sovereign/sovereign.h"
#ifdef SOV_HAVE_LLAMA
#include "backend/llama_node.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign gen-tiny-model [OPTIONS] OUT.gguf\n\n"
                 "Write a small GGUF model with random weights (llama architecture, byte-level vocabulary of 262\n"
                 "tokens with ChatML control tokens, a ChatML chat template), for tests and benchmarks that\n"
                 "must run anywhere. The same options give the same file.\n\n"
                 "  -s, --seed N        random seed (default 1)\n"
                 "      --layers N      transformer blocks (default 2)\n"
                 "      --embd N        embedding size (default 64)\n"
                 "      --heads N       attention heads (default 4)\n"
                 "      --kv-heads N    key/value heads (default 2)\n"
                 "      --ff N          feed-forward size (default 172)\n"
                 "      --ctx N         training context length (default 2048)\n"
                 "      --embedding     mark it an embedding model (mean pooling; serves /v1/embeddings)\n"
                 "  -h, --help          show this help\n\n"
                 "Exit status: 0 written, 1 failure, 2 bad usage.\n");
}

enum { O_LAYERS = 256, O_EMBD, O_HEADS, O_KV, O_FF, O_CTX, O_EMBEDDING };
static const struct option long_opts[] = {
    {"seed", required_argument, NULL, 's'},
    {"layers", required_argument, NULL, O_LAYERS},
    {"embd", required_argument, NULL, O_EMBD},
    {"heads", required_argument, NULL, O_HEADS},
    {"kv-heads", required_argument, NULL, O_KV},
    {"ff", required_argument, NULL, O_FF},
    {"ctx", required_argument, NULL, O_CTX},
    {"embedding", no_argument, NULL, O_EMBEDDING},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses a non-negative integer option; returns false if it is not one within [lo, hi]. */
static bool parse_num(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int sov_cmd_gen_tiny_model(int argc, char **argv)
{
#ifdef SOV_HAVE_LLAMA
    struct sov_llama_tiny_opts o;
    sov__llama_tiny_default(&o);
#endif
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:h", long_opts, NULL)) != -1) {
        unsigned long long v = 0;
        const char *name = NULL;
        unsigned long long lo = 1, hi = 4096;
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 's':
            name = "--seed", lo = 0, hi = UINT64_MAX;
            break;
        case O_LAYERS:
            name = "--layers", hi = 64;
            break;
        case O_EMBD:
            name = "--embd";
            break;
        case O_HEADS:
            name = "--heads", hi = 256;
            break;
        case O_KV:
            name = "--kv-heads", hi = 256;
            break;
        case O_FF:
            name = "--ff", hi = 65536;
            break;
        case O_CTX:
            name = "--ctx", lo = 64, hi = 1 << 20;
            break;
        case O_EMBEDDING:
#ifdef SOV_HAVE_LLAMA
            o.embedding = true;
#endif
            continue;
        case ':':
            return sov_cli_usage_error("gen-tiny-model", "option '%s' needs a value", argv[optind - 1]);
        default:
            return sov_cli_usage_error("gen-tiny-model", "unknown option '%s'", argv[optind - 1]);
        }
        if (!parse_num(optarg, lo, hi, &v))
            return sov_cli_usage_error("gen-tiny-model", "%s: expected an integer from %llu to %llu, got '%s'", name, lo, hi,
                                       optarg);
#ifdef SOV_HAVE_LLAMA
        switch (c) {
        case 's':
            o.seed = v;
            break;
        case O_LAYERS:
            o.n_layer = (int)v;
            break;
        case O_EMBD:
            o.n_embd = (int)v;
            break;
        case O_HEADS:
            o.n_head = (int)v;
            break;
        case O_KV:
            o.n_head_kv = (int)v;
            break;
        case O_FF:
            o.n_ff = (int)v;
            break;
        case O_CTX:
            o.n_ctx = (int)v;
            break;
        }
#endif
    }
    if (argc - optind == 0)
        return sov_cli_usage_error("gen-tiny-model", "missing the output file (OUT.gguf)");
    if (argc - optind > 1)
        return sov_cli_usage_error("gen-tiny-model", "expected one output file, got %d arguments", argc - optind);
#ifdef SOV_HAVE_LLAMA
    char *err = NULL;
    int rc = sov__llama_gen_tiny(&o, argv[optind], &err);
    if (rc == SOV_EINVAL) {
        int st = sov_cli_usage_error("gen-tiny-model", "%s", err);
        free(err);
        return st;
    }
    if (rc) {
        int st = sov_cli_fail("gen-tiny-model", "%s", err);
        free(err);
        return st;
    }
    return 0;
#else
    return sov_cli_fail("gen-tiny-model", "this build has no llama.cpp (configure with -DSOV_LLAMA=ON)");
#endif
}
