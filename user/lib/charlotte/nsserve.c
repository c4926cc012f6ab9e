/*
 * nsserve.c - the provider's receive/reply loop (nsprov.h).
 */
#include "nsprov.h"

#include <stdlib.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include "kbus.h"
#include "syscall.h"

long ns_provider_serve(handle_t ep, const struct ns_provider_ops *ops, void *ctx)
{
	void *req = malloc(NS_MSG_MAX), *rep = malloc(NS_MSG_MAX);
	if (!req || !rep) {
		free(req);
		free(rep);
		return ERR_NO_MEMORY;
	}
	handle_t caps[4];
	struct kbus_buf b = {
	    .data = req, .capacity = NS_MSG_MAX, .handles = caps, .handles_capacity = 4};
	struct kbus_msg out = {.data = rep};
	long r = ch_kbus_recv(ep, &b, 0, UINT64_MAX);
	while (r >= 0) {
		handle_t mem;
		size_t n = ns_provider_handle_reply(ops, ctx, req, b.len, caps, b.nhandles, rep,
		                                    NS_MSG_MAX, &mem);
		for (uint32_t i = 0; i < b.nhandles; i++) /* what no operation kept */
			if (caps[i] != HANDLE_INVALID)
				ch_cap_drop(caps[i]);
		out.len = (uint32_t)n;
		bool answer = n > 0 && (b.flags & KBUS_MSG_CALL);
		if (mem != HANDLE_INVALID) {
			/* a reply with a capability: on its own, then receive */
			out.handles = &mem;
			out.nhandles = answer ? 1 : 0;
			if (!answer || ch_kbus_reply(ep, &out) < 0)
				ch_cap_drop(mem);
			out.nhandles = 0;
			b.capacity = NS_MSG_MAX;
			b.handles_capacity = 4;
			r = ch_kbus_recv(ep, &b, 0, UINT64_MAX);
			continue;
		}
		r = ch_kbus_reply_recv(ep, answer ? &out : NULL, &b, UINT64_MAX);
	}
	free(req);
	free(rep);
	return r == ERR_PEER_CLOSED ? 0 : r; /* the kernel let go of the subtree: done */
}
