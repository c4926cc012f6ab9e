/*
 * fuzz_transfer.c - the kernel's own decoding of a sent kbus message's capabilities
 * (kernel/kbus/transfer.c: decode(), the cycle rule, then copies and moves into the
 * destination's transit cspace, kbus_transfer_out() into a receiver, and every undo),
 * over the real capability layer (kernel/cap) on the host heap.
 *
 * Each input builds a sender's cspace (roots of test objects and endpoints with
 * fuzzed rights, children derived from them, some dropped so their handles are
 * stale), a message (up to KBUS_MAX_HANDLES handles: the sender's, stale or raw
 * values; a copy mask; no cspace at all), the endpoints' cycle-rule counts, and the
 * sizes of the transit and receiving cspaces. A model of the sender's handles says
 * what kbus_transfer_in() must answer, in decode()'s order: ERR_BAD_HANDLE (no
 * cspace, or the first handle that names nothing), ERR_ACCESS_DENIED (the first
 * without TRANSFER, or DUPLICATE for a copy), ERR_INVALID_ARGS (a handle moved twice
 * or moved and copied), ERR_BAD_STATE (the cycle rule), ERR_NO_RESOURCES (the
 * transit cspace full), else 0. Then: on failure the sender holds exactly what it
 * held; on success moved handles are gone from the sender, copies stay, and the
 * receiver gets each capability's object and rights in order (or the transfer out
 * fails whole, the receiver left empty). In every case the cycle-rule counts come
 * back, every object's reference count comes back to one (ours), and the heap to
 * where it was.
 *
 * Input: flags (bit 0: no cspace, bit 1: no cycle rule), the transit and receiver
 * sizes, a byte of cycle-rule counts per endpoint, the sender's operations (three
 * bytes each: kind, which, rights), the message's handle count, each handle (a byte
 * naming one of the sender's, or 0xf0 and above then four bytes of any value), the
 * copy mask (eight bytes, big-endian). FUZZ_WRITE_SEEDS=<dir> fuzz_transfer writes
 * the seed corpus into dir and exits.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <cap/cap.h>
#include <cap/invoke.h>
#include <kbus/kbus_internal.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <obj/test_object.h>
#include <stdarg.h>

#include "cap_host_shim.h"

static unsigned warnings;

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	warnings += level >= LOG_WARN;
}

/* channel.c's, which the target does not link. */
struct endpoint *endpoint_from(struct kobject *obj)
{
	return container_of(kobject_expect(obj, OBJ_ENDPOINT), struct endpoint, obj);
}

struct kobject *endpoint_obj(struct endpoint *ep)
{
	return &ep->obj;
}

static void ep_destroy(struct kobject *obj)
{
	(void)obj; /* ours: the channel block is static */
}

static const struct kobject_ops ep_ops = {.destroy = ep_destroy};

#define NTEST 3
#define NEP 4 /* ep[0] receives; the others (and ep[0] itself) may be carried */
#define NOBJ (NTEST + NEP)
#define MAX_KEYS 96

static const uint64_t rights_pool[] = {RIGHT_TRANSFER, RIGHT_DUPLICATE, RIGHT_READ,
                                       RIGHT_WRITE,    RIGHT_SEND,      RIGHT_INSPECT};

/* The model: one entry per handle the sender was ever given. */
struct key {
	handle_t h;
	unsigned obj;
	uint64_t rights;
	bool alive;
};

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t word(struct input *in)
{
	uint32_t w = 0;
	for (int i = 0; i < 4; i++)
		w = w << 8 | byte(in);
	return w;
}

static uint64_t rights_of(uint8_t b)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < sizeof(rights_pool) / sizeof(rights_pool[0]); i++)
		if (b >> i & 1)
			r |= rights_pool[i];
	return r;
}

static struct kbus_channel chans[2];
static struct test_object *tests[NTEST];
static struct kobject *objs[NOBJ];

static void setup(void)
{
	if (objs[0])
		return;
	for (unsigned i = 0; i < NTEST; i++) {
		FUZZ_CHECK(test_object_create(i, &tests[i]) == 0);
		objs[i] = &tests[i]->base;
	}
	for (unsigned i = 0; i < NEP; i++) {
		struct kbus_channel *ch = &chans[i / 2];
		struct endpoint *ep = &ch->ep[i % 2];
		ep->ch = ch;
		ep->peer = &ch->ep[1 - i % 2];
		kobject_init(&ep->obj, OBJ_ENDPOINT, &ep_ops);
		objs[NTEST + i] = &ep->obj;
	}
}

static struct endpoint *ep_of(unsigned obj)
{
	return obj >= NTEST ? &chans[(obj - NTEST) / 2].ep[(obj - NTEST) % 2] : NULL;
}

