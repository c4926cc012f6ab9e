/*
 * sha256sum.c - `sha256sum [file ...]`: each file's SHA-256, as sha256sum prints it.
 */
#include <stdio.h>
#include <unistd.h>

#include "lib/sha256.h"
#include "lib/tool.h"

static const struct tool sha256sum_tool = {
    "sha256sum", "sha256sum [file ...]",
    "Prints the SHA-256 of each file (\"-\" or none: standard input) in hex, two\n"
    "spaces and its name, as GNU sha256sum does.\n"
    "Not supported: -c (checking a list), -b, --tag.\n"};

static int sum(const char *name)
{
	static char buf[32768];
	int fd = tool_open_input(name);
	if (fd < 0) {
		tool_warn_errno(name);
		return 1;
	}
	struct sha256 s;
	sha256_init(&s);
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	if (fd != STDIN_FILENO)
		close(fd);
	if (n < 0) {
		tool_warn_errno(name);
		return 1;
	}
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[2 * SHA256_DIGEST_LEN + 1];
	sha256_final(&s, d);
	sha256_hex(d, hex);
	printf("%s  %s\n", hex, name);
	return 0;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&sha256sum_tool, argc, argv, "", &o);
	int rc = 0;
	if (o.ind >= argc)
		rc = sum("-");
	for (int i = o.ind; i < argc; i++)
		rc |= sum(argv[i]);
	return fflush(stdout) == 0 ? rc : 1;
}
