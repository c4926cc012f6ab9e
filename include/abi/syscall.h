/*
 * syscall.h - the system call ABI: "target, action, arguments".
 *
 * Every system call names a target capability handle and an action on the
 * target's type. Register convention (x86-64 `syscall` instruction):
 *
 *     rax  action (SYS_*)                 -> result: >= 0 success, < 0 ERR_*
 *     rdi  target handle (0 for SYS_SELF_* actions, which act on the caller)
 *     rsi, rdx, r10, r8, r9   arguments a0..a4
 *     rcx, r11 are clobbered (by the CPU); all other registers are preserved.
 *
 * The kernel checks, in this order: the action exists (ERR_NOT_SUPPORTED),
 * the handle names a live capability (ERR_BAD_HANDLE), the object has the
 * action's type (ERR_WRONG_TYPE), the capability holds the action's rights
 * (ERR_ACCESS_DENIED), then the arguments (ERR_INVALID_ARGS, ERR_BAD_ADDRESS
 * for user pointers that are unmapped, kernel or non-canonical, ...). A call
 * that fails changes nothing. Output goes through user pointers that the
 * kernel writes with fault-safe copies.
 *
 * Action numbers are (object type << 8) | operation, so the type an action
 * expects is visible in its number. The right each action needs is noted
 * next to it.
 */
#pragma once
#include <stdint.h>
#include <abi/handle.h>

#define SYS_ACTION(type, op) (((type) << 8) | (op))
#define SYS_ACTION_TYPE(a) ((a) >> 8)

/* --- The caller itself (target ignored, pass 0) --- */
#define SYS_SELF_NULL 0x01 /* does nothing; returns 0 (benchmarks) */
#define SYS_SELF_THREAD_EXIT 0x02 /* a0 = code; ends the calling thread */
#define SYS_SELF_PROCESS_EXIT 0x03 /* a0 = code; ends every thread of the process */
#define SYS_SELF_YIELD 0x04 /* give up the rest of the time slice */
#define SYS_SELF_CLOCK 0x05 /* returns monotonic nanoseconds since boot */
#define SYS_SELF_SLEEP 0x06 /* a0 = nanoseconds */

/* --- Any capability (generic rights) --- */
/* a0 = rights, a1 = badge, a2 = handle_t *out. RIGHT_DUPLICATE; the rights must be
 * a subset of the target's (docs/capabilities.md has the badge rule). */
#define SYS_CAP_DERIVE 0x10
#define SYS_CAP_DUPLICATE 0x11 /* a0 = handle_t *out. RIGHT_DUPLICATE */
#define SYS_CAP_DROP 0x12 /* frees the slot. Needs nothing */
#define SYS_CAP_REVOKE 0x13 /* invalidates every descendant. RIGHT_REVOKE */
#define SYS_CAP_INSPECT 0x14 /* a0 = struct cap_info *out. RIGHT_INSPECT */

/* --- Memory pools (OBJ_MEMORY_POOL): quotas of physical memory --- */
#define SYS_POOL_MEM_CREATE SYS_ACTION(OBJ_MEMORY_POOL, 1)
/* a0 = size in bytes (rounded up to pages, > 0), a1 = flags (0 or MEM_CREATE_FILL),
 * a2 = handle_t *out, a3 = const struct mem_fill * (MEM_CREATE_FILL only).
 * RIGHT_CREATE. The new memory object is zero-filled and charged to the pool;
 * the returned capability has RIGHT_READ|WRITE|EXEC|MAP|DUPLICATE|TRANSFER|INSPECT|REVOKE.
 * With MEM_CREATE_FILL, bytes [offset, offset + len) of the object are copied from
 * the caller's memory at src instead (the rest is zero): ERR_OUT_OF_RANGE if the
 * range leaves the object, ERR_BAD_ADDRESS if src or the struct is unreadable. */
#define MEM_CREATE_FILL 0x1u

