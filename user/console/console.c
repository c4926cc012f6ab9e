/*
 * console.c - bin/console's main and loop (console.h, docs/terminal.md).
 *
 *   console [--pool <bytes>] [--display <uri>] [--no-vt] [--banner] [--keymap <name>]
 *           [-- program [arg ...]]
 *
 * runs program (bin/sh by default) in every session, each with a sub-pool of
 * --pool bytes (default 8M), the session endpoint as stdin, stdout and
 * stderr, and every capability the console was given under a name starting
 * with "sh.", passed on without the prefix ("sh.ns" -> "ns"). The serial
 * session starts at once; vt1 starts when the screen is found, vt2..vt4 when
 * first shown (Alt-F2..F4). --banner: each session shows the system's banner
 * (CPUs, memory, boot time, a help hint) before its program first starts.
 * --keymap: the keyboards' layout (share/keymaps/<name>.kmap; default: US).
 *
 * Grants: pool, log; initrd (the font: share/console.psf); ns.dev (the display
 * and the keyboards in dev:///display and dev:///input); "console" (the
 * kernel log with MANAGE: the serial line) or, for tests, "line" (an endpoint
 * that plays the serial line). Without a display or keyboard (PVH, a machine
 * with no screen) only the serial session is served; the console looks for
 * them again every second, so drivers that start after it are picked up.
 */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/ns.h>
#include <abi/syscall.h>
#include <charlotte/initrd.h>
#include <charlotte/input.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define TICK_NS 250000000ull /* cursor blink: every other tick */
#define DEFAULT_PROG_POOL (8ull << 20)
#define FONT_PATH "share/console.psf"
#define KEYMAP_DIR "share/keymaps/"

struct console con;

static const char *default_argv[] = {"bin/sh", NULL};
static bool no_vt; /* --no-vt: the serial session only */

struct kbd {
	bool open;
	char name[32];
	struct ch_input in;
};
static struct kbd kbds[CONSOLE_MAX_KBDS];

/* --- sessions on the screen -------------------------------------------------- */

static void show_vt(unsigned n)
{
	if (n < 1 || n > CONSOLE_VTS || !con.scr.present)
		return;
	struct session *s = &con.sess[n];
	con.active = n;
	if (!s->running && !s->ended && !s->starts)
		session_start(s);
	con.scr.cursor_on = true;
	screen_draw(&con.scr, &con.font, &s->vt, n);
}

static void redraw(void)
{
	if (con.scr.present && con.active)
		screen_draw(&con.scr, &con.font, &con.sess[con.active].vt, con.active);
}

static void screen_found(void)
{
	for (unsigned i = 1; i <= CONSOLE_VTS; i++) {
		struct session *s = &con.sess[i];
		if (vt_init(&s->vt, con.scr.cols, con.scr.rows, CONSOLE_SCROLLBACK) < 0) {
			printf("console: no memory for %s\n", s->name);
			return;
		}
		s->present = true;
	}
	printf("console: screen %ux%u, %ux%u cells\n", con.scr.width, con.scr.height, con.scr.cols,
	       con.scr.rows);
	show_vt(1);
}

static void look_for_screen(void)
{
	if (con.scr.present || !con.font.glyphs)
		return;
	if (screen_open(&con.scr, &con.font, con.display) == 0)
		screen_found();
}

/* --- keyboards --------------------------------------------------------------- */

static int layout_open(void *ctx, const char *path, const char **data, size_t *len)
{
	(void)ctx;
	char full[KMAP_NAME_MAX + 32];
	const void *d;
	snprintf(full, sizeof(full), KEYMAP_DIR "%s", path);
	int r = ch_initrd_find(full, &d, len);
	*data = d;
	return r < 0 ? ERR_NOT_FOUND : 0;
}

int console_set_layout(const char *name, struct kmap_error *err)
{
	static struct kmap maps[2]; /* the one in force and the one being read */
	memset(err, 0, sizeof(*err));
	if (strcmp(name, "us") == 0) {
		con.layout = NULL;
	} else {
		struct kmap *next = con.layout == &maps[0] ? &maps[1] : &maps[0];
		int r = kmap_parse(next, name, layout_open, NULL, err);
		if (r < 0)
			return r;
		con.layout = next;
	}
	snprintf(con.layout_name, sizeof(con.layout_name), "%s", name);
	con.keys.dead = 0;
	return 0;
}

