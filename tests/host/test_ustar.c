/*
 * test_ustar.c - host tests for kernel/lib/ustar.c.
 *
 * Archives come from two places: the host's GNU tar (run at test time on a
 * temporary directory, so we read what a real tool writes) and a small
 * in-memory writer that lets a test break one field at a time. Every archive
 * handed to the reader is a malloc'd buffer of exactly its length, so ASan
 * flags any read past the end. Ends with a 100,000-round mutation fuzz.
 */
#include <shared/ustar.h>
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

/* --- in-memory archive writer --- */

struct ar {
	uint8_t buf[64 * 1024];
	size_t len;
	size_t hdrs[64]; /* header offsets, for re-fixing checksums */
	int nhdrs;
};

static void oct(uint8_t *f, size_t n, uint64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(n - 1), (unsigned long long)v);
	memcpy(f, tmp, n - 1);
	f[n - 1] = '\0';
}

static void fix_chksum(uint8_t *h)
{
	unsigned sum = 0;
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	char tmp[8];
	snprintf(tmp, sizeof(tmp), "%06o", sum);
	memcpy(h + 148, tmp, 6);
	h[154] = '\0';
	h[155] = ' ';
}

/* Append a member; returns its header so a test can break it. */
static uint8_t *ar_add(struct ar *a, const char *prefix, const char *name, char type,
                       const void *data, size_t size)
{
	uint8_t *h = a->buf + a->len;
	memset(h, 0, 512);
	memcpy(h, name, strnlen(name, 100));
	if (prefix)
		memcpy(h + 345, prefix, strnlen(prefix, 155));
	oct(h + 100, 8, type == '5' ? 0755 : 0644);
	oct(h + 108, 8, 1000);
	oct(h + 116, 8, 1000);
	oct(h + 124, 12, size);
	oct(h + 136, 12, 0);
	h[156] = (uint8_t)type;
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	fix_chksum(h);
	a->hdrs[a->nhdrs++] = a->len;
	a->len += 512;
	if (size)
		memcpy(a->buf + a->len, data, size);
	a->len += (size + 511) / 512 * 512;
	return h;
}

static void ar_end(struct ar *a)
{
	memset(a->buf + a->len, 0, 1024);
	a->len += 1024;
}

/* An exact-length heap copy (ASan bounds) of the first len bytes. */
static uint8_t *exact(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	memcpy(p, src, len);
	return p;
}

static struct ar A;
static struct ustar_entry e;

static int setup(void **state)
{
	(void)state;
	memset(&A, 0, sizeof(A));
	return 0;
}

/* Run ustar_find on an exact copy of A[0, len). */
static int find_in(size_t len, const char *path)
{
	uint8_t *p = exact(A.buf, len);
	int rc = ustar_find(p, len, path, &e);
	free(p);
	return rc;
}

/* --- archives from GNU tar --- */

static uint8_t *tar_buf;
static size_t tar_len;

static bool run_tar(const char *fmt)
{
	char dir[] = "/tmp/ustar_test.XXXXXX";
	if (!mkdtemp(dir))
		return false;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "cd %s && mkdir -p root/sub "
	         "root/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	         "/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb && "
	         "printf 'hello\\n' > root/hello.txt && : > root/empty && "
	         "head -c 1000 /dev/zero | tr '\\0' 'z' > root/sub/a.bin && "
	         "printf 'deep' > root/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
	         "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/"
	         "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.txt && "
	         "tar --format=%s --owner=0 --group=0 -cf out.tar -C root . 2>/dev/null; test -s "
	         "out.tar",
	         dir, fmt);
	bool ok = system(cmd) == 0;
	char path[64];
	snprintf(path, sizeof(path), "%s/out.tar", dir);
	FILE *f = ok ? fopen(path, "rb") : NULL;
	free(tar_buf);
	tar_buf = NULL;
	if (f) {
		fseek(f, 0, SEEK_END);
		tar_len = (size_t)ftell(f);
		fseek(f, 0, SEEK_SET);
		tar_buf = malloc(tar_len);
		ok = fread(tar_buf, 1, tar_len, f) == tar_len;
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		ok = false;
	return ok && tar_buf;
}

#define LONG_PATH                                                           \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"       \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/" \
	"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.txt"

