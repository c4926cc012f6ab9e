/*
 * map.c - fstest's fs_map_* tests: files of the home disk mapped, fsd their pager
 * (docs/fsd.md "Mapped files"), and the paged-memory calls a pager makes, tried
 * with bad arguments.
 *
 * The capabilities come from fsd's control endpoint (FSD_CTL_MAP, fstest_map()),
 * except in fs_map_program, where a program maps with mmap() (SYS_NS_MAP).
 * What must end a process (a touch past the end of a file, a touch once fsd is
 * gone) is done by a child, `bin/fstest maptouch <offset>`, which maps its "mem"
 * whole, reads the byte at offset and exits with it as its code; the test reads
 * how it ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <charlotte/fd.h>
#include <charlotte/kbus.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#include "../fsd/fsd_ctl.h"
#include "fstest.h"

#define PAGE 4096u
#define MAP_VA UINT64_C(0x600000000000) /* where the tests map files */
#define RO (RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT)
#define PASS (RIGHT_TRANSFER | RIGHT_DUPLICATE)
#define FSD_OBJECTS 32 /* PAGER_OBJECTS in user/fsd/pager.h */

static uint64_t pages(uint64_t n)
{
	return (n + PAGE - 1) / PAGE * PAGE;
}

static bool up(void)
{
	if (!fstest_fsd_running()) {
		ch_test_not_applicable("fsd not running with our control endpoint");
		return false;
	}
	return true;
}

/* The inode of path below dir (0 if it cannot be stat'ed). */
static uint32_t ino_of(handle_t dir, const char *path)
{
	struct ns_stat st;
	return ch_ns_stat_at(dir, path, strlen(path), &st, FSTEST_LONG) < 0 ? 0 : (uint32_t)st.node;
}

static uint64_t object_id(handle_t h)
{
	struct cap_info ci = {0};
	return ch_cap_inspect(h, &ci) < 0 ? 0 : ci.object_id;
}

/* The first byte of [off, off + n) of the mapping at MAP_VA that is not pattern seed
 * (or zero, from the end of the file on), or UINT64_MAX. */
static uint64_t first_bad(uint64_t off, uint64_t n, uint64_t file_size, uint32_t seed)
{
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)MAP_VA;
	for (uint64_t i = off; i < off + n; i++)
		if (p[i] != (i < file_size ? fstest_pat(i, seed) : 0))
			return i;
	return UINT64_MAX;
}

#define EXPECT_MAPPED(off, n, size, seed)                                                        \
	do {                                                                                     \
		uint64_t b_ = first_bad(off, n, size, seed);                                     \
		CHECK(b_ == UINT64_MAX, "mapping differs at byte %llu", (unsigned long long)b_); \
	} while (0)

