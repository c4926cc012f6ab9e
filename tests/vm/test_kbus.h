/*
 * test_kbus.h - helpers shared by the kbus VM tests (test_kbus*.c): a channel
 * with both endpoint capabilities in a test cspace, paid by its own pool, and
 * baselines of heap, live objects and threads.
 */
#pragma once
#include <stdint.h>
#include <abi/handle.h>

struct cspace;
struct endpoint;
struct mem_pool;

struct kt_base {
	uint64_t heap, objs, threads;
};

struct kt_chan {
	struct mem_pool *pool;
	struct cspace *cs;
	struct endpoint *a, *b; /* references held */
	handle_t ha, hb; /* capabilities in cs (0 once dropped) */
};

void kt_base_take(struct kt_base *b);
void kt_base_check(const struct kt_base *b);
/* A channel paid by a new pool of quota bytes; 0 or an error. */
int kt_chan_open(struct kt_chan *c, uint64_t quota, uint32_t depth);
/* Drop what is left, check the pool is paid back, free everything. */
void kt_chan_close(struct kt_chan *c);
int kt_send(struct endpoint *ep, const void *data, uint32_t len, uint32_t flags, uint64_t timeout);
/* Receive into buf: the length, or an error. */
int kt_recv(struct endpoint *ep, void *buf, uint32_t cap, uint32_t flags, uint64_t timeout);
/* Messages queued on ep. */
uint32_t kt_queued(struct endpoint *ep);
