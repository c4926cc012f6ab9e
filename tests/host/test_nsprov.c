/*
 * test_nsprov.c - host tests for the provider framework (user/lib/charlotte/nsprov.c)
 * serving the tmpfs tree (user/tmpfs/ops.c).
 *
 * Requests are built as the kernel will build them and handed to
 * ns_provider_handle(); replies are checked field by field. Then malformed
 * requests (short, lengths that do not add up, unknown operations) and a
 * random-bytes fuzz: every reply is a well-formed header whose length fits.
 * Requests are exact-length heap buffers, so ASan catches any over-read.
 */
#include <charlotte/nsprov.h>
#include "ops.h"
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static unsigned char rep[NS_MSG_MAX];

/* Send op with s1/s2 to the provider; returns the reply header (in rep). */
static struct ns_rep *call(struct tfs *fs, uint32_t op, uint32_t flags, uint64_t node, uint64_t arg,
                           uint64_t arg2, const char *s1, size_t l1, const char *s2, size_t l2,
                           size_t *rep_len)
{
	size_t n = sizeof(struct ns_req) + l1 + l2;
	unsigned char *req = malloc(n);
	struct ns_req q = {.op = op,
	                   .flags = flags,
	                   .node = node,
	                   .rights = 0,
	                   .arg = arg,
	                   .arg2 = arg2,
	                   .len1 = (uint32_t)l1,
	                   .len2 = (uint32_t)l2};
	memcpy(req, &q, sizeof(q));
	if (l1)
		memcpy(req + sizeof(q), s1, l1);
	if (l2)
		memcpy(req + sizeof(q) + l1, s2, l2);
	memset(rep, 0xee, sizeof(struct ns_rep));
	size_t len = ns_provider_handle(&tmpfs_ops, fs, req, n, rep, sizeof(rep));
	free(req);
	if (rep_len)
		*rep_len = len;
	else
		assert_true(len >= sizeof(struct ns_rep));
	return (struct ns_rep *)rep;
}

#define S(s) s, strlen(s)

