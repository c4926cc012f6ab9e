/*
 * power.h - what shutdown and reboot share (power.c, target only).
 */
#pragma once

#include <stdint.h>

/*
 * Turns the machine off (HW_POWER_OFF) or resets it (HW_POWER_REBOOT) through the
 * grant "power", after giving the file systems their chance to write back (unless
 * now): none takes a sync request, so it waits FSD_SETTLE_NS for fsd's own write-back
 * (2 s after the last change, docs/fsd.md), saying so. Returns only on failure (the
 * message printed): 1.
 */
int power_do(uint32_t what, int now);

#define FSD_SETTLE_NS 3000000000ull
