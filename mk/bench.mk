# make bench: CharlotteOS against Debian's Linux kernel in the same QEMU machine
# (docs/bench.md). Boots each twice, under `-icount shift=0,sleep=off` (figures in
# guest instructions) and in plain TCG (wall-clock ns), and prints a table of the
# ratios CharlotteOS / Linux; results go to build/bench.json. A fifth boot runs
# CharlotteOS alone on BENCH_SCHED_SMP CPUs under icount for the scheduler
# metrics' SMP form (rows *_smp4; docs/bench.md "The SMP boot").
#
#   make bench                  everything: packages, both systems, five boots
#   make bench BENCH_SMP=2      another CPU count (Linux 6.1 hangs bringing up a
#                               second CPU under -icount: docs/bench.md)
#   make bench BENCH_SCHED_SMP=0   without the SMP boot
#   make bench-linux            only build the Linux side (vmlinux + initramfs)
#
# Linux side, in $(B)/bench/:
#   vmlinux          the ELF kernel extracted from Debian's /boot/vmlinuz-* (PVH boot)
#   linuxbench       bench/linux/linuxbench.c, static against glibc
#   initramfs.cpio   busybox-static + linuxbench + bench/linux/init + virtio modules
#                    + ext4 and what it needs (the fs_* metrics)
# Both sides, in $(B)/bench/:
#   fs-bench.img     the fs_* metrics' disk: 64 MiB ext2, 4 KiB blocks (mke2fs -t ext2
#                    -d), holding read1m.bin (1 MiB, byte i = i mod 251) and an empty
#                    directory create/; tools/bench.sh attaches a fresh copy of it to
#                    each boot as the home disk (vdc), read-write
# Works included by the top-level Makefile or alone: make -f mk/bench.mk bench-linux.

B ?= build
Q ?= @

BENCH_DIR := $(B)/bench
BENCH_SMP ?= 1
BENCH_SCHED_SMP ?= 4
BENCH_MEM ?= 256M
# The newest Debian amd64 kernel installed (tools/deps.sh bench installs one);
# `make bench` re-runs make after installing packages, so this sees it.
LINUX_BZIMAGE ?= $(lastword $(sort $(wildcard /boot/vmlinuz-*-amd64)))
BENCH_VMLINUX := $(BENCH_DIR)/vmlinux
BENCH_LINUXBENCH := $(BENCH_DIR)/linuxbench
BENCH_INITRAMFS := $(BENCH_DIR)/initramfs.cpio
BENCH_FS_IMG := $(BENCH_DIR)/fs-bench.img
BENCH_HOST_CC ?= gcc
BENCH_HOST_CFLAGS := -std=gnu17 -O2 -static -pthread -Wall -Wextra -Werror

.PHONY: bench bench-linux bench-run

bench:
	$(Q)tools/deps.sh build
	$(Q)tools/deps.sh bench
	$(Q)$(MAKE) --no-print-directory -f Makefile all
	$(Q)$(MAKE) --no-print-directory -f mk/bench.mk B=$(B) bench-linux
	$(Q)tools/bench.sh --smp $(BENCH_SMP) --sched-smp $(BENCH_SCHED_SMP) --mem $(BENCH_MEM)

# The benchmark alone, on images already built.
bench-run:
	$(Q)tools/bench.sh --smp $(BENCH_SMP) --sched-smp $(BENCH_SCHED_SMP) --mem $(BENCH_MEM)

bench-linux: $(BENCH_VMLINUX) $(BENCH_INITRAMFS) $(BENCH_FS_IMG)

$(BENCH_VMLINUX): $(LINUX_BZIMAGE) tools/bench-vmlinux.sh
	@mkdir -p $(@D)
	$(Q)test -n "$(LINUX_BZIMAGE)" || { echo "bench: no /boot/vmlinuz-*-amd64:" \
		"install linux-image-amd64 (tools/deps.sh bench)" >&2; exit 1; }
	$(Q)tools/bench-vmlinux.sh $(LINUX_BZIMAGE) $@

$(BENCH_LINUXBENCH): bench/linux/linuxbench.c bench/sched_bench.h bench/fs_bench.h \
		bench/blk_bench.h mk/bench.mk
	@mkdir -p $(@D)
	$(Q)$(BENCH_HOST_CC) $(BENCH_HOST_CFLAGS) -o $@ $<

# The kernel's version, for its virtio block modules (blk_read_4k).
LINUX_KVER := $(patsubst vmlinuz-%,%,$(notdir $(LINUX_BZIMAGE)))

$(BENCH_INITRAMFS): $(BENCH_LINUXBENCH) bench/linux/init tools/bench-initramfs.sh
	$(Q)tools/bench-initramfs.sh $@ $(BENCH_LINUXBENCH) bench/linux/init $(LINUX_KVER)

# The fs_* metrics' ext2 image (docs/bench.md, "fs_read_1m, fs_create_small, fs_stat"):
# fixed UUID, hash seed and times, so the same make gives the same file system.
$(BENCH_FS_IMG): mk/bench.mk
	@mkdir -p $(@D)
	$(Q)rm -rf $@.d $@.tmp && mkdir -p $@.d/create
	$(Q)perl -e 'my $$p = pack("C*", 0 .. 250); print substr($$p x 4178, 0, 1048576)' \
		>$@.d/read1m.bin
	$(Q)touch -d @1700000000 $@.d/read1m.bin $@.d/create
	$(Q)truncate -s 64M $@.tmp
	$(Q)E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -b 4096 -L fsbench -m 0 \
		-U 6c0e2f5a-17f5-4d2e-9a57-6f7364000011 \
		-E root_owner=0:0,hash_seed=6c0e2f5a-17f5-4d2e-9a57-6f7364000012 \
		-d $@.d $@.tmp
	$(Q)rm -rf $@.d && mv $@.tmp $@
