/*
 * flow.c - bin/shtest's control-flow scripts (docs/shell.md "Control flow"):
 * if, loops, case, functions, $(...), $((...)), scripts from files, and what
 * hostile scripts get (syntax errors, deep nesting, endless recursion).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <charlotte/testing.h>

#include "shtest.h"

void shtest_if(void)
{
	SCRIPT("if true; then echo a; fi\n"
	       "if false; then echo no; elif shtest exit 3; then echo no; else echo b $?; fi\n"
	       "if false\nthen\n  echo no\nelif true\nthen\n  echo c\nfi\n"
	       "if ! false; then echo d; fi; ! true; echo $?\n"
	       "if [ a = a ] && test 3 -lt 10 || false; then echo e; fi\n"
	       "[ -d " SHDIR " ] && echo f; [ -f " SHDIR " ] || echo g\n"
	       "test -z \"\" -a -n x; echo $?; [ x != x ]; echo $?\n"
	       "if false; then echo no; fi; echo $?\n"
	       "{ echo h; echo i; } | shtest upper\n"
	       "[ 1 -eq ]; echo $?\n",
	       "a\nb 3\nc\nd\n1\ne\nf\ng\n0\n1\n0\nH\nI\n2\n", 0);
}

void shtest_loops(void)
{
	SCRIPT(
	    "i=0; while [ $i -lt 5 ]; do echo -n $i; i=$((i + 1)); done; echo\n"
	    "until [ $i -eq 0 ]; do i=$((i - 1)); echo -n $i; done; echo\n"
	    "for w in a 'b c' \"$i\"; do echo \"[$w]\"; done\n"
	    "cd " SHDIR "/g; for f in *.txt; do echo $f; done\n"
	    "set -- x y; for a; do echo $a; done\n"
	    "for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done\n"
	    "for i in 1 2; do for j in a b c; do [ $j = b ] && continue 2; echo $i$j; done; "
	    "done\n"
	    "for i in 1 2; do while true; do break 2; done; echo never; done; echo out\n"
	    "n=0; while true; do n=$((n + 1)); [ $n -ge 3000 ] && break; done; echo $n\n"
	    "for i in a b; do echo $i; done | shtest upper\n"
	    "for i in 1 2; do shtest exit $i; done; echo $?\n"
	    "set -- a b c; while [ $# -gt 0 ]; do echo -n $1; shift; done; echo\n"
	    "echo 'x  y z' | { read a b; echo \"$b|$a\"; }\n"
	    "n=0; shtest cat < " SHDIR "/big | while read l; do n=$((n + 1)); done; echo $n\n"
	    "i=0; while [ $i -lt 2000 ]; do echo $i; i=$((i + 1)); done | while read l; do\n"
	    "  m=$l; done; echo $m\n"
	    "echo fs:///tmp/.sh-*\n"
	    "break; echo after\n",
	    "01234\n43210\n[a]\n[b c]\n[0]\na.txt\nb.txt\nx\ny\n1\n3\n1a\n2a\nout\n3000\nA\nB\n2\n"
	    "abc\ny z|x\n500\n1999\nfs:///tmp/.sh-*\nafter\n",
	    0);
}

void shtest_case(void)
{
	SCRIPT("for w in apple b.c Zed '*' ''; do\n"
	       "  case $w in\n"
	       "    a*) echo \"$w: a\";;\n"
	       "    *.c|*.h) echo \"$w: source\" ;;\n"
	       "    [A-Z]*)\n"
	       "      echo \"$w: capital\"\n"
	       "      ;;\n"
	       "    \\*) echo star;;\n"
	       "    *) echo other\n"
	       "  esac\n"
	       "done\n"
	       "x=b; case abc in a\"$x\"*) echo quoted;; esac\n"
	       "case '*' in \"*\") echo literal;; esac; case abc in \"*\") echo no;; esac\n"
	       "case x in y) echo no;; esac; echo $?\n",
	       "apple: a\nb.c: source\nZed: capital\nstar\nother\nquoted\nliteral\n0\n", 0);
}

void shtest_functions(void)
{
	SCRIPT("greet() { echo \"hello $1 ($# args: $@)\"; }\n"
	       "greet ada lovelace; greet\n"
	       "f() {\n  [ $1 -gt 2 ] && return 7\n  echo small $1\n}\n"
	       "f 1; echo $?; f 5; echo $?\n"
	       "fact() {\n"
	       "  if [ $1 -le 1 ]; then echo 1; return; fi\n"
	       "  echo $(($1 * $(fact $(($1 - 1)))))\n"
	       "}\n"
	       "fact 10\n"
	       "x=global; g() { local x=inner y; x=changed; echo $x; }; g; echo $x $y.\n"
	       "h() { for i in 1 2 3; do [ $i = 2 ] && return $i; done; echo never; }; h; echo $?\n"
	       "set -- p q; k() { echo $1; }; k r; echo $1 $#\n"
	       "type greet; unset -f greet; greet 2>" SHDIR "/err; echo $?\n"
	       "up() { shtest upper; }; echo piped | up\n"
	       "e() { nosuch; }; e 2> " SHDIR "/ferr; shtest cat < " SHDIR "/ferr\n"
	       "return 3; echo $?\n",
	       "hello ada (2 args: ada lovelace)\nhello  (0 args: )\n"
	       "small 1\n0\n7\n3628800\nchanged\nglobal .\n2\nr\np 2\n"
	       "greet is a function\n127\nPIPED\nsh: nosuch: not found\n1\n",
	       0);
}

void shtest_subst(void)
{
	SCRIPT("x=$(echo hello); echo \"[$x]\"\n"
	       "echo \"[$(echo a; echo; echo b; echo; echo)]\"\n"
	       "echo $(echo one two | shtest upper) `echo back`\n"
	       "echo \"$(echo \"$(echo nested)\")\"\n"
	       "n=$(for i in 1 2 3; do echo -n $i; done); echo $n\n"
	       "y=$(shtest exit 4); echo $? \"[$y]\"\n"
	       "z=$(exit 6; echo no); echo $? after\n"
	       "r() { v=$(return 5; echo no); echo \"$? [$v] still in r\"; }; r\n"
	       "for w in $(echo p q r); do echo -n $w.; done; echo\n"
	       "echo $(cd " SHDIR "/g; echo *.dat)\n",
	       "[hello]\n[a\n\nb]\nONE TWO back\nnested\n123\n4 []\n6 after\n5 [] still in "
	       "r\np.q.r.\nc.dat\n",
	       0);
	/* a program's output larger than a pipe holds, read while it runs */
	SCRIPT("big=$(shtest cat < " SHDIR "/big)\necho \"$big\" > " SHDIR "/big2\n", "", 0);
	static char a[40000], b[40000];
	int fa = open(SHDIR "/big", O_RDONLY), fb = open(SHDIR "/big2", O_RDONLY);
	CHECK(fa >= 0 && fb >= 0, "big files");
	ssize_t na = 0, nb = 0, r;
	while ((r = read(fa, a + na, sizeof(a) - (size_t)na)) > 0)
		na += r;
	while ((r = read(fb, b + nb, sizeof(b) - (size_t)nb)) > 0)
		nb += r;
	close(fa);
	close(fb);
	CHECK(na == nb && memcmp(a, b, (size_t)na) == 0, "$(...) of %zd bytes gave %zd", na, nb);
}

