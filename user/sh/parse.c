/*
 * parse.c - the shell's lexer and recursive-descent parser (parse.h).
 *
 * A pre-pass removes line continuations (backslash-newline outside single
 * quotes), then tokens are read one at a time: operators, redirections (with
 * their optional descriptor number) and words. A word is scanned to its end
 * through quotes, ${...}, $(...) and `...` but kept raw. Reserved words are
 * words the parser recognises where a command starts. Each construct is built
 * in a small growable array in the arena; nothing is freed until
 * sh_arena_free(). Compound commands recurse (parse_cmd -> parse_compound ->
 * parse_list), at most SH_MAX_NEST deep, so hostile nesting is an error and
 * not a stack overflow.
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

/* ---- scanning $(...) and `...` ---- */

#define SCAN_DEEP ((size_t)-1)

static size_t scan_paren(const char *s, size_t len, size_t i, unsigned depth);

/* "..." from s[i] == '"': the index after the closing quote, 0 or SCAN_DEEP. */
static size_t scan_dquote(const char *s, size_t len, size_t i, unsigned depth)
{
	i++;
	while (i < len && s[i] != '"') {
		if (s[i] == '\\') {
			i += 2;
		} else if (s[i] == '$' && i + 1 < len && s[i + 1] == '(') {
			size_t e = scan_paren(s, len, i + 1, depth + 1);
			if (e == 0 || e == SCAN_DEEP)
				return e;
			i = e;
		} else if (s[i] == '`') {
			size_t e = sh_scan_backquote(s, len, i);
			if (!e)
				return 0;
			i = e;
		} else {
			i++;
		}
	}
	return i < len ? i + 1 : 0;
}

static size_t scan_paren(const char *s, size_t len, size_t i, unsigned depth)
{
	unsigned open = 0;
	if (depth > SH_MAX_NEST)
		return SCAN_DEEP;
	while (i < len) {
		char c = s[i];
		size_t e;
		switch (c) {
		case '\\':
			i += 2;
			continue;
		case '\'': {
			const char *q = memchr(s + i + 1, '\'', len - i - 1);
			if (!q)
				return 0;
			i = (size_t)(q - s) + 1;
			continue;
		}
		case '"':
			e = scan_dquote(s, len, i, depth);
			if (e == 0 || e == SCAN_DEEP)
				return e;
			i = e;
			continue;
		case '`':
			if (!(e = sh_scan_backquote(s, len, i)))
				return 0;
			i = e;
			continue;
		case '(':
			if (++open > SH_MAX_NEST * 4u)
				return SCAN_DEEP;
			break;
		case ')':
			if (--open == 0)
				return i + 1;
			break;
		}
		i++;
	}
	return 0;
}

size_t sh_scan_paren(const char *s, size_t len, size_t i)
{
	return scan_paren(s, len, i, 0);
}

size_t sh_scan_backquote(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '`')
			return i + 1;
	}
	return 0;
}

static bool is_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!sh_name_char(s[i], i == 0))
			return false;
	return n > 0;
}

/* ---- lexer ---- */

enum tok_kind {
	T_EOF,
	T_WORD,
	T_NEWLINE,
	T_SEMI,
	T_DSEMI,
	T_AMP,
	T_AND,
	T_OR,
	T_PIPE,
	T_REDIR,
	T_LPAREN,
	T_RPAREN,
};

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
	size_t prev_end; /* where the token before the current one ended */
	struct tok tok; /* the current token */
	unsigned depth; /* compound commands open */
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

/* A scan's end e: 0 means more input would end it, SCAN_DEEP is an error. */
static size_t scanned(struct parser *p, size_t e)
{
	if (e == 0)
		fail(p, SH_PARSE_INCOMPLETE, NULL);
	else if (e == SCAN_DEEP)
		fail(p, SH_PARSE_ERROR, "syntax error: $(...) nested too deeply");
	return e == SCAN_DEEP ? 0 : e;
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
			if (!(i = scanned(p, scan_dquote(s, p->len, i, 0))))
				return 0;
		} else if (c == '`') {
			if (!(i = scanned(p, sh_scan_backquote(s, p->len, i))))
				return 0;
		} else if (c == '$' && i + 1 < p->len && s[i + 1] == '(') {
			if (!(i = scanned(p, sh_scan_paren(s, p->len, i + 1))))
				return 0;
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
	p->prev_end = p->pos;
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
		t->kind = d == ';' ? T_DSEMI : T_SEMI;
		break;
	case '&':
		t->kind = d == '&' ? T_AND : T_AMP;
		break;
	case '|':
		t->kind = d == '|' ? T_OR : T_PIPE;
		break;
	case '(':
		t->kind = T_LPAREN;
		return;
	case ')':
		t->kind = T_RPAREN;
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
	if (t->kind == T_AND || t->kind == T_OR || t->kind == T_DSEMI) {
		t->n = 2;
		p->pos = i + 2;
	}
}

