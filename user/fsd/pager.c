/*
 * pager.c - fsd as the pager of its files' paged memory objects (pager.h,
 * docs/fsd.md "Mapped files").
 *
 * Each kept object records the inode it shows, a key never used before (so a
 * request for an object fsd retired is told apart from one for its successor),
 * its size (the file's rounded up to PAGER_GRAIN, plus PAGER_GRAIN for appends)
 * and a bitmap of the pages fsd supplied: those are the ones a write or a
 * truncate must rewrite, as the kernel never drops a present page while the
 * object lives. fsd's handle has RIGHT_MANAGE; what it hands out never does.
 *
 * Retiring: a file that grows past its object's size, or the least recently
 * used object when the table is full, is retired: fsd first supplies every page
 * of it within the end of the file that is still absent (so a mapping that
 * outlives the retirement never touches a page nobody can supply), then drops
 * its handle. Mappers keep theirs, and the object with them: they see the file
 * as it was at the retirement (later writes reach only new objects).
 */
#include "pager.h"

#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <charlotte/kbus.h>
#include <charlotte/syscall.h>

#define PAGE 4096u
#define PAGER_GRAIN (64u << 10) /* objects are sized in steps of this, plus one */
#define PAGER_POOL (4u << 20) /* PAGER_MAP_MAX: one file mapped whole always fits */
#define PAGER_GIVE \
	(RIGHT_READ | RIGHT_EXEC | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE)

struct pobj {
	handle_t mem; /* fsd's, with RIGHT_MANAGE; HANDLE_INVALID: a free slot */
	uint32_t ino, generation; /* the file: a reused inode number has a new generation */
	uint64_t key; /* what requests carry */
	uint64_t size; /* the object's bytes */
	uint64_t file_size; /* the file's, as fsd last saw it */
	uint64_t used; /* when last mapped or supplied (a counter) */
	uint8_t *supplied; /* a bit a page */
};

static struct ext2_fs *fs;
static bool own_pool; /* pool is the pager's own, split off fsd's */
static handle_t pool, recv_ep = HANDLE_INVALID, send_ep = HANDLE_INVALID;
static struct pobj objs[PAGER_OBJECTS];
static uint64_t next_key = 1, clock_ticks;
static uint8_t buf[PAGER_READAHEAD] __attribute__((aligned(4096)));

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

static bool bit(const struct pobj *o, uint64_t page)
{
	return o->supplied[page / 8] & (1u << (page % 8));
}

long pager_init(struct ext2_fs *f, handle_t p, handle_t *ep)
{
	handle_t ends[2];
	long r = ch_channel_create(p, 0, ends);
	if (r < 0)
		return r;
	fs = f;
	/* the pages fsd supplies come from a pool of their own: readers and mappers can
	 * use it up, never fsd's memory for its own work (then reads are copied) */
	own_pool = ch_pool_split(p, PAGER_POOL, &pool) >= 0;
	if (!own_pool)
		pool = p;
	send_ep = ends[0]; /* the kernel calls here (objects name it as their pager) */
	recv_ep = ends[1];
	for (unsigned i = 0; i < PAGER_OBJECTS; i++)
		objs[i].mem = HANDLE_INVALID;
	*ep = recv_ep;
	return 0;
}

static struct pobj *by_key(uint64_t key)
{
	for (unsigned i = 0; i < PAGER_OBJECTS; i++)
		if (objs[i].mem != HANDLE_INVALID && objs[i].key == key)
			return &objs[i];
	return NULL;
}

/* ino's object, its stat in *st; NULL when it has none (or the inode is gone). The
 * inode is read only when an object names it: every write and release asks. */
static struct pobj *by_ino(uint32_t ino, struct ext2_stat *st)
{
	bool named = false;
	for (unsigned i = 0; i < PAGER_OBJECTS; i++)
		named |= objs[i].mem != HANDLE_INVALID && objs[i].ino == ino;
	if (!named || !fs || ext2_stat(fs, ino, st) < 0)
		return NULL;
	for (unsigned i = 0; i < PAGER_OBJECTS; i++)
		if (objs[i].mem != HANDLE_INVALID && objs[i].ino == ino &&
		    objs[i].generation == st->generation)
			return &objs[i];
	return NULL;
}

