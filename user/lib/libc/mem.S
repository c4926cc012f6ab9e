/*
 * mem.S - memcpy, memmove and memset for user space (x86-64, System V ABI).
 *
 * They are where programs copy their data (fsd's reads copy every block out of its
 * cache with memcpy), so they are written for the two things that count: few
 * instructions, and few branches for small sizes.
 *
 * - Up to 16 bytes: every byte is loaded before any is stored (two overlapping
 *   8-, 4- or 1-byte moves, three for 1..3 bytes), so the same code is a correct
 *   memmove for any overlap.
 * - Larger: the first and last 8 bytes are loaded first; the body is copied in
 *   8-byte words with the destination 8-aligned (`rep movsq`: one instruction a
 *   word under QEMU's icount, and the processor's fast string path on hardware);
 *   then the first and last 8 bytes are stored, covering the unaligned head and
 *   the tail the words left. Those two stores write back bytes the body already
 *   wrote with the same (original) values, so overlap is no problem.
 * - memmove copies forwards when dst - src >= n as unsigned (no overlap, or dst
 *   below src), else backwards with a loop of words (no `std`: a signal handler
 *   must never see the direction flag set).
 * - memset stores the byte repeated in a word the same way (`rep stosq`).
 *
 * Returned: the destination. Registers used are all caller-saved. The direction
 * flag is clear on entry (the ABI says so) and is never changed. The host tests
 * assemble this file too (tests/host/test_libc.mk) and check every size up to 300
 * at every alignment, and overlaps in both directions, against a reference.
 */
	.text

/* void *memmove(void *dst, const void *src, size_t n) */
	.globl memmove
	.type memmove, @function
memmove:
	movq %rdi, %rax
	cmpq $16, %rdx
	jbe .Lsmall
	movq %rdi, %rcx
	subq %rsi, %rcx
	cmpq %rdx, %rcx
	jb .Lbackward
	jmp .Lforward
	.size memmove, . - memmove

/* void *memcpy(void *dst, const void *src, size_t n) */
	.globl memcpy
	.type memcpy, @function
memcpy:
	movq %rdi, %rax
	cmpq $16, %rdx
	jbe .Lsmall
.Lforward:
	/* n > 16: rax = dst */
	movq (%rsi), %r9
	movq -8(%rsi,%rdx), %r8
	movq %rdx, %r11
	movl %edi, %ecx
	negl %ecx
	andl $7, %ecx                   /* bytes to the next 8-aligned dst */
	addq %rcx, %rsi
	addq %rcx, %rdi
	subq %rcx, %rdx
	movq %rdx, %rcx
	shrq $3, %rcx
	rep movsq
	movq %r9, (%rax)
	movq %r8, -8(%rax,%r11)
	ret

.Lbackward:
	/* 16 < n, src < dst < src + n */
	movq (%rsi), %r9
	movq -8(%rsi,%rdx), %r8
	movq %rdx, %r11
	leaq (%rdi,%rdx), %rcx
	andl $7, %ecx                   /* bytes past the last 8-aligned end of dst */
	subq %rcx, %rdx                 /* the body ends at dst + rdx, 8-aligned */
	movq %rdx, %rcx
	shrq $3, %rcx                   /* words (at least one: n > 16) */
	andl $7, %edx                   /* where the body starts */
	addq %rdx, %rsi
	addq %rdx, %rdi
.Lback_word:
	movq -8(%rsi,%rcx,8), %r10
	movq %r10, -8(%rdi,%rcx,8)
	decq %rcx
	jnz .Lback_word
	movq %r9, (%rax)
	movq %r8, -8(%rax,%r11)
	ret

.Lsmall:
	/* n <= 16, rax = dst: load everything, then store */
	cmpq $8, %rdx
	jb .Lbelow8
	movq (%rsi), %rcx
	movq -8(%rsi,%rdx), %r8
	movq %rcx, (%rdi)
	movq %r8, -8(%rdi,%rdx)
	ret
.Lbelow8:
	cmpq $4, %rdx
	jb .Lbelow4
	movl (%rsi), %ecx
	movl -4(%rsi,%rdx), %r8d
	movl %ecx, (%rdi)
	movl %r8d, -4(%rdi,%rdx)
	ret
.Lbelow4:
	testq %rdx, %rdx
	jz .Ldone
	/* 1..3: the first, middle and last bytes */
	movq %rdx, %r9
	shrq $1, %r9
	movzbl (%rsi), %ecx
	movzbl (%rsi,%r9), %r10d
	movzbl -1(%rsi,%rdx), %r8d
	movb %cl, (%rdi)
	movb %r10b, (%rdi,%r9)
	movb %r8b, -1(%rdi,%rdx)
.Ldone:
	ret
	.size memcpy, . - memcpy

/* void *memset(void *dst, int c, size_t n) */
	.globl memset
	.type memset, @function
memset:
	movq %rdi, %r9
	movzbl %sil, %eax
	movabsq $0x0101010101010101, %r8
	imulq %r8, %rax                 /* the byte in every byte of rax */
	cmpq $16, %rdx
	jbe .Lset_small
	movq %rax, (%rdi)
	movq %rax, -8(%rdi,%rdx)
	movl %edi, %ecx
	negl %ecx
	andl $7, %ecx
	addq %rcx, %rdi
	subq %rcx, %rdx
	movq %rdx, %rcx
	shrq $3, %rcx
	rep stosq
	movq %r9, %rax
	ret
.Lset_small:
	cmpq $8, %rdx
	jb .Lset_below8
	movq %rax, (%rdi)
	movq %rax, -8(%rdi,%rdx)
	movq %r9, %rax
	ret
.Lset_below8:
	cmpq $4, %rdx
	jb .Lset_below4
	movl %eax, (%rdi)
	movl %eax, -4(%rdi,%rdx)
	movq %r9, %rax
	ret
.Lset_below4:
	testq %rdx, %rdx
	jz .Lset_done
	/* 1..3: the first, middle and last bytes */
	movq %rdx, %rcx
	shrq $1, %rcx
	movb %al, (%rdi)
	movb %al, (%rdi,%rcx)
	movb %al, -1(%rdi,%rdx)
.Lset_done:
	movq %r9, %rax
	ret
	.size memset, . - memset

	.section .note.GNU-stack, "", @progbits
