# The shell's language (user/sh): parser with compound commands, word expansion with
# $(...) and $((...)), arithmetic, test; --help texts (helpopts.c) and completion (complete.c).
fuzz_sh_SRCS := user/sh/parse.c user/sh/lex.c user/sh/expand.c user/sh/arith.c user/sh/testcmd.c user/sh/printfmt.c \
	user/sh/complete.c user/sh/helpopts.c
fuzz_sh_CFLAGS := -Iuser/sh
