/*
 * crashme.c - the children of the user-space test suite (bin/usertest): each run does
 * one thing that should end it in a known way, and the parent checks the proc_status.
 *
 *   crashme exit <n>        exit with code n
 *   crashme null            read address 0                   -> #PF at 0
 *   crashme writetext       write to our own code            -> #PF
 *   crashme hlt | cli | in | out   privileged instructions   -> #GP
 *   crashme sgdt | sidt | sldt | smsw | str   where the kernel keeps its tables:
 *                           #GP where the CPU has UMIP, else exit 98
 *   crashme div0            integer divide by zero           -> #DE
 *   crashme ud2             invalid opcode                   -> #UD
 *   crashme int3            breakpoint                       -> #BP
 *   crashme stack           unbounded recursion              -> #PF below the stack
 *   crashme read <hex>      read an address we were not given -> #PF there
 *   crashme protect         map a page, protect it read-only, write -> #PF
 *                           (needs "pool" and "self.as")
 *   crashme spin            loop until killed
 *   crashme nocaps          run with no capabilities at all: every syscall on guessed
 *                           handles must fail; exit 0 if so, else 1 + the action's index
 * Anything else exits with 99. Needs no "log" (output is dropped without one).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define PROTECT_VA UINT64_C(0x0000400000000000)

/* Recurses while depth (always > 0 in practice) says so: without end. */
static volatile int depth_limit = 1 << 30;

static int recurse(int n)
{
	volatile char buf[512];
	buf[0] = (char)n;
	if (n >= depth_limit)
		return 0;
	return recurse(n + 1) + buf[0];
}

static int protect_then_write(void)
{
	handle_t pool = ch_handle("pool"), as = ch_handle("self.as"), mem;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)PROTECT_VA;

	if (ch_mem_create(pool, 4096, &mem) < 0)
		return 2;
	if (ch_as_map(as, PROTECT_VA, mem, 0, 4096, PROT_READ | PROT_WRITE) < 0)
		return 3;
	*p = 1; /* fine */
	if (ch_as_protect(as, PROTECT_VA, 4096, PROT_READ) < 0)
		return 4;
	if (*p != 1)
		return 5;
	*p = 2; /* must fault */
	return 6;
}

/* Every action that takes a handle, tried on handles we were never given. */
static int guess_handles(void)
{
	static const uint64_t actions[] = {
	    SYS_CAP_DERIVE,  SYS_CAP_DUPLICATE,   SYS_CAP_DROP,      SYS_CAP_REVOKE,
	    SYS_CAP_INSPECT, SYS_POOL_MEM_CREATE, SYS_POOL_INFO,     SYS_POOL_SPLIT,
	    SYS_MEM_INFO,    SYS_AS_MAP,          SYS_AS_UNMAP,      SYS_AS_PROTECT,
	    SYS_AS_QUERY,    SYS_PROC_CREATE,     SYS_PROC_GRANT,    SYS_PROC_KILL,
	    SYS_PROC_STATUS, SYS_PROC_WAIT,       SYS_THREAD_CREATE, SYS_THREAD_START,
	    SYS_THREAD_KILL, SYS_THREAD_WAIT,     SYS_LOG_WRITE,
	};
	static uint64_t out[64];
	uint64_t seed = 0x2545f4914f6cdd1dull;

	for (unsigned i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		for (uint32_t k = 0; k < 300; k++) {
			handle_t h;
			if (k < 256)
				h = HANDLE_MAKE(k % 64, 1 + k / 64);
			else {
				seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
				h = (handle_t)seed;
			}
			uint64_t a = (uint64_t)(uintptr_t)out;
			long r = ch_syscall5(actions[i], h, 4096, a, a, 4096, PROT_READ);
			if (r >= 0)
				return 1 + (int)i;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (strcmp(what, "exit") == 0)
		return argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(what, "null") == 0)
		// cppcheck-suppress nullPointer ; the point: this must page-fault
		return *(volatile int *)(uintptr_t)0;
	if (strcmp(what, "writetext") == 0) {
		*(volatile char *)(uintptr_t)&main = 0;
		return 1;
	}
	if (strcmp(what, "hlt") == 0)
		__asm__ volatile("hlt");
	else if (strcmp(what, "cli") == 0)
		__asm__ volatile("cli");
	else if (strcmp(what, "in") == 0) {
		uint8_t v;
		__asm__ volatile("inb $0x80, %0" : "=a"(v));
	} else if (strcmp(what, "out") == 0)
		__asm__ volatile("outb %0, $0x80" ::"a"((uint8_t)0));
	else if (strcmp(what, "sgdt") == 0 || strcmp(what, "sidt") == 0) {
		struct {
			uint16_t limit;
			uint64_t base;
		} __attribute__((packed)) table;
		if (what[1] == 'g')
			__asm__ volatile("sgdt %0" : "=m"(table));
		else
			__asm__ volatile("sidt %0" : "=m"(table));
	} else if (strcmp(what, "sldt") == 0 || strcmp(what, "str") == 0 ||
	           strcmp(what, "smsw") == 0) {
		uint16_t sel;
		if (what[1] == 'l')
			__asm__ volatile("sldt %0" : "=r"(sel));
		else if (what[1] == 't')
			__asm__ volatile("str %0" : "=r"(sel));
		else
			__asm__ volatile("smsw %0" : "=r"(sel));
	} else if (strcmp(what, "div0") == 0) {
		volatile int zero = 0;
		// cppcheck-suppress zerodiv ; the point: this must raise #DE
		return 10 / zero;
	} else if (strcmp(what, "ud2") == 0)
		__asm__ volatile("ud2");
	else if (strcmp(what, "int3") == 0)
		__asm__ volatile("int3");
	else if (strcmp(what, "stack") == 0)
		return recurse(0);
	else if (strcmp(what, "read") == 0 && argc > 2)
		return *(volatile int *)(uintptr_t)strtoull(argv[2], NULL, 16);
	else if (strcmp(what, "protect") == 0)
		return protect_then_write();
	else if (strcmp(what, "spin") == 0)
		for (volatile int i = 0;; i++)
			;
	else if (strcmp(what, "nocaps") == 0)
		return guess_handles();
	else
		return 99;
	return 98; /* the instruction above did not fault */
}
