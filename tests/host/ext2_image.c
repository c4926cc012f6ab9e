/*
 * ext2_image.c - an ext2_dev over an image file (pread/pwrite), for host tests.
 */
#include "ext2_image.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <abi/errors.h>

#define IMG_BLOCK 512u

static int img_read(void *ctx, uint64_t first, uint32_t count, void *buf)
{
	struct ext2_image *img = ctx;
	size_t len = (size_t)count * IMG_BLOCK;
	if (pread(img->fd, buf, len, (off_t)(first * IMG_BLOCK)) != (ssize_t)len)
		return ERR_INTERNAL;
	img->reads++;
	return 0;
}

static int img_write(void *ctx, uint64_t first, uint32_t count, const void *buf)
{
	struct ext2_image *img = ctx;
	size_t len = (size_t)count * IMG_BLOCK;
	if (pwrite(img->fd, buf, len, (off_t)(first * IMG_BLOCK)) != (ssize_t)len)
		return ERR_INTERNAL;
	img->writes++;
	return 0;
}

static int img_flush(void *ctx)
{
	struct ext2_image *img = ctx;
	img->flushes++;
	return 0;
}

int ext2_image_open(struct ext2_image *img, const char *path)
{
	img->fd = open(path, O_RDWR);
	struct stat st;
	if (img->fd < 0 || fstat(img->fd, &st) < 0)
		return -1;
	img->reads = img->writes = img->flushes = 0;
	img->dev = (struct ext2_dev){
	    .ctx = img,
	    .block_size = IMG_BLOCK,
	    .block_count = (uint64_t)st.st_size / IMG_BLOCK,
	    .read_blocks = img_read,
	    .write_blocks = img_write,
	    .flush = img_flush,
	};
	return 0;
}

void ext2_image_close(struct ext2_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}

int ext2_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}
