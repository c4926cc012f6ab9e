# lib/string.c defines memcpy & co., which would clash with the C library the
# test links: rename every function to k_<name> for this test only.
test_string_SRCS := kernel/lib/string.c tests/host/host_support.c
test_string_CFLAGS := $(foreach f,memcpy memmove memset memcmp strlen strnlen strcmp strncmp strchr strlcpy,-D$(f)=k_$(f))
