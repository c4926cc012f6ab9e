/*
 * arch/uaccess.h - the fault-safe user copy (uaccess.S) behind mm/uaccess.h.
 *
 * arch_copy_user() copies with SMAP opened; the trap handler (idt.c) knows its
 * two faulting instructions: a fault there either resumes the copy (a user
 * pager mapped the page) or lands on uaccess_fault, which returns
 * ERR_BAD_ADDRESS. The caller has checked that the user range is in the user half.
 */
#pragma once
#include <stddef.h>

/* Copy n (> 0) bytes from src to dst, one side user memory: 0 or ERR_BAD_ADDRESS. */
long arch_copy_user(void *dst, const void *src, size_t n);

/* uaccess.S labels: the two instructions that may fault, and the failure exit. */
extern const char uaccess_copy_ip[], uaccess_copy_tail_ip[], uaccess_fault[];
