/*
 * test_uri.c - host tests for the namespace URI and path parser (uri.c).
 *
 * Table-driven: each case is an input, the error or normalized result it must
 * give. Then properties checked over a mutation fuzz: whatever the input, a
 * successful parse yields names of valid UTF-8 without '/' or NUL, within
 * the limits, and parsing the normalized result again gives it back. Inputs
 * are malloc'd at their exact length, so ASan catches any read past the end.
 */
#include <shared/ns_uri.h>
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Run f on an exact-length heap copy of the n bytes at s. */
static int uri_exact(const char *s, size_t n, struct ns_uri *u)
{
	char *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	int r = ns_uri_parse(copy, n, u);
	free(copy);
	return r;
}

static int path_exact(const char *s, size_t n, struct ns_path *p)
{
	char *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	int r = ns_path_parse(copy, n, p);
	free(copy);
	return r;
}

struct uri_case {
	const char *in;
	int err;
	const char *scheme, *host, *path;
	int dir;
};

static const struct uri_case uri_cases[] = {
    {"fs://localhost/home/ada/notes.txt", 0, "fs", "", "home/ada/notes.txt", 0},
    {"fs:///home/ada/", 0, "fs", "", "home/ada", 1},
    {"dev:///block/vda", 0, "dev", "", "block/vda", 0},
    {"proc:///42", 0, "proc", "", "42", 0},
    {"svc:///log", 0, "svc", "", "log", 0},
    {"FS://LocalHost/Home", 0, "fs", "", "Home", 0}, /* scheme, host fold; path does not */
    {"fs://node2.lan/etc/motd", 0, "fs", "node2.lan", "etc/motd", 0},
    {"fs://", 0, "fs", "", "", 1},
    {"fs:///", 0, "fs", "", "", 1},
    {"fs://host", 0, "fs", "host", "", 1},
    {"fs:///a/./b/../c", 0, "fs", "", "a/c", 0},
    {"fs:///a/b/..", 0, "fs", "", "a", 1},
    {"fs:///a%20b/%41", 0, "fs", "", "a b/A", 0},
    {"fs:///caf%C3%A9", 0, "fs", "", "caf\xc3\xa9", 0},
    {"fs:///caf\xc3\xa9", 0, "fs", "", "caf\xc3\xa9", 0}, /* raw UTF-8, as an IRI */
    {"fs:///%2E%2E", ERR_NOT_FOUND, 0, 0, 0, 0}, /* decoded ".." above the root */
    {"fs:///a/%2e%2e/b", 0, "fs", "", "b", 0},
    {"fs:///..", ERR_NOT_FOUND, 0, 0, 0, 0},
    {"fs:///a/../..", ERR_NOT_FOUND, 0, 0, 0, 0},
    {"fs:///a%2Fb", ERR_INVALID_ARGS, 0, 0, 0, 0}, /* an encoded '/' is no separator */
    {"fs:///a%00b", ERR_INVALID_ARGS, 0, 0, 0, 0}, /* nor an encoded NUL a terminator */
    {"fs:///a%2", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs:///a%zz", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs:///%C3", ERR_INVALID_ARGS, 0, 0, 0, 0}, /* truncated UTF-8 */
    {"fs:///%C0%AF", ERR_INVALID_ARGS, 0, 0, 0, 0}, /* overlong '/' */
    {"fs:///%ED%A0%80", ERR_INVALID_ARGS, 0, 0, 0, 0}, /* a surrogate */
    {"fs:///%F4%90%80%80", ERR_INVALID_ARGS, 0, 0, 0, 0}, /* above U+10FFFF */
    {"fs:///a//b", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs:///a b", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs:///a?x=1", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs:///a#top", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs://user@host/a", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs://host:80/a", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs://[::1]/a", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs://-host/a", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs://host-/a", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs://a..b/", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs://h%41st/", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"fs:/home", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"1fs:///a", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"://a", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"home/ada", ERR_INVALID_ARGS, 0, 0, 0, 0},
    {"", ERR_INVALID_ARGS, 0, 0, 0, 0},
};

static void test_uri_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
		const struct uri_case *c = &uri_cases[i];
		struct ns_uri u;
		int r = uri_exact(c->in, strlen(c->in), &u);
		if (r != c->err)
			fail_msg("%s: got %d, want %d", c->in, r, c->err);
		if (r)
			continue;
		assert_string_equal(u.scheme, c->scheme);
		assert_string_equal(u.host, c->host);
		assert_string_equal(u.path.buf, c->path);
		assert_int_equal(u.path.len, strlen(c->path));
		assert_true(u.path.absolute);
		if (u.path.dir != c->dir)
			fail_msg("%s: dir %d, want %d", c->in, u.path.dir, c->dir);
	}
}

