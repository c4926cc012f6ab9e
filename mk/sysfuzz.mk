# `make fuzz`'s kernel side: bin/sysfuzz on a coverage kernel (docs/testing.md,
# "System call fuzzing").
#
#   $(B)/kcov/charlotte-test.elf   the test kernel built with KCOV=1 by a recursive
#                                  make into B=$(B)/kcov (mk/kernel.mk), so normal
#                                  builds never mix with it
#   $(B)/kcov/initrd.tar           $(INITRD) with etc/testfuzz.manifest's calls= and
#                                  seconds= set from FUZZ_CALLS and FUZZ_SECONDS
#
#   make fuzz                      10,000,000 calls (FUZZ_CALLS), then the host targets
#   make fuzz FUZZ_CALLS=1000000   fewer
#   make fuzz FUZZ_SECONDS=600     sysfuzz for 600 s of guest time (no call budget unless
#                                  FUZZ_CALLS is given too); the host targets 600 s each
#   make sysfuzz                   the sysfuzz half alone (SYSFUZZ_GUIDE=0: without the
#                                  coverage guidance, to measure what it adds)

FUZZ_CALLS ?= 10000000
KCOV_B := $(B)/kcov
KCOV_KERNEL_ELF := $(KCOV_B)/charlotte-test.elf
KCOV_INITRD := $(KCOV_B)/initrd.tar
# A time budget for sysfuzz only when FUZZ_SECONDS was asked for; then the calls are
# unbounded (0) unless FUZZ_CALLS was asked for too.
SYSFUZZ_SECONDS := $(if $(filter command environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),0)
SYSFUZZ_CALLS := $(if $(filter-out 0,$(SYSFUZZ_SECONDS)),$(if $(filter command environment,$(origin FUZZ_CALLS)),$(FUZZ_CALLS),0),$(FUZZ_CALLS))

.PHONY: kcov-kernel sysfuzz $(KCOV_INITRD)
kcov-kernel:
	$(Q)$(MAKE) --no-print-directory B=$(KCOV_B) KCOV=1 $(KCOV_KERNEL_ELF)

# Rebuilt every time: the budget is part of it.
$(KCOV_INITRD): $(INITRD)
	@mkdir -p $(KCOV_B)
	$(Q)rm -rf $(KCOV_B)/initrd-packed && cp -r $(INITRD_PACKED) $(KCOV_B)/initrd-packed
	$(Q)sed -i -e 's/ calls=[0-9]*/ calls=$(SYSFUZZ_CALLS)/' \
		-e 's/ seconds=[0-9]*/ seconds=$(SYSFUZZ_SECONDS)/' \
		-e 's/$$/$(if $(SYSFUZZ_GUIDE), guide=$(SYSFUZZ_GUIDE))/' \
		$(KCOV_B)/initrd-packed/etc/testfuzz.manifest
	$(Q)tar --format=ustar --owner=0 --group=0 --numeric-owner --sort=name \
		-C $(KCOV_B)/initrd-packed -cf $@ .

sysfuzz: deps
	$(Q)$(MAKE) --no-print-directory $(INITRD) kcov-kernel
	$(Q)$(MAKE) --no-print-directory $(KCOV_INITRD)
	$(Q)B=$(B) KERNEL_ELF=$(KCOV_KERNEL_ELF) INITRD=$(KCOV_INITRD) tools/sysfuzz.sh
