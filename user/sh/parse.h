/*
 * parse.h - the shell's lexer and parser (pure: built on the host too).
 *
 * sh_parse() turns source text into a list of and-or lists of pipelines of
 * simple commands (docs/shell.md "Syntax"). Words are kept as they were
 * written, quotes and all: expansion (expand.h) removes the quoting once it
 * knows the variables. Everything is allocated in one arena the caller frees
 * with sh_arena_free(), so a syntax error in the middle leaks nothing.
 *
 * Grammar:
 *   list     := andor ( (';' | '&' | newline) andor )* [';' | '&']
 *   andor    := pipeline ( ('&&' | '||') newline* pipeline )*
 *   pipeline := cmd ( '|' newline* cmd )*
 *   cmd      := ( NAME=value )* ( word | redirection )+
 *   redirection := [n] ( '>' | '>>' | '<' ) word  |  [n] ( '>&' | '<&' ) digit
 * '#' at the start of a word comments out the rest of the line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SH_PARSE_OK 0
#define SH_PARSE_INCOMPLETE 1 /* more input would complete it (open quote, trailing '|') */
#define SH_PARSE_ERROR 2 /* a syntax error; sh_parse_error() has the message */

#define SH_MAX_WORDS 256 /* words and redirections per command */
#define SH_MAX_CMDS 64 /* commands per pipeline */

/* Bump allocator: blocks on a list, all freed at once. */
struct sh_arena {
	struct sh_arena_block *head;
};
void *sh_arena_alloc(struct sh_arena *a, size_t n); /* zeroed; NULL when out of memory */
char *sh_arena_strndup(struct sh_arena *a, const char *s, size_t n);
void sh_arena_free(struct sh_arena *a);

enum sh_redir_kind {
	SH_R_IN, /* n<word   (n = 0) */
	SH_R_OUT, /* n>word  (n = 1) */
	SH_R_APPEND, /* n>>word */
	SH_R_DUP, /* n>&m, n<&m: fd n becomes a copy of fd m */
};

struct sh_redir {
	enum sh_redir_kind kind;
	int fd; /* the descriptor redirected */
	int dup_fd; /* SH_R_DUP: the one copied */
	char *word; /* the target, raw (SH_R_IN/OUT/APPEND) */
};

struct sh_cmd {
	unsigned nassign, nwords, nredirs;
	char **assign; /* raw "NAME=value" words before the command */
	char **words; /* raw words; words[0] is the command */
	struct sh_redir *redirs; /* in the order written */
};

struct sh_pipeline {
	unsigned ncmds;
	struct sh_cmd *cmds;
};

enum sh_andor_op { SH_OP_SEQ, SH_OP_AND, SH_OP_OR }; /* how a pipeline joins the one before */

struct sh_andor {
	unsigned npipes;
	struct sh_pipeline *pipes;
	enum sh_andor_op *ops; /* ops[i] joins pipes[i] to pipes[i - 1]; ops[0] unused */
	bool background; /* ended by '&' */
};

struct sh_list {
	unsigned n;
	struct sh_andor *items;
};

struct sh_parse_result {
	struct sh_list list;
	char error[96]; /* SH_PARSE_ERROR: "syntax error near '|'" */
};

/* Parse len bytes of src into r (allocated in a); SH_PARSE_*. */
int sh_parse(struct sh_arena *a, const char *src, size_t len, struct sh_parse_result *r);

/* True if s (n bytes) is NAME=... with a valid NAME; *eq gets the '=' offset. */
bool sh_is_assignment(const char *s, size_t n, size_t *eq);
/* True if c may be in a variable name (letter, digit, '_'); first: not a digit. */
bool sh_name_char(char c, bool first);
