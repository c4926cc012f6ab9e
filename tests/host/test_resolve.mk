# Namespace resolution over two tmpfs trees: links, binds, sandbox escapes, loops.
test_resolve_SRCS := shared/ns_resolve.c shared/ns_uri.c user/tmpfs/tree.c
test_resolve_CFLAGS := -Ishared/include -Iuser/tmpfs
