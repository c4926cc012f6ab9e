/*
 * fuzz_acpi.c - libFuzzer over the kernel's ACPI table parser (kernel/acpi/acpi.c),
 * the firmware's tables being outside input the kernel reads at boot.
 *
 * Input: a control byte, a length byte, then a physical memory image that starts at
 * BASE with the RSDP there:
 *   control bit 0  fix checksums: every range the parser maps at the RSDP or at a
 *                  table's header with the table's own length gets its checksum byte
 *                  set (in the copy it is handed), so mutations reach the tables'
 *                  contents instead of dying at the checksum
 *   control bit 1  acpi_parse_rsdp_copy() with the image's first (length byte) bytes
 *                  as the Multiboot2 tag's RSDP copy, instead of acpi_parse()
 * The map callback hands out a fresh malloc'd copy of exactly the bytes asked for
 * (NULL outside the image), so ASan sees any read past what the parser mapped. The
 * whole input also goes to acpi_s5_scan() in a buffer of its exact size.
 * Invariants: counts within their arrays (ACPI_MAX_*); every table reference's
 * signature terminated; the OEM id terminated and printable; on success the root
 * table inside the image; an \_S5 found only with SLP_TYP values of 3 bits;
 * a PM timer of 4 bytes or none.
 *
 * FUZZ_WRITE_SEEDS=<dir> writes the seed corpus into dir and exits.
 */
#include "fuzz.h"

#include <acpi/acpi.h>
#include <abi/errors.h>
#include <lib/log.h>

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#define BASE UINT64_C(0xe0000)
#define CTL_FIX_SUMS 1u
#define CTL_COPY 2u

static const uint8_t *img;
static size_t img_len;
static bool fix_sums;
static void *maps[4096];
static size_t nmaps;

void klog(enum log_level level, const char *fmt, ...)
{
	(void)level, (void)fmt;
}

static uint32_t r32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void fix_sum(uint8_t *p, size_t len, size_t at)
{
	uint8_t s = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[at] = (uint8_t)-s;
}

static const void *fuzz_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < BASE || phys - BASE >= img_len || len > img_len - (phys - BASE) ||
	    nmaps == sizeof(maps) / sizeof(maps[0]))
		return NULL;
	uint8_t *copy = malloc(len ? len : 1);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, img + (phys - BASE), len);
	maps[nmaps++] = copy;
	if (fix_sums && phys == BASE && len >= 20 && memcmp(copy, "RSD PTR ", 8) == 0) {
		fix_sum(copy, 20, 8);
		if (len >= 36)
			fix_sum(copy, 36, 32);
	} else if (fix_sums && len >= 36 && r32(copy + 4) == len) {
		fix_sum(copy, len, 9);
	}
	return copy;
}

