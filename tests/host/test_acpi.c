/*
 * test_acpi.c - host tests for kernel/acpi/acpi.c.
 *
 * Builds RSDP/XSDT/RSDT/MADT/HPET/MCFG/FADT/DSDT images in a fake physical
 * memory buffer. The map callback hands out a fresh malloc'd copy of exactly
 * the requested bytes, so ASan catches any read past what the parser mapped,
 * not just past the whole buffer. Then corrupts the image in every way we could
 * think of, and fuzzes it.
 */
#include <acpi/acpi.h>
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/log.h>

/* Local klog stub until tests/host/host_support.c is linked (-DHAVE_HOST_SUPPORT). */
#ifndef HAVE_HOST_SUPPORT
static int nwarn;
void klog(enum log_level level, const char *fmt, ...)
{
	nwarn += level >= LOG_WARN;
	if (getenv("TEST_VERBOSE")) {
		va_list ap;
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}
#endif

/* --- fake physical memory --- */

#define BASE 0x100000ull
#define MEM_SIZE 0x8000u
#define A_RSDP (BASE + 0x0)
#define A_RSDT (BASE + 0x100)
#define A_XSDT (BASE + 0x200)
#define A_MADT (BASE + 0x1000)
#define A_HPET (BASE + 0x2000)
#define A_MCFG (BASE + 0x3000)
#define A_FADT (BASE + 0x4000)
#define A_DSDT (BASE + 0x5000)
#define A_SPARE (BASE + 0x6000)

static uint8_t mem[MEM_SIZE];
static void *maps[1024];
static size_t nmaps;

static uint8_t *P(uint64_t phys)
{
	assert_true(phys >= BASE && phys < BASE + MEM_SIZE);
	return mem + (phys - BASE);
}

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < BASE || phys >= BASE + MEM_SIZE || len > BASE + MEM_SIZE - phys)
		return NULL;
	assert_true(nmaps < 1024);
	void *copy = malloc(len ? len : 1);
	memcpy(copy, mem + (phys - BASE), len);
	maps[nmaps++] = copy;
	return copy;
}

static void unmap_all(void)
{
	while (nmaps)
		free(maps[--nmaps]);
}

static const struct acpi_ops ops = {.map = fake_map};
static struct acpi_info info;

static int parse(void)
{
	int rc = acpi_parse(&ops, A_RSDP, &info);
	unmap_all();
	return rc;
}

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

/* Fix a table's checksum over its declared length (clamped to memory). */
static void fix_table(uint64_t phys)
{
	uint8_t *p = P(phys);
	size_t len = r32(p + 4), room = BASE + MEM_SIZE - phys;
	fix_sum(p, len < 10 ? 10 : len > room ? room : len, 9);
}

static void fix_rsdp(void)
{
	uint8_t *p = P(A_RSDP);
	fix_sum(p, 20, 8);
	if (p[15] >= 2)
		fix_sum(p, 36, 32);
}

static void header(uint64_t phys, const char *sig, uint32_t len, uint8_t rev)
{
	uint8_t *p = P(phys);
	memset(p, 0, len);
	memcpy(p, sig, 4);
	w32(p + 4, len);
	p[8] = rev;
	memcpy(p + 10, "CHRLTE", 6);
}

/* MADT builder: entries appended at *end, header fixed by madt_done(). */
static uint32_t madt_end;
static void madt_begin(uint64_t phys, uint32_t lapic, uint32_t flags)
{
	header(phys, "APIC", 44, 5);
	w32(P(phys) + 36, lapic);
	w32(P(phys) + 40, flags);
	madt_end = 44;
}
static uint8_t *madt_add(uint64_t phys, uint8_t type, uint8_t len)
{
	uint8_t *e = P(phys) + madt_end;
	memset(e, 0, len);
	e[0] = type;
	e[1] = len;
	madt_end += len;
	return e;
}
static void madt_done(uint64_t phys)
{
	w32(P(phys) + 4, madt_end);
	fix_table(phys);
}
static void add_lapic(uint64_t m, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t *e = madt_add(m, 0, 8);
	e[2] = uid;
	e[3] = id;
	w32(e + 4, flags);
}

