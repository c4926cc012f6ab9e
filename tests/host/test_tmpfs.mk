# The tmpfs provider's file tree: every operation, POSIX corner cases, listings, limits.
test_tmpfs_SRCS := user/tmpfs/tree.c
test_tmpfs_CFLAGS := -Iuser/tmpfs
