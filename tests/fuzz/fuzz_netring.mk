# Both sides of a net session (shared/netring.c, shared/devring.c) with a peer scribbling on the rings.
fuzz_netring_SRCS := shared/netring.c shared/devring.c
