# The provider framework serving the tmpfs tree: every operation, malformed requests, fuzz.
test_nsprov_SRCS := user/lib/charlotte/nsprov.c user/tmpfs/ops.c user/tmpfs/tree.c
test_nsprov_CFLAGS := -Iuser/tmpfs -Iuser/lib
