/*
 * test_tools.c - host tests for the tools' pure logic (user/tools/lib): SHA-256
 * against the NIST vectors and the host's sha256sum on the same bytes, grep's
 * regular expressions and find's globs against tables (and the regex engine on
 * hostile patterns), wc's counts, sizes for people, sort's order, line
 * splitting, hexdump -C lines against the host's hexdump, tree's prefixes, ls's
 * columns and long lines, and dates against the host's gmtime.
 */
#include "edbuf.h"
#include "match.h"
#include "modespec.h"
#include "procinfo.h"
#include "sha256.h"
#include "text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

static void hash_hex(const void *p, size_t n, char out[65])
{
	struct sha256 s;
	uint8_t d[SHA256_DIGEST_LEN];
	sha256_init(&s);
	sha256_update(&s, p, n);
	sha256_final(&s, d);
	sha256_hex(d, out);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf"). */
static void test_sha256_nist(void **state)
{
	(void)state;
	char h[65];
	hash_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hash_hex(m, strlen(m), h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* one million 'a', fed in uneven pieces */
	struct sha256 s;
	uint8_t d[SHA256_DIGEST_LEN];
	char a[997];
	memset(a, 'a', sizeof(a));
	sha256_init(&s);
	for (size_t left = 1000000; left;) {
		size_t n = left < sizeof(a) ? left : sizeof(a);
		sha256_update(&s, a, n);
		left -= n;
	}
	sha256_final(&s, d);
	sha256_hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length around the padding boundaries, in one piece and byte by byte, against the
 * host's sha256sum. */
static void test_sha256_host(void **state)
{
	(void)state;
	char path[] = "/tmp/test_tools_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	static uint8_t buf[70000];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	size_t lens[140];
	size_t nl = 0;
	for (size_t n = 0; n < 130; n++)
		lens[nl++] = n;
	lens[nl++] = 1000;
	lens[nl++] = 4095;
	lens[nl++] = 65536;
	lens[nl++] = sizeof(buf);
	for (size_t k = 0; k < nl; k++) {
		size_t n = lens[k];
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, n, f), n);
		fclose(f);
		char cmd[128], want[65] = {0}, got[65];
		snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fread(want, 1, 64, p), 64);
		pclose(p);
		hash_hex(buf, n, got);
		assert_string_equal(got, want);
		struct sha256 s;
		uint8_t d[SHA256_DIGEST_LEN];
		sha256_init(&s);
		for (size_t i = 0; i < n && n < 200; i++)
			sha256_update(&s, buf + i, 1);
		if (n < 200) {
			sha256_final(&s, d);
			sha256_hex(d, got);
			assert_string_equal(got, want);
		}
	}
	unlink(path);
}

struct re_case {
	const char *pattern, *text;
	int icase, want;
};

