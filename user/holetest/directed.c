/*
 * directed.c - directed tests for what only the fuzzer or a whole-run timeout
 * used to catch (issue 14): a target or handle argument wider than 32 bits, a
 * stale handle whose slot was reused, MEM_CREATE_FILL's zeroes over recycled
 * pages, and a kill that ends every thread of a process, whatever each is
 * doing. The last one's wait is bounded by the child's progress (its pool
 * shrinking), not by how fast the host is (map.c's ht_kill_child).
 */
#include "holetest.h"

#include <charlotte/start.h>

#include <stdlib.h>
#include <string.h>

#include <charlotte/actions.h>
#include <charlotte/thread.h>

#define PAGE 4096u

#define DIRECTED_VA UINT64_C(0x310000000000)

/* A system call with a full 64-bit target: libcharlotte's wrappers take a
 * 32-bit handle_t, so they cannot say what a hostile program can. */
static long call_wide(uint64_t action, uint64_t target, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r10 __asm__("r10") = a2;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(action), "D"(target), "S"(a0), "d"(a1), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* Upper halves a hostile program might put above a valid handle. */
static const uint64_t wide_bits[] = {UINT64_C(1) << 32, UINT64_C(1) << 63,
                                     UINT64_C(0xffffffff00000000)};
#define NWIDE (sizeof(wide_bits) / sizeof(wide_bits[0]))

/* One capability per target type, derived without rights where we can: a kernel
 * that truncated the target would find it and answer ERR_ACCESS_DENIED (or act
 * on a capability that can do nothing), never ERR_BAD_HANDLE. */
struct wide_caps {
	handle_t by_type[OBJ_TYPE_COUNT];
	handle_t owned[OBJ_TYPE_COUNT * 2];
	unsigned nowned;
	handle_t full_process; /* RIGHTS_ALL */
};

static handle_t keep(struct wide_caps *w, handle_t h)
{
	if (h != HANDLE_INVALID && w->nowned < sizeof(w->owned) / sizeof(w->owned[0]))
		w->owned[w->nowned++] = h;
	return h;
}

static void set_type(struct wide_caps *w, uint32_t type, handle_t h)
{
	handle_t weak;
	if (h == HANDLE_INVALID)
		return;
	w->by_type[type] = ch_cap_derive(h, 0, 0, &weak) == 0 ? keep(w, weak) : h;
}

static void wide_caps_make(struct wide_caps *w)
{
	handle_t h, e[2];
	memset(w, 0, sizeof(*w));
	set_type(w, OBJ_MEMORY_POOL, ht_pool);
	set_type(w, OBJ_ADDRESS_SPACE, ht_as);
	set_type(w, OBJ_PROCESS, ht_self);
	set_type(w, OBJ_DEBUG_LOG, ht_log);
	set_type(w, OBJ_NS_NODE, ch_handle("ns.proc")); /* an empty directory of the kernel's */
	if (ch_mem_create(ht_pool, PAGE, &h) == 0)
		set_type(w, OBJ_MEMORY, keep(w, h));
	if (ch_thread_create(ht_self, &h) == 0) /* never started */
		set_type(w, OBJ_THREAD, keep(w, h));
	if (ch_channel_create(ht_pool, 0, e) == 0) {
		keep(w, e[1]);
		set_type(w, OBJ_ENDPOINT, keep(w, e[0]));
	}
	if (ch_waitset_create(ht_pool, &h) == 0)
		set_type(w, OBJ_WAITSET, keep(w, h));
	if (ch_group_create(ht_pool, 0, &h) == 0)
		set_type(w, OBJ_GROUP, keep(w, h));
	set_type(w, OBJ_DEVICE, ch_handle("hw")); /* the root device */
	set_type(w, OBJ_SCHED, ch_handle("sched")); /* the scheduler's control */
	/* a device's MMIO (the std VGA's BAR2), ports and an interrupt (the i8042's) */
	struct hw_device_info info;
	for (uint32_t i = 0; ch_dev_enum(ch_handle("hw"), i, &info, NULL) == 0; i++) {
		handle_t dev, x;
		bool vga = info.vendor == 0x1234 && info.device == 0x1111;
		if (!vga && strcmp(info.name, "i8042") != 0)
			continue;
		if (ch_dev_enum(ch_handle("hw"), i, &info, &dev) < 0)
			continue;
		keep(w, dev);
		if (vga && ch_dev_mmio(dev, 2, &x) == 0)
			set_type(w, OBJ_MMIO, keep(w, x));
		if (!vga && ch_dev_ioport(dev, 0, &x) == 0)
			set_type(w, OBJ_IOPORT, keep(w, x));
		if (!vga && ch_dev_irq(dev, HW_IRQ_INTX, 1, &x) == 0)
			set_type(w, OBJ_IRQ, keep(w, x));
	}
	/* a process we hold every right on (never started), for the handle-argument test */
	struct proc_create_out pc;
	if (ch_proc_create(ht_pool, "wide", 4, &pc) == 0) {
		keep(w, pc.address_space);
		w->full_process = keep(w, pc.process);
	}
}

static void wide_caps_drop(struct wide_caps *w)
{
	for (unsigned i = w->nowned; i-- > 0;)
		ch_cap_drop(w->owned[i]);
}

/* Every action that takes a target, with bits above 31 set over a live handle of
 * the right type: ERR_BAD_HANDLE, never a lookup of the truncated value. */
HOLE_TEST(wide_target_handles)
{
	struct wide_caps w;
	wide_caps_make(&w);
	for (unsigned i = 0; i < ch_nactions && !ch_test_failed(); i++) {
		const struct ch_action *a = &ch_actions[i];
		if (strncmp(a->name, "SYS_SELF_", 9) == 0)
			continue; /* no target */
		/* OBJ_NONE: any type (the SYS_CAP_* actions); a memory object will do */
		handle_t h = w.by_type[a->type == OBJ_NONE ? OBJ_MEMORY : a->type];
		if (h == HANDLE_INVALID) {
			ch_test_fail("%s: no capability of type %u to aim at", a->name, a->type);
			break;
		}
		for (unsigned k = 0; k < NWIDE; k++) {
			long r = call_wide(a->action, wide_bits[k] | h, 0, 0, 0);
			if (r != ERR_BAD_HANDLE)
				ch_test_fail("%s, target %#llx: got %s, want ERR_BAD_HANDLE",
				             a->name, (unsigned long long)(wide_bits[k] | h),
				             ch_error_name(r));
		}
	}
	wide_caps_drop(&w);
}

/* Handle arguments (not the target) are as wide as a register too. */
struct handle_arg {
	uint64_t action;
	const char *name;
	uint32_t target_type;
	unsigned arg; /* 0: a0, 1: a1, 2: a2 */
	uint32_t arg_type;
};

static const struct handle_arg handle_args[] = {
    {SYS_AS_MAP, "SYS_AS_MAP", OBJ_ADDRESS_SPACE, 1, OBJ_MEMORY},
    {SYS_PROC_GRANT, "SYS_PROC_GRANT", OBJ_PROCESS, 0, OBJ_MEMORY},
    {SYS_WAITSET_ADD, "SYS_WAITSET_ADD", OBJ_WAITSET, 0, OBJ_ENDPOINT},
    {SYS_THREAD_SET_PAGER, "SYS_THREAD_SET_PAGER", OBJ_THREAD, 0, OBJ_ENDPOINT},
    {SYS_THREAD_SET_SCHED, "SYS_THREAD_SET_SCHED", OBJ_THREAD, 2, OBJ_SCHED},
};

HOLE_TEST(wide_handle_arguments)
{
	struct wide_caps w;
	wide_caps_make(&w);
	/* full-rights targets, so the argument is what gets refused */
	handle_t full[OBJ_TYPE_COUNT] = {0};
	full[OBJ_ADDRESS_SPACE] = ht_as;
	full[OBJ_PROCESS] = w.full_process;
	for (unsigned i = 0; i < w.nowned; i++) {
		struct cap_info ci;
		if (ch_cap_inspect(w.owned[i], &ci) == 0 && !full[ci.type])
			full[ci.type] = w.owned[i];
	}
	for (unsigned i = 0; i < sizeof(handle_args) / sizeof(handle_args[0]); i++) {
		const struct handle_arg *a = &handle_args[i];
		if (!ch_action_find(a->action))
			continue; /* an action that went away */
		handle_t t = full[a->target_type], h = w.by_type[a->arg_type];
		if (t == HANDLE_INVALID || h == HANDLE_INVALID) {
			ch_test_fail("%s: no target or argument capability", a->name);
			break;
		}
		for (unsigned k = 0; k < NWIDE; k++) {
			uint64_t wide = wide_bits[k] | h;
			long r = call_wide(a->action, t, a->arg == 0 ? wide : 0,
			                   a->arg == 1 ? wide : 0, a->arg == 2 ? wide : 0);
			if (r != ERR_BAD_HANDLE)
				ch_test_fail("%s, handle argument a%u = %#llx: got %s, want "
				             "ERR_BAD_HANDLE",
				             a->name, a->arg, (unsigned long long)wide,
				             ch_error_name(r));
		}
	}
	wide_caps_drop(&w);
}

/*
 * A handle whose slot was freed and handed out again must not name the new
 * capability: the slot's generation moved on (abi/handle.h). Free slots are
 * reused in FIFO order, so duplicate-and-drop until the old index comes back.
 */
HOLE_TEST(stale_handle_reused_slot)
{
	handle_t old, mem, h = HANDLE_INVALID;
	struct cap_info ci;
	struct pool_info pi;
	uint64_t size;

	EXPECT_OK(ch_cap_duplicate(ht_pool, &old));
	EXPECT_OK(ch_mem_create(ht_pool, PAGE, &mem)); /* before the drop: not old's slot */
	EXPECT_OK(ch_cap_drop(old));
	for (uint32_t i = 0; i <= HANDLE_INDEX_MASK; i++) {
		EXPECT_OK(ch_cap_duplicate(mem, &h));
		if (HANDLE_INDEX(h) == HANDLE_INDEX(old))
			break;
		EXPECT_OK(ch_cap_drop(h));
		h = HANDLE_INVALID;
	}
	if (h == HANDLE_INVALID) {
		ch_cap_drop(mem);
		CHECK(false, "slot %u was never handed out again", HANDLE_INDEX(old));
	}
	CHECK(h != old, "slot %u came back with the same handle 0x%x", HANDLE_INDEX(old), old);
	EXPECT_OK(ch_cap_inspect(h, &ci));
	CHECK(ci.type == OBJ_MEMORY, "the new capability has type %u", ci.type);
	/* the old value names nothing: not the pool it was, not the memory there now */
	EXPECT_ERR(ch_cap_inspect(old, &ci), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_pool_info(old, &pi), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_mem_info(old, &size), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_cap_drop(old), ERR_BAD_HANDLE);
	EXPECT_OK(ch_mem_info(h, &size)); /* and the failed drop left the new one alone */
	EXPECT_OK(ch_cap_drop(h));
	EXPECT_OK(ch_cap_drop(mem));
}

/*
 * MEM_CREATE_FILL over pages that were just dirtied and freed (the allocator
 * hands recently freed pages out first): only the fill range holds data, every
 * other byte of every page, the tail past an unaligned size included, is zero.
 */
#define RECYCLE_PAGES 64u

HOLE_TEST(mem_fill_zeroes_recycled_tail)
{
	static uint8_t src[3000];
	const uint64_t size = RECYCLE_PAGES * PAGE - 100; /* rounds up to 64 pages */
	const uint8_t *p = (const uint8_t *)(uintptr_t)DIRECTED_VA;

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 13 + 5);
	for (unsigned round = 0; round < 4; round++) {
		handle_t dirty, m;
		EXPECT_OK(ch_mem_create(ht_pool, RECYCLE_PAGES * PAGE, &dirty));
		EXPECT_OK(ch_as_map(ht_as, DIRECTED_VA, dirty, 0, RECYCLE_PAGES * PAGE,
		                    PROT_READ | PROT_WRITE));
		memset((void *)(uintptr_t)DIRECTED_VA, 0xa5, RECYCLE_PAGES * PAGE);
		EXPECT_OK(ch_as_unmap(ht_as, DIRECTED_VA, RECYCLE_PAGES * PAGE));
		EXPECT_OK(ch_cap_drop(dirty)); /* its pages go back dirty */

		uint64_t off = 100 + round * 5000; /* a range that starts mid-page */
		struct mem_fill f = {
		    .offset = off, .len = sizeof(src), .src = (uint64_t)(uintptr_t)src};
		EXPECT_OK(ch_mem_create_filled(ht_pool, size, &f, &m));
		EXPECT_OK(ch_as_map(ht_as, DIRECTED_VA, m, 0, RECYCLE_PAGES * PAGE, PROT_READ));
		uint64_t bad = UINT64_MAX;
		uint8_t got = 0;
		for (uint64_t i = 0; i < RECYCLE_PAGES * PAGE && bad == UINT64_MAX; i++) {
			bool in = i >= off && i < off + sizeof(src);
			if (p[i] != (in ? src[i - off] : 0)) {
				bad = i;
				got = p[i];
			}
		}
		EXPECT_OK(ch_as_unmap(ht_as, DIRECTED_VA, RECYCLE_PAGES * PAGE));
		EXPECT_OK(ch_cap_drop(m));
		CHECK(bad == UINT64_MAX, "round %u: byte %llu is 0x%02x (fill at %llu..%llu)",
		      round, (unsigned long long)bad, got, (unsigned long long)off,
		      (unsigned long long)(off + sizeof(src)));
	}
}

