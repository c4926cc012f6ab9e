/*
 * cache.c - the block cache (cache.h): hash table by block number, an LRU list,
 * write-back of dirty buffers on eviction and at sync.
 *
 * Buffers are made on demand up to nbufs (or, when memory runs short first, up to
 * what was made: at least BCACHE_MIN); past that the least recently used unpinned
 * buffer is recycled (written first when dirty). The LRU list holds
 * every buffer made, pinned or not; eviction walks it from the tail.
 */
#include "cache.h"

#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>

static uint32_t hash_of(const struct bcache *c, uint32_t block)
{
	return (block * 2654435761u) & (c->nhash - 1);
}

static void lru_unlink(struct bcache_buf *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static void lru_push_front(struct bcache *c, struct bcache_buf *b)
{
	b->next = c->lru.next;
	b->prev = &c->lru;
	c->lru.next->prev = b;
	c->lru.next = b;
}

static void hash_remove(struct bcache *c, struct bcache_buf *b)
{
	struct bcache_buf **p = &c->hash[hash_of(c, b->block)];
	while (*p && *p != b)
		p = &(*p)->hnext;
	if (*p)
		*p = b->hnext;
	b->hnext = NULL;
}

int bcache_init(struct bcache *c, const struct ext2_dev *dev, uint32_t bs, uint32_t nbufs,
                uint32_t limit)
{
	memset(c, 0, sizeof(*c));
	if (nbufs < BCACHE_MIN)
		nbufs = BCACHE_MIN;
	c->dev = dev;
	c->bs = bs;
	c->dev_per_block = bs / dev->block_size;
	c->limit = limit;
	c->nbufs = nbufs;
	c->nhash = 1;
	while (c->nhash < nbufs)
		c->nhash <<= 1;
	c->hash = calloc(c->nhash, sizeof(*c->hash));
	c->bufs = calloc(nbufs, sizeof(*c->bufs));
	if (!c->hash || !c->bufs) {
		free(c->hash);
		free(c->bufs);
		return ERR_NO_MEMORY;
	}
	c->lru.next = c->lru.prev = &c->lru;
	return 0;
}

void bcache_destroy(struct bcache *c)
{
	for (uint32_t i = 0; i < c->used; i++)
		free(c->bufs[i].data);
	free(c->bufs);
	free(c->hash);
	memset(c, 0, sizeof(*c));
}

static int write_back(struct bcache *c, struct bcache_buf *b)
{
	uint64_t first = (uint64_t)b->block * c->dev_per_block;
	int err = c->dev->write_blocks(c->dev->ctx, first, c->dev_per_block, b->data);
	if (err < 0)
		return err;
	c->writes++;
	b->dirty = false;
	return 0;
}

/* A buffer to hold a new block: a fresh one, or the least recently used free one. */
static int take_buffer(struct bcache *c, struct bcache_buf **out)
{
	if (c->used < c->nbufs) {
		struct bcache_buf *b = &c->bufs[c->used];
		b->data = malloc(c->bs);
		if (b->data) {
			c->used++;
			lru_push_front(c, b);
			*out = b;
			return 0;
		}
		if (c->used < BCACHE_MIN)
			return ERR_NO_MEMORY;
		c->nbufs = c->used; /* memory ran short: the cache stops growing here */
	}
	for (struct bcache_buf *b = c->lru.prev; b != &c->lru; b = b->prev) {
		if (b->pins)
			continue;
		if (b->dirty) {
			int err = write_back(c, b);
			if (err < 0)
				return err;
		}
		hash_remove(c, b);
		lru_unlink(b);
		lru_push_front(c, b);
		*out = b;
		return 0;
	}
	return ERR_NO_RESOURCES;
}

int bcache_get(struct bcache *c, uint32_t block, bool fill, struct bcache_buf **out)
{
	if (block >= c->limit)
		return ERR_MALFORMED;
	uint32_t h = hash_of(c, block);
	for (struct bcache_buf *b = c->hash[h]; b; b = b->hnext) {
		if (b->block == block) {
			c->hits++;
			b->pins++;
			lru_unlink(b);
			lru_push_front(c, b);
			*out = b;
			return 0;
		}
	}
	c->misses++;
	struct bcache_buf *b;
	int err = take_buffer(c, &b);
	if (err < 0)
		return err;
	if (fill) {
		uint64_t first = (uint64_t)block * c->dev_per_block;
		err = c->dev->read_blocks(c->dev->ctx, first, c->dev_per_block, b->data);
		if (err < 0) {
			/* the buffer stays free: not hashed, at the LRU tail */
			lru_unlink(b);
			b->next = &c->lru;
			b->prev = c->lru.prev;
			c->lru.prev->next = b;
			c->lru.prev = b;
			return err;
		}
		c->reads++;
	} else {
		memset(b->data, 0, c->bs);
	}
	b->block = block;
	b->dirty = false;
	b->pins = 1;
	b->hnext = c->hash[h];
	c->hash[h] = b;
	*out = b;
	return 0;
}

void bcache_put(struct bcache *c, struct bcache_buf *b)
{
	(void)c;
	if (b && b->pins)
		b->pins--;
}

void bcache_dirty(struct bcache_buf *b)
{
	b->dirty = true;
}

void bcache_forget(struct bcache *c, uint32_t block)
{
	for (struct bcache_buf *b = c->hash[hash_of(c, block)]; b; b = b->hnext) {
		if (b->block != block)
			continue;
		if (b->pins)
			return;
		b->dirty = false;
		hash_remove(c, b);
		lru_unlink(b);
		b->next = &c->lru;
		b->prev = c->lru.prev;
		c->lru.prev->next = b;
		c->lru.prev = b;
		return;
	}
}

int bcache_sync(struct bcache *c)
{
	int first_err = 0;
	for (struct bcache_buf *b = c->lru.next; b != &c->lru; b = b->next) {
		if (!b->dirty)
			continue;
		int err = write_back(c, b);
		if (err < 0 && !first_err)
			first_err = err;
	}
	if (c->dev->flush) {
		int err = c->dev->flush(c->dev->ctx);
		if (err < 0 && !first_err)
			first_err = err;
	}
	return first_err;
}
