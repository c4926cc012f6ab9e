/*
 * test_kmap.c - host tests for user/console/kmap.c: every layout the initrd
 * carries (Debian's console-data keymaps, KMAP_TEST_DIR) parses, and a few keys
 * of German, French, UK, US and Dvorak mean what their keyboards print; the
 * single-keysym and modifier rules; and hostile files (unknown keysyms, a
 * keycode out of range, an include loop, a huge file or line, a NUL byte, bad
 * names and ranges) fail with a clear message and line, never reaching outside
 * the table (ASan/UBSan), also for 3,000 corrupted copies of a real keymap.
 * And keymap.c with a layout: the bytes a key event gives (AltGr, Caps Lock,
 * Ctrl, Alt, dead keys composing or not, special keys after a dead key).
 */
#include "kmap.h"
#include "keymap.h"

#include <abi/dev/input.h>

#include <abi/errors.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* ---- files: from KMAP_TEST_DIR, or from a table in memory ---- */

#define MAX_OPEN 32
static char *opened[MAX_OPEN];
static size_t nopened;

static void free_opened(void)
{
	for (size_t i = 0; i < nopened; i++)
		free(opened[i]);
	nopened = 0;
}

static int open_dir(void *ctx, const char *path, const char **data, size_t *len)
{
	(void)ctx;
	char full[512];
	snprintf(full, sizeof(full), "%s/%s", KMAP_TEST_DIR, path);
	FILE *f = fopen(full, "rb");
	if (!f)
		return ERR_NOT_FOUND;
	assert_true(nopened < MAX_OPEN);
	char *buf = malloc(1 << 20);
	size_t n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	opened[nopened++] = buf;
	*data = buf;
	*len = n;
	return 0;
}

struct memfile {
	const char *path;
	const char *text;
	size_t len; /* 0: strlen(text) */
};

static int open_mem(void *ctx, const char *path, const char **data, size_t *len)
{
	for (const struct memfile *m = ctx; m->path; m++)
		if (strcmp(m->path, path) == 0) {
			*data = m->text;
			*len = m->len ? m->len : strlen(m->text);
			return 0;
		}
	return ERR_NOT_FOUND;
}

static struct kmap map;
static struct kmap_error err;

static void load(const char *name)
{
	int r = kmap_parse(&map, name, open_dir, NULL, &err);
	if (r != 0)
		fail_msg("%s: %s:%u: %s (%d)", name, err.file, err.line, err.msg, r);
	free_opened();
}

#define CH(cp) (KMAP_CHAR | (uint32_t)(cp))
#define LETTER(cp) (KMAP_CHAR | KMAP_LETTER | (uint32_t)(cp))

/* ---- the real layouts ---- */

static void test_every_layout_parses(void **state)
{
	(void)state;
	DIR *d = opendir(KMAP_TEST_DIR);
	if (!d)
		fail_msg("%s: missing (mk/keymaps.mk downloads console-data)", KMAP_TEST_DIR);
	static char names[256][64];
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l >= 6 && l < 64 && strcmp(e->d_name + l - 5, ".kmap") == 0)
			snprintf(names[n++], sizeof(names[0]), "%.*s", (int)(l - 5), e->d_name);
	}
	closedir(d);
	for (unsigned i = 0; i < n; i++) {
		load(names[i]);
		/* every layout types the digits (or dead keys) and a space on their usual keys */
		for (unsigned k = 2; k <= 11; k++)
			assert_true(map.key[0][k] & (KMAP_CHAR | KMAP_DEAD) ||
			            map.key[KMAP_SHIFT][k] & KMAP_CHAR);
		assert_int_equal(map.key[0][57], CH(' '));
	}
	assert_true(n >= 30);
}

