/*
 * initrd.c - ch_initrd_find(): the initrd archive mapped once, read with ustar_find().
 * See initrd.h.
 *
 * The archive is read-only and never changes, so the last few files found are
 * remembered by the exact path string asked for: a lookup walks every header before
 * the file and checksums each (about 4,700 instructions per header), which made
 * finding bin/bench a tenth of a spawn. Paths longer than the cache's slots are
 * simply looked up every time.
 */
#include "initrd.h"

#include <stdbool.h>
#include <string.h>

#include <abi/errors.h>
#include <shared/ustar.h>

#include "start.h"
#include "syscall.h"

static const void *initrd_data;
static size_t initrd_len;

#define CACHE_SLOTS 4
#define CACHE_PATH 48

static struct {
	char path[CACHE_PATH]; /* "" when unused */
	const void *data;
	size_t len;
} cache[CACHE_SLOTS];
static unsigned cache_next;

static bool cache_find(const char *path, const void **data, size_t *len)
{
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].path[0] && strcmp(cache[i].path, path) == 0) {
			*data = cache[i].data;
			*len = cache[i].len;
			return true;
		}
	return false;
}

static void cache_add(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path);
	if (n == 0 || n >= CACHE_PATH)
		return;
	unsigned i = cache_next++ % CACHE_SLOTS;
	memcpy(cache[i].path, path, n + 1);
	cache[i].data = data;
	cache[i].len = len;
}

/* Maps the "initrd" capability read-only at CH_INITRD_BASE, once. */
static int initrd_map(void)
{
	handle_t mem = ch_handle("initrd"), as = ch_handle("self.as");
	uint64_t size;

	if (initrd_data)
		return 0;
	if (mem == HANDLE_INVALID || as == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	long r = ch_mem_info(mem, &size);
	if (r < 0)
		return (int)r;
	if (size == 0 || size > UINT64_C(1) << 40)
		return ERR_MALFORMED;
	uint64_t span = (size + 4095) & ~UINT64_C(4095);
	r = ch_as_map(as, CH_INITRD_BASE, mem, 0, span, PROT_READ);
	if (r < 0)
		return (int)r;
	initrd_data = (const void *)(uintptr_t)CH_INITRD_BASE;
	initrd_len = (size_t)size;
	return 0;
}

int ch_initrd_find(const char *path, const void **data, size_t *len)
{
	struct ustar_entry e;
	int err;

	if (!path || !data || !len)
		return ERR_INVALID_ARGS;
	if ((err = initrd_map()))
		return err;
	if (cache_find(path, data, len))
		return 0;
	if ((err = ustar_find(initrd_data, initrd_len, path, &e)))
		return err;
	if (e.type != USTAR_FILE)
		return ERR_BAD_STATE;
	*data = e.data;
	*len = (size_t)e.size;
	cache_add(path, *data, *len);
	return 0;
}
