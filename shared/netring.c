/*
 * netring.c - the net session's two sides over shared memory
 * (<shared/netring.h>, the protocol in abi/dev/net.h).
 */
#include <shared/netring.h>

#include <abi/errors.h>

#include <stddef.h>

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int net_open_clamp(uint32_t *entries, uint32_t *nbufs)
{
	if (!pow2(*entries) || *nbufs == 0)
		return ERR_INVALID_ARGS;
	if (*entries > DEV_RING_MAX)
		*entries = DEV_RING_MAX;
	if (*nbufs > NET_MAX_BUFS)
		*nbufs = NET_MAX_BUFS;
	return 0;
}

int net_info_check(struct net_info *info)
{
	info->model[sizeof(info->model) - 1] = '\0';
	if (info->mtu < 68 || info->mtu > NET_MTU_MAX || info->link_up > 1)
		return ERR_MALFORMED;
	return 0;
}

int net_open_reply_check(const struct net_open_reply *r, uint32_t asked_entries,
                         uint32_t asked_bufs)
{
	if (!pow2(r->entries) || r->entries > asked_entries || r->entries > DEV_RING_MAX)
		return ERR_MALFORMED;
	if (r->nbufs == 0 || r->nbufs > asked_bufs || r->nbufs > NET_MAX_BUFS)
		return ERR_MALFORMED;
	if (r->region_size < net_region_layout(r->entries, r->nbufs).size)
		return ERR_MALFORMED;
	return 0;
}

/* The rings of a session: both sides compute them from checked values. */
static uint64_t rings(uint8_t *b, uint32_t entries, uint32_t nbufs, struct devring r[4])
{
	struct net_region_layout l = net_region_layout(entries, nbufs);
	const uint32_t esize = sizeof(struct net_desc);
	devring_init(&r[0], b + NET_REGION_TX_PROD, b + NET_REGION_TX_CONS, b + l.tx, entries,
	             esize);
	devring_init(&r[1], b + NET_REGION_TXC_PROD, b + NET_REGION_TXC_CONS, b + l.txc, entries,
	             esize);
	devring_init(&r[2], b + NET_REGION_RXF_PROD, b + NET_REGION_RXF_CONS, b + l.rxf, entries,
	             esize);
	devring_init(&r[3], b + NET_REGION_RX_PROD, b + NET_REGION_RX_CONS, b + l.rx, entries,
	             esize);
	return l.bufs;
}

/* --- driver side --- */

void net_srv_init(struct net_srv_sess *s, void *base, uint32_t entries, uint32_t nbufs,
                  uint32_t mtu)
{
	struct devring r[4];
	*s = (struct net_srv_sess){.base = base, .entries = entries, .nbufs = nbufs, .mtu = mtu};
	s->bufs = rings(base, entries, nbufs, r);
	s->tx = r[0];
	s->txc = r[1];
	s->rxf = r[2];
	s->rx = r[3];
	s->link = (uint32_t *)(s->base + NET_REGION_LINK);
}

int net_tx_check(const struct net_srv_sess *s, const struct net_desc *d)
{
	if (d->buf >= s->nbufs)
		return ERR_OUT_OF_RANGE;
	if (d->len < NET_FRAME_MIN || d->len > s->mtu + NET_HDR_LEN)
		return ERR_INVALID_ARGS;
	return 0;
}

int net_srv_tx_done(struct net_srv_sess *s, uint32_t buf, int32_t status)
{
	struct net_desc c = {.buf = buf, .status = status};
	if (s->in_flight)
		s->in_flight--;
	int r = devring_put(&s->txc, &c);
	/* room was reserved when the frame was taken: full means the client lied */
	return r == ERR_SHOULD_WAIT ? ERR_MALFORMED : r;
}

int net_srv_tx_next(struct net_srv_sess *s, struct net_desc *d)
{
	for (;;) {
		long room = devring_space(&s->txc);
		if (room < 0)
			return (int)room;
		if ((uint64_t)room <= s->in_flight)
			return 0; /* every free completion slot is spoken for */
		int r = devring_get(&s->tx, d);
		if (r <= 0)
			return r;
		s->in_flight++;
		int err = net_tx_check(s, d);
		if (!err)
			return 1;
		r = net_srv_tx_done(s, d->buf, err);
		if (r < 0)
			return r;
	}
}

uint8_t *net_srv_buf(const struct net_srv_sess *s, uint32_t buf)
{
	return s->base + s->bufs + (uint64_t)buf * NET_BUF_SIZE;
}