static void set_root(uint64_t root, int esize, const uint64_t *tabs, int n)
{
	header(root, esize == 8 ? "XSDT" : "RSDT", (uint32_t)(36 + n * esize), 1);
	for (int i = 0; i < n; i++) {
		if (esize == 8)
			w64(P(root) + 36 + i * 8, tabs[i]);
		else
			w32(P(root) + 36 + i * 4, (uint32_t)tabs[i]);
	}
	fix_table(root);
}

static void build_rsdp(uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
	uint8_t *p = P(A_RSDP);
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "CHRLTE", 6);
	p[15] = rev;
	w32(p + 16, (uint32_t)rsdt);
	w32(p + 20, 36);
	w64(p + 24, xsdt);
	fix_rsdp();
}

static const uint64_t std_tabs[] = {A_FADT, A_MADT, A_HPET, A_MCFG};

/* A complete, valid machine: 2 CPUs, 1 IOAPIC, 2 ISOs, 1 NMI, HPET, MCFG, FADT. */
static void build_image(void)
{
	memset(mem, 0, sizeof(mem));
	build_rsdp(2, A_RSDT, A_XSDT);
	set_root(A_XSDT, 8, std_tabs, 4);
	set_root(A_RSDT, 4, std_tabs, 4);

	madt_begin(A_MADT, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
	add_lapic(A_MADT, 0, 0, 1);
	add_lapic(A_MADT, 1, 2, 2); /* online capable */
	uint8_t *e = madt_add(A_MADT, 1, 12);
	e[2] = 4;
	w32(e + 4, 0xfec00000);
	w32(e + 8, 0);
	e = madt_add(A_MADT, 2, 10);
	e[3] = 0;
	w32(e + 4, 2);
	e = madt_add(A_MADT, 2, 10);
	e[3] = 9;
	w32(e + 4, 9);
	w16(e + 8, 0xf); /* active low, level */
	e = madt_add(A_MADT, 4, 6);
	e[2] = 0xff;
	w16(e + 3, 0x5); /* high, edge */
	e[5] = 1;
	madt_add(A_MADT, 0x7f, 3); /* unknown type: skipped */
	madt_done(A_MADT);

	header(A_HPET, "HPET", 56, 1);
	w32(P(A_HPET) + 36, 0x8086a201);
	w64(P(A_HPET) + 44, 0xfed00000);
	w16(P(A_HPET) + 53, 0x80);
	fix_table(A_HPET);

	header(A_MCFG, "MCFG", 60, 1);
	w64(P(A_MCFG) + 44, 0xe0000000);
	P(A_MCFG)[55] = 255;
	fix_table(A_MCFG);

	header(A_FADT, "FACP", 276, 6);
	uint8_t *f = P(A_FADT);
	w32(f + 40, (uint32_t)A_DSDT);
	w16(f + 46, 9);
	w32(f + 76, 0x608);
	f[91] = 4;
	f[108] = 0x32;
	w16(f + 109, ACPI_IAPC_NO_VGA);
	w32(f + 112, ACPI_FADT_RESET_REG_SUP | ACPI_FADT_TMR_VAL_EXT);
	f[116] = ACPI_GAS_IO;
	f[117] = 8;
	w64(f + 120, 0xcf9);
	f[128] = 6;
	w64(f + 140, A_DSDT);
	fix_table(A_FADT);

	header(A_DSDT, "DSDT", 64, 2);
	fix_table(A_DSDT);
}

static int find_status(uint64_t phys)
{
	for (uint32_t i = 0; i < info.ntables; i++)
		if (info.tables[i].phys == phys)
			return info.tables[i].status;
	return -1;
}

static int setup(void **state)
{
	(void)state;
	build_image();
	return 0;
}

/* --- valid images --- */

static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	assert_int_equal(info.revision, 2);
	assert_string_equal(info.oem_id, "CHRLTE");
	assert_true(info.used_xsdt);
	assert_int_equal(info.root_phys, A_XSDT);

	assert_true(info.madt.present);
	assert_int_equal(info.madt.lapic_addr, 0xfee00000);
	assert_int_equal(info.madt.flags, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(info.madt.ncpus, 2);
	assert_true(info.madt.cpus[0].enabled);
	assert_false(info.madt.cpus[0].online_capable);
	assert_int_equal(info.madt.cpus[1].apic_id, 2);
	assert_int_equal(info.madt.cpus[1].uid, 1);
	assert_false(info.madt.cpus[1].enabled);
	assert_true(info.madt.cpus[1].online_capable);
	assert_int_equal(info.madt.nioapics, 1);
	assert_int_equal(info.madt.ioapics[0].id, 4);
	assert_int_equal(info.madt.ioapics[0].address, 0xfec00000);
	assert_int_equal(info.madt.nisos, 2);
	assert_int_equal(info.madt.isos[0].irq, 0);
	assert_int_equal(info.madt.isos[0].gsi, 2);
	assert_int_equal(info.madt.isos[0].polarity, ACPI_POL_CONFORMS);
	assert_int_equal(info.madt.isos[1].irq, 9);
	assert_int_equal(info.madt.isos[1].polarity, ACPI_POL_LOW);
	assert_int_equal(info.madt.isos[1].trigger, ACPI_TRIG_LEVEL);
	assert_int_equal(info.madt.nnmis, 1);
	assert_int_equal(info.madt.nmis[0].uid, ACPI_NMI_ALL_CPUS);
	assert_int_equal(info.madt.nmis[0].lint, 1);
	assert_int_equal(info.madt.nmis[0].polarity, ACPI_POL_HIGH);
	assert_int_equal(info.madt.nmis[0].trigger, ACPI_TRIG_EDGE);
	assert_int_equal(info.madt.dropped, 0);

	assert_true(info.hpet.present);
	assert_int_equal(info.hpet.base, 0xfed00000);
	assert_int_equal(info.hpet.block_id, 0x8086a201);
	assert_int_equal(info.hpet.min_tick, 0x80);
	assert_int_equal(info.hpet.number, 0);

	assert_true(info.mcfg.present);
	assert_int_equal(info.mcfg.nsegs, 1);
	assert_int_equal(info.mcfg.segs[0].base, 0xe0000000);
	assert_int_equal(info.mcfg.segs[0].bus_start, 0);
	assert_int_equal(info.mcfg.segs[0].bus_end, 255);

	assert_true(info.fadt.present);
	assert_int_equal(info.fadt.dsdt, A_DSDT);
	assert_int_equal(info.fadt.sci_irq, 9);
	assert_int_equal(info.fadt.pm_timer.space_id, ACPI_GAS_IO);
	assert_int_equal(info.fadt.pm_timer.address, 0x608);
	assert_int_equal(info.fadt.pm_timer_len, 4);
	assert_int_equal(info.fadt.century, 0x32);
	assert_int_equal(info.fadt.iapc_boot_arch, ACPI_IAPC_NO_VGA);
	assert_true(info.fadt.reset_valid);
	assert_int_equal(info.fadt.reset_reg.address, 0xcf9);
	assert_int_equal(info.fadt.reset_value, 6);

	/* XSDT + 4 tables + DSDT via the FADT */
	assert_int_equal(info.ntables, 6);
	assert_int_equal(info.nrejected, 0);
	assert_non_null(acpi_find_table(&info, "DSDT"));
	assert_int_equal(acpi_find_table(&info, "HPET")->phys, A_HPET);
	assert_null(acpi_find_table(&info, "SSDT"));
}

static void test_rsdt_fallback_rev0(void **state)
{
	(void)state;
	build_rsdp(0, A_RSDT, A_XSDT); /* v1: the xsdt field is not even looked at */
	assert_int_equal(parse(), 0);
	assert_false(info.used_xsdt);
	assert_int_equal(info.root_phys, A_RSDT);
	assert_true(info.madt.present && info.hpet.present && info.fadt.present);
}

static void test_xsdt_outside_memory(void **state)
{
	(void)state;
	build_rsdp(2, A_RSDT, 0xdead00000000ull);
	assert_int_equal(parse(), 0);
	assert_false(info.used_xsdt);
	assert_true(info.madt.present);

	build_rsdp(2, 0xfffff000, 0xffffffffffffff00ull); /* wraps */
	assert_int_equal(parse(), ERR_NOT_FOUND);
	assert_false(info.madt.present);
}

static void test_xsdt_bad_checksum_falls_back(void **state)
{
	(void)state;
	P(A_XSDT)[9] ^= 1;
	assert_int_equal(parse(), 0);
	assert_false(info.used_xsdt);
	assert_int_equal(find_status(A_XSDT), ACPI_TABLE_REJECTED);
	assert_true(info.madt.present);

	P(A_RSDT)[9] ^= 1;
	assert_int_equal(parse(), ERR_CHECKSUM);
}

static void test_root_wrong_signature(void **state)
{
	(void)state;
	memcpy(P(A_XSDT), "RSDT", 4);
	fix_table(A_XSDT);
	memcpy(P(A_RSDT), "XSDT", 4);
	fix_table(A_RSDT);
	assert_int_equal(parse(), ERR_MALFORMED);
}

static void test_rsdp_copy(void **state)
{
	(void)state;
	uint8_t *copy = malloc(36);
	memcpy(copy, P(A_RSDP), 36);
	assert_int_equal(acpi_parse_rsdp_copy(&ops, copy, 36, &info), 0);
	unmap_all();
	assert_true(info.used_xsdt);
	/* GRUB's old-RSDP tag: 20 bytes even for revision 2 -> RSDT */
	assert_int_equal(acpi_parse_rsdp_copy(&ops, copy, 20, &info), 0);
	unmap_all();
	assert_false(info.used_xsdt);
	assert_true(info.madt.present);
	assert_int_equal(acpi_parse_rsdp_copy(&ops, copy, 19, &info), ERR_TRUNCATED);
	assert_int_equal(acpi_parse_rsdp_copy(NULL, copy, 36, &info), ERR_INVALID_ARGS);
	free(copy);
}

/* --- bad RSDP --- */

static void test_bad_rsdp(void **state)
{
	(void)state;
	P(A_RSDP)[8] ^= 0x55;
	assert_int_equal(parse(), ERR_CHECKSUM);

	fix_rsdp();
	P(A_RSDP)[32] ^= 0x55; /* extended checksum */
	assert_int_equal(parse(), ERR_CHECKSUM);

	build_rsdp(2, A_RSDT, A_XSDT);
	P(A_RSDP)[0] = 'X';
	fix_rsdp();
	assert_int_equal(parse(), ERR_NOT_FOUND);

	build_rsdp(2, A_RSDT, A_XSDT);
	w32(P(A_RSDP) + 20, 12); /* v2 length below 36 */
	fix_rsdp();
	assert_int_equal(parse(), ERR_MALFORMED);

	build_rsdp(2, A_RSDT, A_XSDT);
	w32(P(A_RSDP) + 20, 0xffffffff);
	fix_rsdp();
	assert_int_equal(parse(), ERR_MALFORMED);

	assert_int_equal(acpi_parse(&ops, BASE + MEM_SIZE - 10, &info), ERR_NOT_FOUND);
	unmap_all();
	assert_int_equal(acpi_parse(&ops, 0, &info), ERR_NOT_FOUND);
	assert_int_equal(acpi_parse(&ops, UINT64_MAX - 3, &info), ERR_NOT_FOUND);
	unmap_all();
}

/* --- bad tables --- */

static void test_bad_table_checksum_skipped(void **state)
{
	(void)state;
	P(A_HPET)[44] ^= 1;
	assert_int_equal(parse(), 0);
	assert_false(info.hpet.present);
	assert_int_equal(find_status(A_HPET), ACPI_TABLE_REJECTED);
	assert_int_equal(info.nrejected, 1);
	assert_true(info.madt.present && info.mcfg.present && info.fadt.present);
	assert_null(acpi_find_table(&info, "HPET"));
}

static void test_truncated_tables(void **state)
{
	(void)state;
	/* MADT length runs past the end of RAM */
	w32(P(A_MADT) + 4, MEM_SIZE);
	fix_table(A_MADT);
	assert_int_equal(parse(), 0);
	assert_false(info.madt.present);
	assert_int_equal(find_status(A_MADT), ACPI_TABLE_REJECTED);
	assert_true(info.hpet.present);

	/* length smaller than a header */
	w32(P(A_MADT) + 4, 20);
	fix_table(A_MADT);
	assert_int_equal(parse(), 0);
	assert_false(info.madt.present);

	/* insane length */
	w32(P(A_MADT) + 4, 0x7fffffff);
	assert_int_equal(parse(), 0);
	assert_false(info.madt.present);

	/* header itself straddles the end of RAM */
	uint64_t tabs[] = {BASE + MEM_SIZE - 8, A_HPET};
	set_root(A_XSDT, 8, tabs, 2);
	assert_int_equal(parse(), 0);
	assert_true(info.hpet.present);
	assert_int_equal(find_status(BASE + MEM_SIZE - 8), ACPI_TABLE_REJECTED);
	assert_string_equal(info.tables[1].sig, "????");

	/* HPET / FADT / MCFG shorter than their fixed part */
	build_image();
	header(A_HPET, "HPET", 50, 1);
	fix_table(A_HPET);
	w32(P(A_FADT) + 4, 100);
	fix_table(A_FADT);
	w32(P(A_MCFG) + 4, 40);
	fix_table(A_MCFG);
	assert_int_equal(parse(), 0);
	assert_false(info.hpet.present || info.fadt.present || info.mcfg.present);
	assert_true(info.madt.present);
}

static void test_madt_entry_lengths(void **state)
{
	(void)state;
	static const uint8_t bad_len[] = {0, 1, 200};
	for (size_t i = 0; i < sizeof(bad_len); i++) {
		build_image();
		madt_begin(A_MADT, 0xfee00000, 0);
		add_lapic(A_MADT, 0, 0, 1);
		uint8_t *e = madt_add(A_MADT, 0, 8);
		e[1] = bad_len[i];
		madt_done(A_MADT);
		assert_int_equal(parse(), 0);
		assert_false(info.madt.present);
		assert_int_equal(info.madt.ncpus, 0);
		assert_int_equal(find_status(A_MADT), ACPI_TABLE_REJECTED);
		assert_true(info.hpet.present);
	}

	/* a lone trailing byte after the last entry */
	build_image();
	madt_begin(A_MADT, 0xfee00000, 0);
	add_lapic(A_MADT, 0, 0, 1);
	madt_end += 1;
	madt_done(A_MADT);
	assert_int_equal(parse(), 0);
	assert_false(info.madt.present);

	/* an entry too short for its type is dropped, the rest used */
	build_image();
	madt_begin(A_MADT, 0xfee00000, 0);
	madt_add(A_MADT, 1, 4); /* IOAPIC needs 12 */
	madt_add(A_MADT, 9, 8); /* x2APIC needs 16 */
	add_lapic(A_MADT, 0, 0, 1);
	madt_done(A_MADT);
	assert_int_equal(parse(), 0);
	assert_true(info.madt.present);
	assert_int_equal(info.madt.nioapics, 0);
	assert_int_equal(info.madt.ncpus, 1);
	assert_int_equal(info.madt.dropped, 2);

	/* empty MADT (no entries) is fine */
	build_image();
	madt_begin(A_MADT, 0xfee00000, 0);
	madt_done(A_MADT);
	assert_int_equal(parse(), 0);
	assert_true(info.madt.present);
	assert_int_equal(info.madt.ncpus, 0);
}

static void test_duplicate_tables(void **state)
{
	(void)state;
	/* second MADT with one CPU, listed after the first */
	madt_begin(A_SPARE, 0xfee00000, 0);
	add_lapic(A_SPARE, 7, 7, 1);
	madt_done(A_SPARE);
	uint64_t tabs[] = {A_MADT, A_SPARE, A_HPET, A_HPET};
	set_root(A_XSDT, 8, tabs, 4);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.madt.ncpus, 2);
	assert_int_equal(find_status(A_SPARE), ACPI_TABLE_DUPLICATE);
	assert_int_equal(info.tables[4].status, ACPI_TABLE_DUPLICATE);

	/* a bad first copy does not block a good second one */
	P(A_MADT)[9] ^= 1;
	assert_int_equal(parse(), 0);
	assert_int_equal(info.madt.ncpus, 1);
	assert_int_equal(info.madt.cpus[0].apic_id, 7);
}

