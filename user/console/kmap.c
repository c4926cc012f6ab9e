/*
 * kmap.c - the loadkeys text format into a struct kmap (kmap.h).
 *
 * One pass over each file, line by line; an include is read where it stands.
 * The rules are loadkeys' (checked against `loadkeys -u -m` on every layout
 * the initrd carries, tests/host/test_kmap.c):
 *  - a keycode line gives its keysyms to the keymaps of its file's "keymaps"
 *    line in order, holes past the line's end; in a file without one (an
 *    include does not see its includer's, nor the includer the include's), to
 *    keymaps 0, 1, ... and those past the end keep what they had;
 *  - a line with one keysym clears the key and sets its first keymap; after
 *    the last line such a key's plain entry fills every keymap that exists
 *    where it has nothing, a letter as its upper case with Shift and its
 *    control byte with Control;
 *  - a line with modifiers ("altgr keycode 16 = at") sets one keymap.
 * Only keymaps below KMAP_MODS (no shiftl, shiftr, ctrll, ctrlr, capsshift)
 * and keycodes below KMAP_KEYCODES are kept; others are read, checked and
 * dropped. Keysym names are Unicode's characters whatever the charset line
 * says (loadkeys makes "euro" the Latin-9 byte 0xa4 in a Latin-9 file: here
 * it is U+20AC; "currency" is U+00A4 as with loadkeys).
 */
#include "kmap.h"

#include <stdio.h>
#include <string.h>

#include <abi/errors.h>

#include "keysym.h"

struct parser {
	struct kmap *map;
	kmap_open_fn open;
	void *ctx;
	struct kmap_error *err;
	unsigned files; /* read so far */
	/* this file's "keymaps" line (an include starts without one, and ends with its own) */
	bool keymaps_seen;
	uint16_t cols[256]; /* the keymap each column of a keycode line sets */
	unsigned ncols;
	uint32_t exists; /* keymaps (bit m: keymap m < KMAP_MODS) named or set anywhere */
	bool constant[KMAP_KEYCODES]; /* a line gave it one keysym: filled in at the end */
	/* the line being read: its tokens (an include reads its file after its own line is done) */
#define MAX_TOKENS KMAP_LINE_MAX
	char *tok[MAX_TOKENS];
	char buf[2 * KMAP_LINE_MAX + 2];
};

/* ---- lines ------------------------------------------------------------------ */

/* Sets the error's message: fmt with arg (cut to 31 bytes: it may be hostile). */
static int fail(struct parser *p, int code, const char *fmt, const char *arg)
{
	char a[32];
	snprintf(a, sizeof(a), "%.31s", arg);
	snprintf(p->err->msg, sizeof(p->err->msg), fmt, a);
	return code;
}

static bool ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Splits line into p->tok, copied to p->buf: words, "=" and quoted strings (kept
 * with their quotes); a '#' or '!' outside quotes starts a comment. Returns the
 * count, or -1 for an unclosed quote. Each token takes at least one byte of the
 * line, so MAX_TOKENS and the buffer's twice the line's size are enough.
 */
static int tokenize(struct parser *p, const char *s)
{
	int n = 0;
	char *o = p->buf;
	for (;;) {
		while (blank(*s))
			s++;
		if (!*s || *s == '#' || *s == '!')
			return n;
		p->tok[n++] = o;
		if (*s == '"' || *s == '\'') {
			char q = *s;
			*o++ = *s++;
			while (*s && *s != q) {
				if (*s == '\\' && s[1])
					*o++ = *s++;
				*o++ = *s++;
			}
			if (!*s)
				return -1;
			*o++ = *s++;
		} else if (*s == '=') {
			*o++ = *s++;
		} else {
			while (*s && !blank(*s) && *s != '=' && *s != '"' && *s != '#' && *s != '!')
				*o++ = *s++;
		}
		*o++ = '\0';
	}
}

static void set(struct parser *p, unsigned km, unsigned kc, uint32_t v)
{
	if (km < KMAP_MODS && kc < KMAP_KEYCODES) {
		p->map->key[km][kc] = v;
		if (v)
			p->exists |= 1u << km;
	}
}