/* A NUL byte inside the input is data: an error, never the end of the string. */
static void test_uri_embedded_nul(void **state)
{
	(void)state;
	struct ns_uri u;
	static const char in[] = "fs:///a\0/../../etc";
	assert_int_equal(uri_exact(in, sizeof(in) - 1, &u), ERR_INVALID_ARGS);
	struct ns_path p;
	assert_int_equal(path_exact(in + 6, sizeof(in) - 7, &p), ERR_INVALID_ARGS);
}

static void test_path_plain(void **state)
{
	(void)state;
	struct ns_path p;
	assert_int_equal(path_exact("/etc//motd", 10, &p), 0);
	assert_string_equal(p.buf, "etc/motd");
	assert_true(p.absolute);
	assert_false(p.dir);
	assert_int_equal(p.depth, 2);
	assert_int_equal(path_exact("my notes%20.txt", 15, &p), 0); /* literal: no decoding */
	assert_string_equal(p.buf, "my notes%20.txt");
	assert_false(p.absolute);
	assert_int_equal(path_exact("/", 1, &p), 0);
	assert_string_equal(p.buf, "");
	assert_true(p.dir);
	assert_int_equal(path_exact("a/b/", 4, &p), 0);
	assert_true(p.dir);
	assert_int_equal(path_exact("a/..", 4, &p), 0);
	assert_string_equal(p.buf, "");
	assert_true(p.dir);
	assert_int_equal(path_exact("..", 2, &p), ERR_NOT_FOUND);
	assert_int_equal(path_exact("a/../../b", 9, &p), ERR_NOT_FOUND);
	assert_int_equal(path_exact("", 0, &p), ERR_INVALID_ARGS);
	assert_int_equal(path_exact("a/\xff", 3, &p), ERR_INVALID_ARGS);
}

static void test_path_limits(void **state)
{
	(void)state;
	static char name[NS_NAME_MAX + 2];
	memset(name, 'n', sizeof(name));
	struct ns_path p;
	ns_path_init(&p);
	assert_int_equal(ns_path_push(&p, name, NS_NAME_MAX), 0);
	assert_int_equal(ns_path_push(&p, name, NS_NAME_MAX + 1), ERR_OUT_OF_RANGE);
	assert_int_equal(p.depth, 1); /* a failed push changes nothing */
	/* fill to the byte limit with 255-byte names, then one more name fails */
	ns_path_init(&p);
	int err = 0;
	while (!(err = ns_path_push(&p, name, NS_NAME_MAX)))
		;
	assert_int_equal(err, ERR_OUT_OF_RANGE);
	assert_true(p.len <= NS_PATH_MAX);
	assert_int_equal(p.len, strlen(p.buf));
	/* the depth limit with one-byte names */
	ns_path_init(&p);
	for (unsigned i = 0; i < NS_DEPTH_MAX; i++)
		assert_int_equal(ns_path_push(&p, "d", 1), 0);
	assert_int_equal(ns_path_push(&p, "d", 1), ERR_OUT_OF_RANGE);
	assert_int_equal(ns_path_push(&p, "..", 2), 0); /* ".." still works at the limit */
	assert_int_equal(p.depth, NS_DEPTH_MAX - 1);
	/* a URI over NS_URI_MAX is refused before it is read */
	size_t n = NS_URI_MAX + 1;
	char *big = malloc(n);
	memcpy(big, "fs:///", 6);
	memset(big + 6, 'a', n - 6);
	struct ns_uri u;
	assert_int_equal(ns_uri_parse(big, n, &u), ERR_OUT_OF_RANGE);
	free(big);
	/* a host label of 64 characters, a whole host of 254 */
	char host[300] = "fs://";
	memset(host + 5, 'h', 64);
	strcpy(host + 69, "/a");
	assert_int_equal(uri_exact(host, strlen(host), &u), ERR_OUT_OF_RANGE);
}

