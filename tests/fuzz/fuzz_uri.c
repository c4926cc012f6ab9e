/*
 * fuzz_uri.c - libFuzzer target for shared/ns_uri.c: the same bytes as a URI
 * (ns_uri_parse) and as a plain path (ns_path_parse).
 *
 * Past the sanitizers, every successful parse must keep ns_uri.h's promises:
 * a NUL-terminated buffer of len bytes within NS_PATH_MAX, depth names within
 * NS_DEPTH_MAX, each 1..NS_NAME_MAX bytes of valid UTF-8 without '/' or NUL
 * and never "." or ".."; a lower-case scheme and host of their grammar, and
 * "localhost" never left as a host. And the result is a fixed point: written
 * back out (a plain path as it is, a URI with each name percent-encoded) and
 * parsed again, it gives the same scheme, host and path.
 * ns_path_parse()'s word-at-a-time scan and ns_path_parse_bytewise() agree.
 */
#include "fuzz.h"

#include <shared/ns_uri.h>
#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

static bool is_error(int r)
{
	return r == ERR_INVALID_ARGS || r == ERR_OUT_OF_RANGE || r == ERR_NOT_FOUND;
}

static void check_path(const struct ns_path *p)
{
	FUZZ_CHECK(p->len <= NS_PATH_MAX);
	FUZZ_CHECK(p->buf[p->len] == '\0');
	FUZZ_CHECK(strlen(p->buf) == p->len); /* no NUL inside */
	FUZZ_CHECK(p->depth <= NS_DEPTH_MAX);
	FUZZ_CHECK((p->len == 0) == (p->depth == 0));
	FUZZ_CHECK(p->depth > 0 || p->dir); /* the start node is a directory */
	unsigned names = 0;
	for (size_t start = 0, i = 0; p->len > 0 && i <= p->len; i++) {
		if (i < p->len && p->buf[i] != '/')
			continue;
		size_t n = i - start;
		const char *name = p->buf + start;
		FUZZ_CHECK(n >= 1 && n <= NS_NAME_MAX);
		FUZZ_CHECK(ns_utf8_valid(name, n));
		FUZZ_CHECK(!(n == 1 && name[0] == '.'));
		FUZZ_CHECK(!(n == 2 && name[0] == '.' && name[1] == '.'));
		names++;
		start = i + 1;
	}
	FUZZ_CHECK(names == p->depth);
}

static bool same_path(const struct ns_path *a, const struct ns_path *b)
{
	return a->len == b->len && a->depth == b->depth && a->absolute == b->absolute &&
	       a->dir == b->dir && memcmp(a->buf, b->buf, a->len + 1) == 0;
}

/* A plain path written back: "/" if absolute, the names, "/" if it must be a directory. */
static void plain_round_trip(const struct ns_path *p)
{
	static char s[NS_PATH_MAX + 3];
	size_t n = 0;
	if (p->absolute)
		s[n++] = '/';
	memcpy(s + n, p->buf, p->len);
	n += p->len;
	if (p->depth > 0 && p->dir)
		s[n++] = '/';
	if (n == 0)
		s[n++] = '.'; /* the start node, relative */
	static struct ns_path again;
	FUZZ_CHECK(ns_path_parse(s, n, &again) == 0);
	FUZZ_CHECK(same_path(p, &again));
}

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* A URI written back: scheme://host/ and each name percent-encoded but for unreserved bytes. */
static void uri_round_trip(const struct ns_uri *u)
{
	static char s[NS_SCHEME_MAX + 3 + NS_HOST_MAX + 3 * NS_PATH_MAX + 2];
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const char *c = u->scheme; *c; c++)
		s[n++] = *c;
	memcpy(s + n, "://", 3), n += 3;
	for (const char *c = u->host; *c; c++)
		s[n++] = *c;
	s[n++] = '/';
	for (size_t i = 0; i < u->path.len; i++) {
		unsigned char c = (unsigned char)u->path.buf[i];
		if (c == '/' || unreserved(c)) {
			s[n++] = (char)c;
		} else {
			s[n++] = '%';
			s[n++] = hex[c >> 4];
			s[n++] = hex[c & 15];
		}
	}
	if (u->path.depth > 0 && u->path.dir)
		s[n++] = '/';
	static struct ns_uri again;
	int r = ns_uri_parse(s, n, &again);
	if (n > NS_URI_MAX) { /* encoding made it longer than a URI may be */
		FUZZ_CHECK(r == ERR_OUT_OF_RANGE);
		return;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(strcmp(u->scheme, again.scheme) == 0);
	FUZZ_CHECK(strcmp(u->host, again.host) == 0);
	FUZZ_CHECK(same_path(&u->path, &again.path));
}

static void check_uri(const struct ns_uri *u)
{
	size_t n = strlen(u->scheme);
	FUZZ_CHECK(n >= 1 && n <= NS_SCHEME_MAX);
	FUZZ_CHECK(u->scheme[0] >= 'a' && u->scheme[0] <= 'z');
	for (size_t i = 0; i < n; i++) {
		char c = u->scheme[i];
		FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		           c == '-' || c == '.');
	}
	n = strlen(u->host);
	FUZZ_CHECK(n <= NS_HOST_MAX);
	FUZZ_CHECK(strcmp(u->host, "localhost") != 0);
	for (size_t i = 0; i < n; i++) {
		char c = u->host[i];
		FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		           c == '.');
	}
	FUZZ_CHECK(u->path.absolute);
	check_path(&u->path);
	FUZZ_CHECK(ns_uri_is_local(u, NULL) == (n == 0));
	uri_round_trip(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	static struct ns_uri u;
	int r = ns_uri_parse(s, size, &u);
	if (r == 0) {
		FUZZ_CHECK(ns_is_uri(s, size));
		check_uri(&u);
	} else {
		FUZZ_CHECK(is_error(r));
	}
	static struct ns_path p;
	r = ns_path_parse(s, size, &p);
	static struct ns_path q; /* the word-at-a-time parse agrees with the byte-wise one */
	FUZZ_CHECK(ns_path_parse_bytewise(s, size, &q) == r);
	FUZZ_CHECK(r != 0 || same_path(&p, &q));
	if (r == 0) {
		FUZZ_CHECK(p.absolute == (s[0] == '/'));
		check_path(&p);
		plain_round_trip(&p);
	} else {
		FUZZ_CHECK(is_error(r));
	}
	return 0;
}