static void test_german(void **state)
{
	(void)state;
	load("de");
	assert_true(map.altgr);
	assert_int_equal(map.key[0][21], LETTER('z')); /* the key US calls y */
	assert_int_equal(map.key[0][44], LETTER('y')); /* and the one it calls z */
	assert_int_equal(map.key[KMAP_SHIFT][21], LETTER('Z'));
	assert_int_equal(map.key[KMAP_ALTGR][16], CH('@')); /* AltGr-q */
	assert_int_equal(map.key[KMAP_SHIFT][3], CH('"'));
	assert_int_equal(map.key[KMAP_ALTGR][8], CH('{'));
	assert_int_equal(map.key[0][86], CH('<')); /* the ISO key */
	load("de-latin1");
	assert_int_equal(map.key[0][39], LETTER(0xf6)); /* +odiaeresis */
	assert_int_equal(map.key[KMAP_SHIFT][39], LETTER(0xd6));
	assert_int_equal(map.key[0][12], CH(0xdf)); /* ssharp */
	assert_int_equal(map.key[0][13], KMAP_DEAD | '\''); /* dead_acute */
	assert_int_equal(map.key[KMAP_SHIFT][13], KMAP_DEAD | '`');
	assert_int_equal(map.key[KMAP_ALTGR][18],
	                 CH(0xa4)); /* euro.inc's currency, as loadkeys -u */
	assert_int_equal(map.key[KMAP_ALTGR][50], CH(0xb5)); /* mu */
	assert_int_equal(map.key[0][59], KMAP_ACTION); /* F1 */
	load("de-latin1-nodeadkeys");
	assert_int_equal(map.key[0][13], CH('\''));
}

static void test_french(void **state)
{
	(void)state;
	load("fr");
	assert_int_equal(map.key[0][16], LETTER('a')); /* AZERTY: a where US has q */
	assert_int_equal(map.key[0][30], LETTER('q'));
	assert_int_equal(map.key[0][17], LETTER('z'));
	assert_int_equal(map.key[0][39], LETTER('m'));
	assert_int_equal(map.key[0][2], CH('&'));
	assert_int_equal(map.key[KMAP_SHIFT][2], CH('1'));
	assert_int_equal(map.key[0][26], CH('^'));
	load("fr-latin1");
	assert_int_equal(map.key[0][26], KMAP_DEAD | '^');
	assert_int_equal(map.key[KMAP_SHIFT][26], KMAP_DEAD | '"');
	load("fr-latin9");
	assert_int_equal(map.key[0][3], LETTER(0xe9)); /* +eacute */
}

static void test_others(void **state)
{
	(void)state;
	load("us");
	assert_int_equal(map.key[0][16], LETTER('q'));
	assert_int_equal(map.key[KMAP_SHIFT][16], LETTER('Q'));
	assert_int_equal(map.key[KMAP_SHIFT][3], CH('@'));
	load("uk");
	assert_int_equal(map.key[KMAP_SHIFT][3], CH('"'));
	assert_int_equal(map.key[KMAP_SHIFT][4], CH(0xa3)); /* sterling */
	load("dvorak");
	assert_int_equal(map.key[0][16], CH('\''));
	assert_int_equal(map.key[0][19], LETTER('p'));
	assert_int_equal(map.key[0][30], LETTER('a'));
	load("es");
	assert_int_equal(map.key[0][39], LETTER(0xf1)); /* +ntilde */
	load("se-latin1");
	assert_int_equal(map.key[0][26], LETTER(0xe5)); /* aring */

	/* loadkeys' rules, found by comparing every layout with `loadkeys -u -m` (Debian's
	 * kbd 2.5.1), which agrees on every character, dead key and hole of the plain,
	 * Shift, AltGr and Shift-AltGr keymaps but one (is-latin1's AltGr-e "euro",
	 * which loadkeys makes the Latin-9 byte 0xa4: here U+20AC): */
	load("no-latin1"); /* a one-keysym line's key takes its plain entry at the end */
	assert_int_equal(map.key[KMAP_SHIFT][111], CH(0x7f)); /* "plain keycode 111 = Delete" */
	load("de-latin1-nodeadkeys"); /* the included file's "keymaps" line is its own */
	assert_int_equal(map.key[KMAP_ALTGR][41], KMAP_ACTION); /* de-latin1's Meta_asciicircum */
	load("it2"); /* with a "keymaps" line, columns past the line's end are holes */
	assert_int_equal(map.key[KMAP_ALTGR][18], 0); /* euro's currency, undone */
	load("fr-latin9"); /* a constant key fills every keymap some line used */
	assert_int_equal(map.key[KMAP_SHIFT | KMAP_ALTGR][71], CH('7'));
}

/* ---- the rules, on small files ---- */

static int parse_mem(const struct memfile *files, const char *name)
{
	return kmap_parse(&map, name, open_mem, (void *)files, &err);
}

