/*
 * lang.c - bin/shtest's scripts for the shell language beyond control flow
 * (docs/shell.md): ( ... ) subshells, here-documents and here-strings, printf,
 * eval and ${#x}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <charlotte/testing.h>

#include "shtest.h"

void shtest_subshell(void)
{
	/* variables, cd, functions, set -- and exit stay inside; the status comes out */
	SCRIPT("x=1; export E=out; cd " SHDIR "\n"
	       "(x=2; E=in; cd g; echo $x $E; pwd | shtest upper)\n"
	       "echo $x $E; pwd\n"
	       "set -- a b; (set -- c; echo $#$1); echo $#$1\n"
	       "f() { echo f; }; (unset -f f; g() { echo g; }; g); f; type g || echo no g\n"
	       "(exit 3); echo $?; (false) || echo failed\n"
	       "(echo one; echo two) | shtest upper\n"
	       "(echo err >&2) 2>&1 | shtest upper\n"
	       "( (y=deep; echo $y) ); echo \"[$y]\"\n"
	       "v=$( (echo inner; exit 4) ); echo $v $?\n"
	       "h() { (return 5); echo h $?; }; h\n",
	       "2 in\nFS:///TMP/SHTEST/G\n1 out\nfs:///tmp/shtest\n1c\n2a\ng\nf\nno g\n3\nfailed\n"
	       "ONE\nTWO\nERR\ndeep\n[]\ninner 4\nh 5\n",
	       0);
	/* a syntax error inside: status 2 and the shell's message */
	SCRIPT("( ); echo $?\n", "", 2);
	CHECK(strstr(res.err, "syntax error"), "stderr [%s]", res.err);
	SCRIPT("(echo a\necho b)\necho c\n", "a\nb\nc\n", 0);
}

void shtest_heredoc(void)
{
	SCRIPT("x=ex\n"
	       "cat <<EOF\n"
	       "plain $x ${x}s $((2 + 3)) $(echo sub) \\$x \\\\ \"q\" 'q'\n"
	       "joined \\\n"
	       "line\n"
	       "EOF\n"
	       "cat <<'EOF'\n"
	       "literal $x \\$x $(echo no)\n"
	       "EOF\n"
	       "cat <<\\E\n"
	       "also $x\n"
	       "E\n"
	       "\tcat <<-END | shtest upper\n"
	       "\t\ttabs go\n"
	       "\tEND\n"
	       "cat <<A; cat <<B\n"
	       "first\n"
	       "A\n"
	       "second\n"
	       "B\n"
	       "f() {\n"
	       "  cat <<EOF\n"
	       "in f: $1\n"
	       "EOF\n"
	       "}\n"
	       "f arg\n"
	       "while read l; do echo \"<$l>\"; done <<EOF\n"
	       "r1\n"
	       "r2\n"
	       "EOF\n"
	       "cat <<EOF\n"
	       "EOF\n"
	       "echo end\n",
	       "plain ex exs 5 sub $x \\ \"q\" 'q'\n"
	       "joined line\n"
	       "literal $x \\$x $(echo no)\n"
	       "also $x\n"
	       "TABS GO\n"
	       "first\nsecond\n"
	       "in f: arg\n"
	       "<r1>\n<r2>\n"
	       "end\n",
	       0);
	/* here-strings: the word expanded (not split or globbed) and a newline */
	SCRIPT("x='a  b'; cat <<< $x\n"
	       "cat <<<\"[$x] $((1 + 2)) $(echo sub)\" | shtest upper\n"
	       "cat <<< '$x'; cat <<<*; HOME=fs:///h; cat <<< ~\n"
	       "read -r one two <<< \"first second\"; echo \"$two,$one\"\n"
	       "cat <<< ''; echo empty\n"
	       "f() { cat <<< \"in f: $1\"; }; f arg\n"
	       "shtest upper 0<<<zero\n",
	       "a  b\n[A  B] 3 SUB\n$x\n*\nfs:///h\nsecond,first\n\nempty\nin f: arg\nZERO\n", 0);
	/* no temporary file is left behind in fs:///tmp */
	SCRIPT("for f in fs:///tmp/.sh-*; do echo $f; done\n", "fs:///tmp/.sh-*\n", 0);
	/* the input ends before the delimiter */
	SCRIPT("echo a\ncat <<EOF\nnever\n", "a\n", 2);
	CHECK(strstr(res.err, "unexpected end of input"), "stderr [%s]", res.err);
}

void shtest_printf(void)
{
	SCRIPT("printf '%s=%d|%5s|%-4s|%x %X %o|%c|%%|%05d|%.2s\\n' a 42 r l 255 255 8 xyz 7 abc\n"
	       "printf '%*d|%-*s|%.*s|%*s|\\n' 5 42 4 ab 2 xyz -3 l\n"
	       "printf '%s,' 1 2 3; printf '\\n'\n"
	       "printf '%b|%s\\n' 'a\\tb' 'a\\tb'\n"
	       "printf '\\101\\x42\\n'\n"
	       "printf '%d %d\\n' \"'A\" 0x10\n"
	       "printf '[%s][%d]\\n'\n"
	       "printf 'no newline'; echo\n"
	       "printf '%d\\n' zz; echo $?\n"
	       "printf '%q\\n' x; echo $?\n"
	       "printf; echo $?\n"
	       "printf --help | shtest upper | { read l; echo $l; }\n"
	       "x=$(printf '%s-%s' a b); echo $x\n",
	       "a=42|    r|l   |ff FF 10|x|%|00007|ab\n"
	       "   42|ab  |xy|l  |\n"
	       "1,2,3,\n"
	       "a\tb|a\\tb\n"
	       "AB\n"
	       "65 16\n"
	       "[][0]\n"
	       "no newline\n"
	       "0\n1\n"
	       "1\n"
	       "2\n"
	       "USAGE: PRINTF FORMAT [ARG]...\n"
	       "a-b\n",
	       0);
	CHECK(strstr(res.err, "printf: zz: not a number"), "stderr [%s]", res.err);
	CHECK(strstr(res.err, "printf: %q: invalid conversion"), "stderr [%s]", res.err);
	CHECK(strstr(res.err, "usage: printf"), "stderr [%s]", res.err);
}

void shtest_eval(void)
{
	SCRIPT("eval 'a=1; echo $a'\n"
	       "cmd='echo x; echo y'; eval $cmd\n"
	       "n=b; eval \"$n=2\"; echo $b\n"
	       "eval 'for i in 1 2; do echo i$i; done'\n"
	       "eval 'echo to-err >&2' 2>&1 | shtest upper\n"
	       "eval; echo $?\n"
	       "eval 'false'; echo $?\n"
	       "eval 'if true'; echo $?\n"
	       "eval 'fi'; echo $?\n"
	       "f() { eval 'return 7'; echo no; }; f; echo $?\n"
	       "s=héllo; e=; echo ${#a} ${#s} ${#e} ${#unset} \"${#cmd}\"\n",
	       "1\nx\ny\n2\ni1\ni2\nTO-ERR\n0\n1\n2\n2\n7\n1 5 0 0 14\n", 0);
	CHECK(strstr(res.err, "unexpected end of input"), "stderr [%s]", res.err);
}
