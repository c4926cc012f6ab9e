/*
 * cache.h - the block cache between the ext2 engine and the device.
 *
 * A bounded set of file-system-sized buffers, found by block number through a
 * hash table and recycled least recently used first. Writes are write-back: a
 * buffer marked dirty reaches the device when it is evicted or at
 * bcache_sync(), which writes every dirty buffer and flushes the device.
 *
 * Every block number is checked against the cache's limit (the file system's
 * block count, itself checked against the device's size at mount) before the
 * device is touched: this is the one place the engine reaches the device, so
 * no corrupt pointer can read or write outside the image.
 *
 * A caller pins a buffer with bcache_get() and releases it with bcache_put();
 * a pinned buffer is never evicted. The engine pins at most a handful at once,
 * and the cache holds at least BCACHE_MIN buffers.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "ext2.h"

#define BCACHE_MIN 16u

struct bcache_buf {
	uint32_t block;
	uint32_t pins;
	bool dirty;
	uint8_t *data;
	struct bcache_buf *hnext; /* hash chain */
	struct bcache_buf *prev, *next; /* LRU list: head is the most recent */
};

struct bcache {
	const struct ext2_dev *dev;
	uint32_t bs; /* file-system block size */
	uint32_t dev_per_block; /* device blocks per file-system block */
	uint32_t limit; /* blocks at or past it are refused (ERR_MALFORMED) */
	uint32_t nbufs, used; /* buffers allowed, buffers made */
	uint32_t nhash;
	struct bcache_buf **hash;
	struct bcache_buf *bufs;
	struct bcache_buf lru; /* sentinel */
	uint64_t hits, misses, reads, writes;
};

/* Set up a cache of nbufs (at least BCACHE_MIN) buffers of bs bytes. ERR_NO_MEMORY. */
int bcache_init(struct bcache *c, const struct ext2_dev *dev, uint32_t bs, uint32_t nbufs,
                uint32_t limit);
/* Free every buffer (dirty ones are dropped: sync first). */
void bcache_destroy(struct bcache *c);
/*
 * Pin block's buffer: *out. With fill, its contents are read from the device
 * when not cached; without, a buffer not cached starts zeroed (the caller
 * overwrites the whole block). ERR_MALFORMED for a block past the limit,
 * ERR_NO_RESOURCES when every buffer is pinned, or the device's error.
 */
int bcache_get(struct bcache *c, uint32_t block, bool fill, struct bcache_buf **out);
void bcache_put(struct bcache *c, struct bcache_buf *b);
void bcache_dirty(struct bcache_buf *b);
/* Drop a block's buffer without writing it (a freed block). */
void bcache_forget(struct bcache *c, uint32_t block);
/* Write every dirty buffer, then flush the device. The first error. */
int bcache_sync(struct bcache *c);
