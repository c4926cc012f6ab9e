# Host tests of libcharlotte's pure parts (start_info, the argument block builder,
# names) and of Charlotte Exec's manifest parser and restart policy.
test_charlotte_SRCS := user/lib/charlotte/startup.c user/lib/charlotte/names.c \
	user/exec/manifest.c user/exec/restart.c
test_charlotte_CFLAGS := -Iuser/lib -Iuser/exec