void shtest_arith(void)
{
	SCRIPT("echo $((1 + 2 * 3)) $(((1 + 2) * 3)) $((7 / 2)) $((7 % 3)) $((-3 + 1))\n"
	       "a=6; b=4; echo $((a * b)) $(($a - $b)) $((a > b)) $((a == b || b < a))\n"
	       "echo $((1 / 0)); echo $?\n"
	       "echo $((1 +)); echo $?\n"
	       "echo \"$((2 * 21))\"\n",
	       "7 9 3 1 -2\n24 2 1 1\n1\n1\n42\n", 0);
	CHECK(strstr(res.err, "division by zero"), "stderr [%s]", res.err);
}

void shtest_flow_script(void)
{
	const char script[] = "#!/bin/sh\n"
	                      "# a script with control flow across lines\n"
	                      "count() {\n"
	                      "  n=0\n"
	                      "  for arg in \"$@\"; do\n"
	                      "    n=$((n + 1))\n"
	                      "  done\n"
	                      "  echo $n\n"
	                      "}\n"
	                      "if [ $# -gt 0 ]\n"
	                      "then\n"
	                      "  echo args: $(count \"$@\")\n"
	                      "else\n"
	                      "  echo none\n"
	                      "fi\n"
	                      "i=3\n"
	                      "while [ $i -gt 0 ]\n"
	                      "do\n"
	                      "  case $i in\n"
	                      "    2) echo two ;;\n"
	                      "    *) echo $i ;;\n"
	                      "  esac\n"
	                      "  i=$((i - 1))\n"
	                      "done\n"
	                      "exit $i\n";
	CHECK(shtest_put_file(SHDIR "/flow.sh", script, sizeof(script) - 1) == 0, "flow.sh");
	SCRIPT(SHDIR "/flow.sh a b c; echo $?\nsh " SHDIR "/flow.sh\n",
	       "args: 3\n3\ntwo\n1\n0\nnone\n3\ntwo\n1\n", 0);
}