static void test_types_and_hosts(void **state)
{
	(void)state;
	for (unsigned t = 0; t < NS_TYPE_COUNT; t++) {
		const char *name = ns_type_name(t);
		assert_non_null(name);
		assert_int_equal(ns_type_parse(name, strlen(name)), (int)t);
	}
	assert_null(ns_type_name(NS_TYPE_COUNT));
	assert_int_equal(ns_type_parse("dev", 3), -1);
	assert_int_equal(ns_type_parse("dirx", 3), NS_TYPE_DIR); /* takes the length given */
	struct ns_uri u;
	assert_int_equal(uri_exact("fs://Node2/a", 12, &u), 0);
	assert_false(ns_uri_is_local(&u, NULL));
	assert_false(ns_uri_is_local(&u, "node1"));
	assert_true(ns_uri_is_local(&u, "NODE2"));
	assert_false(ns_uri_is_local(&u, "node22"));
	assert_int_equal(uri_exact("fs://localhost/a", 16, &u), 0);
	assert_true(ns_uri_is_local(&u, "node1"));
	assert_true(ns_is_uri("a+b.c-d://", 10));
	assert_false(ns_is_uri("a:/b", 4));
	assert_false(ns_is_uri("/a://", 5));
}

/* Every successful parse must satisfy what uri.h promises; a re-parse is a fixed point. */
static void check_path(const struct ns_path *p)
{
	assert_int_equal(strlen(p->buf), p->len);
	assert_true(p->len <= NS_PATH_MAX);
	assert_true(p->depth <= NS_DEPTH_MAX);
	unsigned names = 0;
	size_t start = 0;
	for (size_t i = 0; i <= p->len; i++) {
		if (i < p->len && p->buf[i] != '/')
			continue;
		if (p->len == 0)
			break;
		size_t n = i - start;
		assert_true(n >= 1 && n <= NS_NAME_MAX);
		assert_true(ns_utf8_valid(p->buf + start, n));
		assert_false(n == 1 && p->buf[start] == '.');
		assert_false(n == 2 && p->buf[start] == '.' && p->buf[start + 1] == '.');
		names++;
		start = i + 1;
	}
	assert_int_equal(names, p->depth);
	if (p->len) {
		struct ns_path again;
		assert_int_equal(path_exact(p->buf, p->len, &again), 0);
		assert_string_equal(again.buf, p->buf);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

static void test_uri_mutation_fuzz(void **state)
{
	(void)state;
	static const char *seeds[] = {"fs://localhost/home/ada/notes.txt", "fs:///a/%2E%2E/b/",
	                              "dev:///block/vda", "fs://node2.lan/caf%C3%A9/../x",
	                              "a/b/../c//d/"};
	static const char alphabet[] = "/%.:@?#[]aZ09\x00\xc3\xa9\xff-+2Ff";
	unsigned ok = 0;
	for (unsigned round = 0; round < 200000; round++) {
		char buf[96];
		const char *seed = seeds[next() % 5];
		size_t n = strlen(seed);
		memcpy(buf, seed, n);
		for (unsigned k = next() % 4; k-- > 0;) {
			unsigned op = next() % 3, at = n ? next() % n : 0;
			char c = alphabet[next() % (sizeof(alphabet) - 1)];
			if (op == 0 && n)
				buf[at] = c;
			else if (op == 1 && n < sizeof(buf)) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = c, n++;
			} else if (n) {
				memmove(buf + at, buf + at + 1, n - at - 1), n--;
			}
		}
		struct ns_uri u;
		if (uri_exact(buf, n, &u) == 0) {
			ok++;
			check_path(&u.path);
		}
		struct ns_path p;
		if (n && path_exact(buf, n, &p) == 0)
			check_path(&p);
	}
	assert_true(ok > 1000); /* the mutations keep enough inputs valid to test the output */
}

/* Both parses of the exact-length copy of s give the same result, field by field. */
static void same_as_bytewise(const char *s, size_t n)
{
	char *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	struct ns_path a, b;
	int ra = ns_path_parse(copy, n, &a), rb = ns_path_parse_bytewise(copy, n, &b);
	free(copy);
	assert_int_equal(ra, rb);
	if (ra)
		return;
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len + 1);
	assert_int_equal(a.depth, b.depth);
	assert_int_equal(a.absolute, b.absolute);
	assert_int_equal(a.dir, b.dir);
}

