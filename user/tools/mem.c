/*
 * mem.c - `mem`: memory: our pool, our heap, and each process's pool.
 */
#include <stdio.h>
#include <stdlib.h>

#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "lib/proclist.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool mem_tool = {
    "mem", "mem",
    "Prints the quota and use of the pool we were given (\"pool\"), what our heap\n"
    "holds, and for each process in proc:// the memory its pool has paid for and\n"
    "its quota, largest first (pools nest: a child's pool is carved from its\n"
    "parent's quota, so the quotas do not add up to the machine).\n"
    "With the capability \"kmem\" (the console's shell has it) it first prints the\n"
    "machine's memory, what is free, and what the kernel heap holds.\n"};

static void human(uint64_t n, char *buf)
{
	text_human_size(n, buf, 16);
}

static int by_used(const void *a, const void *b)
{
	uint64_t x = ((const struct procinfo *)a)->pool_used;
	uint64_t y = ((const struct procinfo *)b)->pool_used;
	return x > y ? -1 : x < y;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&mem_tool, argc, argv, "", &o);
	if (o.ind < argc)
		tool_usage_error("no operands");
	char a[16], b[16], c[16];
	struct kmem_info km;
	handle_t kmem = ch_handle("kmem");
	if (kmem != HANDLE_INVALID) {
		long kr = ch_kmem_info(kmem, &km);
		if (kr < 0) {
			tool_warn_err("kmem", kr);
		} else {
			human(km.total_pages * 4096, a);
			human(km.free_pages * 4096, b);
			human(km.kheap_bytes, c);
			printf("machine: %s, %s free; kernel heap: %s in %llu blocks\n", a, b, c,
			       (unsigned long long)km.kheap_objects);
		}
	}
	struct pool_info pi;
	long r = ch_pool_info(ch_handle("pool"), &pi);
	if (r < 0) {
		tool_warn_err("pool", r);
	} else {
		human(pi.used, a);
		human(pi.quota, b);
		printf("our pool: %s used of %s\n", a, b);
	}
	struct malloc_stats ms;
	malloc_get_stats(&ms);
	human(ms.from_system, a);
	human(ms.in_use, b);
	printf("our heap: %s from the pool, %s in use\n", a, b);
	struct procinfo *p;
	long n = proclist_read(&p);
	if (n < 0)
		return 1;
	qsort(p, (size_t)n, sizeof(*p), by_used);
	printf("%5s %7s %7s %s\n", "PID", "USED", "QUOTA", "NAME");
	for (long i = 0; i < n; i++) {
		human(p[i].pool_used, a);
		human(p[i].pool_quota, b);
		printf("%5u %7s %7s %s\n", p[i].pid, a, b, p[i].name);
	}
	free(p);
	return fflush(stdout) == 0 && r >= 0 ? 0 : 1;
}