/* `bin/fstest maptouch <offset>` with mem: how it ended in *ps. */
static long touch_child(handle_t mem, uint64_t off, struct proc_status *ps)
{
	char arg[24];
	snprintf(arg, sizeof(arg), "%llu", (unsigned long long)off);
	const char *argv[] = {"bin/fstest", "maptouch", arg, NULL};
	struct ch_grant g[2] = {{"mem", mem, RO | PASS},
	                        {"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER}};
	struct ch_spawn_args a = {
	    .path = argv[0], .argv = argv, .grants = g, .ngrants = 2, .child_pool = 2u << 20};
	struct ch_child c;
	long r = ch_spawn(&a, &c);
	if (r < 0)
		return r;
	r = ch_proc_wait(c.process, FSTEST_LONG, ps);
	if (r < 0)
		ch_proc_kill(c.process);
	ch_child_release(&c);
	return r;
}

int fstest_map_touch(const char *offset)
{
	handle_t mem = ch_handle("mem"), as = ch_handle("self.as");
	uint64_t size, off = strtoull(offset, NULL, 10);
	if (ch_mem_info(mem, &size) < 0 || off >= size ||
	    ch_as_map(as, MAP_VA, mem, 0, size, PROT_READ) < 0)
		return -1; /* cannot even try: not a byte value */
	return *(const volatile uint8_t *)(uintptr_t)(MAP_VA + off);
}

/* A mapping reads as read() does, the tail of its last page zero; mapped again, it is
 * the same object, its pages present. */
static void test_map_read(void)
{
	if (!up())
		return;
	const uint64_t size = 300001;
	handle_t d = fstest_disk_root(), mem, again, as = ch_handle("self.as");
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	EXPECT_OK(fstest_write_pattern(d, "fstest/map-read", size, 21));
	uint32_t ino = ino_of(d, "fstest/map-read");
	uint64_t got = 0, osize = 0;
	EXPECT_OK(fstest_map(ino, RO, &mem, &got));
	CHECK(got == size, "fsd says %llu bytes", (unsigned long long)got);
	EXPECT_OK(ch_mem_info(mem, &osize));
	CHECK(osize >= pages(size), "an object of %llu bytes", (unsigned long long)osize);
	EXPECT_OK(ch_as_map(as, MAP_VA, mem, 0, pages(size), PROT_READ));
	EXPECT_MAPPED(0, pages(size), size, 21);
	/* what read() gives, byte for byte */
	char *buf = malloc(size);
	int fd = open(FSTEST_DISK "/fstest/map-read", O_RDONLY);
	CHECK(buf && fd >= 0, "open for read()");
	CHECK(read(fd, buf, size) == (ssize_t)size, "read() of the whole file");
	close(fd);
	CHECK(!memcmp(buf, (const void *)(uintptr_t)MAP_VA, size), "mapping != read()");
	free(buf);
	long objects = fstest_ctl(FSD_CTL_OBJECTS);
	EXPECT_OK(fstest_map(ino, RO, &again, NULL));
	CHECK(object_id(again) == object_id(mem), "mapped again: another object");
	EXPECT_ERR(fstest_ctl(FSD_CTL_OBJECTS), objects);
	EXPECT_OK(ch_as_unmap(as, MAP_VA, pages(size)));
	EXPECT_OK(ch_as_map(as, MAP_VA, again, 0, pages(size), PROT_READ));
	EXPECT_MAPPED(0, pages(size), size, 21); /* present: no request to fsd */
	EXPECT_OK(ch_as_unmap(as, MAP_VA, pages(size)));
	ch_cap_drop(again);
	ch_cap_drop(mem);
	ch_cap_drop(d);
}

/* write() and truncate() through fsd reach a live mapping; growth past the object
 * retires it (the mapping keeps what it showed), and a new map gets a new one. */
static void test_map_coherent(void)
{
	if (!up())
		return;
	handle_t d = fstest_disk_root(), f, mem, next, as = ch_handle("self.as");
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	EXPECT_OK(fstest_write_pattern(d, "fstest/map-co", 20000, 22));
	uint32_t ino = ino_of(d, "fstest/map-co");
	uint64_t osize = 0;
	EXPECT_OK(fstest_map(ino, RO, &mem, NULL));
	EXPECT_OK(ch_mem_info(mem, &osize));
	EXPECT_OK(ch_as_map(as, MAP_VA, mem, 0, osize, PROT_READ));
	EXPECT_MAPPED(0, 20000, 20000, 22);
	const volatile char *p = (const volatile char *)(uintptr_t)MAP_VA;
	EXPECT_OK(fstest_open(d, "fstest/map-co", NS_TYPE_FILE, 0, &f));
	EXPECT_OK(ch_ns_write(f, 5000, "HELLO", 5, FSTEST_LONG));
	CHECK(p[5000] == 'H' && p[5004] == 'O', "write() not seen: %c%c", p[5000], p[5004]);
	/* an append within the object: the last page's zeros become the new bytes */
	static uint8_t more[4000];
	fstest_fill(more, 20000, sizeof(more), 22);
	EXPECT_OK(ch_ns_write(f, 20000, more, sizeof(more), FSTEST_LONG));
	EXPECT_MAPPED(20000, sizeof(more), 24000, 22);
	/* a shrink: the pages fsd supplied read zeros past the new end */
	EXPECT_OK(ch_ns_truncate(f, 3000, FSTEST_LONG));
	EXPECT_MAPPED(0, 24000, 3000, 22);
	/* growth past the object: retired; this mapping keeps the file as it was */
	CHECK(osize < 300000, "object of %llu bytes", (unsigned long long)osize);
	EXPECT_OK(ch_ns_truncate(f, 300000, FSTEST_LONG));
	EXPECT_OK(ch_ns_write(f, 0, "Z", 1, FSTEST_LONG));
	EXPECT_MAPPED(0, 3000, 3000, 22);
	EXPECT_OK(fstest_map(ino, RO, &next, NULL));
	CHECK(object_id(next) != object_id(mem), "grown past its object: the same object");
	EXPECT_OK(ch_as_unmap(as, MAP_VA, osize));
	EXPECT_OK(ch_as_map(as, MAP_VA, next, 0, 4096, PROT_READ));
	CHECK(p[0] == 'Z' && p[1] == (char)fstest_pat(1, 22) && p[3000] == 0,
	      "the new object: %#x %#x %#x", p[0], p[1], p[3000]);
	EXPECT_OK(ch_as_unmap(as, MAP_VA, 4096));
	ch_cap_drop(next);
	ch_cap_drop(mem);
	ch_cap_drop(f);
	ch_cap_drop(d);
}

/* A touch past the end of the file ends the toucher as faulted (fsd answers the fault
 * with an error); fsd serves on. */
static void test_map_beyond_eof(void)
{
	if (!up())
		return;
	handle_t d = fstest_disk_root(), mem;
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	EXPECT_OK(fstest_write_pattern(d, "fstest/map-eof", 10000, 23));
	EXPECT_OK(fstest_map(ino_of(d, "fstest/map-eof"), RO | PASS, &mem, NULL));
	struct proc_status ps = {0};
	EXPECT_OK(touch_child(mem, 9999, &ps));
	CHECK(ps.state == PROC_EXITED && ps.code == fstest_pat(9999, 23),
	      "a touch inside the file: state %u code %d", ps.state, ps.code);
	EXPECT_OK(touch_child(mem, 12288, &ps)); /* the page after the file's last */
	CHECK(ps.state == PROC_FAULTED, "a touch past the end: state %u code %d", ps.state,
	      ps.code);
	CHECK(fstest_ctl(FSD_CTL_OBJECTS) > 0, "fsd does not answer after the fault");
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat_at(d, "fstest/map-eof", 14, &st, FSTEST_LONG));
	ch_cap_drop(mem);
	ch_cap_drop(d);
}

/* What fsd hands out: never RIGHT_MANAGE or RIGHT_WRITE (RIGHT_EXEC when asked); no
 * directory, no file larger than PAGER_MAP_MAX. */
static void test_map_rights(void)
{
	if (!up())
		return;
	handle_t d = fstest_disk_root(), mem, f, as = ch_handle("self.as");
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	EXPECT_OK(fstest_write_pattern(d, "fstest/map-rights", 5000, 24));
	uint32_t ino = ino_of(d, "fstest/map-rights");
	EXPECT_ERR(fstest_map(ino, RO | RIGHT_MANAGE, &mem, NULL), ERR_ACCESS_DENIED);
	EXPECT_ERR(fstest_map(ino, RO | RIGHT_WRITE, &mem, NULL), ERR_NOT_SUPPORTED);
	EXPECT_OK(fstest_map(ino, RO | RIGHT_EXEC, &mem, NULL)); /* code may run from a file */
	ch_cap_drop(mem);
	EXPECT_ERR(fstest_map(ino_of(d, "fstest"), RO, &mem, NULL), ERR_WRONG_TYPE);
	EXPECT_ERR(fstest_map(0x7ffffff0u, RO, &mem, NULL), ERR_NOT_FOUND);
	EXPECT_OK(fstest_open(d, "fstest/map-big", NS_TYPE_FILE, NS_OPEN_CREATE, &f));
	EXPECT_OK(ch_ns_truncate(f, 9u << 20, FSTEST_LONG));
	EXPECT_ERR(fstest_map(ino_of(d, "fstest/map-big"), RO, &mem, NULL), ERR_OUT_OF_RANGE);
	ch_cap_drop(f);
	EXPECT_OK(fstest_map(ino, RO, &mem, NULL));
	struct cap_info ci;
	EXPECT_OK(ch_cap_inspect(mem, &ci));
	CHECK(ci.rights == (RO | RIGHT_TRANSFER), "rights %#llx", (unsigned long long)ci.rights);
	static uint8_t page[PAGE];
	EXPECT_ERR(ch_mem_supply(mem, 0, PAGE, page, MEM_SUPPLY_PRESENT), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_as_map(as, MAP_VA, mem, 0, PAGE, PROT_READ | PROT_WRITE), ERR_ACCESS_DENIED);
	ch_cap_drop(mem);
	ch_cap_drop(d);
}

/* The pager's calls with bad arguments, on a paged object of our own. */
static void test_map_supply_hostile(void)
{
	handle_t pool = ch_handle("pool"), c[2], mem, weak, plain;
	static uint8_t page[3 * PAGE] __attribute__((aligned(4096)));
	EXPECT_OK(ch_channel_create(pool, 0, c));
	EXPECT_ERR(ch_mem_create_paged(pool, 0, c[0], 7, &mem), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_create_paged(pool, MEM_PAGED_MAX_SIZE + PAGE, c[0], 7, &mem),
	           ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_create_paged(pool, PAGE, pool, 7, &mem), ERR_WRONG_TYPE);
	EXPECT_OK(ch_mem_create_paged(pool, 3 * PAGE, c[0], 7, &mem));
	EXPECT_ERR(ch_mem_supply(mem, 3 * PAGE, PAGE, page, MEM_SUPPLY_ABSENT), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_mem_supply(mem, 2 * PAGE, 2 * PAGE, page, MEM_SUPPLY_ABSENT),
	           ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_mem_supply(mem, 0, PAGE, page, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 0, PAGE, page, 0x4), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 100, PAGE, page, MEM_SUPPLY_ABSENT), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 0, 0, page, MEM_SUPPLY_ABSENT), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_mem_supply(mem, 0, PAGE, NULL, MEM_SUPPLY_ABSENT), ERR_BAD_ADDRESS);
	EXPECT_OK(ch_cap_derive(mem, RO | RIGHT_WRITE, 0, &weak));
	EXPECT_ERR(ch_mem_supply(weak, 0, PAGE, page, MEM_SUPPLY_ABSENT), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_mem_create(pool, PAGE, &plain));
	EXPECT_ERR(ch_mem_supply(plain, 0, PAGE, page, MEM_SUPPLY_ABSENT), ERR_ACCESS_DENIED);
	/* well-formed: absent pages only, then present ones only */
	memset(page, 0xab, sizeof(page));
	EXPECT_ERR(ch_mem_supply(mem, PAGE, PAGE, page, MEM_SUPPLY_ABSENT), 1);
	EXPECT_ERR(ch_mem_supply(mem, 0, 2 * PAGE, page, MEM_SUPPLY_ABSENT), 1);
	EXPECT_ERR(ch_mem_supply(mem, 0, 3 * PAGE, page, MEM_SUPPLY_PRESENT), 2);
	handle_t as = ch_handle("self.as");
	EXPECT_OK(ch_as_map(as, MAP_VA, weak, 0, 2 * PAGE, PROT_READ));
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)MAP_VA;
	CHECK(p[0] == 0xab && p[2 * PAGE - 1] == 0xab, "supplied pages read %#x %#x", p[0],
	      p[2 * PAGE - 1]);
	EXPECT_OK(ch_as_unmap(as, MAP_VA, 2 * PAGE));
	ch_cap_drop(plain);
	ch_cap_drop(weak);
	ch_cap_drop(mem);
	ch_cap_drop(c[0]);
	ch_cap_drop(c[1]);
}

