/*
 * lex.h - the shell parser's lexer (lex.c), private to parse.c: tokens,
 * reserved words and the parser state they share. Pure: built on the host too.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

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
	bool strip; /* T_REDIR SH_R_HEREDOC: '<<-' */
};

struct parser {
	struct sh_arena *a;
	const char *src;
	size_t len, pos;
	size_t prev_end; /* where the token before the current one ended */
	struct tok tok; /* the current token */
	unsigned depth; /* compound commands open */
	bool heredoc; /* here-documents were read after the line's newline at hd_nl: */
	size_t hd_nl, hd_resume; /* the lexer goes on at hd_resume after it */
	int status; /* SH_PARSE_* */
	char *error;
};

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

/* Read the next token into p->tok (p->prev_end: where the last one ended). */
void sh_lex_next(struct parser *p);
/* The reserved word the current token is (where a command starts), or KW_NONE. */
enum kw sh_lex_keyword(const struct parser *p);
/* Set p's status (the first failure wins); what: an error's message. */
void sh_lex_fail(struct parser *p, int status, const char *what);
/* A syntax error "near" token t. */
void sh_lex_fail_near(struct parser *p, const struct tok *t);
