/*
 * dindex.c - in-memory indexes of large directories: a hash table from an
 * entry's name to where the entry is (its logical block and offset), and per
 * block the largest entry that still fits, so that a lookup reads one block
 * and a create finds its room without walking the directory.
 *
 * The disk keeps plain ext2 (dir.c): an index is memory only, built by dir.c
 * from one walk of a directory that a linear lookup found large (at least
 * EXT2_DINDEX_MIN_ENTRIES entries visited), and kept exact by dir.c's every
 * change of that directory (add, remove; a retarget moves no entry). Live
 * entries never move inside a directory (adding shrinks an entry or fills a
 * free one, removing merges an entry into the one before it), so a location
 * stays valid until its entry is removed.
 *
 * Memory is bounded: at most EXT2_DINDEX_DIRS indexes and EXT2_DINDEX_BYTES
 * between them; the least recently used index is dropped to make room for
 * another (and rebuilt when its directory is next searched linearly), and an
 * index that cannot get memory is dropped. A directory's index is dropped when
 * its inode is freed, when a change of it fails halfway, when its size is not
 * what the index covers, and at unmount.
 *
 * The table is open addressing with linear probing; a removal shifts the
 * following slots back (no tombstones). The hash is FNV-1a: names come from
 * the disk's users, and a crafted set of colliding names costs time (probe
 * length), never correctness.
 */
#include "fs.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

uint32_t ext2_dname_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static size_t dx_bytes(uint32_t cap, uint32_t room_cap)
{
	return sizeof(struct ext2_dindex) + (size_t)cap * sizeof(struct ext2_dslot) +
	       (size_t)room_cap * sizeof(uint16_t);
}

static void dx_free(struct ext2_fs *fs, uint32_t i)
{
	struct ext2_dindex *dx = fs->dix[i];
	fs->dix_bytes -= dx_bytes(dx->cap, dx->room_cap);
	free(dx->slots);
	free(dx->room);
	free(dx);
	fs->dix[i] = fs->dix[--fs->ndix];
}

struct ext2_dindex *ext2_dindex_get(struct ext2_fs *fs, uint32_t dir)
{
	for (uint32_t i = 0; i < fs->ndix; i++) {
		if (fs->dix[i]->dir == dir) {
			fs->dix[i]->stamp = ++fs->dix_clock;
			return fs->dix[i];
		}
	}
	return NULL;
}

void ext2_dindex_drop(struct ext2_fs *fs, uint32_t dir)
{
	for (uint32_t i = 0; i < fs->ndix; i++) {
		if (fs->dix[i]->dir == dir) {
			dx_free(fs, i);
			return;
		}
	}
}

void ext2_dindex_drop_all(struct ext2_fs *fs)
{
	while (fs->ndix)
		dx_free(fs, fs->ndix - 1);
}

/* Drop the least recently used index but keep. False if there is none. */
static bool drop_lru(struct ext2_fs *fs, const struct ext2_dindex *keep)
{
	uint32_t lru = UINT32_MAX;
	for (uint32_t i = 0; i < fs->ndix; i++)
		if (fs->dix[i] != keep &&
		    (lru == UINT32_MAX || fs->dix[i]->stamp < fs->dix[lru]->stamp))
			lru = i;
	if (lru == UINT32_MAX)
		return false;
	dx_free(fs, lru);
	return true;
}

/* Drop least recently used indexes (never keep) until bytes more fit. False if they cannot. */
static bool make_room(struct ext2_fs *fs, size_t bytes, const struct ext2_dindex *keep)
{
	if (bytes > EXT2_DINDEX_BYTES)
		return false;
	while (fs->dix_bytes + bytes > EXT2_DINDEX_BYTES)
		if (!drop_lru(fs, keep))
			return false;
	return true;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 16;
	while (p < n)
		p <<= 1;
	return p;
}

struct ext2_dindex *ext2_dindex_new(struct ext2_fs *fs, uint32_t dir, uint32_t blocks,
                                    uint32_t entries)
{
	ext2_dindex_drop(fs, dir);
	uint32_t cap = pow2_at_least(entries * 2 + 2);
	uint32_t room_cap = blocks + 8;
	size_t bytes = dx_bytes(cap, room_cap);
	if (fs->ndix == EXT2_DINDEX_DIRS)
		drop_lru(fs, NULL);
	if (!make_room(fs, bytes, NULL))
		return NULL;
	struct ext2_dindex *dx = calloc(1, sizeof(*dx));
	struct ext2_dslot *slots = malloc((size_t)cap * sizeof(*slots));
	uint16_t *room = calloc(room_cap, sizeof(*room));
	if (!dx || !slots || !room) {
		free(dx);
		free(slots);
		free(room);
		return NULL;
	}
	memset(slots, 0xff, (size_t)cap * sizeof(*slots));
	*dx = (struct ext2_dindex){.dir = dir,
	                           .blocks = blocks,
	                           .cap = cap,
	                           .room_cap = room_cap,
	                           .slots = slots,
	                           .room = room,
	                           .stamp = ++fs->dix_clock};
	fs->dix[fs->ndix++] = dx;
	fs->dix_bytes += bytes;
	return dx;
}

