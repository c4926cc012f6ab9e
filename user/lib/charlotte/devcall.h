/*
 * devcall.h - the kbus side every device class client shares (abi/dev/ring.h):
 * a checked call on a driver's endpoint and receiving a driver's message of
 * any shape; and the drivers' "ready" report.
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>

/*
 * A call on a driver's endpoint whose reply must be exactly rep_len bytes of
 * the request's type with a status (>= 0) and exactly nh handles, into hs. A
 * struct dev_status_reply with an error gives that error; any other shape
 * ERR_MALFORMED. On failure every handle received is dropped.
 */
long ch_dev_call(handle_t dev, const void *req, uint32_t len, void *rep, uint32_t rep_len,
                 handle_t *hs, uint32_t nh, uint64_t timeout);

/*
 * ch_dev_call's check of a reply (kmsg.c, no system call): got bytes arrived at
 * rep (got <= rep_len, rep_len bytes there) with nhandles handles, for a request
 * of type req_type wanting rep_len bytes and nh handles. Returns 0 if it is
 * that reply with a status >= 0 and nh handles; its status if it is that reply
 * with a status < 0, or a whole struct dev_status_reply (of any type) with one;
 * otherwise ERR_MALFORMED. Reads no more than got bytes at rep.
 */
long ch_dev_reply_check(uint32_t req_type, const void *rep, uint32_t got, uint32_t rep_len,
                        uint32_t nhandles, uint32_t nh);

/* A driver's report to its spawner: if we were granted an endpoint "ready"
 * (charlotte/driver.h), sends it result: 0 once the driver serves, or why not. */
void ch_dev_ready(long result);

/* Receives one message of any shape on ep (its handles dropped), copying at most
 * cap bytes into buf; its length in *len. Errors of ch_kbus_recv. */
long ch_dev_recv_any(handle_t ep, void *buf, uint32_t cap, uint32_t *len, uint64_t timeout);
