/*
 * compopt.c - the options of a command, for Tab (docs/shell.md "Completion").
 *
 * A builtin's come from its row of the builtin table (sh_builtin_opts()). A
 * program's come from the program itself, so that programs added later
 * complete too: it is run as `<cmd> --help` in a sandbox that holds nothing
 * but its stdout (a pipe), its own "self.*" and a pool of SH_CHILD_POOL_MIN
 * (no namespace, no log, no stdin: it reads end-of-file), and what it prints
 * is parsed as helpopts.h says. Nothing it does can hold the shell: it is
 * killed once it has printed more than SH_HELP_MAX bytes, when Ctrl-C is
 * typed while it runs (the keys typed meanwhile are kept for the editor,
 * Ctrl-C among them: it then drops the line), and when it is still running
 * after SH_HELP_HANG_NS (a bound on a hang, not a timing: a --help takes
 * milliseconds). Only a program that printed its help within the bounds and
 * exited with status 0 offers options, --help among them (when it printed any).
 *
 * A program it started itself is not killed with it (there are no process trees
 * to kill: docs/shell.md); one that keeps the pipe open only makes the wait last
 * the bound.
 *
 * What a program offers (options, or none) is kept for the session, per
 * program: the initrd's bin/<name>, or the absolute URI of a file; a run cut
 * short by Ctrl-C or by a full table of kept programs is not. A function
 * offers none (it is what the name runs).
 */
#include "sh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <charlotte/fd.h>
#include <charlotte/initrd.h>
#include <charlotte/kbus.h>
#include <charlotte/syscall.h>

#include "helpopts.h"

#define KEY_HELP_PROC 0x300u
#define KEY_HELP_PIPE 0x301u
#define KEY_HELP_KEYS 0x302u
#define CACHE_MAX 24

struct cached {
	char key[160];
	struct sh_opts *opts; /* NULL: the program offers none */
};

static struct cached cache[CACHE_MAX];
static unsigned ncached, next_evict;
static struct sh_opts scratch; /* a builtin's, or a program's not kept */

enum help_result { HELP_OK, HELP_NONE, HELP_INTR };

/* Wait for the help program c writing into rfd; its output into buf (cap bytes). */
static enum help_result collect(struct sh *sh, struct ch_child *c, int rfd, char *buf, size_t cap,
                                size_t *len)
{
	handle_t ws = sh->waitset, pipe_h = ch_fd_handle(rfd), keys_h = ch_fd_handle(0);
	enum help_result res = HELP_OK;
	bool exited = false, drained = false, keys = false;
	*len = 0;
	if (ws == HANDLE_INVALID || pipe_h == HANDLE_INVALID ||
	    ch_waitset_add(ws, c->process, KBUS_EV_EXITED, KEY_HELP_PROC) < 0)
		return HELP_NONE;
	if (ch_waitset_add(ws, pipe_h, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED, KEY_HELP_PIPE) < 0)
		res = HELP_NONE;
	keys = keys_h != HANDLE_INVALID && !sh_typeahead_full() &&
	       ch_waitset_add(ws, keys_h, KBUS_EV_READABLE, KEY_HELP_KEYS) == 0;
	int64_t deadline = ch_clock_ns() + (int64_t)SH_HELP_HANG_NS;
	while (res == HELP_OK && !(exited && drained)) {
		int64_t left = deadline - ch_clock_ns();
		struct kbus_event ev[4];
		long n = left > 0 ? ch_waitset_wait(ws, ev, 4, (uint64_t)left) : ERR_TIMED_OUT;
		if (n < 0) {
			res = HELP_NONE; /* the hang bound, or the waitset failed */
			break;
		}
		for (long k = 0; k < n && res == HELP_OK; k++) {
			if (ev[k].key == KEY_HELP_PROC) {
				exited = true;
				ch_waitset_remove(ws, KEY_HELP_PROC);
			} else if (ev[k].key == KEY_HELP_PIPE) {
				char tmp[4096]; /* a message whole, mostly (libc keeps the rest) */
				ssize_t r = read(rfd, tmp, sizeof(tmp));
				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0) {
					drained = true;
					ch_waitset_remove(ws, KEY_HELP_PIPE);
				} else if ((size_t)r > cap - *len) {
					res = HELP_NONE; /* more than SH_HELP_MAX: garbage */
				} else {
					memcpy(buf + *len, tmp, (size_t)r);
					*len += (size_t)r;
				}
			} else if (ev[k].key == KEY_HELP_KEYS) {
				if (sh_typeahead_read())
					res = HELP_INTR;
				if (sh_typeahead_full()) {
					ch_waitset_remove(ws, KEY_HELP_KEYS);
					keys = false;
				}
			}
		}
	}
	if (!exited)
		ch_waitset_remove(ws, KEY_HELP_PROC);
	if (!drained)
		ch_waitset_remove(ws, KEY_HELP_PIPE);
	if (keys)
		ch_waitset_remove(ws, KEY_HELP_KEYS);
	return res;
}

