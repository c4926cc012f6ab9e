/*
 * virtio.c - the split virtqueue, driver side: free list, chains, the kick
 * decision and the harvest of used entries with every device value checked
 * (the rules are in <shared/virtio.h>).
 *
 * Ordering: the device reads what we publish and writes what we harvest
 * through DMA, so the stores of descriptors and ring slots come before the
 * release store of avail.idx, and the acquire load of used.idx comes before
 * the reads of used entries. The event-index check needs our store of
 * avail.idx ordered before our load of avail_event: a full fence.
 */
#include <shared/virtio.h>

#include <abi/errors.h>

#define NO_DESC 0xffffu

static uint16_t load16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint16_t *used_event(struct virtq *q)
{
	return &q->avail->ring[q->size];
}

static const uint16_t *avail_event(const struct virtq *q)
{
	return (const uint16_t *)&q->used->ring[q->size];
}

int virtq_init(struct virtq *q, uint16_t size, struct virtq_desc *desc, struct virtq_avail *avail,
               struct virtq_used *used, struct virtq_slot *slots, uint16_t *next, bool event_idx)
{
	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)) != 0)
		return ERR_INVALID_ARGS;
	if (!desc || !avail || !used || !slots || !next)
		return ERR_INVALID_ARGS;
	__builtin_memset(desc, 0, virtq_desc_bytes(size));
	__builtin_memset(avail, 0, virtq_avail_bytes(size));
	__builtin_memset(used, 0, virtq_used_bytes(size));
	__builtin_memset(slots, 0, sizeof(*slots) * size);
	*q = (struct virtq){.size = size,
	                    .mask = (uint16_t)(size - 1),
	                    .desc = desc,
	                    .avail = avail,
	                    .used = used,
	                    .slots = slots,
	                    .next = next,
	                    .free_head = 0,
	                    .nfree = size,
	                    .event_idx = event_idx};
	for (uint16_t i = 0; i < size; i++)
		next[i] = i + 1u < size ? (uint16_t)(i + 1) : (uint16_t)NO_DESC;
	return 0;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie)
{
	uint64_t writable = 0;

	if (q->broken)
		return ERR_BAD_STATE;
	if (n == 0)
		return ERR_INVALID_ARGS;
	for (unsigned i = 0; i < n; i++) {
		if (bufs[i].len == 0)
			return ERR_INVALID_ARGS;
		if (bufs[i].device_writes)
			writable += bufs[i].len;
	}
	if (writable > UINT32_MAX)
		return ERR_INVALID_ARGS;
	if (n > q->nfree)
		return ERR_NO_RESOURCES;

	uint16_t head = q->free_head, d = head, last = head;
	for (unsigned i = 0; i < n; i++) {
		struct virtq_desc *e = &q->desc[d];
		e->addr = bufs[i].addr;
		e->len = bufs[i].len;
		e->flags = (uint16_t)((bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
		                      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		e->next = i + 1 < n ? q->next[d] : 0;
		last = d;
		d = q->next[d];
	}
	q->free_head = d;
	q->next[last] = NO_DESC;
	q->nfree = (uint16_t)(q->nfree - n);
	q->slots[head] = (struct virtq_slot){
	    .cookie = cookie, .writable = (uint32_t)writable, .ndesc = (uint16_t)n, .in_flight = 1};
	q->in_flight++;

	q->avail->ring[q->avail_idx & q->mask] = head;
	q->avail_idx++;
	store16(&q->avail->idx, q->avail_idx);
	return 0;
}

bool virtq_kick_needed(struct virtq *q)
{
	uint16_t old = q->kicked_idx, now = q->avail_idx;
	bool need;

	if (old == now)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		/* vring_need_event: the device asked to hear once avail passes its index */
		uint16_t ev = load16(avail_event(q));
		need = (uint16_t)(now - ev - 1) < (uint16_t)(now - old);
	} else {
		need = !(load16(&q->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
	}
	q->kicked_idx = now;
	return need;
}

/* Puts the chain at head back on the free list (its links are ours, not the table's). */
static void free_chain(struct virtq *q, uint16_t head)
{
	struct virtq_slot *s = &q->slots[head];
	uint16_t last = head;

	for (uint16_t i = 1; i < s->ndesc; i++)
		last = q->next[last];
	q->next[last] = q->free_head;
	q->free_head = head;
	q->nfree = (uint16_t)(q->nfree + s->ndesc);
	q->in_flight--;
	*s = (struct virtq_slot){0};
}

int virtq_harvest(struct virtq *q, struct virtq_done *done)
{
	if (q->broken)
		return ERR_MALFORMED;
	uint16_t idx = load16(&q->used->idx);
	uint16_t pending = (uint16_t)(idx - q->last_used);
	if (pending == 0)
		return 0;
	if (pending > q->in_flight) {
		q->broken = true; /* more completions than requests: nothing here is true */
		return ERR_MALFORMED;
	}
	struct virtq_used_elem e;
	e.id = __atomic_load_n(&q->used->ring[q->last_used & q->mask].id, __ATOMIC_RELAXED);
	e.len = __atomic_load_n(&q->used->ring[q->last_used & q->mask].len, __ATOMIC_RELAXED);
	if (e.id >= q->size || !q->slots[e.id].in_flight) {
		q->broken = true; /* not a chain we gave: its buffers may be anyone's */
		return ERR_MALFORMED;
	}
	struct virtq_slot *s = &q->slots[e.id];
	done->cookie = s->cookie;
	done->len = e.len;
	done->status = 0;
	if (e.len > s->writable) {
		done->len = 0;
		done->status = ERR_MALFORMED;
	}
	free_chain(q, (uint16_t)e.id);
	q->last_used++;
	if (q->event_idx)
		store16(used_event(q), q->last_used);
	return 1;
}

int virtq_reclaim(struct virtq *q, void **cookie)
{
	for (uint16_t i = 0; i < q->size; i++) {
		if (q->slots[i].in_flight) {
			*cookie = q->slots[i].cookie;
			free_chain(q, i);
			return 1;
		}
	}
	return 0;
}
