# Host test of the user-space C library's stdlib side (malloc, qsort, env, exit, time).
# It shares the renamed libc object with test_libc; its build rule is in test_libc.mk.

test_libc_stdlib_RULE := custom
