# Host test of the user-space C library's files (fd.c, path.c, dirent.c, stdio.c) over
# the fake namespace of libc_ns_fake.c. It shares the renamed libc object with test_libc;
# its build rule is in test_libc.mk.

test_libc_files_RULE := custom