/* What a letter's single keysym means in keymap km (keymaps(5): one keysym, all keymaps). */
static uint32_t letter_in(uint32_t v, unsigned km)
{
	uint32_t cp = v & KMAP_CP_MASK;
	if (km & KMAP_SHIFT)
		cp = kmap_upper(cp);
	if (km & KMAP_CTRL)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z' ? KMAP_CHAR | (cp & 0x1f) : 0;
	return KMAP_CHAR | KMAP_LETTER | cp;
}

static int keymaps_line(struct parser *p, char **tok, int n)
{
	bool on[256] = {false};
	char spec[KMAP_LINE_MAX];
	size_t len = 0;
	spec[0] = '\0';
	for (int i = 1; i < n; i++) { /* "0-2, 4" may be split by blanks */
		size_t l = strlen(tok[i]);
		memcpy(spec + len, tok[i], l + 1);
		len += l;
	}
	if (!len)
		return fail(p, ERR_MALFORMED, "keymaps: no ranges%s", "");
	for (char *s = spec; *s;) {
		char *end = s;
		while (*end && *end != ',')
			end++;
		char c = *end;
		*end = '\0';
		char *dash = strchr(s, '-');
		uint32_t a, b;
		if (dash)
			*dash = '\0';
		if (!kmap_parse_uint(s, 10, &a) ||
		    (dash ? !kmap_parse_uint(dash + 1, 10, &b) : (b = a, false)) || a > b ||
		    b > 255)
			return fail(p, ERR_MALFORMED, "keymaps: bad range '%s'", s);
		for (uint32_t k = a; k <= b; k++)
			on[k] = true;
		s = c ? end + 1 : end;
	}
	p->ncols = 0;
	for (unsigned k = 0; k < 256; k++)
		if (on[k]) {
			p->cols[p->ncols++] = (uint16_t)k;
			if (k < KMAP_MODS)
				p->exists |= 1u << k;
		}
	p->keymaps_seen = true;
	return 0;
}

static int keycode_line(struct parser *p, char **tok, int n)
{
	static const char *const mod_names[] = {"shift",  "altgr", "control", "alt",      "shiftl",
	                                        "shiftr", "ctrll", "ctrlr",   "capsshift"};
	unsigned mods = 0;
	bool modded = false;
	int i = 0;
	for (; i < n && strcmp(tok[i], "keycode") != 0; i++) {
		modded = true;
		if (strcmp(tok[i], "plain") == 0)
			continue;
		unsigned m = 0;
		while (m < 9 && strcmp(tok[i], mod_names[m]) != 0)
			m++;
		if (m == 9)
			return fail(p, ERR_MALFORMED, "unknown modifier '%s'", tok[i]);
		mods |= 1u << m;
	}
	uint32_t kc;
	if (i + 3 > n || !kmap_parse_num(tok[i + 1], &kc) || strcmp(tok[i + 2], "=") != 0)
		return fail(p, ERR_MALFORMED, "expected 'keycode <number> = <keysym> ...'%s", "");
	if (kc > 255)
		return fail(p, ERR_OUT_OF_RANGE, "keycode %s beyond 255", tok[i + 1]);
	char **syms = tok + i + 3;
	int nsyms = n - i - 3;
	if (modded && nsyms != 1)
		return fail(p, ERR_MALFORMED, "keycode %s: one keysym after modifiers", tok[i + 1]);
	if (!modded && p->keymaps_seen && (unsigned)nsyms > p->ncols)
		return fail(p, ERR_MALFORMED, "keycode %s: more keysyms than keymaps", tok[i + 1]);
	uint32_t v[MAX_TOKENS];
	v[0] = 0; /* for the compiler: modded lines have one keysym */
	for (int j = 0; j < nsyms; j++) {
		const char *s = syms[j];
		bool plus = s[0] == '+' && s[1];
		if (!kmap_keysym(s + plus, &v[j]))
			return fail(p, ERR_MALFORMED, "unknown keysym '%s'", s);
		if (plus && (v[j] & KMAP_CHAR))
			v[j] |= KMAP_LETTER;
	}
	if (kc == 100 && !mods) /* Right Alt: Alt or AltGr */
		p->map->altgr = nsyms && strcmp(syms[0], "AltGr") == 0;
	if (modded) {
		set(p, mods, kc, v[0]);
	} else if (nsyms == 1) { /* the key is its first keymap's; the rest come at the end */
		for (unsigned m = 0; m < KMAP_MODS; m++)
			set(p, m, kc, 0);
		set(p, p->keymaps_seen ? p->cols[0] : 0, kc, v[0]);
		if (kc < KMAP_KEYCODES)
			p->constant[kc] = true;
	} else if (p->keymaps_seen) { /* the file's keymaps in order, holes past the line's end */
		for (unsigned c = 0; c < p->ncols; c++)
			set(p, p->cols[c], kc, (int)c < nsyms ? v[c] : 0);
	} else { /* keymaps 0, 1, ...; those past the line's end keep what they had */
		for (int c = 0; c < nsyms; c++)
			set(p, (unsigned)c, kc, v[c]);
	}
	return 0;
}

