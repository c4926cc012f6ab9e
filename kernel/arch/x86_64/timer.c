/*
 * timer.c - time sources: TSC for the clock, LAPIC timer for events.
 *
 * At boot the BSP measures the TSC and the LAPIC timer against a reference of
 * known frequency for 10 ms: the HPET main counter when the ACPI HPET table
 * is valid, otherwise PIT channel 2 polled through port 0x61. Conversions use
 * 32.32 fixed-point multipliers (one 64x64->128 multiply, no division at run
 * time). Under QEMU with -icount shift=0 the TSC advances exactly one tick per
 * guest instruction, which is what makes `make bench` figures exact.
 */
#include <arch/timer.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/entry.h>
#include <acpi/acpi.h>
#include <mm/vmm.h>
#include <time/clock.h>
#include <lib/log.h>

#define CALIBRATE_NS 10000000ull
#define HPET_CAP 0x00
#define HPET_CONFIG 0x10
#define HPET_COUNTER 0xf0
#define PIT_HZ 1193182ull

static uint64_t tsc_hz, lapic_hz;
uint64_t timer_tsc_boot;
uint64_t timer_tsc_mult; /* ns = tsc * mult >> 32 */
static uint64_t ns_to_lapic_mult; /* count = ns * mult >> 32 */
static const char *reference = "none";

static uint64_t mul_shift32(uint64_t a, uint64_t mult)
{
	return (uint64_t)(((unsigned __int128)a * mult) >> 32);
}

uint64_t clock_monotonic_ns(void)
{
	return arch_clock_ns();
}

/* Wait for ns using the HPET; returns false if there is none. */
static bool hpet_wait(volatile uint64_t *hpet, uint64_t ns)
{
	uint64_t period_fs = hpet[HPET_CAP / 8] >> 32;
	if (period_fs == 0 || period_fs > 100000000ull) /* spec: at most 100 ns */
		return false;
	hpet[HPET_CONFIG / 8] |= 1;
	uint64_t ticks = ns * 1000000ull / period_fs;
	uint64_t start = hpet[HPET_COUNTER / 8];
	uint64_t spins = 0;
	while (hpet[HPET_COUNTER / 8] - start < ticks)
		if (++spins > 1000000000ull)
			return false; /* counter does not run */
	return true;
}

static void pit_wait(uint64_t ns)
{
	uint64_t count = PIT_HZ * ns / 1000000000ull; /* < 65536 for 10 ms */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(0x43, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	while (!(inb(0x61) & 0x20))
		arch_cpu_relax();
}

/* VEC_TIMER, this CPU's LAPIC timer: the tick count and the timer events. */
static void timer_irq(struct trap_frame *tf)
{
	(void)tf;
	this_cpu()->timer_ticks++;
	timer_events_run();
}

void timer_init(const struct acpi_info *acpi)
{
	trap_set_handler(VEC_TIMER, timer_irq);
	volatile uint64_t *hpet = NULL;
	if (acpi && acpi->hpet.present && acpi->hpet.space_id == ACPI_GAS_MEMORY)
		hpet = vmm_map_mmio(acpi->hpet.base, 1024);
	uint64_t irq = arch_irq_save();
	lapic_timer_start_free();
	uint64_t t0 = rdtsc();
	uint32_t l0 = lapic_timer_current();
	bool ok = hpet && hpet_wait(hpet, CALIBRATE_NS);
	if (!ok)
		pit_wait(CALIBRATE_NS);
	uint64_t t1 = rdtsc();
	uint32_t l1 = lapic_timer_current();
	arch_irq_restore(irq);
	reference = ok ? "HPET" : "PIT";
	tsc_hz = (t1 - t0) * (1000000000ull / CALIBRATE_NS);
	lapic_hz = (uint64_t)(l0 - l1) * (1000000000ull / CALIBRATE_NS);
	if (tsc_hz == 0)
		tsc_hz = 1000000000ull;
	if (lapic_hz == 0)
		lapic_hz = 1000000000ull;
	timer_tsc_mult = (1000000000ull << 32) / tsc_hz;
	ns_to_lapic_mult = (lapic_hz << 32) / 1000000000ull;
	pr_info("timer: TSC %llu MHz, LAPIC timer %llu kHz (calibrated against %s)",
	        (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(lapic_hz / 1000),
	        reference);
}

void timer_set_boot_tsc(uint64_t tsc)
{
	timer_tsc_boot = tsc;
}

void timer_arm_local(uint64_t delta_ns)
{
	if (delta_ns == 0) {
		lapic_timer_oneshot(0);
		return;
	}
	uint64_t count = mul_shift32(delta_ns, ns_to_lapic_mult);
	if (count == 0)
		count = 1;
	if (count > 0xffffffffull)
		count = 0xffffffffull;
	lapic_timer_oneshot((uint32_t)count);
}

bool timer_local_pending(void)
{
	return lapic_timer_pending();
}

void udelay(uint64_t us)
{
	uint64_t end = clock_monotonic_ns() + us * 1000;
	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
}

uint64_t timer_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t timer_lapic_hz(void)
{
	return lapic_hz;
}