static const struct key *find(const struct key *keys, unsigned nkeys, handle_t h)
{
	for (unsigned i = 0; i < nkeys; i++)
		if (keys[i].alive && keys[i].h == h)
			return &keys[i];
	return NULL;
}

/* Builds the sender's cspace from the input; the model in keys. */
static unsigned build_sender(struct input *in, struct cspace *cs, struct key *keys)
{
	unsigned nkeys = 0, nops = byte(in) % 48;
	for (unsigned k = 0; k < nops && nkeys < MAX_KEYS; k++) {
		uint8_t op = byte(in), arg = byte(in);
		uint64_t rights = rights_of(byte(in));
		struct key *src = nkeys ? &keys[arg % nkeys] : NULL;
		handle_t h;
		if (op % 4 <= 1 || !src) { /* a root */
			unsigned o = arg % NOBJ;
			if (cap_insert_root(cs, objs[o], rights, 0, &h) == 0)
				keys[nkeys++] = (struct key){h, o, rights, true};
		} else if (op % 4 == 2) { /* a child: needs DUPLICATE, rights a subset */
			rights &= src->rights;
			int err = cap_derive(cs, src->h, rights, 0, &h);
			FUZZ_CHECK(!src->alive || (err == 0) == !!(src->rights & RIGHT_DUPLICATE));
			if (err == 0)
				keys[nkeys++] = (struct key){h, src->obj, rights, true};
		} else if (src->alive) { /* dropped: its handle goes stale */
			FUZZ_CHECK(cap_drop(cs, src->h) == 0);
			src->alive = false;
		}
	}
	return nkeys;
}

/* What kbus_transfer_in() must answer for m, by the rules in transfer.c's header. */
static int expected(const struct kbus_out *m, const struct key *keys, unsigned nkeys,
                    bool cycle_rule, const uint32_t *loaded, const uint32_t *inflight,
                    uint32_t transit_slots)
{
	if (!m->cs)
		return ERR_BAD_HANDLE;
	const struct key *k[KBUS_MAX_HANDLES];
	bool loads = false;
	for (uint32_t i = 0; i < m->nhandles; i++) {
		bool copy = m->copy_mask >> i & 1;
		uint64_t need = RIGHT_TRANSFER | (copy ? RIGHT_DUPLICATE : 0);
		if (!(k[i] = find(keys, nkeys, m->handles[i])))
			return ERR_BAD_HANDLE;
		if ((k[i]->rights & need) != need)
			return ERR_ACCESS_DENIED;
		loads |= k[i]->obj >= NTEST;
	}
	for (uint32_t i = 0; i < m->nhandles; i++)
		for (uint32_t j = 0; j < i; j++)
			if (m->handles[i] == m->handles[j] &&
			    (!(m->copy_mask >> i & 1) || !(m->copy_mask >> j & 1)))
				return ERR_INVALID_ARGS;
	if (loads && cycle_rule) {
		if (inflight[0])
			return ERR_BAD_STATE;
		for (uint32_t i = 0; i < m->nhandles; i++) {
			unsigned e = k[i]->obj - NTEST;
			if (k[i]->obj >= NTEST && (loaded[e] + (e == 0)))
				return ERR_BAD_STATE;
		}
	}
	return m->nhandles > transit_slots ? ERR_NO_RESOURCES : 0;
}

static bool sent(const struct kbus_out *m, handle_t h, bool moved)
{
	for (uint32_t i = 0; i < m->nhandles; i++)
		if (m->handles[i] == h && (!moved || !(m->copy_mask >> i & 1)))
			return true;
	return false;
}

/* Every live key of the model names its object with its rights in cs; renumbered:
 * the capabilities m moved came back under new handles (a move undone), so only
 * their number is known. */
static void check_sender(struct cspace *cs, const struct key *keys, unsigned nkeys,
                         const struct kbus_out *renumbered)
{
	uint32_t live = 0;
	for (unsigned i = 0; i < nkeys; i++) {
		struct cap_ref ref;
		live += keys[i].alive;
		if (renumbered && keys[i].alive && sent(renumbered, keys[i].h, true))
			continue;
		int err = cap_lookup(cs, keys[i].h, OBJ_NONE, 0, &ref);
		FUZZ_CHECK((err == 0) == keys[i].alive);
		if (err)
			continue;
		FUZZ_CHECK(ref.obj == objs[keys[i].obj] && ref.rights == keys[i].rights);
		cap_ref_put(&ref);
	}
	FUZZ_CHECK(cspace_count(cs) == live);
}

