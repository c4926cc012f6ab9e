/*
 * term.h - byte streams and terminals over kbus (docs/terminal.md).
 *
 * Streams. A stream is one end of a kbus channel. Its data are plain messages
 * (sent with SYS_KBUS_SEND, never calls) of 1..STREAM_MSG_MAX bytes, read in
 * order; a reader may take a message in pieces (libc keeps the rest). A data
 * message of 0 bytes is an end-of-file mark (a terminal's Ctrl-D): read()
 * returns 0 for it once and later reads go on. ERR_PEER_CLOSED on receive
 * (after the queue drained) is the lasting end of file; on send it means the
 * reader is gone (EPIPE). Capabilities arriving with data are dropped.
 *
 * The channel's kind (SYS_CHANNEL_CREATE a2, reported on both ends by
 * SYS_KBUS_INFO) tells what a stream is: KBUS_KIND_PIPE (pipe(), the shell's
 * `|`) or KBUS_KIND_TERM (a terminal session made by the console); isatty()
 * is "kind == KBUS_KIND_TERM".
 *
 * Standard streams. A program's start_info may name three endpoints: "stdin"
 * (fd 0: read), "stdout" (fd 1) and "stderr" (fd 2: written). On a terminal
 * all three are capabilities to the same session endpoint. A name that is
 * missing falls back as before: fd 0 reads end-of-file, fds 1 and 2 write to
 * "log". A file redirection passes a file capability of the namespace instead
 * (abi/ns.h), which libc reads and writes as a file.
 *
 * Terminals. The console keeps one end of each session channel and gives the
 * other to the session's programs. What they send is output (the console
 * turns "\n" into "\r\n" and interprets the escape sequences of
 * docs/terminal.md); what they receive is input:
 *   - canonical mode (TERM_MODE_CANON): one message per line, ending in '\n',
 *     edited by the console first (Backspace, Ctrl-U, Ctrl-W); Ctrl-D sends
 *     the partial line without '\n', or a 0-byte message at a line's start;
 *   - raw mode: bytes as typed, each key's bytes in one message; Enter is
 *     '\r', Backspace 0x7f, and the other keys xterm's sequences: arrows
 *     ESC [ A/B/C/D, Home ESC [ H, End ESC [ F, Insert ESC [ 2 ~, Delete
 *     ESC [ 3 ~, PgUp ESC [ 5 ~, PgDn ESC [ 6 ~, F1-F4 ESC O P..S, F5-F12
 *     ESC [ 15 ~ 17 ~ 18 ~ 19 ~ 20 ~ 21 ~ 23 ~ 24 ~; Alt-x is ESC x; Ctrl-<letter>
 *     its control byte.
 *   - TERM_MODE_ECHO: typed input is echoed (canonical mode edits visibly).
 *   - TERM_MODE_ISIG: Ctrl-C, Ctrl-Z and Ctrl-\ are not input: the console
 *     drops the pending line, echoes "^C" ("^Z", "^\") and a newline, and
 *     sends a struct term_event (TERM_EV_INTR, _SUSP, _QUIT) on the job-control
 *     endpoint (TERM_SET_JOBCTL), if one is set. The shell holds it and stops
 *     or kills its foreground job; nothing else acts on the keys.
 *   Shift-PgUp/PgDn (scrollback) and Alt-F1..F4 (virtual consoles) are the
 *   console's own in every mode and never reach a program.
 *
 * Control requests are kbus calls (SYS_KBUS_CALL) on a session endpoint,
 * struct term_req -> struct term_reply; replies come to the caller only, so
 * they never mix with input. The console answers every call promptly, and
 * after the output sent before it has been written (so a call also drains).
 *   TERM_GET_MODE    -> reply.mode
 *   TERM_SET_MODE    req.arg = TERM_MODE_* -> reply.mode (the new mode)
 *   TERM_GET_SIZE    -> reply.cols, reply.rows
 *   TERM_SET_JOBCTL  handles[0] = an endpoint (RIGHT_SEND) for term_events;
 *                    no handle: stop sending them
 *   TERM_FLUSH_INPUT drop input typed but not yet received
 *   TERM_GET_INFO    -> reply.name ("serial", "vt1".."vt4"), reply.mode, size
 *   TERM_SET_KEYMAP  struct term_keymap_req: the console's keyboards take the
 *                    layout req.name (share/keymaps/<name>.kmap of the initrd;
 *                    "us": the built-in US layout) -> struct term_keymap_reply
 *                    with the layout in force; a layout that cannot be read is
 *                    an error (ERR_NOT_FOUND, ERR_MALFORMED, ERR_OUT_OF_RANGE)
 *                    with reply.error saying where and why, and the layout in
 *                    force stays. Keys typed on the serial line are characters
 *                    already: layouts apply to the keyboards only.
 *   TERM_GET_KEYMAP  struct term_keymap_req -> struct term_keymap_reply
 * Unknown ops: status ERR_NOT_SUPPORTED. A pipe's reader that receives a call
 * (a hostile or confused writer) answers ERR_NOT_SUPPORTED.
 */
