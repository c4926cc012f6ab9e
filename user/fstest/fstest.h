/*
 * fstest.h - what fstest's two halves share (user/fstest): disk.c starts the driver
 * and fsd on the home disk and stops them, and has the pattern and CRC helpers;
 * fstest.c is the fs_* suite, powercut.c the writer of the power-cut test
 * (tools/power-cut.sh, docs/testing.md).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/handle.h>

#define FSTEST_LONG 60000000000ull /* 60 s: a wait that only ends early when something is wrong */
#define FSTEST_DISK "fs:///disk"

/*
 * Start bin/virtio-blk on the third virtio-blk function as vdc, serve fs:///disk
 * (replacing an earlier provider) and start bin/fsd there with a control endpoint.
 * fstest_start_fsd() alone starts fsd again after a stop. 0 once fsd answers, or the
 * error of the step that failed.
 */
long fstest_start_driver(void);
long fstest_start_fsd(void);
/* Ask fsd to sync (FSD_CTL_SYNC) or to stop cleanly (FSD_CTL_STOP, then waited for):
 * its answer, or the call's error. */
long fstest_ctl(uint32_t op);
/* FSD_CTL_MAP: a capability to the paged memory object of inode ino (fsd its pager)
 * with rights, and the file's size (size may be NULL); fsd's ERR_* or the call's. */
long fstest_map(uint32_t ino, uint64_t rights, handle_t *mem, uint64_t *size);
/* Kill fsd (no sync: what changed since the last is lost) and wait for its end. */
long fstest_kill_fsd(void);
/* Whether fsd runs with our control endpoint (started and not stopped). */
int fstest_fsd_running(void);
/*
 * The end of a run: fsd stopped cleanly when it runs (0, or the stop's error), else
 * killed if started; the driver killed and unbound; fs:///disk unlinked (the kernel
 * paid its provider channel from our pool).
 */
long fstest_finish(void);

/* POSIX cksum: the CRC-32 (0x04c11db7, MSB first) of n more bytes, then finished
 * with the total length; the sum of nothing so far is 0. */
uint32_t fstest_crc(uint32_t crc, const void *buf, size_t n);
uint32_t fstest_cksum_finish(uint32_t crc, uint64_t len);

/* Byte i of the pattern with seed, and len bytes of it from offset off. */
uint8_t fstest_pat(uint64_t i, uint32_t seed);
void fstest_fill(uint8_t *buf, uint64_t off, size_t len, uint32_t seed);

/* Write len bytes of pattern seed to path below dir (created or truncated): 0 or ERR_*. */
long fstest_write_pattern(handle_t dir, const char *path, uint64_t len, uint32_t seed);

/* fs:///disk opened as a directory with our rights (HANDLE_INVALID if not served),
 * and path below dir opened with type and NS_OPEN_* flags. */
handle_t fstest_disk_root(void);
long fstest_open(handle_t dir, const char *path, uint32_t type, uint32_t flags, handle_t *out);

/* The fs_map_* tests (map.c), run after fs_host_file; `bin/fstest maptouch <offset>`
 * is their child (maps "mem" whole and reads the byte at offset): exit status. */
void fstest_map_tests(void);
int fstest_map_touch(const char *offset);

/* The power-cut writer (powercut.c): `bin/fstest powercut`. Exit status. */
int fstest_powercut(void);
