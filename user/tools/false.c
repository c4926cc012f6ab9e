/*
 * false.c - `false`: does nothing, unsuccessfully.
 */
#include "lib/tool.h"

static const struct tool false_tool = {"false", "false", "Exits with status 1.\n"};

int main(int argc, char **argv)
{
	tool_start(&false_tool, argc, argv);
	return 1;
}
