/* The subcommand table: dispatch and `sovereign --help` both read it. One row per command. */
#include "cli/cli.h"

#include <stddef.h>

const struct sov_command sov_commands[] = {
    {"serve", sov_cmd_serve, "run the OpenAI- and Anthropic-compatible gateway"},
    {"audit", sov_cmd_audit, "Phase 1: read existing API logs, price them, find what could move local and what sensitive data left"},
    {"calibrate", sov_cmd_calibrate, "pick the complexity threshold that keeps a target share of prompts local"},
    {"decisions", sov_cmd_decisions, "show the gateway's decision store: route, rule, task, backend, tokens, cost per request"},
    {"eval", sov_cmd_eval, "measure the router on labelled data: task accuracy, PII precision/recall, cost-quality curve"},
    {"route", sov_cmd_route, "explain offline what the router would do with a prompt, and why"},
    {"bench", sov_cmd_bench, "measure local nodes: time to first token, token-to-action, tokens/s, memory; compare quantizations"},
    {"gen-tiny-model", sov_cmd_gen_tiny_model, "write a small random-weight GGUF model (byte vocabulary, ChatML) for tests"},
    {"quantize", sov_cmd_quantize, "rewrite a GGUF model at another precision (Q4_K_M, Q8_0, F16, ...)"},
    {"train", sov_cmd_train, "train the router's task and complexity model from labelled JSONL"},
    {NULL, NULL, NULL},
};
