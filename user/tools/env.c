/*
 * env.c - `env`: the environment, one NAME=value a line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/tool.h"

static const struct tool env_tool = {
    "env", "env",
    "Prints the environment the program was started with, one NAME=value a line.\n"
    "Not supported: running a command in a changed environment (env NAME=value cmd),\n"
    "-i, -u.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&env_tool, argc, argv, "", &o);
	if (o.ind < argc)
		tool_usage_error("running a command is not supported");
	for (char **e = environ; e && *e; e++)
		puts(*e);
	return fflush(stdout) == 0 ? 0 : 1;
}
