# ACPI table parser: synthetic tables in fake physical memory, corruption cases, fuzzing.
test_acpi_SRCS := kernel/acpi/acpi.c
