/*
 * net.c - the net class client (net.h). The ring logic and every check of the
 * driver's values are shared/netring.c's; this file adds the kbus side: the
 * OPEN call, the doorbell, and waiting for NET_MSG_NOTIFY.
 */
#include "net.h"

#include <string.h>

#include <abi/ns.h>
#include <abi/syscall.h>

#include "devcall.h"
#include "kbus.h"
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

#define DEFAULT_ENTRIES 64u
#define DEFAULT_BUFS 128u
#define PAGE 4096u

long ch_net_query(handle_t dev, struct net_info *out, uint64_t timeout)
{
	struct dev_msg_hdr req = {NET_MSG_INFO, sizeof(req)};
	struct net_info_reply rep;
	long r = ch_dev_call(dev, &req, sizeof(req), &rep, sizeof(rep), NULL, 0, timeout);
	if (r < 0)
		return r;
	if (net_info_check(&rep.info))
		return ERR_MALFORMED;
	*out = rep.info;
	return 0;
}

static long doorbell(struct ch_net *n)
{
	struct ch_msg_hdr h = {NET_MSG_DOORBELL, sizeof(h)};
	long r = ch_kbus_send_bytes(n->ep, &h, sizeof(h), KBUS_NONBLOCK, 0);
	return r == ERR_SHOULD_WAIT ? 0 : r; /* a full queue already holds a doorbell */
}

/* Tops the driver's free receive buffers up to rx_target. */
static long refill(struct ch_net *n)
{
	bool gave = false;
	while (n->s.at_rxf < n->rx_target) {
		long b = net_cli_free_buf(&n->s);
		if (b < 0)
			break;
		long r = net_cli_rxf(&n->s, (uint32_t)b);
		if (r < 0)
			return r;
		gave = true;
	}
	return gave ? doorbell(n) : 0;
}