/*
 * ns_path_parse() serves common paths eight bytes at a time and gives the
 * rest to the byte-wise parse: the two must agree on every input. The
 * cases sit at the word scan's edges (a name or '/' at each byte of a word,
 * names that start with '.', "//" across a word boundary, NUL and non-ASCII
 * in the last partial word, the NS_NAME_MAX cut-over); then every string of
 * up to 6 bytes over a small alphabet, and random longer ones.
 */
static void test_path_word_scan(void **state)
{
	(void)state;
	static const char *cases[] = {"bench-tmp/a/b/c/d",
	                              "/bench-tmp/a/b/c/d/",
	                              "a",
	                              "/",
	                              "//",
	                              "///",
	                              "a/",
	                              "/a",
	                              "a//b",
	                              "abcdefg//h",
	                              "abcdefgh//",
	                              "abcdefgh/",
	                              "/abcdefg/",
	                              ".",
	                              "..",
	                              "a/.",
	                              "a/..",
	                              ".a",
	                              "a/.b",
	                              "abcdefg/.hidden",
	                              "abcdefgh/.",
	                              "a.b/c.d",
	                              "notes.txt",
	                              "x/y./z",
	                              "home/ada/..",
	                              "abcdefghijklmnop",
	                              "abcdefghijklmnop/",
	                              "caf\xc3\xa9",
	                              "abcdefg\xc3\xa9",
	                              "\xff"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_as_bytewise(cases[i], strlen(cases[i]));
	same_as_bytewise("ab\0cd", 5);
	same_as_bytewise("abcdefgh\0", 9);
	char big[NS_NAME_MAX + 3];
	for (size_t n = NS_NAME_MAX - 9; n <= NS_NAME_MAX + 2; n++) {
		for (size_t k = 0; k < n; k++)
			big[k] = k % 5 == 4 ? '/' : 'a'; /* short names */
		same_as_bytewise(big, n);
		memset(big, 'b', n); /* one long name: too long past NS_NAME_MAX */
		same_as_bytewise(big, n);
		big[0] = '/';
		same_as_bytewise(big, n);
	}
	static const char alphabet[] = {'a', '/', '.', '\0', (char)0xc3, (char)0xa9};
	char s[16];
	for (size_t n = 1; n <= 6; n++) {
		size_t total = 1;
		for (size_t k = 0; k < n; k++)
			total *= sizeof(alphabet);
		for (size_t v = 0; v < total; v++) {
			for (size_t k = 0, x = v; k < n; k++, x /= sizeof(alphabet))
				s[k] = alphabet[x % sizeof(alphabet)];
			same_as_bytewise(s, n);
		}
	}
	static const char wide[] = "ab/./../cd//e\xc3\xa9.z";
	char r[40];
	for (unsigned round = 0; round < 100000; round++) {
		size_t n = 1 + next() % sizeof(r);
		for (size_t k = 0; k < n; k++)
			r[k] =
			    next() % 4 ? "abcdefgh"[next() % 8] : wide[next() % (sizeof(wide) - 1)];
		same_as_bytewise(r, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uri_table),       cmocka_unit_test(test_uri_embedded_nul),
	    cmocka_unit_test(test_path_plain),      cmocka_unit_test(test_path_limits),
	    cmocka_unit_test(test_types_and_hosts), cmocka_unit_test(test_uri_mutation_fuzz),
	    cmocka_unit_test(test_path_word_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
