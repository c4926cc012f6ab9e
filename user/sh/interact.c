/*
 * interact.c - the shell on a terminal (docs/shell.md "Editing").
 *
 * While a line is edited the terminal is raw (cfmakeraw: every key comes as
 * it is typed, no echo, no signal keys) and edit.c's state machine does the
 * work; while a command runs it is back in the mode it had (canonical, echo,
 * signal keys, so Ctrl-C reaches the job-control endpoint). Accepted lines go
 * to the history and are appended to $HOME/.sh_history. Tab completes the
 * first word of a command from the builtins and bin/, a word starting with
 * '-' as one of the command's options (compopt.c), the argument of
 * `run --grant` as a URI or a capability we hold, any other word as a path or
 * URI from the directory named so far (only what our view can list). Keys
 * typed while Tab waits for a program's --help are kept (typeahead) and fed
 * to the editor after it.
 */
#include "sh.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <charlotte/wcwidth.h>

#include "complete.h"
#include "edit.h"
#include "helpopts.h"

#define KEYS_MAX 64 /* keys taken in one read */

static struct termios saved;
static bool have_saved, raw;
static struct sh_ed ed;
static unsigned char ahead[KEYS_MAX]; /* typeahead: keys read while completing */
static size_t nahead;

static void out(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(1, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void outs(const char *s)
{
	out(s, strlen(s));
}

void sh_term_canonical(struct sh *sh)
{
	(void)sh;
	if (raw && have_saved)
		tcsetattr(0, TCSANOW, &saved);
	raw = false;
}

static void term_raw(void)
{
	if (!have_saved || raw)
		return;
	struct termios t = saved;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSANOW, &t) == 0)
		raw = true;
}

void sh_interactive_init(struct sh *sh)
{
	have_saved = tcgetattr(0, &saved) == 0;
	const char *home = sh_getvar(sh, "HOME");
	if (home && chdir(home) == 0) {
		char cwd[512];
		sh_cwd_uri(cwd, sizeof(cwd));
		sh_setvar(sh, "PWD", cwd, true);
	}
	if (home) {
		size_t n = strlen(home) + sizeof("/.sh_history");
		sh->histfile = malloc(n);
		if (sh->histfile) {
			snprintf(sh->histfile, n, "%s%s.sh_history", home,
			         home[strlen(home) - 1] == '/' ? "" : "/");
			size_t len;
			char *text = sh_read_file(sh->histfile, &len);
			if (text)
				sh_hist_load(&sh->hist, text, len);
			free(text);
		}
	}
	sh_jobctl_setup(sh);
	sh_ed_start(&ed, &sh->hist);
}

void sh_interactive_done(struct sh *sh)
{
	sh_term_canonical(sh);
	sh_hist_free(&sh->hist);
	free(sh->histfile);
	sh->histfile = NULL;
}

static void remember(struct sh *sh, const char *line)
{
	if (sh_hist_add(&sh->hist, line) != 0 || !sh->histfile)
		return;
	int fd = open(sh->histfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return;
	size_t n = strlen(line);
	char *buf = malloc(n + 1);
	if (buf) {
		memcpy(buf, line, n);
		buf[n] = '\n';
		if (write(fd, buf, n + 1) < 0) {
			/* a read-only home: the history stays in memory */
		}
		free(buf);
	}
	close(fd);
}

int sh_history_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)argc, (void)argv;
	for (unsigned i = 0; i < sh->hist.n; i++)
		sh_printf(fds[1], "%5u  %s\n", i + 1, sh_hist_get(&sh->hist, i));
	return 0;
}

/* ---- completion ---- */

bool sh_typeahead_read(void)
{
	if (nahead == sizeof(ahead))
		return false;
	ssize_t r = read(0, ahead + nahead, sizeof(ahead) - nahead);
	if (r < 0)
		return errno != EINTR;
	if (r == 0)
		return true; /* the terminal is gone */
	bool intr = memchr(ahead + nahead, 0x03, (size_t)r) != NULL;
	nahead += (size_t)r;
	return intr;
}

bool sh_typeahead_full(void)
{
	return nahead == sizeof(ahead);
}

struct cands {
	char **v;
	const char **type;
	unsigned n, cap;
	const char *prefix;
	size_t plen;
};

static void cand_add(struct cands *c, const char *name, size_t n, const char *type)
{
	if (!sh_comp_matches(name, c->prefix, c->plen))
		return;
	if (c->n == c->cap) {
		unsigned cap = c->cap ? c->cap * 2 : 32;
		char **v = realloc(c->v, cap * sizeof(char *));
		if (!v)
			return;
		c->v = v;
		const char **t = realloc(c->type, cap * sizeof(char *));
		if (!t)
			return;
		c->type = t;
		c->cap = cap;
	}
	char *s = strndup(name, n);
	if (!s)
		return;
	c->v[c->n] = s;
	c->type[c->n++] = type;
}

