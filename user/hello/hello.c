/*
 * hello.c - the first program Exec starts on a normal boot: greets, then lists the
 * capabilities it was started with (name, handle, and, where it may inspect them,
 * type and rights), which shows what a manifest line's grants turn into.
 */
#include <stdio.h>

#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

int main(int argc, char **argv)
{
	const struct start_info *si = ch_start_info();
	char rights[160];

	printf("Hello from user space! (%s, %d argument%s)\n", argc ? argv[0] : "?", argc - 1,
	       argc == 2 ? "" : "s");
	if (!si || si->magic != START_INFO_MAGIC) {
		printf("no start_info\n");
		return 0;
	}
	printf("%u capabilities\n", (unsigned)si->nhandles);
	for (uint32_t i = 0; i < si->nhandles && i < START_MAX_HANDLES; i++) {
		const struct start_handle *h = &si->handles[i];
		struct cap_info ci;
		long r = ch_cap_inspect(h->handle, &ci);
		if (r < 0)
			printf("  %-12.23s handle 0x%08x (not inspectable: %s)\n", h->name,
			       (unsigned)h->handle, ch_error_name(r));
		else
			printf("  %-12.23s handle 0x%08x %s, rights %s\n", h->name,
			       (unsigned)h->handle, ch_obj_type_name(ci.type),
			       ch_rights_format(ci.rights, rights, sizeof(rights)));
	}
	return 0;
}