/* Run `argv0 --help` (path: an initrd program, or image: an ELF) and parse what it printed
 * into o. */
static enum help_result run_help(struct sh *sh, const char *path, const void *image,
                                 size_t image_len, const char *argv0, struct sh_opts *o)
{
	int pfd[2];
	if (pipe(pfd) < 0)
		return HELP_NONE;
	struct sh_grant_set gs;
	memset(&gs, 0, sizeof(gs));
	const int fds[3] = {-1, pfd[1], -1};
	const char *const argv[] = {argv0, "--help", NULL};
	struct ch_child c;
	int e = sh_grants_add_stdio(&gs, fds);
	if (e == 0) {
		struct ch_spawn_args a = {
		    .path = path,
		    .image = image,
		    .image_len = image_len,
		    .argv = argv,
		    .grants = gs.g,
		    .ngrants = gs.n,
		    .child_pool = SH_CHILD_POOL_MIN,
		};
		e = sh_spawn_retry(&a, &c);
	}
	close(pfd[1]); /* the child's is its only writer */
	if (e < 0) {
		close(pfd[0]);
		return HELP_NONE;
	}
	char *buf = malloc(SH_HELP_MAX);
	size_t len = 0;
	enum help_result res = buf ? collect(sh, &c, pfd[0], buf, SH_HELP_MAX, &len) : HELP_NONE;
	struct proc_status st = {0};
	if (res != HELP_OK)
		ch_proc_kill(c.process);
	ch_proc_wait(c.process, UINT64_MAX, &st);
	if (res == HELP_OK && (st.state != PROC_EXITED || st.code != 0))
		res = HELP_NONE;
	if (res == HELP_OK) {
		sh_opts_parse_help(o, buf, len);
		if (len) /* it answered --help */
			sh_opts_add(o, "--help", 6, "usage and options", 17);
	}
	free(buf);
	close(pfd[0]);
	ch_child_release(&c);
	return res;
}

/* The program cmd names: its cache key (the initrd's bin/<name>, or a file's absolute URI);
 * false if there is no such program of the initrd. */
static bool program_key(const char *cmd, char *key, size_t cap)
{
	const void *d;
	size_t l;
	if (!strchr(cmd, '/'))
		return (size_t)snprintf(key, cap, "bin/%s", cmd) < cap &&
		       ch_initrd_find(key, &d, &l) == 0;
	if (strstr(cmd, "://") || cmd[0] == '/')
		return (size_t)snprintf(key, cap, "%s", cmd) < cap;
	char cwd[128];
	sh_cwd_uri(cwd, sizeof(cwd));
	return (size_t)snprintf(key, cap, "%s/%s", cwd, cmd) < cap;
}

/* A file's ELF image (malloc'd), or NULL: not readable, or not an ELF (a #! script: its
 * interpreter's options are not its own). */
static void *program_image(const char *cmd, size_t *len)
{
	void *image = sh_read_file(cmd, len);
	if (image && (*len < 4 || memcmp(image,
	                                 "\x7f"
	                                 "ELF",
	                                 4) != 0)) {
		free(image);
		image = NULL;
	}
	return image;
}

const struct sh_opts *sh_comp_options(struct sh *sh, const char *cmd, bool *intr)
{
	*intr = false;
	sh_opts_clear(&scratch);
	if (sh_func_find(sh, cmd))
		return &scratch;
	const char *bopts = sh_builtin_opts(cmd);
	if (bopts) {
		sh_opts_parse_help(&scratch, bopts, strlen(bopts));
		return &scratch;
	}
	char key[sizeof(cache[0].key)];
	if (!program_key(cmd, key, sizeof(key)))
		return &scratch;
	for (unsigned i = 0; i < ncached; i++)
		if (strcmp(cache[i].key, key) == 0)
			return cache[i].opts ? cache[i].opts : &scratch;
	size_t image_len = 0;
	void *image = NULL;
	if (strchr(cmd, '/') && !(image = program_image(cmd, &image_len)))
		return &scratch;
	enum help_result r = run_help(sh, image ? cmd : key, image, image_len, cmd, &scratch);
	free(image);
	if (r == HELP_INTR) {
		*intr = true;
		sh_opts_clear(&scratch);
		return &scratch;
	}
	if (r != HELP_OK)
		sh_opts_clear(&scratch);
	struct cached *slot =
	    ncached < CACHE_MAX ? &cache[ncached++] : &cache[next_evict++ % CACHE_MAX];
	free(slot->opts);
	slot->opts = NULL;
	snprintf(slot->key, sizeof(slot->key), "%s", key);
	if (scratch.n) {
		slot->opts = malloc(sizeof(*slot->opts));
		if (slot->opts)
			memcpy(slot->opts, &scratch, sizeof(scratch));
		else
			slot->key[0] = 0; /* not kept: asked again next time */
	}
	return &scratch;
}
