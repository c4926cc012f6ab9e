/*
 * power.c - turning the machine off (ACPI S5) and resetting it.
 *
 * Off: the FADT names the PM1 control blocks (PM1a, and on some chipsets a
 * PM1b) and the DSDT's \_S5 package the sleep type values for soft off
 * (acpi.c parses both at boot). Writing SLP_TYPx with SLP_EN to each block
 * turns the machine off; no AML is run. If the firmware left the machine in
 * legacy mode (SCI_EN clear) we first ask it into ACPI mode through SMI_CMD,
 * as the FADT says, and wait a bounded time for SCI_EN. Only control blocks
 * in I/O space are used (every PC chipset; QEMU's PIIX4 and ICH9 included);
 * hardware-reduced machines with memory-mapped sleep registers are refused.
 *
 * Reset: the FADT's reset register when the flags say it is supported and
 * it is in I/O space, then the arch's fallbacks (the 8042's reset line, a
 * triple fault).
 *
 * Neither asks anyone first: the caller (SYS_HW_POWER, RIGHT_MANAGE on the
 * hw root) has stopped what had to stop. Both run with interrupts off on the
 * calling CPU; the other CPUs go on until the machine goes.
 */
#include <acpi/power.h>
#include <abi/errors.h>
#include <arch/arch.h>
#include <arch/irq_flags.h>
#include <lib/log.h>
#include <time/clock.h>

#define PM1_SCI_EN 0x0001u
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN 0x2000u

#define ACPI_ENABLE_WAIT_NS 300000000ull /* SCI_EN after SMI_CMD: 300 ms at most */
#define POWER_SETTLE_NS 500000000ull /* the machine should be gone by then */

/* A usable I/O-space register: its port and width in bytes (1, 2 or 4), or false. */
static bool io_reg(const struct acpi_gas *g, uint16_t *port, unsigned *bytes)
{
	if (g->space_id != ACPI_GAS_IO || !g->address || g->address > 0xffff)
		return false;
	unsigned w = g->bit_width ? g->bit_width / 8u : 2u; /* PM1 control is 16 bits */
	if (w != 1 && w != 2 && w != 4)
		w = 2;
	*port = (uint16_t)g->address;
	*bytes = w;
	return true;
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;
	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
}

/* Enter ACPI mode if the firmware left us in legacy mode (bounded wait). */
static void acpi_mode_enable(const struct acpi_info *a, uint16_t pm1a, unsigned bytes)
{
	if (arch_port_read(pm1a, bytes) & PM1_SCI_EN)
		return;
	if (!a->fadt.smi_cmd || a->fadt.smi_cmd > 0xffff || !a->fadt.acpi_enable)
		return; /* nothing to ask: try the sleep anyway */
	arch_port_write((uint16_t)a->fadt.smi_cmd, 1, a->fadt.acpi_enable);
	uint64_t end = clock_monotonic_ns() + ACPI_ENABLE_WAIT_NS;
	while (!(arch_port_read(pm1a, bytes) & PM1_SCI_EN) && clock_monotonic_ns() < end)
		arch_cpu_relax();
}

static void pm1_sleep(uint16_t port, unsigned bytes, uint8_t typ)
{
	uint32_t v = arch_port_read(port, bytes);
	v = (v & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) | (uint32_t)typ << PM1_SLP_TYP_SHIFT;
	arch_port_write(port, bytes, v); /* the type first, then the enable, as the spec asks */
	arch_port_write(port, bytes, v | PM1_SLP_EN);
}

int acpi_power_off(const struct acpi_info *a)
{
	uint16_t pm1a, pm1b = 0;
	unsigned wa, wb = 0;
	if (!a || !a->fadt.present || !a->dsdt.s5_found || !io_reg(&a->fadt.pm1a_cnt, &pm1a, &wa))
		return ERR_NOT_SUPPORTED;
	bool has_b = io_reg(&a->fadt.pm1b_cnt, &pm1b, &wb);
	pr_info("power: off (ACPI S5, SLP_TYP %u/%u)", a->dsdt.s5_typa, a->dsdt.s5_typb);
	uint64_t irq = arch_irq_save();
	acpi_mode_enable(a, pm1a, wa);
	pm1_sleep(pm1a, wa, a->dsdt.s5_typa);
	if (has_b)
		pm1_sleep(pm1b, wb, a->dsdt.s5_typb);
	spin_ns(POWER_SETTLE_NS);
	arch_irq_restore(irq);
	pr_warn("power: the machine is still on after the S5 write");
	return ERR_BAD_STATE;
}

void acpi_reboot(const struct acpi_info *a)
{
	uint16_t port;
	unsigned bytes;
	pr_info("power: reboot");
	arch_irq_save();
	if (a && a->fadt.present && a->fadt.reset_valid &&
	    io_reg(&a->fadt.reset_reg, &port, &bytes)) {
		arch_port_write(port, 1, a->fadt.reset_value);
		spin_ns(POWER_SETTLE_NS);
	}
	arch_reset_fallback();
}