static void put_slot(struct ext2_dindex *dx, uint32_t hash, uint32_t loc)
{
	uint32_t mask = dx->cap - 1;
	uint32_t i = hash & mask;
	while (dx->slots[i].loc != EMPTY)
		i = (i + 1) & mask;
	dx->slots[i] = (struct ext2_dslot){.hash = hash, .loc = loc};
	dx->live++;
}

int ext2_dindex_insert(struct ext2_fs *fs, struct ext2_dindex *dx, uint32_t hash, uint32_t loc)
{
	if ((dx->live + 1) * 2 > dx->cap) {
		uint32_t cap = dx->cap * 2;
		size_t more = (size_t)dx->cap * sizeof(struct ext2_dslot);
		if (!make_room(fs, more, dx))
			return -1;
		struct ext2_dslot *slots = malloc((size_t)cap * sizeof(*slots));
		if (!slots)
			return -1;
		memset(slots, 0xff, (size_t)cap * sizeof(*slots));
		struct ext2_dslot *old = dx->slots;
		uint32_t oldcap = dx->cap;
		dx->slots = slots;
		dx->cap = cap;
		dx->live = 0;
		for (uint32_t i = 0; i < oldcap; i++)
			if (old[i].loc != EMPTY)
				put_slot(dx, old[i].hash, old[i].loc);
		free(old);
		fs->dix_bytes += more;
	}
	put_slot(dx, hash, loc);
	return 0;
}

bool ext2_dindex_erase(struct ext2_dindex *dx, uint32_t hash, uint32_t loc)
{
	uint32_t mask = dx->cap - 1;
	uint32_t i = hash & mask;
	while (dx->slots[i].loc != loc) {
		if (dx->slots[i].loc == EMPTY)
			return false;
		i = (i + 1) & mask;
	}
	/* shift back every following slot that would no longer be found past the hole */
	uint32_t hole = i;
	for (uint32_t j = (i + 1) & mask; dx->slots[j].loc != EMPTY; j = (j + 1) & mask) {
		uint32_t home = dx->slots[j].hash & mask;
		/* j may move into the hole unless its home lies cyclically in (hole, j] */
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (!stays) {
			dx->slots[hole] = dx->slots[j];
			hole = j;
		}
	}
	dx->slots[hole].loc = EMPTY;
	dx->live--;
	return true;
}

uint32_t ext2_dindex_next(const struct ext2_dindex *dx, uint32_t hash, uint32_t *pos)
{
	uint32_t mask = dx->cap - 1;
	for (uint32_t i = *pos == EMPTY ? hash & mask : (*pos + 1) & mask;
	     dx->slots[i].loc != EMPTY; i = (i + 1) & mask) {
		if (dx->slots[i].hash == hash) {
			*pos = i;
			return dx->slots[i].loc;
		}
	}
	return EMPTY;
}

int ext2_dindex_set_room(struct ext2_fs *fs, struct ext2_dindex *dx, uint32_t lbn, uint32_t room)
{
	if (lbn >= dx->room_cap) {
		uint32_t cap = lbn + lbn / 2 + 8;
		size_t more = (size_t)(cap - dx->room_cap) * sizeof(uint16_t);
		if (!make_room(fs, more, dx))
			return -1;
		uint16_t *r = realloc(dx->room, (size_t)cap * sizeof(*r));
		if (!r)
			return -1;
		memset(r + dx->room_cap, 0, (size_t)(cap - dx->room_cap) * sizeof(*r));
		dx->room = r;
		dx->room_cap = cap;
		fs->dix_bytes += more;
	}
	dx->room[lbn] = (uint16_t)room;
	if (lbn >= dx->blocks)
		dx->blocks = lbn + 1;
	return 0;
}

uint32_t ext2_dindex_find_room(const struct ext2_dindex *dx, uint32_t need)
{
	for (uint32_t lbn = 0; lbn < dx->blocks; lbn++)
		if (dx->room[lbn] >= need)
			return lbn;
	return dx->blocks;
}
