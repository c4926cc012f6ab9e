# bin/console's terminal emulator and line discipline (user/console/vt.c, ldisc.c).
fuzz_vt_SRCS := user/console/vt.c user/console/ldisc.c user/lib/charlotte/wcwidth.c $(WCWIDTH_TABLE)
fuzz_vt_CFLAGS := -Iuser/lib
