/*
 * hexdump.c - `hexdump [-C] [file ...]`: bytes in hex and as text, 16 a line.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/text.h"
#include "lib/tool.h"

static const struct tool hexdump_tool = {
    "hexdump", "hexdump [-C] [file ...]",
    "Prints the files (\"-\" or none: standard input) as one stream, 16 bytes a line:\n"
    "the offset, the bytes in hex and the printable ones as text (the canonical -C\n"
    "format, also the default), then the total length. A line equal to the one before\n"
    "is printed as \"*\".\n"
    "Not supported: -x, -d, -o, -s, -n, format strings.\n"};

static uint8_t line[16], prev[16];
static size_t fill;
static uint64_t offset;
static int repeating, have_prev;

static void flush_line(void)
{
	if (fill == 16 && have_prev && memcmp(line, prev, 16) == 0) {
		if (!repeating)
			puts("*");
		repeating = 1;
	} else {
		char out[HEXDUMP_LINE_MAX];
		text_hexdump_line(out, offset, line, fill);
		puts(out);
		repeating = 0;
	}
	memcpy(prev, line, 16);
	have_prev = fill == 16;
	offset += fill;
	fill = 0;
}

static int dump(const char *name)
{
	static uint8_t buf[32768];
	int fd = tool_open_input(name);
	if (fd < 0) {
		tool_warn_errno(name);
		return 1;
	}
	int rc = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			line[fill++] = buf[i];
			if (fill == 16)
				flush_line();
		}
	}
	if (n < 0) {
		tool_warn_errno(name);
		rc = 1;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	while (tool_getopt(&hexdump_tool, argc, argv, "C", &o) != -1)
		;
	int rc = 0;
	if (o.ind >= argc)
		rc = dump("-");
	for (int i = o.ind; i < argc; i++)
		rc |= dump(argv[i]);
	if (fill)
		flush_line();
	if (offset || have_prev)
		printf("%08llx\n", (unsigned long long)offset);
	return fflush(stdout) == 0 ? rc : 1;
}
