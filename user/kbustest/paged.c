/*
 * paged.c - paged memory objects (SYS_POOL_MEM_CREATE_PAGED, SYS_MEM_SUPPLY): pages
 * absent until touched, supplied by a pager thread of ours on the kernel's call;
 * pages supplied ahead show at once; MEM_SUPPLY_PRESENT rewrites what every mapping
 * sees; a system call copying from an absent page waits for the pager too; the pool
 * pays per supplied page; every argument error. Cases that end a process (the pager
 * refuses, is gone, or never answers) run in children ("paged <how>").
 */
#include "kbustest.h"

#include <stdio.h>
#include <string.h>

#include <charlotte/start.h>
#include <charlotte/thread.h>

void ch_thread_trampoline(void); /* libcharlotte thread.c */

#define PG 4096u
#define PAGED_PAGES 16u
#define PAGED_VA (KT_VA + 0x400000) /* first mapping */
#define PAGED_VA2 (KT_VA + 0x800000) /* second mapping of the same object */
#define PAGED_KEY UINT64_C(0x6b6579) /* what the pager is told */
#define PAGED_STOP UINT64_C(0x53544f50) /* our own message: the pager ends */

/* The byte page i of the object holds once our pager supplied it (generation g). */
static uint8_t pattern(uint64_t i, unsigned g)
{
	return (uint8_t)(0x40 + i * 3 + g * 0x21);
}

struct pager {
	handle_t serve; /* the end the kernel's calls arrive on */
	handle_t mem; /* the object (RIGHT_MANAGE) */
	uint32_t requests; /* calls received (atomic) */
	uint64_t last_offset;
	int bad; /* a malformed request: its description in kt's log */
};

static uint8_t pager_stack[16384];
static uint8_t page_buf[PG] __attribute__((aligned(4096))); /* the pager thread's */
static uint8_t main_buf[2 * PG] __attribute__((aligned(4096))); /* the test's */

static int pager_main(void *arg)
{
	struct pager *p = arg;
	for (;;) {
		struct mem_page_request q = {0};
		struct kbus_buf b = {.data = &q, .capacity = sizeof(q)};
		if (ch_kbus_recv(p->serve, &b, 0, CH_FOREVER) < 0)
			return 1;
		if (b.len == sizeof(uint64_t) && q.key == PAGED_STOP)
			return 0;
		int32_t verdict = 0;
		if (!(b.flags & KBUS_MSG_CALL) || b.len != sizeof(q) || q.key != PAGED_KEY ||
		    q.offset % PG || q.length != PG || !(q.access & PROT_READ)) {
			p->bad = 1;
			verdict = ERR_MALFORMED;
		} else {
			memset(page_buf, pattern(q.offset / PG, 0), PG);
			if (ch_mem_supply(p->mem, q.offset, PG, page_buf, MEM_SUPPLY_ABSENT) < 0)
				verdict = ERR_IO;
			p->last_offset = q.offset;
		}
		__atomic_fetch_add(&p->requests, 1, __ATOMIC_RELEASE);
		ch_kbus_reply(p->serve, &(struct kbus_msg){.data = &verdict, .len = 4});
	}
}

static uint32_t requests(struct pager *p)
{
	return __atomic_load_n(&p->requests, __ATOMIC_ACQUIRE);
}

static uint8_t peek(uint64_t va)
{
	return *(volatile uint8_t *)va;
}

/* The pool test_paged_supply_and_fault's memory is charged to: one of its own, so
 * nothing else (our page tables, our threads, a killed child's pool coming back)
 * moves the single pages the accounting below counts. */
static handle_t paged_pool;

static long used(void)
{
	struct pool_info pi;
	long r = ch_pool_info(paged_pool, &pi);
	return r < 0 ? r : (long)pi.used;
}