struct mem_fill {
	uint64_t offset; /* into the new object */
	uint64_t len; /* bytes to copy */
	uint64_t src; /* address in the caller's space */
};
#define SYS_POOL_MEM_CREATE_PAGED SYS_ACTION(OBJ_MEMORY_POOL, 5)
/* a0 = size in bytes (rounded up to pages, 1 .. MEM_PAGED_MAX_SIZE), a1 = endpoint
 * handle (RIGHT_SEND): the pager, a2 = key (any value: each request carries it, so
 * one endpoint can serve many objects), a3 = handle_t *out. RIGHT_CREATE.
 * A paged memory object starts with no pages: its page table (8 bytes a page) is
 * charged to the pool now, each page when it is supplied (SYS_MEM_SUPPLY), and
 * everything is returned when the object is destroyed. Pages are never taken away
 * again while the object lives. A thread that touches an absent page through a
 * mapping of it (or a system call that copies from or to one) blocks while the
 * kernel calls the pager with a struct mem_page_request (32 bytes, so a pager
 * parked in SYS_KBUS_REPLY_RECV_FAST gets it in registers); the pager supplies
 * that page (and any others it likes) and replies. A reply whose first 4 bytes
 * are a nonzero int32, a closed endpoint, or a reply without the page supplied
 * means the fault stands: the process ends as PROC_FAULTED. A killed thread stops
 * waiting. Mappings show present pages at once (SYS_AS_MAP maps them) and absent
 * ones on first touch. Paged memory cannot be handed to a device for DMA
 * (ERR_WRONG_TYPE). The capability has the rights of SYS_POOL_MEM_CREATE's plus
 * RIGHT_MANAGE (supply); derive one without RIGHT_MANAGE (and without RIGHT_WRITE
 * for a read-only view) before handing it to anyone else. Errors: ERR_INVALID_ARGS
 * (size), ERR_NO_MEMORY (pool), ERR_WRONG_TYPE / ERR_ACCESS_DENIED (a1). */
/* 2 GiB: a page table of 4 MiB, the largest kernel block */
#define MEM_PAGED_MAX_SIZE (UINT64_C(1) << 31)

struct mem_page_request { /* what a pager receives (a call; reply to it) */
	uint64_t key; /* SYS_POOL_MEM_CREATE_PAGED's a2 */
	uint64_t offset; /* the absent page (page aligned) */
	uint64_t length; /* bytes wanted from offset: PAGE_SIZE; more may be supplied */
	uint32_t access; /* PROT_READ / PROT_WRITE / PROT_EXEC: the faulting access */
	uint32_t thread_id; /* object id of the faulting thread (low 32 bits) */
};

#define SYS_POOL_INFO SYS_ACTION(OBJ_MEMORY_POOL, 2)
/* a0 = struct pool_info *out. RIGHT_INSPECT */
#define SYS_POOL_SPLIT SYS_ACTION(OBJ_MEMORY_POOL, 3)
/* a0 = bytes, a1 = handle_t *out: a new pool whose quota is carved out of the target's
 * (returned to it when the new pool is destroyed). RIGHT_MANAGE */

struct pool_info {
	uint64_t quota; /* bytes this pool may have in use */
	uint64_t used; /* bytes charged now (memory objects, page tables, cspace growth) */
};

#define SYS_POOL_KMEM_INFO SYS_ACTION(OBJ_MEMORY_POOL, 4)
/* a0 = struct kmem_info *out: the machine's memory and the kernel heap, for
 * leak checks and `mem`. Only on the root pool (the machine's; Exec holds it
 * and grants it as it sees fit): ERR_ACCESS_DENIED on a pool split off
 * another, so a sandboxed process learns nothing of the rest of the machine.
 * RIGHT_INSPECT */

struct kmem_info {
	uint64_t total_pages; /* 4 KiB pages of RAM the kernel manages */
	uint64_t free_pages; /* not allocated now (page allocator) */
	uint64_t kheap_bytes; /* kmalloc: bytes handed out and not freed (at class size) */
	uint64_t kheap_objects; /* kmalloc: allocations not yet freed (slab and large) */
};

/* --- Memory objects (OBJ_MEMORY) --- */
#define SYS_MEM_INFO SYS_ACTION(OBJ_MEMORY, 1)
/* a0 = uint64_t *size_out. RIGHT_INSPECT */
#define SYS_MEM_SUPPLY SYS_ACTION(OBJ_MEMORY, 2)
/* a0 = offset, a1 = length (both page aligned, length > 0), a2 = source address in
 * the caller's space (length bytes), a3 = flags. RIGHT_MANAGE on a paged memory
 * object (only its creator's capability has it: ERR_ACCESS_DENIED otherwise, and
 * on any other memory object). With MEM_SUPPLY_ABSENT every absent page of
 * [offset, offset + length) gets a new page holding its bytes from the source
 * (charged to the object's pool); with MEM_SUPPLY_PRESENT every present page gets
 * its bytes copied in (a pager whose data changed keeps the pages coherent: every
 * mapping sees the new bytes); both flags: every page. Returns the number of pages
 * written. Runs a page at a time, preemptible and killable (ERR_INTERRUPTED after
 * a prefix). Errors: ERR_INVALID_ARGS (alignment, length 0, no or unknown flag),
 * ERR_OUT_OF_RANGE (beyond the object), ERR_BAD_ADDRESS (source unreadable: pages
 * before it stay supplied), ERR_NO_MEMORY (pool or memory exhausted: likewise). */
