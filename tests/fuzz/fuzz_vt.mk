# bin/console's terminal emulator and line discipline (user/console/vt.c, ldisc.c).
fuzz_vt_SRCS := user/console/vt.c user/console/ldisc.c