static void test_rules(void **state)
{
	(void)state;
	const struct memfile f[] = {
	    {"t.kmap",
	     "keymaps 0-3,4 , 8-15\n"
	     "keycode 30 = a\n"
	     "keycode 2 = one exclam U+00b9 # a comment\n"
	     "keycode 57 = space\n"
	     "altgr keycode 30 = +U+00E6\n"
	     "shift altgr keycode 30 = 0x00c6\n"
	     "keycode 100 = AltGr\n"
	     "string F1 = \"\\033[[A\"\n"
	     "compose '`' 'a' to '\xe0'\n"
	     "strings as usual\n"
	     "include \"inc\"\n",
	     0},
	    {"include/inc.inc",
	     "plain keycode 3 = Control_a ! the other comment\n"
	     "keycode 4 = VoidSymbol\n",
	     0},
	    {NULL, NULL, 0},
	};
	assert_int_equal(parse_mem(f, "t"), 0);
	assert_int_equal(map.key[0][30], LETTER('a'));
	assert_int_equal(map.key[KMAP_SHIFT][30], LETTER('A'));
	assert_int_equal(map.key[KMAP_CTRL][30], CH(1));
	assert_int_equal(map.key[KMAP_ALT | KMAP_SHIFT][30], LETTER('A'));
	assert_int_equal(map.key[KMAP_ALTGR][30], LETTER(0xe6));
	assert_int_equal(map.key[KMAP_ALTGR | KMAP_SHIFT][30], CH(0xc6));
	assert_int_equal(map.key[0][2], CH('1'));
	assert_int_equal(map.key[KMAP_SHIFT][2], CH('!'));
	assert_int_equal(map.key[KMAP_ALTGR][2], CH(0xb9));
	assert_int_equal(map.key[KMAP_CTRL][2], 0); /* columns past the line's end are holes */
	assert_int_equal(map.key[KMAP_CTRL | KMAP_ALT][57], CH(' '));
	assert_int_equal(map.key[0][3], CH(1));
	assert_int_equal(map.key[0][4], 0);
	assert_true(map.altgr);
	const struct memfile empty[] = {
	    {"e.kmap", "keymaps 0-1\nkeycode 30 = a\nkeycode 30 =\n", 0}, {NULL, NULL, 0}};
	assert_int_equal(parse_mem(empty, "e"), 0);
	assert_int_equal(map.key[0][30], 0);
}

/* One hostile file: the error code, the line it names and a word of its message. */
static void expect_error(const char *text, size_t len, int code, unsigned line, const char *word)
{
	const struct memfile f[] = {
	    {"bad.kmap", text, len},
	    {"include/loop.inc", "include \"loop\"\n", 0},
	    {NULL, NULL, 0},
	};
	assert_int_equal(parse_mem(f, "bad"), code);
	if (line)
		assert_int_equal(err.line, line);
	if (!strstr(err.msg, word))
		fail_msg("'%s' lacks '%s'", err.msg, word);
}