static void cand_program(void *ctx, const char *name)
{
	cand_add(ctx, name, strlen(name), "program");
}

static const char *type_name(unsigned char t)
{
	switch (t) {
	case DT_DIR:
		return "dir";
	case DT_REG:
		return "file";
	case DT_LNK:
		return "link";
	case DT_BLK:
		return "block device";
	case DT_CHR:
		return "device";
	case DT_SOCK:
		return "service";
	default:
		return "entry";
	}
}

static void cand_dir(struct cands *c, const char *dir)
{
	DIR *d = opendir(*dir ? dir : ".");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && (c->plen == 0 || c->prefix[0] != '.'))
			continue;
		char name[300];
		int n =
		    snprintf(name, sizeof(name), "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "");
		if (n > 0 && (size_t)n < sizeof(name))
			cand_add(c, name, (size_t)n, type_name(e->d_type));
	}
	closedir(d);
}

/* As much of text as fits in cols columns (whole characters, whole words when that
 * keeps half of it), into out (cap bytes). */
static void fit(char *out, size_t cap, const char *text, size_t cols)
{
	size_t n = 0, w = 0;
	while (text[n] && n + 4 < cap) {
		size_t k = 1;
		while (((unsigned char)text[n + k] & 0xc0) == 0x80)
			k++;
		size_t cw = wc_text_width(text + n, k);
		if (w + cw > cols)
			break;
		w += cw;
		n += k;
	}
	if (text[n] && text[n] != ' ') { /* cut: at the last word's start, if not too early */
		size_t sp = n;
		while (sp > n / 2 && text[sp - 1] != ' ')
			sp--;
		if (sp > n / 2)
			n = sp - 1;
	}
	memcpy(out, text, n);
	out[n] = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every option of the command at t (a word of ed.buf) into c. */
static void cand_options(struct sh *sh, struct cands *c, const struct sh_comp_target *t)
{
	char cmd[256];
	if (t->cmd_len == 0 || t->cmd_len >= sizeof(cmd))
		return;
	memcpy(cmd, ed.buf + t->cmd_start, t->cmd_len);
	cmd[t->cmd_len] = 0;
	if (strpbrk(cmd, "'\"\\$`*?[~")) /* its value is not what was typed */
		return;
	bool intr;
	const struct sh_opts *o = sh_comp_options(sh, cmd, &intr);
	for (unsigned i = 0; i < o->n; i++)
		cand_add(c, o->v[i].name, strlen(o->v[i].name),
		         o->v[i].desc[0] ? o->v[i].desc : "option");
}

/* The capabilities run --grant can name: what a child gets by default. */
static void cand_caps(struct sh *sh, struct cands *c)
{
	static struct sh_grant_set gs;
	if (sh_grants_default(sh, &gs) != 0)
		return;
	for (unsigned i = 0; i < gs.n; i++)
		cand_add(c, gs.names[i], strlen(gs.names[i]), "capability");
}

static void complete(struct sh *sh, const char *prompt)
{
	struct sh_comp_word w;
	struct sh_comp_target t;
	sh_comp_locate(ed.buf, ed.pos, &w);
	sh_comp_classify(ed.buf, ed.pos, &w, &t);
	const char *word = ed.buf + w.start;
	size_t wlen = ed.pos - w.start;
	char dir[512];
	struct cands c = {0};
	if (t.kind == SH_COMP_COMMAND) {
		c.prefix = word;
		c.plen = wlen;
		for (unsigned i = 0; sh_builtin_at(i); i++)
			cand_add(&c, sh_builtin_at(i), strlen(sh_builtin_at(i)), "builtin");
		sh_each_program(cand_program, &c);
	} else if (t.kind == SH_COMP_OPTION) {
		c.prefix = word;
		c.plen = wlen;
		cand_options(sh, &c, &t);
	} else {
		if (w.dir_len >= sizeof(dir))
			return;
		memcpy(dir, word, w.dir_len);
		dir[w.dir_len] = 0;
		c.prefix = word + w.dir_len;
		c.plen = wlen - w.dir_len;
		cand_dir(&c, dir);
		if (w.dir_len == 0 && !memchr(word, ':', wlen)) {
			static const char *const schemes[] = {"fs://", "dev://", "proc://",
			                                      "svc://"};
			for (size_t i = 0; i < 4; i++)
				cand_add(&c, schemes[i], strlen(schemes[i]), "scheme");
			if (t.kind == SH_COMP_GRANT)
				cand_caps(sh, &c);
		}
	}
	if (c.n == 0) {
		free(c.v);
		free(c.type);
		return;
	}
	/* sort names and types together, then drop repeats */
	for (unsigned i = 0; i < c.n; i++) {
		char *both = malloc(strlen(c.v[i]) + strlen(c.type[i]) + 2);
		if (both) {
			sprintf(both, "%s%c%s", c.v[i], 0x1f, c.type[i]);
			free(c.v[i]);
			c.v[i] = both;
		}
	}
	qsort(c.v, c.n, sizeof(char *), cmp_str);
	unsigned k = 0;
	for (unsigned i = 0; i < c.n; i++) {
		char *sep = strchr(c.v[i], 0x1f);
		const char *type = sep ? sep + 1 : "";
		if (sep)
			*sep = 0;
		if (k && strcmp(c.v[k - 1], c.v[i]) == 0) {
			free(c.v[i]);
			continue;
		}
		c.type[k] = type;
		c.v[k++] = c.v[i];
	}
	c.n = k;
	char ins[300];
	if (sh_comp_decide((const char *const *)c.v, c.n, c.plen, ins, sizeof(ins))) {
		outs("\n");
		struct winsize ws;
		size_t cols = ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
		for (unsigned i = 0; i < c.n; i++) {
			char line[400];
			size_t name_w = wc_text_width(c.v[i], strlen(c.v[i]));
			size_t used = 3 + (name_w > 30 ? name_w : 30); /* "  name " */
			int n = snprintf(line, sizeof(line), "  %-30s ", c.v[i]);
			if (n > 0 && (size_t)n < sizeof(line))
				fit(line + n, sizeof(line) - (size_t)n, c.type[i],
				    cols > used + 1 ? cols - used - 1 : 0);
			outs(line);
			outs("\n");
		}
	} else {
		char esc[600];
		size_t n = 0;
		for (const char *s = ins; *s && n + 2 < sizeof(esc); s++) {
			if (strchr(" \t'\"\\$&|;<>()*?[#", *s) && !(s[0] == ' ' && s[1] == 0))
				esc[n++] = '\\';
			esc[n++] = *s;
		}
		sh_ed_insert(&ed, esc, n);
	}
	(void)prompt;
	for (unsigned i = 0; i < c.n; i++) {
		free(c.v[i]);
	}
	free(c.v);
	free(c.type);
}

/* ---- reading a line ---- */

static void render(const char *prompt)
{
	char buf[SH_ED_MAX + 256];
	size_t n = sh_ed_render(&ed, prompt, buf, sizeof(buf));
	out(buf, n);
}

char *sh_readline(struct sh *sh, bool continuation)
{
	char prompt[300];
	if (continuation) {
		snprintf(prompt, sizeof(prompt), "> ");
	} else {
		sh_jobs_reap(sh, true);
		char cwd[256];
		sh_cwd_uri(cwd, sizeof(cwd));
		snprintf(prompt, sizeof(prompt), "%s $ ", cwd);
	}
	sh_jobctl_drain(sh); /* a Ctrl-C that came too late for the last job */
	term_raw();
	sh_ed_next(&ed);
	render(prompt);
	for (;;) {
		unsigned char keys[KEYS_MAX];
		ssize_t n;
		if (nahead) { /* typed while Tab waited */
			memcpy(keys, ahead, nahead);
			n = (ssize_t)nahead;
			nahead = 0;
		} else {
			n = read(0, keys, sizeof(keys));
		}
		if (n == 0) { /* Ctrl-D in a mode that sends it, or the terminal is gone */
			outs("\n");
			sh_term_canonical(sh);
			return NULL;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			outs("\n");
			sh_term_canonical(sh);
			return NULL;
		}
		for (ssize_t i = 0; i < n; i++) {
			switch (sh_ed_feed(&ed, keys[i])) {
			case SH_ED_NONE:
			case SH_ED_BELL:
				break;
			case SH_ED_REDRAW:
				render(prompt);
				break;
			case SH_ED_CLEAR:
				outs("\x1b[H\x1b[2J");
				render(prompt);
				break;
			case SH_ED_COMPLETE:
				complete(sh, prompt);
				render(prompt);
				break;
			case SH_ED_INTR:
				outs("^C\n");
				sh_ed_next(&ed);
				if (continuation) {
					sh_term_canonical(sh);
					return strdup("\x03"); /* drops the pending lines (sh.c) */
				}
				render(prompt);
				break;
			case SH_ED_EOF:
				outs("\n");
				sh_term_canonical(sh);
				return NULL;
			case SH_ED_ACCEPT:
				/* the mode first: once the line's newline shows, Ctrl-C
				 * and Ctrl-Z already reach the job (a scripted session
				 * waits for it) */
				sh_term_canonical(sh);
				outs("\n");
				remember(sh, ed.buf);
				return strdup(ed.buf);
			}
		}
	}
}
