/*
 * sys/ioctl.h - the one request there is (termios.c): the size of a terminal.
 */
#pragma once

#define TIOCGWINSZ 0x5413

struct winsize {
	unsigned short ws_row;
	unsigned short ws_col;
	unsigned short ws_xpixel; /* 0 */
	unsigned short ws_ypixel; /* 0 */
};

/* ioctl(fd, TIOCGWINSZ, struct winsize *): 0, or -1 with errno ENOTTY (not a terminal),
 * EBADF, EFAULT (NULL), EINVAL (another request). */
int ioctl(int fd, unsigned long req, ...);
