/*
 * flow.c - compound commands and functions (docs/shell.md "Control flow").
 *
 * The parser (parse.h) gives a compound command its lists; each is run with
 * sh_run_list(), whose status is $?. `break N`, `continue N` and `return N` do
 * not jump: they set sh->brk, sh->cont or sh->returning and every list and loop
 * stops running at once (sh_unwinding()), each loop taking one level of a
 * break or continue. Ctrl-C stops everything the same way (sh->interrupted):
 * a foreground job it kills ends the loops around it, and a loop that runs
 * only builtins asks the job-control endpoint at each turn.
 *
 * A function is kept as the source text of its body and parsed at each call
 * into an arena of the call, so redefining it while it runs is harmless. A
 * call gets argv[1..] as $1... (restored after); `local` saves a variable
 * for the call to restore; `shift` and `read` are here as what loops over
 * arguments and lines need. Nesting is bounded by the stack the shell has
 * used (SH_STACK_BUDGET), measured from main()'s frame: a function that
 * recurses forever fails with "nested too deeply" instead of faulting.
 */
#include "sh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool sh_unwinding(const struct sh *sh)
{
	return sh->exiting || sh->brk || sh->cont || sh->returning || sh->interrupted;
}

bool sh_check_intr(struct sh *sh)
{
	if (!sh->interrupted && sh_jobctl_intr(sh))
		sh->interrupted = true;
	return sh->interrupted;
}

bool sh_too_deep(struct sh *sh)
{
	char here;
	uintptr_t used = sh->stack_base - (uintptr_t)&here;
	if (sh->stack_base && used > SH_STACK_BUDGET) {
		sh_error("commands nested too deeply (%u bytes of stack)", (unsigned)used);
		return true;
	}
	return false;
}

/* After a loop's list: true if the loop ends (a break, return, exit or Ctrl-C). */
static bool loop_stops(struct sh *sh)
{
	if (sh->brk) {
		sh->brk--;
		return true;
	}
	if (sh->cont) {
		if (--sh->cont == 0)
			return false; /* the next turn */
		return true; /* an outer loop's continue */
	}
	return sh_unwinding(sh);
}

static int run_while(struct sh *sh, const struct sh_cmd *c, bool until)
{
	int st = 0;
	sh->loops++;
	for (;;) {
		if (sh_check_intr(sh))
			break;
		int cond = sh_run_list(sh, &c->parts[0]);
		if (sh_unwinding(sh)) {
			if (loop_stops(sh))
				break;
			continue;
		}
		if ((cond == 0) == until)
			break;
		st = sh_run_list(sh, &c->parts[1]);
		if (sh_unwinding(sh) && loop_stops(sh))
			break;
	}
	sh->loops--;
	return sh->interrupted ? 130 : st;
}

static int run_for(struct sh *sh, const struct sh_cmd *c)
{
	struct sh_fields words = {0};
	struct sh_expand_ops ops;
	int st = 0;
	sh_expand_ops(sh, &ops);
	sh->expand_error = false;
	if (c->for_in) {
		for (unsigned i = 0; i < c->nwords; i++)
			if (sh_expand_word(c->words[i], &ops, &words)) {
				if (!sh->expand_error)
					sh_error("out of memory");
				sh_fields_free(&words);
				return 1;
			}
	} else {
		for (int i = 0; i < sh->npos; i++)
			if (sh_fields_add(&words, sh->pos[i], strlen(sh->pos[i]))) {
				sh_error("out of memory");
				sh_fields_free(&words);
				return 1;
			}
	}
	sh->loops++;
	for (unsigned i = 0; i < words.n; i++) {
		if (sh_check_intr(sh))
			break;
		if (sh_setvar(sh, c->name, words.v[i], false)) {
			st = 1;
			break;
		}
		st = sh_run_list(sh, &c->parts[0]);
		if (sh_unwinding(sh) && loop_stops(sh))
			break;
	}
	sh->loops--;
	sh_fields_free(&words);
	return sh->interrupted ? 130 : st;
}