static void test_gnu_tar_ustar(void **state)
{
	(void)state;
	/* GNU tar is Essential on Debian (and the initrd is built with it): no tar is a failure */
	if (!run_tar("ustar"))
		fail_msg("could not build a test archive with the host's tar");
	assert_int_equal(ustar_find(tar_buf, tar_len, "hello.txt", &e), 0);
	assert_int_equal(e.type, USTAR_FILE);
	assert_int_equal(e.size, 6);
	assert_memory_equal(e.data, "hello\n", 6);
	assert_int_equal(e.mode & 0600, 0600);
	assert_int_equal(ustar_find(tar_buf, tar_len, "./hello.txt", &e), 0);
	assert_int_equal(ustar_find(tar_buf, tar_len, "/sub/a.bin", &e), 0);
	assert_int_equal(e.size, 1000);
	assert_int_equal(((const char *)e.data)[999], 'z');
	assert_int_equal(ustar_find(tar_buf, tar_len, "sub", &e), 0);
	assert_int_equal(e.type, USTAR_DIR);
	assert_int_equal(ustar_find(tar_buf, tar_len, "sub/", &e), 0);
	assert_int_equal(ustar_find(tar_buf, tar_len, "empty", &e), 0);
	assert_int_equal(e.size, 0);
	assert_int_equal(ustar_find(tar_buf, tar_len, LONG_PATH, &e), 0);
	assert_true(strlen(e.name) > 100); /* needed the prefix field */
	assert_memory_equal(e.data, "deep", 4);
	assert_int_equal(ustar_find(tar_buf, tar_len, "nope", &e), ERR_NOT_FOUND);
	assert_int_equal(ustar_find(tar_buf, tar_len, "hello", &e), ERR_NOT_FOUND);

	/* iterate: root "", hello.txt, empty, sub, sub/a.bin, 2 long-path dirs, file */
	size_t off = 0;
	int n = 0, rc;
	while ((rc = ustar_next(tar_buf, tar_len, &off, &e)) == 0)
		n++;
	assert_int_equal(rc, USTAR_END);
	assert_int_equal(n, 8);
	assert_int_equal(ustar_next(tar_buf, tar_len, &off, &e), USTAR_END);
}

static void test_gnu_tar_gnu_and_v7(void **state)
{
	(void)state;
	if (!run_tar("gnu"))
		fail_msg("could not build a test archive with the host's tar");
	/* GNU magic is accepted; the long path is then a 'L' member we do not follow */
	assert_int_equal(ustar_find(tar_buf, tar_len, "sub/a.bin", &e), 0);
	assert_int_equal(e.size, 1000);
	assert_true(run_tar("v7"));
	assert_int_equal(ustar_find(tar_buf, tar_len, "hello.txt", &e), ERR_MALFORMED);
}

/* --- in-memory archives, one broken field at a time --- */

static void test_basic_and_names(void **state)
{
	(void)state;
	char name100[101], prefix155[156];
	memset(name100, 'n', 100);
	name100[100] = '\0';
	memset(prefix155, 'p', 155);
	prefix155[155] = '\0';
	ar_add(&A, NULL, "./init", '0', "ELF", 3);
	ar_add(&A, prefix155, name100, '0', "x", 1); /* neither field NUL-terminated */
	ar_add(&A, NULL, "lnk", '2', NULL, 0);
	memcpy(A.buf + A.hdrs[2] + 157, "init", 4);
	fix_chksum(A.buf + A.hdrs[2]);
	uint8_t *h = ar_add(&A, NULL, "old", '\0', "o", 1);
	(void)h;
	ar_end(&A);

	assert_int_equal(find_in(A.len, "init"), 0);
	assert_string_equal(e.name, "init");
	assert_memory_equal(e.data, "ELF", 3);
	assert_int_equal(e.mode, 0644);
	char want[257];
	snprintf(want, sizeof(want), "%s/%s", prefix155, name100);
	assert_int_equal(find_in(A.len, want), 0);
	assert_int_equal(strlen(e.name), 256);
	assert_int_equal(find_in(A.len, "lnk"), 0);
	assert_int_equal(e.type, USTAR_SYMLINK);
	assert_string_equal(e.linkname, "init");
	assert_int_equal(find_in(A.len, "old"), 0);
	assert_int_equal(e.type, USTAR_FILE);

	char toolong[300];
	memset(toolong, 'q', 299);
	toolong[299] = '\0';
	assert_int_equal(find_in(A.len, toolong), ERR_NOT_FOUND);
}

/* Regression (found by tests/fuzz/fuzz_ustar): a 256-byte path, the longest an archive
 * holds, spelled "./<path>", "/<path>" or "<path>/" was not found, because the spelling
 * was copied into a 256-byte buffer before "./", "/" and the trailing "/" were removed. */
