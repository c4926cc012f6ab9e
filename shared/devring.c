/*
 * devring.c - a device class ring, one side of it (<shared/devring.h>, rules
 * in abi/dev/ring.h). The producer publishes an entry with a release store of
 * prod after writing it; the consumer reads prod with an acquire load before
 * copying the entry out, and frees the slot with a release store of cons after
 * the copy, so the producer never overwrites a slot being read.
 */
#include <shared/devring.h>

#include <abi/dev/ring.h>
#include <abi/errors.h>

void devring_init(struct devring *r, void *prod, void *cons, void *slots, uint32_t entries,
                  uint32_t esize)
{
	*r = (struct devring){.prod = prod,
	                      .cons = cons,
	                      .slots = slots,
	                      .entries = entries,
	                      .mask = entries - 1,
	                      .esize = esize};
}

static long broken(struct devring *r)
{
	r->broken = true;
	return ERR_MALFORMED;
}

long devring_space(struct devring *r)
{
	if (r->broken)
		return ERR_MALFORMED;
	uint32_t cons = __atomic_load_n(r->cons, __ATOMIC_ACQUIRE);
	uint32_t used = r->mine - cons;
	if (used > r->entries)
		return broken(r);
	return r->entries - used;
}

int devring_put(struct devring *r, const void *entry)
{
	long space = devring_space(r);
	if (space < 0)
		return (int)space;
	if (space == 0)
		return ERR_SHOULD_WAIT;
	__builtin_memcpy(r->slots + (uint64_t)(r->mine & r->mask) * r->esize, entry, r->esize);
	r->mine++;
	__atomic_store_n(r->prod, r->mine, __ATOMIC_RELEASE);
	return 0;
}

long devring_avail(struct devring *r)
{
	if (r->broken)
		return ERR_MALFORMED;
	uint32_t prod = __atomic_load_n(r->prod, __ATOMIC_ACQUIRE);
	uint32_t avail = prod - r->mine;
	if (avail > r->entries)
		return broken(r);
	return avail;
}

int devring_get(struct devring *r, void *out)
{
	long avail = devring_avail(r);
	if (avail <= 0)
		return (int)avail;
	__builtin_memcpy(out, r->slots + (uint64_t)(r->mine & r->mask) * r->esize, r->esize);
	r->mine++;
	__atomic_store_n(r->cons, r->mine, __ATOMIC_RELEASE);
	return 1;
}
