# Namespace resolution over two tmpfs trees: links, binds, sandbox escapes, loops.
test_resolve_SRCS := nsdraft/resolve.c nsdraft/uri.c user/tmpfs/tree.c
test_resolve_CFLAGS := -I/tmp/nsinc -Insdraft -Iuser/tmpfs