static void key(const struct input_event *ev)
{
	char buf[KEYMAP_MAX_BYTES];
	size_t len;
	if (ev->type != INPUT_EV_KEY)
		return;
	enum keymap_action a = keymap_key(con.layout, &con.keys, ev->code, ev->modifiers,
	                                  ev->value != INPUT_KEY_RELEASE, buf, &len);
	if (!con.active)
		return;
	struct session *s = &con.sess[con.active];
	switch (a) {
	case KEYMAP_ACT_VT:
		show_vt((unsigned)len + 1);
		return;
	case KEYMAP_ACT_SCROLL_UP:
		vt_scroll_view(&s->vt, (int)s->vt.rows / 2);
		redraw();
		return;
	case KEYMAP_ACT_SCROLL_DOWN:
		vt_scroll_view(&s->vt, -(int)s->vt.rows / 2);
		redraw();
		return;
	case KEYMAP_BYTES:
		if (s->vt.view) /* typing returns to the live screen */
			vt_view_live(&s->vt);
		con.scr.cursor_on = true;
		session_key(s, buf, len);
		redraw();
		return;
	default:
		return;
	}
}

static void kbd_readable(unsigned i)
{
	struct input_event ev[16];
	struct kbd *k = &kbds[i];
	for (int round = 0; round < 8 && k->open; round++) {
		long n = ch_input_read(&k->in, ev, 16, 0);
		if (n == ERR_TIMED_OUT || n == ERR_SHOULD_WAIT)
			return;
		if (n < 0) { /* the driver is gone or broke the ring: look again later */
			printf("console: keyboard %s: %s\n", k->name, ch_error_name(n));
			ch_waitset_remove(con.ws, KEY(KEY_KBD, i));
			ch_input_close(&k->in);
			k->open = false;
			return;
		}
		for (long j = 0; j < n; j++)
			key(&ev[j]);
	}
}

static void open_kbd(const char *name)
{
	char uri[64];
	unsigned free_slot = CONSOLE_MAX_KBDS;
	for (unsigned i = 0; i < CONSOLE_MAX_KBDS; i++) {
		if (kbds[i].open && strcmp(kbds[i].name, name) == 0)
			return;
		if (!kbds[i].open && free_slot == CONSOLE_MAX_KBDS)
			free_slot = i;
	}
	if (free_slot == CONSOLE_MAX_KBDS)
		return;
	struct kbd *k = &kbds[free_slot];
	snprintf(uri, sizeof(uri), "dev:///input/%s", name);
	if (ch_input_open(&k->in, uri, HANDLE_INVALID, 64) < 0)
		return;
	if (!(ch_input_info(&k->in)->caps & INPUT_CAP_KEYS) ||
	    ch_waitset_add(con.ws, k->in.ep, KBUS_EV_READABLE, KEY(KEY_KBD, free_slot)) < 0) {
		ch_input_close(&k->in);
		return;
	}
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->open = true;
	printf("console: keyboard %s (%s)\n", name, ch_input_info(&k->in)->model);
}

/* Opens every input device with keys in dev:///input not open yet. */
static void look_for_keyboards(void)
{
	static char buf[1024];
	handle_t dir;
	if (ch_uri_open("dev:///input", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &dir) < 0)
		return;
	uint64_t cookie = 0;
	long n;
	while ((n = ch_ns_list(dir, &cookie, buf, sizeof(buf), 0)) > 0) {
		for (long off = 0; off + (long)sizeof(struct ns_dirent) <= n;) {
			struct ns_dirent *de = (struct ns_dirent *)(buf + off);
			if (de->reclen < sizeof(*de))
				break;
			if (de->type == NS_TYPE_DEV_INPUT)
				open_kbd(de->name);
			off += de->reclen;
		}
	}
	ch_cap_drop(dir);
}

/* --- setup ---------------------------------------------------------------- */

/* Every "sh.<name>" capability we hold is passed on to programs as <name>. */
static void collect_grants(void)
{
	const struct start_info *si = ch_start_info();
	for (uint32_t i = 0; si && i < si->nhandles && con.ngrants < CONSOLE_MAX_GRANTS; i++) {
		const char *name = si->handles[i].name;
		if (strncmp(name, "sh.", 3) != 0 || !name[3])
			continue;
		handle_t h = si->handles[i].handle;
		struct cap_info ci;
		if (ch_cap_inspect(h, &ci) < 0)
			continue;
		snprintf(con.grant_names[con.ngrants], sizeof(con.grant_names[0]), "%s", name + 3);
		con.grants[con.ngrants] =
		    (struct ch_grant){con.grant_names[con.ngrants], h, ci.rights};
		con.ngrants++;
	}
}

