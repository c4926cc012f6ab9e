/*
 * paging.c - user-level pagers: a fault becomes a call on the thread's pager
 * endpoint and the thread waits for the answer; an answer of 0 after mapping
 * resumes it, a nonzero answer makes the fault unhandled; a pager that never
 * answers leaves it blocked, and killing the thread or its process still ends it.
 * Cases that may end a whole process run in children (children.c). Then
 * libcharlotte's pager (pager.h): a lazily backed thread stack and heap.
 */
#include "kbustest.h"

#include <stdio.h>
#include <string.h>

#include <charlotte/pager.h>
#include <charlotte/thread.h>

void ch_thread_trampoline(void); /* libcharlotte thread.c */

static uint8_t stack[16384];

static int toucher(void *arg)
{
	volatile uint64_t *p = arg;
	*p = 0x1234;
	return (int)(*p == 0x1234 ? 5 : 6);
}

/* A thread of ours, paged by e[0], touching FAULT_VA; its handle in *t. */
long kt_start_toucher(handle_t pager_ep, handle_t *t)
{
	long r = ch_thread_create(kt_self, t);
	if (r < 0)
		return r;
	if ((r = ch_thread_set_pager(*t, pager_ep)) < 0)
		return r;
	return ch_thread_start(*t, (uint64_t)(uintptr_t)ch_thread_trampoline,
	                       (uint64_t)(uintptr_t)(stack + sizeof(stack)),
	                       (uint64_t)(uintptr_t)toucher, FAULT_VA);
}

/* Receives the fault of start_toucher's thread and checks it. */
void kt_expect_fault(handle_t server, struct kbus_fault_msg *f)
{
	struct kbus_buf b = {.data = f, .capacity = sizeof(*f)};
	EXPECT_OK(ch_kbus_recv(server, &b, 0, KT_LONG));
	CHECK(b.flags & KBUS_MSG_CALL, "fault message flags %x", b.flags);
	CHECK(b.len == sizeof(*f) && f->addr == FAULT_VA && (f->access & PROT_WRITE),
	      "fault message: len %u addr %llx access %x", b.len, (unsigned long long)f->addr,
	      f->access);
}

static int pager_supported(void)
{
	long r = ch_thread_set_pager(HANDLE_INVALID, HANDLE_INVALID);
	return r != ERR_NOT_SUPPORTED;
}

static void test_pager_resume(void)
{
	handle_t e[2], t, mem;
	struct kbus_fault_msg f;
	int64_t code;
	int32_t answer;

	if (kt_channel(0, e))
		return;
	/* Answer 0 after mapping: the thread resumes and finishes. */
	EXPECT_OK(kt_start_toucher(e[0], &t));
	kt_expect_fault(e[1], &f);
	EXPECT_OK(ch_mem_create(kt_pool, 4096, &mem));
	EXPECT_OK(ch_as_map(kt_as, FAULT_VA, mem, 0, 4096, PROT_READ | PROT_WRITE));
	answer = 0;
	EXPECT_OK(ch_kbus_reply(e[1], &(struct kbus_msg){.data = &answer, .len = 4}));
	EXPECT_OK(ch_thread_wait(t, KT_LONG, &code));
	CHECK(code == 5, "resumed thread ended with %lld", (long long)code);
	CHECK(*(volatile uint64_t *)FAULT_VA == 0x1234, "the write did not land");
	ch_cap_drop(t);
	EXPECT_OK(ch_as_unmap(kt_as, FAULT_VA, 4096));
	ch_cap_drop(mem);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
}

/*
 * A nonzero answer: the fault counts as unhandled. abi/kbus.h says the thread is
 * killed; the kernel ends the process as PROC_FAULTED. Run in a child ("verdict")
 * so either outcome is observable: exit code 0 = only the thread died.
 */
