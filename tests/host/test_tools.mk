# The pure logic of the tools (user/tools/lib: sha256, the matchers, wc, sizes, sort,
# hexdump, tree, ls columns, dates, proc:// status text, edit's text), checked against tables and the host's own tools.
test_tools_SRCS := user/tools/lib/sha256.c user/tools/lib/match.c user/tools/lib/text.c \
	user/tools/lib/procinfo.c user/tools/lib/edbuf.c user/tools/lib/modespec.c
test_tools_CFLAGS := -Iuser/tools/lib