/* Supply, fault, second mapping, present rewrite, a syscall's copy, accounting. */
static void test_paged_supply_and_fault(void)
{
	handle_t e[2], t, e2[2];
	struct pager p = {0};
	int64_t code;
	if (kt_channel(0, e))
		return;
	EXPECT_OK(ch_pool_split(kt_pool, 1u << 20, &paged_pool));
	long base = used();
	EXPECT_OK(ch_mem_create_paged(paged_pool, PAGED_PAGES * PG, e[0], PAGED_KEY, &p.mem));
	p.serve = e[1];
	long after_create = used();
	CHECK(after_create > base && after_create - base < (long)PG * 2,
	      "creating charged %ld bytes (want the page array and header only)",
	      after_create - base);
	/* page 0 supplied ahead: mapped at once, no request */
	memset(main_buf, pattern(0, 0), PG);
	CHECK(ch_mem_supply(p.mem, 0, PG, main_buf, MEM_SUPPLY_ABSENT) == 1, "supply ahead");
	CHECK(used() - after_create == PG, "a supplied page charged %ld bytes",
	      used() - after_create);
	EXPECT_OK(ch_thread_create(kt_self, &t));
	EXPECT_OK(ch_thread_start(t, (uint64_t)(uintptr_t)ch_thread_trampoline,
	                          (uint64_t)(uintptr_t)(pager_stack + sizeof(pager_stack)),
	                          (uint64_t)(uintptr_t)pager_main, (uint64_t)(uintptr_t)&p));
	EXPECT_OK(ch_as_map(kt_as, PAGED_VA, p.mem, 0, PAGED_PAGES * PG, PROT_READ));
	CHECK(peek(PAGED_VA) == pattern(0, 0) && requests(&p) == 0,
	      "page supplied ahead: byte %x, %u requests", peek(PAGED_VA), requests(&p));
	/* an absent page: one request, then present for good */
	CHECK(peek(PAGED_VA + 3 * PG + 17) == pattern(3, 0), "page 3 after its fault");
	CHECK(requests(&p) == 1 && p.last_offset == 3 * PG, "%u requests, last at %llx",
	      requests(&p), (unsigned long long)p.last_offset);
	CHECK(peek(PAGED_VA + 3 * PG + 4000) == pattern(3, 0) && requests(&p) == 1,
	      "page 3 again: %u requests", requests(&p));
	/* a second mapping shows the present pages at once */
	EXPECT_OK(ch_as_map(kt_as, PAGED_VA2, p.mem, 0, PAGED_PAGES * PG, PROT_READ));
	CHECK(peek(PAGED_VA2 + 3 * PG) == pattern(3, 0) && requests(&p) == 1,
	      "second mapping: %u requests", requests(&p));
	/* MEM_SUPPLY_PRESENT rewrites present pages only: both mappings see it */
	memset(main_buf, pattern(3, 1), PG);
	CHECK(ch_mem_supply(p.mem, 3 * PG, PG, main_buf, MEM_SUPPLY_PRESENT) == 1,
	      "present rewrite");
	CHECK(peek(PAGED_VA + 3 * PG) == pattern(3, 1) && peek(PAGED_VA2 + 3 * PG) == pattern(3, 1),
	      "rewritten page not seen by both mappings");
	CHECK(ch_mem_supply(p.mem, 5 * PG, PG, main_buf, MEM_SUPPLY_PRESENT) == 0,
	      "present rewrite of an absent page wrote it");
	CHECK(peek(PAGED_VA2 + 5 * PG) == pattern(5, 0) && requests(&p) == 2,
	      "page 5 after its fault: %u requests", requests(&p));
	/* both flags over a range: absent ones get pages, present ones new bytes */
	memset(main_buf, pattern(3, 1), sizeof(main_buf));
	long n =
	    ch_mem_supply(p.mem, 4 * PG, 2 * PG, main_buf, MEM_SUPPLY_ABSENT | MEM_SUPPLY_PRESENT);
	CHECK(n == 2 && peek(PAGED_VA + 4 * PG) == pattern(3, 1) &&
	          peek(PAGED_VA + 5 * PG) == pattern(3, 1),
	      "both flags: %ld pages, page 4 %x, page 5 %x (want %x), %u requests", n,
	      peek(PAGED_VA + 4 * PG), peek(PAGED_VA + 5 * PG), pattern(3, 1), requests(&p));
	/* the kernel copying from an absent page (a send's data) waits for the pager too */
	if (!kt_channel(0, e2)) {
		char got[64];
		uint32_t len = 0;
		EXPECT_OK(ch_kbus_send_bytes(e2[0], (const void *)(PAGED_VA + 9 * PG + 100), 64, 0,
		                             KT_LONG));
		EXPECT_OK(ch_kbus_recv_bytes(e2[1], got, sizeof(got), &len, 0, KT_LONG));
		CHECK(len == 64 && got[0] == (char)pattern(9, 0) &&
		          got[63] == (char)pattern(9, 0) && requests(&p) == 3,
		      "send from an absent page: len %u byte %x, %u requests", len,
		      (unsigned)(uint8_t)got[0], requests(&p));
		ch_cap_drop(e2[0]);
		ch_cap_drop(e2[1]);
	}
	CHECK(!p.bad, "the pager got a malformed request");
	long charged = used() - after_create;
	CHECK(charged == 5 * (long)PG, "5 pages present, %ld bytes charged for them", charged);
	/* stop the pager with a message of our own */
	uint64_t stop = PAGED_STOP;
	EXPECT_OK(ch_kbus_send_bytes(e[0], &stop, sizeof(stop), 0, KT_LONG));
	EXPECT_OK(ch_thread_wait(t, KT_LONG, &code));
	CHECK(code == 0, "pager thread ended with %lld", (long long)code);
	ch_cap_drop(t);
	EXPECT_OK(ch_as_unmap(kt_as, PAGED_VA, PAGED_PAGES * PG));
	EXPECT_OK(ch_as_unmap(kt_as, PAGED_VA2, PAGED_PAGES * PG));
	ch_cap_drop(p.mem);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
	CHECK(used() == base, "pool used %ld after everything went, %ld before", used(), base);
	ch_cap_drop(paged_pool);
}

