/*
 * The command-line interface: one table of subcommands (src/cli/commands.c) that drives
 * both dispatch and `sovereign --help`. Each subcommand lives in src/cli/cmd_<name>.c and
 * has one entry point returning the exit status: 0 ok, 1 failure, 2 bad usage or input.
 * Only src/cli/ prints to stdout.
 */
#ifndef SOV_CLI_CLI_H
#define SOV_CLI_CLI_H

#include <stdbool.h>

struct sov_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
    const char *summary;               /* one line for `sovereign --help` */
};

extern const struct sov_command sov_commands[]; /* terminated by a row with name == NULL */

/* Prints "sovereign CMD: message" as one line on stderr and returns 2 (bad usage / bad input). */
int sov_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "sovereign CMD: message" as one line on stderr and returns 1 (runtime failure). */
int sov_cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when the argument asks for help (-h, --help). */
bool sov_cli_is_help(const char *arg);

/* entry points, one per subcommand */
int sov_cmd_serve(int argc, char **argv);
int sov_cmd_route(int argc, char **argv);
int sov_cmd_eval(int argc, char **argv);
int sov_cmd_calibrate(int argc, char **argv);
int sov_cmd_train(int argc, char **argv);
int sov_cmd_decisions(int argc, char **argv);
int sov_cmd_bench(int argc, char **argv);
int sov_cmd_quantize(int argc, char **argv);
int sov_cmd_gen_tiny_model(int argc, char **argv);
int sov_cmd_audit(int argc, char **argv);

#endif
