/*
 * buddy.c - binary buddy allocator (design and invariants in mm/buddy.h).
 *
 * The buddy of the order-k block at pfn is the block at pfn ^ 2^k. Freeing
 * looks at that one frame's metadata: if it heads a free block of the same
 * order, the two are unlinked and merged, and the test repeats one order up.
 * Allocation takes the smallest non-empty list at or above the wanted order
 * and splits off upper halves onto the lower lists. Free lists are doubly
 * linked through the metadata array, so unlinking a buddy is O(1) and both
 * operations are O(BUDDY_MAX_ORDER).
 */
#include <mm/buddy.h>
#include <abi/errors.h>
#include <lib/panic.h>

static inline struct buddy_page *page_of(const struct buddy *b, uint64_t pfn)
{
	return &b->meta[pfn - b->base_pfn];
}

static inline bool in_range(const struct buddy *b, uint64_t pfn, uint64_t n)
{
	return pfn >= b->base_pfn && n <= b->npages && pfn - b->base_pfn <= b->npages - n;
}

static void list_push(struct buddy *b, uint64_t pfn, unsigned order)
{
	uint32_t idx = (uint32_t)(pfn - b->base_pfn);
	struct buddy_page *p = &b->meta[idx];
	uint32_t head = b->free_list[order];

	p->next = head;
	p->prev = BUDDY_NONE;
	p->order = (uint8_t)order;
	p->flags = BUDDY_PAGE_USABLE | BUDDY_PAGE_FREE;
	if (head != BUDDY_NONE)
		b->meta[head].prev = idx;
	b->free_list[order] = idx;
	b->free_blocks[order]++;
	b->free_pages += 1ull << order;
}

static void list_remove(struct buddy *b, uint64_t pfn)
{
	uint32_t idx = (uint32_t)(pfn - b->base_pfn);
	struct buddy_page *p = &b->meta[idx];
	unsigned order = p->order;

	if (p->prev != BUDDY_NONE)
		b->meta[p->prev].next = p->next;
	else
		b->free_list[order] = p->next;
	if (p->next != BUDDY_NONE)
		b->meta[p->next].prev = p->prev;
	p->next = p->prev = BUDDY_NONE;
	p->flags = BUDDY_PAGE_USABLE;
	b->free_blocks[order]--;
	b->free_pages -= 1ull << order;
}

size_t buddy_meta_size(uint64_t npages)
{
	return (size_t)npages * sizeof(struct buddy_page);
}

void buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t npages, struct buddy_page *meta)
{
	ASSERT(npages < BUDDY_NONE);
	b->base_pfn = base_pfn;
	b->npages = npages;
	b->free_pages = 0;
	b->meta = meta;
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		b->free_list[o] = BUDDY_NONE;
		b->free_blocks[o] = 0;
	}
	for (uint64_t i = 0; i < npages; i++)
		meta[i] = (struct buddy_page){BUDDY_NONE, BUDDY_NONE, 0, 0, 0};
}

/* Merge the block at pfn with its free buddies and put the result on a list. */
static void free_block(struct buddy *b, uint64_t pfn, unsigned order)
{
	while (order + 1 < BUDDY_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ull << order);
		if (!in_range(b, buddy, 1ull << order))
			break;
		struct buddy_page *bp = page_of(b, buddy);
		if (!(bp->flags & BUDDY_PAGE_FREE) || bp->order != order)
			break;
		list_remove(b, buddy);
		pfn &= ~(1ull << order);
		order++;
	}
	list_push(b, pfn, order);
}

void buddy_add_free_range(struct buddy *b, uint64_t pfn, uint64_t npages)
{
	ASSERT(in_range(b, pfn, npages));
	for (uint64_t i = 0; i < npages; i++) {
		struct buddy_page *p = page_of(b, pfn + i);
		ASSERT(p->flags == 0); /* added twice */
		p->flags = BUDDY_PAGE_USABLE;
	}

	/* Largest aligned block that starts at pfn and fits; merging does the rest. */
	uint64_t end = pfn + npages;
	while (pfn < end) {
		unsigned order = 0;
		while (order + 1 < BUDDY_MAX_ORDER && !(pfn & ((2ull << order) - 1)) &&
		       pfn + (2ull << order) <= end)
			order++;
		free_block(b, pfn, order);
		pfn += 1ull << order;
	}
}

int buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn_out)
{
	if (order >= BUDDY_MAX_ORDER)
		return ERR_INVALID_ARGS;
	unsigned k = order;
	while (k < BUDDY_MAX_ORDER && b->free_list[k] == BUDDY_NONE)
		k++;
	if (k == BUDDY_MAX_ORDER)
		return ERR_NO_MEMORY;

	uint64_t pfn = b->base_pfn + b->free_list[k];
	list_remove(b, pfn);
	while (k > order) { /* give back the upper halves */
		k--;
		list_push(b, pfn + (1ull << k), k);
	}
	struct buddy_page *p = page_of(b, pfn);
	p->order = (uint8_t)order;
	p->flags = BUDDY_PAGE_USABLE | BUDDY_PAGE_ALLOC;
	*pfn_out = pfn;
	return 0;
}

void buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	ASSERT(order < BUDDY_MAX_ORDER);
	ASSERT(in_range(b, pfn, 1ull << order));
	struct buddy_page *p = page_of(b, pfn);
	/* Catches double frees, wrong orders, interior and reserved frames. */
	ASSERT((p->flags & BUDDY_PAGE_ALLOC) && p->order == order);
	p->flags = BUDDY_PAGE_USABLE;
	free_block(b, pfn, order);
}

bool buddy_is_free(const struct buddy *b, uint64_t pfn)
{
	if (!in_range(b, pfn, 1))
		return false;
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		uint64_t head = pfn & ~((1ull << o) - 1);
		if (head < b->base_pfn)
			break;
		const struct buddy_page *p = page_of(b, head);
		if ((p->flags & BUDDY_PAGE_FREE) && p->order >= o)
			return true;
	}
	return false;
}

uint64_t buddy_free_pages(const struct buddy *b)
{
	return b->free_pages;
}
