/*
 * blk_bench.h - blk_read_seq's sizes, shared by both sides of `make bench`
 * (user/bench/bench.c and bench/linux/linuxbench.c; docs/bench.md).
 *
 * A sample reads BLK_SEQ_MIB MiB from the start of the third virtio-blk disk (the
 * fs_* metrics' 64 MiB image, vdc on both systems) in order, bypassing every cache:
 * Linux by pread of BLK_SEQ_LINUX_REQ bytes with O_DIRECT (what `dd iflag=direct
 * bs=1M` does), CharlotteOS through the block class with BLK_SEQ_WINDOW bytes of
 * requests of the driver's largest transfer in flight. The figure is per MiB.
 */
#ifndef BENCH_BLK_BENCH_H
#define BENCH_BLK_BENCH_H

#define BLK_SEQ_MIB 16
#define BLK_SEQ_SAMPLES 11
#define BLK_SEQ_LINUX_REQ (1u << 20)
#define BLK_SEQ_WINDOW (1u << 20)
#define BLK_SEQ_ENTRIES 16u

#endif
