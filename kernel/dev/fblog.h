/*
 * fblog.h - the kernel log on the boot framebuffer, until user space takes it.
 *
 * On boots with a linear framebuffer (GRUB), the framebuffer console
 * (dev/fbcon.h) is a sink of the kernel log from early boot. The screen is
 * the kernel's only until a user process asks for it: the first time the
 * framebuffer's MMIO object is handed out (SYS_DEV_MMIO on the fb0 platform
 * device, hw/res.c), fblog_handoff() takes the console off the log for good,
 * so the kernel never draws over a screen a process owns (the console
 * service, a display driver). The log still goes to the serial line and the
 * history ring (lib/log.h).
 */
#pragma once
#include <boot/bootinfo.h>

/* Map the boot framebuffer and make it a log sink (no-op without one). Boot only. */
void fblog_start(const struct boot_fb *bf);
/* Stop drawing the log: when this returns, no drawing is under way or will start. */
void fblog_handoff(void);
