/*
 * fuzz_netring.c - libFuzzer over both sides of a net session
 * (shared/netring.c, shared/devring.c), with the input as a peer that may
 * scribble anywhere in the shared rings between honest steps.
 *
 * Input: one byte for the ring size (1 << (b % 4): 1..8 entries), then
 * operations, one byte each plus operands:
 *   0 tx        buffer, length (2 bytes): the client sends
 *   1 rxf       buffer: the client gives a buffer to receive into
 *   2 tx_next   the driver takes a frame and completes it (status byte)
 *   3 rx        length (2 bytes): the driver delivers a frame
 *   4 txc       the client takes a completion
 *   5 rxc       the client takes a received frame
 *   6 scribble  offset (2 bytes) and a byte, anywhere before the buffers
 * Invariants: every frame the driver is handed passes net_tx_check; the client
 * takes back only buffers the driver held for that purpose, with sane lengths
 * and statuses; the driver never has more than `entries` frames taken; every
 * result is a documented one; nothing outside the region is touched (ASan).
 */
#include <shared/netring.h>
#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

#include "fuzz.h"

#define NBUFS 8u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint32_t entries = 1u << (data[0] % 4);
	struct net_region_layout l = net_region_layout(entries, NBUFS);
	uint8_t *mem = calloc(1, l.size);
	static uint8_t frame[NET_BUF_SIZE];
	static struct net_srv_sess srv;
	static struct net_cli_sess cli;
	net_srv_init(&srv, mem, entries, NBUFS, 1500);
	net_cli_init(&cli, mem, entries, NBUFS, 1500);
	size_t pos = 1;

	while (pos < size) {
		uint8_t op = data[pos++] % 7;
		struct net_desc d;
		int r;
		if (op == 0 && pos + 3 <= size) {
			uint32_t len = (uint32_t)(data[pos + 1] | data[pos + 2] << 8);
			r = net_cli_tx(&cli, data[pos] % (NBUFS + 1), len);
			pos += 3;
			FUZZ_CHECK(r == 0 || r == ERR_SHOULD_WAIT || r == ERR_BAD_STATE ||
			           r == ERR_MALFORMED);
		} else if (op == 1 && pos + 1 <= size) {
			r = net_cli_rxf(&cli, data[pos++] % (NBUFS + 1));
			FUZZ_CHECK(r == 0 || r == ERR_SHOULD_WAIT || r == ERR_BAD_STATE ||
			           r == ERR_MALFORMED);
		} else if (op == 2 && pos + 1 <= size) {
			int32_t st = data[pos++] & 1 ? ERR_IO : 0;
			r = net_srv_tx_next(&srv, &d);
			FUZZ_CHECK(r == 0 || r == 1 || r == ERR_MALFORMED);
			if (r == 1) {
				FUZZ_CHECK(net_tx_check(&srv, &d) == 0);
				memcpy(frame, net_srv_buf(&srv, d.buf), d.len);
				r = net_srv_tx_done(&srv, d.buf, st);
				FUZZ_CHECK(r == 0 || r == ERR_MALFORMED);
			}
		} else if (op == 3 && pos + 2 <= size) {
			uint32_t len =
			    (uint32_t)(data[pos] | data[pos + 1] << 8) % (NET_BUF_SIZE + 1);
			pos += 2;
			r = net_srv_rx(&srv, frame, len);
			FUZZ_CHECK(r == 0 || r == 1 || r == ERR_MALFORMED);
		} else if (op == 4) {
			r = net_cli_txc(&cli, &d);
			FUZZ_CHECK(r == 0 || r == 1 || r == ERR_MALFORMED);
			if (r == 1)
				FUZZ_CHECK(d.buf < NBUFS && d.status <= 0 && d.len == 0);
		} else if (op == 5) {
			r = net_cli_rx(&cli, &d);
			FUZZ_CHECK(r == 0 || r == 1 || r == ERR_MALFORMED);
			if (r == 1)
				FUZZ_CHECK(d.buf < NBUFS && d.len >= NET_FRAME_MIN &&
				           d.len <= 1514);
		} else if (op == 6 && pos + 3 <= size) {
			uint32_t off =
			    (uint32_t)(data[pos] | data[pos + 1] << 8) % (uint32_t)l.bufs;
			mem[off] = data[pos + 2];
			pos += 3;
		}
		FUZZ_CHECK(srv.in_flight <= entries && cli.at_tx + cli.at_rxf <= NBUFS);
	}
	free(mem);
	return 0;
}
