# make bench: CharlotteOS against Debian's Linux kernel in the same QEMU machine
# (docs/bench.md). Boots each twice, under `-icount shift=0,sleep=off` (figures in
# guest instructions) and in plain TCG (wall-clock ns), and prints a table of the
# ratios CharlotteOS / Linux; results go to build/bench.json.
#
#   make bench                  everything: packages, both systems, four boots
#   make bench BENCH_SMP=2      another CPU count (Linux 6.1 hangs bringing up a
#                               second CPU under -icount: docs/bench.md)
#   make bench-linux            only build the Linux side (vmlinux + initramfs)
#
# Linux side, in $(B)/bench/:
#   vmlinux          the ELF kernel extracted from Debian's /boot/vmlinuz-* (PVH boot)
#   linuxbench       bench/linux/linuxbench.c, static against glibc
#   initramfs.cpio   busybox-static + linuxbench + bench/linux/init + virtio modules
# Works included by the top-level Makefile or alone: make -f mk/bench.mk bench-linux.

B ?= build
Q ?= @

BENCH_DIR := $(B)/bench
BENCH_SMP ?= 1
BENCH_MEM ?= 256M
# The newest Debian amd64 kernel installed (tools/deps.sh bench installs one);
# `make bench` re-runs make after installing packages, so this sees it.
LINUX_BZIMAGE ?= $(lastword $(sort $(wildcard /boot/vmlinuz-*-amd64)))
BENCH_VMLINUX := $(BENCH_DIR)/vmlinux
BENCH_LINUXBENCH := $(BENCH_DIR)/linuxbench
BENCH_INITRAMFS := $(BENCH_DIR)/initramfs.cpio
BENCH_HOST_CC ?= gcc
BENCH_HOST_CFLAGS := -std=gnu17 -O2 -static -pthread -Wall -Wextra -Werror

.PHONY: bench bench-linux bench-run

bench:
	$(Q)tools/deps.sh build
	$(Q)tools/deps.sh bench
	$(Q)$(MAKE) --no-print-directory -f Makefile all
	$(Q)$(MAKE) --no-print-directory -f mk/bench.mk B=$(B) bench-linux
	$(Q)tools/bench.sh --smp $(BENCH_SMP) --mem $(BENCH_MEM)

# The benchmark alone, on images already built.
bench-run:
	$(Q)tools/bench.sh --smp $(BENCH_SMP) --mem $(BENCH_MEM)

bench-linux: $(BENCH_VMLINUX) $(BENCH_INITRAMFS)

$(BENCH_VMLINUX): $(LINUX_BZIMAGE) tools/bench-vmlinux.sh
	@mkdir -p $(@D)
	$(Q)test -n "$(LINUX_BZIMAGE)" || { echo "bench: no /boot/vmlinuz-*-amd64:" \
		"install linux-image-amd64 (tools/deps.sh bench)" >&2; exit 1; }
	$(Q)tools/bench-vmlinux.sh $(LINUX_BZIMAGE) $@

$(BENCH_LINUXBENCH): bench/linux/linuxbench.c bench/sched_bench.h mk/bench.mk
	@mkdir -p $(@D)
	$(Q)$(BENCH_HOST_CC) $(BENCH_HOST_CFLAGS) -o $@ $<

# The kernel's version, for its virtio block modules (blk_read_4k).
LINUX_KVER := $(patsubst vmlinuz-%,%,$(notdir $(LINUX_BZIMAGE)))

$(BENCH_INITRAMFS): $(BENCH_LINUXBENCH) bench/linux/init tools/bench-initramfs.sh
	$(Q)tools/bench-initramfs.sh $@ $(BENCH_LINUXBENCH) bench/linux/init $(LINUX_KVER)
