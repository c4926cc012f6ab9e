/*
 * dev/display.h - the display class (docs/devices.md, "Display"), bound as
 * dev:///display/<name> (type dev.display). Calls on the driver's endpoint:
 *
 *   DISPLAY_MSG_INFO   -> struct display_info_reply (the current mode and up to
 *                         DISPLAY_MODES_MAX modes the driver can set)
 *   DISPLAY_MSG_MAP    -> struct display_info_reply + 1 handle: the framebuffer
 *                         (OBJ_MMIO or memory; MAP | READ | WRITE), mapped with
 *                         SYS_AS_MAP; pitch bytes per line, 32 bpp XRGB8888
 *   DISPLAY_MSG_FLUSH  struct display_flush -> struct dev_status_reply: the
 *                         rectangle was drawn and may be shown (a driver with a
 *                         shadow buffer copies it; scan-out hardware ignores it)
 *   DISPLAY_MSG_SET_MODE struct display_set_mode -> struct display_info_reply;
 *                         ERR_NOT_SUPPORTED where the hardware cannot; a mode
 *                         set invalidates earlier framebuffer handles (revoked)
 * The driver checks every rectangle against the current mode (x + w <= width
 * without overflow) and every mode against its list.
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define DISPLAY_MSG_INFO (DEV_MSG_DISPLAY + 0)
#define DISPLAY_MSG_MAP (DEV_MSG_DISPLAY + 1)
#define DISPLAY_MSG_FLUSH (DEV_MSG_DISPLAY + 2)
#define DISPLAY_MSG_SET_MODE (DEV_MSG_DISPLAY + 3)

#define DISPLAY_MODES_MAX 16u
#define DISPLAY_FORMAT_XRGB8888 1u

struct display_mode {
	uint32_t width, height; /* pixels */
	uint32_t pitch; /* bytes per line (0 in the list of settable modes) */
	uint32_t format; /* DISPLAY_FORMAT_* */
};

struct display_info_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t nmodes; /* valid entries of modes */
	struct display_mode current;
	uint64_t fb_size; /* bytes of the framebuffer */
	struct display_mode modes[DISPLAY_MODES_MAX];
};

struct display_flush {
	struct dev_msg_hdr hdr;
	uint32_t x, y, w, h;
};

struct display_set_mode {
	struct dev_msg_hdr hdr;
	uint32_t width, height;
	uint32_t format;
	uint32_t reserved;
};
