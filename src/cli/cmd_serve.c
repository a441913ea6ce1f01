/* sovereign serve: run the gateway. */
#define SOV_LOG_MODULE "serve"
#include "backend/backend.h"
#include "cli/cli.h"
#include "common/log.h"
#include "config/config.h"
#include "http/gateway.h"
#include "sovereign/sovereign.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign serve --config FILE [--listen HOST:PORT] [--log-level LEVEL]\n"
                 "       sovereign serve --check-config FILE\n\n"
                 "Run the OpenAI- and Anthropic-compatible gateway.\n\n"
                 "Options:\n"
                 "  -c, --config FILE        the YAML configuration (see docs/configuration.md)\n"
                 "      --check-config FILE  validate FILE and its backends, print a summary, exit\n"
                 "  -l, --listen HOST:PORT   override server.listen (port 0 picks a free port)\n"
                 "      --log-level LEVEL    debug, info, warn, error or off (overrides server.log_level)\n"
                 "  -h, --help               show this help\n\n"
                 "Endpoints: POST /v1/chat/completions, POST /v1/messages, GET /v1/models, GET /healthz, GET /metrics.\n"
                 "SIGTERM or SIGINT stops accepting and finishes requests in flight (limits.shutdown_grace_ms).\n");
}

int sov_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},     {"check-config", required_argument, NULL, 'C'},
        {"listen", required_argument, NULL, 'l'},     {"log-level", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *check = NULL, *listen = NULL, *level = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'C': check = optarg; break;
        case 'l': listen = optarg; break;
        case 'L': level = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':': return sov_cli_usage_error("serve", "option '%s' needs a value", argv[optind - 1]);
        default: return sov_cli_usage_error("serve", "unknown option '%s' (see 'sovereign serve --help')", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return sov_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    if (!config && !check)
        return sov_cli_usage_error("serve", "--config FILE is required (see 'sovereign serve --help')");
    char *err = NULL;
    struct sov_config *cfg = sov_config_load(check ? check : config, &err);
    if (!cfg) {
        int rc = sov_cli_usage_error("serve", "%s", err);
        free(err);
        return rc;
    }
    if (level || cfg->log_level) {
        int l = sov_log_level_parse(level ? level : cfg->log_level);
        if (l < 0) {
            sov_config_free(cfg);
            return sov_cli_usage_error("serve", "unknown log level '%s'", level);
        }
        sov_log_set_level(l);
    }
    if (check) {
        struct sov_backend *b = sov_backends_open(cfg, true, &err);
        if (!b) {
            int rc = sov_cli_usage_error("serve", "%s: %s", check, err);
            free(err);
            sov_config_free(cfg);
            return rc;
        }
        sov_backends_close(b, cfg->n_backends);
        printf("%s: ok (%zu backends, default %s)\n", check, cfg->n_backends, cfg->default_backend);
        for (size_t i = 0; i < cfg->n_backends; i++) {
            const struct sov_backend_config *bc = &cfg->backends[i];
            printf("  %-16s %-10s %-6s %zu model%s%s\n", bc->name, bc->kind, bc->tier == SOV_TIER_LOCAL ? "local" : "cloud",
                   bc->n_models, bc->n_models == 1 ? "" : "s", bc->base_url ? "" : "");
        }
        sov_config_free(cfg);
        return 0;
    }
    struct sov_gateway_options opt = {listen};
    struct sov_gateway *g = sov_gateway_new(cfg, &opt, &err);
    if (!g) {
        int rc = sov_cli_fail("serve", "%s", err);
        free(err);
        return rc;
    }
    fprintf(stderr, "sovereign: listening on http://%s\n", sov_gateway_address(g));
    fflush(stderr);
    sov_gateway_run(g, true);
    sov_gateway_free(g);
    sov_info("stopped");
    return 0;
}