/* ---- reserved words ---- */

enum kw {
	KW_NONE,
	KW_IF,
	KW_THEN,
	KW_ELIF,
	KW_ELSE,
	KW_FI,
	KW_WHILE,
	KW_UNTIL,
	KW_FOR,
	KW_DO,
	KW_DONE,
	KW_CASE,
	KW_ESAC,
	KW_IN,
	KW_LBRACE,
	KW_RBRACE,
	KW_BANG,
};

static const char *const kw_names[] = {
    [KW_IF] = "if", [KW_THEN] = "then",   [KW_ELIF] = "elif",   [KW_ELSE] = "else",
    [KW_FI] = "fi", [KW_WHILE] = "while", [KW_UNTIL] = "until", [KW_FOR] = "for",
    [KW_DO] = "do", [KW_DONE] = "done",   [KW_CASE] = "case",   [KW_ESAC] = "esac",
    [KW_IN] = "in", [KW_LBRACE] = "{",    [KW_RBRACE] = "}",    [KW_BANG] = "!",
};

/* The reserved word the current token is (where a command starts), or KW_NONE. */
static enum kw keyword(const struct parser *p)
{
	if (p->tok.kind != T_WORD)
		return KW_NONE;
	for (unsigned k = 1; k < sizeof(kw_names) / sizeof(*kw_names); k++)
		if (strlen(kw_names[k]) == p->tok.n && memcmp(kw_names[k], p->tok.s, p->tok.n) == 0)
			return (enum kw)k;
	return KW_NONE;
}

/* Does the current token end a list (a closing word, ';;' or ')')? */
static bool ends_list(const struct parser *p)
{
	switch (keyword(p)) {
	case KW_THEN:
	case KW_ELIF:
	case KW_ELSE:
	case KW_FI:
	case KW_DO:
	case KW_DONE:
	case KW_ESAC:
	case KW_RBRACE:
		return true;
	default:
		return p->tok.kind == T_DSEMI || p->tok.kind == T_RPAREN;
	}
}

/* ---- parser ---- */

static int parse_list(struct parser *p, struct sh_list *l, bool top);

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

/* The current token cannot be here: more input may be needed (at its end), or it is an error. */
static int unexpected(struct parser *p)
{
	if (p->tok.kind == T_EOF)
		fail(p, SH_PARSE_INCOMPLETE, NULL);
	else
		fail_near(p, &p->tok);
	return -1;
}

static int oom(struct parser *p)
{
	fail(p, SH_PARSE_ERROR, "out of memory");
	return -1;
}

/* The current token must be reserved word k; it is consumed. */
static int expect(struct parser *p, enum kw k)
{
	if (p->status != SH_PARSE_OK)
		return -1;
	if (keyword(p) != k) {
		return unexpected(p);
	}
	next(p);
	return 0;
}

/* A list that must not be empty, ended by one of the closing words. */
static int parse_body(struct parser *p, struct sh_list *l)
{
	if (parse_list(p, l, false))
		return -1;
	if (l->n == 0) {
		fail_near(p, &p->tok);
		return -1;
	}
	return 0;
}

static struct sh_list *add_part(struct parser *p, struct sh_cmd *c, unsigned *cap)
{
	if (grow(p->a, (void **)&c->parts, c->nparts, cap, sizeof(struct sh_list))) {
		oom(p);
		return NULL;
	}
	return &c->parts[c->nparts++];
}

static int add_word(struct parser *p, char ***v, unsigned *n, unsigned *cap)
{
	if (*n >= SH_MAX_WORDS) {
		fail(p, SH_PARSE_ERROR, "too many words in a command");
		return -1;
	}
	char *w = sh_arena_strndup(p->a, p->tok.s, p->tok.n);
	if (!w || grow(p->a, (void **)v, *n + 1, cap, sizeof(char *)))
		return oom(p);
	(*v)[(*n)++] = w;
	(*v)[*n] = NULL;
	next(p);
	return 0;
}

