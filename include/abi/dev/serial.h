/*
 * dev/serial.h - the serial class (docs/devices.md, "Serial"), bound as
 * dev:///serial/<name> (type dev.serial).
 *
 *   SERIAL_MSG_WRITE struct serial_io + bytes -> struct serial_io_reply (bytes
 *                    taken; the driver may take fewer when its buffer is full)
 *   SERIAL_MSG_READ  struct serial_io (len = most wanted, timeout_ns) ->
 *                    struct serial_io_reply + bytes (0 bytes on timeout)
 *   SERIAL_MSG_GET_LINE -> struct serial_line_reply
 *   SERIAL_MSG_SET_LINE struct serial_line -> struct dev_status_reply
 *                    (ERR_INVALID_ARGS for a rate or framing the UART cannot do)
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define SERIAL_MSG_WRITE (DEV_MSG_SERIAL + 0)
#define SERIAL_MSG_READ (DEV_MSG_SERIAL + 1)
#define SERIAL_MSG_GET_LINE (DEV_MSG_SERIAL + 2)
#define SERIAL_MSG_SET_LINE (DEV_MSG_SERIAL + 3)
#define SERIAL_IO_MAX 4096u

struct serial_io {
	struct dev_msg_hdr hdr; /* WRITE: followed by len bytes */
	uint32_t len; /* <= SERIAL_IO_MAX */
	uint32_t reserved;
	uint64_t timeout_ns; /* READ: how long to wait for the first byte */
};

struct serial_io_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t len; /* bytes written / bytes that follow */
};

#define SERIAL_PARITY_NONE 0u
#define SERIAL_PARITY_ODD 1u
#define SERIAL_PARITY_EVEN 2u

struct serial_line {
	struct dev_msg_hdr hdr;
	uint32_t baud; /* e.g. 115200 */
	uint8_t data_bits; /* 5..8 */
	uint8_t stop_bits; /* 1 or 2 */
	uint8_t parity; /* SERIAL_PARITY_* */
	uint8_t reserved;
};

struct serial_line_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t baud;
	uint8_t data_bits, stop_bits, parity, reserved;
};
