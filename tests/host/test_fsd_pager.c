/*
 * test_fsd_pager.c - fsd's pager (user/fsd/pager.c) over the ext2 engine on an
 * image made by mke2fs, with the kernel's paged memory objects played by a fake
 * here (abi/syscall.h's rules: a page, once present, stays; MEM_SUPPLY_ABSENT
 * writes absent pages only, MEM_SUPPLY_PRESENT present ones only).
 *
 * A "touch" reads a byte of an object as a mapping would: a present page at once,
 * an absent one by queueing the kernel's request and letting the pager serve it;
 * a nonzero answer, or an answer without the page, is a fault. Checked: a mapping
 * reads the file with its last page's tail zero, read-ahead, faults past the end,
 * writes and truncates seen by supplied pages and by the content size reads are
 * served within, growth and eviction retiring an object whole, rights, pages from
 * the pager's own pool.
 */
#include "ext2_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <charlotte/kbus.h>
#include <charlotte/syscall.h>

#include "pager.h"

#define PAGE 4096u
#define EP_SEND 100
#define EP_RECV 101
#define MAX_OBJ 64
#define MAX_HANDLES 256

/* --- the fake kernel --- */

#define POOL_SPLIT 2 /* the pager's own pool */

struct fobj {
	uint64_t size, key, content;
	uint8_t *data;
	bool *present;
	unsigned refs;
};
static struct fobj fobjs[MAX_OBJ];
static struct {
	struct fobj *o;
	uint64_t rights;
} handles[MAX_HANDLES]; /* handle i + 1000 */
static struct mem_page_request queued;
static bool pending;
static int32_t answer_status;
static unsigned supplies;

static handle_t new_handle(struct fobj *o, uint64_t rights)
{
	for (unsigned i = 0; i < MAX_HANDLES; i++)
		if (!handles[i].o) {
			handles[i].o = o;
			handles[i].rights = rights;
			o->refs++;
			return (handle_t)(1000 + i);
		}
	fail_msg("out of handles");
	return HANDLE_INVALID;
}

static struct fobj *obj_of(handle_t h, uint64_t *rights)
{
	if (h < 1000 || h >= 1000 + MAX_HANDLES || !handles[h - 1000].o)
		return NULL;
	*rights = handles[h - 1000].rights;
	return handles[h - 1000].o;
}

long ch_channel_create(handle_t pool, uint32_t depth, handle_t out[2])
{
	(void)pool, (void)depth;
	out[0] = EP_SEND;
	out[1] = EP_RECV;
	return 0;
}

long ch_mem_create_paged(handle_t pool, uint64_t size, handle_t pager, uint64_t key, handle_t *out)
{
	assert_int_equal(pager, EP_SEND);
	for (unsigned i = 0; i < MAX_OBJ; i++) {
		struct fobj *o = &fobjs[i];
		if (o->refs)
			continue;
		free(o->data);
		free(o->present);
		*o = (struct fobj){.size = size, .key = key, .content = MEM_CONTENT_NONE};
		assert_int_equal(pool, POOL_SPLIT); /* pages come from the pager's own pool */
		o->data = calloc(1, size);
		o->present = calloc(size / PAGE, sizeof(bool));
		*out = new_handle(o, RIGHTS_GENERIC | RIGHT_READ | RIGHT_WRITE | RIGHT_MAP |
		                         RIGHT_MANAGE);
		return 0;
	}
	return ERR_NO_MEMORY;
}

/* mem's object if mem has RIGHT_MANAGE (the pager's calls), else NULL with *err. */
static struct fobj *managed(handle_t mem, long *err)
{
	uint64_t rights;
	struct fobj *o = obj_of(mem, &rights);
	*err = !o ? ERR_BAD_HANDLE : !(rights & RIGHT_MANAGE) ? ERR_ACCESS_DENIED : 0;
	return *err ? NULL : o;
}