/* kbus_msg_free()'s part for capabilities in flight (channel.c). */
static void msg_free(struct kbus_kmsg *msg, struct cspace *transit)
{
	if (msg->nhandles)
		kbus_transfer_drop(msg, transit);
	if (msg->dst)
		kbus_transfer_release(msg);
}

static void write_seed(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Rights bytes (rights_pool's order) and operation kinds of the seeds. */
#define S_T 0x01 /* TRANSFER */
#define S_TD 0x03 /* TRANSFER | DUPLICATE */
#define S_ROOT 0
#define S_DERIVE 2
#define S_DROP 3
/* sender: a test object (TD), endpoint 1 (TD), a child of the first (T), endpoint 2 (T) */
#define S_SENDER \
	4, S_ROOT, 0, S_TD, S_ROOT, NTEST + 1, S_TD, S_DERIVE, 0, S_T, S_ROOT, NTEST + 2, S_T

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *dir = getenv("FUZZ_WRITE_SEEDS");
	if (!dir)
		return 0;
	/* flags, transit, receiver, counts x NEP, sender..., nh, handles..., mask (8) */
	static const uint8_t move_copy[] = {0, 64, 64, 0, 0, 0, 0, S_SENDER, 4, 0, 1,
	                                    2, 3,  0,  0, 0, 0, 0, 0,        0, 3};
	static const uint8_t copy_twice[] = {0, 64, 64, 0, 0, 0, 0, S_SENDER, 2, 0,
	                                     0, 0,  0,  0, 0, 0, 0, 0,        3};
	static const uint8_t moved_twice[] = {0, 64, 64, 0, 0, 0, 0, S_SENDER, 2, 1,
	                                      1, 0,  0,  0, 0, 0, 0, 0,        1};
	static const uint8_t no_dup[] = {0, 64, 64, 0, 0, 0, 0, S_SENDER, 1,
	                                 2, 0,  0,  0, 0, 0, 0, 0,        1};
	static const uint8_t stale[] = {
	    0,      64, 64,  0,        0, 0,   0, 5, S_ROOT, 0, S_TD, S_ROOT, 1, S_T, S_DROP, 0, 0,
	    S_ROOT, 2,  S_T, S_DERIVE, 1, S_T, 2, 0, 1,      0, 0,    0,      0, 0,   0,      0, 0};
	static const uint8_t cycle_dst[] = {0, 64, 64, 0, 0, 0, 0, 1, S_ROOT, NTEST, S_T,
	                                    1, 0,  0,  0, 0, 0, 0, 0, 0,      0};
	static const uint8_t cycle_loaded[] = {0, 64, 64, 0, 1, 0, 0, S_SENDER, 1,
	                                       1, 0,  0,  0, 0, 0, 0, 0,        0};
	static const uint8_t transit_full[] = {0, 2, 64, 0, 0, 0, 0, S_SENDER, 4, 0, 1,
	                                       2, 3, 0,  0, 0, 0, 0, 0,        0, 1};
	static const uint8_t receiver_full[] = {0, 64, 2, 0, 0, 0, 0, S_SENDER, 4, 0, 1,
	                                        2, 3,  0, 0, 0, 0, 0, 0,        0, 1};
	static const uint8_t raw[] = {0,    64,   64,   0, 0, 0, 0, S_SENDER, 2, 0, 0xff, 0x01,
	                              0x00, 0x00, 0x01, 0, 0, 0, 0, 0,        0, 0, 0};
	write_seed(dir, "move_copy", move_copy, sizeof(move_copy));
	write_seed(dir, "copy_twice", copy_twice, sizeof(copy_twice));
	write_seed(dir, "moved_twice", moved_twice, sizeof(moved_twice));
	write_seed(dir, "no_dup", no_dup, sizeof(no_dup));
	write_seed(dir, "stale", stale, sizeof(stale));
	write_seed(dir, "cycle_dst", cycle_dst, sizeof(cycle_dst));
	write_seed(dir, "cycle_loaded", cycle_loaded, sizeof(cycle_loaded));
	write_seed(dir, "transit_full", transit_full, sizeof(transit_full));
	write_seed(dir, "receiver_full", receiver_full, sizeof(receiver_full));
	write_seed(dir, "raw", raw, sizeof(raw));
	exit(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	struct input in = {data, size};
	uint64_t heap0 = kmalloc_bytes_in_use();
	struct cspace *snd, *transit, *rcv;
	static struct key keys[MAX_KEYS];

	uint8_t flags = byte(&in);
	uint32_t transit_slots = byte(&in) % (KBUS_MAX_HANDLES + 8) + 1;
	uint32_t rcv_slots = byte(&in) % (KBUS_MAX_HANDLES + 8) + 1;
	FUZZ_CHECK(cspace_create(MAX_KEYS, &snd) == 0);
	FUZZ_CHECK(cspace_create(transit_slots, &transit) == 0);
	FUZZ_CHECK(cspace_create(rcv_slots, &rcv) == 0);
	struct endpoint *dst = ep_of(NTEST);
	dst->transit = transit;
	uint32_t loaded[NEP], inflight[NEP];
	for (unsigned e = 0; e < NEP; e++) {
		uint8_t b = byte(&in);
		ep_of(NTEST + e)->loaded = loaded[e] = b & 1;
		ep_of(NTEST + e)->inflight = inflight[e] = b >> 1 & 1;
	}

	unsigned nkeys = build_sender(&in, snd, keys);
	handle_t hs[KBUS_MAX_HANDLES];
	uint32_t nh = byte(&in) % (KBUS_MAX_HANDLES + 1);
	for (uint32_t i = 0; i < nh; i++) {
		uint8_t b = byte(&in);
		if (b < 0xf0 && nkeys)
			hs[i] = keys[b % nkeys].h; /* the sender's, maybe stale */
		else
			hs[i] = word(&in); /* anything */
	}
	uint64_t copy_mask = (uint64_t)word(&in) << 32 | word(&in);
	struct kbus_out m = {
	    .nhandles = nh, .handles = hs, .copy_mask = copy_mask, .cs = (flags & 1) ? NULL : snd};
	bool cycle_rule = !(flags & 2);
	int want = expected(&m, keys, nkeys, cycle_rule, loaded, inflight, transit_slots);

	struct endpoint *eps[KBUS_MAX_HANDLES] = {0};
	handle_t th[KBUS_MAX_HANDLES];
	struct kbus_kmsg msg = {.handles = th, .eps = eps};
	int err = kbus_transfer_in(&m, dst, cycle_rule, &msg);
	FUZZ_CHECK(err == want);
	if (err) {
		FUZZ_CHECK(msg.nhandles == 0 && cspace_count(transit) == 0);
		check_sender(snd, keys, nkeys, err == ERR_NO_RESOURCES ? &m : NULL);
		if (!msg.dst) /* refused before anything was held */
			for (uint32_t i = 0; i < KBUS_MAX_HANDLES; i++)
				FUZZ_CHECK(eps[i] == NULL);
	} else {
		FUZZ_CHECK(msg.nhandles == nh && cspace_count(transit) == nh);
		for (uint32_t i = 0; i < nh; i++)
			if (!(copy_mask >> i & 1)) {
				struct key *k = (struct key *)find(keys, nkeys, hs[i]);
				if (k)
					k->alive = false; /* moved out */
			}
		check_sender(snd, keys, nkeys, NULL);

		handle_t out[KBUS_MAX_HANDLES];
		int oerr = kbus_transfer_out(&msg, transit, rcv, out);
		FUZZ_CHECK(oerr == (nh > rcv_slots ? ERR_NO_RESOURCES : 0));
		if (oerr) {
			FUZZ_CHECK(cspace_count(rcv) == 0 && cspace_count(transit) == nh);
		} else {
			FUZZ_CHECK(cspace_count(rcv) == nh && cspace_count(transit) == 0);
			msg.nhandles = 0; /* delivered: the receiver holds them */
		}
		/* What arrived (or sits in transit) is what was sent, in order. */
		uint32_t i = 0;
		for (; i < nh; i++) {
			struct cap_ref ref;
			struct cspace *where = oerr ? transit : rcv;
			FUZZ_CHECK(cap_lookup(where, oerr ? th[i] : out[i], OBJ_NONE, 0, &ref) ==
			           0);
			/* the sender's model entry (before the move) names the same object and rights */
			const struct key *k = NULL;
			for (unsigned j = 0; j < nkeys; j++)
				if (keys[j].h == hs[i])
					k = &keys[j];
			FUZZ_CHECK(k && ref.obj == objs[k->obj] && ref.rights == k->rights);
			cap_ref_put(&ref);
		}
	}
	msg_free(&msg, transit);

	for (unsigned e = 0; e < NEP; e++) {
		FUZZ_CHECK(ep_of(NTEST + e)->loaded == loaded[e]);
		FUZZ_CHECK(ep_of(NTEST + e)->inflight == inflight[e]);
	}
	cspace_destroy(rcv);
	cspace_destroy(snd);
	cspace_destroy(transit);
	for (unsigned o = 0; o < NOBJ; o++)
		FUZZ_CHECK(objs[o]->refcount == 1);
	FUZZ_CHECK(kmalloc_bytes_in_use() == heap0);
	FUZZ_CHECK(warnings == 0); /* a move undone always finds its place again */
	return 0;
}
