# The shell's pure parts (user/sh): lexer and parser, expansion and quoting, arithmetic, test,
# patterns, the line editor's state machine (with libcharlotte's column widths, wcwidth.c, and
# their tables generated from Debian's unicode-data by mk/unicode.mk; and the console's
# terminal emulator, user/console/vt.c, to check the two agree on the cursor), the history
# and completion.
test_sh_SRCS := user/sh/parse.c user/sh/lex.c user/sh/expand.c user/sh/arith.c user/sh/testcmd.c user/sh/edit.c user/sh/hist.c user/sh/complete.c user/sh/helpopts.c user/sh/printfmt.c \
	user/lib/charlotte/wcwidth.c $(WCWIDTH_TABLE) user/console/vt.c
test_sh_CFLAGS := -Iuser/sh -Iuser/lib
