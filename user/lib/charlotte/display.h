/*
 * display.h - the display class client (abi/dev/display.h, docs/devices.md):
 * open a display by URI, map its framebuffer, draw, flush what changed, set a
 * mode. Every reply is checked: the current mode must be one the framebuffer
 * can hold (pitch >= width * 4, pitch * height <= fb_size) before anything is
 * mapped, so a driver cannot make us draw outside the mapping.
 * ERR_PEER_CLOSED: the driver is gone.
 */
#pragma once
#include <stdint.h>

#include <abi/dev/display.h>
#include <abi/handle.h>

struct ch_display {
	handle_t dev; /* the driver's endpoint */
	struct display_info_reply info; /* as last answered (checked) */
	handle_t fb; /* the framebuffer capability once mapped */
	uint32_t *pixels; /* its mapping: info.current.pitch bytes per line */
	uint64_t map_size;
};

/* Opens uri ("dev:///display/0"), or with uri NULL a duplicate of dev, and asks INFO. */
long ch_display_open(struct ch_display *d, const char *uri, handle_t dev);
void ch_display_close(struct ch_display *d);

/* Asks INFO again into d->info. */
long ch_display_info(struct ch_display *d);

/* Maps the framebuffer (again after a mode set): d->pixels. */
long ch_display_map(struct ch_display *d);

/* The rectangle was drawn (ERR_OUT_OF_RANGE beyond the mode). */
long ch_display_flush(struct ch_display *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h);

/* Sets a mode of the list (ERR_INVALID_ARGS otherwise, ERR_NOT_SUPPORTED where the
 * hardware cannot); the mapping is dropped: map again. */
long ch_display_set_mode(struct ch_display *d, uint32_t width, uint32_t height);