void shtest_flow_errors(void)
{
	/* an unterminated construct at the end of a script */
	SCRIPT("echo before\nif true; then\n  echo never\n", "before\n", 2);
	CHECK(strstr(res.err, "unexpected end of input"), "stderr [%s]", res.err);
	SCRIPT("echo a\nfi\necho b\n", "a\n", 2);
	CHECK(strstr(res.err, "syntax error near 'fi'"), "stderr [%s]", res.err);
	SCRIPT("while true; do; done\n", "", 2);
	/* nesting beyond the parser's bound */
	char deep[1200] = "";
	for (int i = 0; i < 100; i++)
		strcat(deep, "{ ");
	strcat(deep, "echo x\n");
	SCRIPT(deep, "", 2);
	CHECK(strstr(res.err, "nested too deeply"), "stderr [%s]", res.err);
	/* endless recursion: an error, and the shell goes on */
	SCRIPT("f() { f; }\nf; echo status $?\n"
	       "g() { echo $(g); }\ng; echo status $?\n"
	       "echo alive\n",
	       "status 2\n\nstatus 0\nalive\n", 0);
	CHECK(strstr(res.err, "nested too deeply"), "stderr [%s]", res.err);
	/* a compound command in the background runs in a new shell, with our state */
	SCRIPT("n=3; while [ $n -gt 0 ]; do echo $n; n=$((n - 1)); done & wait; echo $? $n\n",
	       "3\n2\n1\n0 3\n", 0);
	CHECK(strstr(res.err, "[1] while [ $n -gt 0 ]"), "stderr [%s]", res.err);
	/* ... with the bodies of here-documents begun on its line (past the '&'): each
	 * job its own, shown without them (builtins: three shells at once have too
	 * little pool left for a program each) */
	SCRIPT("cd " SHDIR "\n"
	       "{ read l; echo $l; } <<A > hd1 & read v <<B & { read l; echo $l; } <<-C > hd2 &\n"
	       "a1\n"
	       "A\n"
	       "b1\n"
	       "B\n"
	       "\tc1\n"
	       "\tC\n"
	       "wait; echo $? \"[$v]\"; shtest cat < hd1; shtest cat < hd2\n",
	       "0 []\na1\nc1\n", 0);
	CHECK(strstr(res.err, "[1] { read l; echo $l; } <<A > hd1\n") &&
	          strstr(res.err, "] read v <<B\n") &&
	          strstr(res.err, "] { read l; echo $l; } <<-C > hd2\n"),
	      "stderr [%s]", res.err);
}
