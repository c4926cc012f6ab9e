/*
 * blkring.c - the block session's two sides over shared memory
 * (<shared/blkring.h>, the protocol in abi/dev/block.h).
 */
#include <shared/blkring.h>

#include <abi/errors.h>

#define PAGE 4096u

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int blk_open_clamp(uint32_t *entries, uint64_t *data_size)
{
	if (!pow2(*entries) || *data_size < PAGE)
		return ERR_INVALID_ARGS;
	if (*entries > DEV_RING_MAX)
		*entries = DEV_RING_MAX;
	if (*data_size > BLK_DATA_MAX)
		*data_size = BLK_DATA_MAX;
	*data_size &= ~(uint64_t)(PAGE - 1);
	return 0;
}

int blk_info_check(struct blk_info *info)
{
	info->model[BLK_MODEL_MAX - 1] = '\0';
	if (!pow2(info->block_size) || info->block_size < 512 || info->block_size > 65536)
		return ERR_MALFORMED;
	if (info->size % info->block_size || info->max_transfer == 0 ||
	    info->max_transfer % info->block_size)
		return ERR_MALFORMED;
	return 0;
}

int blk_open_reply_check(const struct blk_open_reply *r, uint32_t asked_entries,
                         uint64_t asked_data)
{
	if (!pow2(r->entries) || r->entries > asked_entries || r->entries > DEV_RING_MAX)
		return ERR_MALFORMED;
	if (r->data_size == 0 || r->data_size > asked_data || r->data_size > BLK_DATA_MAX)
		return ERR_MALFORMED;
	struct blk_region_layout l = blk_region_layout(r->entries, r->data_size);
	if (r->region_size < l.size)
		return ERR_MALFORMED;
	return 0;
}

/* The rings of a session: both sides compute them from checked values. */
static void rings(void *base, uint32_t entries, uint64_t data_size, struct devring *sq_prod_side,
                  struct devring *cq)
{
	uint8_t *b = base;
	struct blk_region_layout l = blk_region_layout(entries, data_size);
	devring_init(sq_prod_side, b + BLK_REGION_SQ_PROD, b + BLK_REGION_SQ_CONS, b + l.sq,
	             entries, sizeof(struct blk_sqe));
	devring_init(cq, b + BLK_REGION_CQ_PROD, b + BLK_REGION_CQ_CONS, b + l.cq, entries,
	             sizeof(struct blk_cqe));
}

void blk_srv_init(struct blk_srv_sess *s, void *base, uint32_t entries, uint64_t data_size,
                  const struct blk_info *info)
{
	*s = (struct blk_srv_sess){.info = *info, .data_size = data_size, .entries = entries};
	rings(base, entries, data_size, &s->sq, &s->cq);
}

int blk_sqe_check(const struct blk_srv_sess *s, const struct blk_sqe *rq)
{
	const struct blk_info *in = &s->info;
	uint64_t bs = in->block_size;

	if (rq->flags != 0)
		return ERR_INVALID_ARGS;
	switch (rq->op) {
	case BLK_OP_FLUSH:
		return rq->len == 0 && rq->offset == 0 ? 0 : ERR_INVALID_ARGS;
	case BLK_OP_READ:
	case BLK_OP_WRITE:
	case BLK_OP_DISCARD:
		break;
	default:
		return ERR_NOT_SUPPORTED;
	}
	if (rq->op != BLK_OP_READ && (in->flags & BLK_INFO_READ_ONLY))
		return ERR_ACCESS_DENIED;
	if (rq->op == BLK_OP_DISCARD && !(in->flags & BLK_INFO_DISCARD))
		return ERR_NOT_SUPPORTED;
	if (rq->len == 0 || rq->len % bs || rq->len > in->max_transfer)
		return ERR_INVALID_ARGS;
	if (rq->offset % bs || rq->offset > in->size || rq->len > in->size - rq->offset)
		return ERR_OUT_OF_RANGE;
	if (rq->op == BLK_OP_DISCARD)
		return 0; /* no data */
	if (rq->data_off % bs || rq->data_off > s->data_size ||
	    rq->len > s->data_size - rq->data_off)
		return ERR_OUT_OF_RANGE;
	return 0;
}

int blk_srv_complete(struct blk_srv_sess *s, uint64_t tag, int32_t status, uint32_t len)
{
	struct blk_cqe c = {.tag = tag, .status = status, .len = status ? 0 : len};
	if (s->in_flight)
		s->in_flight--;
	int r = devring_put(&s->cq, &c);
	/* room was reserved when the request was taken: full means the client lied */
	return r == ERR_SHOULD_WAIT ? ERR_MALFORMED : r;
}

int blk_srv_next(struct blk_srv_sess *s, struct blk_sqe *rq)
{
	for (;;) {
		long room = devring_space(&s->cq);
		if (room < 0)
			return (int)room;
		if ((uint64_t)room <= s->in_flight)
			return 0; /* every free completion slot is spoken for */
		int r = devring_get(&s->sq, rq);
		if (r <= 0)
			return r;
		s->in_flight++;
		int err = blk_sqe_check(s, rq);
		if (!err)
			return 1;
		r = blk_srv_complete(s, rq->tag, err, 0);
		if (r < 0)
			return r;
	}
}

void blk_cli_init(struct blk_cli_sess *c, void *base, uint32_t entries, uint64_t data_size,
                  const struct blk_info *info)
{
	__builtin_memset(c, 0, sizeof(*c));
	c->info = *info;
	c->data_size = data_size;
	c->entries = entries;
	rings(base, entries, data_size, &c->sq, &c->cq);
}

long blk_cli_submit(struct blk_cli_sess *c, struct blk_sqe *rq)
{
	if (c->broken)
		return ERR_MALFORMED;
	if (c->in_flight >= c->entries)
		return ERR_SHOULD_WAIT;
	uint32_t i = c->hint;
	while (c->slot[i].busy)
		i = (i + 1) & (c->entries - 1);
	rq->tag = i;
	int r = devring_put(&c->sq, rq);
	if (r == ERR_MALFORMED)
		c->broken = true;
	if (r < 0)
		return r; /* ERR_SHOULD_WAIT: the driver has not taken earlier ones yet */
	c->slot[i] = (struct blk_cli_slot){.len = rq->len, .busy = 1, .op = rq->op};
	c->in_flight++;
	c->hint = (i + 1) & (c->entries - 1);
	return i;
}

int blk_cli_reap(struct blk_cli_sess *c, struct blk_cqe *out)
{
	if (c->broken)
		return ERR_MALFORMED;
	int r = devring_get(&c->cq, out);
	if (r <= 0) {
		if (r < 0)
			c->broken = true;
		return r;
	}
	if (out->tag >= c->entries || !c->slot[out->tag].busy || out->len > c->slot[out->tag].len ||
	    out->status > 0) {
		c->broken = true; /* a completion we never asked for: trust nothing more */
		return ERR_MALFORMED;
	}
	c->slot[out->tag].busy = 0;
	c->in_flight--;
	return 1;
}
