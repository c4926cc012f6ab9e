# The home disk (docs/fsd.md): an ext2 image of the directory disk/home, plus the SDK's
# example driver and its drivers.d manifest (mk/sdk.mk: bin/edu-driver,
# etc/drivers.d/edu.manifest, which Exec reads at a normal boot), made by the host's
# mke2fs -d from the staged tree $(B)/home-tree, attached to every boot as the next virtio-blk disk after the
# scratch disks of mk/disks.mk (tools/qemu.sh; `make run DISK=path.img` attaches
# another image instead). fsd serves it at fs:///disk. A build output, never committed;
# rebuilt when anything under disk/home changes (which starts it afresh: changes made
# in the VM are lost then).
#   $(B)/disk-home.img                 64 MiB ext2 as mke2fs makes it for that size
#                                      (1 KiB blocks, 256-byte inodes, 16,384 inodes)
#   $(B)/initrd/etc/fs-home.sums       "<cksum CRC> <bytes> <path>" per regular file of
#                                      the image (POSIX cksum), packed into the initrd
#                                      so bin/fstest can check what it reads

HOME_DISK := $(B)/disk-home.img
HOME_DISK_SUMS := $(B)/initrd/etc/fs-home.sums
HOME_DISK_SRCS := $(shell find disk/home 2>/dev/null)
HOME_TREE := $(B)/home-tree
DISK_IMAGES += $(HOME_DISK)

# disk/home as it is, and the example driver a third party would install (mk/sdk.mk)
$(HOME_TREE).stamp: $(HOME_DISK_SRCS) $(SDK_EXAMPLE) examples/edu-driver/edu.manifest mk/homedisk.mk
	$(Q)rm -rf $(HOME_TREE) && mkdir -p $(HOME_TREE) && cp -a disk/home/. $(HOME_TREE)/
	$(Q)install -D -m 755 $(SDK_EXAMPLE) $(HOME_TREE)/bin/edu-driver
	$(Q)strip --strip-debug $(HOME_TREE)/bin/edu-driver
	$(Q)install -D -m 644 examples/edu-driver/edu.manifest $(HOME_TREE)/etc/drivers.d/edu.manifest
	$(Q)touch $@

# Fixed UUID and hash seed: the same tree gives the same file system.
$(HOME_DISK): $(HOME_TREE).stamp mk/homedisk.mk
	@mkdir -p $(dir $@)
	$(Q)rm -f $@.tmp && truncate -s 64M $@.tmp
	$(Q)E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -L home -m 0 \
		-U 6c0e2f5a-17f5-4d2e-9a57-6f7364000001 \
		-E root_owner=0:0,hash_seed=6c0e2f5a-17f5-4d2e-9a57-6f7364000002 \
		-d $(HOME_TREE) $@.tmp
	$(Q)mv $@.tmp $@

$(HOME_DISK_SUMS): $(HOME_TREE).stamp mk/homedisk.mk
	@mkdir -p $(dir $@)
	$(Q)(cd $(HOME_TREE) && find . -type f | LC_ALL=C sort | sed 's|^\./||' | \
		while read -r f; do set -- $$(cksum <"$$f"); echo "$$1 $$2 $$f"; done) >$@.tmp
	$(Q)mv $@.tmp $@

$(INITRD): $(HOME_DISK_SUMS)
