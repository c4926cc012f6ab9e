/*
 * lex.c - the shell's lexer (lex.h), for parse.c.
 *
 * Tokens are read one at a time from text whose line continuations are gone:
 * operators, redirections (with their optional descriptor number) and words.
 * A word is scanned to its end through quotes, ${...}, $(...) and `...` but
 * kept raw; $(...) scanning recurses into quotes and nested substitutions at
 * most SH_MAX_NEST deep. Reserved words are words the parser asks about
 * where a command starts (sh_lex_keyword).
 */
#include "lex.h"

#include <stdio.h>
#include <string.h>

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

/* ---- lexer ---- */

static bool is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' ||
	       c == '>' || c == '(' || c == ')';
}

void sh_lex_fail(struct parser *p, int status, const char *what)
{
	if (p->status != SH_PARSE_OK)
		return;
	p->status = status;
	if (status == SH_PARSE_ERROR)
		snprintf(p->error, 96, "%s", what);
}

void sh_lex_fail_near(struct parser *p, const struct tok *t)
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
	sh_lex_fail(p, SH_PARSE_ERROR, msg);
}

/* A scan's end e: 0 means more input would end it, SCAN_DEEP is an error. */
static size_t scanned(struct parser *p, size_t e)
{
	if (e == 0)
		sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
	else if (e == SCAN_DEEP)
		sh_lex_fail(p, SH_PARSE_ERROR, "syntax error: $(...) nested too deeply");
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
				sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
				return 0;
			}
			i += 2;
		} else if (c == '\'') {
			const char *q = memchr(s + i + 1, '\'', p->len - i - 1);
			if (!q) {
				sh_lex_fail(p, SH_PARSE_INCOMPLETE, NULL);
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
				sh_lex_fail(p, SH_PARSE_ERROR, "missing '}'");
				return 0;
			}
			i = (size_t)(q - s) + 1;
		} else {
			i++;
		}
	}
	return i;
}

void sh_lex_next(struct parser *p)
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
		} else if (!out && j + 1 < p->len && s[j] == '<' && s[j + 1] == '<') {
			t->rkind = SH_R_HERESTRING;
			j += 2;
		} else if (!out && j < p->len && s[j] == '<') {
			t->rkind = SH_R_HEREDOC;
			j++;
			if (j < p->len && s[j] == '-') {
				t->strip = true;
				j++;
			}
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
		if (p->heredoc && i == p->hd_nl) { /* the here-documents' lines follow */
			p->pos = p->hd_resume;
			p->heredoc = false;
		}
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

static const char *const kw_names[] = {
    [KW_IF] = "if", [KW_THEN] = "then",   [KW_ELIF] = "elif",   [KW_ELSE] = "else",
    [KW_FI] = "fi", [KW_WHILE] = "while", [KW_UNTIL] = "until", [KW_FOR] = "for",
    [KW_DO] = "do", [KW_DONE] = "done",   [KW_CASE] = "case",   [KW_ESAC] = "esac",
    [KW_IN] = "in", [KW_LBRACE] = "{",    [KW_RBRACE] = "}",    [KW_BANG] = "!",
};

/* The reserved word the current token is (where a command starts), or KW_NONE. */
enum kw sh_lex_keyword(const struct parser *p)
{
	if (p->tok.kind != T_WORD)
		return KW_NONE;
	for (unsigned k = 1; k < sizeof(kw_names) / sizeof(*kw_names); k++)
		if (strlen(kw_names[k]) == p->tok.n && memcmp(kw_names[k], p->tok.s, p->tok.n) == 0)
			return (enum kw)k;
	return KW_NONE;
}

/* Does the current token end a list (a closing word, ';;' or ')')? */
