/*
 * holetest.c - bin/holetest's runner and child dispatcher (see holetest.h).
 *
 * Started by Exec from etc/test.manifest with "log", "initrd" and a pool; with
 * argv[1] == "child" it is a child playing argv[2] instead. Exits with 0 when
 * every test passed.
 */
#include "holetest.h"

#include <stdio.h>
#include <string.h>

#include <charlotte/start.h>

handle_t ht_log, ht_pool, ht_self, ht_as, ht_initrd;

extern const struct hole_test __start_holetests[], __stop_holetests[];
extern const struct hole_child __start_holechildren[], __stop_holechildren[];

int ht_spawn(const char *role, const char *arg, handle_t ep, uint64_t pool_bytes,
             struct ch_child *c)
{
	const char *argv[] = {"bin/holetest", "child", role, arg, NULL};
	struct ch_grant g[2] = {{"log", ht_log, RIGHT_WRITE}};
	unsigned n = 1;

	if (ep != HANDLE_INVALID)
		g[n++] = (struct ch_grant){"ep", ep,
		                           RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT |
		                               RIGHT_TRANSFER | RIGHT_DUPLICATE};
	struct ch_spawn_args a = {.path = "bin/holetest",
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = n,
	                          .child_pool = pool_bytes};
	/* An earlier test's child gives its pool back when its last object goes, which
	   may be a little after it was reaped: out of memory, wait for it (10 s). */
	int r = ch_spawn(&a, c);
	for (int64_t end = ch_clock_ns() + (int64_t)(10 * HT_SECOND);
	     r == ERR_NO_MEMORY && ch_clock_ns() < end; r = ch_spawn(&a, c))
		ch_sleep_ns(10 * HT_MS);
	return r;
}

uint64_t ht_pool_used(void)
{
	struct pool_info pi;
	return ch_pool_info(ht_pool, &pi) < 0 ? 0 : pi.used;
}

uint64_t ht_pool_settle(uint64_t base)
{
	uint64_t used = ht_pool_used();
	for (int64_t end = ch_clock_ns() + (int64_t)(10 * HT_SECOND);
	     used > base && ch_clock_ns() < end; used = ht_pool_used())
		ch_sleep_ns(10 * HT_MS);
	return used;
}

long ht_reap(struct ch_child *c, uint64_t timeout, struct proc_status *st)
{
	long r = ch_proc_wait(c->process, timeout, st);
	if (r == ERR_TIMED_OUT) {
		ch_proc_kill(c->process);
		ch_proc_wait(c->process, HT_LONG, NULL);
	}
	ch_child_release(c);
	return r;
}

static int child_main(int argc, char **argv)
{
	ht_log = ch_handle("log");
	ht_pool = ch_handle("pool");
	ht_self = ch_handle("self.process");
	ht_as = ch_handle("self.as");
	// cppcheck-suppress comparePointers ; the linker's bounds of one section
	for (const struct hole_child *c = __start_holechildren; c < __stop_holechildren; c++)
		if (strcmp(c->role, argv[2]) == 0)
			return c->fn(argc > 3 ? argv[3] : NULL);
	printf("holetest: no child role %s\n", argv[2]);
	return 100;
}

static void run_all(void)
{
	// cppcheck-suppress comparePointers ; the linker's bounds of one section
	for (const struct hole_test *t = __start_holetests; t < __stop_holetests; t++)
		ch_test_run("hole_", t->name, t->fn);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "child") == 0)
		return child_main(argc, argv);
	ht_log = ch_handle("log");
	ht_pool = ch_handle("pool");
	ht_self = ch_handle("self.process");
	ht_as = ch_handle("self.as");
	ht_initrd = ch_handle("initrd");
	if (!ht_log || !ht_pool || !ht_self || !ht_as) {
		printf("VMTEST FAIL hole_start_info: missing a capability (log %x pool %x "
		       "self.process %x self.as %x)\n",
		       ht_log, ht_pool, ht_self, ht_as);
		return 1;
	}
	printf("holetest: starting\n");
	int r = ch_test_main(run_all); /* the plan, then the tests */
	printf("holetest: done\n");
	return r;
}