/*
 * A child whose threads are everywhere a thread can be: asleep, blocked in a
 * kbus receive, in a kbus call nobody answers, in a waitset wait, and spinning.
 * The parent kills it: every thread must end (the process ends and its pool
 * comes back).
 */
#define KILL_BLOCKED 12u /* threads of each blocked kind */
#define KILL_SPINNERS 2u
#define KILL_STACK 4096
static handle_t kill_ep[2], kill_ws;
static unsigned kill_ready;

static void ready(void)
{
	__atomic_fetch_add(&kill_ready, 1, __ATOMIC_RELAXED);
}

static int sleeper(void *arg)
{
	(void)arg;
	ready();
	for (;;)
		ch_sleep_ns(HT_LONG);
	return 0; /* never reached */
}

static int receiver(void *arg)
{
	(void)arg;
	uint8_t b;
	struct kbus_buf buf = {.data = &b, .capacity = 1};
	ready();
	for (;;)
		ch_kbus_recv(kill_ep[0], &buf, 0, UINT64_MAX); /* nobody sends */
	return 0; /* never reached */
}

static int caller(void *arg)
{
	(void)arg;
	uint8_t b = 1, r;
	struct kbus_msg m = {.data = &b, .len = 1};
	struct kbus_buf rep = {.data = &r, .capacity = 1};
	ready();
	for (;;)
		ch_kbus_call(kill_ep[1], &m, &rep, UINT64_MAX); /* nobody answers */
	return 0; /* never reached */
}