/* The file's bytes [off, off + n) into buf, zeros past its end (n <= PAGER_READAHEAD). */
static long fill(const struct pobj *o, uint64_t off, uint64_t n)
{
	int64_t got = 0;
	if (off < o->file_size) {
		got = ext2_read(fs, o->ino, off, buf, n);
		if (got < 0)
			return (long)got;
	}
	memset(buf + got, 0, n - (uint64_t)got);
	return 0;
}

/* Write pages [first, first + count) of o from the file with flags; marks them supplied. */
static long supply(struct pobj *o, uint64_t first, uint64_t count, unsigned flags)
{
	while (count > 0) {
		uint64_t n = count * PAGE < PAGER_READAHEAD ? count * PAGE : PAGER_READAHEAD;
		long r = fill(o, first * PAGE, n);
		if (r < 0 || (r = ch_mem_supply(o->mem, first * PAGE, n, buf, flags)) < 0)
			return r;
		for (uint64_t p = first; p < first + n / PAGE; p++)
			o->supplied[p / 8] |= (uint8_t)(1u << (p % 8));
		first += n / PAGE;
		count -= n / PAGE;
	}
	return 0;
}

/* Supply every page within the end of the file not supplied yet, then drop fsd's handle. */
static void retire(struct pobj *o)
{
	ch_mem_set_content(o->mem, MEM_CONTENT_NONE); /* reads ask for its successor */
	uint64_t end = round_up(o->file_size < o->size ? o->file_size : o->size, PAGE) / PAGE;
	for (uint64_t p = 0; p < end;) {
		uint64_t q = p;
		while (q < end && !bit(o, q) && q - p < PAGER_READAHEAD / PAGE)
			q++;
		if (q > p)
			supply(o, p, q - p,
			       MEM_SUPPLY_ABSENT); /* best effort: a failure faults later */
		p = q > p ? q : p + 1;
	}
	ch_cap_drop(o->mem);
	free(o->supplied);
	*o = (struct pobj){.mem = HANDLE_INVALID};
}

/* A slot for a new object: a free one, else the least recently used, retired. */
static struct pobj *slot(void)
{
	struct pobj *lru = &objs[0];
	for (unsigned i = 0; i < PAGER_OBJECTS; i++) {
		if (objs[i].mem == HANDLE_INVALID)
			return &objs[i];
		if (objs[i].used < lru->used)
			lru = &objs[i];
	}
	retire(lru);
	return lru;
}

static long object_for(uint32_t ino, struct pobj **out)
{
	struct ext2_stat st;
	struct pobj *o = by_ino(ino, &st);
	if (o) {
		*out = o;
		return 0;
	}
	int e = ext2_stat(fs, ino, &st);
	if (e < 0)
		return e;
	uint64_t file_size = st.size;
	o = slot();
	uint64_t size = round_up(file_size, PAGER_GRAIN) + PAGER_GRAIN;
	uint8_t *bits = calloc(1, size / PAGE / 8 + 1);
	if (!bits)
		return ERR_NO_MEMORY;
	handle_t mem;
	long r = ch_mem_create_paged(pool, size, send_ep, next_key, &mem);
	if (r < 0) {
		free(bits);
		return r;
	}
	ch_mem_set_content(mem, file_size); /* reads of the file come from its pages */
	*o = (struct pobj){.mem = mem,
	                   .ino = ino,
	                   .generation = st.generation,
	                   .key = next_key++,
	                   .size = size,
	                   .file_size = file_size,
	                   .supplied = bits};
	*out = o;
	return 0;
}

long pager_map(uint32_t ino, uint64_t rights, handle_t *out, uint64_t *size)
{
	if (rights & RIGHT_WRITE)
		return ERR_NOT_SUPPORTED; /* shared writable maps: nothing would write them back */
	if (rights & ~PAGER_GIVE)
		return ERR_ACCESS_DENIED;
	struct ext2_stat st;
	int e = ext2_stat(fs, ino, &st);
	if (e < 0)
		return e;
	if ((st.mode & EXT2_S_IFMT) != EXT2_S_IFREG)
		return ERR_WRONG_TYPE;
	if (st.size > PAGER_MAP_MAX)
		return ERR_OUT_OF_RANGE;
	struct pobj *o;
	long r = object_for(ino, &o);
	if (r < 0)
		return r;
	o->used = ++clock_ticks;
	*size = st.size;
	return ch_cap_derive(o->mem, rights, 0, out);
}

