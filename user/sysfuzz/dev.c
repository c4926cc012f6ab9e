/*
 * dev.c - sysfuzz: hostile device-class messages (docs/devices.md).
 *
 * "bin/sysfuzz dev <uri> <seed> <calls>" with a namespace view ("ns", "ns.dev"): <uri>
 * is an entry of dev:// or a directory of them (dev:///, dev:///rng), walked two levels
 * deep. Every device entry seen is opened and sent <calls> messages of its class:
 *   - well-formed but hostile: a type of the class (DEV_MSG_<class> + 0..7) with a
 *     header whose length is the message's, and fields of interesting values (0, 1,
 *     DEV_RING_MAX + 1, 2^31, all ones ...), sized as the class's requests are;
 *   - malformed: a header that lies about the length, a message shorter than a
 *     header, a type of another class or any 32-bit value, up to KBUS_MAX_BYTES;
 *   - with capability arrays: 0 to 4 handles (one time in 32, 64) of what a driver
 *     must not trust: memory objects of odd sizes and cut rights, our own channel's
 *     endpoint, the device's own endpoint, handles that name nothing;
 *   - one time in 8 a one-way message (KBUS_NONBLOCK) instead of a call.
 * Every call must be answered (never ERR_TIMED_OUT, never ERR_PEER_CLOSED) with a
 * reply that starts with a header whose length is the reply's; the handles a reply
 * carries (a session opened) are dropped, so the driver must end the session. Every
 * 64 calls and at the end a call of an unknown type of the class must still be
 * answered. Prints one line per entry and exits 0, or 1 with the first failure;
 * the spawner checks that the driver process still runs and still serves a client
 * of its own (devtest's <class>_<target>_fuzz tests).
 */
#include "sysfuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/dev/ring.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/ns.h>
#include <abi/rights.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define DEV_CALL_NS UINT64_C(10000000000) /* a driver answers within 10 s, or it hung */