static int parse_if(struct parser *p, struct sh_cmd *c)
{
	unsigned cap = 0;
	c->kind = SH_CMD_IF;
	for (;;) { /* at the condition after `if` or `elif` */
		struct sh_list *cond = add_part(p, c, &cap);
		if (!cond || parse_body(p, cond) || expect(p, KW_THEN))
			return -1;
		struct sh_list *then = add_part(p, c, &cap);
		if (!then || parse_body(p, then))
			return -1;
		enum kw k = keyword(p);
		if (k == KW_ELIF) {
			next(p);
			continue;
		}
		if (k == KW_ELSE) {
			next(p);
			struct sh_list *els = add_part(p, c, &cap);
			if (!els || parse_body(p, els))
				return -1;
		}
		return expect(p, KW_FI);
	}
}

/* 'do' list 'done': a loop's body, the next of c's parts. */
static int parse_do_done(struct parser *p, struct sh_cmd *c, unsigned *cap)
{
	if (expect(p, KW_DO))
		return -1;
	struct sh_list *body = add_part(p, c, cap);
	if (!body || parse_body(p, body))
		return -1;
	return expect(p, KW_DONE);
}

static int parse_loop(struct parser *p, struct sh_cmd *c, enum sh_cmd_kind kind)
{
	unsigned cap = 0;
	c->kind = kind;
	struct sh_list *cond = add_part(p, c, &cap);
	if (!cond || parse_body(p, cond))
		return -1;
	return parse_do_done(p, c, &cap);
}

static int parse_for(struct parser *p, struct sh_cmd *c)
{
	unsigned cap = 0, cap_w = 0;
	c->kind = SH_CMD_FOR;
	if (p->tok.kind != T_WORD || !is_name(p->tok.s, p->tok.n)) {
		if (p->tok.kind == T_EOF)
			fail(p, SH_PARSE_INCOMPLETE, NULL);
		else
			fail(p, SH_PARSE_ERROR, "syntax error: for needs a variable name");
		return -1;
	}
	if (!(c->name = sh_arena_strndup(p->a, p->tok.s, p->tok.n)))
		return oom(p);
	next(p);
	skip_newlines(p);
	if (keyword(p) == KW_IN) {
		c->for_in = true;
		next(p);
		while (p->status == SH_PARSE_OK && p->tok.kind == T_WORD)
			if (add_word(p, &c->words, &c->nwords, &cap_w))
				return -1;
		if (p->tok.kind != T_SEMI && p->tok.kind != T_NEWLINE) {
			return unexpected(p);
		}
		next(p);
	} else if (p->tok.kind == T_SEMI) {
		next(p);
	}
	skip_newlines(p);
	return parse_do_done(p, c, &cap);
}

static int parse_case(struct parser *p, struct sh_cmd *c)
{
	unsigned cap_w = 0, cap_i = 0;
	c->kind = SH_CMD_CASE;
	if (p->tok.kind != T_WORD) {
		return unexpected(p);
	}
	if (add_word(p, &c->words, &c->nwords, &cap_w))
		return -1;
	skip_newlines(p);
	if (expect(p, KW_IN))
		return -1;
	for (;;) {
		skip_newlines(p);
		if (p->status != SH_PARSE_OK)
			return -1;
		if (keyword(p) == KW_ESAC) {
			next(p);
			return 0;
		}
		if (grow(p->a, (void **)&c->items, c->nitems, &cap_i, sizeof(struct sh_case_item)))
			return oom(p);
		struct sh_case_item *it = &c->items[c->nitems++];
		unsigned cap_p = 0;
		if (p->tok.kind == T_LPAREN)
			next(p);
		for (;;) {
			if (p->tok.kind != T_WORD) {
				return unexpected(p);
			}
			if (add_word(p, &it->pats, &it->npats, &cap_p))
				return -1;
			if (p->tok.kind != T_PIPE)
				break;
			next(p);
		}
		if (p->tok.kind != T_RPAREN) {
			return unexpected(p);
		}
		next(p);
		if (parse_list(p, &it->body, false))
			return -1;
		if (p->tok.kind == T_DSEMI) {
			next(p);
			continue;
		}
		if (keyword(p) != KW_ESAC) {
			fail_near(p, &p->tok);
			return -1;
		}
	}
}