static void test_find_longest_path_any_spelling(void **state)
{
	(void)state;
	char name100[101], prefix155[156], path[257], spelled[300];
	memset(name100, 'n', 100);
	name100[100] = '\0';
	memset(prefix155, 'p', 155);
	prefix155[155] = '\0';
	ar_add(&A, prefix155, name100, '0', "x", 1);
	ar_end(&A);
	snprintf(path, sizeof(path), "%s/%s", prefix155, name100);
	static const char *const spellings[] = {"./%s", "/%s", "%s/", "/././/%s///", ".//%s"};
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		snprintf(spelled, sizeof(spelled), spellings[i], path);
		assert_int_equal(find_in(A.len, spelled), 0);
		assert_string_equal(e.name, path);
	}
	snprintf(spelled, sizeof(spelled), "./%sq", path); /* one byte more: no such entry */
	assert_int_equal(find_in(A.len, spelled), ERR_NOT_FOUND);
	snprintf(spelled, sizeof(spelled), "%s/q", path);
	assert_int_equal(find_in(A.len, spelled), ERR_NOT_FOUND);
}

static void test_end_conditions(void **state)
{
	(void)state;
	ar_add(&A, NULL, "a", '0', "0123456789", 10);
	size_t off = 0;
	/* no zero blocks, last member unpadded: ends at end of buffer */
	size_t unpadded = 512 + 10;
	uint8_t *p = exact(A.buf, unpadded);
	assert_int_equal(ustar_next(p, unpadded, &off, &e), 0);
	assert_int_equal(off, unpadded);
	assert_int_equal(ustar_next(p, unpadded, &off, &e), USTAR_END);
	free(p);
	/* data cut short */
	assert_int_equal(find_in(512 + 9, "a"), ERR_TRUNCATED);
	/* header cut short: zeros are a clean end, anything else is truncation */
	assert_int_equal(find_in(300, "a"), ERR_TRUNCATED);
	A.len = 1024;
	memset(A.buf + 1024, 0, 100);
	off = 1024;
	p = exact(A.buf, 1124);
	assert_int_equal(ustar_next(p, 1124, &off, &e), USTAR_END);
	/* misaligned offset and NULLs */
	off = 7;
	assert_int_equal(ustar_next(p, 1124, &off, &e), ERR_INVALID_ARGS);
	assert_int_equal(ustar_next(NULL, 1124, &off, &e), ERR_INVALID_ARGS);
	assert_int_equal(ustar_find(p, 1124, NULL, &e), ERR_INVALID_ARGS);
	free(p);
	/* empty archive */
	assert_int_equal(ustar_find(A.buf, 0, "a", &e), ERR_NOT_FOUND);
}

static void test_bad_checksum_and_magic(void **state)
{
	(void)state;
	uint8_t *h = ar_add(&A, NULL, "a", '0', "x", 1);
	ar_end(&A);
	h[0] = 'b'; /* content changed, checksum not */
	assert_int_equal(find_in(A.len, "b"), ERR_MALFORMED);
	fix_chksum(h);
	assert_int_equal(find_in(A.len, "b"), 0);
	memcpy(h + 148, "0000x00", 7);
	assert_int_equal(find_in(A.len, "b"), ERR_MALFORMED);
	fix_chksum(h);
	h[262] = 'X';
	fix_chksum(h);
	assert_int_equal(find_in(A.len, "b"), ERR_MALFORMED);
	memcpy(h + 257, "ustar  \0", 8);
	fix_chksum(h);
	assert_int_equal(find_in(A.len, "b"), 0);
}

static void test_signed_checksum(void **state)
{
	(void)state;
	uint8_t *h = ar_add(&A, NULL, "\xe9t\xe9", '0', "x", 1);
	ar_end(&A);
	int sum = 0;
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += (int8_t)h[i];
	char tmp[8];
	snprintf(tmp, sizeof(tmp), "%06o", sum);
	memcpy(h + 148, tmp, 6);
	h[154] = '\0';
	assert_int_equal(find_in(A.len, "\xe9t\xe9"), 0);
}

