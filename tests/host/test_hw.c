/*
 * test_hw.c - kernel/hw/pci_parse.c against fake configuration spaces (well
 * formed, malformed and hostile: looping capability lists, wild pointers,
 * BARs that size to garbage), and the I/O bitmap's range setting
 * (kernel/arch/x86_64/iobitmap.c) against a bit-by-bit model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/iobitmap.h>
#include <hw/pci.h>

/* ---- a fake function: 256 bytes, BARs that answer sizing like hardware ---- */

struct fake {
	uint8_t cfg[256];
	uint64_t bar_mask[6]; /* read-only low bits (flags) stay; 0: not implemented */
	bool sizing_with_decode; /* a BAR was written all-ones with decode on */
	unsigned writes;
	bool hostile_sizing; /* sizing returns this raw value instead */
	uint32_t hostile_value;
};

static uint32_t rd(struct fake *f, unsigned off, unsigned w)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint32_t)f->cfg[(off + i) & 0xff] << (8 * i);
	return v;
}

static void wr_raw(struct fake *f, unsigned off, unsigned w, uint32_t v)
{
	for (unsigned i = 0; i < w; i++)
		f->cfg[(off + i) & 0xff] = (uint8_t)(v >> (8 * i));
}

static uint32_t f_read(void *ctx, unsigned off, unsigned width)
{
	assert_true(width == 1 || width == 2 || width == 4);
	assert_true(off + width <= 256);
	return rd(ctx, off, width);
}

static void f_write(void *ctx, unsigned off, unsigned width, uint32_t v)
{
	struct fake *f = ctx;
	f->writes++;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 24 && width == 4) {
		unsigned i = (off - PCI_BAR0) / 4;
		if (v == 0xffffffffu && (rd(f, PCI_COMMAND, 2) & (PCI_CMD_IO | PCI_CMD_MEM)))
			f->sizing_with_decode = true;
		if (f->hostile_sizing && v == 0xffffffffu) {
			wr_raw(f, off, 4, f->hostile_value);
			return;
		}
		/* which half of a (possibly 64-bit) mask this dword is */
		unsigned lowslot = i;
		bool upper = false;
		if (i > 0 && (rd(f, PCI_BAR0 + 4 * (i - 1), 4) & 7) == 4 && f->bar_mask[i] == 0 &&
		    f->bar_mask[i - 1] >> 32) {
			lowslot = i - 1;
			upper = true;
		}
		uint64_t mask = f->bar_mask[lowslot];
		uint32_t m = upper ? (uint32_t)(mask >> 32) : (uint32_t)mask;
		uint32_t flags = upper ? 0 : rd(f, off, 4) & (rd(f, off, 4) & 1 ? 0x3 : 0xf);
		wr_raw(f, off, 4, mask == 0 ? 0 : (v & m) | flags);
		return;
	}
	wr_raw(f, off, width, v);
}

static struct pci_cfg cfg_of(struct fake *f)
{
	return (struct pci_cfg){f_read, f_write, f};
}

static void set_bar(struct fake *f, unsigned i, uint32_t value, uint64_t mask)
{
	wr_raw(f, PCI_BAR0 + 4 * i, 4, value);
	f->bar_mask[i] = mask;
}

/* ---- capability walk ---- */

static void cap(struct fake *f, unsigned at, uint8_t id, uint8_t next, uint16_t ctl)
{
	wr_raw(f, at, 1, id);
	wr_raw(f, at + 1, 1, next);
	wr_raw(f, at + 2, 2, ctl);
}

static void caps_on(struct fake *f, uint8_t first)
{
	wr_raw(f, PCI_STATUS, 2, PCI_STATUS_CAPS);
	wr_raw(f, PCI_CAP_PTR, 1, first);
}

static void test_caps_none(void **state)
{
	(void)state;
	struct fake f = {0};
	struct pci_caps c;
	struct pci_cfg cfg = cfg_of(&f);
	wr_raw(&f, PCI_CAP_PTR, 1, 0x40); /* a pointer, but the status bit says no list */
	cap(&f, 0x40, PCI_CAP_MSI, 0, 0);
	assert_int_equal(pci_walk_caps(&cfg, &c), 0);
	assert_int_equal(c.msi, 0);
}

