# CharlotteOS top-level, non-recursive Makefile.
#
#   make            kernel ELF + hybrid BIOS/UEFI ISO       (build/charlotte.elf, build/charlotte.iso)
#   make run        boot in QEMU (SMP=n MEM=size UEFI=1 ACCEL=tcg|kvm BOOT=iso|pvh;
#                   the home disk is build/home.img, kept between runs: made from
#                   disk/home the first time, `make home-reset` starts it afresh;
#                   DISK=path.img: your ext2 image as the home disk, docs/fsd.md)
#   make debug      QEMU halted with a gdb stub + build/gdbinit
#   make test       every test; ends with "N passed, N failed"
#   make lint       clang-format check, cppcheck, header self-containment
#   make bench      CharlotteOS vs Linux micro-benchmarks (guest instructions) -> build/bench.json
#   make fuzz       bin/sysfuzz on a KCOV=1 kernel, 4 CPUs, FUZZ_CALLS (10,000,000) calls
#                   (mk/sysfuzz.mk), then every host fuzz target for FUZZ_SECONDS (60) each
#                   (mk/fuzz.mk)
#   make sdk        the SDK for programs and drivers built outside the tree, into build/sdk
#                   (make install-sdk PREFIX=dir: elsewhere; mk/sdk.mk, docs/drivers.md)
#   make verify     spin model checks of the kbus call protocol and capability revocation
#                   (models/, mk/verify.mk, docs/verification.md)
#
# Each target installs the Debian packages it needs first (tools/deps.sh).

.DEFAULT_GOAL := all
Q ?= @
B := build

SMP ?= 2
MEM ?= 256M
UEFI ?= 0
ACCEL ?= tcg
BOOT ?= iso

# initrd.mk first: the ISO rules in kernel.mk name $(INITRD) as a prerequisite
include mk/initrd.mk
include mk/kernel.mk
include mk/hosttest.mk
include mk/fuzz.mk
include mk/sysfuzz.mk
include mk/verify.mk
include mk/vmtest.mk
include mk/lint.mk
include mk/bench.mk
include mk/disks.mk
include mk/sdk.mk
include mk/homedisk.mk

.PHONY: all deps run debug test clean lint
all: deps
	$(Q)$(MAKE) --no-print-directory $(KERNEL_ELF) $(ISO) $(INITRD) $(DISK_IMAGES)

deps:
	$(Q)tools/deps.sh build

# `make run` boots your own copy of the home disk, so what you change in the VM
# stays (and the tests keep booting pristine copies of $(HOME_DISK)).
RUN_DISK := $(B)/home.img
$(RUN_DISK): | $(HOME_DISK)
	$(Q)cp --sparse=always $(HOME_DISK) $@

run: all $(if $(DISK),,$(RUN_DISK))
	$(Q)tools/qemu.sh --boot $(BOOT) --smp $(SMP) --mem $(MEM) --uefi $(UEFI) --accel $(ACCEL) --interactive --disk $(or $(DISK),$(RUN_DISK))

debug: all $(if $(DISK),,$(RUN_DISK))
	$(Q)tools/qemu.sh --boot $(BOOT) --smp $(SMP) --mem $(MEM) --uefi $(UEFI) --accel $(ACCEL) --interactive --gdb --disk $(or $(DISK),$(RUN_DISK))

.PHONY: home-reset
home-reset: $(HOME_DISK)
	$(Q)cp --sparse=always $(HOME_DISK) $(RUN_DISK)
	@echo "$(RUN_DISK): a fresh copy of disk/home

test: deps
	$(Q)tools/deps.sh test
	$(Q)$(MAKE) --no-print-directory $(KERNEL_ELF) $(ISO) $(TEST_KERNEL_ELF) $(TEST_ISO) $(INITRD) $(DISK_IMAGES) host-tests-build
	$(Q)tools/run-tests.sh

clean:
	rm -rf $(B)
