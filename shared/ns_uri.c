/*
 * uri.c - namespace URIs and paths (ns_uri.h; the grammar is in docs/namespace.md).
 *
 * Everything works on (pointer, length) input and writes only into the
 * caller's struct, whose buffer is sized for the largest legal result, so a
 * hostile string can make any function fail but never write out of bounds.
 * A failed ns_path_push() leaves its path as it was (ns_path_parse(): see ns_uri.h).
 */
#include <shared/ns_uri.h>

#include <abi/errors.h>
#include <shared/hex.h>

static const char *const type_names[NS_TYPE_COUNT] = {
    [NS_TYPE_ANY] = "any",
    [NS_TYPE_DIR] = "dir",
    [NS_TYPE_FILE] = "file",
    [NS_TYPE_LINK] = "link",
    [NS_TYPE_DEV_BLOCK] = "dev.block",
    [NS_TYPE_DEV_NET] = "dev.net",
    [NS_TYPE_DEV_INPUT] = "dev.input",
    [NS_TYPE_DEV_DISPLAY] = "dev.display",
    [NS_TYPE_DEV_SERIAL] = "dev.serial",
    [NS_TYPE_DEV_CLOCK] = "dev.clock",
    [NS_TYPE_DEV_RNG] = "dev.rng",
    [NS_TYPE_SVC] = "svc",
    [NS_TYPE_PROC] = "proc",
    [NS_TYPE_THREAD] = "thread",
    [NS_TYPE_MEM] = "mem",
};

const char *ns_type_name(unsigned type)
{
	return type < NS_TYPE_COUNT ? type_names[type] : NULL;
}

static bool bytes_eq(const char *a, size_t alen, const char *b)
{
	size_t i = 0;
	for (; i < alen && b[i]; i++)
		if (a[i] != b[i])
			return false;
	return i == alen && !b[i];
}

int ns_type_parse(const char *name, size_t len)
{
	for (unsigned t = 0; t < NS_TYPE_COUNT; t++)
		if (bytes_eq(name, len, type_names[t]))
			return (int)t;
	return -1;
}

