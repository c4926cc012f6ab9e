/*
 * true.c - `true`: does nothing, successfully.
 */
#include "lib/tool.h"

static const struct tool true_tool = {"true", "true", "Exits with status 0.\n"};

int main(int argc, char **argv)
{
	tool_start(&true_tool, argc, argv);
	return 0;
}
