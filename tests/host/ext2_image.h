/*
 * ext2_image.h - an ext2_dev over an image file, and the e2fsprogs steps around
 * it, for tests/host/test_ext2.c (the fuzz target has its own, in memory).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "ext2.h"

struct ext2_image {
	int fd;
	struct ext2_dev dev;
	uint64_t reads, writes, flushes;
};

/* Open path as a device of 512-byte blocks. 0 or -1. */
int ext2_image_open(struct ext2_image *img, const char *path);
void ext2_image_close(struct ext2_image *img);
/* Run a shell command; its exit status (-1 if it could not run). */
int ext2_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
