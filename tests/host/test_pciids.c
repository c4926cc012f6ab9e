/*
 * test_pciids.c - names from pci.ids and `devices`' row (shared/pciids.c): the real
 * file from Debian's hwdata, and texts written to break the parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <shared/pciids.h>

static char *ids;
static size_t ids_len;

static int load(void **state)
{
	(void)state;
	FILE *f = fopen(PCI_IDS_FILE, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	ids_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	ids = malloc(ids_len); /* no NUL after it: ASan catches a read past the end */
	assert_non_null(ids);
	assert_int_equal(fread(ids, 1, ids_len, f), ids_len);
	fclose(f);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	free(ids);
	return 0;
}

static void expect_name(struct pciids_name n, const char *want)
{
	assert_non_null(n.s);
	assert_int_equal(n.len, strlen(want));
	assert_memory_equal(n.s, want, n.len);
}

static void test_real_file(void **state)
{
	(void)state;
	expect_name(pciids_vendor(ids, ids_len, 0x8086), "Intel Corporation");
	expect_name(pciids_vendor(ids, ids_len, 0x1af4), "Red Hat, Inc.");
	expect_name(pciids_device(ids, ids_len, 0x1af4, 0x1042), "Virtio 1.0 block device");
	expect_name(pciids_device(ids, ids_len, 0x8086, 0x100e),
	            "82540EM Gigabit Ethernet Controller");
	expect_name(pciids_class(ids, ids_len, 0x06, 0x00), "Host bridge");
	expect_name(pciids_class(ids, ids_len, 0x01, 0x06), "SATA controller");
	/* a subclass not listed: the class's name */
	expect_name(pciids_class(ids, ids_len, 0x06, 0x7e), "Bridge");
	assert_null(pciids_vendor(ids, ids_len, 0x1234).s); /* QEMU's 1234 is not registered */
	assert_null(pciids_device(ids, ids_len, 0x8086, 0xfffe).s);
	assert_null(pciids_class(ids, ids_len, 0x7f, 0).s);
	/* a device id that is also another vendor's device: found only under its vendor */
	assert_null(pciids_device(ids, ids_len, 0x0e11, 0x1042).s);
}

static void test_hostile_texts(void **state)
{
	(void)state;
	static const char *texts[] = {
	    "",
	    "\n",
	    "\t",
	    "8086",
	    "8086 ",
	    "8086  ",
	    "8086  I",
	    "808g  X\n\t1042  Y",
	    "8086  A\n\t\t1042  sub\n",
	    "8086  A\n\t10",
	    "C",
	    "C ",
	    "C 06",
	    "C 06  ",
	    "C 06  B\n\t0",
	    "C 06  B\n\t00  ",
	    "\t\t\t\t",
	    "8086  A\r\n\t1042  D\r\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n = strlen(texts[i]);
		char *t = malloc(n ? n : 1); /* exactly n bytes, not terminated */
		memcpy(t, texts[i], n);
		(void)pciids_vendor(t, n, 0x8086);
		(void)pciids_device(t, n, 0x8086, 0x1042);
		(void)pciids_class(t, n, 6, 0);
		free(t);
	}
	/* CR before LF is not part of a name; a vendor after the class section is not one */
	const char crlf[] = "8086  A\r\n\t1042  D\r\n";
	expect_name(pciids_device(crlf, sizeof(crlf) - 1, 0x8086, 0x1042), "D");
	const char late[] = "C 06  B\n8086  A\n";
	assert_null(pciids_vendor(late, sizeof(late) - 1, 0x8086).s);
	/* an overlong name is cut */
	char longname[300];
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "8086  ", 6);
	assert_int_equal(pciids_vendor(longname, sizeof(longname), 0x8086).len, PCIIDS_NAME_MAX);
	/* NULL text: nothing found */
	assert_null(pciids_vendor(NULL, 10, 0x8086).s);
}

static struct hw_device_info pci(uint16_t v, uint16_t d, uint8_t cls, uint8_t sub)
{
	struct hw_device_info i = {
	    .bus = HW_BUS_PCI, .vendor = v, .device = d, .class_code = cls, .subclass = sub};
	strcpy(i.name, "0000:00:04.0");
	return i;
}

static void test_row(void **state)
{
	(void)state;
	char row[512];
	struct hw_device_info d = pci(0x1af4, 0x1042, 0x01, 0x00);
	d.irq_active = HW_IRQ_MSIX | HW_IRQ_INTX;
	strcpy(d.label.driver, "virtio-blk");
	strcpy(d.label.uri, "dev:///block/vda");
	size_t n = pciids_format_device(&d, ids, ids_len, row, sizeof(row));
	assert_int_equal(n, strlen(row));
	assert_non_null(strstr(row, "0000:00:04.0 "));
	assert_non_null(strstr(row, "SCSI storage controller"));
	assert_non_null(strstr(row, "1af4:1042 msix  virtio-blk   dev:///block/vda\n"));
	assert_non_null(strstr(row, "Red Hat, Inc. Virtio 1.0 block device"));
	/* nothing known: dashes and the raw class */
	d = pci(0x1234, 0x11e8, 0x00, 0xff);
	pciids_format_device(&d, NULL, 0, row, sizeof(row));
	assert_non_null(strstr(row, "class 00.ff"));
	assert_non_null(strstr(row, "1234:11e8 -     -            -"));
	assert_null(strchr(row, '\n'));
	pciids_format_device(&d, ids, ids_len, row, sizeof(row));
	assert_non_null(strstr(row, "\n              (vendor 1234 is not in pci.ids)"));
	d = pci(0x8086, 0xfffe, 0x06, 0x00);
	pciids_format_device(&d, ids, ids_len, row, sizeof(row));
	assert_non_null(strstr(row, "Intel Corporation (device fffe is not in pci.ids)"));
	/* a platform device */
	struct hw_device_info p = {.bus = HW_BUS_PLATFORM};
	strcpy(p.name, "i8042");
	pciids_format_device(&p, ids, ids_len, row, sizeof(row));
	assert_non_null(strstr(row, "i8042 "));
	assert_non_null(strstr(row, "platform device"));
	/* hostile kernel strings: unterminated, unprintable: bounded and shown as '?' */
	memset(d.name, 'x', sizeof(d.name));
	memset(d.label.driver, 1, sizeof(d.label.driver));
	memset(d.label.uri, 'u', sizeof(d.label.uri));
	n = pciids_format_device(&d, ids, ids_len, row, sizeof(row));
	assert_int_equal(n, strlen(row));
	/* truncation: the length it would have had, a terminated prefix */
	char small[16];
	size_t full = pciids_format_device(&p, ids, ids_len, row, sizeof(row));
	assert_int_equal(pciids_format_device(&p, ids, ids_len, small, sizeof(small)), full);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, row, sizeof(small) - 1);
	assert_int_equal(pciids_format_device(&d, ids, ids_len, NULL, 0),
	                 pciids_format_device(&d, ids, ids_len, row, sizeof(row)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_file),
	    cmocka_unit_test(test_hostile_texts),
	    cmocka_unit_test(test_row),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
