/*
 * acpi.c - ACPI table discovery and parsing (see acpi.h for the contract).
 *
 * Flow: check the RSDP (signature, 20-byte checksum, extended checksum for
 * revision >= 2), pick the XSDT (8-byte entries) or RSDT (4-byte entries), then
 * for every entry map and validate the table (header maps, 36 <= length <=
 * ACPI_TABLE_MAX_LEN, whole table maps, byte sum is zero) before a parser for
 * its signature looks at the body. Parsers read fields only at offsets they
 * have checked against the table length, through unaligned little-endian loads,
 * so a hostile table can at worst yield wrong numbers, never an out-of-bounds
 * read, a loop that does not end (MADT entry length 0) or an array overrun
 * (every count is capped and the excess counted in *.dropped).
 */
#include "acpi.h"
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <lib/string.h>

#define HDR_LEN 36u
#define RSDP_V1_LEN 20u
#define RSDP_V2_LEN 36u
#define RSDP_MAX_LEN 4096u

static uint8_t ld8(const uint8_t *p, size_t off)
{
	return p[off];
}

static uint16_t ld16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | (uint16_t)p[off + 1] << 8);
}

static uint32_t ld32(const uint8_t *p, size_t off)
{
	return (uint32_t)ld16(p, off) | (uint32_t)ld16(p, off + 2) << 16;
}

static uint64_t ld64(const uint8_t *p, size_t off)
{
	return (uint64_t)ld32(p, off) | (uint64_t)ld32(p, off + 4) << 32;
}

static uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

static bool sig_eq(const uint8_t *p, const char *sig)
{
	return memcmp(p, sig, 4) == 0;
}

static const uint8_t *map(const struct acpi_ops *ops, uint64_t phys, size_t len)
{
	if (phys == 0 || phys > UINT64_MAX - len)
		return NULL;
	return ops->map(ops->ctx, phys, len);
}

/* Copy a fixed-width firmware string, NUL-terminate, make it safe to print. */
static void copy_str(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = '\0';
}

static struct acpi_gas load_gas(const uint8_t *p, size_t off)
{
	struct acpi_gas g = {
	    .space_id = ld8(p, off),
	    .bit_width = ld8(p, off + 1),
	    .bit_offset = ld8(p, off + 2),
	    .access_size = ld8(p, off + 3),
	    .address = ld64(p, off + 4),
	};
	return g;
}

/* --- table validation --- */

/*
 * Map and validate the table at phys. On success returns the mapping and its
 * length; on failure returns an error code and logs why. sig_out receives the
 * signature if at least the header mapped.
 */
static int map_table(const struct acpi_ops *ops, uint64_t phys, const uint8_t **tab,
                     uint32_t *len_out, char sig_out[5])
{
	const uint8_t *hdr = map(ops, phys, HDR_LEN);
	if (!hdr) {
		pr_warn("acpi: table at 0x%llx not mappable", (unsigned long long)phys);
		return ERR_NOT_FOUND;
	}
	copy_str(sig_out, hdr, 4);
	uint32_t len = ld32(hdr, 4);
	*len_out = len;
	if (len < HDR_LEN || len > ACPI_TABLE_MAX_LEN) {
		pr_warn("acpi: %s at 0x%llx: bad length %u", sig_out, (unsigned long long)phys,
		        len);
		return ERR_MALFORMED;
	}
	const uint8_t *t = map(ops, phys, len);
	if (!t) {
		pr_warn("acpi: %s at 0x%llx: %u bytes not mappable", sig_out,
		        (unsigned long long)phys, len);
		return ERR_TRUNCATED;
	}
	/* Re-read the length from the full mapping: it is what we sum over. */
	if (ld32(t, 4) != len || sum8(t, len) != 0) {
		pr_warn("acpi: %s at 0x%llx: bad checksum", sig_out, (unsigned long long)phys);
		return ERR_CHECKSUM;
	}
	*tab = t;
	return 0;
}

