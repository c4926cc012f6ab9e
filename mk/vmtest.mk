# VM tests: the kernel booted in QEMU with "test" on its command line, once per
# configuration listed in tools/run-tests.sh (docs/testing.md).
#   make vm-tests                         every configuration
#   make test-one CONFIG=pvh-q35-smp1-128M  one configuration (a glob: CONFIG='iso-*')
#   make vm-configs                       list the configurations
# VMTEST_FILTER=<prefix> on either runs only the VM tests whose name starts with it.

VM_TEST_IMAGES = $(KERNEL_ELF) $(ISO) $(TEST_KERNEL_ELF) $(TEST_ISO) $(INITRD)

.PHONY: vm-tests test-one vm-configs
vm-tests:
	$(Q)tools/deps.sh test
	$(Q)$(MAKE) --no-print-directory $(VM_TEST_IMAGES)
	$(Q)tools/run-tests.sh --vm-only

test-one:
	$(Q)[ -n "$(CONFIG)" ] || { echo "usage: make test-one CONFIG=<label>; labels:"; \
		tools/run-tests.sh --list; exit 2; }
	$(Q)tools/deps.sh test
	$(Q)$(MAKE) --no-print-directory $(VM_TEST_IMAGES)
	$(Q)tools/run-tests.sh --vm-only --config '$(CONFIG)'

vm-configs:
	$(Q)tools/run-tests.sh --list
