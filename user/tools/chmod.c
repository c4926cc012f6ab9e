/*
 * chmod.c - `chmod mode name ...`: permission bits, octal or symbolic.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "lib/modespec.h"
#include "lib/tool.h"

static const struct tool chmod_tool = {
    "chmod", "chmod mode name ...",
    "Sets each entry's permission bits (what the file system keeps: advice to POSIX\n"
    "programs, the rights are the capabilities'). mode is octal (0755, at most 7777)\n"
    "or symbolic clauses separated by ',': who (u g o a; none: all), then + - = with\n"
    "r w x X s t or one of u g o (u+x,go-w  a=rX  g=u). Needs WRITE on the entry; a\n"
    "link is followed.\n"
    "Not supported: -R (use find), --reference, user names.\n"};

/* A symbolic mode that starts with '-' ("-w") is an operand, not an option. */
static bool mode_first(int argc, char **argv)
{
	unsigned m;
	return argc > 1 && argv[1][0] == '-' && argv[1][1] != '-' &&
	       mode_parse(argv[1], 0, false, &m) == 0;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	if (mode_first(argc, argv)) {
		tool_start(&chmod_tool, argc, argv);
		o.ind = 1;
	} else {
		tool_getopt(&chmod_tool, argc, argv, "", &o);
	}
	if (argc - o.ind < 2)
		tool_usage_error("missing operand");
	const char *spec = argv[o.ind];
	unsigned probe;
	if (mode_parse(spec, 0, false, &probe) < 0)
		tool_usage_error("invalid mode '%s'", spec);
	int rc = 0;
	for (int i = o.ind + 1; i < argc; i++) {
		struct stat st;
		unsigned mode;
		if (stat(argv[i], &st) < 0 ||
		    mode_parse(spec, st.st_mode & 07777, S_ISDIR(st.st_mode), &mode) < 0 ||
		    chmod(argv[i], mode) < 0) {
			tool_warn_errno(argv[i]);
			rc = 1;
		}
	}
	return rc;
}
