/*
 * wc.c - `wc [-lwc] [file ...]`: lines, words and bytes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/text.h"
#include "lib/tool.h"

static const struct tool wc_tool = {
    "wc", "wc [-lwc] [file ...]",
    "Counts the lines (newlines), words (runs of non-blanks) and bytes of each file\n"
    "(\"-\" or none: standard input), and their total when there are several.\n"
    "  -l  lines   -w  words   -c  bytes  (none: all three)\n"
    "Not supported: -m (characters), -L.\n"};

static bool opt_l, opt_w, opt_c;

static void print_counts(const struct wc_counts *c, const char *name)
{
	if (opt_l)
		printf("%8llu", (unsigned long long)c->lines);
	if (opt_w)
		printf("%8llu", (unsigned long long)c->words);
	if (opt_c)
		printf("%8llu", (unsigned long long)c->bytes);
	printf("%s%s\n", name ? " " : "", name ? name : "");
}

static int wc_one(const char *name, struct wc_counts *c)
{
	static char buf[32768];
	int fd = tool_open_input(name);
	if (fd < 0) {
		tool_warn_errno(name);
		return 1;
	}
	int rc = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		wc_feed(c, buf, (size_t)n);
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
	int ch;
	while ((ch = tool_getopt(&wc_tool, argc, argv, "lwc", &o)) != -1) {
		opt_l |= ch == 'l';
		opt_w |= ch == 'w';
		opt_c |= ch == 'c';
	}
	if (!opt_l && !opt_w && !opt_c)
		opt_l = opt_w = opt_c = true;
	struct wc_counts total = {0};
	int rc = 0;
	if (o.ind >= argc) {
		struct wc_counts c = {0};
		rc = wc_one("-", &c);
		print_counts(&c, NULL);
		return fflush(stdout) == 0 ? rc : 1;
	}
	for (int i = o.ind; i < argc; i++) {
		struct wc_counts c = {0};
		if (wc_one(argv[i], &c)) {
			rc = 1;
			continue;
		}
		print_counts(&c, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (argc - o.ind > 1)
		print_counts(&total, "total");
	return fflush(stdout) == 0 ? rc : 1;
}