#pragma once

#include <stdint.h>

#include <abi/kbus.h>

#define STREAM_MSG_MAX 16384u /* bytes per data message a writer sends at most */

/* Modes (a bit set); a new session starts CANON | ECHO | ISIG. */
#define TERM_MODE_CANON 0x1u
#define TERM_MODE_ECHO 0x2u
#define TERM_MODE_ISIG 0x4u
#define TERM_MODE_ALL (TERM_MODE_CANON | TERM_MODE_ECHO | TERM_MODE_ISIG)

/* Requests (term_req.op) */
#define TERM_GET_MODE 1u
#define TERM_SET_MODE 2u
#define TERM_GET_SIZE 3u
#define TERM_SET_JOBCTL 4u
#define TERM_FLUSH_INPUT 5u
#define TERM_GET_INFO 6u
#define TERM_SET_KEYMAP 7u /* a call of a struct term_keymap_req */
#define TERM_GET_KEYMAP 8u /* a call of a struct term_keymap_req */

#define TERM_REQ_MAGIC 0x6d726574u /* "term" */

struct term_req {
	uint32_t magic; /* TERM_REQ_MAGIC */
	uint32_t op; /* TERM_* */
	uint32_t arg; /* TERM_SET_MODE: the mode */
	uint32_t reserved;
};

struct term_reply {
	int32_t status; /* 0 or ERR_* */
	uint32_t mode;
	uint16_t cols, rows;
	uint32_t reserved;
	char name[16]; /* TERM_GET_INFO: NUL-terminated */
};

/* TERM_SET_KEYMAP and TERM_GET_KEYMAP: a request and a reply of their own size. */
#define TERM_KEYMAP_NAME_MAX 32u

struct term_keymap_req {
	struct term_req req; /* magic, op TERM_SET_KEYMAP or TERM_GET_KEYMAP */
	char name[TERM_KEYMAP_NAME_MAX]; /* SET: the layout, NUL-terminated */
};

struct term_keymap_reply {
	struct term_reply rep; /* status, mode, size, the session's name */
	char name[TERM_KEYMAP_NAME_MAX]; /* the layout in force */
	char error[128]; /* SET failed: "<file>:<line>: <what>", NUL-terminated */
};

/* Job-control events, sent as plain messages on the TERM_SET_JOBCTL endpoint. */
#define TERM_EV_INTR 1u /* Ctrl-C */
#define TERM_EV_SUSP 2u /* Ctrl-Z */
#define TERM_EV_QUIT 3u /* Ctrl-\ */

struct term_event {
	uint32_t magic; /* TERM_REQ_MAGIC */
	uint32_t event; /* TERM_EV_* */
};