static int parse_args(int argc, char **argv)
{
	con.argv = default_argv;
	con.prog_pool = DEFAULT_PROG_POOL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			if (i + 1 < argc)
				con.argv = (const char *const *)&argv[i + 1];
			return 0;
		} else if (strcmp(argv[i], "--pool") == 0 && i + 1 < argc) {
			char *end;
			unsigned long long v = strtoull(argv[++i], &end, 10);
			if (*end == 'M')
				v <<= 20;
			else if (*end == 'K')
				v <<= 10;
			con.prog_pool = v;
		} else if (strcmp(argv[i], "--display") == 0 && i + 1 < argc) {
			con.display = argv[++i];
		} else if (strcmp(argv[i], "--no-vt") == 0) {
			no_vt = true;
		} else if (strcmp(argv[i], "--banner") == 0) {
			con.banner = true;
		} else if (strcmp(argv[i], "--keymap") == 0 && i + 1 < argc) {
			struct kmap_error err;
			char text[192];
			const char *name = argv[++i];
			if (console_set_layout(name, &err) < 0) { /* no reason not to serve */
				kmap_error_text(&err, text, sizeof(text));
				printf("console: keymap %s: %s (the US layout stays)\n", name,
				       text);
			}
		} else {
			printf("console: unknown argument %s\n", argv[i]);
			return ERR_INVALID_ARGS;
		}
	}
	return 0;
}

static void load_font(void)
{
	const void *data;
	size_t len;
	int r = ch_initrd_find(FONT_PATH, &data, &len);
	if (r == 0)
		r = font_load(&con.font, data, len);
	if (r < 0)
		printf("console: no font (%s: %s): serial only\n", FONT_PATH, ch_error_name(r));
}

static void dispatch(const struct kbus_event *e)
{
	unsigned kind = (unsigned)(e->key >> 8), i = (unsigned)(e->key & 0xff);
	switch (kind) {
	case KEY_SESS_EP:
		if (i < CONSOLE_SESSIONS) {
			if (e->events & KBUS_EV_WRITABLE)
				session_writable(&con.sess[i]);
			if (e->events & (KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED))
				session_output_ready(&con.sess[i]);
		}
		break;
	case KEY_SESS_PROC:
		if (i < CONSOLE_SESSIONS)
			session_ended(&con.sess[i]);
		break;
	case KEY_KBD:
		if (i < CONSOLE_MAX_KBDS)
			kbd_readable(i);
		break;
	case KEY_SERIAL:
		serial_readable();
		break;
	case KEY_TICK:
		con.tick++;
		if (con.scr.present && con.active) {
			screen_blink(&con.scr);
			redraw();
		}
		if (con.tick % 4 == 0 && !no_vt) {
			look_for_screen();
			if (con.scr.present)
				look_for_keyboards();
		}
		ch_waitset_timer(con.ws, (uint64_t)ch_clock_ns() + TICK_NS, KEY(KEY_TICK, 0));
		break;
	default:
		break;
	}
}

int main(int argc, char **argv)
{
	con.pool = ch_handle("pool");
	snprintf(con.layout_name, sizeof(con.layout_name), "us");
	if (parse_args(argc, argv) < 0)
		return 2;
	for (unsigned i = 0; i < CONSOLE_SESSIONS; i++)
		session_setup(&con.sess[i], i, i > 0);
	long r = ch_waitset_create(con.pool, &con.ws);
	if (r < 0) {
		printf("console: no waitset: %s\n", ch_error_name(r));
		return 1;
	}
	collect_grants();
	if (serial_open() == 0) {
		con.sess[0].present = true;
		session_start(&con.sess[0]);
	}
	if (!no_vt) {
		load_font();
		look_for_screen();
		if (con.scr.present)
			look_for_keyboards();
	}
	ch_waitset_timer(con.ws, (uint64_t)ch_clock_ns() + TICK_NS, KEY(KEY_TICK, 0));
	printf("console: serving%s%s\n", con.sess[0].present ? " serial" : "",
	       con.scr.present ? " vt1-vt4" : "");
	for (;;) {
		struct kbus_event ev[16];
		long n = ch_waitset_wait(con.ws, ev, 16, CH_FOREVER);
		if (n == ERR_TIMED_OUT)
			continue;
		if (n < 0) {
			printf("console: waitset: %s\n", ch_error_name(n));
			return 1;
		}
		for (long i = 0; i < n; i++)
			dispatch(&ev[i]);
	}
}
