/*
 * acpi.h - ACPI table discovery: RSDP -> XSDT/RSDT -> MADT, HPET, MCFG, FADT
 * (-> DSDT, scanned only for the \_S5 package that powering off needs).
 *
 * The tables come from firmware and are treated as hostile input: every length,
 * checksum and entry bound is checked before a byte is used, and the parser
 * never trusts a count it did not compute itself. Physical memory is reached
 * only through struct acpi_ops, so the same code runs on the kernel's direct map
 * and on a fake buffer in host tests.
 *
 * A table that fails validation is logged (LOG_WARN), recorded in the table list
 * as rejected, and skipped; parsing goes on with the others. For MADT, HPET,
 * MCFG and FADT the first valid copy wins and later ones are marked duplicate.
 * Only a bad RSDP or an unusable root table (XSDT and RSDT both bad) makes
 * acpi_parse() fail; a missing MADT is reported by madt.present == false and
 * left to the caller.
 *
 * struct acpi_info is large (about 6 KiB): keep it static, not on a kernel stack.
 * Nothing here allocates or takes locks; callers serialise (boot is one CPU).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_ISOS 32
#define ACPI_MAX_NMIS 32
#define ACPI_MAX_MCFG 8
#define ACPI_MAX_TABLES 64
#define ACPI_TABLE_MAX_LEN (1u << 20) /* larger tables are rejected as insane */

/* Physical memory access. map() returns a pointer valid for len bytes at phys,
 * or NULL if the range is not RAM / not mappable (or wraps). */
struct acpi_ops {
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	void *ctx;
};

/* Generic Address Structure (ACPI 5.2.3.2). */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI_CONFIG 2

struct acpi_cpu {
	uint32_t apic_id; /* xAPIC id (type 0) or x2APIC id (type 9) */
	uint32_t uid; /* ACPI processor UID */
	bool enabled;
	bool online_capable; /* disabled now, may be brought online later */
	bool x2apic; /* came from a type 9 entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address; /* physical MMIO base */
	uint32_t gsi_base;
};

/* MPS INTI flags, decoded: what ISO and NMI entries say about a line. */
enum acpi_polarity {
	ACPI_POL_CONFORMS = 0,
	ACPI_POL_HIGH = 1,
	ACPI_POL_RESERVED = 2,
	ACPI_POL_LOW = 3
};
enum acpi_trigger {
	ACPI_TRIG_CONFORMS = 0,
	ACPI_TRIG_EDGE = 1,
	ACPI_TRIG_RESERVED = 2,
	ACPI_TRIG_LEVEL = 3
};

struct acpi_iso {
	uint8_t bus; /* always 0 (ISA) */
	uint8_t irq; /* bus-relative source */
	uint32_t gsi;
	uint8_t polarity; /* enum acpi_polarity */
	uint8_t trigger; /* enum acpi_trigger */
};

/* Local APIC NMI (type 4 or x2APIC type 0xA). */
#define ACPI_NMI_ALL_CPUS 0xffffffffu
struct acpi_lapic_nmi {
	uint32_t uid; /* ACPI_NMI_ALL_CPUS = every processor */
	uint8_t lint; /* LINT0 or LINT1 */
	uint8_t polarity;
	uint8_t trigger;
};

struct acpi_mcfg_seg {
	uint64_t base; /* ECAM base for bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

enum acpi_table_status {
	ACPI_TABLE_OK, /* validated (and used, if we understand it) */
	ACPI_TABLE_REJECTED, /* failed a check; ignored */
	ACPI_TABLE_DUPLICATE, /* valid, but an earlier copy of this signature was used */
};

struct acpi_table_ref {
	char sig[5]; /* NUL-terminated; "????" if the header did not map */
	uint8_t status; /* enum acpi_table_status */
	uint32_t length;
	uint64_t phys;
};

/* MADT flags */
#define ACPI_MADT_PCAT_COMPAT (1u << 0) /* dual 8259s present: mask them */

/* FADT flags and IA-PC boot architecture flags (subset) */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8) /* PM timer is 32 bits, not 24 */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED (1u << 20)
#define ACPI_IAPC_LEGACY_DEVICES (1u << 0)
#define ACPI_IAPC_8042 (1u << 1) /* a PS/2 controller exists */
#define ACPI_IAPC_NO_VGA (1u << 2)
#define ACPI_IAPC_NO_MSI (1u << 3)
#define ACPI_IAPC_NO_ASPM (1u << 4)
#define ACPI_IAPC_NO_CMOS_RTC (1u << 5)

