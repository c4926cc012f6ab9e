/*
 * startup.c - start_info lookup and building, the argument block builder and the
 * description of a process's end (see startup.h for the layout and contracts).
 *
 * Everything here reads untrusted input (a start_info in memory another process
 * wrote, argument strings of any length) with bounds: names are compared within
 * their fixed field, sizes are checked against what is left before anything is
 * written, and nothing is written outside buf.
 */
#include "startup.h"

#include <string.h>

#include <abi/errors.h>

#define NAME_FIELD sizeof(((struct start_handle *)0)->name)

static int si_valid(const struct start_info *si)
{
	return si && si->magic == START_INFO_MAGIC && si->nhandles <= START_MAX_HANDLES;
}

handle_t ch_start_info_find(const struct start_info *si, const char *name)
{
	if (!si_valid(si) || !name)
		return HANDLE_INVALID;
	size_t len = strnlen(name, NAME_FIELD);
	if (len == 0 || len == NAME_FIELD)
		return HANDLE_INVALID;
	for (uint32_t i = 0; i < si->nhandles; i++) {
		const struct start_handle *e = &si->handles[i];
		if (memchr(e->name, '\0', NAME_FIELD) && memcmp(e->name, name, len + 1) == 0)
			return e->handle;
	}
	return HANDLE_INVALID;
}

void ch_start_info_init(struct start_info *si)
{
	memset(si, 0, sizeof(*si));
	si->magic = START_INFO_MAGIC;
}

int ch_start_info_add(struct start_info *si, const char *name, handle_t h)
{
	if (!si_valid(si) || !name)
		return ERR_INVALID_ARGS;
	size_t len = strnlen(name, NAME_FIELD);
	if (len == 0 || len == NAME_FIELD)
		return ERR_INVALID_ARGS;
	for (uint32_t i = 0; i < si->nhandles; i++)
		if (memcmp(si->handles[i].name, name, len + 1) == 0)
			return ERR_ALREADY_EXISTS;
	if (si->nhandles == START_MAX_HANDLES)
		return ERR_NO_RESOURCES;
	struct start_handle *e = &si->handles[si->nhandles++];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, len + 1);
	e->handle = h;
	return 0;
}

/* Counts a NULL-terminated string array and the bytes of its strings (with NULs). */
static int count_strings(const char *const *v, size_t *n, size_t *bytes)
{
	*n = 0;
	*bytes = 0;
	if (!v)
		return 0;
	for (; v[*n]; (*n)++) {
		if (*n == CH_ARGS_MAX)
			return ERR_NO_RESOURCES;
		*bytes += strlen(v[*n]) + 1;
	}
	return 0;
}

/* Copies strings of v down into buf at *pos (an offset from buf), pointers into ptrs. */
static void put_strings(char *buf, size_t *pos, uint64_t base, const char *const *v, size_t n,
                        uint64_t *ptrs)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		memcpy(buf + *pos, v[i], len);
		ptrs[i] = base + *pos;
		*pos += len;
	}
	ptrs[n] = 0;
}

int ch_args_build(void *buf, size_t size, uint64_t top, const char *const *argv,
                  const char *const *envp, const struct start_info *si, struct ch_args_layout *out)
{
	size_t argc, envc, abytes, ebytes;
	int err;

	if (!buf || !si || !out || (top & 15) || size < 4096 || top < size)
		return ERR_INVALID_ARGS;
	if ((err = count_strings(argv, &argc, &abytes)) ||
	    (err = count_strings(envp, &envc, &ebytes)))
		return err;

	/* Sizes are bounded: CH_ARGS_MAX strings each, lengths of strings in our memory. */
	size_t limit = size / 2;
	size_t strings = abytes + ebytes;
	size_t si_off_from_top =
	    ((strings + 15) & ~(size_t)15) + ((sizeof(*si) + 15) & ~(size_t)15);
	size_t words = argc + 1 + envc + 1 + 2;
	size_t block_from_top = si_off_from_top + ((words * 8 + 15) & ~(size_t)15);
	if (strings > limit || block_from_top > limit)
		return ERR_BUFFER_TOO_SMALL;

	char *b = buf;
	uint64_t base = top - size; /* child address of b[0] */
	size_t spos = size - strings;
	size_t si_pos = size - si_off_from_top;
	size_t vpos = size - block_from_top;
	uint64_t *vec = (uint64_t *)(void *)(b + vpos);

	put_strings(b, &spos, base, argv, argc, vec);
	put_strings(b, &spos, base, envp, envc, vec + argc + 1);
	memcpy(b + si_pos, si, sizeof(*si));
	vec[argc + 1 + envc + 1] = base + si_pos;
	vec[argc + 1 + envc + 2] = 0;

	out->sp = base + vpos;
	out->argc = argc;
	out->argv = base + vpos;
	out->envp = base + vpos + (argc + 1) * 8;
	out->start_info = base + si_pos;
	out->used = block_from_top;
	return 0;
}
