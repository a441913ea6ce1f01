/* sovereign quantize IN.gguf OUT.gguf TYPE: rewrite a GGUF model at another precision (llama.cpp). */
#include "bench/progress.h"
#include "bench/quantize.h"
#include "cli/cli.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign quantize [OPTIONS] IN.gguf OUT.gguf TYPE\n\n"
                 "Rewrite a GGUF model at another precision through llama.cpp's llama_model_quantize.\n\n"
                 "  -t, --threads N     quantization threads (default: the number of CPUs)\n"
                 "      --no-progress   no progress bar (drawn only when stderr is a terminal)\n"
                 "  -h, --help          show this help\n\nTYPE (case-insensitive):\n");
    size_t n;
    const struct sov_quant_type *t = sov_quant_types(&n);
    if (n == 0)
        fprintf(out, "  (none: this build has no llama.cpp; configure with -DSOV_LLAMA=ON)\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-9s %s\n", t[i].name, t[i].desc);
    fprintf(out, "\nExit status: 0 written, 1 failure, 2 bad usage, unsupported type, missing or corrupt input.\n");
}

enum { OPT_NOPROGRESS = 256 };
static const struct option long_opts[] = {
    {"threads", required_argument, NULL, 't'},
    {"no-progress", no_argument, NULL, OPT_NOPROGRESS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void on_progress(void *ud, int done, int total)
{
    sov_progress_draw(ud, (size_t)done, (size_t)total);
}

int sov_cmd_quantize(int argc, char **argv)
{
    struct sov_quant_opts o = {0, NULL, NULL};
    bool no_progress = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 't': {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > 1024)
                return sov_cli_usage_error("quantize", "--threads: expected an integer from 1 to 1024, got '%s'", optarg);
            o.threads = (int)v;
            break;
        }
        case OPT_NOPROGRESS:
            no_progress = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return sov_cli_usage_error("quantize", "%s needs a value (see 'sovereign quantize --help')", argv[optind - 1]);
        default:
            return sov_cli_usage_error("quantize", "unknown option '%s' (see 'sovereign quantize --help')", argv[optind - 1]);
        }
    }
    if (argc - optind != 3)
        return sov_cli_usage_error("quantize",
                                   "expected IN.gguf OUT.gguf TYPE, got %d argument%s (see 'sovereign quantize --help')",
                                   argc - optind, argc - optind == 1 ? "" : "s");
    const char *in = argv[optind], *out = argv[optind + 1], *type = argv[optind + 2];
    bool progress = sov_progress_wanted(no_progress);
    if (progress) {
        o.progress = on_progress;
        o.progress_ud = (void *)"quantize";
    }
    char *err = NULL;
    int rc = sov_quantize(in, out, type, &o, &err);
    if (progress)
        sov_progress_end();
    if (rc != 0) {
        int st = rc == SOV_ENOMEM ? sov_cli_fail("quantize", "%s", err ? err : sov_strerror(rc))
                                  : sov_cli_usage_error("quantize", "%s", err ? err : sov_strerror(rc));
        free(err);
        return st;
    }
    printf("quantize: wrote %s (%s)\n", out, type);
    return 0;
}
