/*
 * parse.c - the shell's recursive-descent parser (parse.h).
 *
 * A pre-pass removes line continuations (backslash-newline outside single
 * quotes), then the lexer (lex.c) hands over tokens one at a time. Reserved
 * words are words the parser recognises where a command starts. Each
 * construct is built in a small growable array in the arena; nothing is freed
 * until sh_arena_free(). Compound commands recurse (parse_cmd -> parse_compound ->
 * parse_list), at most SH_MAX_NEST deep, so hostile nesting is an error and
 * not a stack overflow.
 */
#include "parse.h"
#include "lex.h"

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

static bool is_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!sh_name_char(s[i], i == 0))
			return false;
	return n > 0;
}

static bool ends_list(const struct parser *p)
{
	switch (sh_lex_keyword(p)) {
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
		sh_lex_next(p);
}

/* After an operator that needs more: end of input means the command continues. */
static void need_more(struct parser *p)
{
	skip_newlines(p);
	if (p->status == SH_PARSE_OK && p->tok.kind == T_EOF)
		sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
}

/* The current token cannot be here: more input may be needed (at its end), or it is an error. */
static int unexpected(struct parser *p)
{
	if (p->tok.kind == T_EOF)
		sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
	else
		sh_lex_fail_near(p, &p->tok);
	return -1;
}

static int oom(struct parser *p)
{
	sh_lex_fail(p, SH_PARSE_ERROR, "out of memory");
	return -1;
}

/* The current token must be reserved word k; it is consumed. */
static int expect(struct parser *p, enum kw k)
{
	if (p->status != SH_PARSE_OK)
		return -1;
	if (sh_lex_keyword(p) != k) {
		return unexpected(p);
	}
	sh_lex_next(p);
	return 0;
}

/* A list that must not be empty, ended by one of the closing words. */
static int parse_body(struct parser *p, struct sh_list *l)
{
	if (parse_list(p, l, false))
		return -1;
	if (l->n == 0) {
		sh_lex_fail_near(p, &p->tok);
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
		sh_lex_fail(p, SH_PARSE_ERROR, "too many words in a command");
		return -1;
	}
	char *w = sh_arena_strndup(p->a, p->tok.s, p->tok.n);
	if (!w || grow(p->a, (void **)v, *n + 1, cap, sizeof(char *)))
		return oom(p);
	(*v)[(*n)++] = w;
	(*v)[*n] = NULL;
	sh_lex_next(p);
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
		enum kw k = sh_lex_keyword(p);
		if (k == KW_ELIF) {
			sh_lex_next(p);
			continue;
		}
		if (k == KW_ELSE) {
			sh_lex_next(p);
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
			sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
		else
			sh_lex_fail(p, SH_PARSE_ERROR, "syntax error: for needs a variable name");
		return -1;
	}
	if (!(c->name = sh_arena_strndup(p->a, p->tok.s, p->tok.n)))
		return oom(p);
	sh_lex_next(p);
	skip_newlines(p);
	if (sh_lex_keyword(p) == KW_IN) {
		c->for_in = true;
		sh_lex_next(p);
		while (p->status == SH_PARSE_OK && p->tok.kind == T_WORD)
			if (add_word(p, &c->words, &c->nwords, &cap_w))
				return -1;
		if (p->tok.kind != T_SEMI && p->tok.kind != T_NEWLINE) {
			return unexpected(p);
		}
		sh_lex_next(p);
	} else if (p->tok.kind == T_SEMI) {
		sh_lex_next(p);
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
		if (sh_lex_keyword(p) == KW_ESAC) {
			sh_lex_next(p);
			return 0;
		}
		if (grow(p->a, (void **)&c->items, c->nitems, &cap_i, sizeof(struct sh_case_item)))
			return oom(p);
		struct sh_case_item *it = &c->items[c->nitems++];
		unsigned cap_p = 0;
		if (p->tok.kind == T_LPAREN)
			sh_lex_next(p);
		for (;;) {
			if (p->tok.kind != T_WORD) {
				return unexpected(p);
			}
			if (add_word(p, &it->pats, &it->npats, &cap_p))
				return -1;
			if (p->tok.kind != T_PIPE)
				break;
			sh_lex_next(p);
		}
		if (p->tok.kind != T_RPAREN) {
			return unexpected(p);
		}
		sh_lex_next(p);
		if (parse_list(p, &it->body, false))
			return -1;
		if (p->tok.kind == T_DSEMI) {
			sh_lex_next(p);
			continue;
		}
		if (sh_lex_keyword(p) != KW_ESAC) {
			sh_lex_fail_near(p, &p->tok);
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
		sh_lex_fail(p, SH_PARSE_ERROR, "syntax error: commands nested too deeply");
		return -1;
	}
	sh_lex_next(p); /* the opening word */
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
	case KW_NONE: { /* '(' */
		c->kind = SH_CMD_SUBSHELL;
		struct sh_list *l = add_part(p, c, &cap);
		if (!l || parse_body(p, l)) {
			r = -1;
		} else if (p->tok.kind != T_RPAREN) {
			r = unexpected(p);
		} else {
			sh_lex_next(p);
			r = 0;
		}
		break;
	}
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
		sh_lex_fail_near(p, &p->tok);
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
	sh_lex_next(p);
	if (p->tok.kind != T_RPAREN) {
		return unexpected(p);
	}
	sh_lex_next(p);
	need_more(p);
	if (p->status != SH_PARSE_OK)
		return -1;
	enum kw k = sh_lex_keyword(p);
	if (k != KW_LBRACE && k != KW_IF && k != KW_WHILE && k != KW_UNTIL && k != KW_FOR &&
	    k != KW_CASE) {
		sh_lex_fail(p, SH_PARSE_ERROR,
		            "syntax error: a function's body is a compound command");
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

/*
 * A here-document's body: the current token is its delimiter word. The body is
 * the lines after the newline ending this line (or after the here-documents
 * already read for it) up to a line that is the delimiter with its quoting
 * removed; the lexer skips them when it reaches that newline.
 */
static int parse_heredoc(struct parser *p, struct sh_redir *r, bool strip)
{
	char delim[256];
	size_t dn = 0;
	const char *w = p->tok.s;
	for (size_t i = 0; i < p->tok.n; i++) {
		if (w[i] == '\\' || w[i] == '\'' || w[i] == '"') {
			r->literal = true;
			if (w[i] != '\\' || i + 1 >= p->tok.n)
				continue;
			i++;
		}
		if (dn + 1 >= sizeof(delim)) {
			sh_lex_fail(p, SH_PARSE_ERROR,
			            "syntax error: here-document delimiter too long");
			return -1;
		}
		delim[dn++] = w[i];
	}
	size_t start;
	if (p->heredoc) {
		start = p->hd_resume;
	} else {
		const char *nl = memchr(p->src + p->pos, '\n', p->len - p->pos);
		if (!nl) { /* the body comes with the next lines */
			sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
			return -1;
		}
		p->hd_nl = (size_t)(nl - p->src);
		start = p->hd_nl + 1;
	}
	char *body = sh_arena_alloc(p->a, p->len - start + 1);
	if (!body)
		return oom(p);
	size_t bn = 0, i = start;
	for (;;) {
		if (i >= p->len) { /* no delimiter line yet */
			sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
			return -1;
		}
		if (strip)
			while (i < p->len && p->src[i] == '\t')
				i++;
		const char *nl = memchr(p->src + i, '\n', p->len - i);
		size_t end = nl ? (size_t)(nl - p->src) : p->len;
		if (end - i == dn && memcmp(p->src + i, delim, dn) == 0) {
			i = nl ? end + 1 : end;
			break;
		}
		if (!nl) { /* an unfinished last line: more may come */
			sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
			return -1;
		}
		memcpy(body + bn, p->src + i, end + 1 - i);
		bn += end + 1 - i;
		i = end + 1;
	}
	body[bn] = 0;
	r->word = body;
	p->heredoc = true;
	p->hd_resume = i;
	return 0;
}

/* One redirection: the current token is T_REDIR. */
static int parse_redir(struct parser *p, struct sh_cmd *c, unsigned *cap_r)
{
	struct sh_redir r = {.kind = p->tok.rkind, .fd = p->tok.fd};
	struct tok op = p->tok;
	sh_lex_next(p);
	if (p->status != SH_PARSE_OK)
		return -1;
	if (p->tok.kind != T_WORD) {
		sh_lex_fail_near(p,
		                 p->tok.kind == T_EOF || p->tok.kind == T_NEWLINE ? &p->tok : &op);
		return -1;
	}
	if (r.kind == SH_R_DUP) {
		const char *s = p->tok.s;
		if (p->tok.n != 1 || s[0] < '0' || s[0] > '9') {
			sh_lex_fail(p, SH_PARSE_ERROR, "syntax error: >& and <& take one digit");
			return -1;
		}
		r.dup_fd = s[0] - '0';
	} else if (r.kind == SH_R_HEREDOC) {
		if (parse_heredoc(p, &r, op.strip))
			return -1;
	} else if (!(r.word = sh_arena_strndup(p->a, p->tok.s, p->tok.n))) {
		return oom(p);
	}
	if (r.fd > 9) {
		sh_lex_fail(p, SH_PARSE_ERROR, "syntax error: descriptors are 0 to 9");
		return -1;
	}
	if (c->nassign + c->nwords + c->nredirs >= SH_MAX_WORDS) {
		sh_lex_fail(p, SH_PARSE_ERROR, "too many words in a command");
		return -1;
	}
	if (grow(p->a, (void **)&c->redirs, c->nredirs, cap_r, sizeof(r)))
		return oom(p);
	c->redirs[c->nredirs++] = r;
	sh_lex_next(p);
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
	enum kw k = sh_lex_keyword(p);
	if (k == KW_IF || k == KW_WHILE || k == KW_UNTIL || k == KW_FOR || k == KW_CASE ||
	    k == KW_LBRACE)
		return parse_compound(p, c, k);
	if (p->tok.kind == T_LPAREN) /* ( list ): a subshell */
		return parse_compound(p, c, KW_NONE);
	if (k != KW_NONE && k != KW_IN) { /* a closing word, or '!' out of place */
		sh_lex_fail_near(p, &p->tok);
		return -1;
	}
	while (p->status == SH_PARSE_OK) {
		struct tok *t = &p->tok;
		if (t->kind == T_WORD) {
			if (c->nassign + c->nwords + c->nredirs >= SH_MAX_WORDS) {
				sh_lex_fail(p, SH_PARSE_ERROR, "too many words in a command");
				return -1;
			}
			if (c->nwords == 0 && sh_is_assignment(t->s, t->n, NULL)) {
				char *w = sh_arena_strndup(p->a, t->s, t->n);
				if (!w || grow(p->a, (void **)&c->assign, c->nassign, &cap_a,
				               sizeof(char *)))
					return oom(p);
				c->assign[c->nassign++] = w;
				sh_lex_next(p);
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
		sh_lex_fail_near(p, &p->tok);
		return -1;
	}
	return 0;
}

static int parse_pipeline(struct parser *p, struct sh_pipeline *pl)
{
	unsigned cap = 0;
	if (sh_lex_keyword(p) == KW_BANG) {
		pl->negate = true;
		sh_lex_next(p);
	}
	for (;;) {
		if (pl->ncmds >= SH_MAX_CMDS) {
			sh_lex_fail(p, SH_PARSE_ERROR, "too many commands in a pipeline");
			return -1;
		}
		if (grow(p->a, (void **)&pl->cmds, pl->ncmds, &cap, sizeof(struct sh_cmd)))
			return oom(p);
		if (p->tok.kind == T_EOF && p->status == SH_PARSE_OK && pl->negate) {
			sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
			return -1;
		}
		if (parse_cmd(p, &pl->cmds[pl->ncmds]))
			return -1;
		pl->ncmds++;
		if (p->tok.kind != T_PIPE)
			return 0;
		sh_lex_next(p);
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
		sh_lex_next(p);
		need_more(p);
	}
}

/*
 * A background and-or list's text, from start to the '&', for a new shell to
 * run. A here-document begun on its line has its body after the '&', among the
 * lines the lexer skips at the newline: the bodies from body_from on (this
 * list's, not those of the lists before it on the line) are put after the text.
 */
static int background_src(struct parser *p, struct sh_andor *ao, size_t start, size_t body_from)
{
	size_t n = p->prev_end - start;
	size_t bodies = p->heredoc ? p->hd_resume - body_from : 0;
	if (!(ao->src = sh_arena_alloc(p->a, n + 1 + bodies + 1)))
		return -1;
	memcpy(ao->src, p->src + start, n);
	ao->src_cmd = n;
	if (bodies) {
		ao->src[n] = '\n';
		memcpy(ao->src + n + 1, p->src + body_from, bodies);
	}
	return 0;
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
				sh_lex_fail_near(p, &p->tok);
				break;
			}
			sh_lex_next(p);
		}
		if (p->status != SH_PARSE_OK)
			return -1;
		if (p->tok.kind == T_EOF) {
			if (top)
				return 0;
			sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
			return -1;
		}
		if (ends_list(p)) {
			if (!top)
				return 0;
			sh_lex_fail_near(p, &p->tok);
			return -1;
		}
		if (grow(p->a, (void **)&l->items, l->n, &cap, sizeof(struct sh_andor)))
			return oom(p);
		struct sh_andor *ao = &l->items[l->n];
		size_t start = (size_t)(p->tok.s - p->src);
		/* where the bodies of its line's here-documents will begin */
		bool hd_before = p->heredoc;
		size_t hd_from = p->hd_resume;
		if (parse_andor(p, ao))
			return -1;
		l->n++;
		if (p->tok.kind == T_AMP) {
			ao->background = true;
			if (background_src(p, ao, start, hd_before ? hd_from : p->hd_nl + 1))
				return oom(p);
			sh_lex_next(p);
		} else if (p->tok.kind == T_SEMI || p->tok.kind == T_NEWLINE) {
			sh_lex_next(p);
			if (p->status == SH_PARSE_OK && p->tok.kind == T_SEMI) {
				sh_lex_fail_near(p, &p->tok);
				return -1;
			}
		} else if (p->tok.kind != T_EOF && !ends_list(p)) {
			sh_lex_fail_near(p, &p->tok);
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
	sh_lex_next(&p);
	parse_list(&p, &r->list, true);
	return p.status;
}