static void test_caps_msi_msix(void **state)
{
	(void)state;
	struct fake f = {0};
	struct pci_caps c;
	struct pci_cfg cfg = cfg_of(&f);
	caps_on(&f, 0x43); /* low bits are reserved: 0x40 */
	cap(&f, 0x40, 0x01, 0x50, 0); /* power management */
	cap(&f, 0x50, PCI_CAP_MSI, 0x70, 0x0180); /* 64-bit, per-vector masking: 24 bytes */
	cap(&f, 0x70, PCI_CAP_MSIX, 0x00, 0x0007); /* 8 entries */
	wr_raw(&f, 0x74, 4, 0x2000 | 2); /* BAR2 + 0x2000 */
	assert_int_equal(pci_walk_caps(&cfg, &c), 3);
	assert_int_equal(c.msi, 0x50);
	assert_int_equal(c.msi_len, 24);
	assert_int_equal(c.msix, 0x70);
	assert_int_equal(c.msix_size, 8);
	assert_int_equal(c.msix_bir, 2);
	assert_int_equal(c.msix_offset, 0x2000);
}

static void test_caps_loops_end(void **state)
{
	(void)state;
	struct fake f = {0};
	struct pci_caps c;
	struct pci_cfg cfg = cfg_of(&f);
	caps_on(&f, 0x40);
	cap(&f, 0x40, 0x09, 0x40, 0); /* points at itself */
	assert_int_equal(pci_walk_caps(&cfg, &c), PCI_CAP_WALK_MAX);
	cap(&f, 0x40, 0x09, 0x80, 0);
	cap(&f, 0x80, PCI_CAP_MSI, 0x40, 0); /* a two-entry loop */
	assert_int_equal(pci_walk_caps(&cfg, &c), PCI_CAP_WALK_MAX);
	assert_int_equal(c.msi, 0x80); /* found once, not re-recorded */
}

static void test_caps_wild_pointers(void **state)
{
	(void)state;
	struct fake f = {0};
	struct pci_caps c;
	struct pci_cfg cfg = cfg_of(&f);
	caps_on(&f, 0x10); /* into the header: no list */
	assert_int_equal(pci_walk_caps(&cfg, &c), 0);
	caps_on(&f, 0xff); /* 0xfc: the last dword */
	cap(&f, 0xfc, PCI_CAP_MSI, 0, 0x0080); /* 14 bytes would leave the space */
	assert_int_equal(pci_walk_caps(&cfg, &c), 1);
	assert_int_equal(c.msi, 0);
	cap(&f, 0xfc, PCI_CAP_MSIX, 0, 0); /* 12 bytes would leave the space */
	assert_int_equal(pci_walk_caps(&cfg, &c), 1);
	assert_int_equal(c.msix, 0);
	caps_on(&f, 0x40);
	cap(&f, 0x40, PCI_CAP_MSIX, 0, 0x07ff);
	wr_raw(&f, 0x44, 4, 7); /* BIR 7: no such BAR */
	pci_walk_caps(&cfg, &c);
	assert_int_equal(c.msix, 0);
}

static void test_caps_random(void **state)
{
	(void)state;
	srand(1234);
	for (int n = 0; n < 20000; n++) {
		struct fake f;
		struct pci_caps c;
		struct pci_cfg cfg = cfg_of(&f);
		for (unsigned i = 0; i < 256; i++)
			f.cfg[i] = (uint8_t)rand();
		unsigned visited = pci_walk_caps(&cfg, &c);
		assert_true(visited <= PCI_CAP_WALK_MAX);
		if (c.msi) {
			assert_true(c.msi >= 0x40 && !(c.msi & 3));
			assert_true(c.msi + c.msi_len <= 0x100);
		}
		if (c.msix) {
			assert_true(c.msix >= 0x40 && c.msix + 12 <= 0x100 && c.msix_bir < 6);
			assert_true(c.msix_size >= 1 && c.msix_size <= 2048);
		}
	}
}

/* ---- BARs ---- */