/* --- MADT --- */

/*
 * Minimum entry length for each MADT entry type we parse, 0 = not parsed:
 * 0 local APIC, 1 I/O APIC, 2 interrupt source override, 4 local APIC NMI,
 * 5 local APIC address override, 9 local x2APIC, 0xa local x2APIC NMI.
 */
static const uint8_t madt_min_len[16] = {
    [0] = 8, [1] = 12, [2] = 10, [4] = 6, [5] = 12, [9] = 16, [0xa] = 12,
};

static void madt_add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
                         bool x2apic)
{
	if (out->madt.ncpus >= ACPI_MAX_CPUS) {
		out->madt.dropped++;
		return;
	}
	struct acpi_cpu *c = &out->madt.cpus[out->madt.ncpus++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = flags & 1;
	c->online_capable = !(flags & 1) && (flags & 2);
	c->x2apic = x2apic;
}

static void madt_add_nmi(struct acpi_info *out, uint32_t uid, uint16_t inti, uint8_t lint)
{
	if (out->madt.nnmis >= ACPI_MAX_NMIS) {
		out->madt.dropped++;
		return;
	}
	struct acpi_lapic_nmi *n = &out->madt.nmis[out->madt.nnmis++];
	n->uid = uid;
	n->lint = lint;
	n->polarity = inti & 3;
	n->trigger = (inti >> 2) & 3;
}

static void madt_entry(struct acpi_info *out, const uint8_t *e, uint8_t type)
{
	switch (type) {
	case 0:
		madt_add_cpu(out, ld8(e, 3), ld8(e, 2), ld32(e, 4), false);
		break;
	case 1:
		if (out->madt.nioapics >= ACPI_MAX_IOAPICS) {
			out->madt.dropped++;
			break;
		}
		out->madt.ioapics[out->madt.nioapics++] = (struct acpi_ioapic){
		    .id = ld8(e, 2), .address = ld32(e, 4), .gsi_base = ld32(e, 8)};
		break;
	case 2:
		if (out->madt.nisos >= ACPI_MAX_ISOS) {
			out->madt.dropped++;
			break;
		}
		out->madt.isos[out->madt.nisos++] = (struct acpi_iso){
		    .bus = ld8(e, 2),
		    .irq = ld8(e, 3),
		    .gsi = ld32(e, 4),
		    .polarity = ld16(e, 8) & 3,
		    .trigger = (ld16(e, 8) >> 2) & 3,
		};
		break;
	case 4: {
		uint8_t uid = ld8(e, 2);
		madt_add_nmi(out, uid == 0xff ? ACPI_NMI_ALL_CPUS : uid, ld16(e, 3), ld8(e, 5));
		break;
	}
	case 5:
		out->madt.lapic_addr = ld64(e, 4);
		break;
	case 9:
		madt_add_cpu(out, ld32(e, 4), ld32(e, 12), ld32(e, 8), true);
		break;
	case 0xa:
		madt_add_nmi(out, ld32(e, 4), ld16(e, 2), ld8(e, 8));
		break;
	}
}

/*
 * Two passes: first prove every entry header lies inside the table (a length
 * below 2 would never advance), then parse. A structural error rejects the
 * whole table so we never act on half an interrupt topology.
 */
static int parse_madt(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	for (uint32_t off = HDR_LEN + 8; off < len;) {
		if (len - off < 2 || ld8(t, off + 1) < 2 || ld8(t, off + 1) > len - off) {
			pr_warn("acpi: APIC entry at +%u overruns or has length < 2", off);
			return ERR_MALFORMED;
		}
		off += ld8(t, off + 1);
	}

	out->madt.present = true;
	out->madt.lapic_addr = ld32(t, HDR_LEN);
	out->madt.flags = ld32(t, HDR_LEN + 4);
	for (uint32_t off = HDR_LEN + 8; off < len; off += ld8(t, off + 1)) {
		uint8_t type = ld8(t, off), elen = ld8(t, off + 1);
		uint8_t min = type < ARRAY_SIZE(madt_min_len) ? madt_min_len[type] : 0;
		if (min == 0)
			continue;
		if (elen < min) {
			pr_warn("acpi: APIC entry type %u too short (%u)", type, elen);
			out->madt.dropped++;
			continue;
		}
		madt_entry(out, t + off, type);
	}
	return 0;
}

/* --- HPET, MCFG, FADT --- */

static int parse_hpet(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	(void)len; /* the fixed 56 bytes are all we read */
	out->hpet.present = true;
	out->hpet.block_id = ld32(t, 36);
	out->hpet.space_id = ld8(t, 40);
	out->hpet.base = ld64(t, 44);
	out->hpet.number = ld8(t, 52);
	out->hpet.min_tick = ld16(t, 53);
	return 0;
}

static int parse_mcfg(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	out->mcfg.present = true;
	for (uint32_t off = 44; len - off >= 16; off += 16) {
		if (out->mcfg.nsegs >= ACPI_MAX_MCFG) {
			out->mcfg.dropped++;
			continue;
		}
		struct acpi_mcfg_seg *s = &out->mcfg.segs[out->mcfg.nsegs];
		s->base = ld64(t, off);
		s->segment = ld16(t, off + 8);
		s->bus_start = ld8(t, off + 10);
		s->bus_end = ld8(t, off + 11);
		if (s->bus_end < s->bus_start) {
			pr_warn("acpi: MCFG segment %u bus range %u-%u inverted", s->segment,
			        s->bus_start, s->bus_end);
			out->mcfg.dropped++;
			continue;
		}
		out->mcfg.nsegs++;
	}
	return 0;
}

/* A PM1 control block: the X_ GAS (ACPI 2.0+) when set, else the 1.0 I/O port. */
static struct acpi_gas fadt_pm1(const uint8_t *t, uint32_t len, size_t off32, size_t xoff,
                                uint8_t width)
{
	struct acpi_gas g = {0};
	if (len >= xoff + 12)
		g = load_gas(t, xoff);
	if (!g.address && ld32(t, off32))
		g = (struct acpi_gas){
		    .space_id = ACPI_GAS_IO, .bit_width = width, .address = ld32(t, off32)};
	return g;
}

/* What powering off needs: the PM1 control blocks and the way into ACPI mode. */
static void fadt_power(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	uint8_t width = (uint8_t)(ld8(t, 89) * 8); /* PM1_CNT_LEN, bytes */
	out->fadt.pm1a_cnt = fadt_pm1(t, len, 64, 172, width);
	out->fadt.pm1b_cnt = fadt_pm1(t, len, 68, 184, width);
	out->fadt.smi_cmd = ld32(t, 48);
	out->fadt.acpi_enable = ld8(t, 52);
}

static int parse_fadt(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	/* Fields past the ACPI 1.0 FADT's 116 bytes are read only if present. */
	out->fadt.present = true;
	out->fadt.length = len;
	out->fadt.dsdt = ld32(t, 40);
	out->fadt.sci_irq = ld16(t, 46);
	out->fadt.pm_timer_len = ld8(t, 91);
	out->fadt.century = ld8(t, 108);
	out->fadt.flags = ld32(t, 112);
	uint32_t pm_tmr = ld32(t, 76);
	if (pm_tmr) {
		out->fadt.pm_timer =
		    (struct acpi_gas){.space_id = ACPI_GAS_IO, .bit_width = 32, .address = pm_tmr};
	}
	if (ld8(t, 8) >= 2) /* reserved in the revision 1 FADT */
		out->fadt.iapc_boot_arch = ld16(t, 109);
	if (len >= 129 && (out->fadt.flags & ACPI_FADT_RESET_REG_SUP)) {
		out->fadt.reset_reg = load_gas(t, 116);
		out->fadt.reset_value = ld8(t, 128);
		out->fadt.reset_valid = out->fadt.reset_reg.address != 0;
	}
	if (len >= 148 && ld64(t, 140))
		out->fadt.dsdt = ld64(t, 140);
	if (len >= 220) {
		struct acpi_gas g = load_gas(t, 208);
		if (g.address)
			out->fadt.pm_timer = g;
	}
	/* ACPI: PM_TMR_LEN is 4 when there is a timer; any other value is none
	 * (fuzz_acpi found 0xff passed on as the timer's width) */
	if (!out->fadt.pm_timer.address || out->fadt.pm_timer_len != 4) {
		out->fadt.pm_timer = (struct acpi_gas){0};
		out->fadt.pm_timer_len = 0;
	}
	fadt_power(t, len, out);
	return 0;
}

/* --- DSDT: the \_S5 package --- */

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_PACKAGE 0x12
#define AML_ROOT '\\'

/* One package element at aml[*i] (< end): a constant of at most 7, or -1. */
static int s5_element(const uint8_t *aml, size_t *i, size_t end)
{
	uint8_t op = aml[(*i)++];
	size_t n = op == AML_BYTE ? 1 : op == AML_WORD ? 2 : op == AML_DWORD ? 4 : 0;
	if (op == AML_ZERO || op == AML_ONE)
		return op;
	if (!n || end - *i < n)
		return -1;
	uint32_t v = 0;
	for (size_t k = 0; k < n; k++)
		v |= (uint32_t)aml[*i + k] << (8 * k);
	*i += n;
	return v <= 7 ? (int)v : -1;
}

/* The package whose PackageOp is at aml[i] (< len): 0 and the values, or -1. */
static int s5_package(const uint8_t *aml, size_t i, size_t len, uint8_t *typa, uint8_t *typb)
{
	if (aml[i] != AML_PACKAGE || len - i < 3)
		return -1;
	size_t start = ++i; /* PkgLength counts from its own first byte */
	uint8_t lead = aml[i++];
	size_t extra = lead >> 6, pkglen = extra ? lead & 0x0fu : lead & 0x3fu;
	if (len - i < extra + 1)
		return -1;
	for (size_t k = 0; k < extra; k++)
		pkglen |= (size_t)aml[i++] << (4 + 8 * k);
	if (pkglen > len - start || start + pkglen <= i)
		return -1;
	size_t end = start + pkglen;
	uint8_t count = aml[i++];
	if (count == 0 || i >= end)
		return -1;
	int a = s5_element(aml, &i, end), b = a;
	if (a >= 0 && count > 1)
		b = i < end ? s5_element(aml, &i, end) : -1;
	if (a < 0 || b < 0)
		return -1;
	*typa = (uint8_t)a;
	*typb = (uint8_t)b;
	return 0;
}

int acpi_s5_scan(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	int r = ERR_NOT_FOUND;
	for (size_t i = 1; len >= 5 && i <= len - 5; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		bool named = aml[i - 1] == AML_NAME ||
		             (i >= 2 && aml[i - 1] == AML_ROOT && aml[i - 2] == AML_NAME);
		if (!named)
			continue;
		if (s5_package(aml, i + 4, len, typa, typb) == 0)
			return 0;
		r = ERR_MALFORMED;
	}
	return r;
}

static int parse_dsdt(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	out->dsdt.present = true;
	uint8_t a = 0, b = 0;
	int r = acpi_s5_scan(t + HDR_LEN, len - HDR_LEN, &a, &b);
	if (r == 0) {
		out->dsdt.s5_found = true;
		out->dsdt.s5_typa = a;
		out->dsdt.s5_typb = b;
	} else {
		pr_info("acpi: DSDT has no usable \\_S5 package (%d): no power off", r);
	}
	return 0; /* a DSDT without one is still a DSDT */
}

/* --- table list and dispatch --- */

static struct acpi_table_ref *record(struct acpi_info *out, uint64_t phys, const char *sig,
                                     uint32_t len, uint8_t status)
{
	if (out->ntables >= ACPI_MAX_TABLES) {
		out->tables_dropped++;
		return NULL;
	}
	struct acpi_table_ref *r = &out->tables[out->ntables++];
	memcpy(r->sig, sig, 5);
	r->phys = phys;
	r->length = len;
	r->status = status;
	if (status == ACPI_TABLE_REJECTED)
		out->nrejected++;
	return r;
}

/* The tables we understand; the first valid copy of each sets *present. */
static const struct table_parser {
	char sig[5];
	uint32_t min_len; /* fixed part, checked before parse() runs */
	size_t present_off;
	int (*parse)(const uint8_t *t, uint32_t len, struct acpi_info *out);
} parsers[] = {
    {"APIC", HDR_LEN + 8, offsetof(struct acpi_info, madt.present), parse_madt},
    {"HPET", 56, offsetof(struct acpi_info, hpet.present), parse_hpet},
    {"MCFG", HDR_LEN + 8, offsetof(struct acpi_info, mcfg.present), parse_mcfg},
    {"FACP", 116, offsetof(struct acpi_info, fadt.present), parse_fadt},
    {"DSDT", HDR_LEN, offsetof(struct acpi_info, dsdt.present), parse_dsdt},
};

/* Validate one table, hand it to its parser, and record the outcome. */
static void visit_table(const struct acpi_ops *ops, uint64_t phys, struct acpi_info *out)
{
	const uint8_t *t = NULL;
	uint32_t len = 0;
	char sig[5] = "????";
	int rc = map_table(ops, phys, &t, &len, sig);
	if (rc) {
		record(out, phys, sig, len, ACPI_TABLE_REJECTED);
		return;
	}

	const struct table_parser *tp = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(parsers); i++)
		if (sig_eq(t, parsers[i].sig))
			tp = &parsers[i];
	bool *present = tp ? (bool *)((char *)out + tp->present_off) : NULL;
	if (present && *present) {
		pr_warn("acpi: duplicate %s at 0x%llx ignored", sig, (unsigned long long)phys);
		record(out, phys, sig, len, ACPI_TABLE_DUPLICATE);
		return;
	}
	if (tp && len < tp->min_len) {
		pr_warn("acpi: %s too short (%u)", sig, len);
		rc = ERR_MALFORMED;
	} else if (tp) {
		rc = tp->parse(t, len, out);
	}
	record(out, phys, sig, len, rc ? ACPI_TABLE_REJECTED : ACPI_TABLE_OK);
}

