/*
 * display.c - the display class client (display.h).
 */
#include "display.h"

#include <string.h>

#include <abi/ns.h>

#include "devcall.h"
#include "kbus.h"
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

#define PAGE 4096u

/* Whether a reply's modes hold up; ERR_MALFORMED if not. */
static long check(struct display_info_reply *i)
{
	const struct display_mode *m = &i->current;
	if (i->nmodes > DISPLAY_MODES_MAX || m->format != DISPLAY_FORMAT_XRGB8888 || !m->width ||
	    !m->height || m->width > 16384 || m->height > 16384 || m->pitch < m->width * 4u ||
	    m->pitch % 4 || (uint64_t)m->pitch * m->height > i->fb_size)
		return ERR_MALFORMED;
	return 0;
}

static long info_call(struct ch_display *d, const void *req, uint32_t len, handle_t *fb)
{
	struct display_info_reply rep;
	long r = ch_dev_call(d->dev, req, len, &rep, sizeof(rep), fb, fb ? 1 : 0, CH_FOREVER);
	if (r >= 0 && check(&rep) < 0) {
		if (fb)
			ch_cap_drop(*fb);
		r = ERR_MALFORMED;
	}
	if (r >= 0)
		d->info = rep;
	return r;
}

long ch_display_info(struct ch_display *d)
{
	struct dev_msg_hdr q = {DISPLAY_MSG_INFO, sizeof(q)};
	return info_call(d, &q, sizeof(q), NULL);
}

long ch_display_open(struct ch_display *d, const char *uri, handle_t dev)
{
	memset(d, 0, sizeof(*d));
	d->fb = HANDLE_INVALID;
	long r = uri ? ch_uri_open(uri, NS_TYPE_DEV_DISPLAY, 0, NS_RIGHTS_SAME, &d->dev)
	             : ch_cap_duplicate(dev, &d->dev);
	if (r < 0) {
		d->dev = HANDLE_INVALID;
		return r;
	}
	r = ch_display_info(d);
	if (r < 0)
		ch_display_close(d);
	return r;
}

static void unmap(struct ch_display *d)
{
	if (d->pixels)
		ch_as_unmap(ch_handle("self.as"), (uint64_t)(uintptr_t)d->pixels, d->map_size);
	if (d->fb != HANDLE_INVALID)
		ch_cap_drop(d->fb);
	d->pixels = NULL;
	d->fb = HANDLE_INVALID;
}

void ch_display_close(struct ch_display *d)
{
	unmap(d);
	if (d->dev != HANDLE_INVALID)
		ch_cap_drop(d->dev);
	d->dev = HANDLE_INVALID;
}

long ch_display_map(struct ch_display *d)
{
	struct dev_msg_hdr q = {DISPLAY_MSG_MAP, sizeof(q)};
	handle_t fb;
	unmap(d);
	long r = info_call(d, &q, sizeof(q), &fb);
	if (r < 0)
		return r;
	const struct display_mode *m = &d->info.current;
	uint64_t size = ((uint64_t)m->pitch * m->height + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	uint64_t va = ch_va_reserve(size);
	r = va ? ch_as_map(ch_handle("self.as"), va, fb, 0, size, PROT_READ | PROT_WRITE)
	       : ERR_NO_RESOURCES;
	if (r < 0) {
		ch_cap_drop(fb);
		return r; /* ERR_OUT_OF_RANGE: smaller than the driver said */
	}
	d->fb = fb;
	d->pixels = (uint32_t *)(uintptr_t)va;
	d->map_size = size;
	return 0;
}

long ch_display_flush(struct ch_display *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct display_flush q = {{DISPLAY_MSG_FLUSH, sizeof(q)}, x, y, w, h};
	struct dev_status_reply rep;
	return ch_dev_call(d->dev, &q, sizeof(q), &rep, sizeof(rep), NULL, 0, CH_FOREVER);
}

long ch_display_set_mode(struct ch_display *d, uint32_t width, uint32_t height)
{
	struct display_set_mode q = {
	    {DISPLAY_MSG_SET_MODE, sizeof(q)}, width, height, DISPLAY_FORMAT_XRGB8888, 0};
	unmap(d);
	return info_call(d, &q, sizeof(q), NULL);
}