/*
 * After the last line, as loadkeys does: a key that a line gave one keysym gets
 * its plain entry in every keymap that exists (a "keymaps" line named it or a
 * line set something in it) where it has nothing (a letter's upper case with
 * Shift, its control byte with Control).
 */
static void fill_constants(struct parser *p)
{
	for (unsigned kc = 0; kc < KMAP_KEYCODES; kc++) {
		uint32_t v = p->map->key[0][kc];
		if (!p->constant[kc])
			continue;
		for (unsigned m = 1; m < KMAP_MODS; m++)
			if ((p->exists & (1u << m)) && !p->map->key[m][kc])
				p->map->key[m][kc] = v & KMAP_LETTER ? letter_in(v, m) : v;
	}
}

static int parse_file(struct parser *p, const char *path, unsigned depth);

/* "name" (quoted) into out; false if it is not a valid name. */
static bool quoted_name(const char *tok, char *out)
{
	size_t l = strlen(tok);
	if (l < 3 || tok[0] != '"' || tok[l - 1] != '"' || l - 2 >= KMAP_NAME_MAX)
		return false;
	memcpy(out, tok + 1, l - 2);
	out[l - 2] = '\0';
	return true;
}

static int include_line(struct parser *p, char **tok, int n, unsigned depth)
{
	char name[KMAP_NAME_MAX], path[KMAP_NAME_MAX + 16];
	if (n != 2 || !quoted_name(tok[1], name) || !kmap_name_ok(name))
		return fail(p, ERR_MALFORMED, "include: expected a quoted name%s", "");
	if (depth + 1 >= KMAP_DEPTH_MAX)
		return fail(p, ERR_OUT_OF_RANGE, "include \"%s\": nested too deep", name);
	static const char *const forms[] = {"include/%s.inc", "include/%s", "%s.kmap", "%s"};
	for (unsigned f = 0; f < 4; f++) {
		const char *d;
		size_t l;
		snprintf(path, sizeof(path), forms[f], name);
		if (p->open(p->ctx, path, &d, &l) == 0) {
			/* the included file starts without a keymaps line; ours comes back after */
			bool seen = p->keymaps_seen;
			unsigned ncols = p->ncols;
			uint16_t cols[256];
			memcpy(cols, p->cols, sizeof(cols));
			p->keymaps_seen = false;
			int r = parse_file(p, path, depth + 1);
			p->keymaps_seen = seen;
			p->ncols = ncols;
			memcpy(p->cols, cols, sizeof(cols));
			return r;
		}
	}
	return fail(p, ERR_NOT_FOUND, "include \"%s\": no such file", name);
}

