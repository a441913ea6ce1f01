/* sovereign route: explain, offline, what the router would do with a prompt and why. */
#include "cli/cli.h"
#include "common/buf.h"
#include "common/util.h"
#include "config/config.h"
#include "route/router.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT (64u << 20)

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign route [--config FILE] [--json] [--workflow NAME] [--client ID] \"PROMPT\"\n"
                 "       sovereign route [--config FILE] [--json] < request.json\n"
                 "       sovereign route [--config FILE] --jsonl FILE|-\n\n"
                 "Explain, offline, what the router would do with a prompt: scan for sensitive data, classify the\n"
                 "task and its complexity, apply the policy. Nothing leaves the machine.\n\n"
                 "Options:\n"
                 "  -c, --config FILE    take the router, policy and sensitive sections from FILE (default: built-in policy)\n"
                 "  -j, --json           one JSON object per decision: route, task, task_probs, complexity,\n"
                 "                       sensitive [{type, message, start, end}], rule, reason\n"
                 "      --jsonl FILE     one OpenAI chat request body per line (- for stdin), one JSON decision per line\n"
                 "  -w, --workflow NAME  decide as if the request carried x-sovereign-workflow: NAME\n"
                 "  -k, --client ID      decide as if the request came with the client key of this id (the first 16\n"
                 "                       hex digits of the key's SHA-256, as the policy's client: condition names it)\n"
                 "  -h, --help           show this help\n\n"
                 "Sensitive values are never printed: only their type and byte offsets.\n");
}

void sov__decision_json(const struct sov_decision *d, struct sov_buf *o)
{
    sov_buf_printf(o, "{\"route\":\"%s\",\"task\":\"%s\",\"task_probs\":{", sov_route_name(d->route), sov_task_name(d->task));
    for (int t = 0; t < SOV_TASK_COUNT; t++)
        sov_buf_printf(o, "%s\"%s\":%.4f", t ? "," : "", sov_task_name((enum sov_task)t), (double)d->task_probs[t]);
    sov_buf_printf(o, "},\"complexity\":%.4f,\"sensitive\":[", (double)d->complexity);
    for (size_t i = 0; i < d->n_hits; i++)
        sov_buf_printf(o, "%s{\"type\":\"%s\",\"message\":%u,\"start\":%u,\"end\":%u}", i ? "," : "",
                       sov_pii_type_name(d->hits[i].type), d->hits[i].message, d->hits[i].start, d->hits[i].end);
    sov_buf_puts(o, "],\"sensitive_truncated\":");
    sov_buf_puts(o, d->n_hits_total > d->n_hits ? "true" : "false");
    sov_buf_puts(o, ",\"rule\":\"");
    sov_buf_json_escape(o, d->rule ? d->rule : "", d->rule ? strlen(d->rule) : 0);
    sov_buf_puts(o, "\",\"reason\":\"");
    sov_buf_json_escape(o, d->reason, strlen(d->reason));
    sov_buf_puts(o, "\"}");
}

static void explain(const struct sov_decision *d, FILE *out)
{
    fprintf(out, "route:       %s  (rule %s, reason %s)\n", sov_route_name(d->route), d->rule ? d->rule : "-", d->reason);
    /* the task and the two runners-up */
    int order[SOV_TASK_COUNT];
    for (int i = 0; i < SOV_TASK_COUNT; i++)
        order[i] = i;
    for (int i = 0; i < SOV_TASK_COUNT; i++)
        for (int j = i + 1; j < SOV_TASK_COUNT; j++)
            if (d->task_probs[order[j]] > d->task_probs[order[i]]) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    fprintf(out, "task:        %s %.2f (then %s %.2f, %s %.2f); %s work\n", sov_task_name(d->task), (double)d->task_probs[d->task],
            sov_task_name((enum sov_task)order[1]), (double)d->task_probs[order[1]], sov_task_name((enum sov_task)order[2]),
            (double)d->task_probs[order[2]], sov_task_is_local_kind(d->task) ? "local-kind" : "cloud-kind");
    fprintf(out, "complexity:  %.2f\n", (double)d->complexity);
    if (!d->n_hits) {
        fprintf(out, "sensitive:   none found\n");
        return;
    }
    fprintf(out, "sensitive:   %zu found%s\n", d->n_hits_total, d->n_hits_total > d->n_hits ? " (first ones listed)" : "");
    for (size_t i = 0; i < d->n_hits; i++)
        fprintf(out, "  %-12s message %u, bytes %u-%u\n", sov_pii_type_name(d->hits[i].type), d->hits[i].message, d->hits[i].start,
                d->hits[i].end);
}

static char *read_all(FILE *f, size_t *len)
{
    struct sov_buf b = SOV_BUF_INIT(MAX_INPUT);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (sov_buf_append(&b, tmp, n) != 0) {
            sov_buf_free(&b);
            return NULL;
        }
    *len = b.len;
    return sov_buf_steal(&b);
}

/* A request the router can decide: a non-empty messages array (serve refuses an empty conversation too). */
static const char *not_decidable(const json_t *j)
{
    const json_t *m = json_object_get(j, "messages");
    if (!json_is_array(m))
        return "not an OpenAI chat request (needs a messages array)";
    if (json_array_size(m) == 0)
        return "the conversation is empty (messages has no entries)";
    return NULL;
}

