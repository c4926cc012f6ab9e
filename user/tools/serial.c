/*
 * serial.c - `serial [-b baud] [-f format] [-r] [-l] [-c] port`: a serial port's
 * settings and counters, or (-c) the terminal connected to it, like a tiny cu
 * (abi/dev/serial.h, charlotte/serial.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <charlotte/fd.h>
#include <charlotte/kbus.h>
#include <charlotte/serial.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "lib/term.h"
#include "lib/tool.h"

static const struct tool serial_tool = {
    "serial", "serial [-b baud] [-f format] [-r] [-l] [-c] port",
    "The port is a name in dev:///serial (com2) or a URI. Without -c, prints its line\n"
    "settings, modem lines and counters.\n"
    "  -b baud    sets the rate (115200 / n: 115200, 57600, 38400, 19200, 9600, ...)\n"
    "  -f format  sets data bits, parity and stop bits: 8N1, 7E2, 5O1 ...\n"
    "  -r         RTS/CTS flow control\n"
    "  -l         the UART's own loopback (a self test: nothing reaches the wire)\n"
    "             (any of -b -f -r -l sets the line: flow control and loopback are\n"
    "             off unless given)\n"
    "  -c         connects: what is typed goes to the port, what the port sends is\n"
    "             printed; ~. at the start of a line ends it. On a terminal, raw mode;\n"
    "             otherwise stdin is sent until it ends.\n"
    "Not supported: sending a break, setting DTR/RTS by hand, file transfers.\n"};

static const char *const parity_name = "NOE";

static void print_status(const char *port, struct ch_serial *s)
{
	struct serial_config c;
	struct serial_status st;
	long r = ch_serial_get_line(s, &c);
	if (r >= 0)
		r = ch_serial_status(s, &st);
	if (r < 0) {
		tool_warn_err(port, r);
		exit(TOOL_EXIT_ERROR);
	}
	printf("%s: %u baud %u%c%u, flow %s%s\n", port, c.baud, c.data_bits,
	       parity_name[c.parity < 3 ? c.parity : 0], c.stop_bits,
	       c.flow == SERIAL_FLOW_RTSCTS ? "rts/cts" : "none",
	       c.flags & SERIAL_LINE_LOOPBACK ? ", loopback" : "");
	static const char *const lines[8] = {"DTR", "RTS", NULL, NULL, "CTS", "DSR", "RI", "DCD"};
	printf("modem:");
	for (unsigned i = 0; i < 8; i++)
		if (lines[i])
			printf(" %s%s", st.modem & (1u << i) ? "+" : "-", lines[i]);
	printf("\nreceived %llu (%u waiting of %u), sent %llu (%u waiting of %u)\n",
	       (unsigned long long)st.rx_bytes, st.rx_queued, st.rx_buffer,
	       (unsigned long long)st.tx_bytes, st.tx_queued, st.tx_buffer);
	printf("errors: overrun %llu, framing %llu, parity %llu, breaks %llu, dropped %llu\n",
	       (unsigned long long)st.overrun, (unsigned long long)st.framing,
	       (unsigned long long)st.parity, (unsigned long long)st.breaks,
	       (unsigned long long)st.rx_dropped);
}

/* "8N1": data bits, parity, stop bits into c; false if it is not one. */
static bool parse_format(const char *f, struct serial_config *c)
{
	if (strlen(f) != 3 || f[0] < '5' || f[0] > '8' || (f[2] != '1' && f[2] != '2'))
		return false;
	const char *p = strchr(parity_name, f[1] & ~0x20);
	if (!p)
		return false;
	c->data_bits = (uint8_t)(f[0] - '0');
	c->parity = (uint8_t)(p - parity_name);
	c->stop_bits = (uint8_t)(f[2] - '0');
	return true;
}

/* Sends what was typed, watching for ~. at a line start; 1 when it was typed. */
static int send_typed(struct ch_serial *s, const char *in, size_t n, bool tty)
{
	static bool line_start = true, tilde = false;
	char out[512];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = in[i];
		if (tty && tilde) {
			tilde = false;
			if (ch == '.')
				return 1;
			out[k++] = '~';
		} else if (tty && line_start && ch == '~') {
			tilde = true;
			continue;
		}
		out[k++] = ch;
		line_start = ch == '\r' || ch == '\n';
		if (k >= sizeof(out) - 1) {
			if (ch_serial_write(s, out, k, CH_FOREVER) < 0)
				return -1;
			k = 0;
		}
	}
	return k && ch_serial_write(s, out, k, CH_FOREVER) < 0 ? -1 : 0;
}

