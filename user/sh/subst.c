/*
 * subst.c - command substitution: $(...) and `...` (docs/shell.md "Control flow").
 *
 * The text is parsed and run by this shell, as a list, with a pipe as its
 * standard output; what comes through the pipe is the value. There is no fork:
 * the list runs in the shell itself, so variables it sets stay set (a subshell
 * would drop them), and `exit` or `return` in it ends the substitution, not
 * the shell or the function around it.
 * Builtins write into the capture directly (sh_write), since the shell cannot
 * read a pipe while it writes it; programs write into the pipe, which the shell
 * reads while it waits for them (sh_capture_pump from jobs.c), so a program
 * with more output than the pipe holds does not block. The value is cut at
 * SH_SUBST_MAX bytes, and nesting is bounded by SH_MAX_CAPTURES and the stack.
 */
#include "sh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct sh *capturing; /* the shell while a capture is open (sh_write has no sh) */

static void capture_put(struct sh_capture *c, const char *buf, size_t n)
{
	if (c->len + n > SH_SUBST_MAX) {
		c->cut = true;
		n = SH_SUBST_MAX - c->len;
	}
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 256;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b) {
			c->cut = true;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, buf, n);
	c->len += n;
}

int sh_write(int fd, const void *buf, size_t n)
{
	for (unsigned i = 0; capturing && i < capturing->ncaptures; i++)
		if (capturing->captures[i].wfd == fd) {
			capture_put(&capturing->captures[i], buf, n);
			return 0;
		}
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, (const char *)buf + off, n - off);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* One read of c's pipe; false at its end (or an error). */
static bool capture_read(struct sh_capture *c)
{
	char tmp[512];
	ssize_t r = read(c->rfd, tmp, sizeof(tmp));
	if (r < 0 && errno == EINTR)
		return true;
	if (r <= 0)
		return false;
	capture_put(c, tmp, (size_t)r);
	return true;
}

void sh_capture_pump(struct sh *sh, int rfd)
{
	for (unsigned i = 0; i < sh->ncaptures; i++)
		if (sh->captures[i].rfd == rfd)
			capture_read(&sh->captures[i]);
}

char *sh_subst(void *ctx, const char *src, size_t n)
{
	struct sh *sh = ctx;
	int pfd[2];
	if (sh->ncaptures == SH_MAX_CAPTURES) {
		sh_error("$(...) nested too deeply");
		sh->expand_error = true;
		return NULL;
	}
	if (sh_too_deep(sh)) {
		sh->expand_error = true;
		return NULL;
	}
	if (pipe(pfd) < 0) {
		sh_error("$(...): pipe: %s", strerror(errno));
		sh->expand_error = true;
		return NULL;
	}
	struct sh_capture *c = &sh->captures[sh->ncaptures++];
	*c = (struct sh_capture){.rfd = pfd[0], .wfd = pfd[1]};
	capturing = sh;

	int io[3];
	unsigned loops = sh->loops;
	bool exiting = sh->exiting;
	memcpy(io, sh->io, sizeof(io));
	sh->io[1] = pfd[1];
	sh->loops = 0; /* break and continue do not leave the substitution */
	struct sh_arena a = {0};
	struct sh_parse_result r;
	int st = sh_parse(&a, src, n, &r);
	if (st == SH_PARSE_OK) {
		sh_run_list(sh, &r.list);
	} else {
		sh_error("$(...): %s", st == SH_PARSE_ERROR ? r.error : "unexpected end of input");
		sh->status = 2;
	}
	sh_arena_free(&a);
	if (sh->exiting && !exiting) { /* exit: of the substitution only */
		sh->exiting = false;
		sh->status = sh->exit_code;
	}
	sh->brk = sh->cont = 0; /* break, continue, return: of the substitution only */
	sh->returning = false;
	sh->loops = loops;
	sh->subst_ran = true; /* after the commands it ran, which clear it */
	memcpy(sh->io, io, sizeof(io));

	close(pfd[1]); /* what is left in the pipe, to its end */
	c->wfd = -1;
	while (capture_read(c))
		;
	close(pfd[0]);
	char *out = c->buf;
	size_t len = c->len;
	if (c->cut)
		sh_error("$(...): output cut at %u bytes", SH_SUBST_MAX);
	sh->ncaptures--;
	if (!sh->ncaptures)
		capturing = NULL;
	if (!out && !(out = malloc(1))) {
		sh_error("out of memory");
		sh->expand_error = true;
		return NULL;
	}
	while (len && out[len - 1] == '\n')
		len--;
	out[len] = 0;
	return out;
}
