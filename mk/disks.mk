# The scratch disks every boot gets (tools/qemu.sh, docs/devices.md): raw images whose
# byte i is i mod 251, so a driver's reads can be checked anywhere on them. QEMU runs
# them with snapshot=on (or read-only), so no boot changes them.
#   $(B)/disk-vd.img     8 MiB, virtio-blk, read-write (vda)
#   $(B)/disk-vd-ro.img  1 MiB, virtio-blk, read-only (vdb)
#   $(B)/disk-sd.img     4 MiB, SATA on the AHCI controller (sda)

DISK_IMAGES := $(B)/disk-vd.img $(B)/disk-vd-ro.img $(B)/disk-sd.img

# pattern_image FILE BYTES
define pattern_image
	@mkdir -p $(dir $(1))
	$(Q)perl -e 'my $$p = pack("C*", 0 .. 250); print substr($$p x (int($(2) / 251) + 1), 0, $(2))' >$(1).tmp
	$(Q)mv $(1).tmp $(1)
endef

$(B)/disk-vd.img: mk/disks.mk
	$(call pattern_image,$@,8388608)

$(B)/disk-vd-ro.img: mk/disks.mk
	$(call pattern_image,$@,1048576)

$(B)/disk-sd.img: mk/disks.mk
	$(call pattern_image,$@,4194304)

.PHONY: disks
disks: $(DISK_IMAGES)
