/*
 * term.c - raw mode, waiting for input and the screen size (term.h), over the
 * libc's termios and the stream endpoint behind a descriptor (abi/term.h).
 */
#include "term.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <abi/kbus.h>
#include <charlotte/fd.h>
#include <charlotte/kbus.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

static struct termios saved;
static int saved_fd = -1;

int term_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -1;
	struct termios raw = t;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSAFLUSH, &raw) < 0)
		return -1;
	saved = t;
	saved_fd = fd;
	return 0;
}

void term_restore(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSAFLUSH, &saved);
	saved_fd = -1;
}

int term_wait_input(int fd, uint64_t timeout_ns)
{
	static handle_t ws = HANDLE_INVALID;
	static handle_t watched = HANDLE_INVALID;
	handle_t ep = ch_fd_handle(fd);
	if (ep == HANDLE_INVALID)
		return -1;
	if (ws == HANDLE_INVALID && ch_waitset_create(ch_handle("pool"), &ws) < 0)
		return -1;
	if (watched != ep) {
		if (watched != HANDLE_INVALID)
			ch_waitset_remove(ws, 1);
		if (ch_waitset_add(ws, ep, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED, 1) < 0)
			return -1;
		watched = ep;
	}
	struct kbus_event ev;
	long r = ch_waitset_wait(ws, &ev, 1, timeout_ns);
	if (r == ERR_TIMED_OUT)
		return 0;
	return r < 0 ? -1 : 1;
}

void term_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize w;
	*rows = 24;
	*cols = 80;
	if (ioctl(fd, TIOCGWINSZ, &w) == 0 && w.ws_row && w.ws_col) {
		*rows = w.ws_row;
		*cols = w.ws_col;
	}
}
