/*
 * test_sh.c - host tests for the shell's pure parts (user/sh): the parser
 * (operators, redirections, quoting, incomplete input, syntax errors), word
 * expansion (variables, quoting edge cases, splitting, tilde, defaults),
 * patterns, the line editor (keys, kill and yank, history browsing, Ctrl-R,
 * escape sequences, rendering, wide characters and combining marks), the column
 * widths (user/lib/charlotte/wcwidth.c, against glibc's), the history and completion; control flow:
 * compound commands, functions, $(...), arithmetic and `test`. Random-input
 * loops check the parser and expander never crash or leak (ASan) on garbage,
 * of bytes and of the shell's own words.
 */
#define _GNU_SOURCE /* wcwidth(), to compare with */
#include "complete.h"
#include "helpopts.h"
#include "edit.h"
#include "expand.h"
#include "hist.h"
#include "parse.h"
#include "printfmt.h"
#include "testcmd.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include <charlotte/wcwidth.h>

#include "../../user/console/vt.h" /* the console's emulator: where it puts the cursor */

static int parse(const char *s, struct sh_arena *a, struct sh_parse_result *r)
{
	*a = (struct sh_arena){0};
	return sh_parse(a, s, strlen(s), r);
}

static void test_parse_simple(void **state)
{
	(void)state;
	struct sh_arena a;
	struct sh_parse_result r;
	assert_int_equal(parse("echo hello   world # comment", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.n, 1);
	struct sh_cmd *c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->nwords, 3);
	assert_string_equal(c->words[0], "echo");
	assert_string_equal(c->words[2], "world");
	assert_null(c->words[3]);
	sh_arena_free(&a);

	assert_int_equal(parse("a | b | c && d || e; f & g\nh", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.n, 4);
	struct sh_andor *ao = &r.list.items[0];
	assert_int_equal(ao->npipes, 3);
	assert_int_equal(ao->pipes[0].ncmds, 3);
	assert_int_equal(ao->ops[1], SH_OP_AND);
	assert_int_equal(ao->ops[2], SH_OP_OR);
	assert_false(ao->background);
	assert_true(r.list.items[1].background);
	assert_string_equal(r.list.items[1].pipes[0].cmds[0].words[0], "f");
	assert_false(r.list.items[2].background);
	assert_string_equal(r.list.items[3].pipes[0].cmds[0].words[0], "h");
	sh_arena_free(&a);

	assert_int_equal(parse("", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.n, 0);
	sh_arena_free(&a);
	assert_int_equal(parse("  # only a comment\n\n", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.n, 0);
	sh_arena_free(&a);
	assert_int_equal(parse("a#b", &a, &r),
	                 SH_PARSE_OK); /* '#' inside a word is not a comment */
	assert_string_equal(r.list.items[0].pipes[0].cmds[0].words[0], "a#b");
	sh_arena_free(&a);
}

static void test_parse_redirs(void **state)
{
	(void)state;
	struct sh_arena a;
	struct sh_parse_result r;
	assert_int_equal(parse("X=1 Y=2 cmd <in >out 2>>err 2>&1 >>app 3<&0 a2>b", &a, &r),
	                 SH_PARSE_OK);
	struct sh_cmd *c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->nassign, 2);
	assert_string_equal(c->assign[1], "Y=2");
	assert_int_equal(c->nwords, 2);
	assert_string_equal(c->words[1], "a2"); /* a2>b: 'a2' is a word, '>b' redirects */
	assert_int_equal(c->nredirs, 7);
	assert_string_equal(c->redirs[6].word, "b");
	assert_int_equal(c->redirs[0].kind, SH_R_IN);
	assert_int_equal(c->redirs[0].fd, 0);
	assert_string_equal(c->redirs[0].word, "in");
	assert_int_equal(c->redirs[1].kind, SH_R_OUT);
	assert_int_equal(c->redirs[1].fd, 1);
	assert_int_equal(c->redirs[2].kind, SH_R_APPEND);
	assert_int_equal(c->redirs[2].fd, 2);
	assert_int_equal(c->redirs[3].kind, SH_R_DUP);
	assert_int_equal(c->redirs[3].fd, 2);
	assert_int_equal(c->redirs[3].dup_fd, 1);
	assert_int_equal(c->redirs[5].fd, 3);
	assert_int_equal(c->redirs[5].dup_fd, 0);
	sh_arena_free(&a);

	assert_int_equal(parse("X=1", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.items[0].pipes[0].cmds[0].nassign, 1);
	assert_int_equal(r.list.items[0].pipes[0].cmds[0].nwords, 0);
	sh_arena_free(&a);
	assert_int_equal(parse("echo X=1", &a, &r), SH_PARSE_OK); /* not an assignment */
	assert_int_equal(r.list.items[0].pipes[0].cmds[0].nwords, 2);
	sh_arena_free(&a);
	assert_int_equal(parse(">f", &a, &r), SH_PARSE_OK); /* only a redirection */
	sh_arena_free(&a);
}

static void test_parse_quotes(void **state)
{
	(void)state;
	struct sh_arena a;
	struct sh_parse_result r;
	assert_int_equal(parse("echo 'a | b' \"c;d\" e\\;f ${X}g", &a, &r), SH_PARSE_OK);
	struct sh_cmd *c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->nwords, 5);
	assert_string_equal(c->words[1], "'a | b'");
	assert_string_equal(c->words[2], "\"c;d\"");
	assert_string_equal(c->words[3], "e\\;f");
	assert_string_equal(c->words[4], "${X}g");
	sh_arena_free(&a);
	/* line continuation, but not inside single quotes */
	assert_int_equal(parse("ec\\\nho a\\\n b 'x\\\ny'", &a, &r), SH_PARSE_OK);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_string_equal(c->words[0], "echo");
	assert_string_equal(c->words[1], "a");
	assert_string_equal(c->words[3], "'x\\\ny'");
	sh_arena_free(&a);
}

/* Each of the n sources must parse to status (an error with a message). */
static void parse_all(const char *const *src, size_t n, int status)
{
	struct sh_arena a;
	struct sh_parse_result r;
	for (size_t i = 0; i < n; i++) {
		int st = parse(src[i], &a, &r);
		if (st != status)
			fail_msg("'%s': %d (%s), want %d", src[i], st, r.error, status);
		if (status == SH_PARSE_ERROR)
			assert_true(strlen(r.error) > 0);
		sh_arena_free(&a);
	}
}

static void test_parse_incomplete_and_errors(void **state)
{
	(void)state;
	static const char *incomplete[] = {"echo 'abc",
	                                   "echo \"abc",
	                                   "a |",
	                                   "a &&",
	                                   "a ||\n",
	                                   "echo \\",
	                                   "a | \n",
	                                   "echo \"a\\\"",
	                                   "echo a\\\n",
	                                   "(a",
	                                   "(a\n",
	                                   "cat <<E",
	                                   "cat <<E\n",
	                                   "cat <<E\nx\n",
	                                   "cat <<E\nx\nE2",
	                                   "a <<E; b <<F\nE\nF2\n"};
	static const char *errors[] = {"| a",      "a || || b", "a ; ;", "; a",    "a >",
	                               "a > ;",    "a &&& b",   "()",    "a >& x", "a 12>x",
	                               "echo ${X", "a | ;",     "&& a",  "a >&\n", "a 2>&1x",
	                               "(a) b",    "(a))",      "a <<",  "(a; }"};
	struct sh_arena a;
	struct sh_parse_result r;
	parse_all(incomplete, sizeof(incomplete) / sizeof(*incomplete), SH_PARSE_INCOMPLETE);
	parse_all(errors, sizeof(errors) / sizeof(*errors), SH_PARSE_ERROR);
	assert_int_equal(parse("| a", &a, &r), SH_PARSE_ERROR);
	assert_string_equal(r.error, "syntax error near '|'");
	sh_arena_free(&a);
	assert_int_equal(parse("a >", &a, &r), SH_PARSE_ERROR);
	assert_string_equal(r.error, "syntax error near end of input");
	sh_arena_free(&a);
}

static void test_parse_subshell_heredoc(void **state)
{
	(void)state;
	struct sh_arena a;
	struct sh_parse_result r;
	assert_int_equal(parse("(a; b) | (c) > o && ( (d) )", &a, &r), SH_PARSE_OK);
	struct sh_andor *ao = &r.list.items[0];
	assert_int_equal(ao->npipes, 2);
	struct sh_cmd *c = &ao->pipes[0].cmds[0];
	assert_int_equal(c->kind, SH_CMD_SUBSHELL);
	assert_int_equal(c->parts[0].n, 2);
	assert_int_equal(ao->pipes[0].cmds[1].kind, SH_CMD_SUBSHELL);
	assert_int_equal(ao->pipes[0].cmds[1].nredirs, 1);
	c = &ao->pipes[1].cmds[0];
	assert_int_equal(c->kind, SH_CMD_SUBSHELL);
	assert_int_equal(c->parts[0].items[0].pipes[0].cmds[0].kind, SH_CMD_SUBSHELL);
	sh_arena_free(&a);
	/* f() (...) is not a function here, and a '(' after a word is one */
	assert_int_equal(parse("echo (a)", &a, &r), SH_PARSE_ERROR);
	sh_arena_free(&a);

	/* two here-documents on one line, <<- and a quoted delimiter, then a command */
	assert_int_equal(parse("cat <<E1 | cat <<-'E2'; echo after\n$x \\$y\nE1\n"
	                       "\tline\n\t\tE2x\n\tE2\necho last\n",
	                       &a, &r),
	                 SH_PARSE_OK);
	assert_int_equal(r.list.n, 3);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->redirs[0].kind, SH_R_HEREDOC);
	assert_int_equal(c->redirs[0].fd, 0);
	assert_false(c->redirs[0].literal);
	assert_string_equal(c->redirs[0].word, "$x \\$y\n");
	c = &r.list.items[0].pipes[0].cmds[1];
	assert_true(c->redirs[0].literal);
	assert_string_equal(c->redirs[0].word, "line\nE2x\n");
	assert_string_equal(r.list.items[1].pipes[0].cmds[0].words[1], "after");
	assert_string_equal(r.list.items[2].pipes[0].cmds[0].words[1], "last");
	sh_arena_free(&a);
	/* the delimiter as the input's last line, without a newline; an empty body */
	assert_int_equal(parse("cat <<\\E\nE", &a, &r), SH_PARSE_OK);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_true(c->redirs[0].literal);
	assert_string_equal(c->redirs[0].word, "");
	sh_arena_free(&a);
	/* inside a function's body, kept as text that parses again */
	assert_int_equal(parse("f() {\n cat <<E\n}\nE\n}\nf", &a, &r), SH_PARSE_OK);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->kind, SH_CMD_FUNC);
	struct sh_arena a2;
	struct sh_parse_result r2;
	assert_int_equal(parse(c->body, &a2, &r2), SH_PARSE_OK);
	assert_string_equal(
	    r2.list.items[0].pipes[0].cmds[0].parts[0].items[0].pipes[0].cmds[0].redirs[0].word,
	    "}\n");
	sh_arena_free(&a2);
	sh_arena_free(&a);
	/* a background list keeps its text, with the bodies of the here-documents
	 * begun on its line after it: its own, not those of the lists before it */
	assert_int_equal(
	    parse("cat <<A & read v <<B <<C & echo x\na\nA\nb\nB\nc\nC\n{ x; } &", &a, &r),
	    SH_PARSE_OK);
	assert_int_equal(r.list.n, 4);
	assert_string_equal(r.list.items[0].src, "cat <<A\na\nA\n");
	assert_int_equal(r.list.items[0].src_cmd, 7);
	assert_string_equal(r.list.items[1].src, "read v <<B <<C\nb\nB\nc\nC\n");
	assert_int_equal(r.list.items[1].src_cmd, 14);
	assert_null(r.list.items[2].src); /* not in the background */
	assert_string_equal(r.list.items[3].src, "{ x; }");
	assert_int_equal(r.list.items[3].src_cmd, 6);
	sh_arena_free(&a);
	/* here-strings: <<< and its word, raw; a here-document after one; no word is an error */
	assert_int_equal(parse("cat <<<\"$x y\" 2<<< 'z' <<E\nbody\nE\n", &a, &r), SH_PARSE_OK);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->nredirs, 3);
	assert_int_equal(c->redirs[0].kind, SH_R_HERESTRING);
	assert_int_equal(c->redirs[0].fd, 0);
	assert_string_equal(c->redirs[0].word, "\"$x y\"");
	assert_int_equal(c->redirs[1].kind, SH_R_HERESTRING);
	assert_int_equal(c->redirs[1].fd, 2);
	assert_string_equal(c->redirs[1].word, "'z'");
	assert_int_equal(c->redirs[2].kind, SH_R_HEREDOC);
	assert_string_equal(c->redirs[2].word, "body\n");
	sh_arena_free(&a);
	assert_int_equal(parse("cat <<<", &a, &r), SH_PARSE_ERROR);
	sh_arena_free(&a);
	assert_int_equal(parse("cat <<< <x", &a, &r), SH_PARSE_ERROR);
	sh_arena_free(&a);
}