#define SYS_MEM_SET_CONTENT SYS_ACTION(OBJ_MEMORY, 3)
/* a0 = bytes, at most the object's size, or MEM_CONTENT_NONE. RIGHT_MANAGE (a paged
 * object's pager). How many bytes of the object are a file's contents: the kernel
 * then serves SYS_NS_READ of that file from the object's pages (a page absent is
 * asked of the pager first), never past that many bytes, instead of calling the
 * provider. A pager sets it before it answers the write or truncate that changed
 * the file's size, and MEM_CONTENT_NONE when the object stops showing the file
 * (the kernel then asks the provider for a new one). Objects start with
 * MEM_CONTENT_NONE. docs/namespace.md "Reads from a file's memory". Errors:
 * ERR_OUT_OF_RANGE (past the object). */
#define MEM_CONTENT_NONE UINT64_MAX
#define MEM_SUPPLY_ABSENT 0x1u
#define MEM_SUPPLY_PRESENT 0x2u

/* --- Address spaces (OBJ_ADDRESS_SPACE) --- */
#define SYS_AS_MAP SYS_ACTION(OBJ_ADDRESS_SPACE, 1)
/* a0 = vaddr, a1 = memory handle (an OBJ_MEMORY, or an OBJ_MMIO: a device's memory,
 * mapped uncached, abi/hw.h), a2 = offset, a3 = length, a4 = prot (PROT_*).
 * RIGHT_MAP on the address space; RIGHT_MAP on the memory plus RIGHT_READ, and
 * RIGHT_WRITE for PROT_WRITE, RIGHT_EXEC for PROT_EXEC. vaddr, offset, length page
 * aligned; the range must be in the user half, inside the memory object, and free
 * (ERR_ALREADY_EXISTS otherwise). PROT_WRITE|PROT_EXEC together is refused (W^X).
 * A long map runs in steps; other calls (and faults) on its range wait until it is
 * done, and a caller killed midway has it undone (ERR_INTERRUPTED). */
#define SYS_AS_UNMAP SYS_ACTION(OBJ_ADDRESS_SPACE, 2)
/* a0 = vaddr, a1 = length. RIGHT_MAP. Holes inside the range are ignored. */
#define SYS_AS_PROTECT SYS_ACTION(OBJ_ADDRESS_SPACE, 3)
/* a0 = vaddr, a1 = length, a2 = prot. RIGHT_MAP. The whole range must be mapped
 * (ERR_NOT_FOUND) and the mapped memory capabilities must allow the new prot. */
#define SYS_AS_QUERY SYS_ACTION(OBJ_ADDRESS_SPACE, 4)
/* a0 = vaddr, a1 = struct as_region *out: the mapping containing vaddr.
 * RIGHT_INSPECT. ERR_NOT_FOUND if unmapped. */

#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

struct as_region {
	uint64_t base; /* start of the mapping */
	uint64_t length; /* bytes */
	uint64_t offset; /* into the memory object */
	uint32_t prot; /* PROT_* */
	uint32_t reserved;
	uint64_t memory_id; /* object id of the mapped memory */
};

/* --- Processes (OBJ_PROCESS) --- */
#define SYS_PROC_CREATE SYS_ACTION(OBJ_MEMORY_POOL, 8)
/* target = a memory pool (RIGHT_CREATE) that pays for the new process's kernel
 * memory; a0 = const char *name, a1 = name length (<= 31), a2 = struct
 * proc_create_out *out. The process starts with an empty cspace, an empty
 * address space and no threads. Handles returned: the process (RIGHTS_ALL) and
 * its address space (RIGHTS_ALL). */
#define SYS_PROC_GRANT SYS_ACTION(OBJ_PROCESS, 1)
/* a0 = handle in the caller's cspace, a1 = rights (subset), a2 = handle_t *child_out:
 * puts a derived copy of the capability into the process's cspace. RIGHT_MANAGE on
 * the process, RIGHT_TRANSFER and RIGHT_DUPLICATE on the granted capability. */
