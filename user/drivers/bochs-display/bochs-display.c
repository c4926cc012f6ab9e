/*
 * bochs-display - QEMU's std VGA and bochs-display (PCI 1234:1111) through the
 * display class: `bin/bochs-display <name>` binds dev:///display/<name>.
 * BAR0 is the framebuffer, BAR2 the registers: the DISPI (VBE) registers as
 * 16-bit words at 0x500 (index * 2), and on std VGA the VGA ports 0x3c0-0x3df
 * at 0x400. A mode set disables DISPI, programs resolution and 32 bpp with a
 * virtual width equal to the width, then enables it with the linear
 * framebuffer; the scan-out reads the framebuffer itself, so a flush has
 * nothing to copy. The modes offered are those that fit the video memory the
 * device reports and BAR0. What the device reads back is checked: an ID
 * outside 0xb0c0..0xb0c5 is not a DISPI device (ERR_NOT_SUPPORTED).
 * Grants: log, pool, ns, device, ready.
 */
#include <stdio.h>

#include <abi/errors.h>
#include <charlotte/devcall.h>
#include <charlotte/devmem.h>
#include <charlotte/displayserve.h>
#include <charlotte/hw.h>
#include <charlotte/names.h>
#include <charlotte/start.h>

#define DISPI 0x500
#define VGA_AR 0x400 /* port 0x3c0 */
#define R_ID 0
#define R_XRES 1
#define R_YRES 2
#define R_BPP 3
#define R_ENABLE 4
#define R_BANK 5
#define R_VIRT_WIDTH 6
#define R_VIRT_HEIGHT 7
#define R_X_OFFSET 8
#define R_Y_OFFSET 9
#define R_VIDEO_MEMORY_64K 0xa
#define EN_ENABLED 0x01
#define EN_LFB 0x40

static volatile uint8_t *regs;
static struct display_server srv;

static void wr(unsigned r, uint16_t v)
{
	*(volatile uint16_t *)(regs + DISPI + r * 2) = v;
}

static uint16_t rd(unsigned r)
{
	return *(volatile uint16_t *)(regs + DISPI + r * 2);
}

static long set_mode(void *drv, uint32_t w, uint32_t h, struct display_mode *cur)
{
	(void)drv;
	wr(R_ENABLE, 0);
	wr(R_BPP, 32);
	wr(R_XRES, (uint16_t)w);
	wr(R_YRES, (uint16_t)h);
	wr(R_BANK, 0);
	wr(R_VIRT_WIDTH, (uint16_t)w);
	wr(R_VIRT_HEIGHT, (uint16_t)h);
	wr(R_X_OFFSET, 0);
	wr(R_Y_OFFSET, 0);
	wr(R_ENABLE, EN_ENABLED | EN_LFB);
	regs[VGA_AR] = 0x20; /* std VGA: attribute controller on (as Linux bochs-drm does) */
	if (rd(R_XRES) != w || rd(R_YRES) != h || rd(R_BPP) != 32)
		return ERR_IO; /* the device did not take it */
	*cur = (struct display_mode){w, h, w * 4, DISPLAY_FORMAT_XRGB8888};
	return 0;
}

static long probe(handle_t dev)
{
	static const uint16_t modes[][2] = {{640, 480},  {800, 600},   {1024, 768},
	                                    {1280, 720}, {1280, 1024}, {1920, 1080}};
	struct hw_resource fb;
	uint64_t size;
	long r = ch_dev_resource(dev, 0, &fb);
	if (r >= 0 && fb.kind != HW_RES_MMIO)
		r = ERR_NOT_SUPPORTED;
	if (r >= 0)
		r = ch_devmem_map_mmio(dev, 2, &regs, &size);
	if (r >= 0 && size < DISPI + 0x20)
		r = ERR_NOT_SUPPORTED;
	if (r < 0)
		return r;
	uint16_t id = rd(R_ID);
	if (id < 0xb0c0 || id > 0xb0c5)
		return ERR_NOT_SUPPORTED;
	uint64_t vram = (uint64_t)rd(R_VIDEO_MEMORY_64K) << 16;
	if (!vram || vram > fb.size)
		vram = fb.size;
	srv.info.fb_size = vram;
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if ((uint64_t)modes[i][0] * modes[i][1] * 4 <= vram)
			srv.info.modes[srv.info.nmodes++] = (struct display_mode){
			    modes[i][0], modes[i][1], 0, DISPLAY_FORMAT_XRGB8888};
	if (!srv.info.nmodes)
		return ERR_NOT_SUPPORTED;
	r = ch_dev_mmio(dev, 0, &srv.fb);
	if (r >= 0)
		r = set_mode(NULL, 1024 * 768 * 4 <= vram ? 1024 : 640,
		             1024 * 768 * 4 <= vram ? 768 : 480, &srv.info.current);
	srv.set_mode = set_mode;
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: bochs-display <name>   (with the device granted as \"device\")\n");
		return 2;
	}
	long r = probe(ch_handle("device"));
	if (r >= 0)
		r = display_serve_init(&srv);
	if (r >= 0)
		r = display_serve_bind(&srv, argv[1]);
	else
		ch_dev_ready(r);
	printf("bochs-display: %s: %ux%u, %llu KiB: %s\n", argv[1], srv.info.current.width,
	       srv.info.current.height, (unsigned long long)(srv.info.fb_size >> 10),
	       ch_error_name(r));
	if (r >= 0)
		r = display_serve_run(&srv);
	return 1;
}