static void test_parse_flow(void **state)
{
	(void)state;
	struct sh_arena a;
	struct sh_parse_result r;
	assert_int_equal(parse("if a; then b; elif c\nthen d\nelse e; fi > out", &a, &r),
	                 SH_PARSE_OK);
	assert_int_equal(r.list.n, 1);
	struct sh_cmd *c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->kind, SH_CMD_IF);
	assert_int_equal(c->nparts, 5);
	assert_string_equal(c->parts[2].items[0].pipes[0].cmds[0].words[0], "c");
	assert_string_equal(c->parts[4].items[0].pipes[0].cmds[0].words[0], "e");
	assert_int_equal(c->nredirs, 1);
	sh_arena_free(&a);

	assert_int_equal(parse("while ! a | b; do c && d; done | e; x", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.n, 2);
	struct sh_pipeline *pl = &r.list.items[0].pipes[0];
	assert_int_equal(pl->ncmds, 2);
	c = &pl->cmds[0];
	assert_int_equal(c->kind, SH_CMD_WHILE);
	assert_true(c->parts[0].items[0].pipes[0].negate);
	assert_int_equal(c->parts[0].items[0].pipes[0].ncmds, 2);
	assert_int_equal(c->parts[1].items[0].npipes, 2);
	sh_arena_free(&a);

	assert_int_equal(parse("for i in a 'b c' $X; do echo $i; done", &a, &r), SH_PARSE_OK);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->kind, SH_CMD_FOR);
	assert_true(c->for_in);
	assert_string_equal(c->name, "i");
	assert_int_equal(c->nwords, 3);
	assert_string_equal(c->words[1], "'b c'");
	sh_arena_free(&a);
	assert_int_equal(parse("for i\ndo echo $i\ndone", &a, &r), SH_PARSE_OK);
	assert_false(r.list.items[0].pipes[0].cmds[0].for_in);
	sh_arena_free(&a);

	assert_int_equal(parse("case $x in\n (a|b*) echo 1;;\n c) ;;\n *) echo 3\nesac", &a, &r),
	                 SH_PARSE_OK);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->kind, SH_CMD_CASE);
	assert_int_equal(c->nitems, 3);
	assert_int_equal(c->items[0].npats, 2);
	assert_string_equal(c->items[0].pats[1], "b*");
	assert_int_equal(c->items[1].body.n, 0);
	assert_int_equal(c->items[2].body.n, 1);
	sh_arena_free(&a);

	assert_int_equal(parse("f() {\n  echo $1; return 2\n} >x\ng", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.n, 2);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->kind, SH_CMD_FUNC);
	assert_string_equal(c->name, "f");
	assert_string_equal(c->body, "{\n  echo $1; return 2\n} >x");
	sh_arena_free(&a);

	/* reserved words only where a command starts; $(...) and `...` are one word */
	assert_int_equal(parse("echo if then fi { } done", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.items[0].pipes[0].cmds[0].nwords, 7);
	sh_arena_free(&a);
	assert_int_equal(parse("echo $(a | b; c \")\") `d )` \"$((1 + (2)))\"x", &a, &r),
	                 SH_PARSE_OK);
	c = &r.list.items[0].pipes[0].cmds[0];
	assert_int_equal(c->nwords, 4);
	assert_string_equal(c->words[1], "$(a | b; c \")\")");
	assert_string_equal(c->words[3], "\"$((1 + (2)))\"x");
	sh_arena_free(&a);
	assert_int_equal(parse("{ a; { b; }; } 2>&1", &a, &r), SH_PARSE_OK);
	assert_int_equal(r.list.items[0].pipes[0].cmds[0].kind, SH_CMD_GROUP);
	sh_arena_free(&a);
}