bool ns_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		unsigned n; /* continuation bytes */
		uint32_t min, cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (unsigned k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

void ns_path_init(struct ns_path *p)
{
	p->buf[0] = '\0';
	p->len = 0;
	p->depth = 0;
	p->absolute = false;
	p->dir = false;
}

/* Remove the last name of p (p->depth > 0). */
static void path_pop(struct ns_path *p)
{
	size_t i = p->len;
	while (i > 0 && p->buf[i - 1] != '/')
		i--;
	p->len = i > 0 ? i - 1 : 0; /* drop the separator before it too */
	p->buf[p->len] = '\0';
	p->depth--;
}

/*
 * Append the name at s: its len bytes, or (at_sep) the bytes up to the first
 * '/' among them, the length going to *used. One pass checks, copies and
 * measures: paths are parsed on every lookup (make bench's ns_stat), so the
 * bytes are read once. The bytes go into buf past the terminator before the
 * checks are done, which a failure does not see: len is unchanged and the
 * terminator is written back. Errors and their order as ns_path_push.
 */
/* (inline: ns_path_parse() gets its own copy, with at_sep known) */
static inline __attribute__((always_inline)) int push_name(struct ns_path *p, const char *s,
                                                           size_t len, bool at_sep, size_t *used)
{
	if (len && s[0] == '.') {
		size_t dots = len > 1 && s[1] == '.' ? 2 : 1;
		if (dots == len || (at_sep && s[dots] == '/')) {
			*used = dots;
			if (dots == 1)
				return 0;
			if (p->depth == 0)
				return ERR_NOT_FOUND;
			path_pop(p);
			return 0;
		}
	}
	size_t sep = p->depth > 0, room = 0, i = 0;
	if (p->depth < NS_DEPTH_MAX && p->len + sep < NS_PATH_MAX)
		room = NS_PATH_MAX - p->len - sep;
	char *dst = p->buf + p->len + sep;
	unsigned char any = 0; /* the bytes or'ed: bit 7 set when one is not ASCII */
	bool bad = false;
	for (; i < len; i++) {
		char c = s[i];
		if (c == '/') {
			if (at_sep)
				break;
			bad = true;
		}
		bad |= c == '\0';
		any |= (unsigned char)c;
		if (i < room)
			dst[i] = c;
	}
	*used = i;
	int err = 0;
	if (i == 0)
		err = ERR_INVALID_ARGS;
	else if (i > NS_NAME_MAX)
		err = ERR_OUT_OF_RANGE;
	else if (bad || ((any & 0x80) && !ns_utf8_valid(s, i)))
		err = ERR_INVALID_ARGS;
	else if (i > room)
		err = ERR_OUT_OF_RANGE;
	if (err) {
		p->buf[p->len] = '\0';
		return err;
	}
	if (sep)
		p->buf[p->len] = '/';
	p->len += sep + i;
	p->buf[p->len] = '\0';
	p->depth++;
	return 0;
}

int ns_path_push(struct ns_path *p, const char *name, size_t len)
{
	size_t used;
	return push_name(p, name, len, false, &used);
}

/* Whether the last name of a path (bytes [start, end)) asks for a directory. */
static bool is_dot_name(const char *s, size_t len)
{
	return (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.');
}

/* Straight into *out (a path is 4 KiB: no copy of it at the end). */
int ns_path_parse_bytewise(const char *s, size_t len, struct ns_path *out)
{
	if (len == 0)
		return ERR_INVALID_ARGS;
	ns_path_init(out);
	out->absolute = s[0] == '/';
	size_t i = 0;
	while (i < len) {
		if (s[i] == '/') { /* repeated separators collapse */
			i++;
			continue;
		}
		size_t n;
		int err = push_name(out, s + i, len - i, true, &n);
		if (err)
			return err;
		out->dir = is_dot_name(s + i, n);
		i += n;
	}
	if (s[len - 1] == '/' || out->depth == 0)
		out->dir = true; /* "a/", "/" and "a/.." name directories */
	return 0;
}

/*
 * The word-at-a-time parse (paths are parsed on every lookup). It serves the
 * common path, which its own normal form already is but for a leading and a
 * trailing '/': at most NS_NAME_MAX bytes (so no name and no depth can pass
 * a limit), ASCII without NUL, no empty name ("//") and no name that starts
 * with '.' (".", ".." and dot files alike). Such a path is copied as it is
 * and checked eight bytes at a time; anything else goes to the byte-wise
 * parse, so both give the same result for every input (the fuzz_uri and
 * test_uri differential checks).
 */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define LOWS 0x7f7f7f7f7f7f7f7full

/* 0x80 in each byte of w that is zero, nothing elsewhere (exact: no borrow). */
static inline uint64_t zero_bytes(uint64_t w)
{
	return ~(((w & LOWS) + LOWS) | w | LOWS);
}

static bool parse_words(const char *s, size_t len, struct ns_path *out)
{
	if (len > NS_NAME_MAX)
		return false;
	size_t start = s[0] == '/';
	bool dir = s[len - 1] == '/';
	if (len <= start + dir)
		return false; /* "/", "//": the start node */
	size_t n = len - start - dir;
	if (s[start + n - 1] == '/')
		return false; /* "a//": an empty last name */
	char *buf = out->buf;
	__builtin_memcpy(buf, s + start, n);
	__builtin_memset(buf + n, 0, 8); /* the terminator, and the last word's padding */
	uint64_t bad = 0, slashes = 0;
	uint64_t starts = 0x80; /* byte 0 begins a name */
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w;
		__builtin_memcpy(&w, buf + i, 8);
		uint64_t valid = n - i >= 8 ? ~0ull : (1ull << ((n - i) * 8)) - 1;
		uint64_t slash = zero_bytes(w ^ ('/' * ONES));
		uint64_t at = starts | slash << 8; /* bytes that begin a name */
		bad |= (zero_bytes(w) & valid) | (w & HIGHS) |
		       (at & (slash | zero_bytes(w ^ ('.' * ONES))));
		slashes += ((slash >> 7) * ONES) >> 56; /* their count: the top byte of the sum */
		starts = slash >> 56;
	}
	if (bad)
		return false;
	out->len = n;
	out->depth = (unsigned)slashes + 1;
	out->absolute = start;
	out->dir = dir;
	return true;
}

int ns_path_parse(const char *s, size_t len, struct ns_path *out)
{
	if (len > 0 && parse_words(s, len, out))
		return 0;
	return ns_path_parse_bytewise(s, len, out);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Length of the scheme at s (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), 0 if none. */
static size_t scheme_len(const char *s, size_t len)
{
	if (len == 0 || !is_alpha(s[0]))
		return 0;
	size_t i = 1;
	while (i < len &&
	       (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return i;
}

bool ns_is_uri(const char *s, size_t len)
{
	size_t n = scheme_len(s, len);
	return n > 0 && len - n >= 3 && s[n] == ':' && s[n + 1] == '/' && s[n + 2] == '/';
}

/* Parse the host [s, s+len) into u->host: DNS labels, lower-cased; "localhost" -> "". */
static int parse_host(const char *s, size_t len, struct ns_uri *u)
{
	if (len > NS_HOST_MAX)
		return ERR_OUT_OF_RANGE;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return ERR_INVALID_ARGS; /* empty label, or one ending in '-' */
			label = 0;
		} else if (is_alpha(c) || is_digit(c) || (c == '-' && label > 0)) {
			if (++label > NS_HOST_LABEL_MAX)
				return ERR_OUT_OF_RANGE;
		} else {
			return ERR_INVALID_ARGS; /* userinfo '@', port ':', '[', '%', ... */
		}
		u->host[i] = lower(c);
	}
	if (len > 0 && (label == 0 || s[len - 1] == '-'))
		return ERR_INVALID_ARGS;
	u->host[len] = '\0';
	if (bytes_eq(u->host, len, "localhost"))
		u->host[0] = '\0';
	return 0;
}

/* RFC 3986 pchar, less '%' (escapes are handled apart): unreserved, sub-delims, ':' and '@'. */
static bool is_pchar(char ch)
{
	unsigned char c = (unsigned char)ch;
	if (c >= 0x80)
		return true; /* raw UTF-8, as IRIs (RFC 3987); validated once decoded */
	if (is_alpha(ch) || is_digit(ch))
		return true;
	switch (ch) {
	case '-':
	case '.':
	case '_':
	case '~': /* unreserved */
	case '!':
	case '$':
	case '&':
	case '\'':
	case '(':
	case ')': /* sub-delims */
	case '*':
	case '+':
	case ',':
	case ';':
	case '=':
	case ':':
	case '@':
		return true;
	default:
		return false;
	}
}

/* Decode one path segment [s, s+len) into name; returns its decoded length or an error. */
static long decode_segment(const char *s, size_t len, char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (len - i < 3)
				return ERR_INVALID_ARGS;
			int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return ERR_INVALID_ARGS;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (!is_pchar(c)) {
			return ERR_INVALID_ARGS;
		}
		if (n == NS_NAME_MAX)
			return ERR_OUT_OF_RANGE;
		name[n++] = c; /* a decoded '/' or NUL: ns_path_push refuses the name */
	}
	return (long)n;
}

int ns_uri_parse(const char *s, size_t len, struct ns_uri *u)
{
	if (len > NS_URI_MAX)
		return ERR_OUT_OF_RANGE;
	if (!ns_is_uri(s, len))
		return ERR_INVALID_ARGS;
	size_t n = scheme_len(s, len);
	if (n > NS_SCHEME_MAX)
		return ERR_OUT_OF_RANGE;
	for (size_t i = 0; i < n; i++)
		u->scheme[i] = lower(s[i]);
	u->scheme[n] = '\0';
	size_t i = n + 3, host = i;
	while (i < len && s[i] != '/')
		i++;
	int err = parse_host(s + host, i - host, u);
	if (err)
		return err;
	ns_path_init(&u->path);
	u->path.absolute = true;
	u->path.dir = true; /* "fs://host" and "fs://host/" name the root, a directory */
	while (i < len) { /* at a '/' */
		size_t start = ++i;
		while (i < len && s[i] != '/')
			i++;
		if (i == start) {
			if (i == len)
				break; /* one trailing '/' */
			return ERR_INVALID_ARGS; /* an empty segment: "a//b" */
		}
		char name[NS_NAME_MAX];
		long nlen = decode_segment(s + start, i - start, name);
		if (nlen < 0)
			return (int)nlen;
		if ((err = ns_path_push(&u->path, name, (size_t)nlen)))
			return err;
		u->path.dir = i < len || is_dot_name(name, (size_t)nlen);
	}
	return 0;
}

bool ns_uri_is_local(const struct ns_uri *u, const char *self)
{
	if (u->host[0] == '\0')
		return true;
	if (!self || !self[0])
		return false;
	size_t i = 0;
	for (; u->host[i] && self[i]; i++)
		if (u->host[i] != lower(self[i]))
			return false;
	return u->host[i] == lower(self[i]);
}