int net_srv_rx(struct net_srv_sess *s, const void *frame, uint32_t len)
{
	struct net_desc d;
	if (len < NET_FRAME_MIN || len > s->mtu + NET_HDR_LEN)
		return 0; /* not a frame we deliver: dropped */
	long room = devring_space(&s->rx);
	if (room <= 0)
		return (int)room;
	int r = devring_get(&s->rxf, &d);
	if (r <= 0)
		return r;
	if (d.buf >= s->nbufs)
		return ERR_MALFORMED;
	__builtin_memcpy(net_srv_buf(s, d.buf), frame, len);
	d = (struct net_desc){.buf = d.buf, .len = len};
	r = devring_put(&s->rx, &d);
	return r < 0 ? ERR_MALFORMED : 1; /* room was there a moment ago */
}

void net_srv_link(struct net_srv_sess *s, bool up, uint32_t changes)
{
	__atomic_store_n(s->link, (changes << 1) | (up ? 1u : 0u), __ATOMIC_RELEASE);
}

/* --- client side --- */

void net_cli_init(struct net_cli_sess *c, void *base, uint32_t entries, uint32_t nbufs,
                  uint32_t mtu)
{
	struct devring r[4];
	__builtin_memset(c, 0, sizeof(*c));
	c->base = base;
	c->entries = entries;
	c->nbufs = nbufs;
	c->mtu = mtu;
	c->bufs = rings(base, entries, nbufs, r);
	c->tx = r[0];
	c->txc = r[1];
	c->rxf = r[2];
	c->rx = r[3];
	c->link = (const uint32_t *)(c->base + NET_REGION_LINK);
}

uint8_t *net_cli_buf(const struct net_cli_sess *c, uint32_t buf)
{
	return buf < c->nbufs ? c->base + c->bufs + (uint64_t)buf * NET_BUF_SIZE : NULL;
}

static int put(struct net_cli_sess *c, struct devring *ring, uint32_t buf, uint32_t len, uint8_t to)
{
	if (c->broken)
		return ERR_MALFORMED;
	if (buf >= c->nbufs || c->owner[buf] != NET_BUF_OURS)
		return ERR_BAD_STATE;
	struct net_desc d = {.buf = buf, .len = len};
	int r = devring_put(ring, &d);
	if (r == ERR_MALFORMED)
		c->broken = true;
	if (r < 0)
		return r;
	c->owner[buf] = to;
	return 0;
}

int net_cli_tx(struct net_cli_sess *c, uint32_t buf, uint32_t len)
{
	int r = put(c, &c->tx, buf, len, NET_BUF_TX);
	if (r == 0)
		c->at_tx++;
	return r;
}

int net_cli_rxf(struct net_cli_sess *c, uint32_t buf)
{
	int r = put(c, &c->rxf, buf, 0, NET_BUF_RXF);
	if (r == 0)
		c->at_rxf++;
	return r;
}

/* Takes one entry off ring for a buffer the driver holds as `from`. */
static int take(struct net_cli_sess *c, struct devring *ring, uint8_t from, struct net_desc *out)
{
	if (c->broken)
		return ERR_MALFORMED;
	int r = devring_get(ring, out);
	if (r <= 0) {
		if (r < 0)
			c->broken = true;
		return r;
	}
	if (out->buf >= c->nbufs || c->owner[out->buf] != from) {
		c->broken = true; /* a buffer the driver does not hold: trust nothing more */
		return ERR_MALFORMED;
	}
	c->owner[out->buf] = NET_BUF_OURS;
	return 1;
}

int net_cli_txc(struct net_cli_sess *c, struct net_desc *out)
{
	int r = take(c, &c->txc, NET_BUF_TX, out);
	if (r == 1) {
		c->at_tx--;
		if (out->status > 0 || out->len != 0) {
			c->broken = true;
			return ERR_MALFORMED;
		}
	}
	return r;
}

int net_cli_rx(struct net_cli_sess *c, struct net_desc *out)
{
	int r = take(c, &c->rx, NET_BUF_RXF, out);
	if (r == 1) {
		c->at_rxf--;
		if (out->status != 0 || out->len < NET_FRAME_MIN ||
		    out->len > c->mtu + NET_HDR_LEN) {
			c->broken = true;
			return ERR_MALFORMED;
		}
	}
	return r;
}

long net_cli_free_buf(const struct net_cli_sess *c)
{
	for (uint32_t i = 0; i < c->nbufs; i++)
		if (c->owner[i] == NET_BUF_OURS)
			return i;
	return ERR_SHOULD_WAIT;
}

uint32_t net_cli_link(const struct net_cli_sess *c)
{
	return __atomic_load_n(c->link, __ATOMIC_ACQUIRE);
}
