# The initrd: a ustar archive GRUB loads as a module (PVH: qemu -initrd).
# Later issues put the user programs and Exec's manifest in build/initrd/.

INITRD := $(B)/initrd.tar
INITRD_FILES := $(shell find initrd -type f 2>/dev/null)

$(INITRD): $(INITRD_FILES)
	@mkdir -p $(B)/initrd
	$(Q)if [ -d initrd ]; then cp -r initrd/. $(B)/initrd/; fi
	$(Q)tar --format=ustar --owner=0 --group=0 --numeric-owner -C $(B)/initrd -cf $@ .
