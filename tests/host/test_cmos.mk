# The CMOS clock's register decoding (shared/cmos.c, user/drivers/cmos-rtc).
test_cmos_SRCS := shared/cmos.c
