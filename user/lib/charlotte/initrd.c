/*
 * initrd.c - ch_initrd_find(): the initrd archive mapped once, read with ustar_find().
 * See initrd.h.
 */
#include "initrd.h"

#include <abi/errors.h>

#include "start.h"
#include "syscall.h"
#include "ustar.h"

static const void *initrd_data;
static size_t initrd_len;

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
	if ((err = ustar_find(initrd_data, initrd_len, path, &e)))
		return err;
	if (e.type != USTAR_FILE)
		return ERR_BAD_STATE;
	*data = e.data;
	*len = (size_t)e.size;
	return 0;
}
