/*
 * powercut.c - the VM half of the power-cut test (tools/power-cut.sh,
 * docs/testing.md): `bin/fstest powercut`, which etc/powercut.manifest runs when
 * the test kernel boots with "powercut" on its command line.
 *
 * The host attaches a scratch ext2 image as the home disk; fstest starts the
 * driver and fsd on it (disk.c) and then:
 *
 * 1. If the disk has /powercut.expect (the host writes it after a cut, e2fsck and
 *    its own check), every file it lists is read back through fsd and its POSIX
 *    cksum compared, then the whole tree is walked and every file read (what
 *    e2fsck put in lost+found too): fsd must serve the repaired image. When the
 *    file's first line says "then stop", fsd is stopped cleanly and that is all.
 * 2. It writes in a new directory run<k> (the first k free), in three
 *    subdirectories, on SLOTS files: creates, rewrites (truncate and write),
 *    overwrites in place, appends, truncates down and up (a hole), renames
 *    (replacing), unlinks, with contents made from a seed per write
 *    (fstest_pat), chosen by a generator seeded by k. After every 1 to 6
 *    operations it calls SYS_NS_SYNC on the disk and prints the state that sync
 *    made durable, then goes on writing until the host kills QEMU.
 *
 * What it prints (one line each, on serial through the log; the host reads them):
 *   POWERCUT RUN <k>
 *   VERIFY FAIL <path>: <why>             a listed file fsd reads wrong
 *   VERIFIED <n> listed, <m> read         step 1 done (n files of the list)
 *   WRITING <gen> <op> <path> [<path2>]   before each operation
 *   SYNCED <gen> BEGIN <n>                after sync number gen returned:
 *   SYNCED <gen> <crc> <size> <path>      each file that exists (n lines)
 *   SYNCED <gen> END
 *   POWERCUT FAIL <what>: <error>         an operation failed: the writer stops
 *   POWERCUT STOPPED                      "then stop": fsd stopped cleanly
 * A file named in a WRITING line after the last complete SYNCED block may hold
 * anything (ext2 has no journal); every other file of that block must be exact.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>

#include "fstest.h"

#define SLOTS 18 /* files written; slot i is run<k>/<"abc"[i % 3]>/f<i> */
#define MAX_SYNCS 100000u /* a bound for a boot no host cuts (disk use is bounded by SLOTS) */
#define MAX_WALK_DEPTH 8 /* run<k>/<d> and lost+found are two deep */
#define EXPECT_FILE "powercut.expect"

struct slot {
	bool exists;
	uint32_t seed; /* bytes [0, len) are fstest_pat(i, seed) */
	uint32_t len;
	uint32_t size; /* bytes [len, size) are a hole: zeros */
	uint32_t crc; /* the cksum of the whole file */
};

static struct slot slots[SLOTS];
static unsigned run_no;
static uint64_t rng;
static handle_t root;
static uint8_t buf[NS_IO_MAX];

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

#define PATH_MAX_LEN 48

static const char *slot_path(unsigned i, char out[PATH_MAX_LEN])
{
	snprintf(out, PATH_MAX_LEN, "run%u/%c/f%u", run_no, "abc"[i % 3], i);
	return out;
}

/* --- the model: what each file holds --- */

static uint32_t slot_crc(const struct slot *s)
{
	uint32_t c = 0;
	for (uint32_t off = 0; off < s->len;) {
		size_t n = s->len - off < sizeof(buf) ? s->len - off : sizeof(buf);
		fstest_fill(buf, off, n, s->seed);
		c = fstest_crc(c, buf, n);
		off += (uint32_t)n;
	}
	memset(buf, 0, sizeof(buf));
	for (uint32_t off = s->len; off < s->size;) {
		size_t n = s->size - off < sizeof(buf) ? s->size - off : sizeof(buf);
		c = fstest_crc(c, buf, n);
		off += (uint32_t)n;
	}
	return fstest_cksum_finish(c, s->size);
}

/* A length for a new file: mostly small, some through single and double indirect
 * blocks (1 KiB blocks: past 12 KiB and 268 KiB), and one in 20 larger than fsd's
 * cache (1,024 blocks), so that blocks are evicted to the disk between syncs too. */
