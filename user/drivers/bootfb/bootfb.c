/*
 * bootfb - the framebuffer the boot loader left (the platform device "fb0",
 * only on GRUB boots) through the display class: `bin/bootfb <name>` binds
 * dev:///display/<name>. One mode, the one the firmware set: it cannot change
 * (SET_MODE is ERR_NOT_SUPPORTED), and it must be 32 bpp with a pitch that
 * holds a line (else ERR_NOT_SUPPORTED: the class is XRGB8888 only). The
 * framebuffer is the device's OBJ_MMIO (write-combining where the CPU has a
 * PAT); scan-out reads it, so a flush has nothing to copy.
 * Grants: log, pool, ns, device, ready.
 */
#include <stdio.h>

#include <abi/errors.h>
#include <charlotte/devcall.h>
#include <charlotte/displayserve.h>
#include <charlotte/hw.h>
#include <charlotte/names.h>
#include <charlotte/start.h>

static struct display_server srv;

static long probe(handle_t dev)
{
	struct hw_resource fb;
	long r = ch_dev_resource(dev, 0, &fb);
	if (r < 0)
		return r;
	if (fb.kind != HW_RES_FRAMEBUFFER || fb.fb_bpp != 32 || !fb.fb_width || !fb.fb_height ||
	    fb.fb_pitch < fb.fb_width * 4u || (uint64_t)fb.fb_pitch * fb.fb_height > fb.size)
		return ERR_NOT_SUPPORTED;
	srv.info.current =
	    (struct display_mode){fb.fb_width, fb.fb_height, fb.fb_pitch, DISPLAY_FORMAT_XRGB8888};
	srv.info.fb_size = fb.size;
	srv.info.nmodes = 1;
	srv.info.modes[0] = srv.info.current;
	srv.info.modes[0].pitch = 0;
	return ch_dev_mmio(dev, 0, &srv.fb);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: bootfb <name>   (with the device fb0 granted as \"device\")\n");
		return 2;
	}
	long r = probe(ch_handle("device"));
	if (r >= 0)
		r = display_serve_init(&srv);
	if (r >= 0)
		r = display_serve_bind(&srv, argv[1]);
	else
		ch_dev_ready(r);
	printf("bootfb: %s: %ux%u: %s\n", argv[1], srv.info.current.width, srv.info.current.height,
	       ch_error_name(r));
	if (r >= 0)
		r = display_serve_run(&srv);
	return 1;
}
