test_buddy_SRCS := kernel/mm/buddy.c tests/host/host_support.c
