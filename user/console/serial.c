/*
 * serial.c - the serial session's line, one of two backends:
 *
 *   "line" granted (tests): an endpoint; each message received is bytes typed,
 *     output goes back as messages (a reader that does not keep up within
 *     100 ms loses output, so a test cannot stall the console);
 *   "console" granted (a normal boot): the kernel log with RIGHT_MANAGE; bytes
 *     typed on COM1 come from SYS_LOG_READ (the log is a waitset member,
 *     readable while input is queued) and output goes to SYS_LOG_RAW_WRITE.
 *     Built only where abi/syscall.h has those actions.
 *
 * Output to either gets "\n" -> "\r\n" (ldisc_onlcr): a byte line has no
 * terminal emulator of ours in between.
 */
#include "console.h"

#include <string.h>

#include <abi/errors.h>
#include <abi/syscall.h>
#include <charlotte/kbus.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define SERIAL_CHUNK 512u
#define LINE_TIMEOUT_NS 100000000u

int serial_open(void)
{
	con.serial_in = con.serial_out = con.log_console = HANDLE_INVALID;
	handle_t line = ch_handle("line");
	if (line != HANDLE_INVALID) {
		con.serial_in = con.serial_out = line;
		return (int)ch_waitset_add(con.ws, line, KBUS_EV_READABLE, KEY(KEY_SERIAL, 0));
	}
#ifdef SYS_LOG_READ
	handle_t log = ch_handle("console");
	if (log != HANDLE_INVALID) {
		long r = ch_waitset_add(con.ws, log, KBUS_EV_READABLE, KEY(KEY_SERIAL, 0));
		if (r < 0)
			return (int)r;
		con.log_console = log;
		return 0;
	}
#endif
	return ERR_NOT_FOUND;
}

/* Bytes typed: one key per message in raw mode, so an escape sequence that
 * arrived whole (ESC [ ... final, ESC O x, ESC x) stays together. */
static void typed(const char *buf, size_t len)
{
	struct session *s = &con.sess[0];
	for (size_t i = 0; i < len;) {
		size_t n = 1;
		if (buf[i] == 0x1b && i + 1 < len) {
			n = 2;
			if (buf[i + 1] == '[' || buf[i + 1] == 'O') {
				while (i + n < len && n < 16 && buf[i + n] >= 0x20 &&
				       buf[i + n] < 0x40)
					n++;
				if (i + n < len)
					n++; /* the final byte */
			}
		}
		session_key(s, buf + i, n);
		i += n;
	}
}

void serial_readable(void)
{
	static char buf[4096];
	if (con.serial_in != HANDLE_INVALID) {
		for (int k = 0; k < 16; k++) {
			uint32_t len;
			long r = ch_kbus_recv_bytes(con.serial_in, buf, sizeof(buf), &len,
			                            KBUS_NONBLOCK, 0);
			if (r == ERR_BUFFER_TOO_SMALL) { /* not a typist: take it and drop it */
				static char big[KBUS_MAX_BYTES];
				ch_kbus_recv_bytes(con.serial_in, big, sizeof(big), &len,
				                   KBUS_NONBLOCK, 0);
				continue;
			}
			if (r < 0)
				break;
			typed(buf, len);
		}
		return;
	}
#ifdef SYS_LOG_READ
	for (int k = 0; k < 16; k++) {
		long n = ch_log_read(con.log_console, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		typed(buf, (size_t)n);
	}
#endif
}

void serial_write(const char *buf, size_t len)
{
	char chunk[SERIAL_CHUNK];
	while (len) {
		size_t used, n = ldisc_onlcr(buf, len, chunk, sizeof(chunk), &used);
		buf += used;
		len -= used;
		if (con.serial_out != HANDLE_INVALID) {
			ch_kbus_send_bytes(con.serial_out, chunk, (uint32_t)n, 0, LINE_TIMEOUT_NS);
			continue;
		}
#ifdef SYS_LOG_READ
		if (con.log_console != HANDLE_INVALID)
			ch_log_raw_write(con.log_console, chunk, n);
#endif
	}
}