/* Walk the XSDT (esize 8) or RSDT (esize 4) at phys. */
static int walk_root(const struct acpi_ops *ops, uint64_t phys, size_t esize, struct acpi_info *out)
{
	const uint8_t *t = NULL;
	uint32_t len = 0;
	char sig[5] = "????";
	int rc = map_table(ops, phys, &t, &len, sig);
	if (rc == 0 && !sig_eq(t, esize == 8 ? "XSDT" : "RSDT")) {
		pr_warn("acpi: root table at 0x%llx has signature %s", (unsigned long long)phys,
		        sig);
		rc = ERR_MALFORMED;
	}
	if (rc) {
		record(out, phys, sig, len, ACPI_TABLE_REJECTED);
		return rc;
	}
	out->root_phys = phys;
	out->used_xsdt = esize == 8;
	record(out, phys, sig, len, ACPI_TABLE_OK);

	size_t n = (len - HDR_LEN) / esize;
	if (n > ACPI_MAX_TABLES - 1) {
		pr_warn("acpi: %s lists %u tables, using %u", sig, (unsigned)n,
		        ACPI_MAX_TABLES - 1);
		out->tables_dropped += (uint32_t)(n - (ACPI_MAX_TABLES - 1));
		n = ACPI_MAX_TABLES - 1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t off = HDR_LEN + i * esize;
		visit_table(ops, esize == 8 ? ld64(t, off) : ld32(t, off), out);
	}

	if (out->fadt.present && out->fadt.dsdt)
		visit_table(ops, out->fadt.dsdt, out);
	return 0;
}

