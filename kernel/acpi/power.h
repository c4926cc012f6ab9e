/*
 * power.h - ACPI soft off (S5) and reset (power.c). Used by SYS_HW_POWER.
 */
#pragma once
#include <acpi/acpi.h>
#include <lib/compiler.h>

/*
 * Turn the machine off through the PM1 control blocks with the \_S5 values.
 * Returns only on failure: ERR_NOT_SUPPORTED (no FADT, no \_S5 package, PM1a
 * not in I/O space) or ERR_BAD_STATE (written, and the machine is still on).
 */
int acpi_power_off(const struct acpi_info *a);
/* Reset the machine: the FADT's reset register, then the arch's fallbacks. */
NORETURN void acpi_reboot(const struct acpi_info *a);
