/*
 * console.h - bin/console, the console service (docs/terminal.md): it owns the
 * screen (a display-class driver), the keyboards (input-class drivers) and the
 * serial line, and serves terminal sessions over kbus (abi/term.h): "serial"
 * and vt1..vt4 on the screen, each a KBUS_KIND_TERM channel whose other end
 * the session's program holds as stdin, stdout and stderr.
 *
 * One thread does everything from one waitset (console.c): session endpoints
 * (output, control calls), the programs' exits, the keyboards' rings, the
 * serial input and a tick (cursor blink, looking for devices). The serial line
 * is read by a second thread that only forwards bytes (serial.c), because the
 * kernel's log read blocks and is not a waitset member.
 *
 * Files: console.c (main, the loop, devices), session.c (sessions, their
 * programs, control calls), screen.c (drawing a vt on the framebuffer),
 * serial.c (the serial line's two backends); the pure parts vt.c, ldisc.c,
 * keymap.c, kmap.c and keysym.c (keyboard layouts) and font.c are host-tested.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/handle.h>
#include <abi/term.h>
#include <charlotte/display.h>
#include <charlotte/spawn.h>

#include "font.h"
#include "keymap.h"
#include "kmap.h"
#include "ldisc.h"
#include "vt.h"

#define CONSOLE_VTS 4u
#define CONSOLE_SESSIONS (1u + CONSOLE_VTS) /* serial, vt1..vt4 */
#define CONSOLE_SCROLLBACK 1000u /* lines kept per vt */
#define CONSOLE_INQ_BYTES 8192u /* input waiting for a program's full queue */
#define CONSOLE_INQ_MSGS 128u
#define CONSOLE_MAX_KBDS 8u
#define CONSOLE_MAX_GRANTS 24u /* sh.* capabilities passed on to programs */
#define CONSOLE_SESSION_DEPTH 64u /* messages queued per session endpoint */

/* Waitset keys: kind << 8 | index. */
enum { KEY_SESS_EP = 1, KEY_SESS_PROC, KEY_KBD, KEY_SERIAL, KEY_TICK };
#define KEY(kind, i) ((uint64_t)(kind) << 8 | (i))

struct session {
	unsigned index; /* 0: serial, 1..4: vt1..vt4 */
	char name[8];
	bool present; /* the serial line or a screen exists for it */
	bool is_vt;
	handle_t ep; /* our end of the session channel */
	handle_t jobctl; /* TERM_SET_JOBCTL's endpoint, or HANDLE_INVALID */
	bool running; /* child is a live program */
	bool ended; /* its program ended: Enter starts it again */
	unsigned starts; /* programs started so far */
	struct ch_child child;
	struct ldisc ld;
	struct vt vt; /* vts only */
	bool want_writable; /* input waits for room in the program's queue */
	/* input the program's queue had no room for, in order */
	uint32_t inq_head, inq_count, inq_used;
	uint16_t inq_len[CONSOLE_INQ_MSGS];
	char inq[CONSOLE_INQ_BYTES];
};

struct screen {
	bool present;
	struct ch_display disp;
	uint32_t *px; /* the framebuffer: pitch / 4 pixels a line */
	uint32_t stride, width, height;
	unsigned cols, rows;
	struct vt_cell *shown; /* what is on the glass, cell by cell */
	bool cursor_on; /* the blink phase */
	unsigned shown_row, shown_col; /* where the cursor was drawn */
	bool shown_cursor;
	unsigned shown_gen, shown_vt;
};

struct console {
	handle_t pool, ws;
	struct font font;
	struct screen scr;
	struct session sess[CONSOLE_SESSIONS];
	unsigned active; /* the vt on the screen (1..4) */
	const char *const *argv; /* the program each session runs (NULL-terminated) */
	uint64_t prog_pool; /* bytes each program's pool gets */
	const char *display; /* --display: the display's URI, or NULL */
	bool banner; /* --banner: the system's banner before a session's first program */
	unsigned ngrants;
	struct ch_grant grants[CONSOLE_MAX_GRANTS]; /* sh.* without the prefix */
	char grant_names[CONSOLE_MAX_GRANTS][24];
	/* the serial line */
	handle_t serial_in; /* the channel the serial thread forwards to, or "line" */
	handle_t serial_out; /* "line" (test backend), or HANDLE_INVALID */
	handle_t log_console; /* the "console" log capability (kernel backend) */
	uint64_t tick;
	/* the keyboards' layout: NULL is the built-in US one (keymap.h) */
	const struct kmap *layout;
	char layout_name[KMAP_NAME_MAX];
	struct keymap_state keys;
};

extern struct console con;

/* console.c */
/*
 * Makes layout name (share/keymaps/<name>.kmap of the initrd; "us": the built-in
 * one) the keyboards'. On error the layout in force stays and err says why.
 */
int console_set_layout(const char *name, struct kmap_error *err);

/* session.c */
void session_setup(struct session *s, unsigned index, bool vt);
int session_start(struct session *s);
void session_output_ready(struct session *s);
void session_ended(struct session *s);
void session_writable(struct session *s);
void session_key(struct session *s, const char *bytes, size_t len);
void session_show(struct session *s, const char *text);

/* screen.c */
int screen_open(struct screen *scr, const struct font *f, const char *uri);
void screen_draw(struct screen *scr, const struct font *f, struct vt *vt, unsigned vtno);
void screen_blink(struct screen *scr);

/* serial.c */
int serial_open(void);
void serial_readable(void);
void serial_write(const char *buf, size_t len);
