/*
 * power.h - what shutdown and reboot share (power.c, target only).
 */
#pragma once

#include <stdint.h>

/*
 * Turns the machine off (HW_POWER_OFF) or resets it (HW_POWER_REBOOT) through the
 * grant "power". First (unless now) every file system of the view (mounts.h) is
 * written back and made read-only, marked clean on its disk (SYS_NS_SYNC with
 * NS_SYNC_READ_ONLY; without the manage right a plain sync, said so), waiting at most
 * POWER_FS_WAIT_NS for each; one that does not answer in time, or fails, is named and
 * the power goes anyway. Returns only on failure (the message printed): 1; the file
 * systems then stay read-only until their providers restart.
 */
int power_do(uint32_t what, int now);

#define POWER_FS_WAIT_NS 10000000000ull /* 10 s a file system */