static void test_parse_flow_errors(void **state)
{
	(void)state;
	static const char *incomplete[] = {
	    "if a; then b",
	    "if a; then b; else c",
	    "while a; do b\n",
	    "until a\n",
	    "for x in a b",
	    "for x in a; do",
	    "case x in",
	    "case x in a) b;;",
	    "case x in a|",
	    "f() {",
	    "f()",
	    "{ a;",
	    "{ a; } |",
	    "echo $(a",
	    "echo `a",
	    "echo $((1+",
	    "echo \"$(a\"",
	    "! ",
	    "if a; then b; elif",
	    "while a; do b; done &&",
	};
	static const char *errors[] = {
	    "fi",
	    "then a",
	    "if; then a; fi",
	    "if a; then; fi",
	    "done",
	    "for 1x in a; do b; done",
	    "for x in a do b; done; }",
	    "case x in a) b;; esac y",
	    "{ a; } b",
	    "a ;; b",
	    "if a then b fi; fi",
	    "f() a",
	    "while a; do; done",
	    "{ }",
	    "a )",
	    "f() ( a )",
	    "! ! a",
	    "case x y",
	    "esac",
	};
	struct sh_arena a;
	struct sh_parse_result r;
	parse_all(incomplete, sizeof(incomplete) / sizeof(*incomplete), SH_PARSE_INCOMPLETE);
	parse_all(errors, sizeof(errors) / sizeof(*errors), SH_PARSE_ERROR);
	assert_int_equal(parse("fi", &a, &r), SH_PARSE_ERROR);
	assert_string_equal(r.error, "syntax error near 'fi'");
	sh_arena_free(&a);

	/* hostile nesting: an error, not a deep recursion */
	char deep[4096] = "";
	for (int i = 0; i < 200; i++)
		strcat(deep, "if a; then ");
	assert_int_equal(parse(deep, &a, &r), SH_PARSE_ERROR);
	assert_non_null(strstr(r.error, "nested too deeply"));
	sh_arena_free(&a);
	deep[0] = 0;
	for (int i = 0; i < 200; i++)
		strcat(deep, "\"$(");
	assert_int_equal(parse(deep, &a, &r), SH_PARSE_ERROR);
	sh_arena_free(&a);
	deep[0] = 0;
	for (int i = 0; i < SH_MAX_NEST - 1; i++)
		strcat(deep, "{ ");
	strcat(deep, "a");
	for (int i = 0; i < SH_MAX_NEST - 1; i++)
		strcat(deep, "; }");
	assert_int_equal(parse(deep, &a, &r), SH_PARSE_OK);
	sh_arena_free(&a);
}

/* ---- expansion ---- */

static const char *vars[][2] = {{"X", "ex"}, {"EMPTY", ""},          {"SP", " a  b "},
                                {"?", "3"},  {"HOME", "fs:///home"}, {"1", "one"},
                                {"N", "12"}, {"NEG", " -4 "}};

static const char *var(void *ctx, const char *name, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		if (strlen(vars[i][0]) == n && memcmp(vars[i][0], name, n) == 0)
			return vars[i][1];
	return NULL;
}

static const char *names[] = {"a.c", "b.c", "b.h", "[x]", "README"};

static int glob(void *ctx, const char *pat, const bool *q, struct sh_fields *out)
{
	(void)ctx;
	int n = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (sh_glob_match(pat, q, names[i])) {
			if (sh_fields_add(out, names[i], strlen(names[i])))
				return -1;
			n++;
		}
	return n;
}

/* $(...): the text itself, upper-cased */
static char *subst(void *ctx, const char *src, size_t n)
{
	(void)ctx;
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = src[i] >= 'a' && src[i] <= 'z' ? (char)(src[i] - 32) : src[i];
	s[n] = 0;
	return s;
}

static char last_error[128];

static void error(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(last_error, sizeof(last_error), "%s", msg);
}

static const struct sh_expand_ops ops = {.var = var, .glob = glob, .subst = subst, .error = error};

/* Expand raw and compare with the expected fields, joined by '|'. */
static void check(const char *raw, const char *want)
{
	struct sh_fields f = {0};
	assert_int_equal(sh_expand_word(raw, &ops, &f), 0);
	char got[256] = "";
	for (unsigned i = 0; i < f.n; i++) {
		if (i)
			strcat(got, "|");
		strcat(got, f.v[i]);
	}
	if (strcmp(got, want) != 0)
		fail_msg("expand [%s]: got [%s] (%u fields), want [%s]", raw, got, f.n, want);
	sh_fields_free(&f);
}

static void count(const char *raw, unsigned want)
{
	struct sh_fields f = {0};
	assert_int_equal(sh_expand_word(raw, &ops, &f), 0);
	if (f.n != want)
		fail_msg("expand [%s]: %u fields, want %u", raw, f.n, want);
	sh_fields_free(&f);
}

static void test_expand(void **state)
{
	(void)state;
	check("plain", "plain");
	check("$X", "ex");
	check("${X}y", "exy");
	check("$Xy", ""); /* $Xy is the variable Xy */
	check("a$X.b", "aex.b");
	check("'$X'", "$X");
	check("\"$X\"", "ex");
	check("\"a b\"", "a b");
	check("\\$X", "$X");
	check("\"\\$X \\\" \\\\ \\a\"", "$X \" \\ \\a");
	check("$?", "3");
	check("x$", "x$");
	check("$-", "$-");
	check("$1", "one");
	check("${UNSET:-dflt}", "dflt");
	check("${EMPTY:-dflt}", "dflt");
	check("${X:-dflt}", "ex");
	check("${#X}", "2"); /* lengths */
	check("${#EMPTY}", "0");
	check("${#UNSET}", "0");
	check("\"${#SP}\"", "6");
	check("~", "fs:///home");
	check("~/a", "fs:///home/a");
	check("a~", "a~");
	check("'~'", "~");
	check("$SP", "a|b"); /* split, blanks at the ends dropped */
	check("\"$SP\"", " a  b ");
	check("x${SP}y", "x|a|b|y");
	count("$UNSET", 0); /* an unset variable outside quotes: no field */
	count("$EMPTY", 0);
	count("\"\"", 1);
	count("''", 1);
	count("\"$UNSET\"", 1);
	count("a\"\"", 1);
	check("it's\\ ok", "its\\ ok"); /* an unclosed quote inside expansion runs to the end */
	/* globbing */
	check("*.c", "a.c|b.c");
	check("b.?", "b.c|b.h");
	check("[ab].c", "a.c|b.c");
	check("[!a].c", "b.c");
	check("\"*\".c", "*.c"); /* quoted: literal, and no match keeps the word */
	check("\\*", "*");
	check("*.zz", "*.zz");
	check("R*", "README");
	char *one = sh_expand_one("$SP*", &ops);
	assert_string_equal(one, " a  b *"); /* no splitting, no globbing */
	free(one);
	one = sh_expand_one("", &ops);
	assert_string_equal(one, "");
	free(one);
}

static void check_fails(const char *raw, const char *msg)
{
	struct sh_fields f = {0};
	last_error[0] = 0;
	assert_int_equal(sh_expand_word(raw, &ops, &f), -1);
	if (!strstr(last_error, msg))
		fail_msg("expand [%s]: error [%s], want [%s]", raw, last_error, msg);
	sh_fields_free(&f);
}

static void test_expand_subst_arith(void **state)
{
	(void)state;
	check("$(echo hi)", "ECHO|HI");
	check("\"$(echo  hi)\"", "ECHO  HI");
	check("a$(b)c", "aBc");
	check("`echo \\$x`", "ECHO|$X");
	check("\"`a b`\"", "A B");
	check("$(echo \")\")", "ECHO|\")\"");
	check("$((1 + 2 * 3))", "7");
	check("$(( (1 + 2) * 3 ))", "9");
	check("$((N / 5)) $((N % 5)) $((-N)) $((N - -3))", "2 2 -12 15");
	check("$((N/5))", "2");
	check("$((N%5))", "2");
	check("$((-N+1))", "-11");
	check("$((N*NEG))", "-48");
	check("$((UNSET + 1))", "1");
	check("$(($N + 0x10))", "28");
	check("$((1 < 2)),$((2 <= 1)),$((3 > 2)),$((3 >= 4)),$((5 == 5)),$((5 != 5))",
	      "1,0,1,0,1,0");
	check("$((1 && 0)),$((0 || 2)),$((!0)),$((!7))", "0,1,1,0");
	check("$(( ))", "0");
	check("$((9223372036854775807 + 1))", "-9223372036854775808");
	check("$((-9223372036854775807 - 1))", "-9223372036854775808");
	check("$(((-9223372036854775807 - 1) / -1))", "-9223372036854775808");
	check("$(((-9223372036854775807 - 1) % -1))", "0");
	check("\"$((2*3))\"", "6");
	check_fails("$((1 / 0))", "division by zero");
	check_fails("$((5 % 0))", "division by zero");
	check_fails("$((1 +))", "missing");
	check_fails("$((1 2))", "syntax error");
	check_fails("$((X + 1))", "not a number");
	char deep[512] = "$((";
	for (int i = 0; i < 100; i++)
		strcat(deep, "-(");
	strcat(deep, "1");
	for (int i = 0; i < 100; i++)
		strcat(deep, ")");
	strcat(deep, "))");
	check_fails(deep, "nested too deeply");
	/* case patterns keep what was quoted */
	char *pat;
	bool *q;
	assert_int_equal(sh_expand_pattern("a\"*\"$X*", &ops, &pat, &q), 0);
	assert_string_equal(pat, "a*ex*");
	assert_true(q[1] && !q[4]);
	assert_true(sh_glob_match(pat, q, "a*exyz"));
	assert_false(sh_glob_match(pat, q, "abexyz"));
	free(pat);
	free(q);
}

