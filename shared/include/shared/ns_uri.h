/*
 * ns_uri.h - namespace URIs and paths: parse, validate, normalize.
 *
 * Shared by the kernel (which checks every path a syscall hands it) and
 * libcharlotte (which turns what a program or a user wrote into a root, a
 * host and a path). Pure functions over caller memory: no allocation, no
 * globals, every input taken with its length, so a NUL is data (and an
 * error), never a terminator. docs/namespace.md states the grammar.
 *
 * Two forms of input:
 *   a URI         fs://localhost/home/ada/notes%20v2.txt
 *                 strict RFC 3986 syntax (plus raw UTF-8, as IRIs): scheme and
 *                 host are case-insensitive and come out in lower case,
 *                 path segments are percent-decoded, and a decoded '/' or NUL
 *                 is an invalid name, never a separator or a terminator.
 *   a plain path  home/ada/notes v2.txt, /etc/motd
 *                 names taken literally (no percent-decoding); repeated '/'
 *                 collapse, as in POSIX. What libc's fopen() and the shell take.
 *
 * Either way the result is a normalized path: names joined by single '/',
 * no leading or trailing '/', no "." and no ".." (each ".." removes the name
 * before it; one with nothing before it would climb above the node the path
 * starts from, which no path may do: ERR_NOT_FOUND, the same answer as a name
 * that does not exist, so a sandboxed program learns nothing about what lies
 * above its view). Every name is 1..NS_NAME_MAX bytes of valid UTF-8 without
 * '/' or NUL.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <abi/ns.h>

struct ns_path {
	char buf[NS_PATH_MAX + 1]; /* normalized, NUL-terminated ("" = the start node) */
	size_t len; /* bytes in buf, without the NUL */
	unsigned depth; /* names in buf */
	bool absolute; /* written with a leading '/' (plain paths: from the fs root) */
	bool dir; /* written with a trailing '/' (or "." / ".."): must be a directory */
};

struct ns_uri {
	char scheme[NS_SCHEME_MAX + 1]; /* lower case */
	char host[NS_HOST_MAX + 1]; /* lower case; "" = this host ("localhost" becomes "") */
	struct ns_path path; /* always absolute: from the scheme's root */
};

/* Start an empty path (the start node itself). */
void ns_path_init(struct ns_path *p);

/*
 * Append one name to p, literally (no decoding): "." changes nothing, ".."
 * removes the last name. Errors: ERR_INVALID_ARGS (empty, contains '/' or NUL,
 * not UTF-8), ERR_OUT_OF_RANGE (name longer than NS_NAME_MAX, or p would pass
 * NS_PATH_MAX or NS_DEPTH_MAX), ERR_NOT_FOUND (".." with no name to remove).
 * On error p is unchanged.
 */
int ns_path_push(struct ns_path *p, const char *name, size_t len);

/*
 * Parse a plain path of len bytes into *p (initialized here). Errors as
 * ns_path_push, and ERR_INVALID_ARGS for an empty string; after an error *p
 * holds what was parsed before it (callers do not use it).
 */
int ns_path_parse(const char *s, size_t len, struct ns_path *p);
/* The same parse a byte at a time: what ns_path_parse() falls back to for
   paths its word-at-a-time scan does not serve; for differential tests. */
int ns_path_parse_bytewise(const char *s, size_t len, struct ns_path *p);

/* Whether s begins with "<scheme>://" (anything else is a plain path). */
bool ns_is_uri(const char *s, size_t len);

/*
 * Parse a URI of len bytes into *u. Errors: ERR_INVALID_ARGS (bad syntax: a
 * scheme or host character, a userinfo or port, a query or fragment, an empty
 * segment, a bad percent-escape, a decoded name with '/' or NUL or not UTF-8),
 * ERR_OUT_OF_RANGE (over a limit of abi/ns.h), ERR_NOT_FOUND (".." above the
 * root).
 */
int ns_uri_parse(const char *s, size_t len, struct ns_uri *u);

/* Whether u names this host, whose own name is self ("" or NULL: none set). */
bool ns_uri_is_local(const struct ns_uri *u, const char *self);

/* Check that s[0..len) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool ns_utf8_valid(const char *s, size_t len);

/* The name of an entry type ("dir", "dev.block", ...; "any" for NS_TYPE_ANY), NULL if none. */
const char *ns_type_name(unsigned type);
/* The type named name (len bytes), or -1. */
int ns_type_parse(const char *name, size_t len);
