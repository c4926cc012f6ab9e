/*
 * fblog.c - the framebuffer console as a kernel log sink (dev/fblog.h).
 *
 * The log calls its sinks under its lock, so removing the sink (under that
 * lock) is what makes the hand-off final: a line being drawn finishes first,
 * and no later line reaches the framebuffer. Only the first hand-off logs;
 * removing a sink that is gone already does nothing.
 */
#include <dev/fblog.h>
#include <dev/fbcon.h>
#include <lib/log.h>
#include <mm/vmm.h>

static bool handed_off;

static void fb_sink(const char *s, size_t len)
{
	fbcon_write(s, len);
}

void fblog_start(const struct boot_fb *bf)
{
	if (!bf->present)
		return;
	struct fb_info fb = {
	    .phys = bf->phys,
	    .width = bf->width,
	    .height = bf->height,
	    .pitch = bf->pitch,
	    .bpp = bf->bpp,
	    .red_pos = bf->red_pos,
	    .red_size = bf->red_size,
	    .green_pos = bf->green_pos,
	    .green_size = bf->green_size,
	    .blue_pos = bf->blue_pos,
	    .blue_size = bf->blue_size,
	};
	fb.virt = vmm_map_mmio(bf->phys, (size_t)bf->pitch * bf->height);
	if (!fb.virt || fbcon_init(&fb, fbcon_font_start, fbcon_font_size()) != 0) {
		pr_warn("fbcon: framebuffer %ux%ux%u unusable", bf->width, bf->height, bf->bpp);
		return;
	}
	log_add_sink(fb_sink);
	pr_info("fbcon: %ux%u, %u bpp at 0x%llx", bf->width, bf->height, bf->bpp,
	        (unsigned long long)bf->phys);
}

void fblog_handoff(void)
{
	if (!fbcon_active())
		return;
	log_remove_sink(fb_sink); /* every time: a second caller must not return early */
	if (!__atomic_exchange_n(&handed_off, true, __ATOMIC_ACQ_REL))
		pr_info("fbcon: the framebuffer is user space's now; the log stays on serial");
}
