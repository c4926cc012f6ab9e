/* Host-test stand-in for arch/smp.h: one CPU, so no other to call. */
#pragma once

static inline void smp_call_others(void (*fn)(void *), void *arg)
{
	(void)fn;
	(void)arg;
}