long ch_mem_supply(handle_t mem, uint64_t offset, uint64_t len, const void *src, unsigned flags)
{
	long err;
	struct fobj *o = managed(mem, &err);
	if (!o)
		return err;
	if (offset % PAGE || len % PAGE || !len || !flags ||
	    (flags & ~(MEM_SUPPLY_ABSENT | MEM_SUPPLY_PRESENT)))
		return ERR_INVALID_ARGS;
	if (offset > o->size || len > o->size - offset)
		return ERR_OUT_OF_RANGE;
	long n = 0;
	for (uint64_t p = offset / PAGE; p < (offset + len) / PAGE; p++) {
		unsigned want = o->present[p] ? MEM_SUPPLY_PRESENT : MEM_SUPPLY_ABSENT;
		if (!(flags & want))
			continue;
		memcpy(o->data + p * PAGE, (const uint8_t *)src + (p * PAGE - offset), PAGE);
		o->present[p] = true;
		n++;
	}
	supplies++;
	return n;
}

long ch_pool_split(handle_t pool, uint64_t bytes, handle_t *out)
{
	assert_int_equal(pool, 1);
	assert_true(bytes >= PAGER_MAP_MAX);
	*out = POOL_SPLIT;
	return 0;
}

long ch_mem_set_content(handle_t mem, uint64_t bytes)
{
	long err;
	struct fobj *o = managed(mem, &err);
	if (!o)
		return err;
	if (bytes != MEM_CONTENT_NONE && bytes > o->size)
		return ERR_OUT_OF_RANGE;
	o->content = bytes;
	return 0;
}

/* What h's object says of its file's bytes (SYS_MEM_SET_CONTENT). */
static uint64_t content_of(handle_t h)
{
	uint64_t rights;
	return obj_of(h, &rights)->content;
}

long ch_cap_derive(handle_t h, uint64_t rights, uint64_t badge, handle_t *out)
{
	(void)badge;
	uint64_t have;
	struct fobj *o = obj_of(h, &have);
	if (!o)
		return ERR_BAD_HANDLE;
	if (rights & ~have)
		return ERR_ACCESS_DENIED;
	*out = new_handle(o, rights);
	return 0;
}

long ch_cap_drop(handle_t h)
{
	if (h == EP_SEND || h == EP_RECV || h == POOL_SPLIT)
		return 0;
	uint64_t rights;
	struct fobj *o = obj_of(h, &rights);
	if (!o)
		return ERR_BAD_HANDLE;
	o->refs--;
	handles[h - 1000].o = NULL;
	return 0;
}

long ch_kbus_recv(handle_t ep, struct kbus_buf *b, uint32_t flags, uint64_t timeout)
{
	(void)flags, (void)timeout;
	assert_int_equal(ep, EP_RECV);
	if (!pending)
		return ERR_SHOULD_WAIT;
	pending = false;
	memcpy(b->data, &queued, sizeof(queued));
	b->len = sizeof(queued);
	b->flags = KBUS_MSG_CALL;
	return 0;
}

long ch_kbus_reply(handle_t ep, const struct kbus_msg *m)
{
	assert_int_equal(ep, EP_RECV);
	assert_int_equal(m->len, sizeof(int32_t));
	memcpy(&answer_status, m->data, sizeof(int32_t));
	return 0;
}

/* The byte at off of h's object as a mapping reads it; -1: the toucher faults. */
static int touch(handle_t h, uint64_t off)
{
	uint64_t rights;
	struct fobj *o = obj_of(h, &rights);
	assert_non_null(o);
	assert_true(off < o->size);
	uint64_t p = off / PAGE;
	if (!o->present[p]) {
		queued =
		    (struct mem_page_request){.key = o->key, .offset = p * PAGE, .length = PAGE};
		pending = true;
		answer_status = 12345;
		pager_serve();
		assert_false(pending);
		if (answer_status != 0 || !o->present[p])
			return -1;
	}
	return o->data[off];
}