/* More files mapped than fsd keeps objects: the least recently used is retired, its
 * pages supplied first, so a mapping of it still reads every byte. */
static void test_map_evict(void)
{
	if (!up())
		return;
	handle_t d = fstest_disk_root(), first = HANDLE_INVALID, mem;
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	char path[40];
	for (unsigned i = 0; i < FSD_OBJECTS + 2; i++) {
		snprintf(path, sizeof(path), "fstest/map-ev-%u", i);
		EXPECT_OK(fstest_write_pattern(d, path, 9000, 30 + i));
		EXPECT_OK(fstest_map(ino_of(d, path), i ? RO : RO | PASS, &mem, NULL));
		if (i)
			ch_cap_drop(mem);
		else
			first = mem;
	}
	long n = fstest_ctl(FSD_CTL_OBJECTS);
	CHECK(n > 0 && n <= FSD_OBJECTS, "fsd keeps %ld objects", n);
	struct proc_status ps = {0};
	EXPECT_OK(touch_child(first, 8999, &ps));
	CHECK(ps.state == PROC_EXITED && ps.code == fstest_pat(8999, 30),
	      "the retired object: state %u code %d", ps.state, ps.code);
	ch_cap_drop(first);
	ch_cap_drop(d);
}

/* fsd killed: a touch of a page it never supplied faults the toucher, no hang; a new
 * fsd serves on. Last of these: it restarts fsd. */