static void test_regex(void **state)
{
	(void)state;
	static const struct re_case cases[] = {
	    {"abc", "xxabcxx", 0, 1},
	    {"abc", "abx", 0, 0},
	    {"^abc", "abcd", 0, 1},
	    {"^abc", "xabc", 0, 0},
	    {"abc$", "xxabc", 0, 1},
	    {"abc$", "abcx", 0, 0},
	    {"^$", "", 0, 1},
	    {"^$", "a", 0, 0},
	    {"", "anything", 0, 1},
	    {"a.c", "abc", 0, 1},
	    {"a.c", "ac", 0, 0},
	    {"ab*c", "ac", 0, 1},
	    {"ab*c", "abbbbc", 0, 1},
	    {"ab*c", "abxc", 0, 0},
	    {"^a*$", "aaaa", 0, 1},
	    {"^a*$", "aaba", 0, 0},
	    {".*", "", 0, 1},
	    {"[abc]x", "cx", 0, 1},
	    {"[a-c]x", "dx", 0, 0},
	    {"[^a-c]x", "dx", 0, 1},
	    {"[^a-c]x", "bx", 0, 0},
	    {"[]]", "]", 0, 1},
	    {"[a-]", "-", 0, 1},
	    {"\\.", "a", 0, 0},
	    {"\\.", ".", 0, 1},
	    {"\\*", "*", 0, 1},
	    {"*a", "*a", 0, 1},
	    {"HeLLo", "hello", 1, 1},
	    {"hello", "HELLO", 1, 1},
	    {"hello", "HELLO", 0, 0},
	    {"[A-C]", "b", 1, 1},
	    {"^x[0-9]*y$", "x0123y", 0, 1},
	    {"^x[0-9]*y$", "x01a3y", 0, 0},
	    {"a$", "a$", 0, 0},
	    {"a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct re re;
		const char *err = NULL;
		assert_int_equal(re_compile(&re, cases[i].pattern, cases[i].icase, &err), 0);
		int got = re_search(&re, cases[i].text, strlen(cases[i].text));
		if (got != cases[i].want)
			fail_msg("/%s/ on \"%s\": %d, want %d", cases[i].pattern, cases[i].text,
			         got, cases[i].want);
	}
	struct re re;
	const char *err = NULL;
	assert_int_equal(re_compile(&re, "[abc", 0, &err), -1);
	assert_string_equal(err, "unmatched [");
	assert_int_equal(re_compile(&re, "abc\\", 0, &err), -1);
	char longp[RE_MAX_ATOMS + 2];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(re_compile(&re, longp, 0, &err), -1);
	/* a pattern of the most atoms on a long text: linear, no blow-up, nothing out of bounds */
	char pat[2 * RE_MAX_ATOMS + 1];
	for (int i = 0; i < RE_MAX_ATOMS; i++) {
		pat[2 * i] = '.';
		pat[2 * i + 1] = '*';
	}
	pat[2 * RE_MAX_ATOMS] = '\0';
	assert_int_equal(re_compile(&re, pat, 0, &err), 0);
	static char text[100000];
	memset(text, 'x', sizeof(text));
	assert_true(re_search(&re, text, sizeof(text)));
}

static void test_regex_random(void **state)
{
	(void)state;
	/* random patterns from a small alphabet: compile fails cleanly or searches safely */
	static const char alphabet[] = "ab.*[]^$\\-";
	uint32_t x = 99;
	for (int k = 0; k < 20000; k++) {
		char pat[24], text[40];
		size_t pn = k % 23, tn = k % 39;
		for (size_t i = 0; i < pn; i++) {
			x = x * 1103515245u + 12345u;
			pat[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		pat[pn] = '\0';
		for (size_t i = 0; i < tn; i++) {
			x = x * 1103515245u + 12345u;
			text[i] = "ab-]"[(x >> 16) % 4];
		}
		struct re re;
		const char *err;
		if (re_compile(&re, pat, k & 1, &err) == 0)
			(void)re_search(&re, text, tn);
	}
}

static void test_glob(void **state)
{
	(void)state;
	static const struct {
		const char *glob, *name;
		int want;
	} cases[] = {
	    {"*", "anything", 1},
	    {"*", "", 1},
	    {"*.c", "main.c", 1},
	    {"*.c", "main.h", 0},
	    {"*.c", ".c", 1},
	    {"a?c", "abc", 1},
	    {"a?c", "ac", 0},
	    {"[ab]*", "bcd", 1},
	    {"[!ab]*", "bcd", 0},
	    {"[^ab]*", "xcd", 1},
	    {"*a*b*c", "xaybzc", 1},
	    {"*a*b*c", "xaybz", 0},
	    {"\\*", "*", 1},
	    {"\\*", "a", 0},
	    {"abc", "abc", 1},
	    {"abc", "abcd", 0},
	    {"[", "[", 1},
	    {"**", "x", 1},
	    {"*x*x*x*x*x*y", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (glob_match(cases[i].glob, cases[i].name) != cases[i].want)
			fail_msg("glob %s on %s: want %d", cases[i].glob, cases[i].name,
			         cases[i].want);
}

static void test_wc(void **state)
{
	(void)state;
	const char *t = "hello world\n  two\tthree  \nlast";
	struct wc_counts c = {0};
	wc_feed(&c, t, strlen(t));
	assert_int_equal(c.lines, 2);
	assert_int_equal(c.words, 5);
	assert_int_equal(c.bytes, strlen(t));
	/* a word split across pieces counts once */
	struct wc_counts d = {0};
	for (size_t i = 0; i < strlen(t); i++)
		wc_feed(&d, t + i, 1);
	assert_int_equal(d.words, 5);
	assert_int_equal(d.lines, 2);
}

static void test_human_size(void **state)
{
	(void)state;
	static const struct {
		uint64_t n;
		const char *want;
	} cases[] = {
	    {0, "0"},
	    {1023, "1023"},
	    {1024, "1.0K"},
	    {1025, "1.1K"},
	    {1536, "1.5K"},
	    {10 * 1024, "10K"},
	    {10 * 1024 + 1, "11K"},
	    {1023 * 1024 + 1, "1.0M"},
	    {5ull << 20, "5.0M"},
	    {3ull << 30, "3.0G"},
	    {UINT64_MAX, "16E"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[16];
		assert_string_equal(text_human_size(cases[i].n, buf, sizeof(buf)), cases[i].want);
	}
}

static void test_sort_compare(void **state)
{
	(void)state;
	assert_true(text_sort_compare("a", "b", false) < 0);
	assert_true(text_sort_compare("10", "9", false) < 0);
	assert_true(text_sort_compare("10", "9", true) > 0);
	assert_true(text_sort_compare("-5", "3", true) < 0);
	assert_true(text_sort_compare("-5", "-30", true) > 0);
	assert_true(text_sort_compare("  42x", "42", true) != 0); /* tie broken by bytes */
	assert_true(text_sort_compare("1.5", "1.25", true) > 0);
	assert_true(text_sort_compare("007", "7", true) < 0); /* equal numbers: bytes */
	assert_true(text_sort_compare("abc", "0", true) > 0); /* no number is 0, then bytes */
	assert_true(text_sort_compare("-0", "0", true) < 0);
	assert_int_equal(text_sort_compare("same", "same", true), 0);
}

static void test_split_lines(void **state)
{
	(void)state;
	char a[] = "one\ntwo\n\nfour";
	char **l;
	assert_int_equal(text_split_lines(a, strlen(a), &l), 4);
	assert_string_equal(l[0], "one");
	assert_string_equal(l[2], "");
	assert_string_equal(l[3], "four");
	free(l);
	char b[] = "x\n";
	assert_int_equal(text_split_lines(b, 2, &l), 1);
	free(l);
	char c[] = "";
	assert_int_equal(text_split_lines(c, 0, &l), 0);
	free(l);
}

/* Lines of hexdump -C from the host on the same bytes. */
static void test_hexdump(void **state)
{
	(void)state;
	uint8_t b[37];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7 + 30);
	char path[] = "/tmp/test_tools_hd_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, sizeof(b)), sizeof(b));
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "hexdump -C %s 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char want[128];
	size_t off = 0;
	int lines = 0;
	while (off < sizeof(b) && fgets(want, sizeof(want), p)) {
		want[strcspn(want, "\n")] = '\0';
		char got[HEXDUMP_LINE_MAX];
		size_t n = sizeof(b) - off < 16 ? sizeof(b) - off : 16;
		text_hexdump_line(got, off, b + off, n);
		/* the host pads a short line's text column; ours ends at the '|' */
		assert_int_equal(strncmp(got, want, strlen(got)), 0);
		off += n;
		lines++;
	}
	pclose(p);
	unlink(path);
	if (lines == 0) /* no hexdump on this host: the table alone */
		off = 0;
	char got[HEXDUMP_LINE_MAX];
	text_hexdump_line(got, 16, (const uint8_t *)"AB\n", 3);
	assert_string_equal(got,
	                    "00000010  41 42 0a                                          |AB.|");
}

static void test_tree_prefix(void **state)
{
	(void)state;
	char out[64];
	bool last[4] = {false, false, true, false};
	text_tree_prefix(out, sizeof(out), last, 1);
	assert_string_equal(out, "|-- ");
	text_tree_prefix(out, sizeof(out), last, 2);
	assert_string_equal(out, "|   `-- ");
	text_tree_prefix(out, sizeof(out), last, 3);
	assert_string_equal(out, "|       |-- ");
	text_tree_prefix(out, 6, last, 3); /* too small: whole pieces only */
	assert_string_equal(out, "|   ");
}

static void test_columns_and_long(void **state)
{
	(void)state;
	size_t w[5] = {3, 10, 4, 2, 8};
	unsigned cols, colw;
	text_columns(w, 5, 80, &cols, &colw);
	assert_int_equal(colw, 12);
	assert_int_equal(cols, 5);
	text_columns(w, 5, 30, &cols, &colw);
	assert_int_equal(cols, 2);
	text_columns(w, 5, 5, &cols, &colw);
	assert_int_equal(cols, 1);
	char line[128];
	struct text_owner link = {0777, 0, 0}, file = {0640, 1000, 100};
	text_ls_long(line, sizeof(line), 'l', &link, 1, 1536, true, "x", "/tmp/y");
	assert_string_equal(line, "lrwxrwxrwx   1    0    0     1.5K x -> /tmp/y");
	text_ls_long(line, sizeof(line), '-', &file, 2, 42, false, "f", NULL);
	assert_string_equal(line, "-rw-r-----   2 1000  100       42 f");
	char perms[10];
	text_mode(04755, perms);
	assert_string_equal(perms, "rwsr-xr-x");
	text_mode(02640, perms);
	assert_string_equal(perms, "rw-r-S---");
	text_mode(01777, perms);
	assert_string_equal(perms, "rwxrwxrwt");
	text_mode(0, perms);
	assert_string_equal(perms, "---------");
}

static void test_date(void **state)
{
	(void)state;
	char out[TEXT_DATE_MAX];
	text_date(0, out);
	assert_string_equal(out, "1970-01-01 00:00:00 UTC");
	text_date(951782400, out); /* a leap day */
	assert_string_equal(out, "2000-02-29 00:00:00 UTC");
	uint64_t t = 0;
	for (int i = 0; i < 20000; i++) {
		t += 86399 * 37 + (uint64_t)i * 1013;
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		char want[TEXT_DATE_MAX];
		strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S UTC", &tm);
		text_date(t, out);
		assert_string_equal(out, want);
	}
}

/* date -s's parser: every form against timegm, and what is not a date refused */
static void test_parse_date(void **state)
{
	(void)state;
	uint64_t t = 0, v;
	char in[TEXT_DATE_MAX];
	for (int i = 0; i < 20000; i++) {
		t += 86399 * 37 + (uint64_t)i * 1013;
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		if (tm.tm_year + 1900 > 9999)
			break;
		text_date(t, in); /* "YYYY-MM-DD HH:MM:SS UTC" */
		assert_int_equal(text_parse_date(in, &v), 0);
		assert_true(v == t);
		in[10] = 'T';
		in[19] = 0;
		assert_int_equal(text_parse_date(in, &v), 0);
		assert_true(v == t);
		in[16] = 0; /* no seconds */
		assert_int_equal(text_parse_date(in, &v), 0);
		assert_true(v == t - (uint64_t)tm.tm_sec);
		struct tm back = {.tm_year = tm.tm_year,
		                  .tm_mon = tm.tm_mon,
		                  .tm_mday = tm.tm_mday,
		                  .tm_hour = tm.tm_hour,
		                  .tm_min = tm.tm_min,
		                  .tm_sec = tm.tm_sec};
		assert_true((uint64_t)timegm(&back) == t);
	}
	assert_int_equal(text_parse_date("2000-02-29 12:00:00Z", &v), 0);
	assert_true(v == 951825600);
	assert_int_equal(text_parse_date("1970-01-01 00:00", &v), 0);
	assert_true(v == 0);
	assert_int_equal(text_parse_date("@1765000000", &v), 0);
	assert_true(v == 1765000000);
	static const char *const bad[] = {"2026-13-01 00:00:00",
	                                  "2026-00-10 00:00:00",
	                                  "2026-02-29 00:00:00",
	                                  "1900-02-29 00:00:00",
	                                  "2026-04-31 00:00:00",
	                                  "2026-01-00 00:00:00",
	                                  "1969-12-31 23:59:59",
	                                  "2026-01-01 24:00:00",
	                                  "2026-01-01 00:60:00",
	                                  "2026-01-01 00:00:60",
	                                  "2026-01-01",
	                                  "2026-01-01 00:00:00 CET",
	                                  "2026-1-01 00:00:00",
	                                  "2026-01-01  00:00:00",
	                                  "2026-01-01 00:00:00x",
	                                  "",
	                                  "@",
	                                  "@12x",
	                                  "@99999999999999999999999",
	                                  "-2026-01-01 00:00:00",
	                                  "2026/01/01 00:00"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		assert_int_equal(text_parse_date(bad[i], &v), -1);
		assert_true(v == 7);
	}
}

static void test_procinfo(void **state)
{
	(void)state;
	/* the kernel's format (kernel/ns/proc.c), with a key added later and one unknown */
	const char *t = "pid 7\nname tmpfs\nstate running\ncode -3\nthreads 2\ncapabilities 11\n"
	                "pool_used 1048576\npool_quota 16777216\ncpu_ns 1234567\nnew_key 5\n";
	struct procinfo p;
	assert_int_equal(procinfo_parse(t, strlen(t), &p), 0);
	assert_int_equal(p.pid, 7);
	assert_string_equal(p.name, "tmpfs");
	assert_string_equal(p.state, "running");
	assert_int_equal(p.code, -3);
	assert_int_equal(p.threads, 2);
	assert_int_equal(p.capabilities, 11);
	assert_int_equal(p.pool_used, 1048576);
	assert_int_equal(p.pool_quota, 16777216);
	assert_true(p.has_cpu);
	assert_int_equal(p.cpu_ns, 1234567);
	/* no cpu line; a long name is cut; no trailing newline */
	const char *u = "pid 1\nname aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nstate exited";
	assert_int_equal(procinfo_parse(u, strlen(u), &p), 0);
	assert_false(p.has_cpu);
	assert_int_equal(strlen(p.name), sizeof(p.name) - 1);
	assert_string_equal(p.state, "exited");
	assert_int_equal(procinfo_parse("name x\n", 7, &p), -1);
	assert_int_equal(procinfo_parse("", 0, &p), -1);
	/* every prefix of the text parses without reading past it (ASan) */
	for (size_t n = 0; n <= strlen(t); n++) {
		char *c = malloc(n ? n : 1);
		memcpy(c, t, n);
		(void)procinfo_parse(c, n, &p);
		free(c);
	}
}

static void test_procinfo_threads(void **state)
{
	(void)state;
	/* the kernel's thread lines (kernel/ns/proc.c), with a key added later; the
	   process's own keys do not confuse it, nor do they it */
	const char *t = "pid 7\nthreads 2\ncpu_ns 99\nthreads_listed 2\n"
	                "thread 41 cpu 1 weight 200 cpu_ns 5000 switches 12 wakeups 3 "
	                "wake_mean_ns 700 wake_max_ns 1500\n"
	                "thread 43 cpu 0 new 9 weight 100 cpu_ns 1 switches 2 wakeups 0 "
	                "wake_mean_ns 0 wake_max_ns 0\n"
	                "thread 45 cpu 3 weight 1";
	struct procthread th[4];
	struct procinfo p;
	assert_int_equal(procinfo_parse(t, strlen(t), &p), 0);
	assert_int_equal(p.threads, 2);
	assert_int_equal(p.cpu_ns, 99);
	assert_int_equal(procinfo_threads(t, strlen(t), th, 4), 2); /* the cut line is left out */
	assert_int_equal(th[0].id, 41);
	assert_int_equal(th[0].cpu, 1);
	assert_int_equal(th[0].weight, 200);
	assert_int_equal(th[0].cpu_ns, 5000);
	assert_int_equal(th[0].switches, 12);
	assert_int_equal(th[0].wakeups, 3);
	assert_int_equal(th[0].wake_mean_ns, 700);
	assert_int_equal(th[0].wake_max_ns, 1500);
	assert_int_equal(th[1].id, 43);
	assert_int_equal(th[1].weight, 100);
	assert_int_equal(th[1].switches, 2);
	assert_int_equal(procinfo_threads(t, strlen(t), th, 1), 1);
	assert_int_equal(procinfo_threads("thread\nthreadx 1\n", 17, th, 4), 0);
	/* every prefix parses without reading past it (ASan) */
	for (size_t n = 0; n <= strlen(t); n++) {
		char *c = malloc(n ? n : 1);
		memcpy(c, t, n);
		(void)procinfo_threads(c, n, th, 4);
		free(c);
	}
}

static void expect_text(const struct edbuf *b, const char *want)
{
	size_t len;
	char *t = edbuf_text(b, &len);
	assert_non_null(t);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(t, want, len);
	free(t);
}

static void test_edbuf(void **state)
{
	(void)state;
	/* loading and saving give the same bytes back */
	static const char *const texts[] = {"", "a", "a\n", "a\n\n", "\n", "one\ntwo\nthree"};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct edbuf b;
		assert_int_equal(edbuf_load(&b, texts[i], strlen(texts[i])), 0);
		expect_text(&b, texts[i]);
		assert_false(b.dirty);
		edbuf_free(&b);
	}
	struct edbuf b;
	assert_int_equal(edbuf_load(&b, "hello\nworld\n", 12), 0);
	assert_int_equal(b.nlines, 3);
	/* typing, a newline in the middle, backspace joining lines back */
	edbuf_right(&b);
	edbuf_right(&b);
	assert_int_equal(edbuf_insert(&b, 'X'), 0);
	expect_text(&b, "heXllo\nworld\n");
	assert_true(b.dirty);
	assert_int_equal(edbuf_newline(&b), 0);
	expect_text(&b, "heX\nllo\nworld\n");
	assert_int_equal(b.row, 1);
	assert_int_equal(b.col, 0);
	edbuf_backspace(&b);
	expect_text(&b, "heXllo\nworld\n");
	assert_int_equal(b.row, 0);
	assert_int_equal(b.col, 3);
	edbuf_backspace(&b);
	expect_text(&b, "hello\nworld\n");
	/* delete at a line's end joins the next line */
	for (int i = 0; i < 7; i++)
		edbuf_right(&b); /* from (0, 2) across the line's end to (1, 3) */
	assert_int_equal(b.row, 1);
	assert_int_equal(b.col, 3);
	edbuf_up(&b);
	assert_int_equal(b.col, 3);
	b.col = b.line[0].len;
	edbuf_delete(&b);
	expect_text(&b, "helloworld\n");
	/* up and down clamp the column; left at the start goes to the end of the line above */
	edbuf_down(&b);
	assert_int_equal(b.row, 1);
	assert_int_equal(b.col, 0);
	edbuf_left(&b);
	assert_int_equal(b.row, 0);
	assert_int_equal(b.col, 10);
	/* backspace at the very start and delete at the very end change nothing */
	b.row = 0;
	b.col = 0;
	edbuf_backspace(&b);
	b.row = 1;
	b.col = 0;
	edbuf_delete(&b);
	expect_text(&b, "helloworld\n");
	edbuf_free(&b);
	/* find: after the cursor, wrapping around, not at the cursor itself */
	assert_int_equal(edbuf_load(&b, "ab ab\nxx ab\n", 12), 0);
	assert_true(edbuf_find(&b, "ab"));
	assert_int_equal(b.row, 0);
	assert_int_equal(b.col, 3);
	assert_true(edbuf_find(&b, "ab"));
	assert_int_equal(b.row, 1);
	assert_int_equal(b.col, 3);
	assert_true(edbuf_find(&b, "ab"));
	assert_int_equal(b.row, 0);
	assert_int_equal(b.col, 0);
	assert_false(edbuf_find(&b, "zz"));
	assert_false(edbuf_find(&b, ""));
	assert_int_equal(b.row, 0);
	edbuf_free(&b);
	/* many lines and long ones grow their arrays */
	assert_int_equal(edbuf_load(&b, "", 0), 0);
	for (int i = 0; i < 500; i++) {
		for (int j = 0; j < 40; j++)
			assert_int_equal(edbuf_insert(&b, (char)('a' + j % 26)), 0);
		assert_int_equal(edbuf_newline(&b), 0);
	}
	assert_int_equal(b.nlines, 501);
	size_t len;
	char *t = edbuf_text(&b, &len);
	assert_int_equal(len, 500 * 41);
	free(t);
	edbuf_free(&b);
}

/* chmod's modes: octal, POSIX's symbolic clauses, and what is not one */
static void test_modespec(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		unsigned old;
		bool dir;
		unsigned want; /* ~0u: refused */
	} t[] = {
	    {"755", 0, false, 0755},
	    {"0644", 0777, false, 0644},
	    {"7777", 0, false, 07777},
	    {"10000", 0, false, ~0u},
	    {"0", 0777, false, 0},
	    {"8", 0, false, ~0u},
	    {"u+x", 0644, false, 0744},
	    {"u+x,go-w", 0666, false, 0744},
	    {"go-w", 0777, false, 0755},
	    {"a=r", 0777, false, 0444},
	    {"=r", 04777, false, 0444},
	    {"+x", 0644, false, 0755},
	    {"-w", 0666, false, 0444},
	    {"a=rX", 0600, false, 0444},
	    {"a=rX", 0700, false, 0555},
	    {"a=rX", 0600, true, 0555},
	    {"g=u", 0640, false, 0660},
	    {"o=g", 0750, false, 0755},
	    {"u+s,g+s", 0755, false, 06755},
	    {"+t", 0777, true, 01777},
	    {"o+t", 0777, true, 01777},
	    {"u-s", 04755, false, 0755},
	    {"u=rwx,g=rx,o=", 0, false, 0750},
	    {"u+x-w", 0644, false, 0544},
	    {"ug+rw", 0, false, 0660},
	    {"u=", 0755, false, 0055},
	    {"", 0, false, ~0u},
	    {"u", 0, false, ~0u},
	    {"u+x,", 0, false, ~0u},
	    {",u+x", 0, false, ~0u},
	    {"u+q", 0, false, ~0u},
	    {"z+x", 0, false, ~0u},
	    {"u+x g-w", 0, false, ~0u},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned got = 12345;
		int r = mode_parse(t[i].spec, t[i].old, t[i].dir, &got);
		if (t[i].want == ~0u) {
			if (r != -1 || got != 12345)
				fail_msg("'%s' accepted (%o)", t[i].spec, got);
		} else if (r != 0 || got != t[i].want) {
			fail_msg("'%s' on %o: %d %o, want %o", t[i].spec, t[i].old, r, got,
			         t[i].want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_nist), cmocka_unit_test(test_sha256_host),
	    cmocka_unit_test(test_regex),       cmocka_unit_test(test_regex_random),
	    cmocka_unit_test(test_glob),        cmocka_unit_test(test_wc),
	    cmocka_unit_test(test_human_size),  cmocka_unit_test(test_sort_compare),
	    cmocka_unit_test(test_split_lines), cmocka_unit_test(test_hexdump),
	    cmocka_unit_test(test_tree_prefix), cmocka_unit_test(test_columns_and_long),
	    cmocka_unit_test(test_date),        cmocka_unit_test(test_parse_date),
	    cmocka_unit_test(test_procinfo),    cmocka_unit_test(test_procinfo_threads),
	    cmocka_unit_test(test_edbuf),       cmocka_unit_test(test_modespec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