long ch_net_open(struct ch_net *n, const char *uri, handle_t dev, uint32_t entries, uint32_t nbufs)
{
	handle_t opened = HANDLE_INVALID, hs[2];
	struct net_open_reply rep;
	long r;

	memset(n, 0, sizeof(*n));
	n->ep = n->mem = HANDLE_INVALID;
	entries = entries ? entries : DEFAULT_ENTRIES;
	nbufs = nbufs ? nbufs : DEFAULT_BUFS;
	if (nbufs < 2)
		return ERR_INVALID_ARGS;
	if (uri) {
		r = ch_uri_open(uri, NS_TYPE_DEV_NET, 0, NS_RIGHTS_SAME, &opened);
		if (r < 0)
			return r;
		dev = opened;
	}
	struct net_open req = {
	    .hdr = {NET_MSG_OPEN, sizeof(req)}, .entries = entries, .nbufs = nbufs};
	r = ch_dev_call(dev, &req, sizeof(req), &rep, sizeof(rep), hs, 2, CH_FOREVER);
	if (opened != HANDLE_INVALID)
		ch_cap_drop(opened);
	if (r < 0)
		return r;
	n->ep = hs[0];
	n->mem = hs[1];
	if (net_open_reply_check(&rep, entries, nbufs) || net_info_check(&rep.info) ||
	    rep.nbufs < 2) {
		ch_net_close(n);
		return ERR_MALFORMED;
	}
	n->info = rep.info;
	n->map_size =
	    (net_region_layout(rep.entries, rep.nbufs).size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	uint64_t va = ch_va_reserve(n->map_size);
	r = va ? ch_as_map(ch_handle("self.as"), va, n->mem, 0, n->map_size, PROT_READ | PROT_WRITE)
	       : ERR_NO_RESOURCES;
	if (r < 0) {
		ch_net_close(n);
		return r; /* ERR_OUT_OF_RANGE: the memory is smaller than the driver said */
	}
	n->base = (uint8_t *)(uintptr_t)va;
	net_cli_init(&n->s, n->base, rep.entries, rep.nbufs, rep.info.mtu);
	n->link_seen = net_cli_link(&n->s);
	n->rx_target = rep.nbufs / 2 < rep.entries ? rep.nbufs / 2 : rep.entries;
	r = refill(n);
	if (r < 0)
		ch_net_close(n);
	return r;
}

void ch_net_close(struct ch_net *n)
{
	if (n->base)
		ch_as_unmap(ch_handle("self.as"), (uint64_t)(uintptr_t)n->base, n->map_size);
	if (n->ep != HANDLE_INVALID)
		ch_cap_drop(n->ep);
	if (n->mem != HANDLE_INVALID)
		ch_cap_drop(n->mem);
	n->base = NULL;
	n->ep = n->mem = HANDLE_INVALID;
}

const struct net_info *ch_net_info(const struct ch_net *n)
{
	return &n->info;
}

int ch_net_link(const struct ch_net *n, uint32_t *changes)
{
	uint32_t w = net_cli_link(&n->s);
	if (changes)
		*changes = w >> 1;
	return (int)(w & 1);
}

long ch_net_tx_buf(const struct ch_net *n)
{
	return net_cli_free_buf(&n->s);
}

uint8_t *ch_net_buf(const struct ch_net *n, uint32_t i)
{
	return net_cli_buf(&n->s, i);
}

long ch_net_submit(struct ch_net *n, uint32_t buf, uint32_t len)
{
	long r = net_cli_tx(&n->s, buf, len);
	return r < 0 ? r : doorbell(n);
}

long ch_net_rx_done(struct ch_net *n, uint32_t buf)
{
	if (buf >= n->s.nbufs || n->s.owner[buf] != NET_BUF_OURS)
		return ERR_BAD_STATE;
	return refill(n);
}

/* Waits for the driver's next notification (it carries nothing). */
static long await(struct ch_net *n, uint64_t timeout)
{
	uint8_t msg[16];
	uint32_t len;
	return ch_dev_recv_any(n->ep, msg, sizeof(msg), &len, timeout);
}

long ch_net_wait(struct ch_net *n, struct ch_net_event *ev, uint64_t timeout)
{
	for (;;) {
		struct net_desc d;
		int r = net_cli_txc(&n->s, &d);
		if (r < 0)
			return r;
		if (r == 1) {
			*ev = (struct ch_net_event){CH_NET_TX_DONE, d.buf, 0, d.status};
			return 0;
		}
		r = net_cli_rx(&n->s, &d);
		if (r < 0)
			return r;
		if (r == 1) {
			*ev = (struct ch_net_event){CH_NET_RX, d.buf, d.len, 0};
			return 0;
		}
		uint32_t link = net_cli_link(&n->s);
		if (link != n->link_seen) {
			n->link_seen = link;
			*ev = (struct ch_net_event){CH_NET_LINK, 0, link & 1, 0};
			return 0;
		}
		long w = await(n, timeout);
		if (w < 0)
			return w;
	}
}

long ch_net_send(struct ch_net *n, const void *frame, size_t len, uint64_t timeout)
{
	if (n->s.at_tx)
		return ERR_BAD_STATE;
	if (len > NET_BUF_SIZE)
		return ERR_INVALID_ARGS; /* does not fit a buffer: it cannot even be asked */
	long b = net_cli_free_buf(&n->s);
	if (b < 0)
		return b;
	memcpy(ch_net_buf(n, (uint32_t)b), frame, len);
	long r = ch_net_submit(n, (uint32_t)b, (uint32_t)len);
	if (r < 0)
		return r;
	for (;;) {
		struct net_desc d;
		int t = net_cli_txc(&n->s, &d);
		if (t < 0)
			return t;
		if (t == 1)
			return d.status; /* the only tx in flight: ours */
		r = await(n, timeout);
		if (r < 0)
			return r;
	}
}

long ch_net_recv(struct ch_net *n, void *buf, size_t cap, uint64_t timeout)
{
	for (;;) {
		struct net_desc d;
		int t = net_cli_rx(&n->s, &d);
		if (t < 0)
			return t;
		if (t == 1) {
			memcpy(buf, ch_net_buf(n, d.buf), d.len < cap ? d.len : cap);
			long r = refill(n);
			return r < 0 ? r : (long)d.len;
		}
		long r = await(n, timeout);
		if (r < 0)
			return r;
	}
}
