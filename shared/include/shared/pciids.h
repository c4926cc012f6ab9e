/*
 * pciids.h - names from a pci.ids file (the PCI ID Repository's format, as Debian's
 * hwdata package ships it), and one device's row for `devices`.
 *
 * The file is plain text, one entry per line:
 *
 *     vvvv  Vendor name                  a vendor (4 hex digits, two spaces)
 *     <TAB>dddd  Device name             a device of the vendor above
 *     <TAB><TAB>ssss ssss  Name          a subsystem (skipped)
 *     C cc  Class name                   the class section, after every vendor
 *     <TAB>ss  Subclass name
 *     <TAB><TAB>pp  Programming interface
 *     # comment, blank lines
 *
 * The text is untrusted and need not end in a newline or a NUL: every scan is bounded
 * by len, a line that does not have the form is skipped, and a name is handed back as
 * a pointer into the text and its length (at most PCIIDS_NAME_MAX bytes are used; a
 * byte outside printable ASCII is shown as '?'). No allocation: host-tested
 * (tests/host/test_pciids.c) with the real file and hostile ones.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/hw.h>

#define PCIIDS_NAME_MAX 80

struct pciids_name {
	const char *s; /* into the text; NULL: not found */
	size_t len;
};

/* The vendor's name. */
struct pciids_name pciids_vendor(const char *t, size_t len, uint16_t vendor);
/* The name of the vendor's device. */
struct pciids_name pciids_device(const char *t, size_t len, uint16_t vendor, uint16_t device);
/* The subclass's name, or the class's when the subclass is not listed. */
struct pciids_name pciids_class(const char *t, size_t len, uint8_t cls, uint8_t sub);

/*
 * One device as `devices` shows it, into out (cap bytes, always NUL-terminated; the
 * length written, or what it would have been):
 *
 *   0000:00:1f.2  SATA controller  8086:2922  msi    ahci  dev:///block/sda
 *                 Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]
 *
 * Platform devices show their kind instead of the ids; a field with nothing to say
 * is '-'. ids may be NULL (no pci.ids): the names line is left out.
 */
size_t pciids_format_device(const struct hw_device_info *d, const char *ids, size_t len, char *out,
                            size_t cap);
