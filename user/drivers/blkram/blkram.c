/*
 * blkram - a block driver over memory: `bin/blkram <name> <KiB> [ro]` serves a
 * zero-filled disk of that size as dev:///block/<name> through the shared
 * block server (charlotte/blkserve.h). It needs no hardware, so the block
 * class, its client library and its conformance suite (bin/blktest) are
 * tested on every machine, and it is the smallest example of a block driver.
 * Grants: log, pool (the disk and the sessions), ns (to bind in dev://).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/blkserve.h>
#include <charlotte/names.h>

static uint8_t *disk;

static int ram_start(void *drv, struct blk_serve_req *rq)
{
	(void)drv;
	const struct blk_sqe *q = &rq->sqe;
	switch (q->op) {
	case BLK_OP_READ:
		memcpy(rq->data, disk + q->offset, q->len);
		break;
	case BLK_OP_WRITE:
		memcpy(disk + q->offset, rq->data, q->len);
		break;
	case BLK_OP_DISCARD:
		memset(disk + q->offset, 0, q->len);
		break;
	default: /* flush: memory is as stable as it gets */
		break;
	}
	blk_serve_done(rq, 0, q->op == BLK_OP_FLUSH || q->op == BLK_OP_DISCARD ? 0 : q->len);
	return 0;
}

static void ram_poll(void *drv)
{
	(void)drv; /* everything completes in ram_start */
}

static long ram_dma_map(void *drv, handle_t mem, uint64_t *addrs, uint64_t n)
{
	(void)drv, (void)mem, (void)addrs, (void)n; /* no device reads the memory */
	return 0;
}

static void ram_dma_unmap(void *drv, handle_t mem)
{
	(void)drv, (void)mem;
}

static const struct blk_drv_ops ram_ops = {
    .start = ram_start, .poll = ram_poll, .dma_map = ram_dma_map, .dma_unmap = ram_dma_unmap};

int main(int argc, char **argv)
{
	static struct blk_server srv;
	if (argc < 3) {
		printf("usage: blkram <name> <KiB> [ro]\n");
		return 2;
	}
	uint64_t size = strtoull(argv[2], NULL, 10) * 1024;
	struct blk_info info = {.size = size,
	                        .block_size = 512,
	                        .flags =
	                            BLK_INFO_DISCARD |
	                            (argc > 3 && !strcmp(argv[3], "ro") ? BLK_INFO_READ_ONLY : 0),
	                        .max_transfer = 128 * 1024};
	snprintf(info.model, sizeof(info.model), "CharlotteOS RAM disk");
	disk = calloc(1, size ? size : 1);
	if (!disk || !size) {
		printf("blkram: no memory for %s KiB\n", argv[2]);
		blk_serve_ready(ERR_NO_MEMORY);
		return 1;
	}
	for (uint64_t i = 0; i < size;
	     i++) /* a pattern a test can recognize: byte = offset mod 251 */
		disk[i] = (uint8_t)(i % 251);
	long r = blk_serve(&srv, &ram_ops, NULL, &info, HANDLE_INVALID, argv[1]);
	printf("blkram: %s: %s\n", argv[1], ch_error_name(r));
	return 1;
}
