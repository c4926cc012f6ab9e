/*
 * procinfo.h - a proc:// entry's status text (docs/namespace.md, "proc://": one
 * "key value" a line) parsed for ps, top, kill and mem. Pure C, host-tested.
 * Keys it does not know are skipped, so the kernel can add some. The entry ends
 * with one "thread <id> <key> <value> ..." line per running thread (up to 16;
 * "threads_listed" says how many), parsed by procinfo_threads().
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct procinfo {
	uint32_t pid;
	char name[32];
	char state[16];
	int32_t code;
	uint32_t threads, capabilities;
	uint64_t pool_used, pool_quota;
	bool has_cpu; /* the kernel reports CPU time (cpu_ns) */
	uint64_t cpu_ns;
};

/* Parses len bytes of status text into *out; 0, or -1 if it has no pid line. */
int procinfo_parse(const char *text, unsigned long len, struct procinfo *out);

/* One "thread" line of an entry: a running thread's scheduling accounting. */
struct procthread {
	uint64_t id; /* its kernel object id (cap_inspect's object_id) */
	uint32_t cpu, weight;
	uint64_t cpu_ns, switches, wakeups, wake_mean_ns, wake_max_ns;
};

/* The thread lines of len bytes of status text into out[0..max); how many. */
unsigned procinfo_threads(const char *text, unsigned long len, struct procthread *out,
                          unsigned max);