/* Redirections after a compound command. */
static int parse_redirs(struct parser *p, struct sh_cmd *c, unsigned *cap_r);

static int parse_compound(struct parser *p, struct sh_cmd *c, enum kw k)
{
	unsigned cap = 0, cap_r = 0;
	int r;
	if (++p->depth > SH_MAX_NEST) {
		fail(p, SH_PARSE_ERROR, "syntax error: commands nested too deeply");
		return -1;
	}
	next(p); /* the opening word */
	switch (k) {
	case KW_IF:
		r = parse_if(p, c);
		break;
	case KW_WHILE:
	case KW_UNTIL:
		r = parse_loop(p, c, k == KW_WHILE ? SH_CMD_WHILE : SH_CMD_UNTIL);
		break;
	case KW_FOR:
		r = parse_for(p, c);
		break;
	case KW_CASE:
		r = parse_case(p, c);
		break;
	default: { /* '{' */
		c->kind = SH_CMD_GROUP;
		struct sh_list *l = add_part(p, c, &cap);
		r = !l || parse_body(p, l) || expect(p, KW_RBRACE) ? -1 : 0;
		break;
	}
	}
	p->depth--;
	if (r)
		return -1;
	if (parse_redirs(p, c, &cap_r))
		return -1;
	if (p->tok.kind == T_WORD || p->tok.kind == T_LPAREN) {
		fail_near(p, &p->tok);
		return -1;
	}
	return 0;
}

/* NAME ( ) newline* compound: the current token is '('. */
static int parse_func(struct parser *p, struct sh_cmd *c)
{
	c->kind = SH_CMD_FUNC;
	c->name = c->words[0];
	c->nwords = 0;
	c->words = NULL;
	next(p);
	if (p->tok.kind != T_RPAREN) {
		return unexpected(p);
	}
	next(p);
	need_more(p);
	if (p->status != SH_PARSE_OK)
		return -1;
	enum kw k = keyword(p);
	if (k != KW_LBRACE && k != KW_IF && k != KW_WHILE && k != KW_UNTIL && k != KW_FOR &&
	    k != KW_CASE) {
		fail(p, SH_PARSE_ERROR, "syntax error: a function's body is a compound command");
		return -1;
	}
	size_t start = (size_t)(p->tok.s - p->src);
	struct sh_cmd body = {0};
	if (parse_compound(p, &body, k))
		return -1;
	if (!(c->body = sh_arena_strndup(p->a, p->src + start, p->prev_end - start)))
		return oom(p);
	return 0;
}

/* One redirection: the current token is T_REDIR. */
static int parse_redir(struct parser *p, struct sh_cmd *c, unsigned *cap_r)
{
	struct sh_redir r = {.kind = p->tok.rkind, .fd = p->tok.fd};
	struct tok op = p->tok;
	next(p);
	if (p->status != SH_PARSE_OK)
		return -1;
	if (p->tok.kind != T_WORD) {
		fail_near(p, p->tok.kind == T_EOF || p->tok.kind == T_NEWLINE ? &p->tok : &op);
		return -1;
	}
	if (r.kind == SH_R_DUP) {
		const char *s = p->tok.s;
		if (p->tok.n != 1 || s[0] < '0' || s[0] > '9') {
			fail(p, SH_PARSE_ERROR, "syntax error: >& and <& take one digit");
			return -1;
		}
		r.dup_fd = s[0] - '0';
	} else if (!(r.word = sh_arena_strndup(p->a, p->tok.s, p->tok.n))) {
		return oom(p);
	}
	if (r.fd > 9) {
		fail(p, SH_PARSE_ERROR, "syntax error: descriptors are 0 to 9");
		return -1;
	}
	if (c->nassign + c->nwords + c->nredirs >= SH_MAX_WORDS) {
		fail(p, SH_PARSE_ERROR, "too many words in a command");
		return -1;
	}
	if (grow(p->a, (void **)&c->redirs, c->nredirs, cap_r, sizeof(r)))
		return oom(p);
	c->redirs[c->nredirs++] = r;
	next(p);
	return 0;
}

static int parse_redirs(struct parser *p, struct sh_cmd *c, unsigned *cap_r)
{
	while (p->status == SH_PARSE_OK && p->tok.kind == T_REDIR)
		if (parse_redir(p, c, cap_r))
			return -1;
	return p->status == SH_PARSE_OK ? 0 : -1;
}