static void test_bars_decode(void **state)
{
	(void)state;
	struct fake f = {0};
	struct hw_resource r[6];
	struct pci_cfg cfg = cfg_of(&f);
	wr_raw(&f, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	set_bar(&f, 0, 0xfebf0000, 0xfffff000); /* 32-bit memory, 4 KiB */
	set_bar(&f, 1, 0x0000c001, 0xffffffe0); /* I/O, 32 ports */
	set_bar(&f, 2, 0x0000000c, 0xffffffffff000000ull); /* 64-bit prefetchable, 16 MiB ... */
	set_bar(&f, 3, 0x00000008, 0); /* ... at 0x8_0000_0000 (upper half) */
	set_bar(&f, 4, 0x00000000, 0xfffff000); /* unassigned */
	set_bar(&f, 5, 0x00000000, 0); /* not implemented */
	/* memory BAR4 is implemented but unassigned: memory decode is not safe */
	assert_int_equal(pci_decode_bars(&cfg, 6, r), PCI_CMD_IO);
	assert_int_equal(r[0].kind, HW_RES_MMIO);
	assert_int_equal(r[0].base, 0xfebf0000);
	assert_int_equal(r[0].size, 4096);
	assert_int_equal(r[0].flags, 0);
	assert_int_equal(r[1].kind, HW_RES_IOPORT);
	assert_int_equal(r[1].base, 0xc000);
	assert_int_equal(r[1].size, 32);
	assert_int_equal(r[2].kind, HW_RES_MMIO);
	assert_int_equal(r[2].base, 0x800000000ull);
	assert_int_equal(r[2].size, 16u << 20);
	assert_int_equal(r[2].flags, HW_RES_PREFETCH | HW_RES_64BIT);
	assert_int_equal(r[3].kind, HW_RES_NONE);
	assert_int_equal(r[4].kind, HW_RES_NONE);
	assert_int_equal(r[5].kind, HW_RES_NONE);
	/* sized with decode off; BARs and the command register restored */
	assert_false(f.sizing_with_decode);
	assert_int_equal(rd(&f, PCI_COMMAND, 2), PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	assert_int_equal(rd(&f, PCI_BAR0, 4), 0xfebf0000);
	assert_int_equal(rd(&f, PCI_BAR0 + 8, 4), 0x0000000c);
	assert_int_equal(rd(&f, PCI_BAR0 + 12, 4), 0x00000008);
}

static void test_bars_decode_bits(void **state)
{
	(void)state;
	struct fake f = {0};
	struct hw_resource r[6];
	struct pci_cfg cfg = cfg_of(&f);
	/* no BAR implemented: nothing to decode */
	assert_int_equal(pci_decode_bars(&cfg, 6, r), 0);
	/* every implemented BAR assigned: both kinds; the command register is
	   left as it was (the caller turns the bits on) */
	set_bar(&f, 0, 0xfebf0000, 0xfffff000);
	set_bar(&f, 1, 0x0000c001, 0xffffffe0);
	assert_int_equal(pci_decode_bars(&cfg, 6, r), PCI_CMD_IO | PCI_CMD_MEM);
	assert_int_equal(rd(&f, PCI_COMMAND, 2), 0);
	/* an I/O BAR the firmware left at port 0: I/O decode would expose it */
	set_bar(&f, 2, 0x00000001, 0xffffffe0);
	assert_int_equal(pci_decode_bars(&cfg, 6, r), PCI_CMD_MEM);
}

static void test_bars_malformed(void **state)
{
	(void)state;
	struct fake f = {0};
	struct hw_resource r[6];
	struct pci_cfg cfg = cfg_of(&f);
	set_bar(&f, 0, 0xfe000000, 0xfff0f000); /* not a power of two */
	set_bar(&f, 1, 0xfe000800, 0xfffff000); /* misaligned for its size */
	set_bar(&f, 2, 0x0000fff1, 0xffffffe0); /* ports past 0xffff */
	set_bar(&f, 5, 0xfe00000c, 0xff000000); /* 64-bit in the last slot */
	assert_int_equal(pci_decode_bars(&cfg, 6, r), 0);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(r[i].kind, HW_RES_NONE);
	/* a bridge has two BARs: the rest is never touched */
	memset(&f, 0, sizeof(f));
	set_bar(&f, 0, 0xfebf0000, 0xfffff000);
	set_bar(&f, 2, 0xfebf1000, 0xfffff000);
	struct hw_resource rb[2];
	assert_int_equal(pci_decode_bars(&cfg, 2, rb), PCI_CMD_MEM);
	assert_int_equal(rb[0].kind, HW_RES_MMIO);
	assert_int_equal(rb[1].kind, HW_RES_NONE);
	assert_int_equal(rd(&f, PCI_BAR0 + 8, 4), 0xfebf1000);
}

static void test_bars_hostile_sizing(void **state)
{
	(void)state;
	static const uint32_t answers[] = {0,           1,   0xffffffffu, 0xfffffff0u,
	                                   0x80000000u, 0x7, 0xffff};
	for (unsigned a = 0; a < sizeof(answers) / sizeof(answers[0]); a++) {
		struct fake f = {0};
		struct hw_resource r[6];
		struct pci_cfg cfg = cfg_of(&f);
		for (unsigned i = 0; i < 6; i++)
			wr_raw(&f, PCI_BAR0 + 4 * i, 4, i & 1 ? 0xc001 : 0xfe000004);
		f.hostile_sizing = true;
		f.hostile_value = answers[a];
		pci_decode_bars(&cfg, 6, r);
		for (unsigned i = 0; i < 6; i++) {
			if (r[i].kind == HW_RES_NONE)
				continue;
			assert_true(r[i].size && !(r[i].size & (r[i].size - 1)));
			assert_true(r[i].base + r[i].size > r[i].base);
			if (r[i].kind == HW_RES_IOPORT)
				assert_true(r[i].base + r[i].size <= 0x10000);
		}
	}
}

/* ---- I/O bitmap ---- */

static bool allowed(const uint8_t *bits, uint32_t port)
{
	return !(bits[port >> 3] >> (port & 7) & 1);
}

static void test_iobitmap_ranges(void **state)
{
	(void)state;
	static uint8_t bits[8192];
	memset(bits, 0xff, sizeof(bits));
	uint32_t len = io_bitmap_allow(bits, 0, 0x70, 2);
	assert_int_equal(len, 0x71 / 8 + 1);
	assert_true(allowed(bits, 0x70) && allowed(bits, 0x71));
	assert_false(allowed(bits, 0x6f) || allowed(bits, 0x72));
	len = io_bitmap_allow(bits, len, 0x60, 1);
	assert_int_equal(len, 0x71 / 8 + 1); /* the highest port sets it */
	assert_int_equal(io_bitmap_allow(bits, len, 0x10000, 4), len); /* past the ports */
	assert_int_equal(io_bitmap_allow(bits, len, 0x100, 0), len); /* empty */
	len = io_bitmap_allow(bits, len, 0xfff0, 0x100); /* clamped at 0xffff */
	assert_int_equal(len, 8192);
	assert_true(allowed(bits, 0xffff) && allowed(bits, 0xfff0) && !allowed(bits, 0xffef));
	/* against a model, random ranges */
	static uint8_t model[65536];
	memset(bits, 0xff, sizeof(bits));
	memset(model, 0, sizeof(model));
	srand(99);
	len = 0;
	for (int n = 0; n < 2000; n++) {
		uint32_t first = (uint32_t)rand() % 70000,
		         count = (uint32_t)rand() % (n % 10 ? 20 : 3000);
		uint32_t maxp = 0;
		for (uint32_t p = first; p < first + count && p < 65536; p++)
			model[p] = 1;
		len = io_bitmap_allow(bits, len, first, count);
		for (uint32_t p = 0; p < 65536; p++) {
			assert_int_equal(allowed(bits, p), model[p]);
			if (model[p])
				maxp = p;
		}
		if (maxp)
			assert_true(len >= maxp / 8 + 1 && len <= 8192);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_caps_none),           cmocka_unit_test(test_caps_msi_msix),
	    cmocka_unit_test(test_caps_loops_end),      cmocka_unit_test(test_caps_wild_pointers),
	    cmocka_unit_test(test_caps_random),         cmocka_unit_test(test_bars_decode),
	    cmocka_unit_test(test_bars_decode_bits),    cmocka_unit_test(test_bars_malformed),
	    cmocka_unit_test(test_bars_hostile_sizing), cmocka_unit_test(test_iobitmap_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
