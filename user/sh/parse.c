/*
 * parse.c - the shell's lexer and recursive-descent parser (parse.h).
 *
 * A pre-pass removes line continuations (backslash-newline outside single
 * quotes), then tokens are read one at a time: operators, redirections (with
 * their optional descriptor number) and words. A word is scanned to its end
 * through quotes and ${...} but kept raw. Each construct is built in a small
 * growable array in the arena; nothing is freed until sh_arena_free().
 */
#include "parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

struct sh_arena_block {
	struct sh_arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 4096u

void *sh_arena_alloc(struct sh_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct sh_arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *sh_arena_strndup(struct sh_arena *a, const char *s, size_t n)
{
	char *p = sh_arena_alloc(a, n + 1);
	if (p)
		memcpy(p, s, n);
	return p;
}

void sh_arena_free(struct sh_arena *a)
{
	while (a->head) {
		struct sh_arena_block *b = a->head;
		a->head = b->next;
		free(b);
	}
}

/* Make room for element n of a growable array in the arena (the old copy is left
 * behind: it is all freed at once). */
static int grow(struct sh_arena *a, void **arr, unsigned n, unsigned *cap, size_t elem)
{
	if (n < *cap)
		return 0;
	unsigned ncap = *cap ? *cap * 2 : 4;
	while (ncap <= n)
		ncap *= 2;
	void *p = sh_arena_alloc(a, (size_t)ncap * elem);
	if (!p)
		return -1;
	if (*cap)
		memcpy(p, *arr, (size_t)*cap * elem);
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- names ---- */

bool sh_name_char(char c, bool first)
{
	if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return !first && c >= '0' && c <= '9';
}

bool sh_is_assignment(const char *s, size_t n, size_t *eq)
{
	size_t i = 0;
	while (i < n && sh_name_char(s[i], i == 0))
		i++;
	if (i == 0 || i >= n || s[i] != '=')
		return false;
	if (eq)
		*eq = i;
	return true;
}

/* ---- lexer ---- */

enum tok_kind { T_EOF, T_WORD, T_NEWLINE, T_SEMI, T_AMP, T_AND, T_OR, T_PIPE, T_REDIR };

struct tok {
	enum tok_kind kind;
	const char *s; /* T_WORD: the raw word; T_REDIR: the operator */
	size_t n;
	enum sh_redir_kind rkind; /* T_REDIR */
	int fd; /* T_REDIR: the descriptor (default 0 or 1) */
};

struct parser {
	struct sh_arena *a;
	const char *src;
	size_t len, pos;
	struct tok tok; /* the current token */
	int status; /* SH_PARSE_* */
	char *error;
};

static bool is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' ||
	       c == '>' || c == '(' || c == ')';
}

static void fail(struct parser *p, int status, const char *what)
{
	if (p->status != SH_PARSE_OK)
		return;
	p->status = status;
	if (status == SH_PARSE_ERROR)
		snprintf(p->error, 96, "%s", what);
}

static void fail_near(struct parser *p, const struct tok *t)
{
	char msg[96];
	const char *what = t->kind == T_NEWLINE ? "newline"
	                   : t->kind == T_EOF   ? "end of input"
	                                        : NULL;
	if (what)
		snprintf(msg, sizeof(msg), "syntax error near %s", what);
	else
		snprintf(msg, sizeof(msg), "syntax error near '%.*s'", (int)(t->n > 40 ? 40 : t->n),
		         t->s);
	fail(p, SH_PARSE_ERROR, msg);
}

/* Scan a word from p->pos; returns its end, or 0 with p->status set. */
static size_t scan_word(struct parser *p, size_t i)
{
	const char *s = p->src;
	while (i < p->len && !is_meta(s[i])) {
		char c = s[i];
		if (c == '\\') {
			if (i + 1 >= p->len) {
				fail(p, SH_PARSE_INCOMPLETE, NULL);
				return 0;
			}
			i += 2;
		} else if (c == '\'') {
			const char *q = memchr(s + i + 1, '\'', p->len - i - 1);
			if (!q) {
				fail(p, SH_PARSE_INCOMPLETE, NULL);
				return 0;
			}
			i = (size_t)(q - s) + 1;
		} else if (c == '"') {
			i++;
			while (i < p->len && s[i] != '"') {
				if (s[i] == '\\')
					i++;
				i++;
			}
			if (i >= p->len) {
				fail(p, SH_PARSE_INCOMPLETE, NULL);
				return 0;
			}
			i++;
		} else if (c == '$' && i + 1 < p->len && s[i + 1] == '{') {
			const char *q = memchr(s + i, '}', p->len - i);
			if (!q) {
				fail(p, SH_PARSE_ERROR, "missing '}'");
				return 0;
			}
			i = (size_t)(q - s) + 1;
		} else {
			i++;
		}
	}
	return i;
}

static void next(struct parser *p)
{
	const char *s = p->src;
	struct tok *t = &p->tok;
	size_t i = p->pos;
	for (;;) {
		while (i < p->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i < p->len && s[i] == '#') {
			while (i < p->len && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	*t = (struct tok){.s = s + i, .n = 1};
	if (i >= p->len) {
		t->kind = T_EOF;
		t->n = 0;
		p->pos = i;
		return;
	}
	/* [n] redirection operator */
	size_t j = i, fd = 0;
	bool digits = false;
	while (j < p->len && s[j] >= '0' && s[j] <= '9' && fd < 1000) {
		fd = fd * 10 + (size_t)(s[j] - '0');
		j++;
		digits = true;
	}
	if (j < p->len && (s[j] == '<' || s[j] == '>') && (digits || j == i)) {
		bool out = s[j] == '>';
		t->kind = T_REDIR;
		t->fd = digits ? (int)fd : out ? 1 : 0;
		j++;
		if (j < p->len && s[j] == '&') {
			t->rkind = SH_R_DUP;
			j++;
		} else if (out && j < p->len && s[j] == '>') {
			t->rkind = SH_R_APPEND;
			j++;
		} else {
			t->rkind = out ? SH_R_OUT : SH_R_IN;
		}
		t->n = j - i;
		p->pos = j;
		return;
	}
	char c = s[i], d = i + 1 < p->len ? s[i + 1] : 0;
	p->pos = i + 1;
	switch (c) {
	case '\n':
		t->kind = T_NEWLINE;
		return;
	case ';':
		t->kind = T_SEMI;
		return;
	case '&':
		t->kind = d == '&' ? T_AND : T_AMP;
		break;
	case '|':
		t->kind = d == '|' ? T_OR : T_PIPE;
		break;
	case '(':
	case ')':
		t->kind = T_WORD; /* not supported: reported as a syntax error by the parser */
		fail_near(p, t);
		return;
	default: {
		size_t end = scan_word(p, i);
		t->kind = T_WORD;
		if (!end) {
			t->kind = T_EOF;
			return;
		}
		t->n = end - i;
		p->pos = end;
		return;
	}
	}
	if (t->kind == T_AND || t->kind == T_OR) {
		t->n = 2;
		p->pos = i + 2;
	}
}

/* ---- parser ---- */

static void skip_newlines(struct parser *p)
{
	while (p->status == SH_PARSE_OK && p->tok.kind == T_NEWLINE)
		next(p);
}

/* After an operator that needs more: end of input means the command continues. */
static void need_more(struct parser *p)
{
	skip_newlines(p);
	if (p->status == SH_PARSE_OK && p->tok.kind == T_EOF)
		fail(p, SH_PARSE_INCOMPLETE, NULL);
}

static int parse_cmd(struct parser *p, struct sh_cmd *c)
{
	unsigned cap_a = 0, cap_w = 0, cap_r = 0;
	while (p->status == SH_PARSE_OK) {
		struct tok *t = &p->tok;
		if (t->kind == T_WORD) {
			if (c->nassign + c->nwords + c->nredirs >= SH_MAX_WORDS) {
				fail(p, SH_PARSE_ERROR, "too many words in a command");
				return -1;
			}
			char *w = sh_arena_strndup(p->a, t->s, t->n);
			if (!w)
				goto oom;
			if (c->nwords == 0 && sh_is_assignment(t->s, t->n, NULL)) {
				if (grow(p->a, (void **)&c->assign, c->nassign, &cap_a,
				         sizeof(char *)))
					goto oom;
				c->assign[c->nassign++] = w;
			} else {
				if (grow(p->a, (void **)&c->words, c->nwords + 1, &cap_w,
				         sizeof(char *)))
					goto oom;
				c->words[c->nwords++] = w;
				c->words[c->nwords] = NULL;
			}
			next(p);
		} else if (t->kind == T_REDIR) {
			struct sh_redir r = {.kind = t->rkind, .fd = t->fd};
			struct tok op = *t;
			next(p);
			if (p->status != SH_PARSE_OK)
				return -1;
			if (p->tok.kind != T_WORD) {
				fail_near(p, p->tok.kind == T_EOF || p->tok.kind == T_NEWLINE
				                 ? &p->tok
				                 : &op);
				return -1;
			}
			if (r.kind == SH_R_DUP) {
				const char *s = p->tok.s;
				if (p->tok.n != 1 || s[0] < '0' || s[0] > '9') {
					fail(p, SH_PARSE_ERROR,
					     "syntax error: >& and <& take one digit");
					return -1;
				}
				r.dup_fd = s[0] - '0';
			} else if (!(r.word = sh_arena_strndup(p->a, p->tok.s, p->tok.n))) {
				goto oom;
			}
			if (r.fd > 9) {
				fail(p, SH_PARSE_ERROR, "syntax error: descriptors are 0 to 9");
				return -1;
			}
			if (c->nassign + c->nwords + c->nredirs >= SH_MAX_WORDS) {
				fail(p, SH_PARSE_ERROR, "too many words in a command");
				return -1;
			}
			if (grow(p->a, (void **)&c->redirs, c->nredirs, &cap_r, sizeof(r)))
				goto oom;
			c->redirs[c->nredirs++] = r;
			next(p);
		} else {
			break;
		}
	}
	if (p->status != SH_PARSE_OK)
		return -1;
	if (c->nassign + c->nwords + c->nredirs == 0) {
		fail_near(p, &p->tok);
		return -1;
	}
	return 0;
oom:
	fail(p, SH_PARSE_ERROR, "out of memory");
	return -1;
}

static int parse_pipeline(struct parser *p, struct sh_pipeline *pl)
{
	unsigned cap = 0;
	for (;;) {
		if (pl->ncmds >= SH_MAX_CMDS) {
			fail(p, SH_PARSE_ERROR, "too many commands in a pipeline");
			return -1;
		}
		if (grow(p->a, (void **)&pl->cmds, pl->ncmds, &cap, sizeof(struct sh_cmd))) {
			fail(p, SH_PARSE_ERROR, "out of memory");
			return -1;
		}
		if (parse_cmd(p, &pl->cmds[pl->ncmds]))
			return -1;
		pl->ncmds++;
		if (p->tok.kind != T_PIPE)
			return 0;
		next(p);
		need_more(p);
	}
}

static int parse_andor(struct parser *p, struct sh_andor *ao)
{
	unsigned cap = 0, cap_ops = 0;
	enum sh_andor_op op = SH_OP_SEQ;
	for (;;) {
		if (grow(p->a, (void **)&ao->pipes, ao->npipes, &cap, sizeof(struct sh_pipeline)) ||
		    grow(p->a, (void **)&ao->ops, ao->npipes, &cap_ops, sizeof(enum sh_andor_op))) {
			fail(p, SH_PARSE_ERROR, "out of memory");
			return -1;
		}
		ao->ops[ao->npipes] = op;
		if (parse_pipeline(p, &ao->pipes[ao->npipes]))
			return -1;
		ao->npipes++;
		if (p->tok.kind != T_AND && p->tok.kind != T_OR)
			return 0;
		op = p->tok.kind == T_AND ? SH_OP_AND : SH_OP_OR;
		next(p);
		need_more(p);
	}
}

int sh_parse(struct sh_arena *a, const char *src, size_t len, struct sh_parse_result *r)
{
	memset(r, 0, sizeof(*r));
	/* line continuations go first (outside single quotes) */
	char *text = sh_arena_alloc(a, len + 1);
	if (!text) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return SH_PARSE_ERROR;
	}
	size_t n = 0;
	bool sq = false, dq = false;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (!sq && c == '\\' && i + 1 < len) {
			if (src[i + 1] == '\n') {
				if (i + 2 == len) /* the line goes on in the next one */
					return SH_PARSE_INCOMPLETE;
				i++;
				continue;
			}
			text[n++] = c;
			text[n++] = src[++i];
			continue;
		}
		if (c == '\'' && !dq)
			sq = !sq;
		else if (c == '"' && !sq)
			dq = !dq;
		text[n++] = c;
	}
	struct parser p = {.a = a, .src = text, .len = n, .error = r->error};
	unsigned cap = 0;
	next(&p);
	for (;;) {
		while (p.status == SH_PARSE_OK &&
		       (p.tok.kind == T_NEWLINE || p.tok.kind == T_SEMI)) {
			if (p.tok.kind == T_SEMI && r->list.n == 0) {
				fail_near(&p, &p.tok);
				break;
			}
			next(&p);
		}
		if (p.status != SH_PARSE_OK || p.tok.kind == T_EOF)
			break;
		if (grow(a, (void **)&r->list.items, r->list.n, &cap, sizeof(struct sh_andor))) {
			fail(&p, SH_PARSE_ERROR, "out of memory");
			break;
		}
		struct sh_andor *ao = &r->list.items[r->list.n];
		if (parse_andor(&p, ao))
			break;
		r->list.n++;
		if (p.tok.kind == T_AMP) {
			ao->background = true;
			next(&p);
		} else if (p.tok.kind == T_SEMI || p.tok.kind == T_NEWLINE) {
			next(&p);
			if (p.status == SH_PARSE_OK && p.tok.kind == T_SEMI) {
				fail_near(&p, &p.tok);
				break;
			}
		} else if (p.tok.kind != T_EOF) {
			fail_near(&p, &p.tok);
			break;
		}
	}
	return p.status;
}