static int run_if(struct sh *sh, const struct sh_cmd *c)
{
	unsigned i = 0;
	for (; i + 1 < c->nparts; i += 2) {
		int cond = sh_run_list(sh, &c->parts[i]);
		if (sh_unwinding(sh))
			return cond;
		if (cond == 0)
			return sh_run_list(sh, &c->parts[i + 1]);
	}
	return i < c->nparts ? sh_run_list(sh, &c->parts[i]) : 0;
}

static int run_case(struct sh *sh, const struct sh_cmd *c)
{
	struct sh_expand_ops ops;
	sh_expand_ops(sh, &ops);
	sh->expand_error = false;
	char *subject = sh_expand_one(c->words[0], &ops);
	if (!subject) {
		if (!sh->expand_error)
			sh_error("out of memory");
		return 1;
	}
	int st = 0;
	for (unsigned i = 0; i < c->nitems; i++) {
		const struct sh_case_item *it = &c->items[i];
		bool hit = false;
		for (unsigned k = 0; k < it->npats && !hit; k++) {
			char *pat;
			bool *quoted;
			if (sh_expand_pattern(it->pats[k], &ops, &pat, &quoted)) {
				if (!sh->expand_error)
					sh_error("out of memory");
				free(subject);
				return 1;
			}
			hit = sh_glob_match(pat, quoted, subject);
			free(pat);
			free(quoted);
		}
		if (hit) {
			st = sh_run_list(sh, &it->body);
			break;
		}
	}
	free(subject);
	return st;
}

/*
 * ( list ): the shell has no fork, so the list runs in the shell itself with
 * what it could change saved before and put back after: the variables (and
 * whether they are exported), the functions, the positional parameters, the
 * current directory and `local`s. `exit`, `return`, `break` and `continue` end
 * only the subshell. Jobs it starts, the history and files it writes stay.
 */