static int test_cmd(const char *const *args)
{
	char *argv[16], err[128];
	int argc = 0;
	while (args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	return sh_test_eval(argc, argv, err, sizeof(err));
}

#define T(want, ...)                                                                       \
	do {                                                                               \
		const char *const args_[] = {__VA_ARGS__, NULL};                           \
		int got_ = test_cmd(args_);                                                \
		if (got_ != (want))                                                        \
			fail_msg("test %s %s %s: %d, want %d", args_[1] ? args_[1] : "",   \
			         args_[1] && args_[2] ? args_[2] : "", "...", got_, want); \
	} while (0)

static void test_test_builtin(void **state)
{
	(void)state;
	T(1, "test");
	T(0, "test", "x");
	T(1, "test", "");
	T(0, "[", "a", "=", "a", "]");
	T(1, "[", "a", "!=", "a", "]");
	T(2, "[", "a", "=", "a");
	T(0, "test", "-z", "");
	T(1, "test", "-n", "");
	T(0, "test", "3", "-lt", "10");
	T(1, "test", "3", "-gt", "10");
	T(0, "test", "-5", "-le", "-5");
	T(0, "test", "7", "-ge", "2", "-a", "1", "-ne", "2");
	T(0, "test", "1", "-eq", "2", "-o", "x");
	T(0, "test", "!", "1", "-eq", "2");
	T(1, "test", "(", "1", "-eq", "2", ")");
	T(2, "test", "x", "-eq", "2");
	T(2, "test", "(", "x");
	T(2, "test", "a", "b");
	T(0, "test", "-d", "/");
	T(1, "test", "-f", "/");
	T(0, "test", "-e", "/");
	T(1, "test", "-e", "/no/such/file");
	T(0, "test", "=", "=", "=");
	T(0, "test", "!");
	T(0, "test", "-n");
}

static void test_glob_match(void **state)
{
	(void)state;
	assert_true(sh_glob_match("*", NULL, "anything"));
	assert_true(sh_glob_match("*", NULL, ""));
	assert_false(sh_glob_match("?", NULL, ""));
	assert_true(sh_glob_match("a*b*c", NULL, "aXXbYYbc"));
	assert_false(sh_glob_match("a*b*c", NULL, "aXXbYYb"));
	assert_true(sh_glob_match("[a-c]x", NULL, "bx"));
	assert_false(sh_glob_match("[a-c]x", NULL, "dx"));
	assert_true(sh_glob_match("[]]", NULL, "]"));
	assert_true(sh_glob_match("[x", NULL, "[x")); /* not a set: literal */
	assert_true(sh_glob_match("**", NULL, "ab"));
	bool q[] = {true, false};
	assert_true(sh_glob_match("**", q, "*x"));
	assert_false(sh_glob_match("**", q, "x"));
	assert_true(sh_glob_has_magic("a[", NULL));
	assert_false(sh_glob_has_magic("abc", NULL));
}

/* ---- editor ---- */

static enum sh_ed_result feed(struct sh_ed *e, const char *keys)
{
	enum sh_ed_result r = SH_ED_NONE;
	for (const char *k = keys; *k; k++)
		r = sh_ed_feed(e, (unsigned char)*k);
	return r;
}

/* UTF-8: the cursor and the deleting keys go by characters, and the redraw moves
 * the terminal's cursor back by characters after it */
static void test_editor_utf8(void **state)
{
	(void)state;
	static struct sh_ed e;
	char out[256];
	sh_ed_start(&e, NULL);
	feed(&e, "a\xc3\xa9\xe2\x82\xac"
	         "b"); /* a é € b */
	feed(&e, "\x02\x02"); /* Ctrl-B twice: before € */
	assert_int_equal(e.pos, 3);
	sh_ed_render(&e, "$ ", out, sizeof(out));
	assert_non_null(strstr(out, "\x1b[2D"));
	feed(&e, "\x7f"); /* Backspace: all of é */
	assert_string_equal(e.buf, "a\xe2\x82\xac"
	                           "b");
	assert_int_equal(e.pos, 1);
	feed(&e, "\x1b[3~"); /* Delete: all of € */
	assert_string_equal(e.buf, "ab");
	feed(&e, "\xf0\x9f\x99\x82\x1b[D\x1b[C"); /* a 4-byte one, left, right */
	assert_int_equal(e.pos, 5);
	feed(&e, "\x1b[D\x04"); /* left, Ctrl-D */
	assert_string_equal(e.buf, "ab");
	feed(&e, "\x06\x06"); /* Ctrl-F to the end: bell past it */
	assert_int_equal(e.pos, 2);
	assert_int_equal(feed(&e, "\x06"), SH_ED_BELL);
}

/*
 * Redraw e after "$ " and return how many columns the redraw moved back
 * ("\x1b[<n>D" at its end; 0 without one). The same bytes go through the
 * console's terminal emulator (user/console/vt.c), whose cursor must then be
 * where the editor means it: after the prompt and the columns before e->pos.
 */
static size_t cursor_back(const struct sh_ed *e)
{
	char out[256];
	size_t n = sh_ed_render(e, "$ ", out, sizeof(out));
	struct vt vt;
	assert_int_equal(vt_init(&vt, 80, 2, 0), 0);
	vt_write(&vt, out, n);
	assert_int_equal(vt.row, 0);
	assert_int_equal(vt.col, 2 + wc_text_width(e->buf, e->pos));
	vt_free(&vt);
	const char *p = strrchr(out, '\x1b');
	if (!p || p[1] != '[' || out[n - 1] != 'D')
		return 0;
	return strtoul(p + 2, NULL, 10);
}

/* East Asian wide characters take two columns and combining marks none: the
 * redraw moves back by columns, and the cursor moves over a character with its
 * marks as one (readline's way) */
static void test_editor_wide(void **state)
{
	(void)state;
	static struct sh_ed e;
	sh_ed_start(&e, NULL);
	/* 日本 x e+U+0301 あ: 2 2 1 1 2 columns */
	feed(&e, "\xe6\x97\xa5\xe6\x9c\xac"
	         "xe\xcc\x81\xe3\x81\x82");
	assert_int_equal(cursor_back(&e), 0);
	feed(&e, "\x02"); /* Ctrl-B: before あ, two columns back */
	assert_int_equal(e.pos, 10);
	assert_int_equal(cursor_back(&e), 2);
	feed(&e, "\x02"); /* before e and its mark: three columns back, not two */
	assert_int_equal(e.pos, 7);
	assert_int_equal(cursor_back(&e), 3);
	feed(&e, "\x1b[D\x1b[D"); /* over x, then over 本: 6 columns after the cursor */
	assert_int_equal(e.pos, 3);
	assert_int_equal(cursor_back(&e), 6);
	feed(&e, "\x7f"); /* Backspace: all of 日 */
	assert_string_equal(e.buf, "\xe6\x9c\xac"
	                           "xe\xcc\x81\xe3\x81\x82");
	assert_int_equal(e.pos, 0);
	feed(&e, "\x06\x06\x1b[C"); /* Ctrl-F over 本 and x, right over e with its mark */
	assert_int_equal(e.pos, 7);
	feed(&e, "\x7f"); /* Backspace: e with its mark */
	assert_string_equal(e.buf, "\xe6\x9c\xac"
	                           "x\xe3\x81\x82");
	assert_int_equal(cursor_back(&e), 2);
	feed(&e, "\x04"); /* Ctrl-D: あ */
	assert_string_equal(e.buf, "\xe6\x9c\xac"
	                           "x");
	/* a mark with nothing before it is a character of its own */
	sh_ed_next(&e);
	feed(&e, "\xcc\x81"
	         "a\x01");
	assert_int_equal(e.pos, 0);
	feed(&e, "\x06");
	assert_int_equal(e.pos, 2);
	assert_int_equal(cursor_back(&e), 1);
}

/* The widths against pinned facts of Unicode 15 and, code point by code point,
 * against the host's glibc (whose tables come from the same rules): a broken
 * table or search differs in thousands. */
static void test_wcwidth(void **state)
{
	(void)state;
	static const struct {
		uint32_t cp;
		int w;
	} pins[] = {
	    {0, 0},         {1, -1},      {0x1f, -1},   {' ', 1},     {'a', 1},     {0x7f, -1},
	    {0x9f, -1},     {0xa0, 1},    {0xad, 1},    {0xe9, 1},    {0x300, 0},   {0x301, 0},
	    {0x36f, 0},     {0x370, 1},   {0x600, 1},   {0x610, 0},   {0x1100, 2},  {0x115f, 2},
	    {0x1160, 0},    {0x11ff, 0},  {0x200b, 0},  {0x200d, 0},  {0x2329, 2},  {0x3000, 2},
	    {0x3042, 2},    {0x3099, 0},  {0x3248, 2},  {0x4dc0, 2},  {0x4e00, 2},  {0x65e5, 2},
	    {0x9fff, 2},    {0xa4d0, 1},  {0xac00, 2},  {0xd7a3, 2},  {0xd7b0, 0},  {0xe000, 1},
	    {0xfe0f, 0},    {0xff01, 2},  {0xff61, 1},  {0xfffd, 1},  {0x1f600, 2}, {0x1f1e6, 1},
	    {0x20000, 2},   {0x2fffd, 2}, {0x30000, 2}, {0xe0001, 0}, {0xe0100, 0}, {0x10ffff, 1},
	    {0x110000, -1},
	};
	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++)
		if (wc_width(pins[i].cp) != pins[i].w)
			fail_msg("wc_width(U+%04X) = %d, want %d", pins[i].cp, wc_width(pins[i].cp),
			         pins[i].w);
	assert_string_equal(wc_unicode_version, "15.0.0");
	/* the tables are sorted and disjoint, as the binary search needs */
	for (unsigned i = 1; i < wc_zero_n; i++)
		assert_true(wc_zero[i].first > wc_zero[i - 1].last + 1);
	for (unsigned i = 1; i < wc_wide_n; i++)
		assert_true(wc_wide[i].first > wc_wide[i - 1].last + 1);
	assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
	unsigned compared = 0, differ = 0;
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		int g = wcwidth((wchar_t)cp);
		if (g < 0) /* unassigned for glibc: it has no answer */
			continue;
		compared++;
		if (wc_width(cp) != g && differ++ < 10)
			print_message("U+%04X: %d, glibc %d\n", cp, wc_width(cp), g);
	}
	setlocale(LC_CTYPE, "C");
	assert_true(compared > 280000);
	/* 0 with glibc 2.36 (Unicode 15.0); a newer glibc knows newer characters */
	assert_true(differ <= compared / 200);
	/* UTF-8: malformed bytes are one U+FFFD each; the widths of a text */
	uint32_t cp;
	assert_int_equal(wc_utf8_decode("\xe6\x97\xa5", 3, &cp), 3);
	assert_int_equal(cp, 0x65e5);
	assert_int_equal(wc_utf8_decode("\xe6\x97", 2, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(wc_utf8_decode("\xc0\x80", 2, &cp), 1); /* overlong */
	assert_int_equal(wc_utf8_decode("\xed\xa0\x80", 3, &cp), 1); /* a surrogate */
	assert_int_equal(wc_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 1); /* past U+10FFFF */
	assert_int_equal(wc_utf8_decode("\x80", 1, &cp), 1);
	assert_int_equal(wc_text_width("a\xe6\x97\xa5"
	                               "e\xcc\x81\x01\xff",
	                               9),
	                 5);
}

static void test_editor_keys(void **state)
{
	(void)state;
	static struct sh_ed e;
	sh_ed_start(&e, NULL);
	assert_int_equal(feed(&e, "hello world"), SH_ED_REDRAW);
	assert_string_equal(e.buf, "hello world");
	feed(&e, "\x01X"); /* Ctrl-A, insert */
	assert_string_equal(e.buf, "Xhello world");
	feed(&e, "\x05!"); /* Ctrl-E */
	assert_string_equal(e.buf, "Xhello world!");
	feed(&e, "\x02\x02\x0b"); /* back two, kill to the end */
	assert_string_equal(e.buf, "Xhello worl");
	feed(&e, "\x01\x19"); /* yank at the start */
	assert_string_equal(e.buf, "d!Xhello worl");
	feed(&e, "\x17"); /* Ctrl-W at position 2: the word before */
	assert_string_equal(e.buf, "Xhello worl");
	assert_int_equal(e.pos, 0);
	feed(&e, "\x1b"
	         "f"); /* Alt-F */
	assert_int_equal(e.pos, 6);
	feed(&e, "\x1b"
	         "b"); /* Alt-B */
	assert_int_equal(e.pos, 0);
	feed(&e, "\x1b[C\x1b[C"); /* right, right */
	assert_int_equal(e.pos, 2);
	feed(&e, "\x1b[3~"); /* Delete */
	assert_string_equal(e.buf, "Xhllo worl");
	feed(&e, "\x7f"); /* Backspace */
	assert_string_equal(e.buf, "Xllo worl");
	feed(&e, "\x1b[F"); /* End */
	assert_int_equal(e.pos, e.len);
	feed(&e, "\x1b[H"); /* Home */
	assert_int_equal(e.pos, 0);
	feed(&e, "\x1b[4~");
	assert_int_equal(e.pos, e.len);
	feed(&e, "\x1bOH");
	assert_int_equal(e.pos, 0);
	feed(&e, "\x1b[D");
	assert_int_equal(e.pos, 0);
	feed(&e, "\x1b"
	         "d"); /* Alt-D */
	assert_string_equal(e.buf, " worl");
	feed(&e, "\x15"); /* Ctrl-U at 0: nothing */
	assert_string_equal(e.buf, " worl");
	feed(&e, "\x05\x15");
	assert_string_equal(e.buf, "");
	assert_int_equal(feed(&e, "\x04"), SH_ED_EOF);
	feed(&e, "ab\x01");
	assert_int_equal(feed(&e, "\x04"), SH_ED_REDRAW); /* Ctrl-D deletes under the cursor */
	assert_string_equal(e.buf, "b");
	assert_int_equal(feed(&e, "\t"), SH_ED_COMPLETE);
	assert_int_equal(feed(&e, "\x03"), SH_ED_INTR);
	assert_int_equal(feed(&e, "\x0c"), SH_ED_CLEAR);
	assert_int_equal(feed(&e, "\x1b[99;99;99;99X"), SH_ED_BELL); /* too long: dropped */
	assert_int_equal(feed(&e, "\x1b[15~"), SH_ED_BELL); /* F5: nothing */
	assert_string_equal(e.buf, "b");
	assert_int_equal(feed(&e, "\r"), SH_ED_ACCEPT);
	/* a full line refuses more */
	sh_ed_start(&e, NULL);
	for (int i = 0; i < SH_ED_MAX + 10; i++)
		sh_ed_feed(&e, 'x');
	assert_int_equal(e.len, SH_ED_MAX - 1);
	assert_int_equal(sh_ed_feed(&e, 'x'), SH_ED_BELL);
	assert_int_equal(sh_ed_feed(&e, 0x19), SH_ED_BELL); /* nothing killed yet */
}

static void test_editor_history(void **state)
{
	(void)state;
	static struct sh_ed e;
	struct sh_hist h = {0};
	assert_int_equal(sh_hist_add(&h, "echo one"), 0);
	assert_int_equal(sh_hist_add(&h, "ls fs:///tmp"), 0);
	assert_int_equal(sh_hist_add(&h, "echo two"), 0);
	sh_ed_start(&e, &h);
	feed(&e, "new");
	feed(&e, "\x1b[A");
	assert_string_equal(e.buf, "echo two");
	feed(&e, "\x10\x10"); /* Ctrl-P twice */
	assert_string_equal(e.buf, "echo one");
	assert_int_equal(feed(&e, "\x1b[A"), SH_ED_BELL);
	feed(&e, "\x0e\x0e\x0e"); /* Ctrl-N back to the new line */
	assert_string_equal(e.buf, "new");
	assert_int_equal(feed(&e, "\x1b[B"), SH_ED_BELL);
	/* Ctrl-R */
	feed(&e, "\x12"
	         "echo");
	assert_true(e.search);
	char out[256];
	sh_ed_render(&e, "$ ", out, sizeof(out));
	assert_non_null(strstr(out, "(reverse-i-search)`echo': echo two"));
	feed(&e, "\x12"); /* older */
	sh_ed_render(&e, "$ ", out, sizeof(out));
	assert_non_null(strstr(out, "echo one"));
	assert_null(strstr(out, "failed"));
	feed(&e, "\x12"); /* nothing older: the match stays, the search says it failed */
	sh_ed_render(&e, "$ ", out, sizeof(out));
	assert_non_null(strstr(out, "(failed reverse-i-search)`echo': echo one"));
	feed(&e, "\x07"); /* Ctrl-G: cancel */
	assert_false(e.search);
	assert_string_equal(e.buf, "new");
	feed(&e, "\x12"
	         "ls\x05"); /* Ctrl-E takes the match to edit */
	assert_false(e.search);
	assert_string_equal(e.buf, "ls fs:///tmp");
	assert_int_equal(e.pos, e.len);
	sh_ed_start(&e, &h);
	assert_int_equal(feed(&e, "\x12"
	                          "one\r"),
	                 SH_ED_ACCEPT);
	assert_string_equal(e.buf, "echo one");
	sh_ed_start(&e, &h);
	feed(&e, "\x12zzz"); /* no match */
	assert_int_equal(e.sidx, -1);
	sh_ed_render(&e, "$ ", out, sizeof(out));
	assert_non_null(strstr(out, "(failed reverse-i-search)`zzz': "));
	feed(&e, "\x1b[D"); /* an arrow ends the search */
	assert_false(e.search);
	assert_string_equal(e.buf, "");
	/* the kill buffer survives a new line */
	sh_ed_start(&e, &h);
	feed(&e, "abc\x15");
	sh_ed_next(&e);
	feed(&e, "\x19");
	assert_string_equal(e.buf, "abc");
	/* rendering puts the cursor back */
	feed(&e, "\x02\x02");
	size_t n = sh_ed_render(&e, "p> ", out, sizeof(out));
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, "\rp> abc\x1b[K\x1b[2D");
	sh_hist_free(&h);
}

