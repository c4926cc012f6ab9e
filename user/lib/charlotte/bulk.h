/*
 * bulk.h - bulk data over kbus: the bytes stay in shared memory, only a memory
 * capability travels.
 *
 * Protocol (one typed message, kbus.h, of type CH_MSG_TYPE_BULK):
 *     struct ch_bulk_msg { hdr; offset; len; tag; }  + exactly one handle: the memory
 * The payload is bytes [offset, offset + len) of that memory object; tag is the
 * application's (a request id, a file offset ...). The sender
 *   1. ch_bulk_create(): creates a memory object from "pool" and maps it read-write
 *      at a reserved address (pager.h's ch_va_reserve);
 *   2. fills it through b->addr;
 *   3. ch_bulk_send() with one of
 *        CH_BULK_MOVE      the capability itself moves: the sender no longer holds it
 *                          (b->mem becomes HANDLE_INVALID; its mapping stays until
 *                          ch_bulk_destroy), the receiver gets every right;
 *        CH_BULK_COPY      the kernel copies the capability (needs DUPLICATE): both
 *                          hold it with the same rights;
 *        CH_BULK_READONLY  a capability derived with READ|MAP|INSPECT|TRANSFER only
 *                          moves: the receiver can map it read-only and nothing more,
 *                          and the sender can take it back with ch_cap_revoke(b->mem)
 *                          (mappings made before the revoke stay).
 * The receiver calls ch_bulk_recv(), which checks the message (type, one handle,
 * a memory object, [offset, offset + len) inside it), maps the whole object
 * read-only at a reserved address and hands back a view; after reading it calls
 * ch_bulk_destroy() (unmap, drop). Neither side copies the payload, and the
 * receiver never gets write access through its mapping. The sender keeps its own
 * mapping in every mode, so it can still write the pages: the two sides agree on
 * who writes when (here: a buffer is not touched by its sender once sent).
 */
#pragma once

#include <stdint.h>

#include <abi/handle.h>

#include "kbus.h"

struct ch_bulk {
	handle_t mem; /* our capability (HANDLE_INVALID once moved away) */
	void *addr; /* where it is mapped in our space */
	uint64_t size; /* bytes mapped (the object's size) */
	uint64_t offset, len; /* receiver: where the payload is */
	uint64_t tag; /* receiver: the sender's tag */
};

struct ch_bulk_msg {
	struct ch_msg_hdr hdr;
	uint64_t offset;
	uint64_t len;
	uint64_t tag;
};

/*
 * ch_bulk_recv's checks (kmsg.c, no system call). ch_bulk_msg_check: the len
 * bytes at data are a whole struct ch_bulk_msg of type CH_MSG_TYPE_BULK, with
 * exactly one handle (hs[0], read only then), not HANDLE_INVALID.
 * ch_bulk_range_check: [m->offset, m->offset + m->len) lies within size bytes,
 * without wrapping. Each returns 0 or ERR_MALFORMED.
 */
int ch_bulk_msg_check(const void *data, uint32_t len, uint32_t nhandles, const handle_t *hs);
int ch_bulk_range_check(const struct ch_bulk_msg *m, uint64_t size);

enum ch_bulk_mode { CH_BULK_MOVE = 0, CH_BULK_COPY = 1, CH_BULK_READONLY = 2 };

/*
 * A new zero-filled buffer of size bytes (rounded up to pages) from pool
 * (HANDLE_INVALID: our "pool"), mapped read-write in our space. Errors: ERR_NOT_FOUND
 * (no pool or "self.as"), ERR_NO_RESOURCES (address space), those of memory creation
 * and mapping.
 */
int ch_bulk_create(handle_t pool, uint64_t size, struct ch_bulk *b);

/*
 * Sends bytes [offset, offset + len) of b on ep as mode says. ERR_INVALID_ARGS if
 * they are not inside b or mode is unknown; otherwise as ch_kbus_send (on failure
 * b is unchanged and we keep every capability).
 */
long ch_bulk_send(handle_t ep, struct ch_bulk *b, uint64_t offset, uint64_t len, uint64_t tag,
                  enum ch_bulk_mode mode, uint32_t flags, uint64_t timeout);

/*
 * Receives one bulk message on ep and maps its memory read-only; fills *b.
 * Returns the payload's length, ERR_MALFORMED (wrong type, not exactly one handle,
 * not memory, range outside the object; the message is consumed and its handles
 * dropped), or an error of receiving or mapping.
 */
long ch_bulk_recv(handle_t ep, struct ch_bulk *b, uint32_t flags, uint64_t timeout);

/* Unmaps b and drops its capability (if we still hold it). */
void ch_bulk_destroy(struct ch_bulk *b);