#define SYS_PROC_KILL SYS_ACTION(OBJ_PROCESS, 2)
/* ends every thread of the process. RIGHT_MANAGE */
#define SYS_PROC_STATUS SYS_ACTION(OBJ_PROCESS, 3)
/* a0 = struct proc_status *out. RIGHT_INSPECT */
#define SYS_PROC_WAIT SYS_ACTION(OBJ_PROCESS, 4)
/* a0 = timeout in ns (UINT64_MAX: forever), a1 = struct proc_status *out (may be 0).
 * RIGHT_WAIT. Returns 0 once the process has ended, ERR_TIMED_OUT otherwise. */
#define SYS_PROC_SUSPEND SYS_ACTION(OBJ_PROCESS, 5)
/* RIGHT_MANAGE (as SYS_PROC_KILL). Every thread of the process stops at its next
 * return towards user mode (a thread blocked in a wait stays blocked and stops when
 * the wait returns; threads on other CPUs are interrupted), until SYS_PROC_RESUME.
 * A kill still ends a suspended process. Suspending a suspended process does
 * nothing; one that has ended (or whose end is decided) is ERR_BAD_STATE. A
 * process may suspend itself (the caller stops as its call returns). The status
 * reports PROC_FLAG_SUSPENDED and, in `stopped`, the threads parked so far. */
#define SYS_PROC_RESUME SYS_ACTION(OBJ_PROCESS, 6)
/* RIGHT_MANAGE. Lets the stopped threads run again; 0 on a process that is not
 * suspended, ERR_BAD_STATE once it has ended (or its end is decided). */

struct proc_create_out {
	handle_t process;
	handle_t address_space;
};

enum proc_state {
	PROC_RUNNING = 0,
	PROC_EXITED = 1, /* a thread called SYS_SELF_PROCESS_EXIT, or the last thread exited */
	PROC_KILLED = 2, /* SYS_PROC_KILL */
	PROC_FAULTED = 3, /* a thread took a CPU exception no one handled */
};

struct proc_status {
	uint32_t state; /* enum proc_state */
	int32_t code; /* exit code (PROC_EXITED) */
	uint32_t fault_vector; /* CPU exception number (PROC_FAULTED) */
	uint32_t threads; /* threads still alive */
	uint64_t fault_addr; /* cr2 for page faults */
	uint64_t fault_ip; /* instruction pointer of the fault */
	uint32_t flags; /* PROC_FLAG_* (a running process's state stays PROC_RUNNING) */
	uint32_t stopped; /* threads parked by a suspension (not those still in a wait) */
	uint64_t cpu_ns; /* CPU time its threads have run, ended threads included */
	uint64_t switches; /* times its threads were switched off a CPU (the same) */
};

#define PROC_FLAG_SUSPENDED 0x1u /* SYS_PROC_SUSPEND, not yet resumed */

/* --- Threads (OBJ_THREAD) --- */
#define SYS_THREAD_CREATE SYS_ACTION(OBJ_PROCESS, 8)
/* target = a process (RIGHT_MANAGE); a0 = handle_t *out: a new thread of that
 * process, not yet started (RIGHTS_ALL). */
#define SYS_THREAD_START SYS_ACTION(OBJ_THREAD, 1)
/* a0 = entry ip, a1 = stack pointer, a2 = first argument (rdi), a3 = second (rsi).
 * RIGHT_MANAGE. Both addresses must be canonical user addresses. */
#define SYS_THREAD_KILL SYS_ACTION(OBJ_THREAD, 2)
/* RIGHT_MANAGE */
#define SYS_THREAD_WAIT SYS_ACTION(OBJ_THREAD, 3)
/* a0 = timeout ns, a1 = int64_t *code_out (may be 0). RIGHT_WAIT. 0 once ended. */
#define SYS_THREAD_INFO SYS_ACTION(OBJ_THREAD, 4)
/* a0 = struct thread_info *out: the thread's accounting. RIGHT_INSPECT. */

struct thread_info {
	uint64_t cpu_ns; /* CPU time it has run (until its end, for an ended thread) */
	uint64_t switches; /* times it was switched off a CPU */
	uint32_t state; /* 0 not started, 1 running (or waiting, or stopped), 2 ended */
	uint32_t weight; /* its scheduling weight (abi/sched.h) */
	uint64_t affinity; /* CPUs it may run on (bit i = CPU i) */
	uint32_t cpu; /* the CPU it last ran on */
	uint32_t reserved;
	uint64_t wakeups; /* times it was woken from a block or a sleep */
	uint64_t wake_ns_total; /* sum over wakeups of wake-up to running */
	uint64_t wake_ns_max; /* the longest of them */
};

