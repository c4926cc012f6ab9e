/*
 * hwtest.c - bin/hwtest: hardware as capabilities from user space (include/abi/hw.h,
 * docs/drivers.md). Started by Exec from etc/test.manifest with "log", a pool
 * and "hw" (the root device); with argv[1] == "child" it plays argv[2]
 * instead (a process that must die, or that claims a device and waits), and
 * with argv[1] == "power" it turns the machine off or resets it (power_main);
 * argv[1] == "proc" runs the suspension and accounting suite (proc.c).
 *
 * The machine is QEMU's q35 or pc with the std VGA (1234:1111), the edu
 * device (1234:11e8, tools/qemu.sh) and the PC's fixed devices.
 */
#include "hwtest.h"

#include <stdio.h>
#include <string.h>

#include <charlotte/hw.h>
#include <charlotte/initrd.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>
#include <shared/pciids.h>

#define SECOND 1000000000ull
#define MAP_VA 0x500000000000ull
#define ALL_DEV_RIGHTS                                                                           \
	(RIGHT_INSPECT | RIGHT_MAP | RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE | RIGHT_DUPLICATE | \
	 RIGHT_TRANSFER)

static handle_t hw, pool, as, log_h;

/* The first device matching (vendor, device), or (class, subclass) when vendor is 0;
 * or the platform device called name. Its handle (all rights but ENUMERATE). */
static handle_t find(uint16_t vendor, uint16_t device, const char *name, struct hw_device_info *out)
{
	struct hw_device_info info;
	handle_t h;
	for (uint32_t i = 0; ch_dev_enum(hw, i, &info, NULL) == 0; i++) {
		bool match = name ? strcmp(info.name, name) == 0
		                  : info.bus == HW_BUS_PCI &&
		                        (vendor ? info.vendor == vendor && info.device == device
		                                : info.class_code == (device >> 8) &&
		                                      info.subclass == (device & 0xff));
		if (!match)
			continue;
		if (ch_dev_enum(hw, i, &info, &h) < 0)
			return HANDLE_INVALID;
		if (out)
			*out = info;
		return h;
	}
	return HANDLE_INVALID;
}

static void test_enumerate(void)
{
	struct hw_device_info info, root;
	handle_t h;
	uint32_t n = 0;
	EXPECT_OK(ch_dev_info(hw, &root));
	CHECK(root.bus == HW_BUS_ROOT && root.nresources == 0, "root: bus %u nres %u", root.bus,
	      root.nresources);
	while (ch_dev_enum(hw, n, &info, NULL) == 0) {
		CHECK(info.index == n, "device %u says index %u", n, info.index);
		CHECK(memchr(info.name, 0, sizeof(info.name)), "device %u: name not terminated", n);
		n++;
	}
	CHECK(n > 4, "only %u devices", n);
	EXPECT_ERR(ch_dev_enum(hw, n, &info, NULL), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_enum(hw, 0xffffffffu, &info, NULL), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_enum(hw, 0, (struct hw_device_info *)0xffff800000000000ull, NULL),
	           ERR_BAD_ADDRESS);
	/* the host bridge: q35's MCH or pc's i440FX, and an ISA bridge */
	h = find(0x8086, 0x29c0, NULL, &info);
	if (h == HANDLE_INVALID)
		h = find(0x8086, 0x1237, NULL, &info);
	CHECK(h != HANDLE_INVALID, "no host bridge (8086:29c0 or 8086:1237)");
	CHECK(strcmp(info.name, "0000:00:00.0") == 0, "host bridge named %s", info.name);
	ch_cap_drop(h);
	h = find(0, 0x0601, NULL, &info);
	CHECK(h != HANDLE_INVALID, "no ISA bridge (class 06:01)");
	ch_cap_drop(h);
	const char *platform[] = {"i8042", "com2", "rtc"};
	for (unsigned i = 0; i < 3; i++) {
		h = find(0, 0, platform[i], &info);
		CHECK(h != HANDLE_INVALID, "no platform device %s", platform[i]);
		CHECK(info.bus == HW_BUS_PLATFORM && info.irq_modes == HW_IRQ_INTX,
		      "%s: bus %u modes %#x", platform[i], info.bus, info.irq_modes);
		/* a child has no ENUMERATE: it cannot list */
		EXPECT_ERR(ch_dev_enum(h, 0, &info, NULL), ERR_ACCESS_DENIED);
		ch_cap_drop(h);
	}
	/* never COM1, the kernel log */
	for (uint32_t i = 0; ch_dev_enum(hw, i, &info, NULL) == 0; i++)
		for (uint32_t r = 0; r < info.nresources; r++) {
			struct hw_resource res;
			CHECK(ch_dev_enum(hw, i, &info, &h) == 0, "enum %u", i);
			long e = ch_dev_resource(h, r, &res);
			ch_cap_drop(h);
			CHECK(e == 0, "device %s resource %u: %s", info.name, r, ch_error_name(e));
			CHECK(res.kind != HW_RES_IOPORT || res.base + res.size <= 0x3f8 ||
			          res.base > 0x3ff,
			      "%s owns COM1's ports %#llx+%llu", info.name,
			      (unsigned long long)res.base, (unsigned long long)res.size);
		}
}

