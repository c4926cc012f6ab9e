/*
 * parse.h - the shell's lexer and parser (pure: built on the host too).
 *
 * sh_parse() turns source text into a list of and-or lists of pipelines of
 * commands, simple or compound (docs/shell.md "Syntax", "Control flow"). Words
 * are kept as they were written, quotes and all: expansion (expand.h) removes
 * the quoting once it knows the variables. Everything is allocated in one arena
 * the caller frees with sh_arena_free(), so a syntax error in the middle leaks
 * nothing. A function definition keeps its body as source text, which the
 * shell copies and parses again at each call (its arena outlives this one).
 *
 * Grammar:
 *   list     := andor ( (';' | '&' | newline) andor )* [';' | '&']
 *   andor    := pipeline ( ('&&' | '||') newline* pipeline )*
 *   pipeline := ['!'] cmd ( '|' newline* cmd )*
 *   cmd      := simple | compound redirection* | NAME '(' ')' newline* compound
 *   simple   := ( NAME=value )* ( word | redirection )+
 *   compound := '{' list '}'  |  '(' list ')'
 *             | 'if' list 'then' list ( 'elif' list 'then' list )* [ 'else' list ] 'fi'
 *             | ( 'while' | 'until' ) list 'do' list 'done'
 *             | 'for' NAME [ newline* 'in' word* ] (';' | newline) newline* 'do' list 'done'
 *             | 'case' word newline* 'in' ( newline* ['('] word ('|' word)* ')' [list] ';;' )*
 *               newline* 'esac'    (the last item's ';;' may be left out)
 *   redirection := [n] ( '>' | '>>' | '<' ) word  |  [n] ( '>&' | '<&' ) digit
 *               |  [n] ( '<<' | '<<-' ) word     (a here-document: its body is the
 *                  lines after the current one up to a line that is word, unquoted;
 *                  '<<-' strips their leading tabs; the lexer skips them)
 *               |  [n] '<<<' word                (a here-string)
 * Reserved words count only where a command starts. '#' at the start of a
 * word comments out the rest of the line. A word may hold $(...), `...` and
 * $((...)), scanned to their ends here and run by the expansion.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SH_PARSE_OK 0
#define SH_PARSE_INCOMPLETE 1 /* more input would complete it (open quote, trailing '|') */
#define SH_PARSE_ERROR 2 /* a syntax error; sh_parse_error() has the message */

#define SH_MAX_WORDS 256 /* words and redirections per command */
#define SH_MAX_CMDS 64 /* commands per pipeline */
#define SH_MAX_NEST 32 /* compound commands and $(...) inside each other */

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
	SH_R_HEREDOC, /* n<<word, n<<-word: the lines up to word are fd n's input */
	SH_R_HERESTRING, /* n<<<word: word, expanded, and a newline are fd n's input */
};

struct sh_redir {
	enum sh_redir_kind kind;
	int fd; /* the descriptor redirected */
	int dup_fd; /* SH_R_DUP: the one copied */
	char *word; /* the target or here-string, raw; SH_R_HEREDOC: the body's text */
	bool literal; /* SH_R_HEREDOC: the delimiter was quoted, the body is not expanded */
};

struct sh_list {
	unsigned n;
	struct sh_andor *items;
};

enum sh_cmd_kind {
	SH_CMD_SIMPLE,
	SH_CMD_GROUP, /* { list; }: parts[0] */
	SH_CMD_IF, /* parts: cond, then, [cond, then]..., [else] (an odd count has an else) */
	SH_CMD_WHILE, /* parts[0] the condition, parts[1] the body */
	SH_CMD_UNTIL,
	SH_CMD_FOR, /* name, words (the list after `in`), parts[0] the body */
	SH_CMD_CASE, /* words[0] the subject, items */
	SH_CMD_FUNC, /* name, body: the source text of the compound command */
	SH_CMD_SUBSHELL, /* ( list ): parts[0], run with the shell's state saved and restored */
};

struct sh_case_item {
	unsigned npats;
	char **pats; /* raw patterns */
	struct sh_list body;
};

struct sh_cmd {
	enum sh_cmd_kind kind;
	unsigned nassign, nwords, nredirs;
	char **assign; /* raw "NAME=value" words before the command */
	char **words; /* raw words; words[0] is the command (see kind) */
	struct sh_redir *redirs; /* in the order written (after a compound command's end) */
	unsigned nparts, nitems;
	struct sh_list *parts; /* a compound command's lists (see kind) */
	struct sh_case_item *items; /* SH_CMD_CASE */
	bool for_in; /* SH_CMD_FOR: `in` was written (without it: "$@") */
	char *name; /* SH_CMD_FOR: the variable; SH_CMD_FUNC: the function */
	char *body; /* SH_CMD_FUNC */
};

struct sh_pipeline {
	bool negate; /* '!': the status is inverted */
	unsigned ncmds;
	struct sh_cmd *cmds;
};

enum sh_andor_op { SH_OP_SEQ, SH_OP_AND, SH_OP_OR }; /* how a pipeline joins the one before */

struct sh_andor {
	unsigned npipes;
	struct sh_pipeline *pipes;
	enum sh_andor_op *ops; /* ops[i] joins pipes[i] to pipes[i - 1]; ops[0] unused */
	bool background; /* ended by '&' */
	/* background: its source text, for a new shell to run when it is more than one
	 * pipeline of programs; the bodies of here-documents begun on its line come
	 * after its first src_cmd bytes (the command as written), on lines of their own */
	char *src;
	size_t src_cmd;
};

struct sh_parse_result {
	struct sh_list list;
	char error[96]; /* SH_PARSE_ERROR: "syntax error near '|'" */
};

/* Parse len bytes of src into r (allocated in a); SH_PARSE_*. */
int sh_parse(struct sh_arena *a, const char *src, size_t len, struct sh_parse_result *r);

/*
 * The end of the parenthesised text starting at s[i] == '(' (the index after its
 * ')'), through quotes and nesting: 0 if len ends first, (size_t)-1 if it is
 * nested more than SH_MAX_NEST deep. What $(...) and $((...)) are scanned with.
 */
size_t sh_scan_paren(const char *s, size_t len, size_t i);
/* The end of `...` starting at s[i] == '`' (after the closing one); 0 if len ends first. */
size_t sh_scan_backquote(const char *s, size_t len, size_t i);

/* True if s (n bytes) is NAME=... with a valid NAME; *eq gets the '=' offset. */
bool sh_is_assignment(const char *s, size_t n, size_t *eq);
/* True if c may be in a variable name (letter, digit, '_'); first: not a digit. */
bool sh_name_char(char c, bool first);