/* Every refusal, none of which changes anything. */
static void test_paged_errors(void)
{
	handle_t e[2], mem, plain, weak, out;
	uint8_t *buf = main_buf;

	if (kt_channel(0, e))
		return;
	EXPECT_ERR(ch_mem_create_paged(kt_pool, 0, e[0], 1, &out), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_create_paged(kt_pool, MEM_PAGED_MAX_SIZE + 1, e[0], 1, &out),
	           ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_create_paged(kt_pool, PG, kt_pool, 1, &out), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_mem_create_paged(kt_pool, PG, 0x7777, 1, &out), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_mem_create_paged(kt_pool, PG, e[0], 1, (handle_t *)8), ERR_BAD_ADDRESS);
	EXPECT_OK(ch_mem_create_paged(kt_pool, 4 * PG, e[0], 1, &mem));
	EXPECT_ERR(ch_mem_supply(mem, 1, PG, buf, MEM_SUPPLY_ABSENT), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 0, 100, buf, MEM_SUPPLY_ABSENT), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 0, 0, buf, MEM_SUPPLY_ABSENT), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 0, PG, buf, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 0, PG, buf, 4), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 4 * PG, PG, buf, MEM_SUPPLY_ABSENT), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_mem_supply(mem, 2 * PG, 4 * PG, buf, MEM_SUPPLY_ABSENT), ERR_OUT_OF_RANGE);
	EXPECT_ERR(
	    ch_mem_supply(mem, UINT64_MAX & ~(uint64_t)(PG - 1), 2 * PG, buf, MEM_SUPPLY_ABSENT),
	    ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_mem_supply(mem, 0, PG, (const void *)0x1000, MEM_SUPPLY_ABSENT),
	           ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_mem_supply(mem, 0, PG, (const void *)UINT64_C(0xffff800000000000),
	                         MEM_SUPPLY_ABSENT),
	           ERR_BAD_ADDRESS);
	/* a capability without RIGHT_MANAGE cannot supply; nor can one to plain memory */
	EXPECT_OK(ch_cap_derive(mem, RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_mem_supply(weak, 0, PG, buf, MEM_SUPPLY_ABSENT), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_as_map(kt_as, PAGED_VA, weak, 0, PG, PROT_READ | PROT_WRITE),
	           ERR_ACCESS_DENIED);
	EXPECT_OK(ch_mem_create(kt_pool, PG, &plain));
	EXPECT_ERR(ch_mem_supply(plain, 0, PG, buf, MEM_SUPPLY_ABSENT), ERR_ACCESS_DENIED);
	/* nothing was supplied by any of it: the first good supply writes one page */
	CHECK(ch_mem_supply(mem, 0, PG, buf, MEM_SUPPLY_ABSENT) == 1, "first good supply");
	CHECK(ch_mem_supply(mem, 0, PG, buf, MEM_SUPPLY_ABSENT) == 0, "supplying twice");
	uint64_t size = 0;
	EXPECT_OK(ch_mem_info(weak, &size));
	CHECK(size == 4 * PG, "size %llu", (unsigned long long)size);
	ch_cap_drop(weak);
	ch_cap_drop(plain);
	ch_cap_drop(mem);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
}