static void test_hostile(void **state)
{
	(void)state;
	expect_error("keycode 30 = a\nkeycode 31 = frobnicate\n", 0, ERR_MALFORMED, 2,
	             "frobnicate");
	expect_error("keycode 300 = a\n", 0, ERR_OUT_OF_RANGE, 1, "300");
	expect_error("include \"loop\"\n", 0, ERR_OUT_OF_RANGE, 1, "deep");
	expect_error("include \"../../etc/passwd\"\n", 0, ERR_MALFORMED, 1, "name");
	expect_error("include \"nothere\"\n", 0, ERR_NOT_FOUND, 1, "nothere");
	expect_error("include nothere\n", 0, ERR_MALFORMED, 1, "quoted");
	expect_error("keymaps 0-2\nkeycode 30 = a b c d\n", 0, ERR_MALFORMED, 2, "more keysyms");
	expect_error("keymaps 2-1\n", 0, ERR_MALFORMED, 1, "range");
	expect_error("keymaps 0-256\n", 0, ERR_MALFORMED, 1, "range");
	expect_error("keymaps\n", 0, ERR_MALFORMED, 1, "ranges");
	expect_error("charset \"koi8-r\"\n", 0, ERR_MALFORMED, 1, "koi8-r");
	expect_error("string F1 = \"open\n", 0, ERR_MALFORMED, 1, "quote");
	expect_error("keycode = a\n", 0, ERR_MALFORMED, 1, "expected");
	expect_error("shift keycode 30 = a b\n", 0, ERR_MALFORMED, 1, "one keysym");
	expect_error("hyper keycode 30 = a\n", 0, ERR_MALFORMED, 1, "hyper");
	expect_error("keycode 30 = U+d800\n", 0, ERR_MALFORMED, 1, "U+d800");
	expect_error("keycode 30 = U+110000\n", 0, ERR_MALFORMED, 1, "U+110000");
	expect_error("keycode 30 = a\nkeycode 31 = b\0c\n", 30, ERR_MALFORMED, 2, "NUL");

	static char big[KMAP_FILE_MAX + 2];
	memset(big, '\n', sizeof(big));
	expect_error(big, sizeof(big), ERR_OUT_OF_RANGE, 0, "64 KiB");
	static char longline[KMAP_LINE_MAX + 20];
	memset(longline, ' ', sizeof(longline));
	memcpy(longline, "keycode 30 = a", 14);
	expect_error(longline, sizeof(longline), ERR_OUT_OF_RANGE, 1, "longer");

	assert_int_equal(kmap_parse(&map, "../x", open_mem, (void *)"", &err), ERR_INVALID_ARGS);
	assert_int_equal(kmap_parse(&map, "", open_mem, (void *)"", &err), ERR_INVALID_ARGS);
	const struct memfile none[] = {{NULL, NULL, 0}};
	assert_int_equal(parse_mem(none, "de"), ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "de"));

	/* many includes: bounded by KMAP_FILES_MAX */
	const struct memfile many[] = {
	    {"m.kmap",
	     "include \"x\"\ninclude \"x\"\ninclude \"x\"\ninclude \"x\"\n"
	     "include \"x\"\ninclude \"x\"\ninclude \"x\"\ninclude \"x\"\n"
	     "include \"x\"\ninclude \"x\"\ninclude \"x\"\ninclude \"x\"\n"
	     "include \"x\"\ninclude \"x\"\ninclude \"x\"\ninclude \"x\"\n",
	     0},
	    {"include/x.inc", "keycode 30 = a\n", 0},
	    {NULL, NULL, 0},
	};
	assert_int_equal(parse_mem(many, "m"), ERR_OUT_OF_RANGE);
	assert_non_null(strstr(err.msg, "too many"));

	/* the longest line that is allowed, all tokens */
	static char tokens[KMAP_LINE_MAX + 1];
	memset(tokens, '=', KMAP_LINE_MAX);
	assert_int_equal(
	    kmap_parse(&map, "t", open_mem,
	               (void *)(const struct memfile[]){{"t.kmap", tokens, 0}, {NULL, NULL, 0}},
	               &err),
	    ERR_MALFORMED);
}

static void test_corrupted(void **state)
{
	(void)state;
	const char *d;
	size_t len;
	assert_int_equal(open_dir(NULL, "de-latin1.kmap", &d, &len), 0);
	char *copy = malloc(len);
	srand(18);
	unsigned ok = 0;
	for (int round = 0; round < 3000; round++) {
		memcpy(copy, d, len);
		int flips = 1 + rand() % 8;
		for (int i = 0; i < flips; i++)
			copy[rand() % len] = (char)(rand() % 256);
		size_t l = (size_t)rand() % (len + 1);
		const struct memfile f[] = {{"x.kmap", copy, l ? l : 1}, {NULL, NULL, 0}};
		int r = kmap_parse(&map, "x", open_mem, (void *)f, &err);
		assert_true(r == 0 || r == ERR_MALFORMED || r == ERR_NOT_FOUND ||
		            r == ERR_OUT_OF_RANGE);
		assert_true(r == 0 || err.msg[0]);
		ok += r == 0;
	}
	free(copy);
	free_opened();
	assert_true(ok > 0); /* some corruptions land in comments or keysyms that stay valid */
}

/* ---- keymap.c with a layout ---- */

static struct keymap_state kst;

/* The bytes of a press of usage with mods (pressing and releasing Right Alt around it if ralt). */
static const char *press(const struct kmap *m, uint16_t usage, uint16_t mods, bool ralt)
{
	static char out[KEYMAP_MAX_BYTES + 1];
	char scratch[KEYMAP_MAX_BYTES];
	size_t len, l2;
	if (ralt) {
		keymap_key(m, &kst, 0xe6, INPUT_MOD_ALT, true, scratch, &l2);
		mods |= INPUT_MOD_ALT;
	}
	enum keymap_action a = keymap_key(m, &kst, usage, mods, true, out, &len);
	assert_true(len <= KEYMAP_MAX_BYTES);
	out[a == KEYMAP_BYTES ? len : 0] = '\0';
	assert_int_equal(keymap_key(m, &kst, usage, mods, false, scratch, &l2), KEYMAP_NONE);
	if (ralt)
		keymap_key(m, &kst, 0xe6, 0, false, scratch, &l2);
	return out;
}