static int run_subshell(struct sh *sh, const struct sh_cmd *c)
{
	struct sh_var *vars = calloc(sh->nvars ? sh->nvars : 1, sizeof(*vars));
	struct sh_func *funcs = calloc(sh->nfuncs ? sh->nfuncs : 1, sizeof(*funcs));
	struct sh_fields pos = {0};
	unsigned nvars = 0, nfuncs = 0;
	bool ok = vars && funcs;
	for (unsigned i = 0; ok && i < sh->nvars; i++, nvars++) {
		vars[i] = sh->vars[i];
		vars[i].name = strdup(sh->vars[i].name);
		vars[i].value = strdup(sh->vars[i].value);
		ok = vars[i].name && vars[i].value;
	}
	for (unsigned i = 0; ok && i < sh->nfuncs; i++, nfuncs++) {
		funcs[i].name = strdup(sh->funcs[i].name);
		funcs[i].body = strdup(sh->funcs[i].body);
		ok = funcs[i].name && funcs[i].body;
	}
	for (int i = 0; ok && i < sh->npos; i++)
		ok = sh_fields_add(&pos, sh->pos[i], strlen(sh->pos[i])) == 0;
	char cwd[256];
	sh_cwd_uri(cwd, sizeof(cwd));
	int st;
	if (!ok) {
		sh_error("out of memory");
		st = 1;
	} else {
		char **opos = sh->pos;
		int onpos = sh->npos;
		unsigned loops = sh->loops, nlocals = sh->nlocals, pos_set = sh->pos_set;
		bool exiting = sh->exiting;
		sh->loops = 0; /* break and continue do not leave the subshell */
		st = sh_run_list(sh, &c->parts[0]);
		if (sh->exiting && !exiting) { /* exit: of the subshell only */
			sh->exiting = false;
			st = sh->exit_code;
		}
		sh->brk = sh->cont = 0;
		sh->returning = false;
		sh->loops = loops;
		/* the variables, `local`s and functions as they were */
		while (sh->nlocals > nlocals) {
			struct sh_local *l = &sh->locals[--sh->nlocals];
			free(l->name);
			free(l->value);
		}
		for (unsigned i = 0; i < sh->nvars; i++) {
			free(sh->vars[i].name);
			free(sh->vars[i].value);
		}
		memcpy(sh->vars, vars, nvars * sizeof(*vars));
		sh->nvars = nvars;
		nvars = 0;
		for (unsigned i = 0; i < sh->nfuncs; i++) {
			free(sh->funcs[i].name);
			free(sh->funcs[i].body);
		}
		memcpy(sh->funcs, funcs, nfuncs * sizeof(*funcs));
		sh->nfuncs = nfuncs;
		nfuncs = 0;
		/* `set --` inside replaced what the parameters may have pointed at */
		if (sh->pos_set != pos_set)
			sh_set_positional(sh, (int)pos.n, pos.v);
		else
			sh->pos = opos, sh->npos = onpos;
		char now[256];
		sh_cwd_uri(now, sizeof(now));
		if (strcmp(now, cwd) != 0 && chdir(cwd) < 0)
			sh_error("cannot go back to %s: %s", cwd, strerror(errno));
	}
	for (unsigned i = 0; i < nvars; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	for (unsigned i = 0; i < nfuncs; i++) {
		free(funcs[i].name);
		free(funcs[i].body);
	}
	free(vars);
	free(funcs);
	sh_fields_free(&pos);
	return sh->status = st;
}

int sh_run_compound(struct sh *sh, const struct sh_cmd *c)
{
	if (sh_too_deep(sh))
		return 2;
	switch (c->kind) {
	case SH_CMD_GROUP:
		return sh_run_list(sh, &c->parts[0]);
	case SH_CMD_SUBSHELL:
		return run_subshell(sh, c);
	case SH_CMD_IF:
		return run_if(sh, c);
	case SH_CMD_WHILE:
		return run_while(sh, c, false);
	case SH_CMD_UNTIL:
		return run_while(sh, c, true);
	case SH_CMD_FOR:
		return run_for(sh, c);
	case SH_CMD_CASE:
		return run_case(sh, c);
	case SH_CMD_FUNC:
		return sh_func_define(sh, c->name, c->body) ? 1 : 0;
	default:
		return 2;
	}
}

/* ---- functions ---- */

struct sh_func *sh_func_find(struct sh *sh, const char *name)
{
	for (unsigned i = 0; i < sh->nfuncs; i++)
		if (strcmp(sh->funcs[i].name, name) == 0)
			return &sh->funcs[i];
	return NULL;
}

int sh_func_define(struct sh *sh, const char *name, const char *body)
{
	struct sh_func *f = sh_func_find(sh, name);
	char *b = strdup(body);
	if (!b) {
		sh_error("out of memory");
		return -1;
	}
	if (!f) {
		char *n = strdup(name);
		if (sh->nfuncs == SH_MAX_FUNCS || !n) {
			sh_error(n ? "%s: too many functions (%d)" : "out of memory", name,
			         SH_MAX_FUNCS);
			free(n);
			free(b);
			return -1;
		}
		f = &sh->funcs[sh->nfuncs++];
		f->name = n;
		f->body = NULL;
	}
	free(f->body);
	f->body = b;
	return 0;
}

/* Put back what `local` saved in the call at depth call. */
static void restore_locals(struct sh *sh, unsigned call)
{
	while (sh->nlocals && sh->locals[sh->nlocals - 1].call == call) {
		struct sh_local *l = &sh->locals[--sh->nlocals];
		if (l->value)
			sh_setvar(sh, l->name, l->value, l->exported);
		else
			sh_unsetvar(sh, l->name);
		free(l->name);
		free(l->value);
	}
}

int sh_func_call(struct sh *sh, struct sh_func *f, int argc, char **argv, const int fds[3])
{
	if (sh_too_deep(sh))
		return 2;
	char *body = strdup(f->body); /* the function may be redefined while it runs */
	if (!body) {
		sh_error("out of memory");
		return 1;
	}
	struct sh_arena a = {0};
	struct sh_parse_result r;
	int st = sh_parse(&a, body, strlen(body), &r);
	if (st != SH_PARSE_OK) {
		sh_error("%s: %s", argv[0], st == SH_PARSE_ERROR ? r.error : "incomplete body");
		sh_arena_free(&a);
		free(body);
		return 2;
	}
	char **pos = sh->pos;
	int npos = sh->npos, io[3];
	unsigned loops = sh->loops;
	memcpy(io, sh->io, sizeof(io));
	memcpy(sh->io, fds, sizeof(io));
	sh->pos = argv + 1;
	sh->npos = argc - 1;
	sh->loops = 0; /* break and continue do not reach the caller's loops */
	sh->calls++;
	st = sh_run_list(sh, &r.list);
	restore_locals(sh, sh->calls);
	sh->calls--;
	sh->returning = false;
	sh->brk = sh->cont = 0;
	sh->loops = loops;
	sh->pos = pos;
	sh->npos = npos;
	memcpy(sh->io, io, sizeof(io));
	sh_arena_free(&a);
	free(body);
	return sh->status = st;
}

/* ---- builtins ---- */

/* break [N], continue [N] */
int sh_break_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	long n = 1;
	if (argc > 1) {
		char *end;
		n = strtol(argv[1], &end, 10);
		if (*end || n < 1) {
			sh_error("%s: %s: a loop count of at least 1", argv[0], argv[1]);
			return 2;
		}
	}
	if (sh->loops == 0) {
		sh_error("%s: only meaningful in a loop", argv[0]);
		return 0;
	}
	if ((unsigned long)n > sh->loops)
		n = (long)sh->loops;
	if (argv[0][0] == 'b')
		sh->brk = (unsigned)n;
	else
		sh->cont = (unsigned)n;
	return 0;
}

