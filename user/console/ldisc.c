/*
 * ldisc.c - the line discipline (ldisc.h).
 */
#include "ldisc.h"

#include <stdbool.h>
#include <string.h>

#include <abi/term.h>
#include <charlotte/wcwidth.h>

#define CTRL(c) ((c)&0x1f)

void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *ctx)
{
	ld->mode = TERM_MODE_CANON | TERM_MODE_ECHO | TERM_MODE_ISIG;
	ld->ops = ops;
	ld->ctx = ctx;
	ld->len = 0;
}

void ldisc_flush(struct ldisc *ld)
{
	ld->len = 0;
}

void ldisc_set_mode(struct ldisc *ld, uint32_t mode)
{
	mode &= TERM_MODE_ALL;
	if ((ld->mode & TERM_MODE_CANON) && !(mode & TERM_MODE_CANON) && ld->len) {
		ld->ops->deliver(ld->ctx, ld->line, ld->len);
		ld->len = 0;
	}
	ld->mode = mode;
}

static void echo(struct ldisc *ld, const char *s, size_t n)
{
	if (ld->mode & TERM_MODE_ECHO)
		ld->ops->echo(ld->ctx, s, n);
}

/* Echo one byte: control characters as ^X (but tab; ESC as ^[). */
static void echo_byte(struct ldisc *ld, char c)
{
	if ((unsigned char)c < 0x20 && c != '\t' && c != '\n') {
		char v[2] = {'^', (char)(c + '@')};
		echo(ld, v, 2);
	} else {
		echo(ld, &c, 1);
	}
}

/* Columns cp took when echoed: ^X for a control character but tab; East Asian
 * wide ones two, combining marks none (wcwidth.h, as the emulator draws them). */
static unsigned width_of(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' ? 1 : 2;
	int w = wc_width(cp);
	return w < 0 ? 1 : (unsigned)w;
}

/* Erases the last character (all its UTF-8 bytes); false if the line was empty. */
static bool erase_char(struct ldisc *ld)
{
	if (!ld->len)
		return false;
	size_t end = ld->len;
	while (ld->len > 1 && ((unsigned char)ld->line[ld->len - 1] & 0xc0) == 0x80)
		ld->len--;
	ld->len--;
	uint32_t cp;
	if (wc_utf8_decode(ld->line + ld->len, end - ld->len, &cp) != end - ld->len)
		cp = 0xfffd; /* not one well-formed character: it showed as one U+FFFD */
	for (unsigned i = width_of(cp); i > 0; i--)
		echo(ld, "\b \b", 3);
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void erase_word(struct ldisc *ld)
{
	while (ld->len && is_space(ld->line[ld->len - 1]))
		erase_char(ld);
	while (ld->len && !is_space(ld->line[ld->len - 1]))
		erase_char(ld);
}

static bool signal_key(struct ldisc *ld, char c)
{
	uint32_t ev = c == CTRL('C')    ? TERM_EV_INTR
	              : c == CTRL('Z')  ? TERM_EV_SUSP
	              : c == CTRL('\\') ? TERM_EV_QUIT
	                                : 0;
	if (!ev || !(ld->mode & TERM_MODE_ISIG))
		return false;
	char v[3] = {'^', (char)(c + '@'), '\n'};
	ld->len = 0;
	ld->ops->echo(ld->ctx, v, 3); /* abi/term.h: always echoed */
	ld->ops->event(ld->ctx, ev);
	return true;
}

static void canon_byte(struct ldisc *ld, char c)
{
	switch (c) {
	case '\r':
	case '\n':
		if (ld->len < LDISC_LINE_MAX) {
			ld->line[ld->len++] = '\n';
		} else {
			ld->line[LDISC_LINE_MAX - 1] = '\n';
		}
		echo(ld, "\n", 1); /* output processing makes it "\r\n" */
		ld->ops->deliver(ld->ctx, ld->line, ld->len);
		ld->len = 0;
		return;
	case 0x7f:
	case CTRL('H'):
		erase_char(ld);
		return;
	case CTRL('U'):
		while (erase_char(ld))
			;
		return;
	case CTRL('W'):
		erase_word(ld);
		return;
	case CTRL('D'):
		ld->ops->deliver(ld->ctx, ld->line, ld->len);
		ld->len = 0;
		return;
	default:
		break;
	}
	if (ld->len >= LDISC_LINE_MAX - 1) { /* room for the '\n' stays */
		echo(ld, "\a", 1);
		return;
	}
	ld->line[ld->len++] = c;
	echo_byte(ld, c);
}

void ldisc_input(struct ldisc *ld, const char *buf, size_t len)
{
	if (!(ld->mode & TERM_MODE_CANON)) {
		size_t start = 0;
		for (size_t i = 0; i < len; i++) {
			if (!signal_key(ld, buf[i]))
				continue;
			if (i > start)
				ld->ops->deliver(ld->ctx, buf + start, i - start);
			start = i + 1;
		}
		if (len > start) {
			ld->ops->deliver(ld->ctx, buf + start, len - start);
			echo(ld, buf + start, len - start);
		}
		return;
	}
	for (size_t i = 0; i < len; i++)
		if (!signal_key(ld, buf[i]))
			canon_byte(ld, buf[i]);
}

size_t ldisc_onlcr(const char *in, size_t len, char *out, size_t cap, size_t *used)
{
	size_t i = 0, n = 0;
	for (; i < len; i++) {
		if (in[i] == '\n') {
			if (cap - n < 2)
				break;
			out[n++] = '\r';
		} else if (n == cap) {
			break;
		}
		out[n++] = in[i];
	}
	*used = i;
	return n;
}
