/*
 * fuzz_blkring.c - libFuzzer over both sides of a block session
 * (shared/blkring.c, shared/devring.c), with the input as a peer that may
 * scribble anywhere in the shared rings between honest steps.
 *
 * Input: one byte for the ring size (1 << (b % 4): 1..8 entries) and the disk's
 * flags (bit 7: read-only), then operations, one byte each plus operands:
 *   0 submit    op, len/512, offset/512, data_off/512 (a byte each): the client
 *   1 next      the driver takes a request
 *   2 complete  index byte: the driver completes one it holds, status byte
 *   3 reap      the client takes a completion
 *   4 scribble  offset (2 bytes) and a byte, anywhere before the data area
 * Invariants: every request the driver is handed passes blk_sqe_check; the
 * client reaps only tags it has in flight, with len <= what it asked; neither
 * side counts more than `entries` in flight; every result is a documented one.
 */
#include <shared/blkring.h>
#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint32_t entries = 1u << (data[0] % 4);
	struct blk_info info = {.size = 64 * 512,
	                        .block_size = 512,
	                        .flags =
	                            BLK_INFO_DISCARD | (data[0] & 0x80 ? BLK_INFO_READ_ONLY : 0),
	                        .max_transfer = 8 * 512};
	uint64_t dsize = 8192;
	struct blk_region_layout l = blk_region_layout(entries, dsize);
	uint8_t *mem = calloc(1, l.size);
	static struct blk_srv_sess srv;
	static struct blk_cli_sess cli;
	blk_srv_init(&srv, mem, entries, dsize, &info);
	blk_cli_init(&cli, mem, entries, dsize, &info);
	struct blk_sqe held[8];
	unsigned nheld = 0;
	size_t pos = 1;

	while (pos < size) {
		uint8_t op = data[pos++] % 5;
		if (op == 0 && pos + 4 <= size) {
			struct blk_sqe rq = {.op = data[pos] % 6,
			                     .len = 512u * data[pos + 1],
			                     .offset = 512u * data[pos + 2],
			                     .data_off = 512u * data[pos + 3]};
			pos += 4;
			long t = blk_cli_submit(&cli, &rq);
			FUZZ_CHECK((t >= 0 && t < (long)entries) || t == ERR_SHOULD_WAIT ||
			           t == ERR_MALFORMED);
		} else if (op == 1 && nheld < 8) {
			int r = blk_srv_next(&srv, &held[nheld]);
			FUZZ_CHECK(r == 0 || r == 1 || r == ERR_MALFORMED);
			if (r == 1) {
				FUZZ_CHECK(blk_sqe_check(&srv, &held[nheld]) == 0);
				const struct blk_sqe *q = &held[nheld];
				if (q->op != BLK_OP_FLUSH)
					FUZZ_CHECK(q->offset + q->len <= info.size);
				if (q->op == BLK_OP_READ || q->op == BLK_OP_WRITE)
					FUZZ_CHECK(q->data_off + q->len <= dsize);
				nheld++;
			}
		} else if (op == 2 && nheld > 0 && pos + 2 <= size) {
			unsigned i = data[pos] % nheld;
			int32_t st = data[pos + 1] & 1 ? ERR_IO : 0;
			pos += 2;
			int r = blk_srv_complete(&srv, held[i].tag, st, held[i].len);
			FUZZ_CHECK(r == 0 || r == ERR_MALFORMED);
			held[i] = held[--nheld];
		} else if (op == 3) {
			struct blk_cqe c;
			int r = blk_cli_reap(&cli, &c);
			FUZZ_CHECK(r == 0 || r == 1 || r == ERR_MALFORMED);
			if (r == 1)
				FUZZ_CHECK(c.tag < entries && !cli.slot[c.tag].busy &&
				           c.status <= 0);
		} else if (op == 4 && pos + 3 <= size) {
			uint32_t off =
			    (uint32_t)(data[pos] | data[pos + 1] << 8) % (uint32_t)l.data;
			mem[off] = data[pos + 2];
			pos += 3;
		}
		FUZZ_CHECK(srv.in_flight <= entries && cli.in_flight <= entries);
	}
	free(mem);
	return 0;
}