/* --- RSDP --- */

/*
 * Check the RSDP at p, of which avail bytes are readable, and walk its tables.
 * A v2 RSDP whose extended part is not available is used as v1.
 */
static int parse_rsdp(const struct acpi_ops *ops, const uint8_t *p, size_t avail,
                      struct acpi_info *out)
{
	if (avail < RSDP_V1_LEN)
		return ERR_TRUNCATED;
	if (memcmp(p, "RSD PTR ", 8) != 0) {
		pr_warn("acpi: no RSDP signature");
		return ERR_NOT_FOUND;
	}
	if (sum8(p, RSDP_V1_LEN) != 0) {
		pr_warn("acpi: RSDP checksum bad");
		return ERR_CHECKSUM;
	}
	out->revision = ld8(p, 15);
	copy_str(out->oem_id, p + 9, 6);

	uint64_t xsdt = 0;
	if (out->revision >= 2 && avail >= RSDP_V2_LEN) {
		uint32_t len = ld32(p, 20);
		if (len < RSDP_V2_LEN || len > avail) {
			pr_warn("acpi: RSDP length %u bad", len);
			return ERR_MALFORMED;
		}
		if (sum8(p, len) != 0) {
			pr_warn("acpi: RSDP extended checksum bad");
			return ERR_CHECKSUM;
		}
		xsdt = ld64(p, 24);
	}
	uint32_t rsdt = ld32(p, 16);

