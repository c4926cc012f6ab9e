# The net session (shared/netring.c, shared/devring.c), each side against a hostile peer.
test_netring_SRCS := shared/netring.c shared/devring.c
