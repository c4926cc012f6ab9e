/*
 * fuzz_sh.c - libFuzzer target for the shell's language (user/sh): the bytes as
 * a script through sh_parse(), then every word of what it accepts through the
 * expansion, whose $(...) hook parses and expands the inner text in turn
 * (bounded depth), and every simple command's words through `test`.
 *
 * Past the sanitizers: the status is one of SH_PARSE_*, an error has a
 * message; nesting stays within SH_MAX_NEST; every list, pipeline and command
 * has what its counts say; and a function's body, kept as text, parses on its
 * own to exactly one compound command (the shell parses it again at each call).
 * The whole input (NULs included) is also a --help text (helpopts.c: every name
 * kept is a name, every description printable and within its bounds), and the
 * line up to its first NUL a line Tab completes at each position (complete.c:
 * the word and the command it names lie inside the line).
 */
#include "fuzz.h"

#include "complete.h"
#include "expand.h"
#include "helpopts.h"
#include "parse.h"
#include "printfmt.h"
#include "testcmd.h"

#include <string.h>

static void walk_list(const struct sh_list *l, unsigned depth);

static const char *var(void *ctx, const char *name, size_t n)
{
	(void)ctx;
	if (n == 1 && name[0] == 'N')
		return "12";
	if (n == 1 && name[0] == 'S')
		return " a  b ";
	return n == 1 && name[0] == 'E' ? "" : NULL;
}

static char *subst(void *ctx, const char *src, size_t n);

static const struct sh_expand_ops ops = {.var = var, .subst = subst};
static unsigned subst_depth;

/* $(...): parse and walk the text, then give it back as the output. */
static char *subst(void *ctx, const char *src, size_t n)
{
	(void)ctx;
	if (subst_depth < 4) {
		struct sh_arena a = {0};
		struct sh_parse_result r;
		subst_depth++;
		if (sh_parse(&a, src, n, &r) == SH_PARSE_OK)
			walk_list(&r.list, 0);
		subst_depth--;
		sh_arena_free(&a);
	}
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, src, n);
		s[n] = 0;
	}
	return s;
}

static void expand(const char *raw)
{
	FUZZ_CHECK(raw != NULL);
	struct sh_fields f = {0};
	if (sh_expand_word(raw, &ops, &f) == 0)
		for (unsigned i = 0; i < f.n; i++)
			FUZZ_CHECK(f.v[i] != NULL);
	FUZZ_CHECK(f.n == 0 || f.v[f.n] == NULL);
	sh_fields_free(&f);
	char *pat;
	bool *q;
	if (sh_expand_pattern(raw, &ops, &pat, &q) == 0) {
		sh_glob_match(pat, q, "abc");
		free(pat);
		free(q);
	}
}

static void check_body(const char *body)
{
	struct sh_arena a = {0};
	struct sh_parse_result r;
	FUZZ_CHECK(sh_parse(&a, body, strlen(body), &r) == SH_PARSE_OK);
	FUZZ_CHECK(r.list.n == 1 && r.list.items[0].npipes == 1 &&
	           r.list.items[0].pipes[0].ncmds == 1);
	FUZZ_CHECK(r.list.items[0].pipes[0].cmds[0].kind != SH_CMD_SIMPLE);
	sh_arena_free(&a);
}

static void walk_cmd(const struct sh_cmd *c, unsigned depth)
{
	FUZZ_CHECK(c->nassign + c->nwords + c->nredirs <= SH_MAX_WORDS);
	for (unsigned i = 0; i < c->nassign; i++)
		expand(c->assign[i]);
	for (unsigned i = 0; i < c->nwords; i++)
		expand(c->words[i]);
	for (unsigned i = 0; i < c->nredirs; i++)
		if (c->redirs[i].kind != SH_R_DUP)
			expand(c->redirs[i].word); /* a here-document's body too: any text */
	switch (c->kind) {
	case SH_CMD_SIMPLE:
		FUZZ_CHECK(c->nwords + c->nassign + c->nredirs > 0);
		if (c->nwords) {
			char err[128];
			int st = sh_test_eval((int)c->nwords, c->words, err, sizeof(err));
			FUZZ_CHECK(st >= 0 && st <= 2);
		}
		return;
	case SH_CMD_FUNC:
		FUZZ_CHECK(c->name && c->body);
		check_body(c->body);
		return;
	case SH_CMD_CASE:
		FUZZ_CHECK(c->nwords == 1);
		for (unsigned i = 0; i < c->nitems; i++) {
			FUZZ_CHECK(c->items[i].npats >= 1);
			for (unsigned k = 0; k < c->items[i].npats; k++)
				expand(c->items[i].pats[k]);
			walk_list(&c->items[i].body, depth + 1);
		}
		return;
	case SH_CMD_IF:
		FUZZ_CHECK(c->nparts >= 2);
		break;
	case SH_CMD_WHILE:
	case SH_CMD_UNTIL:
		FUZZ_CHECK(c->nparts == 2);
		break;
	case SH_CMD_FOR:
		FUZZ_CHECK(c->nparts == 1 && c->name);
		break;
	case SH_CMD_GROUP:
	case SH_CMD_SUBSHELL:
		FUZZ_CHECK(c->nparts == 1);
		break;
	}
	for (unsigned i = 0; i < c->nparts; i++) {
		FUZZ_CHECK(c->parts[i].n >= 1); /* bodies are never empty */
		walk_list(&c->parts[i], depth + 1);
	}
}