int sh_return_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	int st = sh->status;
	if (argc > 1) {
		char *end;
		long n = strtol(argv[1], &end, 10);
		if (*end || !argv[1][0]) {
			sh_error("return: %s: a number", argv[1]);
			return 2;
		}
		st = (int)(n & 0xff);
	}
	if (sh->calls == 0) {
		sh_error("return: not in a function");
		return 1;
	}
	sh->returning = true;
	return st;
}

/* local NAME[=value]...: the variable comes back as it was when the function returns */
int sh_local_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	if (sh->calls == 0) {
		sh_error("local: not in a function");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		size_t eq = strlen(argv[i]);
		bool assign = sh_is_assignment(argv[i], eq, &eq);
		char name[64];
		if ((!assign && !sh_name_char(argv[i][0], true)) || eq >= sizeof(name)) {
			sh_error("local: '%s': not a name", argv[i]);
			return 1;
		}
		memcpy(name, argv[i], eq);
		name[eq] = 0;
		bool saved = false;
		for (unsigned k = sh->nlocals; k-- > 0 && sh->locals[k].call == sh->calls;)
			saved |= strcmp(sh->locals[k].name, name) == 0;
		if (!saved) {
			if (sh->nlocals == SH_MAX_LOCALS) {
				sh_error("local: too many local variables (%d)", SH_MAX_LOCALS);
				return 1;
			}
			const char *old = sh_getvar(sh, name);
			struct sh_local *l = &sh->locals[sh->nlocals];
			*l = (struct sh_local){.name = strdup(name),
			                       .value = old ? strdup(old) : NULL,
			                       .call = sh->calls};
			if (!l->name || (old && !l->value)) {
				free(l->name);
				free(l->value);
				sh_error("out of memory");
				return 1;
			}
			for (unsigned k = 0; k < sh->nvars; k++)
				if (strcmp(sh->vars[k].name, name) == 0)
					l->exported = sh->vars[k].exported;
			sh->nlocals++;
		}
		if (sh_setvar(sh, name, assign ? argv[i] + eq + 1 : "", false))
			return 1;
	}
	return 0;
}