static void test_map_fsd_killed(void)
{
	if (!up())
		return;
	handle_t d = fstest_disk_root(), mem;
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	EXPECT_OK(fstest_write_pattern(d, "fstest/map-kill", 10000, 25));
	EXPECT_OK(fstest_map(ino_of(d, "fstest/map-kill"), RO | PASS, &mem, NULL));
	ch_cap_drop(d);
	EXPECT_OK(fstest_ctl(FSD_CTL_SYNC));
	EXPECT_OK(fstest_kill_fsd());
	struct proc_status ps = {0};
	long touched = touch_child(mem, 0, &ps);
	ch_cap_drop(mem);
	EXPECT_OK(fstest_start_fsd()); /* first: the tests after this one need it */
	EXPECT_OK(touched);
	CHECK(ps.state == PROC_FAULTED, "a touch with fsd gone: state %u code %d", ps.state,
	      ps.code);
	d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK " again");
	EXPECT_OK(fstest_map(ino_of(d, "fstest/map-kill"), RO | PASS, &mem, NULL));
	EXPECT_OK(touch_child(mem, 9000, &ps));
	CHECK(ps.state == PROC_EXITED && ps.code == fstest_pat(9000, 25),
	      "the new fsd's object: state %u code %d", ps.state, ps.code);
	ch_cap_drop(mem);
	ch_cap_drop(d);
}

