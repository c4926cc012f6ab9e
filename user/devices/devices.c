/*
 * devices.c - `devices`: every device the kernel found, one entry each: its name
 * (PCI address or platform name), class, PCI vendor:device ids with their names
 * from pci.ids (Debian's hwdata, copied into the initrd at build time as
 * share/pci.ids), the interrupt mode in use, the driver Exec started for it and
 * where that driver serves it in dev://.
 *
 * Needs "hw.list" (the root device with INSPECT and ENUMERATE only; "hw" works
 * too) and, for names, "initrd". `devices -n` leaves the names out.
 */
#include <stdio.h>
#include <string.h>

#include <charlotte/hw.h>
#include <charlotte/initrd.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <shared/pciids.h>

int main(int argc, char **argv)
{
	handle_t root = ch_handle("hw.list");
	if (root == HANDLE_INVALID)
		root = ch_handle("hw");
	if (root == HANDLE_INVALID) {
		printf("devices: no capability to list devices (\"hw.list\")\n");
		return 1;
	}
	const void *ids = NULL;
	size_t len = 0;
	if (!(argc > 1 && strcmp(argv[1], "-n") == 0) &&
	    ch_initrd_find("share/pci.ids", &ids, &len) < 0) {
		ids = NULL;
		len = 0;
	}
	printf("%-13s %-28s %-9s %-5s %-12s %s\n", "DEVICE", "CLASS", "ID", "IRQ", "DRIVER",
	       "SERVED AS");
	static char row[512];
	unsigned n = 0;
	long r;
	for (uint32_t i = 0;; i++) {
		struct hw_device_info info;
		if ((r = ch_dev_enum(root, i, &info, NULL)) < 0)
			break;
		pciids_format_device(&info, ids, len, row, sizeof(row));
		printf("%s\n", row);
		n++;
	}
	if (r != ERR_OUT_OF_RANGE) {
		printf("devices: cannot list device %u: %s\n", n, ch_error_name(r));
		return 1;
	}
	printf("%u device%s\n", n, n == 1 ? "" : "s");
	return 0;
}