/* shift [N]: $N+1... become $1... */
int sh_shift_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	long n = 1;
	if (argc > 1) {
		char *end;
		n = strtol(argv[1], &end, 10);
		if (*end || n < 0) {
			sh_error("shift: %s: a count", argv[1]);
			return 2;
		}
	}
	if (n > sh->npos) {
		sh_error("shift: %ld: only %d arguments", n, sh->npos);
		return 1;
	}
	sh->pos += n;
	sh->npos -= (int)n;
	return 0;
}

/*
 * What read takes its line from: a file is read a block at a time and put back
 * (lseek) to just after the line when done; a pipe or terminal, which cannot
 * seek, a byte at a time, so what follows the line stays for the next reader.
 */
struct in_buf {
	int fd;
	off_t pos; /* where the line began; -1: not seekable */
	char buf[256];
	size_t len, at;
	off_t used; /* bytes taken from buf */
};

static bool in_byte(struct in_buf *in, char *c)
{
	if (in->at == in->len) {
		ssize_t r = read(in->fd, in->buf, in->pos < 0 ? 1 : sizeof(in->buf));
		if (r <= 0)
			return false;
		in->len = (size_t)r;
		in->at = 0;
	}
	*c = in->buf[in->at++];
	in->used++;
	return true;
}

static void in_done(struct in_buf *in)
{
	if (in->pos >= 0 && in->at < in->len)
		lseek(in->fd, in->pos + in->used, SEEK_SET);
}

/*
 * read [-r] NAME...: one line of stdin (what follows it stays for the next
 * reader: struct in_buf), split on blanks into the names, the last taking
 * the rest. Without -r a backslash quotes the next character (a newline: the
 * line goes on). Status 1 at the end of input with nothing read.
 */
int sh_read_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	int i = 1;
	bool raw = argc > 1 && strcmp(argv[1], "-r") == 0;
	i += raw;
	if (i >= argc) {
		sh_error("usage: read [-r] NAME...");
		return 2;
	}
	size_t cap = 128, n = 0;
	char *line = malloc(cap);
	bool got = false, esc = false;
	struct in_buf in = {.fd = fds[0], .pos = lseek(fds[0], 0, SEEK_CUR)};
	if (!line)
		goto too_long;
	for (;;) {
		char c;
		if (!in_byte(&in, &c))
			break;
		got = true;
		if (!esc && !raw && c == '\\') {
			esc = true;
			continue;
		}
		if (c == '\n' && !esc)
			break;
		esc = false;
		if (c == '\n')
			continue; /* backslash-newline: the line goes on */
		if (n + 2 > cap) {
			char *l = n + 2 > SH_SUBST_MAX ? NULL : realloc(line, cap * 2);
			if (!l)
				goto too_long;
			line = l;
			cap *= 2;
		}
		line[n++] = c;
	}
	in_done(&in);
	line[n] = 0;
	char *p = line;
	int st = got ? 0 : 1;
	for (; i < argc && st == 0; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		char *end = p;
		if (i + 1 < argc)
			while (*end && *end != ' ' && *end != '\t')
				end++;
		else
			end = p + strlen(p);
		while (i + 1 == argc && end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		char save = *end;
		*end = 0;
		if (sh_setvar(sh, argv[i], p, false))
			st = 1;
		*end = save;
		p = end;
	}
	for (; i < argc && st == 1 && !got; i++)
		sh_setvar(sh, argv[i], "", false);
	free(line);
	return st;
too_long:
	in_done(&in);
	free(line);
	sh_error("read: line too long or out of memory");
	return 1;
}
