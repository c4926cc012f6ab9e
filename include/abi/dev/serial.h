/*
 * dev/serial.h - the serial class (docs/devices.md, "Serial"), bound as
 * dev:///serial/<name> (type dev.serial): a byte stream each way plus the
 * line's settings, modem lines and error counters.
 *
 * Calls, on the entry's endpoint (every mode) or on a session's (its mode):
 *   SERIAL_MSG_WRITE struct serial_io + len bytes -> struct serial_io_reply
 *                    (bytes taken: fewer, even 0, when the driver's transmit
 *                    buffer is full; a session is then sent SERIAL_NOTE_TX once
 *                    there is room again). Needs SERIAL_MODE_WRITE.
 *   SERIAL_MSG_READ  struct serial_io (len = most wanted, 1..SERIAL_IO_MAX) ->
 *                    struct serial_io_reply + the bytes received so far (0 when
 *                    none: the driver never waits; a session that read 0 bytes
 *                    is sent SERIAL_NOTE_RX when some arrive). SERIAL_MODE_READ.
 *   SERIAL_MSG_GET_LINE -> struct serial_line_reply (read back from the
 *                    hardware). SERIAL_MODE_READ.
 *   SERIAL_MSG_SET_LINE struct serial_line -> struct serial_line_reply (the
 *                    settings now in force; ERR_INVALID_ARGS for a rate or
 *                    framing the UART cannot do exactly). SERIAL_MODE_CONFIG.
 *   SERIAL_MSG_STATUS -> struct serial_status_reply. SERIAL_MODE_READ.
 *   SERIAL_MSG_OPEN  struct serial_open {mode} -> struct serial_open_reply and
 *                    one capability: a session endpoint with that mode, which
 *                    must be a non-empty subset of the caller's
 *                    (ERR_ACCESS_DENIED otherwise). Hand a SERIAL_MODE_READ
 *                    session to a program and it can listen but never write:
 *                    the driver knows each session's mode, whatever the holder
 *                    does with the capability.
 * One-way, driver to session (KBUS_NONBLOCK: a full queue already holds one):
 *   SERIAL_MSG_NOTIFY struct serial_note {events: SERIAL_NOTE_*}.
 * A call the driver cannot parse is ERR_MALFORMED; one the caller's mode does
 * not allow, ERR_ACCESS_DENIED; an unknown type, ERR_NOT_SUPPORTED. Received
 * bytes go to whichever caller reads first (one receive buffer per port).
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define SERIAL_MSG_WRITE (DEV_MSG_SERIAL + 0)
#define SERIAL_MSG_READ (DEV_MSG_SERIAL + 1)
#define SERIAL_MSG_GET_LINE (DEV_MSG_SERIAL + 2)
#define SERIAL_MSG_SET_LINE (DEV_MSG_SERIAL + 3)
#define SERIAL_MSG_STATUS (DEV_MSG_SERIAL + 4)
#define SERIAL_MSG_OPEN (DEV_MSG_SERIAL + 5)
#define SERIAL_MSG_NOTIFY (DEV_MSG_SERIAL + 6)
#define SERIAL_IO_MAX 4096u
#define SERIAL_MAX_SESSIONS 8u /* per port; beyond: ERR_NO_RESOURCES */

/* What a session may do. */
#define SERIAL_MODE_READ 0x1u /* READ, GET_LINE, STATUS */
#define SERIAL_MODE_WRITE 0x2u /* WRITE */
#define SERIAL_MODE_CONFIG 0x4u /* SET_LINE */
#define SERIAL_MODE_ALL 0x7u

struct serial_io {
	struct dev_msg_hdr hdr; /* WRITE: followed by len bytes */
	uint32_t len; /* 1..SERIAL_IO_MAX */
	uint32_t reserved; /* 0 */
};

struct serial_io_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t len; /* bytes taken / bytes that follow */
};

#define SERIAL_PARITY_NONE 0u
#define SERIAL_PARITY_ODD 1u
#define SERIAL_PARITY_EVEN 2u

#define SERIAL_FLOW_NONE 0u
#define SERIAL_FLOW_RTSCTS 1u /* send only while CTS is up; RTS down when our buffer fills */

#define SERIAL_LINE_LOOPBACK \
	0x1u /* the UART's own loopback: what is sent comes back,
                                     nothing reaches the wire (a self test) */

struct serial_config {
	uint32_t baud; /* bits per second, e.g. 115200 */
	uint8_t data_bits; /* 5..8 */
	uint8_t stop_bits; /* 1 or 2 */
	uint8_t parity; /* SERIAL_PARITY_* */
	uint8_t flow; /* SERIAL_FLOW_* */
	uint32_t flags; /* SERIAL_LINE_* */
	uint32_t reserved; /* 0 */
};

struct serial_line {
	struct dev_msg_hdr hdr;
	struct serial_config cfg;
};

struct serial_line_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t reserved;
	struct serial_config cfg;
};

/* Modem lines (serial_status.modem): ours, then the other end's. */
#define SERIAL_MODEM_DTR 0x01u
#define SERIAL_MODEM_RTS 0x02u
#define SERIAL_MODEM_CTS 0x10u
#define SERIAL_MODEM_DSR 0x20u
#define SERIAL_MODEM_RI 0x40u
#define SERIAL_MODEM_DCD 0x80u

struct serial_status {
	uint32_t modem; /* SERIAL_MODEM_* now */
	uint32_t rx_queued; /* bytes received, not yet read */
	uint32_t tx_queued; /* bytes taken, not yet sent */
	uint32_t rx_buffer, tx_buffer; /* the driver's buffer sizes */
	uint32_t reserved;
	uint64_t rx_bytes, tx_bytes; /* since the driver started */
	uint64_t overrun; /* bytes the UART lost (its FIFO was full) */
	uint64_t framing, parity, breaks; /* line errors seen */
	uint64_t rx_dropped; /* bytes lost to a full receive buffer (nobody read) */
};

struct serial_status_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t reserved;
	struct serial_status st;
};

struct serial_open {
	struct dev_msg_hdr hdr;
	uint32_t mode; /* SERIAL_MODE_*, non-empty */
	uint32_t reserved; /* 0 */
};

struct serial_open_reply {
	struct dev_msg_hdr hdr; /* one capability follows: the session endpoint */
	int32_t status;
	uint32_t mode;
};

#define SERIAL_NOTE_RX 0x1u /* bytes to read */
#define SERIAL_NOTE_TX 0x2u /* room to write */

struct serial_note {
	struct dev_msg_hdr hdr;
	uint32_t events; /* SERIAL_NOTE_* */
	uint32_t reserved;
};