static uint32_t new_length(void)
{
	uint32_t r = next_rand() % 20;
	if (r < 12)
		return next_rand() % 8192;
	if (r < 17)
		return 8192 + next_rand() % 57344;
	if (r < 19)
		return 65536 + next_rand() % 344064;
	return (1u << 20) + next_rand() % (3u << 20);
}

/* --- operations through fsd --- */

static long write_range(handle_t f, uint32_t off, uint32_t len, uint32_t seed)
{
	for (uint32_t done = 0; done < len;) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		fstest_fill(buf, off + done, n, seed);
		long r = ch_ns_write(f, off + done, buf, n, FSTEST_LONG);
		if (r < 0)
			return r;
		if ((size_t)r != n)
			return ERR_NO_RESOURCES;
		done += (uint32_t)n;
	}
	return 0;
}

enum op {
	OP_CREATE,
	OP_REWRITE,
	OP_OVERWRITE,
	OP_APPEND,
	OP_SHRINK,
	OP_EXTEND,
	OP_RENAME,
	OP_UNLINK
};
static const char *const op_names[] = {"create", "rewrite", "overwrite", "append",
                                       "shrink", "extend",  "rename",    "unlink"};

/* One operation on slot i (and slot j for a rename), announced first. */
static long do_op(unsigned gen, enum op op, unsigned i, unsigned j)
{
	struct slot *s = &slots[i], n = *s;
	char path[PATH_MAX_LEN], to[PATH_MAX_LEN];
	slot_path(i, path);
	slot_path(j, to);
	if (op == OP_RENAME)
		printf("WRITING %u %s %s %s\n", gen, op_names[op], path, to);
	else
		printf("WRITING %u %s %s\n", gen, op_names[op], path);
	if (op == OP_UNLINK) {
		long r = ch_ns_unlink(root, path, strlen(path), 0, FSTEST_LONG);
		s->exists = r < 0 && s->exists;
		return r;
	}
	if (op == OP_RENAME) {
		struct ns_path_arg a = {(uint64_t)(uintptr_t)to, strlen(to)};
		long r = ch_ns_rename(root, path, strlen(path), root, &a, FSTEST_LONG);
		if (r >= 0) {
			slots[j] = *s;
			s->exists = false;
		}
		return r;
	}
	handle_t f;
	long r = fstest_open(root, path, NS_TYPE_FILE,
	                     op == OP_CREATE ? NS_OPEN_CREATE | NS_OPEN_EXCLUSIVE : 0, &f);
	if (r < 0)
		return r;
	switch (op) {
	case OP_CREATE:
	case OP_REWRITE:
		n = (struct slot){.exists = true, .seed = next_rand(), .len = new_length()};
		n.size = n.len;
		if (op == OP_REWRITE)
			r = ch_ns_truncate(f, 0, FSTEST_LONG);
		if (r >= 0)
			r = write_range(f, 0, n.len, n.seed);
		break;
	case OP_OVERWRITE: /* the same blocks, new bytes */
		n.seed = next_rand();
		r = write_range(f, 0, n.len, n.seed);
		break;
	case OP_APPEND:
		n.len = n.size = s->len + 1 + next_rand() % 20000;
		r = write_range(f, s->len, n.len - s->len, s->seed);
		break;
	case OP_SHRINK:
		n.size = s->size ? next_rand() % s->size : 0;
		n.len = n.len < n.size ? n.len : n.size;
		r = ch_ns_truncate(f, n.size, FSTEST_LONG);
		break;
	case OP_EXTEND:
		n.size = s->size + 1 + next_rand() % 100000;
		r = ch_ns_truncate(f, n.size, FSTEST_LONG);
		break;
	default:
		break;
	}
	ch_cap_drop(f);
	if (r >= 0) {
		n.crc = slot_crc(&n);
		*s = n;
	}
	return r;
}