static void test_history(void **state)
{
	(void)state;
	struct sh_hist h = {0};
	assert_int_equal(sh_hist_add(&h, "   "), 1);
	assert_int_equal(sh_hist_add(&h, "a"), 0);
	assert_int_equal(sh_hist_add(&h, "a"), 1);
	assert_int_equal(sh_hist_add(&h, "bad\x1b"), 1);
	const char file[] = "one\r\ntwo\n\nthree";
	sh_hist_load(&h, file, sizeof(file) - 1);
	assert_int_equal(h.n, 4);
	assert_string_equal(sh_hist_get(&h, 1), "one");
	assert_string_equal(sh_hist_get(&h, 3), "three");
	assert_null(sh_hist_get(&h, 4));
	assert_int_equal(sh_hist_search(&h, "o", 100), 2);
	assert_int_equal(sh_hist_search(&h, "o", 1), 1);
	assert_int_equal(sh_hist_search(&h, "zz", 3), -1);
	char line[16];
	for (int i = 0; i < SH_HIST_MAX + 20; i++) {
		snprintf(line, sizeof(line), "cmd %d", i);
		sh_hist_add(&h, line);
	}
	assert_int_equal(h.n, SH_HIST_MAX);
	assert_string_equal(sh_hist_get(&h, 0), "cmd 20");
	snprintf(line, sizeof(line), "cmd %d", SH_HIST_MAX + 19);
	assert_string_equal(sh_hist_get(&h, SH_HIST_MAX - 1), line);
	sh_hist_free(&h);
}