static void test_operations(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, NULL), 0);
	struct ns_rep *r;
	r = call(&fs, NS_OP_CREATE, 0, fs.root, NS_TYPE_DIR, 0, S("home"), NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->type, NS_TYPE_DIR);
	uint64_t home = r->node;
	r = call(&fs, NS_OP_CREATE, NS_OPEN_EXCLUSIVE, home, NS_TYPE_FILE, 0, S("f"), NULL, 0,
	         NULL);
	assert_int_equal(r->status, 0);
	uint64_t f = r->node;
	r = call(&fs, NS_OP_CREATE, NS_OPEN_EXCLUSIVE, home, NS_TYPE_FILE, 0, S("f"), NULL, 0,
	         NULL);
	assert_int_equal(r->status, ERR_ALREADY_EXISTS);
	r = call(&fs, NS_OP_CREATE, 0, home, NS_TYPE_LINK, 0, S("x"), NULL, 0, NULL);
	assert_int_equal(r->status, ERR_INVALID_ARGS);
	/* write, read back, stat */
	r = call(&fs, NS_OP_WRITE, 0, f, 10, 0, S("hello"), NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->arg, 5);
	assert_int_equal(r->len, 0);
	r = call(&fs, NS_OP_READ, 0, f, 8, 100, NULL, 0, NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->len, 7);
	assert_memory_equal((char *)(r + 1), "\0\0hello", 7);
	r = call(&fs, NS_OP_READ, 0, f, 0, 3, NULL, 0, NULL, 0, NULL); /* at most arg2 bytes */
	assert_int_equal(r->len, 3);
	r = call(&fs, NS_OP_STAT, 0, f, 0, 0, NULL, 0, NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->len, sizeof(struct ns_stat));
	struct ns_stat st;
	memcpy(&st, r + 1, sizeof(st));
	assert_int_equal(st.size, 15);
	assert_int_equal(st.type, NS_TYPE_FILE);
	/* walk: a node, then a link stop with its target */
	r = call(&fs, NS_OP_SYMLINK, 0, fs.root, 0, 0, S("l"), S("home/f"), NULL);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->type, NS_TYPE_LINK);
	r = call(&fs, NS_OP_WALK, 0, fs.root, 0, 0, S("home/f"), NULL, 0, NULL);
	assert_int_equal(r->status, NS_WALK_NODE);
	assert_int_equal(r->node, f);
	assert_int_equal(r->arg, 2);
	r = call(&fs, NS_OP_WALK, NS_WALK_FOLLOW, fs.root, 0, 0, S("l"), NULL, 0, NULL);
	assert_int_equal(r->status, NS_WALK_LINK);
	assert_int_equal(r->arg, 1);
	assert_int_equal(r->len, 6);
	assert_memory_equal((char *)(r + 1), "home/f", 6);
	r = call(&fs, NS_OP_READLINK, 0, r->node, 0, 0, NULL, 0, NULL, 0, NULL);
	/* a walk's node is held until RELEASE: unlinked, it still reads */
	r = call(&fs, NS_OP_UNLINK, 0, home, 0, 0, S("f"), NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	r = call(&fs, NS_OP_READ, 0, f, 10, 5, NULL, 0, NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->len, 5);
	size_t len;
	call(&fs, NS_OP_RELEASE, 0, f, 0, 0, NULL, 0, NULL, 0, &len);
	assert_int_equal(len, 0); /* no reply */
	call(&fs, NS_OP_RELEASE, 0, f, 0, 0, NULL, 0, NULL, 0, &len); /* it held twice */
	r = call(&fs, NS_OP_READ, 0, f, 0, 5, NULL, 0, NULL, 0, NULL);
	assert_int_equal(r->status, ERR_NOT_FOUND);
	/* list, rename, link, truncate */
	r = call(&fs, NS_OP_CREATE, 0, home, NS_TYPE_FILE, 0, S("g"), NULL, 0, NULL);
	uint64_t g = r->node;
	r = call(&fs, NS_OP_LINK, 0, home, 0, g, S("g2"), NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	r = call(&fs, NS_OP_RENAME, 0, home, 0, fs.root, S("g2"), S("top"), NULL);
	assert_int_equal(r->status, 0);
	r = call(&fs, NS_OP_LIST, 0, fs.root, 0, 4096, NULL, 0, NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	assert_true(r->len > 0);
	unsigned names = 0;
	for (uint32_t off = 0; off < r->len; names++)
		off += ((struct ns_dirent *)((char *)(r + 1) + off))->reclen;
	assert_int_equal(names, 3); /* home, l, top */
	r = call(&fs, NS_OP_LIST, 0, fs.root, r->arg, 4096, NULL, 0, NULL, 0, NULL);
	assert_int_equal(r->len, 0);
	r = call(&fs, NS_OP_TRUNCATE, 0, g, 100, 0, NULL, 0, NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	r = call(&fs, NS_OP_UNLINK, NS_UNLINK_DIR, fs.root, 0, 0, S("home"), NULL, 0, NULL);
	assert_int_equal(r->status, ERR_BAD_STATE);
	/* setattr: exactly one struct ns_setattr, checked before the provider sees it */
	struct ns_setattr sa = {.valid = NS_ATTR_MODE | NS_ATTR_UID, .mode = 0600, .uid = 7};
	r = call(&fs, NS_OP_SETATTR, 0, g, 0, 0, (const char *)&sa, sizeof(sa), NULL, 0, NULL);
	assert_int_equal(r->status, 0);
	assert_int_equal(r->len, 0);
	assert_int_equal(tfs_stat(&fs, g, &st), 0);
	assert_int_equal(st.mode, NS_MODE_KEPT | 0600);
	assert_int_equal(st.uid, 7);
	r = call(&fs, NS_OP_SETATTR, 0, g, 0, 0, (const char *)&sa, sizeof(sa) - 1, NULL, 0, NULL);
	assert_int_equal(r->status, ERR_MALFORMED);
	r = call(&fs, NS_OP_SETATTR, 0, g, 0, 0, (const char *)&sa, sizeof(sa), "x", 1, NULL);
	assert_int_equal(r->status, ERR_MALFORMED);
	sa.mode = 010000;
	r = call(&fs, NS_OP_SETATTR, 0, g, 0, 0, (const char *)&sa, sizeof(sa), NULL, 0, NULL);
	assert_int_equal(r->status, ERR_INVALID_ARGS);
	sa = (struct ns_setattr){.valid = NS_ATTR_MTIME | NS_ATTR_MTIME_NOW};
	r = call(&fs, NS_OP_SETATTR, 0, g, 0, 0, (const char *)&sa, sizeof(sa), NULL, 0, NULL);
	assert_int_equal(r->status, ERR_INVALID_ARGS);
	tfs_destroy(&fs);
}

static void test_malformed(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, NULL), 0);
	struct ns_req q = {.op = NS_OP_WALK, .node = fs.root, .len1 = 10};
	/* lengths that do not add up, a short request, unknown operations */
	size_t len = ns_provider_handle(&tmpfs_ops, &fs, &q, sizeof(q), rep, sizeof(rep));
	assert_int_equal(len, sizeof(struct ns_rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_MALFORMED);
	len = ns_provider_handle(&tmpfs_ops, &fs, &q, sizeof(q) - 1, rep, sizeof(rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_MALFORMED);
	q.len1 = 0xffffffffu;
	q.len2 = 0xffffffffu;
	len = ns_provider_handle(&tmpfs_ops, &fs, &q, sizeof(q), rep, sizeof(rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_MALFORMED);
	q.len1 = q.len2 = 0;
	q.op = 999;
	len = ns_provider_handle(&tmpfs_ops, &fs, &q, sizeof(q), rep, sizeof(rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_NOT_SUPPORTED);
	/* a provider without an operation answers ERR_NOT_SUPPORTED */
	struct ns_provider_ops none = {0};
	q.op = NS_OP_STAT;
	len = ns_provider_handle(&none, &fs, &q, sizeof(q), rep, sizeof(rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_NOT_SUPPORTED);
	struct {
		struct ns_req q;
		struct ns_setattr sa;
	} set = {{.op = NS_OP_SETATTR, .node = fs.root, .len1 = sizeof(struct ns_setattr)},
	         {.valid = NS_ATTR_MODE}};
	len = ns_provider_handle(&none, &fs, &set, sizeof(set), rep, sizeof(rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_NOT_SUPPORTED);
	/* random requests: any answer is a header whose length adds up */
	uint64_t x = 0x2545f4914f6cdd1dull;
	for (int round = 0; round < 50000; round++) {
		unsigned char buf[sizeof(struct ns_req) + 24];
		for (size_t i = 0; i < sizeof(buf); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[i] = (unsigned char)x;
		}
		struct ns_req *rq = (struct ns_req *)buf;
		rq->op = (uint32_t)(x % (NS_OP_COUNT + 1));
		rq->node = x % 8;
		size_t n = sizeof(struct ns_req) + (x >> 8) % 25;
		rq->len1 = (uint32_t)((x >> 16) % 25);
		rq->len2 = (uint32_t)(n - sizeof(struct ns_req) >= rq->len1
		                          ? n - sizeof(struct ns_req) - rq->len1
		                          : (x >> 24) % 25);
		rq->arg2 %= 70000;
		unsigned char *req = malloc(n);
		memcpy(req, buf, n);
		len = ns_provider_handle(&tmpfs_ops, &fs, req, n, rep, sizeof(rep));
		free(req);
		if (len == 0)
			continue; /* a release */
		struct ns_rep *r = (struct ns_rep *)rep;
		assert_int_equal(len, sizeof(*r) + r->len);
		assert_true(r->len <= NS_IO_MAX);
	}
	tfs_destroy(&fs);
}

/* Watches through the framework: the endpoint is kept, events reach the sink in order,
 * a watcher that is gone is dropped, a full one gets OVERFLOW. */
static struct ns_event sent[16];
static unsigned nsent, dropped;
static long fake_result;

static long fake_send(handle_t ep, const void *ev, size_t len)
{
	(void)ep;
	if (fake_result < 0)
		return fake_result;
	assert_true(len <= sizeof(struct ns_event) && nsent < 16);
	memset(&sent[nsent], 0, sizeof(sent[nsent]));
	memcpy(&sent[nsent++], ev, len);
	return 0;
}

static void fake_drop(handle_t ep)
{
	assert_int_equal(ep, 77);
	dropped++;
}

static void test_watch(void **state)
{
	(void)state;
	static const struct tmpfs_sink sink = {fake_send, fake_drop};
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, NULL), 0);
	struct ns_req q = {.op = NS_OP_WATCH, .node = fs.root, .arg = NS_EVENTS_ALL};
	handle_t caps[1] = {77};
	size_t len =
	    ns_provider_handle_caps(&tmpfs_ops, &fs, &q, sizeof(q), caps, 1, rep, sizeof(rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_NOT_SUPPORTED); /* no sink yet */
	assert_int_equal(caps[0], 77); /* not kept: the caller drops it */
	tmpfs_events_init(&sink);
	len = ns_provider_handle_caps(&tmpfs_ops, &fs, &q, sizeof(q), caps, 0, rep, sizeof(rep));
	assert_int_equal(((struct ns_rep *)rep)->status, ERR_INVALID_ARGS); /* no endpoint */
	len = ns_provider_handle_caps(&tmpfs_ops, &fs, &q, sizeof(q), caps, 1, rep, sizeof(rep));
	assert_int_equal(len, sizeof(struct ns_rep));
	assert_int_equal(((struct ns_rep *)rep)->status, 0);
	assert_int_equal(caps[0], HANDLE_INVALID); /* kept by the provider */
	struct ns_rep *r =
	    call(&fs, NS_OP_CREATE, 0, fs.root, NS_TYPE_FILE, 0, S("f"), NULL, 0, NULL);
	uint64_t f = r->node;
	call(&fs, NS_OP_WRITE, 0, f, 0, 0, S("x"), NULL, 0, NULL);
	call(&fs, NS_OP_UNLINK, 0, fs.root, 0, 0, S("f"), NULL, 0, NULL);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[0].kind, NS_EVENT_ADDED);
	assert_string_equal(sent[0].name, "f");
	assert_int_equal(sent[1].kind, NS_EVENT_CHANGED);
	assert_string_equal(sent[1].name, "f");
	assert_int_equal(sent[2].kind, NS_EVENT_REMOVED);
	/* a full queue loses events and owes an overflow; a closed one ends the watch */
	fake_result = ERR_SHOULD_WAIT;
	call(&fs, NS_OP_CREATE, 0, fs.root, NS_TYPE_FILE, 0, S("g"), NULL, 0, NULL);
	fake_result = 0;
	call(&fs, NS_OP_CREATE, 0, fs.root, NS_TYPE_FILE, 0, S("h"), NULL, 0, NULL);
	assert_int_equal(nsent, 5);
	assert_int_equal(sent[3].kind, NS_EVENT_OVERFLOW);
	assert_string_equal(sent[4].name, "h");
	fake_result = ERR_PEER_CLOSED;
	call(&fs, NS_OP_CREATE, 0, fs.root, NS_TYPE_FILE, 0, S("i"), NULL, 0, NULL);
	assert_int_equal(dropped, 1);
	fake_result = 0;
	call(&fs, NS_OP_CREATE, 0, fs.root, NS_TYPE_FILE, 0, S("j"), NULL, 0, NULL);
	assert_int_equal(nsent, 5); /* nobody watches any more */
	tmpfs_events_init(NULL);
	tfs_destroy(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_operations),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_watch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
