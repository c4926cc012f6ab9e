/*
 * devcall.c - checked calls to device drivers (devcall.h).
 */
#include "devcall.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <abi/dev/ring.h>
#include <abi/ns.h>
#include <abi/rights.h>

#include "kbus.h"
#include "ns.h"
#include "start.h"
#include "syscall.h"

void ch_dev_ready(long result)
{
	handle_t ready = ch_handle("ready");
	if (ready != HANDLE_INVALID) /* the spawner waits for the device to be there */
		ch_kbus_send_bytes(ready, &result, sizeof(result), KBUS_NONBLOCK, 0);
}

long ch_dev_recv_any(handle_t ep, void *buf, uint32_t cap, uint32_t *len, uint64_t timeout)
{
	/* allocated at the first use, not in .bss: every program linking this
	   would otherwise have 64 KiB cleared at each spawn */
	static uint8_t *shared_big;
	uint8_t *big = __atomic_load_n(&shared_big, __ATOMIC_ACQUIRE);
	if (!big) {
		uint8_t *mine = malloc(KBUS_MAX_BYTES), *none = NULL;
		if (!mine)
			return ERR_NO_MEMORY;
		if (__atomic_compare_exchange_n(&shared_big, &none, mine, false, __ATOMIC_ACQ_REL,
		                                __ATOMIC_ACQUIRE))
			big = mine;
		else {
			free(mine); /* another thread was first */
			big = none;
		}
	}
	handle_t hs[KBUS_MAX_HANDLES];
	struct kbus_buf kb = {.data = big,
	                      .capacity = KBUS_MAX_BYTES,
	                      .handles_capacity = KBUS_MAX_HANDLES,
	                      .handles = hs};
	long r = ch_kbus_recv(ep, &kb, 0, timeout);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < kb.nhandles && i < KBUS_MAX_HANDLES; i++)
		ch_cap_drop(hs[i]);
	memcpy(buf, big, kb.len < cap ? kb.len : cap);
	*len = kb.len;
	return 0;
}

long ch_dev_call(handle_t dev, const void *req, uint32_t len, void *rep, uint32_t rep_len,
                 handle_t *hs, uint32_t nh, uint64_t timeout)
{
	const struct dev_msg_hdr *q = req;
	struct kbus_msg m = {.data = req, .len = len};
	struct kbus_buf kb = {
	    .data = rep, .capacity = rep_len, .handles_capacity = nh, .handles = hs};
	long r = ch_kbus_call(dev, &m, &kb, timeout);
	if (r < 0)
		return r;
	long c = ch_dev_reply_check(q->type, rep, kb.len, rep_len, kb.nhandles, nh);
	if (c < 0)
		r = c;
	if (r < 0)
		for (uint32_t i = 0; i < kb.nhandles && i < nh; i++)
			ch_cap_drop(hs[i]);
	return r;
}