static void test_missing_madt(void **state)
{
	(void)state;
	uint64_t tabs[] = {A_HPET};
	set_root(A_XSDT, 8, tabs, 1);
	assert_int_equal(parse(), 0);
	assert_false(info.madt.present);
	assert_true(info.hpet.present);
	assert_false(info.fadt.present);
}

static void test_huge_counts(void **state)
{
	(void)state;
	/* 300 CPUs, 20 IOAPICs, 40 ISOs, 40 NMIs in one MADT (fits in 0x1000 + spare) */
	madt_begin(A_MADT, 0xfee00000, 0);
	for (int i = 0; i < 300; i++)
		add_lapic(A_MADT, (uint8_t)i, (uint8_t)i, 1);
	for (int i = 0; i < 20; i++)
		madt_add(A_MADT, 1, 12);
	for (int i = 0; i < 40; i++)
		madt_add(A_MADT, 2, 10);
	for (int i = 0; i < 40; i++)
		madt_add(A_MADT, 4, 6);
	madt_done(A_MADT);
	uint64_t tabs[] = {A_MADT};
	set_root(A_XSDT, 8, tabs, 1);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.madt.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(info.madt.nioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(info.madt.nisos, ACPI_MAX_ISOS);
	assert_int_equal(info.madt.nnmis, ACPI_MAX_NMIS);
	assert_int_equal(info.madt.dropped, 44 + 4 + 8 + 8);

	/* XSDT listing 500 tables */
	build_image();
	header(A_SPARE, "XSDT", 36 + 500 * 8, 1);
	for (int i = 0; i < 500; i++)
		w64(P(A_SPARE) + 36 + i * 8, A_HPET);
	fix_table(A_SPARE);
	build_rsdp(2, 0, A_SPARE);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.ntables, ACPI_MAX_TABLES);
	assert_int_equal(info.tables_dropped, 500 - (ACPI_MAX_TABLES - 1));

	/* MCFG with 20 segments */
	build_image();
	header(A_MCFG, "MCFG", 44 + 20 * 16, 1);
	for (int i = 0; i < 20; i++) {
		w16(P(A_MCFG) + 44 + i * 16 + 8, (uint16_t)i);
		P(A_MCFG)[44 + i * 16 + 11] = 10;
	}
	P(A_MCFG)[44 + 11] = 0; /* first: bus 0..0 fine */
	P(A_MCFG)[44 + 10] = 5; /* ... now 5..0: inverted, dropped */
	fix_table(A_MCFG);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.mcfg.nsegs, ACPI_MAX_MCFG);
	assert_int_equal(info.mcfg.segs[0].segment, 1);
	assert_int_equal(info.mcfg.dropped, 12);
}

