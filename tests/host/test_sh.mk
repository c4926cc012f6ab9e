# The shell's pure parts (user/sh): lexer and parser, expansion and quoting, arithmetic, test,
# patterns, the line editor's state machine, the history and completion.
test_sh_SRCS := user/sh/parse.c user/sh/lex.c user/sh/expand.c user/sh/arith.c user/sh/testcmd.c user/sh/edit.c user/sh/hist.c user/sh/complete.c user/sh/printfmt.c
test_sh_CFLAGS := -Iuser/sh
