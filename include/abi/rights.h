/*
 * rights.h - the 64-bit rights mask of a capability (shared with user space).
 *
 * A capability carries a set of rights; an action on its object needs some of
 * them (the kernel checks handle, then type, then rights, before anything
 * else). Rights only ever shrink: cap_derive() takes a subset, duplicate and
 * transfer keep the same set, and nothing adds a right to an existing
 * capability. docs/capabilities.md has the table of which object types use
 * which right.
 *
 * Layout: bits 0-15 are generic rights (meaningful for every object type),
 * bits 16-47 are type rights (meaning depends on the object type), bits 48-63
 * are reserved and must be zero. New rights take the next free bit in their
 * group; a right never changes bit once published.
 */
#pragma once
#include <stdint.h>

/* --- Generic rights (bits 0-15) --- */
/* Make another capability to the same object: cap_duplicate, cap_derive. */
#define RIGHT_DUPLICATE (UINT64_C(1) << 0)
/* Move or copy the capability to another cspace (kbus messages). */
#define RIGHT_TRANSFER (UINT64_C(1) << 1)
/* Read type, rights, badge and object id: cap_inspect. */
#define RIGHT_INSPECT (UINT64_C(1) << 2)
/* Invalidate every capability derived from this one: cap_revoke. */
#define RIGHT_REVOKE (UINT64_C(1) << 3)

/* --- Type rights (bits 16-47) --- */
/* Read contents or state (memory, device registers, namespace file data). */
#define RIGHT_READ (UINT64_C(1) << 16)
/* Write contents or state. */
#define RIGHT_WRITE (UINT64_C(1) << 17)
/* Map or run as executable code. */
#define RIGHT_EXEC (UINT64_C(1) << 18)
/* Map memory into an address space / map into this address space. */
#define RIGHT_MAP (UINT64_C(1) << 19)
/* Send a message on an endpoint. */
#define RIGHT_SEND (UINT64_C(1) << 20)
/* Receive a message from an endpoint. */
#define RIGHT_RECV (UINT64_C(1) << 21)
/* Raise a signal (user signal bits, thread kill, interrupt ack). */
#define RIGHT_SIGNAL (UINT64_C(1) << 22)
/* Wait on the object (waitset membership, thread join, interrupt wait). */
#define RIGHT_WAIT (UINT64_C(1) << 23)
/* Resolve names below a namespace node. */
#define RIGHT_LOOKUP (UINT64_C(1) << 24)
/* Create children: objects from a pool, entries in a node, threads in a process. */
#define RIGHT_CREATE (UINT64_C(1) << 25)
/* Remove children: namespace entries, mappings, threads. */
#define RIGHT_REMOVE (UINT64_C(1) << 26)
/* Administrative control: configure a device, set priorities, load modules. */
#define RIGHT_MANAGE (UINT64_C(1) << 27)
/* List the entries of a namespace directory. */
#define RIGHT_ENUMERATE (UINT64_C(1) << 28)

/* Every generic right. */
#define RIGHTS_GENERIC (RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT | RIGHT_REVOKE)
/* Every type right defined so far. */
#define RIGHTS_TYPE                                                                              \
	(RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC | RIGHT_MAP | RIGHT_SEND | RIGHT_RECV |           \
	 RIGHT_SIGNAL | RIGHT_WAIT | RIGHT_LOOKUP | RIGHT_CREATE | RIGHT_REMOVE | RIGHT_MANAGE | \
	 RIGHT_ENUMERATE)
/* Every right defined so far; bits outside it are rejected with ERR_INVALID_ARGS. */
#define RIGHTS_ALL (RIGHTS_GENERIC | RIGHTS_TYPE)
/* No rights (a capability that can only be dropped or moved by its holder's parent). */
#define RIGHTS_NONE UINT64_C(0)
