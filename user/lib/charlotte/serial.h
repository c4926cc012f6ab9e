/*
 * serial.h - the serial class client (abi/dev/serial.h, docs/devices.md
 * "Serial"): a byte stream to and from dev:///serial/<name>.
 *
 *   struct ch_serial s;
 *   ch_serial_open(&s, "dev:///serial/com2", HANDLE_INVALID, SERIAL_MODE_ALL);
 *   ch_serial_write(&s, "hello\r\n", 7, CH_FOREVER);   (every byte, or the timeout)
 *   long n = ch_serial_read(&s, buf, sizeof(buf), 1000000000); (0: nothing in 1 s)
 *   ch_serial_close(&s);
 *
 * A ch_serial is a session (SERIAL_MSG_OPEN): the driver notifies it when bytes
 * arrive or room frees, so reads and writes with a timeout sleep instead of
 * polling. Every reply is checked (type, length, no more bytes than asked:
 * else ERR_MALFORMED). One thread per ch_serial.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <abi/dev/serial.h>
#include <abi/handle.h>

struct ch_serial {
	handle_t ep; /* the session endpoint */
	uint32_t mode; /* SERIAL_MODE_* the driver granted */
};

/*
 * Opens a session of the given mode on uri ("dev:///serial/com2"), or on dev
 * when it is not HANDLE_INVALID (a capability to the driver's entry endpoint or
 * to another session, whose mode bounds ours). 0 or ERR_*.
 */
long ch_serial_open(struct ch_serial *s, const char *uri, handle_t dev, uint32_t mode);

/* Opens a session on s's own session, of a narrower mode, into *out (to give to
 * another program: move out->ep). 0 or ERR_*. */
long ch_serial_open_sub(struct ch_serial *s, uint32_t mode, struct ch_serial *out);

/* Sends len bytes, waiting for room up to timeout ns (CH_FOREVER: none); the
 * bytes taken (len unless the timeout came first), or ERR_*. */
long ch_serial_write(struct ch_serial *s, const void *buf, size_t len, uint64_t timeout);

/* At most len bytes received, waiting up to timeout ns for the first one: the
 * count (0 when none came in time), or ERR_*. */
long ch_serial_read(struct ch_serial *s, void *buf, size_t len, uint64_t timeout);

/* The line settings, read back from the hardware. 0 or ERR_*. */
long ch_serial_get_line(struct ch_serial *s, struct serial_config *out);

/* Sets the line; *cfg is updated to what is in force. 0 or ERR_INVALID_ARGS, ... */
long ch_serial_set_line(struct ch_serial *s, struct serial_config *cfg);

/* Modem lines, buffer fill and the error counters. 0 or ERR_*. */
long ch_serial_status(struct ch_serial *s, struct serial_status *out);

/*
 * Takes every notification queued on s->ep, for a caller that waits for the port in
 * a waitset of its own (s->ep, KBUS_EV_READABLE): after a read returned 0 bytes, the
 * session becomes readable when bytes arrive; take the notes, then read again.
 */
void ch_serial_take_notes(struct ch_serial *s);

/* Ends the session (the driver frees it). */
void ch_serial_close(struct ch_serial *s);
