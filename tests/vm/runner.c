/*
 * runner.c - the in-kernel VM test runner (see vmtest.h for the protocol).
 *
 * Tests run one after another on the boot thread of CPU 0, with every CPU
 * online and interrupts on. The plan (a PLAN line for every test that will
 * run) comes first, so the harness can name a test that never reported. A
 * test that panics or faults ends the whole run (the host harness notices the
 * missing DONE line, names the test of the last RUN line and boots again
 * after it with vmtest_skip=<n>).
 */
#include <vmtest.h>
#include <arch/arch.h>
#include <arch/percpu.h>
#include <boot/bootinfo.h>
#include <init/init.h>
#include <lib/log.h>
#include <lib/printf.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <sched/sched.h>
#include <time/clock.h>

extern const struct vm_test _vmtests_start[], _vmtests_end[];

static unsigned passed, nfailed, nna;

static bool failed, na;
static char reason[200], na_reason[80];
static struct spinlock fail_lock = SPINLOCK_INIT;

void vmtest_fail(const char *file, int line, const char *fmt, ...)
{
	uint64_t irq = spin_lock_irqsave(&fail_lock);
	if (!failed) {
		int n = ksnprintf(reason, sizeof(reason), "%s:%d: ", file, line);
		va_list ap;
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(reason))
			kvsnprintf(reason + n, sizeof(reason) - (size_t)n, fmt, ap);
		va_end(ap);
		failed = true;
	}
	spin_unlock_irqrestore(&fail_lock, irq);
}

void vmtest_not_applicable(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(na_reason, sizeof(na_reason), fmt, ap);
	va_end(ap);
	na = true;
}

uint64_t vmtest_param(const char *key, uint64_t def)
{
	const char *v;
	size_t n;
	if (!cmdline_find(kernel_boot_info()->cmdline, key, &v, &n) || n == 0 || n > 19)
		return def;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return def;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	return x;
}

unsigned vmtest_cpus(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < cpu_count; i++)
		n += cpus[i] && cpus[i]->online;
	return n;
}

struct par {
	void (*fn)(unsigned cpu, void *arg);
	void *arg;
	unsigned cpu;
};

static void par_entry(void *p)
{
	struct par *pa = p;
	pa->fn(pa->cpu, pa->arg);
}

void vmtest_run_parallel(void (*fn)(unsigned cpu, void *arg), void *arg)
{
	static struct par pars[MAX_CPUS];
	struct thread *ts[MAX_CPUS] = {0};
	for (unsigned i = 0; i < cpu_count; i++) {
		if (!cpus[i] || !cpus[i]->online)
			continue;
		pars[i] = (struct par){fn, arg, i};
		ts[i] = thread_create("vmtest", par_entry, &pars[i], (int)i);
		if (!ts[i]) {
			VM_FAIL("out of memory creating test thread %u", i);
			continue;
		}
		sched_start(ts[i]);
	}
	for (unsigned i = 0; i < cpu_count; i++)
		if (ts[i])
			thread_join(ts[i]);
}

void vmtest_run_kernel(const char *prefix, size_t prefix_len)
{
	/* "vmtest_skip=<n>": the harness booted us again after test n of the last boot
	   panicked or hung; the first n matching tests were run (or failed) then */
	uint64_t skip = vmtest_param("vmtest_skip", 0);
	kprintf("VMTEST START cpus=%u skip=%llu\n", vmtest_cpus(), (unsigned long long)skip);
	/* gcc emits a file's tests last-first: walk backwards for source order */
	size_t count =
	    ((uintptr_t)_vmtests_end - (uintptr_t)_vmtests_start) / sizeof(struct vm_test);
	/* the plan: every test this run covers, those a resumed boot skips included */
	for (size_t i = count; i-- > 0;)
		if (!prefix_len || strncmp(_vmtests_start[i].name, prefix, prefix_len) == 0)
			kprintf("VMTEST PLAN %s\n", _vmtests_start[i].name);
	for (size_t i = count; i-- > 0;) {
		const struct vm_test *t = &_vmtests_start[i];
		if (prefix_len && strncmp(t->name, prefix, prefix_len) != 0)
			continue;
		if (skip) {
			skip--;
			continue;
		}
		kprintf("VMTEST RUN %s\n", t->name); /* names the test if the machine goes down */
		failed = false;
		na = false;
		uint64_t t0 = clock_monotonic_ns();
		t->fn();
		uint64_t ms = (clock_monotonic_ns() - t0) / 1000000;
		if (failed) {
			kprintf("VMTEST FAIL %s: %s\n", t->name, reason);
			nfailed++;
		} else if (na) {
			kprintf("VMTEST NA %s: %s\n", t->name, na_reason);
			nna++;
		} else {
			kprintf("VMTEST PASS %s (%llu ms)\n", t->name, (unsigned long long)ms);
			passed++;
		}
	}
}

void vmtest_record(bool pass, const char *name, const char *why)
{
	if (pass) {
		kprintf("VMTEST PASS %s\n", name);
		passed++;
	} else {
		kprintf("VMTEST FAIL %s: %s\n", name, why);
		nfailed++;
	}
}

/* User programs report through the log; their lines count like ours. */
void vmtest_observe_line(const char *line, size_t len)
{
	if (len >= 12 && strncmp(line, "VMTEST PASS ", 12) == 0)
		__atomic_fetch_add(&passed, 1, __ATOMIC_RELAXED);
	else if (len >= 12 && strncmp(line, "VMTEST FAIL ", 12) == 0)
		__atomic_fetch_add(&nfailed, 1, __ATOMIC_RELAXED);
	else if (len >= 10 && strncmp(line, "VMTEST NA ", 10) == 0)
		__atomic_fetch_add(&nna, 1, __ATOMIC_RELAXED);
}

void vmtest_finish(void)
{
	kprintf("VMTEST DONE %u passed, %u failed, %u n/a\n", passed, nfailed, nna);
	arch_debug_exit(nfailed ? 0x11 : 0x10);
	arch_halt();
}
