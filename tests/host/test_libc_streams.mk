# Host test of the user-space C library's streams (fd.c, stdio.c, termios.c, getopt.c)
# over the fake message bus of libc_stream_fake.c. It shares the renamed libc object
# with test_libc; its build rule is in test_libc.mk.

test_libc_streams_RULE := custom
