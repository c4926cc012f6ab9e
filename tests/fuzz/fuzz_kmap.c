/*
 * fuzz_kmap.c - libFuzzer target for bin/console's keymap parser
 * (user/console/kmap.c) and the keys a parsed layout gives (keymap.c).
 *
 * The input up to its first 0xff byte is the layout "f.kmap"; the rest is
 * every include file there is (so an include may include itself: the depth and
 * file limits must stop it). Promises checked: a parse returns 0 or one of the
 * documented errors with a message; every entry of a parsed table is a hole or
 * exactly one kind with a valid code point; every key with every modifier gives
 * at most KEYMAP_MAX_BYTES bytes.
 */
#include "fuzz.h"

#include <string.h>

#include <abi/dev/input.h>
#include <abi/errors.h>

#include "../../user/console/keymap.h"
#include "../../user/console/kmap.h"

struct input {
	const char *top, *inc;
	size_t top_len, inc_len;
};

static int open_input(void *ctx, const char *path, const char **data, size_t *len)
{
	const struct input *in = ctx;
	if (strcmp(path, "f.kmap") == 0) {
		*data = in->top;
		*len = in->top_len;
		return 0;
	}
	if (strncmp(path, "include/", 8) == 0 && in->inc) {
		*data = in->inc;
		*len = in->inc_len;
		return 0;
	}
	return ERR_NOT_FOUND;
}

static void check_entry(uint32_t v)
{
	uint32_t kinds = v & (KMAP_CHAR | KMAP_DEAD | KMAP_ACTION);
	if (!v)
		return;
	FUZZ_CHECK(kinds == KMAP_CHAR || kinds == KMAP_DEAD || kinds == KMAP_ACTION);
	FUZZ_CHECK(!(v & KMAP_LETTER) || kinds == KMAP_CHAR);
	FUZZ_CHECK((v & KMAP_CP_MASK) <= 0x10ffff);
	FUZZ_CHECK(!(v & ~(KMAP_CP_MASK | KMAP_CHAR | KMAP_DEAD | KMAP_ACTION | KMAP_LETTER)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmap map;
	struct kmap_error err;
	const uint8_t *split = memchr(data, 0xff, size);
	struct input in = {(const char *)data, NULL, split ? (size_t)(split - data) : size, 0};
	if (split) {
		in.inc = (const char *)split + 1;
		in.inc_len = size - in.top_len - 1;
	}
	int r = kmap_parse(&map, "f", open_input, &in, &err);
	FUZZ_CHECK(r == 0 || r == ERR_MALFORMED || r == ERR_NOT_FOUND || r == ERR_OUT_OF_RANGE);
	FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) &&
	           memchr(err.file, '\0', sizeof(err.file)));
	if (r != 0) {
		FUZZ_CHECK(err.msg[0]);
		return 0;
	}
	for (unsigned m = 0; m < KMAP_MODS; m++)
		for (unsigned k = 0; k < KMAP_KEYCODES; k++)
			check_entry(map.key[m][k]);
	struct keymap_state st = {0};
	for (unsigned u = 0; u < 0x70; u++)
		for (uint16_t mods = 0; mods < 0x40; mods += 3) {
			char out[KEYMAP_MAX_BYTES];
			size_t len;
			keymap_key(&map, &st, 0xe6, mods, mods & 1, out, &len);
			keymap_key(&map, &st, (uint16_t)u, mods, true, out, &len);
			FUZZ_CHECK(len <= KEYMAP_MAX_BYTES);
		}
	return 0;
}