static void test_keys_with_layout(void **state)
{
	(void)state;
	static struct kmap de;
	load("de-latin1");
	de = map;
	memset(&kst, 0, sizeof(kst));
	assert_string_equal(press(&de, 0x1c, 0, false), "z"); /* the key US calls y */
	assert_string_equal(press(&de, 0x1d, 0, false), "y");
	assert_string_equal(press(&de, 0x1c, INPUT_MOD_SHIFT, false), "Z");
	assert_string_equal(press(&de, 0x1c, INPUT_MOD_CAPS, false), "Z");
	assert_string_equal(press(&de, 0x14, 0, true), "@"); /* AltGr-q */
	assert_string_equal(press(&de, 0x24, 0, true), "{"); /* AltGr-7 */
	assert_string_equal(press(&de, 0x33, 0, false), "\xc3\xb6"); /* o umlaut */
	assert_string_equal(press(&de, 0x33, INPUT_MOD_CAPS, false), "\xc3\x96");
	assert_string_equal(press(&de, 0x1c, INPUT_MOD_CTRL, false), "\x1a"); /* Ctrl-Z */
	assert_string_equal(press(&de, 0x1c, INPUT_MOD_ALT, false), "\x1bz"); /* Left Alt: ESC */
	assert_string_equal(press(&de, 0x64, 0, false), "<"); /* the ISO key */
	assert_string_equal(press(&de, 0x28, 0, false), "\r"); /* Enter stays */
	/* dead keys: acute (the key right of ss), then e, space, x, itself, F1 */
	assert_string_equal(press(&de, 0x2e, 0, false), "");
	assert_string_equal(press(&de, 0x08, 0, false), "\xc3\xa9");
	press(&de, 0x2e, 0, false);
	assert_string_equal(press(&de, 0x2c, 0, false), "'");
	press(&de, 0x2e, 0, false);
	assert_string_equal(press(&de, 0x1b, 0, false), "'x");
	press(&de, 0x2e, 0, false);
	assert_string_equal(press(&de, 0x2e, 0, false), "'");
	press(&de, 0x2e, INPUT_MOD_SHIFT, false); /* grave */
	assert_string_equal(press(&de, 0x3a, 0, false), "`\x1bOP");
	press(&de, 0x35, 0, false); /* circumflex, then Shift-a */
	assert_string_equal(press(&de, 0x04, INPUT_MOD_SHIFT, false), "\xc3\x82");
	assert_string_equal(press(&de, 0x3b, INPUT_MOD_ALT, false), ""); /* Alt-F2 still switches */

	load("fr");
	assert_string_equal(press(&map, 0x14, 0, false), "a"); /* AZERTY */
	assert_string_equal(press(&map, 0x04, 0, false), "q");
	assert_string_equal(press(&map, 0x1e, 0, false), "&");
	assert_string_equal(press(NULL, 0x1c, 0, false), "y"); /* no layout: US */
	assert_string_equal(press(NULL, 0x14, 0, true), "\x1bq"); /* US: Right Alt is Alt */

	assert_int_equal(keymap_compose('"', 'y'), 0xff);
	assert_int_equal(keymap_compose(0x2c7, 's'), 0x161);
	assert_int_equal(keymap_compose('~', 'x'), 0);
	/* every usage and modifier with every dead key pending stays in its buffer */
	for (unsigned u = 0; u < 0x100; u++)
		for (uint16_t mods = 0; mods < 0x40; mods++) {
			char out[KEYMAP_MAX_BYTES];
			size_t len;
			kst.dead = 0x2c7;
			kst.ralt = mods & 1;
			keymap_key(&de, &kst, (uint16_t)u, mods, true, out, &len);
			assert_true(len <= KEYMAP_MAX_BYTES);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_layout_parses),
	    cmocka_unit_test(test_german),
	    cmocka_unit_test(test_french),
	    cmocka_unit_test(test_others),
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_corrupted),
	    cmocka_unit_test(test_keys_with_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
