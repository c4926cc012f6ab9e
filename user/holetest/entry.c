/*
 * entry.c - holes in the kernel's entry paths: compatibility-mode SYSCALL (hole 1)
 * and a SYSCALL whose return address would be non-canonical (hole 2).
 */
#include "holetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/syscall.h>

/*
 * Far-jump to user selector sel (RPL 3) and execute SYSCALL there. On commit
 * f450500, selector 0x1b was a present 32-bit code segment: SYSCALL from it entered
 * the kernel at MSR_CSTAR = 0 and triple-faulted the machine. Now every selector
 * but the 64-bit user code segment must fault (#GP) in user mode.
 * An indirect far JMP (m16:32), not a far RET: QEMU 7.2's TCG pops a far return's
 * operands with a supervisor access, which SMAP (-cpu max) turns into a #PF on the
 * user stack before the selector is even looked at.
 */
HOLE_CHILD(farjmp)
{
	static struct {
		uint32_t offset;
		uint16_t selector;
	} __attribute__((packed)) far;
	far.selector = (uint16_t)strtoul(arg, NULL, 0);
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
	                 "movl %%eax, %0\n\t"
	                 "ljmpl *%0\n"
	                 "1:\n\t"
	                 ".byte 0x0f, 0x05\n\t" /* syscall, in whatever mode we are in */
	                 "ud2"
	                 : "+m"(far)
	                 :
	                 : "rax", "rcx", "r11", "memory");
	return 0;
}

static void expect_fault(const char *role, const char *arg, uint32_t vector)
{
	struct ch_child c;
	struct proc_status st;
	long r = ht_spawn(role, arg, HANDLE_INVALID, 1u << 20, &c);
	CHECK(r >= 0, "spawn %s %s: %s", role, arg, ch_error_name(r));
	r = ht_reap(&c, HT_LONG, &st);
	CHECK(r >= 0, "%s %s: wait: %s", role, arg, ch_error_name(r));
	CHECK(
	    st.state == PROC_FAULTED && st.fault_vector == vector,
	    "%s %s: state %u vector %u code %d (addr %#llx ip %#llx), want a fault with vector %u",
	    role, arg, st.state, st.fault_vector, st.code, (unsigned long long)st.fault_addr,
	    (unsigned long long)st.fault_ip, vector);
}

/* Hole 1: the 32-bit user code segment (0x1b) is gone; so is every other way in. */
HOLE_TEST(compat_syscall_cstar)
{
	/* 0x1b: the former compatibility-mode code segment; 0x23: user data; 0x0b: kernel
	 * code at RPL 3; 0x33: the TSS; 0x43: past the GDT's limit */
	static const char *const sels[] = {"0x1b", "0x23", "0x0b", "0x13", "0x33", "0x43"};
	for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		expect_fault("farjmp", sels[i], 13 /* #GP */);
		if (ch_test_failed())
			return;
	}
}

/*
 * Hole 2: a SYSCALL in the last page below the canonical boundary returned through
 * IRET to the non-canonical 0x800000000000, which faults in ring 0 on Intel. The
 * page [0x7ffffffff000, 0x800000000000) can no longer be mapped, so no instruction
 * can end at the boundary.
 */
HOLE_TEST(syscall_last_user_page)
{
	handle_t mem;
	const uint64_t last = UINT64_C(0x00007ffffffff000);
	EXPECT_OK(ch_mem_create(ht_pool, 0x2000, &mem));
	long r = ch_as_map(ht_as, last, mem, 0, 0x1000, PROT_READ | PROT_EXEC);
	long r2 = ch_as_map(ht_as, last - 0x1000, mem, 0, 0x2000, PROT_READ | PROT_EXEC);
	long r3 = ch_as_map(ht_as, last - 0x1000, mem, 0, 0x1000, PROT_READ | PROT_EXEC);
	if (r3 >= 0)
		ch_as_unmap(ht_as, last - 0x1000, 0x1000);
	if (r >= 0)
		ch_as_unmap(ht_as, last, 0x1000);
	if (r2 >= 0)
		ch_as_unmap(ht_as, last - 0x1000, 0x2000);
	ch_cap_drop(mem);
	CHECK(r == ERR_INVALID_ARGS, "map of the last user page: %s, want ERR_INVALID_ARGS",
	      ch_error_name(r));
	CHECK(r2 == ERR_INVALID_ARGS, "map reaching the last user page: %s, want ERR_INVALID_ARGS",
	      ch_error_name(r2));
	CHECK(r3 >= 0, "map of the page below it: %s", ch_error_name(r3));
}