struct acpi_info {
	uint8_t revision; /* RSDP revision: 0 = ACPI 1.0, 2 = 2.0+ */
	char oem_id[7]; /* NUL-terminated, non-printables replaced by '?' */
	bool used_xsdt; /* false: RSDT (revision 0 or bad XSDT) */
	uint64_t root_phys;

	struct {
		bool present;
		uint64_t lapic_addr; /* after any type 5 override */
		uint32_t flags; /* ACPI_MADT_* */
		uint32_t ncpus, nioapics, nisos, nnmis;
		uint32_t dropped; /* entries beyond a cap or too short for their type */
		struct acpi_cpu cpus[ACPI_MAX_CPUS];
		struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
		struct acpi_iso isos[ACPI_MAX_ISOS];
		struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];
	} madt;

	struct {
		bool present;
		uint8_t space_id; /* ACPI_GAS_MEMORY normally */
		uint64_t base;
		uint32_t block_id; /* event timer block id (vendor, counters, ...) */
		uint8_t number;
		uint16_t min_tick;
	} hpet;

	struct {
		bool present;
		uint32_t nsegs;
		uint32_t dropped;
		struct acpi_mcfg_seg segs[ACPI_MAX_MCFG];
	} mcfg;

	struct {
		bool present;
		uint32_t length; /* fields past the table's length read as 0 */
		uint32_t flags; /* ACPI_FADT_* */
		uint16_t iapc_boot_arch; /* ACPI_IAPC_*; 0 on ACPI 1.0 */
		uint16_t sci_irq;
		uint64_t dsdt; /* X_DSDT if set, else DSDT */
		struct acpi_gas pm_timer; /* X_PM_TMR_BLK if set, else I/O PM_TMR_BLK */
		uint8_t pm_timer_len; /* 4 if a timer exists, else 0 */
		bool reset_valid; /* RESET_REG_SUP and the register fits */
		struct acpi_gas reset_reg;
		uint8_t reset_value;
		uint8_t century; /* CMOS index of the century register, 0 = none */
		/* power off (acpi/power.c): PM1 control blocks, X_ forms when set; an
		 * address of 0 = none (pm1b is optional) */
		struct acpi_gas pm1a_cnt, pm1b_cnt;
		uint32_t smi_cmd; /* I/O port taking acpi_enable to enter ACPI mode, 0 = none */
		uint8_t acpi_enable;
	} fadt;

	/* the DSDT's \_S5 package (soft off): SLP_TYPa and SLP_TYPb */
	struct {
		bool present; /* a DSDT was parsed */
		bool s5_found;
		uint8_t s5_typa, s5_typb; /* 0..7 */
	} dsdt;

	uint32_t ntables; /* entries in tables[] */
	uint32_t tables_dropped; /* root entries beyond ACPI_MAX_TABLES, ignored */
	uint32_t nrejected;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
};

/*
 * Parse the ACPI tables reached from the RSDP at physical address rsdp_phys.
 * Zeroes *out first, then fills it. Returns 0 on success, even if some tables
 * were rejected or the MADT is missing. Errors (out holds what was learned):
 *   ERR_INVALID_ARGS  ops, ops->map or out is NULL
 *   ERR_NOT_FOUND     RSDP unmappable or no "RSD PTR " signature; root table unmappable
 *   ERR_CHECKSUM      RSDP checksum or extended checksum wrong; root table checksum wrong
 *   ERR_MALFORMED     RSDP/root table lengths impossible
 */
int acpi_parse(const struct acpi_ops *ops, uint64_t rsdp_phys, struct acpi_info *out);

/*
 * As acpi_parse(), but the RSDP is a copy of len bytes (the Multiboot2 ACPI old
 * (type 14) or new (type 15) tag payload). A copy shorter than the 36-byte v2
 * RSDP is treated as ACPI 1.0 (RSDT only) whatever its revision says, since
 * GRUB's old-RSDP tag holds just the first 20 bytes. ERR_TRUNCATED if len < 20.
 */
int acpi_parse_rsdp_copy(const struct acpi_ops *ops, const void *rsdp, size_t len,
                         struct acpi_info *out);

/*
 * Find `Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... })` in the AML bytes
 * aml[0..len): the name "_S5_" (or with the root prefix, "\_S5_") right after a
 * NameOp, then a
 * PackageOp whose PkgLength fits in len, at least one element, each element
 * Zero, One or a Byte/Word/DWord constant of at most 7 (SLP_TYP is 3 bits; a
 * single element serves both). Reads nothing outside aml[0..len) whatever the
 * bytes say; O(len). 0 and the values in *typa, *typb; ERR_NOT_FOUND when no
 * "_S5_" name is declared; ERR_MALFORMED when every one found was unusable.
 */
int acpi_s5_scan(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

/* The first table with signature sig (4 chars) that validated, or NULL. */
const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig);