static const struct {
	const char *name;
	uint32_t type, base;
} classes[] = {
    {"block", NS_TYPE_DEV_BLOCK, DEV_MSG_BLOCK},
    {"net", NS_TYPE_DEV_NET, DEV_MSG_NET},
    {"input", NS_TYPE_DEV_INPUT, DEV_MSG_INPUT},
    {"display", NS_TYPE_DEV_DISPLAY, DEV_MSG_DISPLAY},
    {"serial", NS_TYPE_DEV_SERIAL, DEV_MSG_SERIAL},
    {"clock", NS_TYPE_DEV_CLOCK, DEV_MSG_CLOCK},
    {"rng", NS_TYPE_DEV_RNG, DEV_MSG_RNG},
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

struct dev_fuzz {
	uint64_t rng;
	handle_t dev, pool;
	handle_t mem[3], chan[2];
	uint64_t calls, replies, errors, oneway, handles_back;
	char why[160];
};

static uint64_t rnd(struct dev_fuzz *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static uint64_t below(struct dev_fuzz *f, uint64_t n)
{
	return rnd(f) % n;
}

static uint32_t word(struct dev_fuzz *f)
{
	static const uint32_t w[] = {0,
	                             1,
	                             2,
	                             7,
	                             8,
	                             63,
	                             64,
	                             4096,
	                             65536,
	                             DEV_RING_MAX,
	                             DEV_RING_MAX + 1,
	                             0x7fffffffu,
	                             0x80000000u,
	                             0xffffffffu,
	                             0xfffffff0u,
	                             1u << 20,
	                             (1u << 20) + 1};
	return below(f, 3) ? w[below(f, sizeof(w) / sizeof(w[0]))] : (uint32_t)rnd(f);
}

/* The message's length: a header and the class's small requests, sometimes any. */
static uint32_t msg_len(struct dev_fuzz *f)
{
	static const uint32_t l[] = {0, 1, 4, 7, 8, 12, 16, 20, 24, 32, 40, 48, 64, 128, 4096};
	if (below(f, 32) == 0)
		return below(f, 2) ? KBUS_MAX_BYTES : (uint32_t)below(f, KBUS_MAX_BYTES + 1);
	return below(f, 4) ? l[below(f, sizeof(l) / sizeof(l[0]))] : (uint32_t)below(f, 256);
}

static handle_t pick_handle(struct dev_fuzz *f)
{
	switch (below(f, 8)) {
	case 0:
		return f->dev;
	case 1:
		return f->chan[0];
	case 2:
		return (handle_t)rnd(f) | 1; /* names nothing (or something by luck) */
	default:
		return f->mem[below(f, 3)];
	}
}

/* Builds one message into buf; returns its length, fills hs / *nh. */
static uint32_t build(struct dev_fuzz *f, uint32_t base, uint8_t *buf, handle_t *hs, uint32_t *nh)
{
	uint32_t len = msg_len(f);
	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		uint32_t w = word(f);
		memcpy(buf + i, &w, 4);
	}
	if (len >= sizeof(struct dev_msg_hdr)) {
		struct dev_msg_hdr h;
		switch (below(f, 10)) {
		case 0:
			h.type = classes[below(f, NCLASSES)].base + (uint32_t)below(f, 8);
			break;
		case 1:
			h.type = (uint32_t)rnd(f);
			break;
		default:
			h.type = base + (uint32_t)below(f, 8);
			break;
		}
		h.len = below(f, 3) ? len : word(f);
		memcpy(buf, &h, sizeof(h));
	}
	*nh = below(f, 32) == 0 ? 64 : (below(f, 2) ? 0 : (uint32_t)below(f, 5));
	for (uint32_t i = 0; i < *nh; i++)
		hs[i] = pick_handle(f);
	return len;
}

/* A call the driver must answer; 0 or the failure (in f->why). */
static int call_one(struct dev_fuzz *f, const struct kbus_msg *m, const char *what)
{
	static uint8_t rep[KBUS_MAX_BYTES];
	static handle_t rhs[KBUS_MAX_HANDLES];
	struct kbus_buf kb = {.data = rep,
	                      .capacity = sizeof(rep),
	                      .handles = rhs,
	                      .handles_capacity = KBUS_MAX_HANDLES};
	long r = ch_kbus_call(f->dev, m, &kb, DEV_CALL_NS);
	f->calls++;
	if (r == ERR_TIMED_OUT || r == ERR_PEER_CLOSED) {
		snprintf(f->why, sizeof(f->why), "%s (%u bytes, %u handles): %s", what, m->len,
		         m->nhandles, ch_error_name(r));
		return 1;
	}
	if (r < 0) { /* refused by the kernel (a handle that names nothing) */
		f->errors++;
		return 0;
	}
	f->replies++;
	for (uint32_t i = 0; i < kb.nhandles && i < KBUS_MAX_HANDLES; i++) {
		ch_cap_drop(rhs[i]); /* a session we opened: the driver must end it */
		f->handles_back++;
	}
	struct dev_msg_hdr h = {0, 0};
	memcpy(&h, rep, kb.len < sizeof(h) ? kb.len : sizeof(h));
	if (kb.len < sizeof(h) || h.len != kb.len) {
		snprintf(f->why, sizeof(f->why),
		         "%s (%u bytes): a reply of %u bytes with a header of %u (type %#x)", what,
		         m->len, kb.len, h.len, h.type);
		return 1;
	}
	if (kb.len >= sizeof(struct dev_status_reply)) {
		const struct dev_status_reply *s = (const void *)rep;
		f->errors += s->status < 0;
	}
	return 0;
}

static int probe(struct dev_fuzz *f, uint32_t base)
{
	struct dev_msg_hdr h = {base + 0xff, sizeof(h)};
	struct kbus_msg m = {.data = &h, .len = sizeof(h)};
	return call_one(f, &m, "the probe of an unknown type");
}

static int fuzz_entry(const char *uri, uint32_t cls, uint64_t seed, uint64_t calls)
{
	static uint8_t buf[KBUS_MAX_BYTES];
	static handle_t hs[KBUS_MAX_HANDLES];
	static const uint64_t mem_sizes[] = {4096, 12288, 65536};
	static const uint64_t mem_rights[] = {
	    RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_TRANSFER | RIGHT_DUPLICATE | RIGHT_INSPECT,
	    RIGHT_READ | RIGHT_TRANSFER, RIGHT_MAP | RIGHT_WRITE | RIGHT_TRANSFER};
	struct dev_fuzz f = {.rng = seed | 1, .pool = ch_handle("pool")};
	int bad = 0;

	long r = ch_uri_open(uri, classes[cls].type, 0, NS_RIGHTS_SAME, &f.dev);
	if (r < 0) {
		printf("sysfuzz dev: %s: cannot open it: %s\n", uri, ch_error_name(r));
		return 1;
	}
	for (unsigned i = 0; i < 3; i++) {
		handle_t m;
		if ((r = ch_mem_create(f.pool, mem_sizes[i], &m)) < 0 ||
		    (r = ch_cap_derive(m, mem_rights[i], 0, &f.mem[i])) < 0) {
			printf("sysfuzz dev: %s: no memory objects: %s\n", uri, ch_error_name(r));
			return 1;
		}
		ch_cap_drop(m);
	}
	if ((r = ch_channel_create(f.pool, 4, f.chan)) < 0) {
		printf("sysfuzz dev: %s: no channel: %s\n", uri, ch_error_name(r));
		return 1;
	}
	for (uint64_t i = 0; i < calls && !bad; i++) {
		uint32_t nh;
		struct kbus_msg m = {.data = buf, .handles = hs, .copy_mask = UINT64_MAX};
		m.len = build(&f, classes[cls].base, buf, hs, &nh);
		m.nhandles = nh;
		if (below(&f, 8) == 0) {
			f.oneway++;
			ch_kbus_send(f.dev, &m, KBUS_NONBLOCK, 0);
		} else {
			bad = call_one(&f, &m, "a call");
		}
		if (!bad && i % 64 == 63)
			bad = probe(&f, classes[cls].base);
	}
	if (!bad)
		bad = probe(&f, classes[cls].base);
	printf("sysfuzz dev: %s: %llu calls, %llu replies (%llu refused), %llu one-way, "
	       "%llu handles back%s%s\n",
	       uri, (unsigned long long)f.calls, (unsigned long long)f.replies,
	       (unsigned long long)f.errors, (unsigned long long)f.oneway,
	       (unsigned long long)f.handles_back, bad ? ": FAIL: " : "", bad ? f.why : "");
	for (unsigned i = 0; i < 3; i++)
		ch_cap_drop(f.mem[i]);
	ch_cap_drop(f.chan[0]);
	ch_cap_drop(f.chan[1]);
	ch_cap_drop(f.dev);
	return bad;
}

static int class_of(const char *name, size_t n)
{
	for (unsigned i = 0; i < NCLASSES; i++)
		if (strlen(classes[i].name) == n && memcmp(classes[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

static int class_of_type(uint32_t type)
{
	for (unsigned i = 0; i < NCLASSES; i++)
		if (classes[i].type == type)
			return (int)i;
	return -1;
}

/* Fuzzes every device entry in the directory uri (depth: levels left). */
static int walk(const char *uri, unsigned depth, uint64_t seed, uint64_t calls, unsigned *seen)
{
	static char buf[512];
	handle_t d;
	int bad = 0;
	long r = ch_uri_open(uri, NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &d);
	if (r < 0) {
		printf("sysfuzz dev: %s: cannot list it: %s\n", uri, ch_error_name(r));
		return 1;
	}
	uint64_t cookie = 0;
	long n;
	while ((n = ch_ns_list(d, &cookie, buf, sizeof(buf), 0)) > 0) {
		for (long off = 0; off < n;) {
			const struct ns_dirent *de = (const void *)(buf + off);
			char sub[256];
			snprintf(sub, sizeof(sub), "%s%s%s", uri,
			         uri[strlen(uri) - 1] == '/' ? "" : "/", de->name);
			int cls = class_of_type(de->type);
			if (cls >= 0) {
				(*seen)++;
				bad |= fuzz_entry(sub, (unsigned)cls, seed + *seen, calls);
			} else if (de->type == NS_TYPE_DIR && depth) {
				bad |= walk(sub, depth - 1, seed, calls, seen);
			}
			off += de->reclen;
		}
	}
	ch_cap_drop(d);
	return bad;
}

int fz_dev_main(int argc, char **argv)
{
	if (argc < 5) {
		printf("usage: bin/sysfuzz dev <dev:// uri> <seed> <calls>\n");
		return 2;
	}
	const char *uri = argv[2];
	uint64_t seed = strtoull(argv[3], NULL, 0), calls = strtoull(argv[4], NULL, 0);
	/* dev:///<class>/<name>: one entry of a known class; anything else a directory */
	const char *p = strncmp(uri, "dev:///", 7) == 0 ? uri + 7 : "";
	const char *slash = strchr(p, '/');
	int cls = slash ? class_of(p, (size_t)(slash - p)) : -1;
	if (cls >= 0 && slash[1] && !strchr(slash + 1, '/'))
		return fuzz_entry(uri, (unsigned)cls, seed, calls);
	unsigned seen = 0;
	int bad = walk(uri, 2, seed, calls, &seen);
	printf("sysfuzz dev: %u device entries under %s\n", seen, uri);
	return bad || seen == 0;
}
