/*
 * handle.h - capability handles, object types and cap_info (shared with user space).
 *
 * A handle names one capability in the caller's cspace. It is a 32-bit value:
 *
 *     31            20 19                              0
 *    +----------------+--------------------------------+
 *    |  generation    |          slot index            |
 *    +----------------+--------------------------------+
 *         12 bits                  20 bits
 *
 * Each slot has a generation counter in 1..4095 that advances whenever the slot
 * is freed (drop, revoke, move, cspace destruction), so a handle to a freed
 * slot stops working at once and is refused with ERR_BAD_HANDLE; a recycled
 * slot gets a different handle. Generation 0 is never used, so no handle below
 * 1 << 20 is ever valid; in particular HANDLE_INVALID (0) never names anything.
 * Free slots are reused in FIFO order, so a stale handle can only alias a live
 * one after its slot has been reused 4095 times.
 *
 * A handle means nothing outside its cspace: the same value in another process
 * names another capability (or none).
 */
#pragma once
#include <stdint.h>

typedef uint32_t handle_t;

#define HANDLE_INVALID ((handle_t)0)
#define HANDLE_INDEX_BITS 20
#define HANDLE_GEN_BITS 12
#define HANDLE_INDEX_MASK ((UINT32_C(1) << HANDLE_INDEX_BITS) - 1)
#define HANDLE_GEN_MAX ((UINT32_C(1) << HANDLE_GEN_BITS) - 1)
#define HANDLE_INDEX(h) ((uint32_t)(h)&HANDLE_INDEX_MASK)
#define HANDLE_GEN(h) ((uint32_t)(h) >> HANDLE_INDEX_BITS)
#define HANDLE_MAKE(index, gen) ((handle_t)(((uint32_t)(gen) << HANDLE_INDEX_BITS) | (index)))

/*
 * Kernel object types. Values are ABI: never renumber, only append before
 * OBJ_TYPE_COUNT; a retired value is never reused. OBJ_NONE is not an object;
 * cap_lookup() takes it to mean "any type".
 */
enum obj_type {
	OBJ_NONE = 0,
	OBJ_MEMORY = 1, /* physical memory that can be mapped */
	OBJ_ADDRESS_SPACE = 2, /* a user address space */
	OBJ_THREAD = 3, /* a thread of execution */
	OBJ_PROCESS = 4, /* a process: address space + cspace + threads */
	OBJ_ENDPOINT = 5, /* one end of a kbus channel */
	OBJ_WAITSET = 6, /* waits on many endpoints and signals */
	OBJ_NS_NODE = 7, /* a namespace node */
	OBJ_DEVICE = 8, /* a device of some class */
	OBJ_IRQ = 9, /* an interrupt line */
	OBJ_IOPORT = 10, /* a range of I/O ports */
	OBJ_MMIO = 11, /* a memory-mapped I/O region */
	OBJ_MODULE_LOADER = 12, /* the right to load kernel modules */
	OBJ_MEMORY_POOL = 13, /* a quota of physical memory */
	OBJ_DEBUG_LOG = 14, /* the kernel log */
	/* 15: retired (the test object, now a type of the test kernel only) */
	OBJ_GROUP = 16, /* a kbus multicast group */
	OBJ_SCHED = 17, /* the scheduler's control: tunables and statistics (abi/sched.h) */
	OBJ_TYPE_COUNT
};

/* What cap_inspect() reports about a capability (needs RIGHT_INSPECT). */
struct cap_info {
	uint32_t type; /* enum obj_type */
	uint32_t reserved; /* zero */
	uint64_t rights; /* RIGHT_* mask */
	uint64_t badge; /* 0 = no badge */
	uint64_t object_id; /* unique for the kernel's lifetime; never reused */
};