static void walk_list(const struct sh_list *l, unsigned depth)
{
	FUZZ_CHECK(depth <= SH_MAX_NEST);
	for (unsigned i = 0; i < l->n; i++) {
		const struct sh_andor *ao = &l->items[i];
		FUZZ_CHECK(ao->npipes >= 1);
		for (unsigned j = 0; j < ao->npipes; j++) {
			const struct sh_pipeline *p = &ao->pipes[j];
			FUZZ_CHECK(p->ncmds >= 1 && p->ncmds <= SH_MAX_CMDS);
			for (unsigned k = 0; k < p->ncmds; k++)
				walk_cmd(&p->cmds[k], depth);
		}
	}
}

/* The bytes as a --help text, as hostile as a program may print. */
static void help_text(const uint8_t *data, size_t size)
{
	static struct sh_opts o;
	sh_opts_clear(&o);
	sh_opts_parse_help(&o, (const char *)data, size);
	FUZZ_CHECK(o.n <= SH_OPTS_MAX);
	for (unsigned i = 0; i < o.n; i++) {
		size_t l = strnlen(o.v[i].name, SH_OPT_NAME);
		FUZZ_CHECK(l >= 2 && l < SH_OPT_NAME && o.v[i].name[0] == '-');
		for (size_t k = 1; k < l; k++)
			FUZZ_CHECK(
			    o.v[i].name[k] == '-' || o.v[i].name[k] == '_' ||
			    (o.v[i].name[k] >= '0' && o.v[i].name[k] <= '9') ||
			    ((o.v[i].name[k] | 0x20) >= 'a' && (o.v[i].name[k] | 0x20) <= 'z'));
		size_t d = strnlen(o.v[i].desc, SH_OPT_DESC);
		FUZZ_CHECK(d < SH_OPT_DESC);
		for (size_t k = 0; k < d; k++)
			FUZZ_CHECK((unsigned char)o.v[i].desc[k] >= 0x20 && o.v[i].desc[k] != 0x7f);
	}
}

/* The line (a C string) completed at each position. */
static void complete_line(const char *line, size_t len)
{
	for (size_t pos = 0; pos <= len; pos++) {
		struct sh_comp_word w;
		struct sh_comp_target t;
		sh_comp_locate(line, pos, &w);
		sh_comp_classify(line, pos, &w, &t);
		FUZZ_CHECK(w.start <= pos && w.dir_len <= pos - w.start);
		FUZZ_CHECK(w.nwords <= SH_COMP_WORDS);
		for (unsigned i = 0; i < w.nwords; i++)
			FUZZ_CHECK(w.wstart[i] + w.wlen[i] <= w.start);
		if (t.kind == SH_COMP_OPTION)
			FUZZ_CHECK(t.cmd_len > 0 && t.cmd_start + t.cmd_len <= w.start);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	help_text(data, size);
	/* the shell reads lines as C strings: its parser never sees a NUL */
	const uint8_t *nul = memchr(data, 0, size);
	if (nul)
		size = (size_t)(nul - data);
	struct sh_arena a = {0};
	struct sh_parse_result r;
	if (size <= 512) {
		char *line = malloc(size + 1);
		if (line) {
			memcpy(line, data, size);
			line[size] = 0;
			complete_line(line, size);
			free(line);
		}
	}
	int st = sh_parse(&a, (const char *)data, size, &r);
	FUZZ_CHECK(st == SH_PARSE_OK || st == SH_PARSE_INCOMPLETE || st == SH_PARSE_ERROR);
	if (st == SH_PARSE_ERROR)
		FUZZ_CHECK(r.error[0] != 0);
	if (st == SH_PARSE_OK)
		walk_list(&r.list, 0);
	sh_arena_free(&a);
	/* the bytes as a printf format, with arguments of each kind */
	char *fmt = malloc(size + 1);
	if (fmt) {
		memcpy(fmt, data, size);
		fmt[size] = 0;
		char *args[] = {"12", "x\\n\\c", "0x1f", "'a", "-3", "abc"};
		struct sh_printf_result pr;
		if (sh_printf_format(fmt, 6, args, &pr) == 0) {
			FUZZ_CHECK(pr.out != NULL || pr.len == 0);
			FUZZ_CHECK(pr.status == 0 || pr.error[0]);
		} else {
			FUZZ_CHECK(pr.error[0] != 0);
		}
		free(pr.out);
		free(fmt);
	}
	return 0;
}