/* A child whose own thread touches paged memory whose pager refuses / is gone / is silent. */
static void expect_child_faulted(const char *how)
{
	struct ch_child c;
	struct proc_status st;
	char desc[96];

	EXPECT_OK(kt_spawn("paged", how, HANDLE_INVALID, 0, 0, &c));
	int r = kt_reap(&c, KT_LONG, &st);
	CHECK(r == 0, "wait: %s", ch_error_name(r));
	ch_proc_status_describe(&st, desc, sizeof(desc));
	CHECK(st.state == PROC_FAULTED && st.fault_vector == 14 &&
	          st.fault_addr == PAGED_VA + 2 * PG + 8,
	      "paged %s: the child %s (want: faulted at 0x%llx)", how, desc,
	      (unsigned long long)(PAGED_VA + 2 * PG + 8));
}

static void test_paged_refused(void)
{
	expect_child_faulted("refuse");
}

static void test_paged_pager_gone(void)
{
	expect_child_faulted("gone");
}

static void test_paged_unsupplied(void)
{
	expect_child_faulted("unsupplied");
}

/* A thread waiting on a silent pager is killed with its process. */
static void test_paged_silent_kill(void)
{
	kt_kill_when_blocked("paged", "silent");
}

/* --- the child --- */

static int child_touch(void *arg)
{
	(void)arg;
	return peek(PAGED_VA + 2 * PG + 8);
}

int kt_paged_child(const char *how)
{
	handle_t e[2], mem, t;
	int64_t code;
	static uint8_t stack[8192];
	struct mem_page_request q;
	struct kbus_buf b = {.data = &q, .capacity = sizeof(q)};

	kt_self = ch_handle("self.process");
	kt_pool = ch_handle("pool");
	kt_as = ch_handle("self.as");
	if (ch_channel_create(kt_pool, 0, e) < 0 ||
	    ch_mem_create_paged(kt_pool, 4 * PG, e[0], PAGED_KEY, &mem) < 0 ||
	    ch_as_map(kt_as, PAGED_VA, mem, 0, 4 * PG, PROT_READ) < 0)
		return 150;
	if (!strcmp(how, "gone")) {
		ch_cap_drop(e[1]); /* nobody can ever answer */
		return child_touch(NULL) + 151;
	}
	if (ch_thread_create(kt_self, &t) < 0 ||
	    ch_thread_start(t, (uint64_t)(uintptr_t)ch_thread_trampoline,
	                    (uint64_t)(uintptr_t)(stack + sizeof(stack)),
	                    (uint64_t)(uintptr_t)child_touch, 0) < 0)
		return 152;
	if (ch_kbus_recv(e[1], &b, 0, KT_LONG) < 0 || !(b.flags & KBUS_MSG_CALL) ||
	    b.len != sizeof(q) || q.key != PAGED_KEY || q.offset != 2 * PG)
		return 153;
	int32_t verdict = 0;
	if (!strcmp(how, "refuse"))
		verdict = ERR_OUT_OF_RANGE; /* beyond a file's end, say */
	else if (!strcmp(how, "silent")) {
		if (ch_kbus_send_bytes(ch_handle("ep"), "blocked", 7, 0, KT_LONG) < 0)
			return 154;
		for (;;) /* never answer; the parent kills us */
			ch_sleep_ns(KT_SECOND);
	} else if (strcmp(how, "unsupplied"))
		return 155;
	/* "unsupplied": an answer of 0 without the page is a fault that stands */
	if (ch_kbus_reply(e[1], &(struct kbus_msg){.data = &verdict, .len = 4}) < 0)
		return 156;
	ch_thread_wait(t, KT_LONG, &code); /* the process ends first */
	return 157;
}

void kt_run_paged_tests(void)
{
	kt_run("paged_supply_and_fault", test_paged_supply_and_fault);
	kt_run("paged_errors", test_paged_errors);
	kt_run("paged_refused", test_paged_refused);
	kt_run("paged_pager_gone", test_paged_pager_gone);
	kt_run("paged_unsupplied", test_paged_unsupplied);
	kt_run("paged_silent_kill", test_paged_silent_kill);
}
