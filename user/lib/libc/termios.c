/*
 * termios.c - tcgetattr, tcsetattr, tcflush, cfmakeraw and ioctl(TIOCGWINSZ) over a
 * terminal session's requests (abi/term.h, through __libc_term).
 */
#include <termios.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include "files.h"

/* The session endpoint behind fd, or HANDLE_INVALID with errno. */
static handle_t term_of(int fd)
{
	if (__libc_fd_stream_term(fd))
		return HANDLE_INVALID;
	return ch_fd_handle(fd);
}

static int term(int fd, uint32_t op, uint32_t arg, struct term_reply *rep)
{
	handle_t h = term_of(fd);
	if (h == HANDLE_INVALID)
		return -1;
	long r = __libc_term(h, op, arg, rep);
	return r < 0 ? __libc_fail(r, 0) : 0;
}

int tcgetattr(int fd, struct termios *t)
{
	struct term_reply rep;
	if (!t) {
		errno = EFAULT;
		return -1;
	}
	if (term(fd, TERM_GET_MODE, 0, &rep))
		return -1;
	*t = (struct termios){.c_lflag = (rep.mode & TERM_MODE_CANON ? ICANON : 0) |
	                                 (rep.mode & TERM_MODE_ECHO ? ECHO : 0) |
	                                 (rep.mode & TERM_MODE_ISIG ? ISIG : 0)};
	return 0;
}

int tcsetattr(int fd, int when, const struct termios *t)
{
	struct term_reply rep;
	if (!t) {
		errno = EFAULT;
		return -1;
	}
	if (when != TCSANOW && when != TCSADRAIN && when != TCSAFLUSH) {
		errno = EINVAL;
		return -1;
	}
	uint32_t mode = (t->c_lflag & ICANON ? TERM_MODE_CANON : 0) |
	                (t->c_lflag & ECHO ? TERM_MODE_ECHO : 0) |
	                (t->c_lflag & ISIG ? TERM_MODE_ISIG : 0);
	if (term(fd, TERM_SET_MODE, mode, &rep))
		return -1;
	return when == TCSAFLUSH ? tcflush(fd, TCIFLUSH) : 0;
}

int tcflush(int fd, int queue)
{
	struct term_reply rep;
	if (queue != TCIFLUSH && queue != TCOFLUSH && queue != TCIOFLUSH) {
		errno = EINVAL;
		return -1;
	}
	if (queue == TCOFLUSH)
		return term_of(fd) == HANDLE_INVALID ? -1 : 0;
	if (term(fd, TERM_FLUSH_INPUT, 0, &rep))
		return -1;
	__libc_fd_drop_input(fd);
	return 0;
}

void cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t->c_oflag &= ~(tcflag_t)OPOST;
	t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag = (t->c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	struct winsize *ws = va_arg(ap, struct winsize *);
	va_end(ap);
	struct term_reply rep;
	if (req != TIOCGWINSZ) {
		errno = term_of(fd) == HANDLE_INVALID ? errno : EINVAL;
		return -1;
	}
	if (!ws) {
		errno = EFAULT;
		return -1;
	}
	if (term(fd, TERM_GET_SIZE, 0, &rep))
		return -1;
	*ws = (struct winsize){.ws_row = rep.rows, .ws_col = rep.cols};
	return 0;
}
