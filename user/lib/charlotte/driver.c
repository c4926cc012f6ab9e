/*
 * driver.c - finding devices and starting drivers by hand (driver.h).
 */
#include "driver.h"

#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/hw.h>
#include <abi/rights.h>

#include "hw.h"
#include "kbus.h"
#include "ns.h"
#include "start.h"
#include "syscall.h"

static int field(uint16_t want, uint32_t have)
{
	return want == CH_DEV_ANY || want == have;
}

long ch_dev_find(handle_t root, const struct ch_dev_match *m, uint32_t nth, handle_t *out)
{
	for (uint32_t i = 0;; i++) {
		struct hw_device_info di;
		long r = ch_dev_enum(root, i, &di, NULL);
		if (r == ERR_OUT_OF_RANGE)
			return ERR_NOT_FOUND;
		if (r < 0)
			return r;
		if (di.bus == HW_BUS_PCI && field(m->vendor, di.vendor) &&
		    field(m->device, di.device) && field(m->class_code, di.class_code) &&
		    field(m->subclass, di.subclass) && field(m->prog_if, di.prog_if) && nth-- == 0)
			return ch_dev_enum(root, i, &di, out);
	}
}

long ch_driver_unbind(const char *name)
{
	static const char *const classes[] = {"block",  "net",   "input", "display",
	                                      "serial", "clock", "rng"};
	const char *slash = strrchr(name, '/');
	if (slash)
		name = slash + 1;
	handle_t dev = ch_ns_root("dev");
	if (dev == HANDLE_INVALID || !*name)
		return ERR_NOT_FOUND;
	char path[96];
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		int n = snprintf(path, sizeof(path), "%s/%s", classes[i], name);
		if (n < 0 || (size_t)n >= sizeof(path))
			return ERR_OUT_OF_RANGE;
		if (ch_ns_unlink(dev, path, (size_t)n, 0, UINT64_MAX) == 0)
			return 0;
	}
	return ERR_NOT_FOUND;
}

long ch_driver_spawn(const char *const *argv, handle_t device, uint64_t child_pool,
                     uint64_t timeout, struct ch_child *child)
{
	handle_t rd[2];
	struct cap_info ns = {0}, dev = {0};
	child->process = HANDLE_INVALID;
	long r = ch_cap_inspect(ch_handle("ns"), &ns);
	if (r >= 0 && device != HANDLE_INVALID)
		r = ch_cap_inspect(device, &dev);
	if (r < 0)
		return r;
	r = ch_channel_create(ch_handle("pool"), 0, rd);
	if (r < 0)
		return r;
	struct ch_grant g[4] = {{"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER},
	                        {"ns", ch_handle("ns"), ns.rights},
	                        {"ready", rd[0], RIGHT_SEND | RIGHT_TRANSFER},
	                        {"device", device, dev.rights}};
	struct ch_spawn_args a = {.path = argv[0],
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = device != HANDLE_INVALID ? 4 : 3,
	                          .child_pool = child_pool};
	r = ch_spawn(&a, child);
	if (r >= 0) {
		long res = 0;
		uint32_t len = 0;
		r = ch_kbus_recv_bytes(rd[1], &res, sizeof(res), &len, 0, timeout);
		if (r >= 0)
			r = len == sizeof(res) ? res : ERR_MALFORMED;
	}
	ch_cap_drop(rd[0]);
	ch_cap_drop(rd[1]);
	return r;
}

long ch_dev_class_bind(const char *cls, const char *name, handle_t ep, uint32_t type)
{
	return ch_dev_class_bind_rights(cls, name, ep, type, RIGHT_SEND | RIGHT_RECV);
}

long ch_dev_class_bind_rights(const char *cls, const char *name, handle_t ep, uint32_t type,
                              uint64_t rights)
{
	handle_t dir = ch_handle("class"), dev = ch_ns_root("dev");
	long r = 0;
	if (dir == HANDLE_INVALID) {
		struct ns_open_args a = {.type = NS_TYPE_DIR, .rights = NS_RIGHTS_SAME};
		r = dev == HANDLE_INVALID ? ERR_NOT_FOUND
		                          : ch_ns_open(dev, cls, strlen(cls), &a, &dir);
	}
	if (r >= 0)
		r = ch_ns_bind(dir, name, strlen(name), ep, rights, type);
	if (dir != ch_handle("class") && dir != HANDLE_INVALID)
		ch_cap_drop(dir);
	return r;
}
