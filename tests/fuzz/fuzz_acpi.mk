# The kernel's ACPI table parser (kernel/acpi/acpi.c): RSDP, XSDT/RSDT, MADT, HPET, MCFG,
# FADT and the DSDT's \_S5 scan over a fuzzed physical memory image.
fuzz_acpi_SRCS := kernel/acpi/acpi.c
fuzz_acpi_CFLAGS := -Itests/host/shim -Ikernel
# Binary seeds: the target writes them itself (FUZZ_WRITE_SEEDS): a whole valid machine
# (test_acpi's image) through the XSDT, and the same through an ACPI 1.0 RSDT.
fuzz_acpi_SEEDS := $(B)/fuzz/seeds/fuzz_acpi/machine
$(fuzz_acpi_SEEDS): $(B)/fuzz/fuzz_acpi
	@mkdir -p $(@D)
	$(Q)FUZZ_WRITE_SEEDS=$(@D) $<
