# Namespace resolution (shared/ns_resolve.c) over tmpfs trees the input builds: links,
# binds, ".." chains; never ERR_INTERNAL, never a node outside the start's subtree.
fuzz_resolve_SRCS := shared/ns_resolve.c shared/ns_uri.c user/tmpfs/tree.c
fuzz_resolve_CFLAGS := -Iuser/tmpfs