static void test_pager_refuses(void)
{
	struct ch_child c;
	struct proc_status st;

	EXPECT_OK(kt_spawn("verdict", NULL, HANDLE_INVALID, 0, 0, &c));
	int r = kt_reap(&c, KT_LONG, &st);
	CHECK(r == 0, "wait: %s", ch_error_name(r));
	if (st.state == PROC_FAULTED) {
		CHECK(st.fault_vector == 14 && st.fault_addr == FAULT_VA,
		      "child faulted with vector %u at 0x%llx", st.fault_vector,
		      (unsigned long long)st.fault_addr);
		printf(
		    "kbustest: note: a refused fault ended the whole process (ABI says thread)\n");
		return;
	}
	CHECK(st.state == PROC_EXITED && st.code == 0, "child state %u code %d", st.state, st.code);
}

/* Killing a thread blocked on a silent pager ends that thread only ("threadkill"). */
static void test_pager_never_answers_kill_thread(void)
{
	struct ch_child c;
	struct proc_status st;
	char how[96];

	EXPECT_OK(kt_spawn("threadkill", NULL, HANDLE_INVALID, 0, 0, &c));
	int r = kt_reap(&c, KT_LONG, &st);
	CHECK(r == 0, "wait: %s", ch_error_name(r));
	ch_proc_status_describe(&st, how, sizeof(how));
	CHECK(st.state == PROC_EXITED && st.code == 0,
	      "killing the blocked thread: the child %s (want: exited with code 0)", how);
}

void kt_kill_when_blocked(const char *role, const char *arg)
{
	handle_t e[2];
	struct ch_child c;
	struct proc_status st;
	char buf[16];
	uint32_t len;

	if (kt_channel(0, e))
		return;
	EXPECT_OK(kt_spawn(role, arg, e[1], 0, 0, &c));
	ch_cap_drop(e[1]);
	long r = ch_kbus_recv_bytes(e[0], buf, sizeof(buf), &len, 0, KT_LONG);
	if (r < 0) {
		kt_reap(&c, 0, &st);
		ch_cap_drop(e[0]);
		kt_fail("child never reported its blocked thread: %s (child state %u code %d)",
		        ch_error_name(r), st.state, st.code);
		return;
	}
	EXPECT_OK(ch_proc_kill(c.process));
	EXPECT_OK(ch_proc_wait(c.process, KT_LONG, &st));
	CHECK(st.state == PROC_KILLED && st.threads == 0, "state %u threads %u", st.state,
	      st.threads);
	kt_reap(&c, 0, &st);
	ch_cap_drop(e[0]);
}

static void test_pager_never_answers_kill_process(void)
{
	kt_kill_when_blocked("pagerhang", NULL);
}

static void test_lazy(void)
{
	struct ch_child c;
	struct proc_status st;

	EXPECT_OK(kt_spawn("lazy", "8", HANDLE_INVALID, 0, 0, &c));
	int r = kt_reap(&c, KT_LONG, &st);
	CHECK(r == 0, "wait: %s", ch_error_name(r));
	CHECK(st.state == PROC_EXITED && (st.code == 0 || st.code == 1),
	      "lazy child: state %u code %d", st.state, st.code);
	if (st.code == 1)
		printf("kbustest: lazy heap: the libc heap hook is missing, tested a lazy region "
		       "instead\n");
}

void kt_run_pager_tests(void)
{
	if (!ch_test_planning() && !pager_supported()) {
		/* planned, not run: each is a "did not run" failure in the harness */
		printf("kbustest: SYS_THREAD_SET_PAGER not supported: pager tests not run\n");
		return;
	}
	kt_run("pager_resume", test_pager_resume);
	kt_run("pager_refuses", test_pager_refuses);
	kt_run("pager_never_answers_kill_thread", test_pager_never_answers_kill_thread);
	kt_run("pager_never_answers_kill_process", test_pager_never_answers_kill_process);
	kt_run("lazy_stack_and_heap", test_lazy);
}