/*
 * A program maps a file of the disk itself: mmap() on a descriptor, through
 * SYS_NS_MAP (fsd answers NS_OP_MAP with the file's paged object). Shared and
 * private read-only maps show the file, later writes included; a private writable
 * map is a copy; a writable shared map is refused.
 */
static void test_map_program(void)
{
	if (!up())
		return;
	const uint64_t size = 20000;
	handle_t d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	EXPECT_OK(fstest_write_pattern(d, "fstest/map-prog", size, 31));
	const char *path = FSTEST_DISK "/fstest/map-prog";
	int fd = open(path, O_RDONLY), wo = open(path, O_WRONLY), rw = open(path, O_RDWR);
	CHECK(fd >= 0 && wo >= 0 && rw >= 0, "open: errno %d", errno);
	const volatile uint8_t *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "mmap shared: errno %d", errno);
	for (uint64_t i = 0; i < pages(size); i++)
		if (p[i] != (i < size ? fstest_pat(i, 31) : 0)) {
			CHECK(0, "shared mapping differs at byte %llu", (unsigned long long)i);
			break;
		}
	/* the capability behind it: read-only, never the pager's */
	handle_t mem;
	uint64_t osize = 0;
	EXPECT_OK(ch_ns_map(ch_fd_handle(fd), RIGHT_READ, &mem, &osize, FSTEST_LONG));
	struct cap_info ci = {0};
	EXPECT_OK(ch_cap_inspect(mem, &ci));
	CHECK(ci.rights == (RO | PASS), "rights %#llx", (unsigned long long)ci.rights);
	CHECK(osize >= size, "object of %llu bytes", (unsigned long long)osize);
	static uint8_t page[PAGE];
	EXPECT_ERR(ch_mem_supply(mem, 0, PAGE, page, MEM_SUPPLY_PRESENT), ERR_ACCESS_DENIED);
	ch_cap_drop(mem);
	EXPECT_ERR(ch_ns_map(ch_fd_handle(fd), RIGHT_READ | RIGHT_WRITE, &mem, NULL, FSTEST_LONG),
	           ERR_ACCESS_DENIED); /* a read-only descriptor */
	EXPECT_ERR(ch_ns_map(ch_fd_handle(rw), RIGHT_READ | RIGHT_WRITE, &mem, NULL, FSTEST_LONG),
	           ERR_NOT_SUPPORTED); /* fsd keeps no write-back of mapped pages */
	/* a write through another descriptor shows in the mapping */
	CHECK(lseek(wo, 5000, SEEK_SET) == 5000, "lseek: errno %d", errno);
	CHECK(write(wo, "XYZ", 3) == 3, "write: errno %d", errno);
	CHECK(p[5000] == 'X' && p[5001] == 'Y' && p[5002] == 'Z', "the write is not in the map");
	/* from an offset, private and read-only: the file's own pages too */
	const volatile uint8_t *q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
	CHECK(q != MAP_FAILED, "mmap at an offset: errno %d", errno);
	CHECK(q[0] == fstest_pat(2 * PAGE, 31) && q[PAGE - 1] == fstest_pat(3 * PAGE - 1, 31),
	      "offset mapping shows other bytes");
	/* private and writable: a copy, which the file never sees */
	volatile uint8_t *c = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(c != MAP_FAILED, "mmap private writable: errno %d", errno);
	CHECK(c[7] == fstest_pat(7, 31), "private copy differs");
	c[7] = (uint8_t)~c[7];
	CHECK(p[7] == fstest_pat(7, 31), "a private write reached the shared mapping");
	/* refused: writable and shared (ENOTSUP), a descriptor not open for reading (EACCES),
	 * past the end of the object (EOVERFLOW) */
	errno = 0;
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0) == MAP_FAILED &&
	          errno == ENOTSUP,
	      "shared writable: errno %d", errno);
	errno = 0;
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED && errno == EACCES,
	      "write-only descriptor: errno %d", errno);
	errno = 0;
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 1u << 30) == MAP_FAILED &&
	          errno == EOVERFLOW,
	      "past the object: errno %d", errno);
	CHECK(munmap((void *)(uintptr_t)p, size) == 0, "munmap: errno %d", errno);
	CHECK(munmap((void *)(uintptr_t)q, PAGE) == 0 && munmap((void *)(uintptr_t)c, PAGE) == 0,
	      "munmap: errno %d", errno);
	close(fd);
	close(wo);
	close(rw);
	ch_cap_drop(d);
}

