/*
 * fuzz_ustar.c - libFuzzer target for the initrd's ustar reader (shared/ustar.c).
 *
 * The input is the archive. Every entry ustar_next() returns must keep
 * ustar.h's promises: a NUL-terminated, normalized path (no leading "./" or
 * "/", no trailing "/"), a NUL-terminated link name, data inside the archive
 * (its bytes are all read, so ASan sees any that are not), an offset that
 * moves forward by whole blocks (or to the end of an unpadded last member); the end and every error leave the offset
 * where it was, and the end stays the end. ustar_find() of an entry's path
 * finds the first entry of that path, spelled "./path" or "/path" too.
 */
#include "fuzz.h"

#include <shared/ustar.h>
#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

#define FIND_MAX 4

static unsigned sum_bytes(const void *p, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s += ((const unsigned char *)p)[i];
	return s;
}

static void check_entry(const uint8_t *data, size_t size, const struct ustar_entry *e)
{
	FUZZ_CHECK(e->name == e->path);
	size_t n = strnlen(e->path, sizeof(e->path));
	FUZZ_CHECK(n < sizeof(e->path));
	FUZZ_CHECK(strncmp(e->path, "./", 2) != 0 && e->path[0] != '/');
	FUZZ_CHECK(n == 0 || e->path[n - 1] != '/');
	FUZZ_CHECK(strnlen(e->linkname, sizeof(e->linkname)) < sizeof(e->linkname));
	FUZZ_CHECK(e->type != '\0');
	const uint8_t *d = e->data;
	FUZZ_CHECK(d >= data && d <= data + size && e->size <= (size_t)(data + size - d));
	(void)sum_bytes(d, e->size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ustar_entry e, found;
	static char paths[FIND_MAX][USTAR_PATH_MAX + 3];
	static const void *first[FIND_MAX];
	unsigned npaths = 0;
	size_t off = 0;
	int r;
	for (unsigned round = 0;; round++) {
		FUZZ_CHECK(round <= size / USTAR_BLOCK + 1);
		size_t before = off;
		r = ustar_next(data, size, &off, &e);
		if (r != 0) {
			FUZZ_CHECK(off == before);
			break;
		}
		FUZZ_CHECK(off > before &&
		           (off % USTAR_BLOCK == 0 || off == size)); /* unpadded end */
		check_entry(data, size, &e);
		bool seen = false;
		for (unsigned i = 0; i < npaths; i++)
			seen |= strcmp(paths[i], e.path) == 0;
		if (!seen && npaths < FIND_MAX && e.path[0]) {
			strcpy(paths[npaths], e.path);
			first[npaths++] = e.data;
		}
	}
	if (r == USTAR_END) {
		size_t again = off;
		FUZZ_CHECK(ustar_next(data, size, &again, &e) == USTAR_END && again == off);
	} else {
		FUZZ_CHECK(r == ERR_MALFORMED || r == ERR_TRUNCATED || r == ERR_INVALID_ARGS);
	}
	for (unsigned i = 0; i < npaths; i++) {
		static const char *const prefixes[] = {"", "./", "/"};
		for (unsigned k = 0; k < 3; k++) {
			char want[USTAR_PATH_MAX + 3];
			snprintf(want, sizeof(want), "%s%s", prefixes[k], paths[i]);
			FUZZ_CHECK(ustar_find(data, size, want, &found) == 0);
			FUZZ_CHECK(strcmp(found.path, paths[i]) == 0 && found.data == first[i]);
		}
	}
	return 0;
}
