/*
 * entry.c - sysfuzz: hostile ways into the kernel other than a well-formed SYSCALL.
 *
 * "bin/sysfuzz entry <seed>" (or "entry <selector> <kind>"): a child far-returns or
 * far-jumps to a code selector picked from the seed (one of the GDT's selectors at
 * any privilege level, or any 16-bit value, LDT ones included) and there runs an entry instruction picked from the seed: SYSCALL
 * (from compatibility mode it would enter at MSR_CSTAR: the hole that once
 * triple-faulted the machine), SYSENTER, INT n for any n, INT3, UD2, HLT, or a
 * system call with a random number. Whatever happens, it must happen to the child:
 * the parent (run_entries() in sysfuzz.c) requires that the child ends and that
 * its own pool is back at its baseline afterwards; a kernel that falls over takes
 * the VMTEST DONE line with it.
 */
#include "sysfuzz.h"

#include <stdlib.h>

/* fz_far_return(selector, target): lretq to selector:target. */
__asm__(".text\n"
        ".globl fz_far_return\n"
        "fz_far_return:\n"
        "	pushq %rdi\n"
        "	pushq %rsi\n"
        "	lretq\n"
        ".globl fz_far_jump\n"
        "fz_far_jump:\n" /* the same through an indirect far JMP (m16:32) */
        "	subq $8, %rsp\n"
        "	movl %esi, (%rsp)\n"
        "	movw %di, 4(%rsp)\n"
        "	ljmpl *(%rsp)\n"
        /* each target runs its instruction, then ud2 (as code in either mode) */
        "fz_entry_syscall:\n"
        "	.byte 0x0f, 0x05, 0x0f, 0x0b\n"
        "fz_entry_sysenter:\n"
        "	.byte 0x0f, 0x34, 0x0f, 0x0b\n"
        "fz_entry_int3:\n"
        "	.byte 0xcc, 0x0f, 0x0b, 0x90\n"
        "fz_entry_hlt:\n"
        "	.byte 0xf4, 0x0f, 0x0b, 0x90\n"
        "fz_entry_ud2:\n"
        "	.byte 0x0f, 0x0b, 0x90, 0x90\n"
        "	.balign 4\n"
        "fz_entry_int:\n" /* 256 four-byte stubs: int $n; ud2 */
        "	.set n, 0\n"
        "	.rept 256\n"
        "	.byte 0xcd, n, 0x0f, 0x0b\n"
        "	.set n, n + 1\n"
        "	.endr\n");
void fz_far_return(uint64_t sel, uint64_t target) __attribute__((noreturn));
void fz_far_jump(uint64_t sel, uint64_t target) __attribute__((noreturn));
extern const char fz_entry_syscall[], fz_entry_sysenter[], fz_entry_int3[], fz_entry_hlt[],
    fz_entry_ud2[], fz_entry_int[];

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

int fz_entry_main(int argc, char **argv)
{
	uint64_t s = strtoull(argv[2], NULL, 0), r = mix(&s);
	/* half the time a GDT selector (0x00..0x48, any RPL), else any 16-bit value */
	uint64_t sel = (r & 1) ? (r >> 8) % 0x50 : (r >> 8) & 0xffff;
	uint64_t kind = (r >> 32) % 6, target;

	if (argc >= 4) { /* "entry <selector> <kind>": kind 0..4 as below, 5 + n: int $n */
		sel = s;
		kind = strtoull(argv[3], NULL, 0);
		r = (kind >= 5 ? kind - 5 : 0) << 40;
	}
	const char *const named[] = {fz_entry_syscall, fz_entry_sysenter, fz_entry_int3,
	                             fz_entry_hlt, fz_entry_ud2};
	target = kind < 5 ? (uint64_t)(uintptr_t)named[kind]
	                  : (uint64_t)(uintptr_t)fz_entry_int + 4 * ((r >> 40) & 0xff);
	/* a system call number for the 64-bit case: anything */
	__asm__ volatile("" ::"a"(mix(&s)));
	/* QEMU's TCG pops a far return with a supervisor access that SMAP refuses
	 * (a #PF before the selector is looked at): jump as well as return */
	if (r & 2)
		fz_far_return(sel, target);
	fz_far_jump(sel, target);
}
