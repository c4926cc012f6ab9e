/*
 * ls.c - `ls [-1alh] [path ...]`: the entries of directories (sorted by name), or
 * the names of files, with their types from the listing (d_type) or stat.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <abi/rights.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>

#include "lib/fsops.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool ls_tool = {
    "ls", "ls [-1alh] [path ...]",
    "Lists each directory's entries sorted by name (none given: the current directory),\n"
    "or names each file. Any URI works: ls dev:///block, ls proc://.\n"
    "  -1  one entry a line (the default when standard output is not a terminal)\n"
    "  -a  also entries whose names start with '.'\n"
    "  -l  long format: type (d dir, - file, l link, b block device, c other device,\n"
    "      s service, ? other), links, size (a directory: entries), name, a link's target\n"
    "  -h  with -l, sizes for people (1.5K, 12M)\n"
    "Colours (directories, links, devices, services) when standard output is a terminal.\n"
    "With -l: type, permissions, links, owner, group, size, name. Permissions and owners\n"
    "are what the file system keeps (advice: what a program may do is its capabilities'\n"
    "rights); entries of the kernel's own show rwxr-xr-x or rw-r--r--, owner 0.\n"
    "Not supported: -R (see tree), sorting by time or size.\n"};

static bool opt_all, opt_long, opt_one, opt_human, opt_colour;

static char type_letter(unsigned char dt)
{
	switch (dt) {
	case DT_DIR:
		return 'd';
	case DT_REG:
		return '-';
	case DT_LNK:
		return 'l';
	case DT_BLK:
		return 'b';
	case DT_CHR:
		return 'c';
	case DT_SOCK:
		return 's';
	default:
		return '?';
	}
}

static unsigned char dt_of_mode(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFREG:
		return DT_REG;
	case S_IFLNK:
		return DT_LNK;
	case S_IFBLK:
		return DT_BLK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

static const char *colour_of(unsigned char dt)
{
	switch (dt) {
	case DT_DIR:
		return "\033[1;34m";
	case DT_LNK:
		return "\033[1;36m";
	case DT_BLK:
	case DT_CHR:
		return "\033[1;33m";
	case DT_SOCK:
		return "\033[1;35m";
	default:
		return NULL;
	}
}

static void print_name(const char *name, unsigned char dt, unsigned pad)
{
	const char *c = opt_colour ? colour_of(dt) : NULL;
	printf("%s%s%s%*s", c ? c : "", name, c ? "\033[0m" : "", (int)pad, "");
}

/* The target of the link at path, or NULL. */
static char *link_target(const char *path)
{
	static char target[NS_PATH_MAX + 1];
	handle_t h;
	if (tool_ns_open(path, NS_TYPE_LINK, NS_OPEN_NOFOLLOW, RIGHT_READ, &h) < 0)
		return NULL;
	long n = ch_ns_readlink(h, target, sizeof(target) - 1, 0);
	ch_cap_drop(h);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	return target;
}

/* One entry in the long format; path names it, shown is what to print. */
static int print_long(const char *path, const char *shown, unsigned char dt)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		tool_warn_errno(path);
		return 1;
	}
	if (dt == DT_UNKNOWN)
		dt = dt_of_mode(st.st_mode);
	char line[512];
	struct text_owner o = {st.st_mode, st.st_uid, st.st_gid};
	text_ls_long(line, sizeof(line), type_letter(dt), &o, st.st_nlink, (uint64_t)st.st_size,
	             opt_human, "", NULL);
	printf("%s", line);
	print_name(shown, dt, 0);
	const char *t = dt == DT_LNK ? link_target(path) : NULL;
	printf("%s%s\n", t ? " -> " : "", t ? t : "");
	return 0;
}

static void print_short(struct fsops_entry *e, size_t n)
{
	if (opt_one || !opt_colour) {
		for (size_t i = 0; i < n; i++) {
			print_name(e[i].name, e[i].type, 0);
			putchar('\n');
		}
		return;
	}
	size_t *w = malloc((n ? n : 1) * sizeof(*w));
	if (!w)
		return;
	for (size_t i = 0; i < n; i++)
		w[i] = strlen(e[i].name);
	unsigned cols, colw;
	text_columns(w, n, tool_columns(STDOUT_FILENO), &cols, &colw);
	size_t rows = (n + cols - 1) / cols;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			size_t i = c * rows + r;
			if (i >= n)
				break;
			bool last = c + 1 == cols || i + rows >= n;
			print_name(e[i].name, e[i].type, last ? 0 : colw - (unsigned)w[i]);
		}
		putchar('\n');
	}
	free(w);
}

static int list_dir(const char *path)
{
	struct fsops_entry *e;
	long n = fsops_list(path, opt_all, &e);
	if (n < 0)
		return 1;
	int rc = 0;
	if (opt_long) {
		for (long i = 0; i < n; i++) {
			char *p = tool_join(path, e[i].name);
			rc |= p ? print_long(p, e[i].name, e[i].type) : 1;
			free(p);
		}
	} else {
		print_short(e, (size_t)n);
	}
	fsops_list_free(e, n);
	return rc;
}

static int list(const char *path, bool header)
{
	struct stat st;
	if (stat(path, &st) < 0 && lstat(path, &st) < 0) {
		tool_warn_errno(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (opt_long)
			return print_long(path, path, DT_UNKNOWN);
		print_name(path, dt_of_mode(st.st_mode), 0);
		putchar('\n');
		return 0;
	}
	if (header)
		printf("%s:\n", path);
	return list_dir(path);
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	int c;
	while ((c = tool_getopt(&ls_tool, argc, argv, "1alh", &o)) != -1) {
		if (c == '1')
			opt_one = true;
		else if (c == 'a')
			opt_all = true;
		else if (c == 'l')
			opt_long = true;
		else if (c == 'h')
			opt_human = true;
	}
	opt_colour = tool_isatty(STDOUT_FILENO);
	int rc = 0;
	if (o.ind >= argc)
		return list(".", false);
	for (int i = o.ind; i < argc; i++) {
		if (i > o.ind && argc - o.ind > 1)
			putchar('\n');
		rc |= list(argv[i], argc - o.ind > 1);
	}
	return fflush(stdout) == 0 ? rc : 1;
}