static void test_completion(void **state)
{
	(void)state;
	struct sh_comp_word w;
	const char *l = "ec";
	sh_comp_locate(l, 2, &w);
	assert_int_equal(w.start, 0);
	assert_true(w.command);
	l = "echo fs:///di";
	sh_comp_locate(l, strlen(l), &w);
	assert_int_equal(w.start, 5);
	assert_false(w.command);
	assert_int_equal(w.dir_len, 6); /* "fs:///" */
	l = "a | X=1 b";
	sh_comp_locate(l, strlen(l), &w);
	assert_int_equal(w.start, 8);
	assert_true(w.command);
	l = "a && ";
	sh_comp_locate(l, strlen(l), &w);
	assert_int_equal(w.start, 5);
	assert_true(w.command);
	l = "cat 'my fi";
	sh_comp_locate(l, strlen(l), &w);
	assert_int_equal(w.start, 4);
	assert_false(w.command);
	l = "a > f";
	sh_comp_locate(l, strlen(l), &w);
	assert_false(w.command);
	l = "./bin/x";
	sh_comp_locate(l, strlen(l), &w);
	assert_false(w.command);
	assert_int_equal(w.dir_len, 6);

	char ins[64];
	const char *one[] = {"echo"};
	assert_false(sh_comp_decide(one, 1, 2, ins, sizeof(ins)));
	assert_string_equal(ins, "ho ");
	const char *dir[] = {"disk/"};
	assert_false(sh_comp_decide(dir, 1, 2, ins, sizeof(ins)));
	assert_string_equal(ins, "sk/");
	const char *two[] = {"devices", "devtest"};
	assert_false(sh_comp_decide(two, 2, 1, ins, sizeof(ins)));
	assert_string_equal(ins, "ev");
	assert_true(sh_comp_decide(two, 2, 3, ins, sizeof(ins)));
	assert_string_equal(ins, "");
	assert_false(sh_comp_decide(two, 0, 3, ins, sizeof(ins)));
	assert_true(sh_comp_matches("devices", "dev", 3));
	assert_false(sh_comp_matches("de", "dev", 3));
}

static void classify(const char *l, enum sh_comp_kind kind, const char *cmd)
{
	struct sh_comp_word w;
	struct sh_comp_target t;
	sh_comp_locate(l, strlen(l), &w);
	sh_comp_classify(l, strlen(l), &w, &t);
	if (t.kind != kind)
		fail_msg("[%s]: kind %d, want %d", l, (int)t.kind, (int)kind);
	if (cmd) {
		assert_int_equal(t.cmd_len, strlen(cmd));
		assert_memory_equal(l + t.cmd_start, cmd, strlen(cmd));
	}
}

static void test_completion_kinds(void **state)
{
	(void)state;
	classify("l", SH_COMP_COMMAND, NULL);
	classify("ls -", SH_COMP_OPTION, "ls");
	classify("ls --he", SH_COMP_OPTION, "ls");
	classify("ls -l fs:///tmp -", SH_COMP_OPTION, "ls");
	classify("ls -- -", SH_COMP_PATH, NULL); /* the options have ended */
	classify("ls fs:///t", SH_COMP_PATH, NULL);
	classify("ls > -", SH_COMP_PATH, NULL); /* a redirection's file */
	classify("> f ls -", SH_COMP_OPTION, "ls");
	classify("X=1 head -", SH_COMP_OPTION, "head");
	classify("a | grep -i x | sort -", SH_COMP_OPTION, "sort");
	classify("if grep -", SH_COMP_OPTION, "grep");
	classify("while true; do tail -", SH_COMP_OPTION, "tail");
	classify("echo if -", SH_COMP_OPTION, "echo");
	classify("./bin/x -", SH_COMP_OPTION, "./bin/x");
	classify("ls '-", SH_COMP_PATH, NULL);
	/* run: its own options, --grant's argument, then the program's */
	classify("run -", SH_COMP_OPTION, "run");
	classify("run --grant ", SH_COMP_GRANT, NULL);
	classify("run --grant fs:///t", SH_COMP_GRANT, NULL);
	classify("run --grant fs:///tmp --pool ", SH_COMP_PATH, NULL);
	classify("run --grant fs:///tmp --", SH_COMP_OPTION, "run");
	classify("run --grant fs:///tmp -- l", SH_COMP_COMMAND, NULL);
	classify("run --grant log l", SH_COMP_COMMAND, NULL);
	classify("run --grant log -- ls -", SH_COMP_OPTION, "ls");
	classify("run --pool 1M ls -l -", SH_COMP_OPTION, "ls");
	classify("run -- -", SH_COMP_COMMAND, NULL); /* the program's name */
	/* too many words to know whether a "--" came: a path */
	classify("ls a b c d e f g h i j k l m n o p q -", SH_COMP_PATH, NULL);
}

/* Parse text and check that it names exactly want (names joined by ' ', in order). */
static void opts_are(const char *text, const char *want)
{
	struct sh_opts o;
	sh_opts_clear(&o);
	sh_opts_parse_help(&o, text, strlen(text));
	char got[SH_OPTS_MAX * SH_OPT_NAME] = "";
	for (unsigned i = 0; i < o.n; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, o.v[i].name);
	}
	if (strcmp(got, want))
		fail_msg("text [%s]: got [%s], want [%s]", text, got, want);
}

static const char *desc_of(const char *text, const char *name)
{
	static struct sh_opts o;
	sh_opts_clear(&o);
	sh_opts_parse_help(&o, text, strlen(text));
	for (unsigned i = 0; i < o.n; i++)
		if (!strcmp(o.v[i].name, name))
			return o.v[i].desc;
	return NULL;
}