static int waiter(void *arg)
{
	(void)arg;
	struct kbus_event ev;
	ready();
	for (;;)
		ch_waitset_wait(kill_ws, &ev, 1, UINT64_MAX);
	return 0; /* never reached */
}

static int spinner(void *arg)
{
	(void)arg;
	ready();
	for (;;)
		__asm__ volatile("pause");
	return 0; /* never reached */
}

HOLE_CHILD(threads_everywhere)
{
	(void)arg;
	int (*const kinds[])(void *) = {sleeper, receiver, caller, waiter};
	const unsigned nkinds = sizeof(kinds) / sizeof(kinds[0]);
	const unsigned total = nkinds * KILL_BLOCKED + KILL_SPINNERS;
	char *stacks = malloc((size_t)total * KILL_STACK);
	handle_t hs[2], th;
	if (!stacks || ch_channel_create(ht_pool, 4, kill_ep) < 0 ||
	    ch_waitset_create(ht_pool, &kill_ws) < 0 || ch_channel_create(ht_pool, 4, hs) < 0 ||
	    ch_waitset_add(kill_ws, hs[0], KBUS_EV_READABLE, 1) < 0)
		return 1;
	for (unsigned i = 0; i < total; i++) {
		int (*fn)(void *) = i < nkinds * KILL_BLOCKED ? kinds[i % nkinds] : spinner;
		if (ch_thread_spawn(fn, NULL, stacks + (size_t)i * KILL_STACK, KILL_STACK, &th) < 0)
			return 2;
	}
	while (__atomic_load_n(&kill_ready, __ATOMIC_RELAXED) < total)
		ch_yield();
	ht_say_started();
	return sleeper(NULL);
}

HOLE_TEST(kill_ends_every_thread)
{
	ht_kill_child("threads_everywhere", NULL);
}