/* A random operation that fits slot i's state. */
static long random_op(unsigned gen)
{
	unsigned i = next_rand() % SLOTS, j = (i + 1 + next_rand() % (SLOTS - 1)) % SLOTS;
	if (!slots[i].exists)
		return do_op(gen, OP_CREATE, i, j);
	static const enum op ops[] = {OP_REWRITE, OP_REWRITE, OP_OVERWRITE, OP_APPEND, OP_APPEND,
	                              OP_SHRINK,  OP_EXTEND,  OP_RENAME,    OP_UNLINK};
	enum op op = ops[next_rand() % (sizeof(ops) / sizeof(ops[0]))];
	if (op == OP_APPEND && slots[i].len != slots[i].size)
		op = OP_REWRITE; /* the model keeps one hole, at the end */
	return do_op(gen, op, i, j);
}

static void print_synced(unsigned gen)
{
	char path[PATH_MAX_LEN];
	unsigned n = 0;
	for (unsigned i = 0; i < SLOTS; i++)
		n += slots[i].exists;
	printf("SYNCED %u BEGIN %u\n", gen, n);
	for (unsigned i = 0; i < SLOTS; i++)
		if (slots[i].exists)
			printf("SYNCED %u %u %u %s\n", gen, slots[i].crc, slots[i].size,
			       slot_path(i, path));
	printf("SYNCED %u END\n", gen);
}

/* --- step 1: what the host expects, read back through fsd --- */

/* The cksum of what path below dir reads as, and its size; or the error. */
static long file_sum(handle_t dir, const char *path, size_t len, uint32_t *crc, uint64_t *size)
{
	handle_t f;
	struct ns_open_args a = {
	    .type = NS_TYPE_FILE, .rights = NS_RIGHTS_SAME, .timeout = FSTEST_LONG};
	long r = ch_ns_open(dir, path, len, &a, &f);
	if (r < 0)
		return r;
	uint32_t c = 0;
	uint64_t off = 0;
	while ((r = ch_ns_read(f, off, buf, sizeof(buf), FSTEST_LONG)) > 0) {
		c = fstest_crc(c, buf, (size_t)r);
		off += (uint64_t)r;
	}
	ch_cap_drop(f);
	*crc = fstest_cksum_finish(c, off);
	*size = off;
	return r;
}

/* Every file below dir, whose path is where (a buffer of WALK_PATH bytes), read to
 * its end (depth bounded); *files counts them. Prints a VERIFY FAIL line per error
 * and returns how many. */
#define WALK_PATH 512

static unsigned walk(handle_t dir, char *where, unsigned depth, unsigned *files)
{
	uint8_t list[1024] __attribute__((aligned(8))); /* one per level: the walk recurses */
	uint64_t cookie = 0;
	unsigned bad = 0;
	long n;
	while ((n = ch_ns_list(dir, &cookie, list, sizeof(list), FSTEST_LONG)) > 0) {
		for (long off = 0; off < n;) {
			const struct ns_dirent *de = (const struct ns_dirent *)(list + off);
			if (de->reclen < sizeof(*de) || de->reclen > n - off) {
				printf("VERIFY FAIL %s/: a listing entry of %u bytes\n", where,
				       de->reclen);
				return bad + 1;
			}
			off += de->reclen;
			uint32_t crc;
			uint64_t size;
			long r = 0;
			size_t at = strlen(where);
			snprintf(where + at, WALK_PATH - at, "/%s", de->name);
			if (de->type == NS_TYPE_FILE) {
				r = file_sum(dir, de->name, de->namelen, &crc, &size);
				*files += r >= 0;
			} else if (de->type == NS_TYPE_DIR && depth < MAX_WALK_DEPTH) {
				handle_t sub;
				struct ns_open_args a = {.type = NS_TYPE_DIR,
				                         .rights = NS_RIGHTS_SAME,
				                         .timeout = FSTEST_LONG};
				r = ch_ns_open(dir, de->name, de->namelen, &a, &sub);
				if (r >= 0) {
					bad += walk(sub, where, depth + 1, files);
					ch_cap_drop(sub);
				}
			}
			if (r < 0) {
				printf("VERIFY FAIL %s: %s\n", where, ch_error_name(r));
				bad++;
			}
			where[at] = '\0';
		}
	}
	if (n < 0) {
		printf("VERIFY FAIL %s/: listing: %s\n", where, ch_error_name(n));
		bad++;
	}
	return bad;
}

