/*
 * pciids.c - names from a pci.ids file, and `devices`' row (pciids.h).
 */
#include <shared/pciids.h>

#include <stdarg.h>

#include <shared/fmt.h>
#include <shared/hex.h>

/* snprintf over the shared formatter (the kernel, libc and host tests all have it). */
__attribute__((format(printf, 3, 4))) static size_t fmt_snprintf(char *buf, size_t size,
                                                                 const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	size_t n = fmt_vsnprintf(buf, size, NULL, f, ap);
	va_end(ap);
	return n;
}

/* The line starting at *pos (bounded by len); *pos moves past it. */
static bool next_line(const char *t, size_t len, size_t *pos, const char **line, size_t *n)
{
	if (*pos >= len)
		return false;
	size_t s = *pos, e = s;
	while (e < len && t[e] != '\n')
		e++;
	*line = t + s;
	*n = e - s;
	*pos = e < len ? e + 1 : e;
	return true;
}

/* digits hex digits at l, then two spaces and a name: the value, or -1. */
static long id_of(const char *l, size_t n, unsigned digits, struct pciids_name *name)
{
	if (n < digits + 3 || l[digits] != ' ' || l[digits + 1] != ' ')
		return -1;
	long v = 0;
	for (unsigned i = 0; i < digits; i++) {
		int h = hex_digit(l[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	name->s = l + digits + 2;
	name->len = n - digits - 2;
	if (name->len && name->s[name->len - 1] == '\r')
		name->len--;
	if (name->len > PCIIDS_NAME_MAX)
		name->len = PCIIDS_NAME_MAX;
	return v;
}

static const struct pciids_name none = {0};

/* Walk the vendor section; with device < 0 the vendor's own line answers. */
static struct pciids_name lookup(const char *t, size_t len, uint16_t vendor, long device)
{
	size_t pos = 0, n;
	const char *l;
	bool in_vendor = false;
	struct pciids_name name;
	while (t && next_line(t, len, &pos, &l, &n)) {
		if (n && l[0] == 'C' && n > 1 && l[1] == ' ')
			break; /* the class section: no vendor after it */
		if (n && l[0] != '\t' && l[0] != '#') {
			in_vendor = id_of(l, n, 4, &name) == vendor;
			if (in_vendor && device < 0)
				return name;
			continue;
		}
		if (in_vendor && device >= 0 && n > 1 && l[0] == '\t' && l[1] != '\t' &&
		    id_of(l + 1, n - 1, 4, &name) == device)
			return name;
	}
	return none;
}

struct pciids_name pciids_vendor(const char *t, size_t len, uint16_t vendor)
{
	return lookup(t, len, vendor, -1);
}

struct pciids_name pciids_device(const char *t, size_t len, uint16_t vendor, uint16_t device)
{
	return lookup(t, len, vendor, device);
}

struct pciids_name pciids_class(const char *t, size_t len, uint8_t cls, uint8_t sub)
{
	size_t pos = 0, n;
	const char *l;
	bool in_class = false;
	struct pciids_name name, class_name = none;
	while (t && next_line(t, len, &pos, &l, &n)) {
		if (n > 2 && l[0] == 'C' && l[1] == ' ') {
			if (in_class)
				break;
			in_class = id_of(l + 2, n - 2, 2, &name) == cls;
			if (in_class)
				class_name = name;
			continue;
		}
		if (in_class && n > 1 && l[0] == '\t' && l[1] != '\t' &&
		    id_of(l + 1, n - 1, 2, &name) == sub)
			return name;
	}
	return class_name;
}

/* Append name (found: nm.s != NULL), sanitized, at out + *n. */
static void put_name(char *out, size_t cap, size_t *n, struct pciids_name nm)
{
	for (size_t i = 0; i < nm.len; i++, (*n)++) {
		char c = nm.s[i];
		if (*n + 1 < cap)
			out[*n] = c >= 0x20 && c <= 0x7e ? c : '?';
	}
	if (cap)
		out[*n < cap ? *n : cap - 1] = 0;
}

static const char *irq_mode(uint32_t m)
{
	return m & HW_IRQ_MSIX ? "msix" : m & HW_IRQ_MSI ? "msi" : m & HW_IRQ_INTX ? "intx" : "-";
}

#define AT(n) (out + ((n) < cap ? (n) : cap)), ((n) < cap ? cap - (n) : 0)

size_t pciids_format_device(const struct hw_device_info *d, const char *ids, size_t len, char *out,
                            size_t cap)
{
	size_t n = 0;
	char name[HW_NAME_MAX + 1], drv[sizeof(d->label.driver) + 1], uri[sizeof(d->label.uri) + 1];
	/* the kernel's strings are NUL-terminated, but this is shared code: trust nothing */
	fmt_snprintf(name, sizeof(name), "%.*s", (int)sizeof(d->name), d->name);
	fmt_snprintf(drv, sizeof(drv), "%.*s", (int)sizeof(d->label.driver), d->label.driver);
	fmt_snprintf(uri, sizeof(uri), "%.*s", (int)sizeof(d->label.uri), d->label.uri);
	n += fmt_snprintf(AT(n), "%-13s ", name);
	if (d->bus == HW_BUS_PCI) {
		struct pciids_name cl = pciids_class(ids, len, d->class_code, d->subclass);
		char cls[32];
		if (cl.s)
			fmt_snprintf(cls, sizeof(cls), "%.*s", (int)(cl.len < 28 ? cl.len : 28),
			             cl.s);
		else
			fmt_snprintf(cls, sizeof(cls), "class %02x.%02x", d->class_code,
			             d->subclass);
		for (char *c = cls; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
		n += fmt_snprintf(AT(n), "%-28s %04x:%04x ", cls, d->vendor, d->device);
	} else {
		n += fmt_snprintf(AT(n), "%-28s %-9s ", "platform device", "-");
	}
	n += fmt_snprintf(AT(n), "%-5s %-12s %s", irq_mode(d->irq_active), drv[0] ? drv : "-",
	                  uri[0] ? uri : "-");
	if (d->bus == HW_BUS_PCI && ids) {
		struct pciids_name v = pciids_vendor(ids, len, d->vendor);
		n += fmt_snprintf(AT(n), "\n              ");
		if (!v.s) {
			n += fmt_snprintf(AT(n), "(vendor %04x is not in pci.ids)", d->vendor);
			return n;
		}
		put_name(out, cap, &n, v);
		struct pciids_name dn = pciids_device(ids, len, d->vendor, d->device);
		if (dn.s) {
			n += fmt_snprintf(AT(n), " ");
			put_name(out, cap, &n, dn);
		} else {
			n += fmt_snprintf(AT(n), " (device %04x is not in pci.ids)", d->device);
		}
	}
	return n;
}
