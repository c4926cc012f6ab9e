/*
 * main.c - kmain(): bring Charlotte Core up, in dependency order.
 *
 *   boot CPU tables -> serial log -> boot information -> physical memory ->
 *   page tables -> heap -> framebuffer console -> ACPI -> interrupts ->
 *   timers -> scheduler -> other CPUs -> summary line -> tests or idle.
 *
 * Anything that fails here before the system can run is a panic with a
 * reason; everything after boot returns errors instead.
 */
#include <acpi/acpi.h>
#include <arch/arch.h>
#include <arch/entry.h>
#include <arch/boot_defs.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/serial.h>
#include <arch/smp.h>
#include <boot/bootinfo.h>
#include <dev/fblog.h>
#include <hw/hw.h>
#include <init/init.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <ns/ns.h>
#include <sched/sched.h>
#include <time/clock.h>

static struct boot_info boot_info;
static struct acpi_info acpi;

struct boot_info *kernel_boot_info(void)
{
	return &boot_info;
}

const struct acpi_info *kernel_acpi_info(void)
{
	return &acpi;
}

static const void *boot_map(uint64_t phys, size_t len)
{
	/* The boot page tables map the first 4 GiB at the direct-map base. */
	if (phys + len < phys || phys + len > (4ull << 30))
		return NULL;
	return phys_to_virt(phys);
}

static const void *acpi_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys + len < phys || phys + len > MAX(pmm_max_phys(), 4ull << 30))
		return NULL;
	return phys_to_virt(phys);
}

static void parse_boot_info(uint32_t magic, uint32_t info_phys)
{
	int r;
	if (magic == MB2_BOOT_MAGIC)
		r = bootinfo_parse_mb2(boot_map, info_phys, &boot_info);
	else if (magic == PVH_MAGIC)
		r = bootinfo_parse_pvh(boot_map, info_phys, &boot_info);
	else
		panic("boot: unknown boot protocol (magic 0x%x); use GRUB (Multiboot2) or PVH",
		      magic);
	if (r)
		panic("boot: %s boot information is unusable (error %d)",
		      magic == MB2_BOOT_MAGIC ? "Multiboot2" : "PVH", r);
	const char *lvl;
	size_t n;
	if (cmdline_find(boot_info.cmdline, "loglevel", &lvl, &n) && n >= 1)
		log_set_level(lvl[0] == 'd' ? LOG_DEBUG : lvl[0] == 'w' ? LOG_WARN : LOG_INFO);
	pr_info("boot: %s via %s, command line \"%s\"", boot_info.protocol,
	        boot_info.loader[0] ? boot_info.loader : "?", boot_info.cmdline);
	for (unsigned i = 0; i < boot_info.mmap_count; i++)
		pr_debug("  mem %016llx-%016llx type %u",
		         (unsigned long long)boot_info.mmap[i].base,
		         (unsigned long long)(boot_info.mmap[i].base + boot_info.mmap[i].len),
		         boot_info.mmap[i].type);
}

static uint64_t find_rsdp(void)
{
	/* PVH without rsdp_paddr: search the BIOS areas (EBDA, 0xe0000-0xfffff). */
	uint64_t ebda = (uint64_t) * (const uint16_t *)phys_to_virt(0x40e) << 4;
	const uint64_t areas[2][2] = {{ebda, ebda + 1024}, {0xe0000, 0x100000}};
	for (int a = 0; a < 2; a++)
		for (uint64_t p = areas[a][0]; p && p + 20 <= areas[a][1]; p += 16)
			if (memcmp(phys_to_virt(p), "RSD PTR ", 8) == 0)
				return p;
	return 0;
}

static void start_acpi(void)
{
	struct acpi_ops ops = {acpi_map, NULL};
	int r;
	if (boot_info.rsdp_len)
		r = acpi_parse_rsdp_copy(&ops, boot_info.rsdp, boot_info.rsdp_len, &acpi);
	else
		r = acpi_parse(&ops, boot_info.rsdp_phys ? boot_info.rsdp_phys : find_rsdp(),
		               &acpi);
	if (r) {
		pr_warn("acpi: no usable tables (error %d): one CPU, PIT timing", r);
		return;
	}
	pr_info("acpi: revision %u, OEM %s, %u tables (%u rejected), %u CPUs, %u IOAPICs%s%s",
	        acpi.revision, acpi.oem_id, acpi.ntables, acpi.nrejected, acpi.madt.ncpus,
	        acpi.madt.nioapics, acpi.hpet.present ? ", HPET" : "",
	        acpi.mcfg.present ? ", MCFG" : "");
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	arch_init_early();
	serial_init();
	log_add_sink(serial_write);
	log_set_raw_sink(serial_write_raw);
	parse_boot_info(magic, info_phys);

	pmm_init(&boot_info);
	vmm_init(pmm_max_phys());
	pmm_init_high();
	kmalloc_init();
	arch_init_cpu();
	ns_init();
	fblog_start(&boot_info.fb);

	start_acpi();
	arch_init_interrupts(&acpi);
	sched_cmdline(boot_info.cmdline);
	sched_init_cpu("kmain");
	sched_start_tick();
	arch_irq_enable();
	/* devices first: PCI decode changes the memory map, which QEMU's TCG
	   cannot do safely while other vCPUs touch MMIO (docs/drivers.md) */
	hw_init(&boot_info, &acpi);
	smp_init(&acpi);

	uint64_t ms = clock_monotonic_ns() / 1000000;
	unsigned online = 0;
	for (unsigned i = 0; i < cpu_count; i++)
		online += cpus[i] && cpus[i]->online;
	pr_info("boot: ok cpus=%u memory=%llu ms=%llu", online,
	        (unsigned long long)(pmm_total_pages() >> (20 - PAGE_SHIFT)),
	        (unsigned long long)ms);
	kernel_run(&boot_info);
}
