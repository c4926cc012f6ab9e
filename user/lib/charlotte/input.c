/*
 * input.c - the input class client (input.h): the OPEN call, the ring of
 * events (shared/devring.c, every driver value checked), waiting for
 * INPUT_MSG_NOTIFY.
 */
#include "input.h"

#include <string.h>

#include <abi/ns.h>

#include "devcall.h"
#include "kbus.h"
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

#define DEFAULT_ENTRIES 64u

long ch_input_open(struct ch_input *in, const char *uri, handle_t dev, uint32_t entries)
{
	handle_t opened = HANDLE_INVALID, hs[2];
	struct dev_msg_hdr q = {INPUT_MSG_INFO, sizeof(q)};
	struct input_open req = {.hdr = {INPUT_MSG_OPEN, sizeof(req)},
	                         .entries = entries ? entries : DEFAULT_ENTRIES};
	struct input_open_reply rep;
	long r;

	memset(in, 0, sizeof(*in));
	in->ep = in->mem = HANDLE_INVALID;
	if (uri) {
		r = ch_uri_open(uri, NS_TYPE_DEV_INPUT, 0, NS_RIGHTS_SAME, &opened);
		if (r < 0)
			return r;
		dev = opened;
	}
	r = ch_dev_call(dev, &q, sizeof(q), &in->info, sizeof(in->info), NULL, 0, CH_FOREVER);
	if (r >= 0)
		r = ch_dev_call(dev, &req, sizeof(req), &rep, sizeof(rep), hs, 2, CH_FOREVER);
	if (opened != HANDLE_INVALID)
		ch_cap_drop(opened);
	if (r < 0)
		return r;
	in->info.model[sizeof(in->info.model) - 1] = 0;
	in->ep = hs[0];
	in->mem = hs[1];
	if (rep.entries != req.entries) { /* a driver grants what was asked or refuses */
		ch_input_close(in);
		return ERR_MALFORMED;
	}
	in->map_size = input_region_size(rep.entries);
	uint64_t va = ch_va_reserve(in->map_size);
	r = va ? ch_as_map(ch_handle("self.as"), va, in->mem, 0, in->map_size,
	                   PROT_READ | PROT_WRITE)
	       : ERR_NO_RESOURCES;
	if (r < 0) {
		ch_input_close(in);
		return r; /* ERR_OUT_OF_RANGE: the memory is smaller than the ring */
	}
	in->base = (uint8_t *)(uintptr_t)va;
	devring_init(&in->ring, in->base + INPUT_REGION_PROD, in->base + INPUT_REGION_CONS,
	             in->base + INPUT_REGION_EVENTS, rep.entries, sizeof(struct input_event));
	return 0;
}

void ch_input_close(struct ch_input *in)
{
	if (in->base)
		ch_as_unmap(ch_handle("self.as"), (uint64_t)(uintptr_t)in->base, in->map_size);
	if (in->ep != HANDLE_INVALID)
		ch_cap_drop(in->ep);
	if (in->mem != HANDLE_INVALID)
		ch_cap_drop(in->mem);
	in->base = NULL;
	in->ep = in->mem = HANDLE_INVALID;
}

const struct input_info_reply *ch_input_info(const struct ch_input *in)
{
	return &in->info;
}

/* Takes up to max events off the ring, checked; how many, or ERR_MALFORMED. */
static long take(struct ch_input *in, struct input_event *out, uint32_t max)
{
	uint32_t n = 0;
	while (n < max) {
		int r = devring_get(&in->ring, &out[n]);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		if (out[n].type < INPUT_EV_KEY || out[n].type > INPUT_EV_BUTTON) {
			in->ring.broken = true; /* a driver writing junk is not one to trust */
			return ERR_MALFORMED;
		}
		n++;
	}
	return n;
}

long ch_input_read(struct ch_input *in, struct input_event *out, uint32_t max, uint64_t timeout)
{
	if (!in->base || max == 0)
		return ERR_INVALID_ARGS;
	for (;;) {
		long n = take(in, out, max);
		if (n != 0)
			return n;
		uint8_t note[16];
		uint32_t len;
		long r = ch_dev_recv_any(in->ep, note, sizeof(note), &len, timeout);
		if (r < 0)
			return r; /* ERR_PEER_CLOSED: the driver is gone */
	}
}