static void test_resources(void)
{
	struct hw_device_info info;
	struct hw_resource r;
	handle_t vga = find(0x1234, 0x1111, NULL, &info);
	CHECK(vga != HANDLE_INVALID, "no std VGA 1234:1111");
	CHECK(info.nresources == 6, "VGA: %u resources", info.nresources);
	EXPECT_OK(ch_dev_resource(vga, 0, &r));
	CHECK(r.kind == HW_RES_MMIO && r.size == 16u << 20 && (r.flags & HW_RES_PREFETCH) &&
	          r.base && !(r.base & (r.size - 1)),
	      "VGA BAR0: kind %u flags %#x %#llx+%#llx", r.kind, r.flags,
	      (unsigned long long)r.base, (unsigned long long)r.size);
	EXPECT_OK(ch_dev_resource(vga, 2, &r));
	CHECK(r.kind == HW_RES_MMIO && r.size == 4096 && !(r.flags & HW_RES_PREFETCH),
	      "VGA BAR2: kind %u size %#llx", r.kind, (unsigned long long)r.size);
	EXPECT_OK(ch_dev_resource(vga, 1, &r));
	CHECK(r.kind == HW_RES_NONE, "VGA BAR1: kind %u", r.kind);
	EXPECT_ERR(ch_dev_resource(vga, 6, &r), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_resource(vga, 0xffffffffu, &r), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_resource(hw, 0, &r), ERR_OUT_OF_RANGE); /* the root has none */
	ch_cap_drop(vga);
	handle_t rtc = find(0, 0, "rtc", &info);
	CHECK(rtc != HANDLE_INVALID, "no rtc");
	EXPECT_OK(ch_dev_resource(rtc, 0, &r));
	CHECK(r.kind == HW_RES_IOPORT && r.base == 0x70 && r.size == 2, "rtc: %u %#llx+%llu",
	      r.kind, (unsigned long long)r.base, (unsigned long long)r.size);
	ch_cap_drop(rtc);
	handle_t kbd = find(0, 0, "i8042", &info);
	CHECK(kbd != HANDLE_INVALID && info.nresources == 2, "i8042");
	EXPECT_OK(ch_dev_resource(kbd, 1, &r));
	CHECK(r.kind == HW_RES_IOPORT && r.base == 0x64 && r.size == 1, "i8042 port 2: %#llx",
	      (unsigned long long)r.base);
	ch_cap_drop(kbd);
	handle_t edu = find(0x1234, 0x11e8, NULL, &info);
	CHECK(edu != HANDLE_INVALID, "no edu device 1234:11e8");
	CHECK(info.irq_modes & HW_IRQ_MSI, "edu: modes %#x, want MSI", info.irq_modes);
	CHECK(info.irq_pin == 1 && (info.irq_modes & HW_IRQ_INTX), "edu: pin %u modes %#x",
	      info.irq_pin, info.irq_modes);
	ch_cap_drop(edu);
}

