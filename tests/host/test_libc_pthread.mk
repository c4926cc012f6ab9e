# Host test of the user-space C library's threads, mutexes, condition variables and
# semaphores. It shares the renamed libc object with test_libc; its build rule is in
# test_libc.mk.

test_libc_pthread_RULE := custom