static int run_jsonl(const char *path, struct sov_router *r, const char *workflow, const char *client)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f)
        return sov_cli_usage_error("route", "%s: %s", path, strerror(errno));
    struct sov_router_scratch *s = sov_router_scratch_new(r);
    char *line = NULL;
    size_t cap = 0, lineno = 0, bad = 0;
    ssize_t n;
    struct sov_buf o = SOV_BUF_INIT(0);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n)
            continue;
        sov_buf_reset(&o);
        json_error_t je;
        json_t *j = json_loadb(line, (size_t)n, 0, &je);
        struct sov_decision d;
        const char *why = j ? not_decidable(j) : je.text;
        if (why || sov_router_decide(r, s, j, workflow, client, &d) != 0) {
            bad++;
            sov_buf_printf(&o, "{\"line\":%zu,\"error\":\"", lineno);
            const char *m = why ? why : "not an OpenAI chat request (needs a messages array)";
            sov_buf_json_escape(&o, m, strlen(m));
            sov_buf_puts(&o, "\"}\n");
        } else {
            sov__decision_json(&d, &o);
            sov_buf_putc(&o, '\n');
        }
        json_decref(j);
        fwrite(o.data, 1, o.len, stdout);
    }
    free(line);
    sov_buf_free(&o);
    sov_router_scratch_free(s);
    if (f != stdin)
        fclose(f);
    fflush(stdout);
    if (bad)
        return sov_cli_usage_error("route", "%s: %zu of %zu lines were not chat requests (see the lines with \"error\")", path, bad,
                                   lineno);
    return 0;
}

int sov_cmd_route(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"jsonl", required_argument, NULL, 'J'},
        {"workflow", required_argument, NULL, 'w'},
        {"client", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *jsonl = NULL, *workflow = NULL, *client = NULL;
    bool as_json = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:jw:k:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config = optarg;
            break;
        case 'j':
            as_json = true;
            break;
        case 'J':
            jsonl = optarg;
            break;
        case 'w':
            workflow = optarg;
            break;
        case 'k':
            client = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return sov_cli_usage_error("route", "option '%s' needs a value", argv[optind - 1]);
        default:
            return sov_cli_usage_error("route", "unknown option '%s' (see 'sovereign route --help')", argv[optind - 1]);
        }
    }
    if (optind + 1 < argc)
        return sov_cli_usage_error("route", "give the prompt as one argument (quote it)");
    if (client) {
        size_t n = strlen(client);
        bool hex = n == 16;
        for (size_t i = 0; i < n && hex; i++)
            hex = (client[i] >= '0' && client[i] <= '9') || (client[i] >= 'a' && client[i] <= 'f');
        if (!hex)
            return sov_cli_usage_error("route",
                                       "--client needs a client id: 16 lower-case hex digits (the first 16 of the key's SHA-256)");
    }
    if (jsonl && optind < argc)
        return sov_cli_usage_error("route", "--jsonl and a prompt argument do not go together");
    char *err = NULL;
    struct sov_config *cfg = NULL;
    if (config && !(cfg = sov_config_load(config, &err))) {
        int rc = sov_cli_usage_error("route", "%s", err);
        free(err);
        return rc;
    }
    struct sov_router *r = sov_router_new(cfg, &err);
    if (!r) {
        int rc = sov_cli_usage_error("route", "%s", err);
        free(err);
        sov_config_free(cfg);
        return rc;
    }
    int rc = 0;
    if (jsonl) {
        rc = run_jsonl(jsonl, r, workflow, client);
        goto out;
    }
    json_t *req = NULL;
    if (optind < argc) {
        if (!*argv[optind]) {
            rc = sov_cli_usage_error("route", "the prompt is empty");
            goto out;
        }
        req = json_pack("{s:s, s:[{s:s, s:s}]}", "model", "auto", "messages", "role", "user", "content", argv[optind]);
        if (!req) {
            rc = sov_cli_usage_error("route", "the prompt is not valid UTF-8");
            goto out;
        }
    } else {
        if (isatty(STDIN_FILENO)) {
            rc = sov_cli_usage_error("route", "give a prompt, a request on stdin, or --jsonl FILE (see 'sovereign route --help')");
            goto out;
        }
        size_t len;
        char *text = read_all(stdin, &len);
        if (!text) {
            rc = sov_cli_usage_error("route", "stdin is larger than %u bytes", MAX_INPUT);
            goto out;
        }
        if (len == 0) {
            free(text);
            rc = sov_cli_usage_error("route", "stdin is empty: give a prompt, a request on stdin, or --jsonl FILE");
            goto out;
        }
        json_error_t je;
        req = json_loadb(text, len, 0, &je);
        free(text);
        if (!req) {
            rc = sov_cli_usage_error("route", "stdin: invalid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
            goto out;
        }
    }
    struct sov_router_scratch *s = sov_router_scratch_new(r);
    struct sov_decision d;
    const char *why = not_decidable(req);
    if (why && json_is_array(json_object_get(req, "messages"))) {
        rc = sov_cli_usage_error("route", "%s", why);
    } else if (why || sov_router_decide(r, s, req, workflow, client, &d) != 0) {
        rc = sov_cli_usage_error("route", "not an OpenAI chat request: it needs a \"messages\" array of {role, content}");
    } else if (as_json) {
        struct sov_buf o = SOV_BUF_INIT(0);
        sov__decision_json(&d, &o);
        printf("%s\n", o.data);
        sov_buf_free(&o);
    } else {
        explain(&d, stdout);
    }
    sov_router_scratch_free(s);
    json_decref(req);
out:
    sov_router_free(r);
    sov_config_free(cfg);
    return rc;
}
