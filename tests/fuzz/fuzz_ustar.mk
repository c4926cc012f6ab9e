# The initrd's ustar reader (shared/ustar.c): any archive bytes.
fuzz_ustar_SRCS := shared/ustar.c
# Seeds: small archives made by the host's GNU tar, in ustar and GNU format (a file, a
# symlink, a hard link, and a path of the longest ustar can hold: a 155-byte prefix, '/'
# and a 100-byte name).
FUZZ_USTAR_SEEDS := $(B)/fuzz/seeds/fuzz_ustar
FUZZ_USTAR_50 := 0123456789012345678901234567890123456789012345678
FUZZ_USTAR_LONG := etc/$(FUZZ_USTAR_50)x/$(FUZZ_USTAR_50)x/$(FUZZ_USTAR_50)
FUZZ_USTAR_NAME := $(FUZZ_USTAR_50)x$(FUZZ_USTAR_50)x
fuzz_ustar_SEEDS := $(FUZZ_USTAR_SEEDS)/ustar.tar
$(fuzz_ustar_SEEDS): tests/fuzz/fuzz_ustar.mk
	@rm -rf $(FUZZ_USTAR_SEEDS) && mkdir -p $(FUZZ_USTAR_SEEDS)/t/$(FUZZ_USTAR_LONG)
	$(Q)cd $(FUZZ_USTAR_SEEDS)/t && echo hello > etc/motd && \
		echo long > $(FUZZ_USTAR_LONG)/$(FUZZ_USTAR_NAME) && \
		ln -s motd etc/link && ln etc/motd etc/hard && \
		tar --format=gnu -b 1 -cf ../gnu.tar ./etc/motd ./etc/link && \
		tar --format=ustar -b 1 -cf ../long.tar $(FUZZ_USTAR_LONG) && \
		tar --format=ustar -b 1 -cf ../ustar.tar etc/motd etc/link etc/hard && \
		cd .. && rm -rf t