static void test_x2apic_and_override(void **state)
{
	(void)state;
	madt_begin(A_MADT, 0xfee00000, 0);
	uint8_t *e = madt_add(A_MADT, 9, 16);
	w32(e + 4, 0x1234);
	w32(e + 8, 1);
	w32(e + 12, 77);
	e = madt_add(A_MADT, 0xa, 12);
	w16(e + 2, 0xd);
	w32(e + 4, 0xffffffff);
	e[8] = 1;
	e = madt_add(A_MADT, 5, 12);
	w64(e + 4, 0x100fee00000ull);
	madt_done(A_MADT);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.madt.lapic_addr, 0x100fee00000ull);
	assert_int_equal(info.madt.ncpus, 1);
	assert_true(info.madt.cpus[0].x2apic);
	assert_int_equal(info.madt.cpus[0].apic_id, 0x1234);
	assert_int_equal(info.madt.cpus[0].uid, 77);
	assert_true(info.madt.cpus[0].enabled);
	assert_int_equal(info.madt.nnmis, 1);
	assert_int_equal(info.madt.nmis[0].uid, ACPI_NMI_ALL_CPUS);
	assert_int_equal(info.madt.nmis[0].trigger, ACPI_TRIG_LEVEL);
	assert_int_equal(info.madt.nmis[0].polarity, ACPI_POL_HIGH);
}

