/*
 * keymap.c - `keymap`: the keyboards' layout (docs/terminal.md "Keyboard layouts").
 *
 * The console that serves our terminal does the work: TERM_SET_KEYMAP asks it
 * to read share/keymaps/<name>.kmap of the initrd (abi/term.h); we only send the
 * name and print its answer. --list walks the initrd (we hold it as the shell's
 * "initrd" grant) for the layouts there.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/term.h>
#include <charlotte/fd.h>
#include <charlotte/initrd.h>
#include <charlotte/kbus.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <shared/ustar.h>

#include "lib/tool.h"

#define DIR_PREFIX "share/keymaps/"

static const struct tool keymap_tool = {
    "keymap", "keymap [-l | --list] [name]",
    "Shows the keyboards' layout, or makes it name: one of Debian's console keymaps\n"
    "in the initrd's share/keymaps (de, fr, uk, es, it, dvorak, ...; us is the\n"
    "built-in US layout). The console of our terminal reads the file; one that\n"
    "cannot be read is an error naming its line, and the layout stays.\n"
    "Layouts apply to keyboards (the screen's vts); the serial line types characters.\n"
    "  -l, --list  the layouts there are\n"};

/* The layouts of the initrd, one a line. */
static int list(void)
{
	const void *d;
	size_t l;
	uint64_t size;
	handle_t initrd = ch_handle("initrd");
	if (initrd == HANDLE_INVALID || ch_initrd_find("bin/keymap", &d, &l) != 0 ||
	    ch_mem_info(initrd, &size) != 0) {
		tool_warn("no initrd to list (the \"initrd\" grant)");
		return TOOL_EXIT_ERROR;
	}
	printf("us\n");
	size_t off = 0;
	struct ustar_entry e;
	size_t plen = strlen(DIR_PREFIX);
	while (ustar_next((const void *)CH_INITRD_BASE, size, &off, &e) == 0) {
		size_t n = strlen(e.path);
		if (e.type == USTAR_FILE && strncmp(e.path, DIR_PREFIX, plen) == 0 &&
		    !strchr(e.path + plen, '/') && n > plen + 5 &&
		    strcmp(e.path + n - 5, ".kmap") == 0 && strcmp(e.path + plen, "us.kmap") != 0)
			printf("%.*s\n", (int)(n - plen - 5), e.path + plen);
	}
	return 0;
}

/* A keymap call on our terminal (the first of stdin, stdout, stderr that is one). */
static long call(uint32_t op, const char *name, struct term_keymap_reply *rep)
{
	struct term_keymap_req req = {.req = {.magic = TERM_REQ_MAGIC, .op = op}};
	if (name)
		snprintf(req.name, sizeof(req.name), "%s", name);
	handle_t ep = HANDLE_INVALID;
	for (int fd = 0; fd < 3 && ep == HANDLE_INVALID; fd++)
		if (tool_isatty(fd))
			ep = ch_fd_handle(fd);
	if (ep == HANDLE_INVALID)
		return ERR_NOT_SUPPORTED;
	handle_t got[4];
	struct kbus_msg m = {.data = &req, .len = sizeof(req)};
	struct kbus_buf b = {
	    .data = rep, .capacity = sizeof(*rep), .handles = got, .handles_capacity = 4};
	long r = ch_kbus_call(ep, &m, &b, CH_FOREVER);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < b.nhandles && i < 4; i++)
		ch_cap_drop(got[i]);
	if (b.len != sizeof(*rep)) /* a console that knows no layouts answers a term_reply */
		return b.len >= sizeof(int32_t) && rep->rep.status < 0 ? rep->rep.status
		                                                       : ERR_MALFORMED;
	rep->name[sizeof(rep->name) - 1] = '\0';
	rep->error[sizeof(rep->error) - 1] = '\0';
	return rep->rep.status;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	int c;
	bool want_list = false;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--list") == 0)
			argv[i] = "-l";
	while ((c = tool_getopt(&keymap_tool, argc, argv, "l", &o)) != -1)
		want_list = want_list || c == 'l';
	if (want_list) {
		if (o.ind < argc)
			tool_usage_error("--list takes no name");
		return list();
	}
	if (argc - o.ind > 1)
		tool_usage_error("one layout at a time");
	struct term_keymap_reply rep = {0};
	const char *name = o.ind < argc ? argv[o.ind] : NULL;
	long r = call(name ? TERM_SET_KEYMAP : TERM_GET_KEYMAP, name, &rep);
	if (r == ERR_NOT_SUPPORTED) {
		tool_warn(
		    "not on a terminal: the console of a terminal sets the keyboards' layout");
		return TOOL_EXIT_ERROR;
	}
	if (r < 0 && rep.error[0]) {
		tool_warn("%s: %s", name ? name : "", rep.error);
		return TOOL_EXIT_ERROR;
	}
	if (r < 0) {
		tool_warn_err(name ? name : "keymap", r);
		return TOOL_EXIT_ERROR;
	}
	printf("%s\n", rep.name);
	return 0;
}