static void test_help_options(void **state)
{
	(void)state;
	/* our tools' texts (user/tools: "usage: " + usage + help) */
	static const char ls[] =
	    "usage: ls [-1alh] [path ...]\n"
	    "Lists each directory's entries sorted by name (none given: the current directory),\n"
	    "or names each file. Any URI works: ls dev:///block, ls proc://.\n"
	    "  -1  one entry a line (the default when standard output is not a terminal)\n"
	    "  -a  also entries whose names start with '.'\n"
	    "  -l  long format: type (d dir, - file, l link, b block device, c other device,\n"
	    "      s service, ? other), links, size (a directory: entries), name, a link's target\n"
	    "  -h  with -l, sizes for people (1.5K, 12M)\n"
	    "Not supported: -R (see tree), sorting by time or size.\n";
	opts_are(ls, "-1 -a -l -h");
	assert_string_equal(desc_of(ls, "-a"), "also entries whose names start with '.'");
	assert_string_equal(desc_of(ls, "-1"),
	                    "one entry a line (the default when standard output is not a");
	opts_are("usage: grep [-ivncr] pattern [file ...]\n"
	         "x* zero or more of x, ^ the start and $ the end of the line.\n"
	         "  -i  ignore case   -v  the lines that do not match   -n  with line numbers\n"
	         "  -c  only how many lines match   -r  read directories recursively\n"
	         "Not supported: groups \\( \\), \\{n,m\\}, alternation, -E, -F, -l, -w.\n",
	         "-i -v -n -c -r");
	assert_string_equal(desc_of("  -i  ignore case   -v  the lines that do not match\n", "-i"),
	                    "ignore case");
	opts_are("usage: head [-n lines] [file ...]\n  -n N  the first N lines (default 10)\n"
	         "Not supported: -c (bytes), negative counts.\n",
	         "-n");
	assert_string_equal(desc_of("  -n N  the first N lines\n", "-n"), "the first N lines");
	opts_are("usage: date\n"
	         "  -s TIME  set the clock to TIME, UTC: \"YYYY-MM-DD HH:MM[:SS]\" (a T may stand\n"
	         "           the space; \" UTC\" or Z may follow) or @SECONDS since 1970; then\n",
	         "-s");
	opts_are("usage: find [path ...] [-name glob] [-type f|d|l]\n"
	         "  -name glob  the last name matches\n  -type t     f a file, d a directory\n",
	         "-name -type");
	opts_are("usage: sched [show] | sched set [--latency NS] [--min NS] [--max NS] [--mode "
	         "MODE]\n  --latency NS  target latency\n  --mode MODE   latency, throughput\n",
	         "--latency --min --max --mode");
	opts_are("usage: serial [-b baud] [-f format] [-r] [-l] [-c] port\n"
	         "  -r         RTS/CTS flow control\n"
	         "             (any of -b -f -r -l sets the line: flow control and loopback are\n",
	         "-b -f -r -l -c");
	opts_are("usage: kill pid ...\n"
	         "Not supported: signals (-9, -TERM, ...: a process is killed, there are no\n"
	         "signals), process groups, names (see ps for the pid).\n",
	         "");
	/* the shell's own run (a bracket inside a bracket) */
	opts_are("usage: run [--grant <uri>[:rwm] | --grant <name> | --pool <size>]... [--] prog\n",
	         "--grant --pool");
	/* GNU style */
	opts_are("Usage: ls [OPTION]... [FILE]...\n"
	         "  -a, --all                  do not ignore entries starting with .\n"
	         "      --color[=WHEN]         colorize the output\n"
	         "  -w, --width=COLS           set output width to COLS\n"
	         "  -T, --tabsize COLS  assume tab stops\n"
	         "  -x | --across  list across\n"
	         "      --help     display this help and exit\n",
	         "-a --all --color -w --width -T --tabsize -x --across --help");
	assert_string_equal(desc_of("  -a, --all   do not ignore\n", "--all"), "do not ignore");
	assert_string_equal(desc_of("  -x frob the widget\n", "-x"), "frob the widget");
	/* no newline at the end, CRs, tabs */
	opts_are("\t-q\tquiet\r\n  -v", "-q -v");
	/* not names: "-", "--", "---x", "-.", "-x)", a name too long, a non-ASCII letter */
	opts_are("  -  stdin\n  --  the end\n  ---x  three\n  -.  dot\n  -x)  paren\n"
	         "  --aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  long\n  -\xc3\xa9  e\n",
	         "");
	opts_are("usage: x [-] [--] [-_] [-a-b]\n", "-a-b"); /* a name, not a cluster */
	/* repeats are one option; the description comes from the option line */
	opts_are("usage: t [-ab] [-a]\n  -a  the a\n  -a  again\n", "-a -b");
	assert_string_equal(desc_of("usage: t [-ab]\n  -a  the a\n", "-a"), "the a");
	assert_string_equal(desc_of("usage: t [-ab]\n  -a  the a\n", "-b"), "");
	/* hostile: escape sequences and controls never reach a description; long ones are cut
	 * at a character's boundary; NULs are bytes like any */
	const char *d = desc_of("  -e  \x1b[2J\x1b]0;title\x07red\xc2\x9b"
	                        "31m \xe6\x97\xa5 ok\n",
	                        "-e");
	assert_non_null(d);
	for (const char *p = d; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f && (unsigned char)*p != 0xc2);
	assert_non_null(strstr(d, "\xe6\x97\xa5 ok"));
	char longdesc[400] = "  -l  ";
	for (int i = 0; i < 100; i++)
		strcat(longdesc, "\xe6\x97\xa5"); /* 3 bytes each */
	d = desc_of(longdesc, "-l");
	assert_true(strlen(d) < SH_OPT_DESC && strlen(d) % 3 == 0 && strlen(d) >= SH_OPT_DESC - 3);
	static const char nul[] = "  -a  one\0  -b  two\n  -c  three\n";
	struct sh_opts o;
	sh_opts_clear(&o);
	sh_opts_parse_help(&o, nul, sizeof(nul) - 1);
	assert_int_equal(o.n, 3); /* the NUL is a byte of -a's description */
	assert_string_equal(o.v[0].desc, "one?");
	assert_string_equal(o.v[1].name, "-b");
	assert_string_equal(o.v[2].name, "-c");
	/* more options than the table holds: the first SH_OPTS_MAX, and cut */
	static char many[200 * 16];
	many[0] = 0;
	for (int i = 0; i < 200; i++)
		sprintf(many + strlen(many), "  --o%d  x\n", i);
	sh_opts_clear(&o);
	sh_opts_parse_help(&o, many, strlen(many));
	assert_int_equal(o.n, SH_OPTS_MAX);
	assert_true(o.cut);
	assert_string_equal(o.v[SH_OPTS_MAX - 1].name, "--o63");
	/* one enormous line */
	static char huge[100000];
	memset(huge, '-', sizeof(huge) - 1);
	opts_are(huge, "");
	memset(huge, ' ', sizeof(huge) - 1);
	huge[2] = '-';
	huge[3] = 'z';
	opts_are(huge, "-z");
	/* sh_opts_add checks what it is given */
	sh_opts_clear(&o);
	assert_true(sh_opts_add(&o, "--help", 6, "usage", 5));
	assert_false(sh_opts_add(&o, "help", 4, "", 0));
	assert_false(sh_opts_add(&o, "-x y", 4, "", 0));
	assert_true(sh_opts_add(&o, "--help", 6, "again", 5));
	assert_int_equal(o.n, 1);
	assert_string_equal(o.v[0].desc, "usage");
}

/* Random help texts: nothing crashes or overruns, and every name kept is a name. */
static void test_fuzz_help(void **state)
{
	(void)state;
	static const char alpha[] = "ab-- -\n\t,|=[]:usage\x1b\xc3\xa9\x00\x7f\r";
	unsigned seed = 777;
	static struct sh_opts o;
	for (int iter = 0; iter < 20000; iter++) {
		char buf[200];
		size_t n = (size_t)(iter % 200);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		sh_opts_clear(&o);
		sh_opts_parse_help(&o, buf, n);
		assert_true(o.n <= SH_OPTS_MAX);
		for (unsigned i = 0; i < o.n; i++) {
			size_t l = strlen(o.v[i].name);
			assert_true(l >= 2 && l < SH_OPT_NAME && o.v[i].name[0] == '-');
			assert_true(strlen(o.v[i].desc) < SH_OPT_DESC);
			for (const char *p = o.v[i].desc; *p; p++)
				assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
		}
	}
}