/* n bytes of fd from its start, checked against pattern seed up to size (EOF there). */
static bool read_matches(int fd, uint64_t size, uint32_t seed, uint64_t *bad)
{
	static uint8_t buf[40000];
	uint64_t pos = 0;
	*bad = UINT64_MAX;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return false;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return false;
		if (n == 0)
			return pos == size;
		for (ssize_t i = 0; i < n; i++)
			if (pos + (uint64_t)i >= size ||
			    buf[i] != fstest_pat(pos + (uint64_t)i, seed)) {
				*bad = pos + (uint64_t)i;
				return false;
			}
		pos += (uint64_t)n;
	}
}

#define EXPECT_READ(fd, size, seed)                                                      \
	do {                                                                             \
		uint64_t bad_;                                                           \
		CHECK(read_matches(fd, size, seed, &bad_),                               \
		      "read back differs at %llu (size %llu)", (unsigned long long)bad_, \
		      (unsigned long long)(size));                                       \
	} while (0)

/*
 * read() of a disk file is served from its memory object (SYS_MEM_SET_CONTENT,
 * docs/namespace.md "Reads from a file's memory"): a read makes fsd create one; a
 * write through another descriptor, an append within it and growth past it (a new
 * object), a truncation: each read back exactly. Files beyond the pager's pool,
 * all held open and read, come back exactly too (reads the pager cannot supply go
 * through fsd's copy).
 */