static void test_fadt_v1(void **state)
{
	(void)state;
	header(A_FADT, "FACP", 116, 1);
	w32(P(A_FADT) + 40, (uint32_t)A_DSDT);
	w32(P(A_FADT) + 76, 0x808);
	P(A_FADT)[91] = 4;
	P(A_FADT)[109] = 0xff; /* reserved in v1: must be ignored */
	w32(P(A_FADT) + 112, ACPI_FADT_RESET_REG_SUP);
	fix_table(A_FADT);
	assert_int_equal(parse(), 0);
	assert_true(info.fadt.present);
	assert_int_equal(info.fadt.pm_timer.address, 0x808);
	assert_int_equal(info.fadt.iapc_boot_arch, 0);
	assert_false(info.fadt.reset_valid); /* no room for RESET_REG */
	assert_int_equal(info.fadt.dsdt, A_DSDT);
}

/* fuzz_acpi: a PM_TMR_LEN other than 4 came back as the timer's width; acpi.h
 * promises 4 or 0 (no timer) */
static void test_fadt_pm_timer_len_not_4(void **state)
{
	(void)state;
	static const uint8_t lens[] = {0, 3, 8, 0xff};
	for (unsigned i = 0; i < sizeof(lens); i++) {
		P(A_FADT)[91] = lens[i];
		fix_table(A_FADT);
		assert_int_equal(parse(), 0);
		assert_int_equal(info.fadt.pm_timer_len, 0);
		assert_int_equal(info.fadt.pm_timer.address, 0);
	}
	P(A_FADT)[91] = 4;
	fix_table(A_FADT);
	assert_int_equal(parse(), 0);
	assert_int_equal(info.fadt.pm_timer_len, 4);
	assert_int_equal(info.fadt.pm_timer.address, 0x608);
}