static void test_numeric_fields(void **state)
{
	(void)state;
	static const struct {
		const char size[12];
		int rc;
	} cases[] = {
	    {"00000000001", 0},
	    {"          1", 0}, /* leading spaces */
	    {"1 \0\0\0\0\0\0\0\0\0", 0}, /* short, space then NULs */
	    {"77777777777", ERR_TRUNCATED}, /* 8 GiB in a tiny archive */
	    {"00000000008", ERR_MALFORMED}, /* not octal */
	    {"0000000001x", ERR_MALFORMED},
	    {"1 1        ", ERR_MALFORMED}, /* digits after the terminator */
	    {"           ", ERR_MALFORMED}, /* no digits */
	    {"\0\0\0\0\0\0\0\0\0\0\0", ERR_MALFORMED},
	    {"\x80\0\0\0\0\0\0\0\0\0\0", ERR_MALFORMED}, /* base-256 */
	    {"-0000000001", ERR_MALFORMED},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(NULL);
		uint8_t *h = ar_add(&A, NULL, "f", '0', "d", 1);
		ar_end(&A);
		memcpy(h + 124, cases[i].size, 12);
		fix_chksum(h);
		print_message("size case %zu\n", i);
		assert_int_equal(find_in(A.len, "f"), cases[i].rc);
	}
	/* 12 octal digits with no terminator still fit in the field: 8^12-1 */
	setup(NULL);
	uint8_t *h = ar_add(&A, NULL, "f", '0', "d", 1);
	ar_end(&A);
	memcpy(h + 124, "777777777777", 12);
	fix_chksum(h);
	assert_int_equal(find_in(A.len, "f"), ERR_TRUNCATED);
	/* bad mode */
	memcpy(h + 124, "00000000001", 12);
	memcpy(h + 100, "0000z44", 8);
	fix_chksum(h);
	assert_int_equal(find_in(A.len, "f"), ERR_MALFORMED);
}

/* --- fuzzing --- */

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static volatile uint8_t sink;

static void test_fuzz(void **state)
{
	(void)state;
	static const uint8_t interesting[] = {0, ' ', '0', '7', '8', 0x80, 0xff, '/', '.'};
	static uint8_t blob[3000];
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)i;
	ar_add(&A, NULL, "./", '5', NULL, 0);
	ar_add(&A, NULL, "./bin/init", '0', blob, 3000);
	ar_add(&A, "some/prefix", "name", '0', blob, 513);
	ar_add(&A, NULL, "empty", '0', NULL, 0);
	ar_add(&A, NULL, "x", '0', blob, 1);
	ar_end(&A);
	static struct ar golden;
	golden = A;

	int iters = getenv("FUZZ_ITERS") ? atoi(getenv("FUZZ_ITERS")) : 100000;
	int complete = 0;
	for (int it = 0; it < iters; it++) {
		A = golden;
		int nmut = 1 + rnd() % 6;
		for (int m = 0; m < nmut; m++) {
			size_t pos = A.hdrs[rnd() % A.nhdrs] + rnd() % 512;
			if (rnd() % 8 == 0)
				pos = rnd() % A.len;
			A.buf[pos] = rnd() % 2 ? (uint8_t)rnd() : interesting[rnd() % 9];
		}
		if (rnd() % 4)
			for (int i = 0; i < A.nhdrs; i++)
				fix_chksum(A.buf + A.hdrs[i]);
		size_t len = rnd() % 4 ? A.len : rnd() % (A.len + 1);
		uint8_t *p = exact(A.buf, len);

		size_t off = 0;
		int rc, n = 0;
		while ((rc = ustar_next(p, len, &off, &e)) == 0) {
			assert_true(n++ < 64);
			assert_true(off == len || (off < len && off % 512 == 0));
			const uint8_t *d = e.data;
			assert_true(d >= p && e.size <= (uint64_t)(p + len - d));
			assert_true(strlen(e.name) <= USTAR_PATH_MAX && e.name == e.path);
			if (e.size)
				sink = d[0] + d[e.size - 1]; /* ASan checks both ends */
		}
		assert_true(rc == USTAR_END || rc == ERR_MALFORMED || rc == ERR_TRUNCATED);
		complete += rc == USTAR_END;
		rc = ustar_find(p, len, "bin/init", &e);
		assert_true(rc == 0 || rc == ERR_NOT_FOUND || rc == ERR_MALFORMED ||
		            rc == ERR_TRUNCATED);
		free(p);
	}
	assert_true(iters < 1000 || complete > iters / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_gnu_tar_ustar, setup),
	    cmocka_unit_test_setup(test_gnu_tar_gnu_and_v7, setup),
	    cmocka_unit_test_setup(test_basic_and_names, setup),
	    cmocka_unit_test_setup(test_find_longest_path_any_spelling, setup),
	    cmocka_unit_test_setup(test_end_conditions, setup),
	    cmocka_unit_test_setup(test_bad_checksum_and_magic, setup),
	    cmocka_unit_test_setup(test_signed_checksum, setup),
	    cmocka_unit_test_setup(test_numeric_fields, setup),
	    cmocka_unit_test_setup(test_fuzz, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(tar_buf);
	return rc;
}