static bool terminated(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

static void check(const struct acpi_info *a, int rc)
{
	FUZZ_CHECK(rc <= 0);
	FUZZ_CHECK(a->ntables <= ACPI_MAX_TABLES);
	FUZZ_CHECK(a->nrejected <= a->ntables);
	for (uint32_t i = 0; i < a->ntables; i++)
		FUZZ_CHECK(terminated(a->tables[i].sig, sizeof(a->tables[i].sig)));
	FUZZ_CHECK(terminated(a->oem_id, sizeof(a->oem_id)));
	for (const char *c = a->oem_id; *c; c++)
		FUZZ_CHECK(*c >= 0x20 && *c < 0x7f);
	FUZZ_CHECK(a->madt.ncpus <= ACPI_MAX_CPUS && a->madt.nioapics <= ACPI_MAX_IOAPICS);
	FUZZ_CHECK(a->madt.nisos <= ACPI_MAX_ISOS && a->madt.nnmis <= ACPI_MAX_NMIS);
	FUZZ_CHECK(a->mcfg.nsegs <= ACPI_MAX_MCFG);
	for (uint32_t i = 0; i < a->mcfg.nsegs; i++)
		FUZZ_CHECK(a->mcfg.segs[i].bus_start <= a->mcfg.segs[i].bus_end);
	FUZZ_CHECK(a->fadt.pm_timer_len == 0 || a->fadt.pm_timer_len == 4);
	if (a->dsdt.s5_found)
		FUZZ_CHECK(a->dsdt.s5_typa <= 7 && a->dsdt.s5_typb <= 7);
	if (rc == 0)
		FUZZ_CHECK(a->root_phys >= BASE && a->root_phys - BASE < img_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info info;
	const struct acpi_ops ops = {.map = fuzz_map};

	if (size < 2)
		return 0;
	uint8_t ctl = data[0], copy_len = data[1];
	img = data + 2;
	img_len = size - 2;
	fix_sums = ctl & CTL_FIX_SUMS;
	memset(&info, 0, sizeof(info));
	int rc;
	if ((ctl & CTL_COPY) && copy_len <= img_len) {
		uint8_t *rsdp = malloc(copy_len ? copy_len : 1);
		FUZZ_CHECK(rsdp != NULL);
		memcpy(rsdp, img, copy_len);
		if (fix_sums && copy_len >= 20) {
			fix_sum(rsdp, 20, 8);
			if (copy_len >= 36)
				fix_sum(rsdp, 36, 32);
		}
		rc = acpi_parse_rsdp_copy(&ops, rsdp, copy_len, &info);
		free(rsdp);
		FUZZ_CHECK(copy_len >= 20 || rc == ERR_TRUNCATED);
	} else {
		rc = acpi_parse(&ops, BASE, &info);
	}
	check(&info, rc);
	while (nmaps)
		free(maps[--nmaps]);

	uint8_t *aml = malloc(size ? size : 1), typa = 0xff, typb = 0xff;
	FUZZ_CHECK(aml != NULL);
	memcpy(aml, data, size);
	rc = acpi_s5_scan(aml, size, &typa, &typb);
	FUZZ_CHECK(rc == 0 || rc == ERR_NOT_FOUND || rc == ERR_MALFORMED);
	if (rc == 0)
		FUZZ_CHECK(typa <= 7 && typb <= 7);
	free(aml);
	return 0;
}

/* --- seeds: test_acpi's valid machine --- */

#define A_RSDT 0x100
#define A_XSDT 0x200
#define A_MADT 0x400
#define A_HPET 0x500
#define A_MCFG 0x580
#define A_FADT 0x600
#define A_DSDT 0x800
#define SEED_SIZE 0x900

static uint8_t seed[2 + SEED_SIZE];
#define P(off) (seed + 2 + (off))

static void w16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static void w32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void w64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void header(uint32_t off, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(P(off), sig, 4);
	w32(P(off) + 4, len);
	P(off)[8] = rev;
	memcpy(P(off) + 10, "CHRLTE", 6);
}

static void build(uint8_t rev)
{
	static const uint32_t tabs[] = {A_FADT, A_MADT, A_HPET, A_MCFG};
	memset(seed, 0, sizeof(seed));
	seed[0] = CTL_FIX_SUMS;
	memcpy(P(0), "RSD PTR ", 8);
	memcpy(P(9), "CHRLTE", 6);
	P(0)[15] = rev;
	w32(P(16), (uint32_t)BASE + A_RSDT);
	w32(P(20), 36);
	w64(P(24), BASE + A_XSDT);
	header(A_XSDT, "XSDT", 36 + 4 * 8, 1);
	header(A_RSDT, "RSDT", 36 + 4 * 4, 1);
	for (int i = 0; i < 4; i++) {
		w64(P(A_XSDT) + 36 + i * 8, BASE + tabs[i]);
		w32(P(A_RSDT) + 36 + i * 4, (uint32_t)BASE + tabs[i]);
	}
	/* MADT: two local APICs, an I/O APIC, an override, an NMI, an unknown entry */
	static const uint8_t madt[] = {
	    0, 8, 0, 0, 1, 0,  0, 0, 0, 8, 1, 2, 2,   0, 0, 0, 1,    12, 4, 0, 0,    0, 0xc0, 0xfe,
	    0, 0, 0, 0, 2, 10, 0, 9, 9, 0, 0, 0, 0xf, 0, 4, 6, 0xff, 5,  0, 1, 0x7f, 3, 0};
	header(A_MADT, "APIC", 44 + sizeof(madt), 5);
	w32(P(A_MADT) + 36, 0xfee00000);
	w32(P(A_MADT) + 40, 1);
	memcpy(P(A_MADT) + 44, madt, sizeof(madt));
	header(A_HPET, "HPET", 56, 1);
	w32(P(A_HPET) + 36, 0x8086a201);
	w64(P(A_HPET) + 44, 0xfed00000);
	w16(P(A_HPET) + 53, 0x80);
	header(A_MCFG, "MCFG", 60, 1);
	w64(P(A_MCFG) + 44, 0xe0000000);
	P(A_MCFG)[55] = 255;
	header(A_FADT, "FACP", 276, 6);
	w32(P(A_FADT) + 40, (uint32_t)BASE + A_DSDT);
	w16(P(A_FADT) + 46, 9);
	w32(P(A_FADT) + 76, 0x608);
	P(A_FADT)[91] = 4;
	P(A_FADT)[108] = 0x32;
	w32(P(A_FADT) + 112, ACPI_FADT_RESET_REG_SUP | ACPI_FADT_TMR_VAL_EXT);
	P(A_FADT)[116] = ACPI_GAS_IO;
	P(A_FADT)[117] = 8;
	w64(P(A_FADT) + 120, 0xcf9);
	P(A_FADT)[128] = 6;
	w64(P(A_FADT) + 140, BASE + A_DSDT);
	/* DSDT: Name (_S5, Package () { 5, 5 }) */
	static const uint8_t s5[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 5, 0x0a, 5};
	header(A_DSDT, "DSDT", 36 + sizeof(s5), 2);
	memcpy(P(A_DSDT) + 36, s5, sizeof(s5));
}

static void write_seed(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fwrite(seed, 1, sizeof(seed), f) == sizeof(seed));
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *dir = getenv("FUZZ_WRITE_SEEDS");
	if (!dir)
		return 0;
	build(2);
	write_seed(dir, "machine");
	build(0);
	write_seed(dir, "machine-rsdt");
	build(2);
	seed[0] = CTL_FIX_SUMS | CTL_COPY;
	seed[1] = 36;
	write_seed(dir, "machine-copy");
	exit(0);
}