/* One request: supply from its page on (read-ahead), within the file; 0 or why not. */
static int32_t answer(const struct mem_page_request *q)
{
	struct pobj *o = by_key(q->key);
	if (!o)
		return ERR_NOT_FOUND; /* retired: every page within the file was supplied */
	uint64_t end = round_up(o->file_size, PAGE);
	if (end > o->size)
		end = o->size;
	if (q->offset % PAGE || q->offset >= end)
		return ERR_OUT_OF_RANGE; /* beyond the end of the file: the fault stands */
	o->used = ++clock_ticks;
	uint64_t first = q->offset / PAGE, count = (end - q->offset) / PAGE;
	if (count > PAGER_READAHEAD / PAGE)
		count = PAGER_READAHEAD / PAGE;
	return (int32_t)supply(o, first, count, MEM_SUPPLY_ABSENT);
}

void pager_serve(void)
{
	for (;;) {
		struct mem_page_request q = {0};
		struct kbus_buf b = {.data = &q, .capacity = sizeof(q)};
		long r = ch_kbus_recv(recv_ep, &b, KBUS_NONBLOCK, 0);
		if (r < 0)
			return; /* ERR_SHOULD_WAIT: all answered */
		int32_t status = b.len == sizeof(q) ? answer(&q) : ERR_MALFORMED;
		if (b.flags & KBUS_MSG_CALL) {
			struct kbus_msg m = {.data = &status, .len = sizeof(status)};
			ch_kbus_reply(recv_ep, &m);
		}
	}
}

/* Rewrite o's supplied pages in [first, end) from the file (MEM_SUPPLY_PRESENT). */
static void refresh(struct pobj *o, uint64_t first, uint64_t end)
{
	if (end > o->size / PAGE)
		end = o->size / PAGE;
	for (uint64_t p = first; p < end;) {
		if (!bit(o, p)) {
			p++;
			continue;
		}
		uint64_t q = p;
		while (q < end && bit(o, q) && q - p < PAGER_READAHEAD / PAGE)
			q++;
		supply(o, p, q - p, MEM_SUPPLY_PRESENT);
		p = q;
	}
}

void pager_written(uint32_t ino, uint64_t off, uint64_t len)
{
	struct ext2_stat st;
	struct pobj *o = by_ino(ino, &st);
	if (!o || len == 0)
		return;
	if (st.size > o->file_size)
		o->file_size = st.size;
	refresh(o, off / PAGE, round_up(off + len, PAGE) / PAGE);
	if (o->file_size > o->size)
		retire(o); /* grown past it: it keeps what it shows, new maps get a new one */
	else /* after its pages: a reader never sees the new size before the bytes */
		ch_mem_set_content(o->mem, o->file_size);
}

void pager_resized(uint32_t ino)
{
	struct ext2_stat st;
	struct pobj *o = by_ino(ino, &st);
	if (!o || st.size == o->file_size)
		return;
	uint64_t from = (st.size < o->file_size ? st.size : o->file_size) / PAGE;
	bool shrunk = st.size < o->file_size;
	o->file_size = st.size;
	if (st.size > o->size) {
		retire(o);
		return;
	}
	if (shrunk) /* before the pages: no reader sees zeros inside the file */
		ch_mem_set_content(o->mem, st.size);
	refresh(o, from, o->size / PAGE); /* zeros past the new end */
	if (!shrunk)
		ch_mem_set_content(o->mem, st.size);
}

void pager_releasing(uint32_t ino)
{
	struct ext2_stat st;
	struct pobj *o = by_ino(ino, &st);
	if (o && st.links == 0)
		retire(o); /* perhaps its last hold: supplied whole while it can still be read */
}

void pager_fini(void)
{
	for (unsigned i = 0; i < PAGER_OBJECTS; i++) {
		if (objs[i].mem == HANDLE_INVALID)
			continue;
		ch_cap_drop(objs[i].mem);
		free(objs[i].supplied);
		objs[i] = (struct pobj){.mem = HANDLE_INVALID};
	}
	if (recv_ep != HANDLE_INVALID) {
		ch_cap_drop(recv_ep);
		ch_cap_drop(send_ep);
		if (own_pool)
			ch_cap_drop(pool);
		own_pool = false;
	}
	recv_ep = send_ep = HANDLE_INVALID;
	fs = NULL;
}

unsigned pager_objects(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < PAGER_OBJECTS; i++)
		n += objs[i].mem != HANDLE_INVALID;
	return n;
}