/* Step 1. Whether the list says "then stop"; *failed when anything read wrong. */
static bool verify(bool *failed)
{
	FILE *f = fopen(FSTEST_DISK "/" EXPECT_FILE, "r");
	if (!f)
		return false;
	char line[160];
	bool stop = false;
	unsigned listed = 0, files = 0, bad = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#') {
			stop = stop || strstr(line, "then stop");
			continue;
		}
		char *p;
		unsigned long want_crc = strtoul(line, &p, 10);
		unsigned long long want_size = strtoull(p, &p, 10);
		if (*p != ' ') {
			printf("VERIFY FAIL " EXPECT_FILE ": bad line '%s'\n", line);
			bad++;
			continue;
		}
		uint32_t crc;
		uint64_t size;
		long r = file_sum(root, p + 1, strlen(p + 1), &crc, &size);
		listed++;
		if (r < 0) {
			printf("VERIFY FAIL %s: %s\n", p + 1, ch_error_name(r));
			bad++;
		} else if (crc != want_crc || size != want_size) {
			printf("VERIFY FAIL %s: cksum %u %llu, expected %lu %llu\n", p + 1, crc,
			       (unsigned long long)size, want_crc, want_size);
			bad++;
		}
	}
	fclose(f);
	static char where[WALK_PATH];
	bad += walk(root, where, 0, &files);
	printf("VERIFIED %u listed, %u read\n", listed, files);
	*failed = bad != 0;
	return stop;
}

/* --- step 2 --- */

static int fail(const char *what, long r)
{
	printf("POWERCUT FAIL %s: %s\n", what, ch_error_name(r));
	return 1;
}

/* The first run<k> not there yet, made with its three subdirectories and synced. */
static long new_run(void)
{
	char path[32];
	handle_t d;
	long r = ERR_ALREADY_EXISTS;
	for (run_no = 1; run_no < 100 && r == ERR_ALREADY_EXISTS; run_no++) {
		snprintf(path, sizeof(path), "run%u", run_no);
		r = fstest_open(root, path, NS_TYPE_DIR, NS_OPEN_CREATE | NS_OPEN_EXCLUSIVE, &d);
	}
	run_no--;
	if (r < 0)
		return r;
	ch_cap_drop(d);
	for (int i = 0; i < 3 && r >= 0; i++) {
		snprintf(path, sizeof(path), "run%u/%c", run_no, "abc"[i]);
		if ((r = fstest_open(root, path, NS_TYPE_DIR, NS_OPEN_CREATE, &d)) >= 0)
			ch_cap_drop(d);
	}
	return r < 0 ? r : ch_ns_sync(root, 0, FSTEST_LONG);
}

int fstest_powercut(void)
{
	long r = fstest_start_driver();
	if (r >= 0)
		r = fstest_start_fsd();
	if (r >= 0 && (root = fstest_disk_root()) == HANDLE_INVALID)
		r = ERR_NOT_FOUND;
	if (r < 0)
		return fail("starting fsd on the disk", r);
	bool failed = false;
	if (verify(&failed)) {
		ch_cap_drop(root);
		if ((r = fstest_finish()) < 0)
			return fail("stopping fsd", r);
		printf("POWERCUT STOPPED\n");
		return failed;
	}
	if ((r = new_run()) < 0)
		return fail("making the run's directories", r);
	printf("POWERCUT RUN %u\n", run_no);
	rng = 0x9e3779b97f4a7c15ull * run_no + 1;
	for (unsigned gen = 1; gen <= MAX_SYNCS; gen++) {
		for (unsigned k = 1 + next_rand() % 6; k; k--)
			if ((r = random_op(gen)) < 0)
				return fail("an operation", r);
		if ((r = ch_ns_sync(root, 0, FSTEST_LONG)) < 0)
			return fail("sync", r);
		print_synced(gen);
	}
	printf("POWERCUT FAIL not cut after %u syncs\n", MAX_SYNCS);
	fstest_finish();
	return 1;
}
