# Both sides of a block session (shared/blkring.c, shared/devring.c) with a peer scribbling on the rings.
fuzz_blkring_SRCS := shared/blkring.c shared/devring.c