/* --- The kernel log (OBJ_DEBUG_LOG) and the serial console --- */
#define LOG_IO_MAX 4096u /* bytes one SYS_LOG_* call moves at most */
#define SYS_LOG_WRITE SYS_ACTION(OBJ_DEBUG_LOG, 1)
/* a0 = const char *buf, a1 = length (<= LOG_IO_MAX, else ERR_INVALID_ARGS).
 * RIGHT_WRITE. Each line becomes a log line "<process name>: <line>". */
#define SYS_LOG_READ SYS_ACTION(OBJ_DEBUG_LOG, 2)
/* a0 = char *buf, a1 = length (> 0; more than LOG_IO_MAX reads LOG_IO_MAX),
 * a2 = timeout ns (0: do not wait; UINT64_MAX: forever). RIGHT_MANAGE. Takes
 * bytes typed on the serial console (COM1), as they came: returns how many
 * (>= 1), ERR_SHOULD_WAIT (none, timeout 0), ERR_TIMED_OUT, ERR_INTERRUPTED
 * (killed), ERR_INVALID_ARGS (length 0), ERR_BAD_ADDRESS (buf; the bytes stay
 * queued). The kernel keeps up to 4,096 unread bytes; more are dropped (and
 * the count logged). A waitset with RIGHT_WAIT on the log sees
 * KBUS_EV_READABLE while input is queued. */
#define SYS_LOG_RAW_WRITE SYS_ACTION(OBJ_DEBUG_LOG, 3)
/* a0 = const char *buf, a1 = length (<= LOG_IO_MAX, else ERR_INVALID_ARGS).
 * RIGHT_MANAGE. The bytes go to the serial console unchanged (no prefix, no
 * \r added), not to the history; kernel log lines fall between lines, never
 * inside one (of up to 256 bytes). Returns length. */
#define SYS_LOG_HISTORY SYS_ACTION(OBJ_DEBUG_LOG, 4)
/* a0 = uint64_t *pos (read and written), a1 = char *buf, a2 = length (more
 * than LOG_IO_MAX reads LOG_IO_MAX). RIGHT_READ. The log keeps the last
 * 64 KiB it printed (kernel and SYS_LOG_WRITE lines), addressed by byte
 * position since boot. Copies from *pos (below the oldest byte kept: from
 * the oldest; past the newest: from the newest) and sets *pos after what it
 * copied. Returns bytes copied, 0 when up to date. ERR_BAD_ADDRESS: *pos is
 * not changed. */
#define SYS_LOG_CHECK SYS_ACTION(OBJ_DEBUG_LOG, 5)
/* a0 = struct kcheck_report *out (abi/debug.h). RIGHT_MANAGE. Runs the kernel's
 * invariant checker (kernel/debug/kcheck.c) over every process's capabilities, the
 * derivation links around them, the objects' reference counts and the pools they
 * name, in bounded batches with the locks released (and a kill honoured) between
 * them. 0: every invariant held (*out has the counts); ERR_BROKEN_INVARIANT: the first
 * broken one is in *out (kind, pid, slot, object, text) and in the kernel log;
 * ERR_INTERRUPTED (killed). */
#define SYS_LOG_COVERAGE SYS_ACTION(OBJ_DEBUG_LOG, 6)
/* a0 = struct kcov_info *out (abi/debug.h). RIGHT_READ. The kernel's coverage
 * figure: distinct kernel code addresses reached since boot. ERR_NOT_SUPPORTED
 * unless the kernel was built with KCOV=1 (docs/testing.md). */

/*
 * Initial state of a process's first thread as Charlotte Exec and libcharlotte's
 * spawn() set it up: rdi = argc, rsi = argv, rdx = envp, rcx = pointer to a
 * struct start_info in the child's memory (below the argument strings).
 */
#define START_INFO_MAGIC 0x43484c53u /* "CHLS" */
#define START_MAX_HANDLES 32

struct start_handle {
	char name[24]; /* e.g. "log", "pool", "self.process", "self.as" */
	handle_t handle;
	uint32_t reserved;
};

struct start_info {
	uint32_t magic;
	uint32_t nhandles;
	struct start_handle handles[START_MAX_HANDLES];
};