	int rc = ERR_NOT_FOUND;
	if (xsdt) {
		rc = walk_root(ops, xsdt, 8, out);
		if (rc && rsdt)
			pr_warn("acpi: XSDT unusable (%d), falling back to RSDT", rc);
	}
	if (rc && rsdt)
		rc = walk_root(ops, rsdt, 4, out);
	if (!out->madt.present && rc == 0)
		pr_warn("acpi: no usable MADT");
	return rc;
}

static void reset_info(struct acpi_info *out)
{
	memset(out, 0, sizeof(*out));
}

int acpi_parse(const struct acpi_ops *ops, uint64_t rsdp_phys, struct acpi_info *out)
{
	if (!ops || !ops->map || !out)
		return ERR_INVALID_ARGS;
	reset_info(out);
	const uint8_t *p = map(ops, rsdp_phys, RSDP_V1_LEN);
	if (!p)
		return ERR_NOT_FOUND;
	size_t avail = RSDP_V1_LEN;
	if (p[15] >= 2) {
		/* Map the extended part; its own length field says how much. */
		const uint8_t *p2 = map(ops, rsdp_phys, RSDP_V2_LEN);
		if (p2) {
			uint32_t len = ld32(p2, 20);
			len = len < RSDP_V2_LEN ? RSDP_V2_LEN : MIN(len, RSDP_MAX_LEN);
			const uint8_t *p3 = map(ops, rsdp_phys, len);
			p = p3 ? p3 : p2;
			avail = p3 ? len : RSDP_V2_LEN;
		}
	}
	return parse_rsdp(ops, p, avail, out);
}

int acpi_parse_rsdp_copy(const struct acpi_ops *ops, const void *rsdp, size_t len,
                         struct acpi_info *out)
{
	if (!ops || !ops->map || !out || !rsdp)
		return ERR_INVALID_ARGS;
	reset_info(out);
	return parse_rsdp(ops, rsdp, len, out);
}

const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig)
{
	for (uint32_t i = 0; i < info->ntables && i < ACPI_MAX_TABLES; i++) {
		const struct acpi_table_ref *r = &info->tables[i];
		if (r->status == ACPI_TABLE_OK && memcmp(r->sig, sig, 4) == 0)
			return r;
	}
	return NULL;
}