static void test_map_bar(void)
{
	struct hw_device_info info;
	struct hw_resource r, mr;
	handle_t mmio, vga = find(0x1234, 0x1111, NULL, &info);
	CHECK(vga != HANDLE_INVALID, "no std VGA");
	EXPECT_OK(ch_dev_resource(vga, 2, &r));
	EXPECT_OK(ch_dev_mmio(vga, 2, &mmio));
	EXPECT_OK(ch_mmio_info(mmio, &mr));
	CHECK(mr.base == r.base && mr.size == r.size, "mmio info differs from the resource");
	EXPECT_OK(ch_as_map(as, MAP_VA, mmio, 0, 4096, PROT_READ | PROT_WRITE));
	volatile uint16_t *dispi = (volatile uint16_t *)(MAP_VA + 0x500);
	uint16_t id = dispi[0];
	CHECK(id >= 0xb0c0 && id <= 0xb0c5, "DISPI ID %#x, want 0xb0c0..0xb0c5", id);
	EXPECT_OK(ch_as_unmap(as, MAP_VA, 4096));
	/* past the object, and a second map of the same page elsewhere are fine / refused */
	EXPECT_ERR(ch_as_map(as, MAP_VA, mmio, 4096, 4096, PROT_READ), ERR_OUT_OF_RANGE);
	/* an MMIO capability without MAP, or without WRITE for a writable map */
	handle_t weak;
	EXPECT_OK(ch_cap_derive(mmio, RIGHT_READ | RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_as_map(as, MAP_VA, weak, 0, 4096, PROT_READ), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_OK(ch_cap_derive(mmio, RIGHT_READ | RIGHT_MAP, 0, &weak));
	EXPECT_ERR(ch_as_map(as, MAP_VA, weak, 0, 4096, PROT_READ | PROT_WRITE), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_as_map(as, MAP_VA, weak, 0, 4096, PROT_READ));
	EXPECT_OK(ch_as_unmap(as, MAP_VA, 4096));
	EXPECT_ERR(ch_mmio_info(weak, &mr), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	/* resources of the wrong kind, bad indexes */
	EXPECT_ERR(ch_dev_mmio(vga, 1, &weak), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_dev_mmio(vga, 6, &weak), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_ioport(vga, 0, &weak), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_dev_mmio(vga, 2, (handle_t *)0x10), ERR_BAD_ADDRESS);
	ch_cap_drop(mmio);
	ch_cap_drop(vga);
}

static void test_rights_and_types(void)
{
	struct hw_device_info info;
	handle_t weak, h, mem, rtc = find(0, 0, "rtc", &info);
	CHECK(rtc != HANDLE_INVALID, "no rtc");
	handle_t vga = find(0x1234, 0x1111, NULL, &info);
	CHECK(vga != HANDLE_INVALID, "no VGA");
	/* a device capability without MAP cannot take MMIO, nor without READ|WRITE ports ... */
	EXPECT_OK(ch_cap_derive(vga, ALL_DEV_RIGHTS & ~RIGHT_MAP, 0, &weak));
	EXPECT_ERR(ch_dev_mmio(weak, 2, &h), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_OK(ch_cap_derive(rtc, ALL_DEV_RIGHTS & ~RIGHT_WRITE, 0, &weak));
	EXPECT_ERR(ch_dev_ioport(weak, 0, &h), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(weak, 4, 2, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	/* ... without MANAGE no interrupts or DMA, without INSPECT no info */
	EXPECT_OK(ch_cap_derive(vga, ALL_DEV_RIGHTS & ~RIGHT_MANAGE, 0, &weak));
	EXPECT_ERR(ch_dev_irq(weak, HW_IRQ_ANY, 0, &h), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_mem_create(pool, 4096, &mem));
	uint64_t addr;
	EXPECT_ERR(ch_dev_dma_map(weak, mem, &addr, 1), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_dma_unmap(weak, mem), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_OK(ch_cap_derive(vga, ALL_DEV_RIGHTS & ~RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_dev_info(weak, &info), ERR_ACCESS_DENIED);
	uint32_t v;
	EXPECT_ERR(ch_dev_config_read(weak, 0, 4, &v), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	/* wrong types everywhere */
	struct hw_resource r;
	EXPECT_ERR(ch_dev_info(mem, &info), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_dev_enum(mem, 0, &info, NULL), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_mmio_info(rtc, &r), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_ioport_enable(mem), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_irq_wait(rtc, 0), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_irq_ack(mem), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_as_map(as, MAP_VA, rtc, 0, 4096, PROT_READ), ERR_WRONG_TYPE);
	EXPECT_OK(ch_dev_ioport(rtc, 0, &h));
	EXPECT_ERR(ch_as_map(as, MAP_VA, h, 0, 4096, PROT_READ), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_mmio_info(h, &r), ERR_WRONG_TYPE);
	EXPECT_OK(ch_ioport_info(h, &r));
	CHECK(r.base == 0x70, "ioport info %#llx", (unsigned long long)r.base);
	EXPECT_ERR(ch_dev_dma_map(vga, h, &addr, 1), ERR_WRONG_TYPE);
	ch_cap_drop(h);
	/* the root is no device to drive */
	EXPECT_ERR(ch_dev_config_read(hw, 0, 4, &v), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_dev_irq(hw, HW_IRQ_ANY, 0, &h), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_dev_mmio(hw, 0, &h), ERR_OUT_OF_RANGE);
	ch_cap_drop(mem);
	ch_cap_drop(vga);
	ch_cap_drop(rtc);
}

/* The capability list, walked here from configuration reads: the MSI capability's offset. */
static uint32_t find_cap(handle_t dev, uint8_t id)
{
	uint32_t status, ptr, hdr;
	if (ch_dev_config_read(dev, 6, 2, &status) < 0 || !(status & 0x10) ||
	    ch_dev_config_read(dev, 0x34, 1, &ptr) < 0)
		return 0;
	for (unsigned n = 0; ptr >= 0x40 && n < 48; n++) {
		if (ch_dev_config_read(dev, ptr & 0xfc, 4, &hdr) < 0)
			return 0;
		if ((hdr & 0xff) == id)
			return ptr & 0xfc;
		ptr = (hdr >> 8) & 0xfc;
	}
	return 0;
}

static void test_config(void)
{
	struct hw_device_info info;
	uint32_t v, cmd;
	handle_t edu = find(0x1234, 0x11e8, NULL, &info);
	CHECK(edu != HANDLE_INVALID, "no edu");
	EXPECT_OK(ch_dev_config_read(edu, 0, 4, &v));
	CHECK(v == 0x11e81234, "edu id %#x", v);
	EXPECT_OK(ch_dev_config_read(edu, 2, 2, &v));
	CHECK(v == 0x11e8, "edu device id %#x", v);
	EXPECT_ERR(ch_dev_config_read(edu, 0, 3, &v), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_dev_config_read(edu, 1, 2, &v), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_dev_config_read(edu, 4096, 4, &v), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_config_read(edu, 0, 4, (uint32_t *)0), ERR_BAD_ADDRESS);
	/* the kernel's: BARs, identity, MSI, the command register's other bits */
	EXPECT_ERR(ch_dev_config_write(edu, 0x10, 4, 0xffffffffu), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(edu, 0x12, 2, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(edu, 0x24, 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(edu, 0, 2, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(edu, 0x30, 4, 0), ERR_ACCESS_DENIED);
	uint32_t msi = find_cap(edu, 0x05);
	CHECK(msi, "edu has no MSI capability in its list");
	EXPECT_ERR(ch_dev_config_write(edu, msi + 4, 4, 0xfee00000u), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(edu, msi + 2, 2, 1), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(edu, msi, 4, 0), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_dev_config_read(edu, 4, 2, &cmd));
	EXPECT_ERR(ch_dev_config_write(edu, 4, 2, cmd | 0x40), ERR_ACCESS_DENIED); /* parity */
	EXPECT_ERR(ch_dev_config_write(edu, 5, 1, (cmd >> 8) ^ 0x1), ERR_ACCESS_DENIED); /* SERR */
	EXPECT_ERR(ch_dev_config_write(edu, 4, 4, cmd ^ 0x100), ERR_ACCESS_DENIED);
	/* decode: on since boot (its BAR is assigned), and the kernel's */
	CHECK(cmd & 0x2, "edu's memory decode is off: %#x", cmd);
	EXPECT_ERR(ch_dev_config_write(edu, 4, 2, cmd & ~0x2u), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(edu, 4, 1, (cmd ^ 0x1) & 0xff), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_dev_config_write(edu, 4, 2, cmd | 0x400)); /* INTx disable: allowed */
	EXPECT_OK(ch_dev_config_read(edu, 4, 2, &v));
	CHECK(v & 0x400, "INTx disable did not stick: %#x", v);
	EXPECT_OK(ch_dev_config_write(edu, 4, 2, cmd));
	EXPECT_OK(ch_dev_config_write(edu, 0x3c, 1, 0xff)); /* interrupt line: the driver's */
	EXPECT_ERR(ch_dev_config_write(edu, 4, 3, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_dev_config_write(edu, 4096, 4, 0), ERR_OUT_OF_RANGE);
	ch_cap_drop(edu);
	handle_t rtc = find(0, 0, "rtc", &info);
	EXPECT_ERR(ch_dev_config_read(rtc, 0, 4, &v), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_dev_config_write(rtc, 0x3c, 1, 0), ERR_NOT_SUPPORTED);
	ch_cap_drop(rtc);
}

static uint8_t cmos_read(uint8_t reg)
{
	ch_outb(0x70, reg);
	return ch_inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	ch_outb(0x70, reg);
	ch_outb(0x71, v);
}

static handle_t rtc_io; /* enabled once: ports stay allowed for the process's life */

static void test_rtc_ioport(void)
{
	struct hw_device_info info;
	handle_t rtc = find(0, 0, "rtc", &info);
	CHECK(rtc != HANDLE_INVALID, "no rtc");
	EXPECT_OK(ch_dev_ioport(rtc, 0, &rtc_io));
	handle_t weak;
	EXPECT_OK(ch_cap_derive(rtc_io, RIGHT_READ | RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_ioport_enable(weak), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_OK(ch_ioport_enable(rtc_io));
	EXPECT_OK(ch_ioport_enable(rtc_io)); /* twice is fine */
	uint8_t b = cmos_read(0x0b), s = cmos_read(0x00);
	uint8_t secs = (b & 0x04) ? s : (uint8_t)((s >> 4) * 10 + (s & 0xf));
	CHECK(secs < 60, "CMOS seconds %#x (register B %#x)", s, b);
	ch_cap_drop(rtc);
}

static int child_spawn(const char *role, handle_t dev, struct ch_child *c)
{
	const char *argv[] = {"bin/hwtest", "child", role, NULL};
	struct ch_grant g[2] = {{"log", log_h, RIGHT_WRITE}};
	unsigned n = 1;
	if (dev != HANDLE_INVALID)
		g[n++] = (struct ch_grant){"dev", dev, ALL_DEV_RIGHTS};
	struct ch_spawn_args a = {
	    .path = "bin/hwtest", .argv = argv, .grants = g, .ngrants = n, .child_pool = 1u << 20};
	return ch_spawn(&a, c);
}

static void expect_gp(const char *role, handle_t dev)
{
	struct ch_child c;
	struct proc_status st;
	long r = child_spawn(role, dev, &c);
	CHECK(r >= 0, "spawn %s: %s", role, ch_error_name(r));
	r = ch_proc_wait(c.process, 30 * SECOND, &st);
	if (r < 0)
		ch_proc_kill(c.process);
	ch_child_release(&c);
	CHECK(r >= 0, "%s: wait: %s", role, ch_error_name(r));
	CHECK(st.state == PROC_FAULTED && st.fault_vector == 13,
	      "%s: state %u vector %u code %d, want #GP (13)", role, st.state, st.fault_vector,
	      st.code);
}

static void test_ioport_denied(void)
{
	struct hw_device_info info;
	expect_gp("inb", HANDLE_INVALID); /* no ports at all */
	handle_t rtc = find(0, 0, "rtc", &info);
	CHECK(rtc != HANDLE_INVALID, "no rtc");
	expect_gp("inb_other", rtc); /* 0x70-0x71 enabled, 0x64 is not */
	ch_cap_drop(rtc);
	/* and we are still here, with our ports */
	CHECK(cmos_read(0x00) < 0x80, "CMOS after the children");
}

static void test_irq_rtc(void)
{
	struct hw_device_info info;
	struct hw_irq_info ii;
	handle_t irq, h, ws;
	CHECK(rtc_io != HANDLE_INVALID, "hw_rtc_ioport did not run");
	handle_t rtc = find(0, 0, "rtc", &info);
	CHECK(rtc != HANDLE_INVALID, "no rtc");
	/* a call that fails (its handle cannot be written) leaves no claim behind */
	EXPECT_ERR(ch_dev_irq(rtc, HW_IRQ_ANY, 0, (handle_t *)0x7ff000000000ull), ERR_BAD_ADDRESS);
	EXPECT_OK(ch_dev_info(rtc, &info));
	CHECK(!info.claimed, "rtc claimed by a failed SYS_DEV_IRQ");
	EXPECT_ERR(ch_dev_irq(rtc, 0, 0, &h), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_dev_irq(rtc, 0x80, 0, &h), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_dev_irq(rtc, HW_IRQ_MSI | HW_IRQ_MSIX, 0, &h), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_dev_irq(rtc, HW_IRQ_INTX, 1, &h), ERR_OUT_OF_RANGE);
	EXPECT_OK(ch_dev_irq(rtc, HW_IRQ_ANY, 0, &irq));
	EXPECT_ERR(ch_dev_irq(rtc, HW_IRQ_INTX, 0, &h), ERR_ALREADY_EXISTS);
	EXPECT_OK(ch_irq_info(irq, &ii));
	CHECK(ii.mode == HW_IRQ_INTX && ii.count == 0, "irq info: mode %#x count %llu", ii.mode,
	      (unsigned long long)ii.count);
	EXPECT_OK(ch_dev_info(rtc, &info));
	CHECK(info.claimed, "rtc not claimed after SYS_DEV_IRQ");
	EXPECT_ERR(ch_irq_wait(irq, 0), ERR_TIMED_OUT);
	/* periodic interrupt: rate 6 (1024 Hz), PIE on; reading C re-arms it */
	EXPECT_OK(ch_waitset_create(pool, &ws));
	EXPECT_OK(ch_waitset_add(ws, irq, IRQ_SIGNAL_PENDING, 42));
	cmos_write(0x0a, (uint8_t)((cmos_read(0x0a) & 0xf0) | 6));
	cmos_read(0x0c);
	cmos_write(0x0b, (uint8_t)(cmos_read(0x0b) | 0x40));
	for (int i = 0; i < 3; i++) {
		long n = ch_irq_wait(irq, 10 * SECOND);
		CHECK(n >= 1, "interrupt %d: %s", i, n < 0 ? ch_error_name(n) : "0");
		struct kbus_event ev;
		long e = ch_waitset_wait(ws, &ev, 1, 0);
		CHECK(e == 1 && ev.key == 42 && (ev.events & IRQ_SIGNAL_PENDING),
		      "waitset: %ld key %llu events %#x", e, (unsigned long long)ev.key, ev.events);
		cmos_read(0x0c); /* the RTC's own acknowledgement */
		EXPECT_OK(ch_irq_ack(irq));
	}
	cmos_write(0x0b, (uint8_t)(cmos_read(0x0b) & ~0x40));
	cmos_read(0x0c);
	EXPECT_OK(ch_irq_info(irq, &ii));
	CHECK(ii.count >= 3, "count %llu", (unsigned long long)ii.count);
	handle_t weak;
	EXPECT_OK(ch_cap_derive(irq, RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_irq_wait(weak, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_irq_ack(weak), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	ch_cap_drop(ws);
	ch_cap_drop(irq);
	/* dropped: the vector is free again (the claim stays ours) */
	EXPECT_OK(ch_dev_irq(rtc, HW_IRQ_INTX, 0, &irq));
	ch_cap_drop(irq);
	ch_cap_drop(rtc);
}

/* edu (hw/misc/edu.c): BAR0 0x24 interrupt status, 0x60 raise, 0x64 acknowledge */
static void edu_irq(uint32_t modes, uint32_t want_mode)
{
	struct hw_device_info info;
	struct hw_irq_info ii;
	handle_t irq, mmio;
	handle_t edu = find(0x1234, 0x11e8, NULL, &info);
	CHECK(edu != HANDLE_INVALID, "no edu");
	EXPECT_OK(ch_dev_mmio(edu, 0, &mmio));
	ch_as_unmap(as, MAP_VA, 4096); /* an earlier test's, if it failed midway */
	EXPECT_OK(ch_as_map(as, MAP_VA, mmio, 0, 4096, PROT_READ | PROT_WRITE));
	volatile uint32_t *regs = (volatile uint32_t *)MAP_VA;
	CHECK((regs[0] & 0xff) == 0xed, "edu id %#x", regs[0]);
	long r = ch_dev_irq(edu, modes, 0, &irq);
	CHECK(r >= 0, "dev_irq: %s", ch_error_name(r));
	EXPECT_OK(ch_irq_info(irq, &ii));
	CHECK(ii.mode == want_mode, "mode %#x, want %#x", ii.mode, want_mode);
	for (uint32_t i = 1; i <= 3; i++) {
		regs[0x60 / 4] = i;
		long n = ch_irq_wait(irq, 10 * SECOND);
		CHECK(n >= 1, "interrupt %u (mode %#x): %s", i, want_mode,
		      n < 0 ? ch_error_name(n) : "0");
		CHECK(regs[0x24 / 4] == i, "edu status %#x", regs[0x24 / 4]);
		regs[0x64 / 4] = i; /* the device lowers its line */
		EXPECT_OK(ch_irq_ack(irq));
	}
	EXPECT_ERR(ch_irq_wait(irq, 0), ERR_TIMED_OUT);
	ch_cap_drop(irq);
	ch_as_unmap(as, MAP_VA, 4096);
	ch_cap_drop(mmio);
	ch_cap_drop(edu);
}

static void test_irq_msi(void)
{
	edu_irq(HW_IRQ_ANY, HW_IRQ_MSI);
}

static void test_irq_intx(void)
{
	edu_irq(HW_IRQ_INTX, HW_IRQ_INTX);
}

static void test_dma(void)
{
	struct hw_device_info info;
	handle_t mem, ro, mmio;
	uint64_t addrs[3] = {0};
	handle_t vga = find(0x1234, 0x1111, NULL, &info);
	CHECK(vga != HANDLE_INVALID, "no VGA");
	EXPECT_OK(ch_mem_create(pool, 2 * 4096, &mem));
	EXPECT_ERR(ch_dev_dma_map(vga, mem, addrs, 0), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_dma_map(vga, mem, addrs, 3), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_dev_dma_map(vga, mem, (uint64_t *)0xffff800000000000ull, 2), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_dev_dma_unmap(vga, mem), ERR_NOT_FOUND);
	EXPECT_OK(ch_dev_dma_map(vga, mem, addrs, 2));
	CHECK(addrs[0] && !(addrs[0] & 0xfff) && addrs[1] && !(addrs[1] & 0xfff) && !addrs[2],
	      "addresses %#llx %#llx %#llx", (unsigned long long)addrs[0],
	      (unsigned long long)addrs[1], (unsigned long long)addrs[2]);
	EXPECT_OK(ch_dev_info(vga, &info));
	CHECK(info.claimed, "VGA not claimed after a DMA map");
	EXPECT_OK(ch_dev_dma_unmap(vga, mem));
	EXPECT_ERR(ch_dev_dma_unmap(vga, mem), ERR_NOT_FOUND);
	/* received without WRITE: refused; MMIO and wrapped memory: refused */
	EXPECT_OK(ch_cap_derive(mem, RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT, 0, &ro));
	EXPECT_ERR(ch_dev_dma_map(vga, ro, addrs, 1), ERR_ACCESS_DENIED);
	ch_cap_drop(ro);
	EXPECT_OK(ch_dev_mmio(vga, 2, &mmio));
	EXPECT_ERR(ch_dev_dma_map(vga, mmio, addrs, 1), ERR_ACCESS_DENIED);
	ch_cap_drop(mmio);
	handle_t initrd = ch_handle("initrd");
	if (initrd != HANDLE_INVALID)
		EXPECT_ERR(ch_dev_dma_map(vga, initrd, addrs, 1), ERR_ACCESS_DENIED);
	/* the pin holds the memory: dropping our handle while pinned is fine */
	EXPECT_OK(ch_dev_dma_map(vga, mem, addrs, 1));
	ch_cap_drop(mem);
	ch_cap_drop(vga);
}

/* A child claims a device and waits; killed, it lets go: bus mastering off, claimable.
 * The ISA bridge: a PCI function nothing else here claims. */
static void test_claim_release(void)
{
	struct hw_device_info info;
	struct ch_child c;
	handle_t h, mem;
	uint32_t cmd;
	uint64_t addr;
	handle_t dev = find(0, 0x0601, NULL, &info);
	CHECK(dev != HANDLE_INVALID, "no ISA bridge");
	CHECK(!info.claimed, "ISA bridge claimed already");
	EXPECT_OK(ch_mem_create(pool, 4096, &mem));
	EXPECT_ERR(ch_dev_dma_map(dev, mem, (uint64_t *)0x7ff000000000ull, 1), ERR_BAD_ADDRESS);
	EXPECT_OK(ch_dev_info(dev, &info));
	CHECK(!info.claimed, "claimed by a failed SYS_DEV_DMA_MAP");
	long r = child_spawn("claim", dev, &c);
	CHECK(r >= 0, "spawn: %s", ch_error_name(r));
	for (int i = 0; i < 1000 && ch_dev_config_read(dev, 4, 2, &cmd) == 0 && !(cmd & 0x4); i++)
		ch_sleep_ns(10000000); /* until the child has set bus mastering (10 s at most) */
	CHECK(cmd & 0x4, "the child did not turn bus mastering on: %#x", cmd);
	EXPECT_OK(ch_dev_info(dev, &info));
	CHECK(info.claimed, "the child did not claim the device");
	EXPECT_ERR(ch_dev_dma_map(dev, mem, &addr, 1), ERR_BAD_STATE);
	EXPECT_ERR(ch_dev_dma_unmap(dev, mem), ERR_BAD_STATE); /* the claimer's pins are its own */
	EXPECT_ERR(ch_dev_config_write(dev, 4, 2, cmd), ERR_BAD_STATE); /* bus master: a claim */
	if (info.irq_modes)
		EXPECT_ERR(ch_dev_irq(dev, HW_IRQ_ANY, 0, &h), ERR_BAD_STATE);
	ch_proc_kill(c.process);
	EXPECT_OK(ch_proc_wait(c.process, 30 * SECOND, NULL));
	ch_child_release(&c);
	EXPECT_OK(ch_dev_info(dev, &info));
	CHECK(!info.claimed, "still claimed after its claimer ended");
	EXPECT_OK(ch_dev_config_read(dev, 4, 2, &cmd));
	CHECK(!(cmd & 0x4), "bus mastering still on after the claimer ended: %#x", cmd);
	EXPECT_OK(ch_dev_dma_map(dev, mem, &addr, 1)); /* ours now */
	EXPECT_OK(ch_dev_dma_unmap(dev, mem));
	ch_cap_drop(mem);
	ch_cap_drop(dev);
}

/* A handle number is only a handle in the cspace it names a slot of. */
static void test_handle_of_another_process(void)
{
	struct hw_device_info info;
	struct ch_child c;
	struct proc_status st;
	handle_t vga = find(0x1234, 0x1111, NULL, &info);
	CHECK(vga != HANDLE_INVALID, "no VGA");
	long r = child_spawn("map_foreign", vga, &c);
	CHECK(r >= 0, "spawn: %s", ch_error_name(r));
	r = ch_proc_wait(c.process, 30 * SECOND, &st);
	ch_child_release(&c);
	CHECK(r >= 0 && st.state == PROC_EXITED && st.code == 0,
	      "map_foreign child: state %u code %d", st.state, st.code);
	ch_cap_drop(vga);
}

/* The boot framebuffer (GRUB boots): a device of its own, mapped like a BAR. */
static void test_framebuffer(void)
{
	struct hw_device_info info;
	struct hw_resource r;
	handle_t mmio, fb = find(0, 0, "fb0", &info);
	if (fb == HANDLE_INVALID) {
		ch_test_not_applicable("no boot framebuffer (PVH boot)");
		return;
	}
	EXPECT_OK(ch_dev_resource(fb, 0, &r));
	CHECK(r.kind == HW_RES_FRAMEBUFFER && r.fb_width && r.fb_height && r.fb_bpp &&
	          r.size == (uint64_t)r.fb_pitch * r.fb_height,
	      "fb0: kind %u %ux%u pitch %u bpp %u size %#llx", r.kind, r.fb_width, r.fb_height,
	      r.fb_pitch, r.fb_bpp, (unsigned long long)r.size);
	EXPECT_ERR(ch_dev_irq(fb, HW_IRQ_ANY, 0, &mmio), ERR_NOT_SUPPORTED);
	EXPECT_OK(ch_dev_mmio(fb, 0, &mmio));
	EXPECT_OK(ch_as_map(as, MAP_VA, mmio, 0, 4096, PROT_READ | PROT_WRITE));
	volatile uint32_t *px = (volatile uint32_t *)MAP_VA;
	uint32_t old = px[0];
	px[0] = 0x00123456;
	uint32_t got = px[0];
	px[0] = old;
	EXPECT_OK(ch_as_unmap(as, MAP_VA, 4096));
	CHECK(got == 0x00123456, "pixel read back %#x", got);
	ch_cap_drop(mmio);
	ch_cap_drop(fb);
}

/* ---- children ---- */

static int child_main(const char *role)
{
	handle_t dev = ch_handle("dev"), self_as = ch_handle("self.as"), h;
	if (strcmp(role, "inb") == 0) {
		ch_inb(0x71); /* no ports: #GP */
		return 3;
	}
	if (strcmp(role, "inb_other") == 0) {
		if (ch_dev_ioport(dev, 0, &h) < 0 || ch_ioport_enable(h) < 0)
			return 4;
		ch_inb(0x71); /* allowed */
		ch_inb(0x64); /* not: #GP */
		return 5;
	}
	if (strcmp(role, "claim") == 0) {
		uint32_t cmd;
		uint64_t addr;
		handle_t mem, pool_h = ch_handle("pool");
		if (ch_mem_create(pool_h, 4096, &mem) < 0 || ch_dev_dma_map(dev, mem, &addr, 1) < 0)
			return 6;
		ch_cap_drop(mem); /* the pin holds it until we end */
		ch_dev_irq(dev, HW_IRQ_ANY, 0, &h); /* if it has one */
		if (ch_dev_config_read(dev, 4, 2, &cmd) < 0 ||
		    ch_dev_config_write(dev, 4, 2, cmd | 0x4) < 0)
			return 6;
		ch_sleep_ns(UINT64_MAX); /* until killed */
		return 7;
	}
	if (strcmp(role, "map_foreign") == 0) {
		/* our own MMIO handle works; the same number one slot on does not */
		if (ch_dev_mmio(dev, 2, &h) < 0)
			return 8;
		if (ch_as_map(self_as, MAP_VA, h + 1, 0, 4096, PROT_READ) != ERR_BAD_HANDLE)
			return 9;
		if (ch_as_map(self_as, MAP_VA, h, 0, 4096, PROT_READ) < 0)
			return 10;
		return 0;
	}
	return 100;
}

/* SYS_DEV_LABEL: MANAGE only, strings checked, what info reports afterwards. */
static void test_label(void)
{
	struct hw_device_info info;
	handle_t weak, edu = find(0x1234, 0x11e8, NULL, &info);
	CHECK(edu != HANDLE_INVALID, "no edu device");
	struct hw_label l = {.driver = "edu-test", .uri = "dev:///serial/edu0"};
	EXPECT_OK(ch_dev_label(edu, &l));
	EXPECT_OK(ch_dev_info(edu, &info));
	CHECK(strcmp(info.label.driver, "edu-test") == 0 &&
	          strcmp(info.label.uri, "dev:///serial/edu0") == 0,
	      "label reads back as '%.24s' '%.72s'", info.label.driver, info.label.uri);
	/* seen through the root as well, which is how `devices` reads it */
	EXPECT_OK(ch_dev_enum(hw, info.index, &info, NULL));
	CHECK(strcmp(info.label.driver, "edu-test") == 0, "enum: '%.24s'", info.label.driver);
	/* unterminated or unprintable strings are refused and change nothing */
	struct hw_label bad;
	memset(&bad, 'x', sizeof(bad));
	EXPECT_ERR(ch_dev_label(edu, &bad), ERR_INVALID_ARGS);
	bad = (struct hw_label){.driver = "a\nb"};
	EXPECT_ERR(ch_dev_label(edu, &bad), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_dev_label(edu, (const struct hw_label *)0xffff800000000000ull),
	           ERR_BAD_ADDRESS);
	EXPECT_OK(ch_dev_info(edu, &info));
	CHECK(strcmp(info.label.driver, "edu-test") == 0, "changed by a refused label");
	/* without MANAGE: refused; and Exec's "hw.list" kind of root lists but cannot label */
	EXPECT_OK(ch_cap_derive(edu, ALL_DEV_RIGHTS & ~RIGHT_MANAGE, 0, &weak));
	EXPECT_ERR(ch_dev_label(weak, &l), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	handle_t list, child;
	EXPECT_OK(ch_cap_derive(hw, RIGHT_INSPECT | RIGHT_ENUMERATE, 0, &list));
	EXPECT_OK(ch_dev_enum(list, info.index, &info, &child));
	EXPECT_ERR(ch_dev_label(child, &l), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_mmio(child, 0, &weak), ERR_ACCESS_DENIED);
	ch_cap_drop(child);
	ch_cap_drop(list);
	EXPECT_OK(ch_dev_label(edu, &(struct hw_label){0}));
	ch_cap_drop(edu);
}

/*
 * SYS_HW_POWER refused: without MANAGE, on another device, on another type, with
 * an unknown what. (That it works is checked from outside: tools/run-tests.sh's
 * power/off and power/reboot cases see QEMU end.)
 */
static void test_power_refused(void)
{
	struct hw_device_info info;
	handle_t weak, rtc = find(0, 0, "rtc", &info);
	CHECK(rtc != HANDLE_INVALID, "no rtc");
	EXPECT_OK(ch_cap_derive(hw, RIGHT_INSPECT | RIGHT_ENUMERATE | RIGHT_DUPLICATE, 0, &weak));
	EXPECT_ERR(ch_hw_power(weak, HW_POWER_OFF), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_hw_power(weak, HW_POWER_REBOOT), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	/* a driver's device has MANAGE, and is still not the machine */
	EXPECT_ERR(ch_hw_power(rtc, HW_POWER_OFF), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_hw_power(rtc, HW_POWER_REBOOT), ERR_NOT_SUPPORTED);
	ch_cap_drop(rtc);
	EXPECT_ERR(ch_hw_power(pool, HW_POWER_OFF), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_hw_power(log_h, HW_POWER_REBOOT), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_hw_power(0x7fffffffu, HW_POWER_OFF), ERR_BAD_HANDLE);
	/* Exec's "power": MANAGE on the root and nothing else; bad what values */
	EXPECT_OK(ch_cap_derive(hw, RIGHT_MANAGE | RIGHT_DUPLICATE, 0, &weak));
	EXPECT_ERR(ch_hw_power(weak, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_hw_power(weak, 3), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_hw_power(weak, 0xffffffffu), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_dev_enum(weak, 0, &info, NULL), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	long r = ch_syscall1(SYS_HW_POWER, hw, 1ull << 32 | HW_POWER_OFF);
	CHECK(r == ERR_INVALID_ARGS, "a0 with high bits: %s", ch_error_name(r));
}

/* The row `devices` prints, with names from the initrd's pci.ids. */
static void test_devices_row(void)
{
	const void *ids;
	size_t len;
	static char row[512];
	struct hw_device_info info;
	EXPECT_OK(ch_initrd_find("share/pci.ids", &ids, &len));
	/* the host bridge: q35's 8086:29c0 or pc's 8086:1237, always at 00:00.0 */
	handle_t h = find(0, 0, "0000:00:00.0", &info);
	CHECK(h != HANDLE_INVALID, "no 0000:00:00.0");
	pciids_format_device(&info, ids, len, row, sizeof(row));
	CHECK(strstr(row, "Host bridge") && strstr(row, "Intel Corporation") &&
	          (strstr(row, "8086:29c0 ") || strstr(row, "8086:1237 ")),
	      "host bridge row: %s", row);
	CHECK(strstr(row, info.vendor == 0x8086 && info.device == 0x29c0 ? "82G33" : "440FX"),
	      "no device name: %s", row);
	ch_cap_drop(h);
	/* a platform device: its kind, no ids */
	h = find(0, 0, "rtc", &info);
	CHECK(h != HANDLE_INVALID, "no rtc");
	pciids_format_device(&info, ids, len, row, sizeof(row));
	CHECK(strncmp(row, "rtc ", 4) == 0 && strstr(row, "platform device"), "rtc row: %s", row);
	ch_cap_drop(h);
}

/*
 * argv[1] == "power": turn the machine off ("off") or reset it ("reboot") through
 * the grant "power" (etc/poweroff.manifest, etc/reboot.manifest: the test kernel's
 * powertest=, tools/run-tests.sh's power cases). The line before the call goes
 * straight to the log, unbuffered; the harness looks for it and for QEMU ending.
 */
static int power_main(const char *which)
{
	char line[96];
	bool off = strcmp(which, "off") == 0;
	handle_t power = ch_handle("power");
	int n = snprintf(line, sizeof(line), "POWERTEST %s: calling SYS_HW_POWER\n", which);
	ch_log_write(log_h, line, (size_t)n);
	long r = ch_hw_power(power, off ? HW_POWER_OFF : HW_POWER_REBOOT);
	n = snprintf(line, sizeof(line), "POWERTEST FAIL %s: %s\n", which, ch_error_name(r));
	ch_log_write(log_h, line, (size_t)n);
	return 1;
}

static void run_all(void)
{
	ch_test_run("hw_", "enumerate", test_enumerate);
	ch_test_run("hw_", "resources", test_resources);
	ch_test_run("hw_", "map_bar", test_map_bar);
	ch_test_run("hw_", "rights_and_types", test_rights_and_types);
	ch_test_run("hw_", "config", test_config);
	ch_test_run("hw_", "rtc_ioport", test_rtc_ioport);
	ch_test_run("hw_", "ioport_denied", test_ioport_denied);
	ch_test_run("hw_", "irq_rtc", test_irq_rtc);
	ch_test_run("hw_", "irq_msi", test_irq_msi);
	ch_test_run("hw_", "irq_intx", test_irq_intx);
	ch_test_run("hw_", "dma", test_dma);
	ch_test_run("hw_", "claim_release", test_claim_release);
	ch_test_run("hw_", "handle_of_another_process", test_handle_of_another_process);
	ch_test_run("hw_", "framebuffer", test_framebuffer);
	ch_test_run("hw_", "label", test_label);
	ch_test_run("hw_", "devices_row", test_devices_row);
	ch_test_run("hw_", "power_refused", test_power_refused);
}

int main(int argc, char **argv)
{
	log_h = ch_handle("log");
	if (argc >= 3 && strcmp(argv[1], "child") == 0)
		return child_main(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "power") == 0)
		return power_main(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "proc") == 0)
		return proc_main(argc, argv);
	hw = ch_handle("hw");
	pool = ch_handle("pool");
	as = ch_handle("self.as");
	if (hw == HANDLE_INVALID || pool == HANDLE_INVALID || as == HANDLE_INVALID) {
		printf("VMTEST FAIL hw_start: missing a capability (hw %x pool %x self.as %x)\n",
		       hw, pool, as);
		return 1;
	}
	return ch_test_main(run_all);
}
