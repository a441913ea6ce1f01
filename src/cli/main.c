/* sovereign: the one binary. Dispatches to the subcommands of src/cli/commands.c. */
#include "cli/cli.h"
#include "sovereign/sovereign.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: sovereign COMMAND [OPTIONS]\n"
                 "       sovereign COMMAND --help\n\n"
                 "Route LLM traffic between your own hardware and cloud APIs.\n\nCommands:\n");
    for (const struct sov_command *c = sov_commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out, "\nOptions:\n  -h, --help     show this help\n  -V, --version  show the version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (sov_cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("sovereign %s\n", SOV_VERSION);
        return 0;
    }
    for (const struct sov_command *c = sov_commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0)
            return c->run(argc - 1, argv + 1);
    return sov_cli_usage_error(NULL, "unknown command '%s' (see 'sovereign --help')", argv[1]);
}