/* Random bytes from a shell-ish alphabet: nothing crashes, leaks or overruns. */
static void test_fuzz(void **state)
{
	(void)state;
	static const char alpha[] = "ab $\\'\"{}|&;<>12#\n\t~*?[]!-:=";
	unsigned seed = 12345;
	struct sh_ed e;
	sh_ed_start(&e, NULL);
	for (int iter = 0; iter < 20000; iter++) {
		char buf[40];
		size_t n = (size_t)(iter % 39);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		buf[n] = 0;
		struct sh_arena a = {0};
		struct sh_parse_result r;
		int st = sh_parse(&a, buf, n, &r);
		assert_true(st == SH_PARSE_OK || st == SH_PARSE_INCOMPLETE || st == SH_PARSE_ERROR);
		if (st == SH_PARSE_OK)
			for (unsigned i = 0; i < r.list.n; i++)
				for (unsigned j = 0; j < r.list.items[i].npipes; j++) {
					struct sh_pipeline *p = &r.list.items[i].pipes[j];
					for (unsigned k = 0; k < p->ncmds; k++)
						for (unsigned w = 0; w < p->cmds[k].nwords; w++) {
							struct sh_fields f = {0};
							assert_int_equal(
							    sh_expand_word(p->cmds[k].words[w],
							                   &ops, &f),
							    0);
							sh_fields_free(&f);
						}
				}
		sh_arena_free(&a);
		struct sh_fields f = {0};
		assert_int_equal(sh_expand_word(buf, &ops, &f), 0); /* even unparsed words */
		sh_fields_free(&f);
		for (size_t i = 0; i < n; i++)
			if (sh_ed_feed(&e, (unsigned char)buf[i] ^ (unsigned char)(iter & 0x1f)) ==
			    SH_ED_ACCEPT)
				sh_ed_next(&e);
		assert_true(e.pos <= e.len && e.len < SH_ED_MAX);
	}
}

/* Random sequences of the shell's own words and operators: the compound commands'
 * parser and the expansion of what it accepts never crash, leak or go too deep. */
static void pf(const char *fmt, int argc, char **argv, const char *want, int status)
{
	struct sh_printf_result r;
	int rc = sh_printf_format(fmt, argc, argv, &r);
	if (!want) {
		assert_int_equal(rc, -1);
		assert_true(r.error[0] != 0);
		return;
	}
	assert_int_equal(rc, 0);
	if (r.len != strlen(want) || memcmp(r.out ? r.out : "", want, r.len) != 0)
		fail_msg("printf [%s]: got [%.*s], want [%s]", fmt, (int)r.len, r.out ? r.out : "",
		         want);
	assert_int_equal(r.status, status);
	free(r.out);
}

static void test_printf(void **state)
{
	(void)state;
	char *a[] = {"12", "abc", "0x1f", "'A", "x\\ty\\cz", "-7", "nan"};
	pf("plain\\n", 0, NULL, "plain\n", 0);
	pf("%s|%d|%x\\n", 3, (char *[]){"s", "42", "255"}, "s|42|ff\n", 0);
	pf("%5s|%-5s|%.2s|", 3, (char *[]){"ab", "cd", "xyz"}, "   ab|cd   |xy|", 0);
	pf("%05d|%+d|%X|%o|%u", 5, (char *[]){"42", "3", "0x1f", "8", "7"}, "00042|+3|1F|10|7", 0);
	pf("%d", 1, a + 3, "65", 0); /* 'A */
	pf("%c%c", 2, (char *[]){"hello", "w"}, "hw", 0);
	pf("100%%", 0, NULL, "100%", 0);
	pf("%s,", 3, a, "12,abc,0x1f,", 0); /* the format again for the rest */
	pf("%s=%s;", 3, a, "12=abc;0x1f=;", 0);
	pf("%s-%d.", 0, NULL, "-0.", 0); /* missing: "" and 0 */
	pf("%b|", 1, a + 4, "x\ty", 0); /* %b: escapes, \c ends everything */
	pf("\\101\\x42\\e\\q", 0, NULL, "AB\x1b\\q", 0);
	pf("%d|", 1, a + 6, "0|", 1); /* not a number: 0, status 1 */
	pf("%d", 1, a + 5, "-7", 0);
	pf("%q", 1, a, NULL, 1); /* an invalid conversion */
	pf("50%", 0, NULL, NULL, 1);
	pf("", 2, a, "", 0);
	/* * widths and precisions take the next argument; negative: left-justified,
	 * or no precision; missing: 0; not a number: 0 and status 1 */
	pf("%*d|%-*s|%.*s\\n", 6, (char *[]){"5", "42", "4", "ab", "2", "xyz"}, "   42|ab  |xy\n",
	   0);
	pf("[%*s][%-*d]", 4, (char *[]){"-4", "ab", "-3", "7"}, "[ab  ][7  ]", 0);
	pf("[%.*s][%.*d]", 4, (char *[]){"-1", "abc", "3", "7"}, "[abc][007]", 0);
	pf("[%*.*s]", 3, (char *[]){"5", "1", "xyz"}, "[    x]", 0);
	pf("[%*s][%.*s]", 0, NULL, "[][]", 0);
	pf("[%*d]", 1, (char *[]){"3"}, "[  0]", 0);
	pf("[%*s]", 2, (char *[]){"zz", "a"}, "[a]", 1);
	pf("%*s|", 4, (char *[]){"2", "a", "3", "b"}, " a|  b|", 0); /* the format again */
	pf("%*d", 2, (char *[]){"70000", "1"}, NULL, 1); /* too wide: an error */
	pf("%99999d", 1, (char *[]){"1"}, NULL, 1);
	/* a number wider than snprintf's scratch space is written whole */
	struct sh_printf_result w;
	assert_int_equal(sh_printf_format("%*d|%0300x", 3, (char *[]){"-500", "9", "255"}, &w), 0);
	assert_int_equal(w.len, 801);
	assert_int_equal(w.out[0], '9');
	assert_int_equal(w.out[499], ' ');
	assert_int_equal(w.out[500], '|');
	assert_int_equal(w.out[501], '0');
	assert_string_equal(w.out + 799, "ff");
	assert_int_equal(w.status, 0);
	free(w.out);
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	struct sh_printf_result r;
	assert_int_equal(sh_printf_format("[%2000.1500s]", 1, (char *[]){big}, &r), 0);
	assert_int_equal(r.len, 2002);
	free(r.out);
}

static void test_fuzz_words(void **state)
{
	(void)state;
	static const char *const words[] = {
	    "if ",  "then ", "elif ", "else ", "fi ", "while ", "until ", "do ", "done ",
	    "for ", "in ",   "case ", "esac ", "{ ",  "} ",     "( ",     ") ",  ";; ",
	    "; ",   "\n",    "| ",    "&& ",   "|| ", "! ",     "& ",     "a ",  "x) ",
	    "$(",   ")",     "$((",   "))",    "`",   "1+",     "*",      "'",   "\"",
	    "f() ", "$1",    "> o ",  "2>&1 ", "$x ", "\\",     "#",      "-(",  "/0",
	};
	unsigned seed = 777;
	for (int iter = 0; iter < 20000; iter++) {
		char buf[256] = "";
		size_t n = (size_t)(iter % 24);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			strcat(buf, words[(seed >> 16) % (sizeof(words) / sizeof(*words))]);
		}
		struct sh_arena a = {0};
		struct sh_parse_result r;
		int st = sh_parse(&a, buf, strlen(buf), &r);
		assert_true(st == SH_PARSE_OK || st == SH_PARSE_INCOMPLETE || st == SH_PARSE_ERROR);
		for (unsigned i = 0; st == SH_PARSE_OK && i < r.list.n; i++)
			for (unsigned j = 0; j < r.list.items[i].npipes; j++) {
				struct sh_pipeline *p = &r.list.items[i].pipes[j];
				for (unsigned k = 0; k < p->ncmds; k++)
					for (unsigned w = 0; w < p->cmds[k].nwords; w++) {
						struct sh_fields f = {0};
						sh_expand_word(p->cmds[k].words[w], &ops, &f);
						sh_fields_free(&f);
					}
			}
		sh_arena_free(&a);
		struct sh_fields f = {0};
		sh_expand_word(buf, &ops, &f); /* even unparsed words */
		sh_fields_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_simple),
	    cmocka_unit_test(test_parse_redirs),
	    cmocka_unit_test(test_parse_quotes),
	    cmocka_unit_test(test_parse_incomplete_and_errors),
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_glob_match),
	    cmocka_unit_test(test_editor_keys),
	    cmocka_unit_test(test_editor_utf8),
	    cmocka_unit_test(test_editor_wide),
	    cmocka_unit_test(test_wcwidth),
	    cmocka_unit_test(test_editor_history),
	    cmocka_unit_test(test_history),
	    cmocka_unit_test(test_completion),
	    cmocka_unit_test(test_completion_kinds),
	    cmocka_unit_test(test_help_options),
	    cmocka_unit_test(test_fuzz_help),
	    cmocka_unit_test(test_fuzz),
	    cmocka_unit_test(test_parse_flow),
	    cmocka_unit_test(test_parse_flow_errors),
	    cmocka_unit_test(test_expand_subst_arith),
	    cmocka_unit_test(test_test_builtin),
	    cmocka_unit_test(test_fuzz_words),
	    cmocka_unit_test(test_printf),
	    cmocka_unit_test(test_parse_subshell_heredoc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
