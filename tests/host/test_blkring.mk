# The block session (shared/blkring.c, shared/devring.c), each side against a hostile peer.
test_blkring_SRCS := shared/blkring.c shared/devring.c