static int parse_cmd(struct parser *p, struct sh_cmd *c)
{
	unsigned cap_a = 0, cap_w = 0, cap_r = 0;
	enum kw k = keyword(p);
	if (k == KW_IF || k == KW_WHILE || k == KW_UNTIL || k == KW_FOR || k == KW_CASE ||
	    k == KW_LBRACE)
		return parse_compound(p, c, k);
	if (k != KW_NONE && k != KW_IN) { /* a closing word, or '!' out of place */
		fail_near(p, &p->tok);
		return -1;
	}
	while (p->status == SH_PARSE_OK) {
		struct tok *t = &p->tok;
		if (t->kind == T_WORD) {
			if (c->nassign + c->nwords + c->nredirs >= SH_MAX_WORDS) {
				fail(p, SH_PARSE_ERROR, "too many words in a command");
				return -1;
			}
			if (c->nwords == 0 && sh_is_assignment(t->s, t->n, NULL)) {
				char *w = sh_arena_strndup(p->a, t->s, t->n);
				if (!w || grow(p->a, (void **)&c->assign, c->nassign, &cap_a,
				               sizeof(char *)))
					return oom(p);
				c->assign[c->nassign++] = w;
				next(p);
			} else if (add_word(p, &c->words, &c->nwords, &cap_w)) {
				return -1;
			}
		} else if (t->kind == T_REDIR) {
			if (parse_redir(p, c, &cap_r))
				return -1;
		} else if (t->kind == T_LPAREN && c->nwords == 1 && c->nassign == 0 &&
		           c->nredirs == 0 && is_name(c->words[0], strlen(c->words[0]))) {
			return parse_func(p, c);
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
}

static int parse_pipeline(struct parser *p, struct sh_pipeline *pl)
{
	unsigned cap = 0;
	if (keyword(p) == KW_BANG) {
		pl->negate = true;
		next(p);
	}
	for (;;) {
		if (pl->ncmds >= SH_MAX_CMDS) {
			fail(p, SH_PARSE_ERROR, "too many commands in a pipeline");
			return -1;
		}
		if (grow(p->a, (void **)&pl->cmds, pl->ncmds, &cap, sizeof(struct sh_cmd)))
			return oom(p);
		if (p->tok.kind == T_EOF && p->status == SH_PARSE_OK && pl->negate) {
			fail(p, SH_PARSE_INCOMPLETE, NULL);
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
		    grow(p->a, (void **)&ao->ops, ao->npipes, &cap_ops, sizeof(enum sh_andor_op)))
			return oom(p);
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

/*
 * Items until the end of input (top) or a word, ';;' or ')' that closes the
 * construct being parsed (left as the current token). Inside a construct the
 * end of input means more is needed.
 */
static int parse_list(struct parser *p, struct sh_list *l, bool top)
{
	unsigned cap = 0;
	for (;;) {
		while (p->status == SH_PARSE_OK &&
		       (p->tok.kind == T_NEWLINE || p->tok.kind == T_SEMI)) {
			if (p->tok.kind == T_SEMI && l->n == 0) {
				fail_near(p, &p->tok);
				break;
			}
			next(p);
		}
		if (p->status != SH_PARSE_OK)
			return -1;
		if (p->tok.kind == T_EOF) {
			if (top)
				return 0;
			fail(p, SH_PARSE_INCOMPLETE, NULL);
			return -1;
		}
		if (ends_list(p)) {
			if (!top)
				return 0;
			fail_near(p, &p->tok);
			return -1;
		}
		if (grow(p->a, (void **)&l->items, l->n, &cap, sizeof(struct sh_andor)))
			return oom(p);
		struct sh_andor *ao = &l->items[l->n];
		if (parse_andor(p, ao))
			return -1;
		l->n++;
		if (p->tok.kind == T_AMP) {
			ao->background = true;
			next(p);
		} else if (p->tok.kind == T_SEMI || p->tok.kind == T_NEWLINE) {
			next(p);
			if (p->status == SH_PARSE_OK && p->tok.kind == T_SEMI) {
				fail_near(p, &p->tok);
				return -1;
			}
		} else if (p->tok.kind != T_EOF && !ends_list(p)) {
			fail_near(p, &p->tok);
			return -1;
		}
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
	next(&p);
	parse_list(&p, &r->list, true);
	return p.status;
}