static unsigned present_pages(handle_t h)
{
	uint64_t rights;
	struct fobj *o = obj_of(h, &rights);
	unsigned n = 0;
	for (uint64_t p = 0; p < o->size / PAGE; p++)
		n += o->present[p];
	return n;
}

/* --- the tests --- */

static handle_t map(uint32_t ino, uint64_t *size)
{
	handle_t h;
	uint64_t s;
	assert_int_equal(pager_map(ino, RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT, &h, &s), 0);
	if (size)
		*size = s;
	return h;
}

static void start(void)
{
	make_small_image();
	assert_int_equal(mount_img("base.img", false), 0);
	handle_t ep;
	assert_int_equal(pager_init(fs, 1, &ep), 0);
	assert_int_equal(ep, EP_RECV);
}

static void stop(void)
{
	pager_fini();
	unmount_img();
	fsck_clean("base.img");
}

/* Every byte as the file holds it, zeros to the end of the last page; read-ahead;
 * past the end of the file a fault; mapped again: the same object, pages present. */
static void test_read(void **state)
{
	(void)state;
	start();
	const uint64_t len = (12 + 256 + 3) * 1024 + 7; /* ind/double, seed 6 */
	uint32_t ino = resolve("ind/double");
	uint64_t size;
	handle_t h = map(ino, &size);
	assert_int_equal(size, len);
	assert_int_equal(touch(h, 0), gen_byte(6, 0));
	assert_int_equal(present_pages(h), PAGER_READAHEAD / PAGE);
	uint64_t end = (len + PAGE - 1) / PAGE * PAGE;
	for (uint64_t i = 0; i < end; i++)
		assert_int_equal(touch(h, i), i < len ? gen_byte(6, i) : 0);
	assert_int_equal(touch(h, end), -1);
	assert_int_equal(present_pages(h), end / PAGE);
	handle_t again = map(ino, NULL);
	uint64_t r1, r2;
	assert_ptr_equal(obj_of(h, &r1), obj_of(again, &r2));
	assert_int_equal(r2, RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT);
	unsigned before = supplies;
	assert_int_equal(touch(again, len - 1), gen_byte(6, len - 1));
	assert_int_equal(supplies, before);
	assert_int_equal(pager_objects(), 1);
	ch_cap_drop(h);
	ch_cap_drop(again);
	stop();
}

/* A write reaches supplied pages (not absent ones); a shrink zeros them past the end;
 * growth past the object retires it, supplied whole first. */
static void test_coherent(void **state)
{
	(void)state;
	start();
	uint32_t ino = resolve("small/two"); /* 2,000 bytes, seed 4 */
	handle_t h = map(ino, NULL);
	assert_int_equal(content_of(h), 2000); /* what reads may take from the pages */
	assert_int_equal(touch(h, 1999), gen_byte(4, 1999));
	assert_int_equal(touch(h, 2000), 0);
	assert_int_equal(ext2_write(fs, ino, 1000, "HELLO", 5), 5);
	pager_written(ino, 1000, 5);
	assert_int_equal(touch(h, 1000), 'H');
	assert_int_equal(touch(h, 1004), 'O');
	static uint8_t more[9000];
	gen(9, 0, more, sizeof(more));
	assert_int_equal(ext2_write(fs, ino, 2000, more, sizeof(more)), sizeof(more));
	pager_written(ino, 2000, sizeof(more));
	assert_int_equal(content_of(h), 11000);
	assert_int_equal(touch(h, 2000), gen_byte(9, 0));
	assert_int_equal(touch(h, 10999), gen_byte(9, 8999));
	assert_int_equal(touch(h, 11000), 0);
	assert_int_equal(touch(h, 12288), -1); /* past the end of the file */
	assert_int_equal(ext2_truncate(fs, ino, 500), 0);
	pager_resized(ino);
	assert_int_equal(content_of(h), 500);
	assert_int_equal(touch(h, 499), gen_byte(4, 499));
	assert_int_equal(touch(h, 500), 0);
	assert_int_equal(touch(h, 1000), 0);
	assert_int_equal(touch(h, 10999), 0);
	uint64_t r, osize;
	osize = obj_of(h, &r)->size;
	assert_int_equal(ext2_truncate(fs, ino, osize + 1), 0);
	pager_resized(ino);
	assert_int_equal(pager_objects(), 0);
	assert_int_equal(content_of(h), MEM_CONTENT_NONE); /* reads ask for its successor */
	assert_int_equal(present_pages(h), osize / PAGE); /* supplied whole */
	assert_int_equal(obj_of(h, &r)->refs, 1); /* ours only: fsd let go */
	handle_t next = map(ino, NULL);
	assert_ptr_not_equal(obj_of(next, &r), obj_of(h, &r));
	assert_true(obj_of(next, &r)->size > osize + 1);
	ch_cap_drop(next);
	ch_cap_drop(h);
	stop();
}