static int charset_line(struct parser *p, char **tok, int n)
{
	char name[KMAP_NAME_MAX];
	if (n != 2 || !quoted_name(tok[1], name))
		return fail(p, ERR_MALFORMED, "charset: expected a quoted name%s", "");
	if (ieq(name, "iso-8859-1") || ieq(name, "iso-8859-15") || ieq(name, "unicode"))
		return 0;
	return fail(p, ERR_MALFORMED, "charset \"%s\" not supported (Latin-1, Latin-9, Unicode)",
	            name);
}

static int parse_line(struct parser *p, const char *line, unsigned depth)
{
	char **tok = p->tok;
	int n = tokenize(p, line);
	if (n < 0)
		return fail(p, ERR_MALFORMED, "unclosed quote%s", "");
	if (n == 0)
		return 0;
	if (strcmp(tok[0], "keymaps") == 0)
		return keymaps_line(p, tok, n);
	if (strcmp(tok[0], "include") == 0)
		return include_line(p, tok, n, depth);
	if (strcmp(tok[0], "charset") == 0)
		return charset_line(p, tok, n);
	if (strcmp(tok[0], "alt_is_meta") == 0 || strcmp(tok[0], "string") == 0 ||
	    strcmp(tok[0], "strings") == 0 || strcmp(tok[0], "compose") == 0)
		return 0; /* the console's own composition and function-key strings */
	return keycode_line(p, tok, n);
}

static int parse_file(struct parser *p, const char *path, unsigned depth)
{
	const char *data;
	size_t len;
	char line[KMAP_LINE_MAX + 1];
	int r = p->open(p->ctx, path, &data, &len);
	if (r < 0)
		return fail(p, ERR_NOT_FOUND, "%s: no such file", path);
	if (++p->files > KMAP_FILES_MAX)
		return fail(p, ERR_OUT_OF_RANGE, "%s: too many files included", path);
	if (len > KMAP_FILE_MAX)
		return fail(p, ERR_OUT_OF_RANGE, "%s: larger than 64 KiB", path);
	unsigned lineno = 0;
	for (size_t off = 0; off < len;) {
		size_t l = 0;
		lineno++;
		while (off + l < len && data[off + l] != '\n')
			l++;
		snprintf(p->err->file, sizeof(p->err->file), "%s", path);
		p->err->line = lineno;
		if (l > KMAP_LINE_MAX)
			return fail(p, ERR_OUT_OF_RANGE, "line longer than %s bytes", "512");
		if (memchr(data + off, '\0', l))
			return fail(p, ERR_MALFORMED, "a NUL byte%s", "");
		memcpy(line, data + off, l);
		line[l] = '\0';
		off += l + 1;
		r = parse_line(p, line, depth);
		if (r < 0)
			return r;
	}
	return 0;
}

bool kmap_name_ok(const char *name)
{
	size_t l = strlen(name);
	if (!l || l >= KMAP_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < l; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int kmap_parse(struct kmap *out, const char *name, kmap_open_fn open, void *ctx,
               struct kmap_error *err)
{
	static struct parser p; /* 6 KiB: not on a small stack; kmap_parse is not reentrant */
	p = (struct parser){.map = out, .open = open, .ctx = ctx, .err = err, .ncols = 256};
	char path[KMAP_NAME_MAX + 8];
	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < 256; k++)
		p.cols[k] = (uint16_t)k;
	if (!name || !kmap_name_ok(name)) {
		snprintf(err->msg, sizeof(err->msg), "a layout name is letters, digits, . _ -");
		return ERR_INVALID_ARGS;
	}
	snprintf(path, sizeof(path), "%s.kmap", name);
	const char *d;
	size_t l;
	if (open(ctx, path, &d, &l) < 0) {
		snprintf(err->msg, sizeof(err->msg), "no layout '%s'", name);
		return ERR_NOT_FOUND;
	}
	int r = parse_file(&p, path, 0);
	if (r == 0)
		fill_constants(&p);
	return r;
}

void kmap_error_text(const struct kmap_error *err, char *buf, size_t size)
{
	if (err->line)
		snprintf(buf, size, "%s:%u: %s", err->file, err->line, err->msg);
	else
		snprintf(buf, size, "%s", err->msg);
}
