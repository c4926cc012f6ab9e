/*
 * echo.c - `echo [-n] [word ...]`: the words separated by spaces, and a newline
 * unless -n.
 */
#include <stdio.h>
#include <string.h>

#include "lib/tool.h"

static const struct tool echo_tool = {"echo", "echo [-n] [word ...]",
                                      "Prints the words separated by spaces, then a newline.\n"
                                      "  -n  no newline at the end\n"
                                      "Not supported: escapes (-e).\n"};

int main(int argc, char **argv)
{
	tool_start(&echo_tool, argc, argv);
	int i = 1, newline = 1;
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		newline = 0;
		i++;
	}
	for (int first = i; i < argc; i++)
		printf("%s%s", i > first ? " " : "", argv[i]);
	if (newline)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