/* More files than PAGER_OBJECTS: the least recently used is retired whole. */
static void test_evict(void **state)
{
	(void)state;
	start();
	uint32_t inos[PAGER_OBJECTS + 1];
	for (unsigned i = 0; i <= PAGER_OBJECTS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%u", i);
		inos[i] = mk("", name, 0x81a4);
		write_gen(inos[i], 40 + i, 0, 6000);
	}
	handle_t first = map(inos[0], NULL);
	for (unsigned i = 1; i < PAGER_OBJECTS; i++)
		ch_cap_drop(map(inos[i], NULL));
	assert_int_equal(present_pages(first), 0);
	assert_int_equal(pager_objects(), PAGER_OBJECTS);
	ch_cap_drop(map(inos[PAGER_OBJECTS], NULL));
	assert_int_equal(pager_objects(), PAGER_OBJECTS);
	assert_int_equal(present_pages(first), 2); /* retired: 6,000 bytes supplied */
	assert_int_equal(touch(first, 5999), gen_byte(40, 5999));
	assert_int_equal(touch(first, 8191), 0);
	ch_cap_drop(first);
	stop();
}

/* An unlinked file's object is retired when a hold goes; what fsd hands out. */
static void test_unlinked_and_rights(void **state)
{
	(void)state;
	start();
	uint32_t ino = resolve("small/odd"), dir = resolve("small");
	handle_t h, big;
	uint64_t s;
	assert_int_equal(pager_map(ino, RIGHT_READ | RIGHT_MAP | RIGHT_WRITE, &h, &s),
	                 ERR_NOT_SUPPORTED);
	assert_int_equal(pager_map(ino, RIGHT_READ | RIGHT_MANAGE, &h, &s), ERR_ACCESS_DENIED);
	assert_int_equal(pager_map(dir, RIGHT_READ, &h, &s), ERR_WRONG_TYPE);
	uint32_t b = mk("", "big", 0x81a4);
	assert_int_equal(ext2_truncate(fs, b, PAGER_MAP_MAX + 1), 0);
	assert_int_equal(pager_map(b, RIGHT_READ, &big, &s), ERR_OUT_OF_RANGE);
	h = map(ino, NULL);
	assert_int_equal(ch_mem_supply(h, 0, PAGE, "x", MEM_SUPPLY_PRESENT), ERR_ACCESS_DENIED);
	assert_int_equal(ext2_hold(fs, ino), 0);
	assert_int_equal(ext2_unlink(fs, dir, "odd", 3), 0);
	pager_releasing(ino);
	assert_int_equal(pager_objects(), 0);
	assert_int_equal(touch(h, 999), gen_byte(3, 999));
	ext2_release(fs, ino);
	ch_cap_drop(h);
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_coherent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_evict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unlinked_and_rights, setup, teardown),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	for (unsigned i = 0; i < MAX_OBJ; i++) {
		free(fobjs[i].data);
		free(fobjs[i].present);
	}
	return r;
}
