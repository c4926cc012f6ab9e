/*
 * displayserve.h - the driver side of the display class (abi/dev/display.h):
 * the call loop every display driver shares. The driver gives the framebuffer
 * (a capability that maps: OBJ_MMIO of its BAR or of the boot framebuffer),
 * its current mode and settable modes, and a set_mode operation; the server
 * answers INFO, MAP (a derived capability: MAP | READ | WRITE | INSPECT | TRANSFER),
 * FLUSH (the rectangle checked against the current mode; scan-out hardware
 * needs nothing more) and SET_MODE (checked against the list first). Anything
 * else is ERR_MALFORMED; handles sent to us are dropped.
 * FIXME: a mode set does not revoke earlier framebuffer capabilities (an
 * OBJ_MMIO carries no RIGHT_REVOKE); the memory behind them stays the
 * device's framebuffer, so a client only sees stale geometry.
 */
#pragma once
#include <stdint.h>

#include <abi/dev/display.h>
#include <abi/handle.h>

struct display_server {
	struct display_info_reply info; /* current mode, fb_size, settable modes */
	handle_t fb; /* the framebuffer capability */
	handle_t ep, client_ep;
	/* Set width x height (in the list already): fill *cur (pitch too); 0 or ERR_*.
	 * NULL: the mode cannot change (ERR_NOT_SUPPORTED). */
	long (*set_mode)(void *drv, uint32_t width, uint32_t height, struct display_mode *cur);
	void *drv;
};

/* The channel for clients (from "pool"); srv->info, fb, set_mode, drv set by the caller. */
long display_serve_init(struct display_server *srv);

/* Binds dev:///display/<name> (type dev.display) and reports to a waiting spawner. */
long display_serve_bind(struct display_server *srv, const char *name);

/* Serves calls until an error of our endpoint (returned). */
long display_serve_run(struct display_server *srv);

/* Whether the rectangle lies in mode m (no overflow); 0 or ERR_OUT_OF_RANGE. */
int display_rect_check(const struct display_mode *m, uint32_t x, uint32_t y, uint32_t w,
                       uint32_t h);
