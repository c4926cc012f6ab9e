# libcharlotte's checks of received kbus messages (user/lib/charlotte/kmsg.c): typed
# messages, bulk transfers and device replies, each accepting exactly what it promises.
fuzz_kmsg_SRCS := user/lib/charlotte/kmsg.c
fuzz_kmsg_CFLAGS := -Iuser/lib
$(B)/fuzz/fuzz_kmsg: user/lib/charlotte/kbus.h user/lib/charlotte/bulk.h user/lib/charlotte/devcall.h
# Binary seeds: the target writes them itself (FUZZ_WRITE_SEEDS), in its own format.
fuzz_kmsg_SEEDS := $(B)/fuzz/seeds/fuzz_kmsg/bulk
$(fuzz_kmsg_SEEDS): $(B)/fuzz/fuzz_kmsg
	@mkdir -p $(@D)
	$(Q)FUZZ_WRITE_SEEDS=$(@D) $<