static int connect_port(const char *port, struct ch_serial *s)
{
	static char buf[SERIAL_IO_MAX];
	handle_t ws, in = ch_fd_handle(STDIN_FILENO);
	bool tty = isatty(STDIN_FILENO) && term_raw(STDIN_FILENO) == 0;
	if (in == HANDLE_INVALID || ch_waitset_create(ch_handle("pool"), &ws) < 0 ||
	    ch_waitset_add(ws, in, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED, 1) < 0 ||
	    ch_waitset_add(ws, s->ep, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED, 2) < 0) {
		term_restore();
		tool_warn("%s: cannot wait for the terminal and the port", port);
		return TOOL_EXIT_ERROR;
	}
	if (tty)
		fprintf(stderr, "serial: connected to %s; ~. ends\r\n", port);
	long r = 0;
	for (;;) {
		/* what the port has (a read of 0 bytes asks the driver to tell us of more) */
		while ((r = ch_serial_read(s, buf, sizeof(buf), 0)) > 0)
			if (write(STDOUT_FILENO, buf, (size_t)r) != r)
				break;
		if (r < 0)
			break;
		struct kbus_event ev[2];
		long n = ch_waitset_wait(ws, ev, 2, CH_FOREVER);
		if (n < 0) {
			r = n;
			break;
		}
		ch_serial_take_notes(s);
		bool typed = false;
		for (long i = 0; i < n; i++)
			typed |= ev[i].key == 1;
		if (!typed)
			continue;
		ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
		if (got <= 0)
			break; /* stdin ended */
		int t = send_typed(s, buf, (size_t)got, tty);
		if (t) {
			r = t < 0 ? ERR_PEER_CLOSED : 0;
			break;
		}
	}
	term_restore();
	if (tty)
		fprintf(stderr, "\nserial: disconnected\n");
	if (r < 0) {
		tool_warn_err(port, r);
		return TOOL_EXIT_ERROR;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	const char *baud = NULL, *format = NULL;
	bool rtscts = false, loop = false, conn = false;
	int c;
	while ((c = tool_getopt(&serial_tool, argc, argv, "b:f:rlc", &o)) != -1) {
		if (c == 'b')
			baud = o.arg;
		else if (c == 'f')
			format = o.arg;
		else if (c == 'r')
			rtscts = true;
		else if (c == 'l')
			loop = true;
		else
			conn = true;
	}
	if (argc - o.ind != 1)
		tool_usage_error(o.ind >= argc ? "missing port" : "one port only");
	const char *port = argv[o.ind];
	char uri[160];
	snprintf(uri, sizeof(uri), strstr(port, "://") ? "%s" : "dev:///serial/%s", port);
	struct ch_serial s;
	long r = ch_serial_open(&s, uri, HANDLE_INVALID, SERIAL_MODE_ALL);
	if (r < 0) {
		tool_warn_err(port, r);
		return TOOL_EXIT_ERROR;
	}
	if (baud || format || rtscts || loop) {
		struct serial_config cfg;
		char *end = NULL;
		r = ch_serial_get_line(&s, &cfg);
		if (r < 0) {
			tool_warn_err(port, r);
			return TOOL_EXIT_ERROR;
		}
		if (baud) {
			unsigned long b = strtoul(baud, &end, 10);
			if (!*baud || *end || b == 0 || b > 115200)
				tool_usage_error("not a rate: %s", baud);
			cfg.baud = (uint32_t)b;
		}
		if (format && !parse_format(format, &cfg))
			tool_usage_error("not a format (like 8N1): %s", format);
		cfg.flow = rtscts ? SERIAL_FLOW_RTSCTS : SERIAL_FLOW_NONE;
		cfg.flags = loop ? SERIAL_LINE_LOOPBACK : 0;
		r = ch_serial_set_line(&s, &cfg);
		if (r == ERR_INVALID_ARGS)
			tool_usage_error("%s refuses these settings (rates are 115200 / n)", port);
		if (r < 0) {
			tool_warn_err(port, r);
			return TOOL_EXIT_ERROR;
		}
	}
	if (conn)
		return connect_port(port, &s);
	print_status(port, &s);
	return 0;
}
