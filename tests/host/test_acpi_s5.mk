# The DSDT's \_S5 scanner (acpi_s5_scan in kernel/acpi/acpi.c): well-formed, hostile
# and truncated AML, each in a buffer of exactly its size (ASan sees any overread).
test_acpi_s5_SRCS := kernel/acpi/acpi.c