/* --- fuzzing --- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void check_caps(void)
{
	assert_true(info.madt.ncpus <= ACPI_MAX_CPUS);
	assert_true(info.madt.nioapics <= ACPI_MAX_IOAPICS);
	assert_true(info.madt.nisos <= ACPI_MAX_ISOS);
	assert_true(info.madt.nnmis <= ACPI_MAX_NMIS);
	assert_true(info.mcfg.nsegs <= ACPI_MAX_MCFG);
	assert_true(info.ntables <= ACPI_MAX_TABLES);
	assert_true(info.nrejected <= info.ntables);
	assert_true(info.oem_id[6] == '\0');
	for (uint32_t i = 0; i < info.ntables; i++)
		assert_true(info.tables[i].sig[4] == '\0');
}

static void test_fuzz(void **state)
{
	(void)state;
	static const uint64_t regions[] = {A_RSDP, A_RSDT, A_XSDT, A_MADT,
	                                   A_HPET, A_MCFG, A_FADT, A_DSDT};
	static uint8_t golden[MEM_SIZE];
	build_image();
	memcpy(golden, mem, sizeof(mem));
	int iters = getenv("FUZZ_ITERS") ? atoi(getenv("FUZZ_ITERS")) : 100000;
	int ok = 0;
	for (int it = 0; it < iters; it++) {
		memcpy(mem, golden, 0x5100);
		int nmut = 1 + rnd() % 8;
		for (int m = 0; m < nmut; m++) {
			uint64_t r = regions[rnd() % 8];
			uint32_t off = rnd() % 128;
			if (r == A_MADT)
				off = rnd() % 100;
			switch (rnd() % 4) {
			case 0: /* random byte */
				P(r)[off] = (uint8_t)rnd();
				break;
			case 1: /* bit flip */
				P(r)[off] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 2: /* truncate or stretch the table */
				if (r != A_RSDP)
					w32(P(r) + 4, rnd() % 0x400);
				break;
			case 3: /* small interesting values into MADT entry bytes */
				P(r)[off] = (uint8_t)(rnd() % 3);
				break;
			}
		}
		if (rnd() % 4) {
			for (size_t i = 1; i < 8; i++)
				fix_table(regions[i]);
			if (rnd() % 8)
				fix_rsdp();
		}
		if (parse() == 0)
			ok++;
		check_caps();
	}
	/* the mutations must not be so violent that nothing ever parses */
	assert_true(iters < 1000 || ok > iters / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_valid, setup),
	    cmocka_unit_test_setup(test_rsdt_fallback_rev0, setup),
	    cmocka_unit_test_setup(test_xsdt_outside_memory, setup),
	    cmocka_unit_test_setup(test_xsdt_bad_checksum_falls_back, setup),
	    cmocka_unit_test_setup(test_root_wrong_signature, setup),
	    cmocka_unit_test_setup(test_rsdp_copy, setup),
	    cmocka_unit_test_setup(test_bad_rsdp, setup),
	    cmocka_unit_test_setup(test_bad_table_checksum_skipped, setup),
	    cmocka_unit_test_setup(test_truncated_tables, setup),
	    cmocka_unit_test_setup(test_madt_entry_lengths, setup),
	    cmocka_unit_test_setup(test_duplicate_tables, setup),
	    cmocka_unit_test_setup(test_missing_madt, setup),
	    cmocka_unit_test_setup(test_huge_counts, setup),
	    cmocka_unit_test_setup(test_x2apic_and_override, setup),
	    cmocka_unit_test_setup(test_fadt_v1, setup),
	    cmocka_unit_test_setup(test_fadt_pm_timer_len_not_4, setup),
	    cmocka_unit_test_setup(test_fuzz, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
