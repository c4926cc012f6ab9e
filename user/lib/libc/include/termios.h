/*
 * termios.h - terminal modes (termios.c) over a terminal session's requests
 * (abi/term.h). Of c_lflag only ICANON, ECHO and ISIG mean something (the session's
 * TERM_MODE_CANON, _ECHO, _ISIG); the other flags and fields are accepted and
 * ignored, and read back as 0 (c_cc: 0 too; the console's editing keys are fixed).
 * A descriptor that is not a terminal is ENOTTY.
 */
#pragma once

typedef unsigned int tcflag_t;
typedef unsigned char cc_t;
typedef unsigned int speed_t;

#define NCCS 32

struct termios {
	tcflag_t c_iflag;
	tcflag_t c_oflag;
	tcflag_t c_cflag;
	tcflag_t c_lflag;
	cc_t c_line;
	cc_t c_cc[NCCS];
	speed_t c_ispeed, c_ospeed;
};

/* c_lflag (Linux's values) */
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define IEXTEN 0100000

/* c_iflag, c_oflag, c_cflag: accepted, ignored */
#define IGNBRK 0000001
#define BRKINT 0000002
#define PARMRK 0000010
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IXON 0002000
#define OPOST 0000001
#define CSIZE 0000060
#define CS8 0000060
#define PARENB 0000400

/* c_cc indexes: accepted, ignored */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6

/* tcsetattr's when */
#define TCSANOW 0
#define TCSADRAIN 1 /* the same: a request waits for the output before it anyway */
#define TCSAFLUSH 2 /* also drops input not yet read */

/* tcflush's queue */
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2

int tcgetattr(int fd, struct termios *t);
int tcsetattr(int fd, int when, const struct termios *t);
/* Input not yet read is dropped (TCIFLUSH, TCIOFLUSH; output is never held back). */
int tcflush(int fd, int queue);
/* No canonical editing, echo or signal keys (and the ignored flags cleared as POSIX's). */
void cfmakeraw(struct termios *t);
