/*
 * devcall.h - the client half of every device class's control calls
 * (abi/dev/ring.h): a call whose reply must have the request's type, an exact
 * length and a status, and a receive that takes any message a driver sends
 * (dropping its handles), so a driver cannot jam a client's queue with a
 * message the client would refuse. Used by net.c; blk.c has its own copy
 * from before this file (FIXME: blk.c to use it once drv has landed).
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>

/*
 * Calls dev with the len bytes of req (a struct starting with dev_msg_hdr). The
 * reply must be exactly rep_len bytes of req's type with status >= 0 and
 * carry exactly nh handles into hs; else ERR_MALFORMED (a dev_status_reply
 * with an error gives that error). On failure no handle is kept.
 */
long ch_dev_call(handle_t dev, const void *req, uint32_t len, void *rep, uint32_t rep_len,
                 handle_t *hs, uint32_t nh, uint64_t timeout);

/* Receives one message on ep (any size, handles dropped); its first cap bytes
 * into buf, its length into *len. Errors of ch_kbus_recv (ERR_PEER_CLOSED,
 * ERR_TIMED_OUT). */
long ch_dev_recv_any(handle_t ep, void *buf, uint32_t cap, uint32_t *len, uint64_t timeout);