static void test_read_content(void)
{
	if (!up())
		return;
	handle_t d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " FSTEST_DISK);
	const char *path = FSTEST_DISK "/fstest/read-content";
	EXPECT_OK(fstest_write_pattern(d, "fstest/read-content", 100000, 41));
	long before = fstest_ctl(FSD_CTL_OBJECTS);
	int fd = open(path, O_RDONLY), w = open(path, O_WRONLY);
	CHECK(fd >= 0 && w >= 0, "open: errno %d", errno);
	EXPECT_READ(fd, 100000, 41);
	long after = fstest_ctl(FSD_CTL_OBJECTS);
	CHECK(after == before + 1 || (before == FSD_OBJECTS && after == before),
	      "fsd objects %ld -> %ld: the read did not come from a memory object", before, after);
	/* a write elsewhere, seen by the next read */
	static uint8_t chunk[200000];
	for (uint64_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = fstest_pat(i, 41);
	CHECK(lseek(w, 500, SEEK_SET) == 500 && write(w, "\xff\xfe\xfd", 3) == 3, "write: errno %d",
	      errno);
	static uint8_t buf[16];
	CHECK(lseek(fd, 499, SEEK_SET) == 499 && read(fd, buf, 5) == 5 &&
	          buf[0] == fstest_pat(499, 41) && buf[1] == 0xff && buf[3] == 0xfd &&
	          buf[4] == fstest_pat(503, 41),
	      "the write is not read back");
	CHECK(lseek(w, 500, SEEK_SET) == 500 && write(w, chunk + 500, 3) == 3, "write: errno %d",
	      errno);
	/* an append within the object, then growth far past it */
	CHECK(lseek(w, 100000, SEEK_SET) == 100000 && write(w, chunk + 100000, 1000) == 1000,
	      "append: errno %d", errno);
	EXPECT_READ(fd, 101000, 41);
	CHECK(write(w, chunk + 101000, 99000) == 99000, "append: errno %d", errno);
	EXPECT_READ(fd, 200000, 41);
	/* a truncation: the end comes early */
	EXPECT_OK(ch_ns_truncate(ch_fd_handle(w), 10, FSTEST_LONG));
	EXPECT_READ(fd, 10, 41);
	close(w);
	close(fd);
	/* more than the pager's pool (4 MiB), every file held open */
	enum { FILES = 5, EACH = 1u << 20 };
	int fds[FILES];
	for (int i = 0; i < FILES; i++) {
		char name[64];
		snprintf(name, sizeof(name), "fstest/read-pool-%d", i);
		EXPECT_OK(fstest_write_pattern(d, name, EACH, 50 + (uint32_t)i));
		snprintf(name, sizeof(name), FSTEST_DISK "/fstest/read-pool-%d", i);
		fds[i] = open(name, O_RDONLY);
		CHECK(fds[i] >= 0, "open %s: errno %d", name, errno);
	}
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < FILES; i++)
			EXPECT_READ(fds[i], EACH, 50 + (uint32_t)i);
	for (int i = 0; i < FILES; i++)
		close(fds[i]);
	ch_cap_drop(d);
}

void fstest_map_tests(void)
{
	ch_test_run("fs_", "map_read", test_map_read);
	ch_test_run("fs_", "map_coherent", test_map_coherent);
	ch_test_run("fs_", "map_beyond_eof", test_map_beyond_eof);
	ch_test_run("fs_", "map_rights", test_map_rights);
	ch_test_run("fs_", "map_supply_hostile", test_map_supply_hostile);
	ch_test_run("fs_", "map_evict", test_map_evict);
	ch_test_run("fs_", "map_fsd_killed", test_map_fsd_killed);
	ch_test_run("fs_", "map_program", test_map_program);
	ch_test_run("fs_", "read_content", test_read_content);
}
