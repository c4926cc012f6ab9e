/*
 * ldisc.h - a terminal session's line discipline (abi/term.h): what typed bytes
 * become for the program, what is echoed, and which keys are job-control events.
 *
 *   canonical mode: bytes collect in a line (at most LDISC_LINE_MAX bytes; more
 *     are refused with a bell) edited by Backspace (0x7f or 0x08: one UTF-8
 *     character), Ctrl-U (the line) and Ctrl-W (the word before the cursor);
 *     Enter ('\r' or '\n') delivers the line with '\n'; Ctrl-D delivers the
 *     partial line without '\n', or an empty message (end of file) at a line's
 *     start;
 *   raw mode: each call's bytes (one key's) are delivered as they are;
 *   TERM_MODE_ECHO: typed bytes are echoed (control characters as ^X), erasures
 *     as "\b \b";
 *   TERM_MODE_ISIG: Ctrl-C, Ctrl-Z, Ctrl-\ drop the pending line, echo "^C"
 *     ("^Z", "^\") and a newline, and raise TERM_EV_INTR (_SUSP, _QUIT).
 *
 * Pure (tests/host/test_console.c): the owner gives three callbacks and feeds
 * bytes; nothing here blocks or allocates.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define LDISC_LINE_MAX 4096u

struct ldisc_ops {
	void (*deliver)(void *ctx, const char *buf, size_t len); /* a message (0 bytes: EOF) */
	void (*echo)(void *ctx, const char *buf, size_t len); /* to the screen */
	void (*event)(void *ctx, uint32_t ev); /* TERM_EV_* */
};

struct ldisc {
	uint32_t mode; /* TERM_MODE_* */
	const struct ldisc_ops *ops;
	void *ctx;
	size_t len;
	char line[LDISC_LINE_MAX];
};

void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *ctx);

/* Sets the mode (bits outside TERM_MODE_ALL ignored). Leaving canonical mode
 * delivers the pending line as it is, so no typed byte is lost. */
void ldisc_set_mode(struct ldisc *ld, uint32_t mode);

/* Drops the pending line (TERM_FLUSH_INPUT). */
void ldisc_flush(struct ldisc *ld);

/* Bytes typed: one key's bytes per call (in raw mode they are one message). */
void ldisc_input(struct ldisc *ld, const char *buf, size_t len);

/*
 * Output post-processing for a byte device (the serial line): copies in to
 * out turning "\n" into "\r\n", stopping when out (cap >= 2) is full.
 * Returns the bytes written; *used gets the bytes of in consumed.
 */
size_t ldisc_onlcr(const char *in, size_t len, char *out, size_t cap, size_t *used);
