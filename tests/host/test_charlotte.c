/*
 * test_charlotte.c - host tests of the pure parts of user space: start_info lookup and
 * building, the initial stack (argument block) builder, the names of errors, rights and
 * exit states (user/lib/charlotte/startup.c, names.c), and Charlotte Exec's manifest
 * parser (user/exec/manifest.c), which reads untrusted text.
 *
 * The stack test reads the block back the way crt0.S does (envp = argv + argc + 1, the
 * start_info pointer after envp's NULL), translating child addresses into the buffer.
 * Buffers are allocated at their exact size so ASan catches any access past them; the
 * parser is also fed 200,000 random and mutated lines.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <charlotte/names.h>
#include <charlotte/startup.h>

#include "manifest.h"
#include "restart.h"

/* ---- start_info ---- */

static void test_start_info(void **state)
{
	(void)state;
	static struct start_info si;
	char name[32];

	assert_int_equal(ch_start_info_find(NULL, "log"), HANDLE_INVALID);
	ch_start_info_init(&si);
	assert_int_equal(si.magic, START_INFO_MAGIC);
	assert_int_equal(ch_start_info_find(&si, "log"), HANDLE_INVALID);
	assert_int_equal(ch_start_info_add(&si, "log", 0x100001), 0);
	assert_int_equal(ch_start_info_add(&si, "self.process", 0x100002), 0);
	assert_int_equal(ch_start_info_add(&si, "log", 7), ERR_ALREADY_EXISTS);
	assert_int_equal(ch_start_info_add(&si, "", 7), ERR_INVALID_ARGS);
	assert_int_equal(ch_start_info_add(&si, "abcdefghijklmnopqrstuvw", 7), 0); /* 23 */
	assert_int_equal(ch_start_info_add(&si, "abcdefghijklmnopqrstuvwx", 7), ERR_INVALID_ARGS);
	assert_int_equal(ch_start_info_find(&si, "log"), 0x100001);
	assert_int_equal(ch_start_info_find(&si, "self.process"), 0x100002);
	assert_int_equal(ch_start_info_find(&si, "self"), HANDLE_INVALID);
	assert_int_equal(ch_start_info_find(&si, "lo"), HANDLE_INVALID);
	assert_int_equal(ch_start_info_find(&si, "logs"), HANDLE_INVALID);
	assert_int_equal(ch_start_info_find(&si, "abcdefghijklmnopqrstuvw"), 7);
	assert_int_equal(ch_start_info_find(&si, "abcdefghijklmnopqrstuvwxyz"), HANDLE_INVALID);
	assert_int_equal(ch_start_info_find(&si, ""), HANDLE_INVALID);
	assert_int_equal(ch_start_info_find(&si, NULL), HANDLE_INVALID);
	for (unsigned i = si.nhandles; i < START_MAX_HANDLES; i++) {
		snprintf(name, sizeof(name), "h%u", i);
		assert_int_equal(ch_start_info_add(&si, name, i), 0);
	}
	assert_int_equal(ch_start_info_add(&si, "one.more", 1), ERR_NO_RESOURCES);
	assert_int_equal(ch_start_info_find(&si, "h31"), 31);

	/* hostile start_infos: bad magic, too many entries, names without a NUL */
	si.magic ^= 1;
	assert_int_equal(ch_start_info_find(&si, "log"), HANDLE_INVALID);
	si.magic ^= 1;
	si.nhandles = START_MAX_HANDLES + 1;
	assert_int_equal(ch_start_info_find(&si, "log"), HANDLE_INVALID);
	assert_int_equal(ch_start_info_add(&si, "x", 1), ERR_INVALID_ARGS);
	si.nhandles = 1;
	memset(si.handles[0].name, 'a', sizeof(si.handles[0].name));
	assert_int_equal(ch_start_info_find(&si, "log"), HANDLE_INVALID);
	assert_int_equal(ch_start_info_find(&si, "aaaaaaaaaaaaaaaaaaaaaaa"), HANDLE_INVALID);
}

/* ---- the argument block ---- */

#define TOP UINT64_C(0x00007ffffff00000)

struct stack {
	unsigned char *buf;
	size_t size;
};

/* The buffer address of child address a (which must lie inside the stack). */
static void *at(const struct stack *s, uint64_t a)
{
	assert_true(a >= TOP - s->size && a < TOP);
	return s->buf + (a - (TOP - s->size));
}

static uint64_t word(const struct stack *s, uint64_t a)
{
	uint64_t w;
	assert_true(a + 8 <= TOP);
	memcpy(&w, at(s, a), 8);
	return w;
}

/* The string at child address a, checked to end inside the stack. */
static const char *str(const struct stack *s, uint64_t a)
{
	const char *p = at(s, a);
	assert_non_null(memchr(p, '\0', TOP - a));
	return p;
}

/* Builds a block and reads it back as crt0.S does; checks every promise of startup.h. */
static void build_and_check(size_t size, const char *const *argv, const char *const *envp)
{
	struct stack s = {malloc(size), size};
	struct start_info si;
	struct ch_args_layout lay;
	size_t argc = 0, envc = 0;

	assert_non_null(s.buf);
	memset(s.buf, 0xa5, size);
	ch_start_info_init(&si);
	assert_int_equal(ch_start_info_add(&si, "log", 0x300005), 0);
	while (argv && argv[argc])
		argc++;
	while (envp && envp[envc])
		envc++;
	assert_int_equal(ch_args_build(s.buf, size, TOP, argv, envp, &si, &lay), 0);
	assert_int_equal(lay.sp % 16, 0);
	assert_int_equal(lay.sp, lay.argv);
	assert_int_equal(lay.argc, argc);
	assert_true(lay.used <= size / 2 && TOP - lay.sp == lay.used);
	for (size_t i = 0; i < argc; i++)
		assert_string_equal(str(&s, word(&s, lay.argv + 8 * i)), argv[i]);
	assert_int_equal(word(&s, lay.argv + 8 * argc), 0);
	/* crt0: envp = argv + argc + 1; start_info after envp's NULL */
	uint64_t e = lay.argv + 8 * (argc + 1);
	assert_int_equal(e, lay.envp);
	for (size_t i = 0; i < envc; i++)
		assert_string_equal(str(&s, word(&s, e + 8 * i)), envp[i]);
	assert_int_equal(word(&s, e + 8 * envc), 0);
	assert_int_equal(word(&s, e + 8 * envc + 8), lay.start_info);
	assert_int_equal(word(&s, e + 8 * envc + 16), 0);
	assert_int_equal(lay.start_info % 16, 0);
	assert_true(lay.start_info + sizeof(si) <= TOP);
	struct start_info copy;
	memcpy(&copy, at(&s, lay.start_info), sizeof(copy));
	assert_int_equal(ch_start_info_find(&copy, "log"), 0x300005);
	/* nothing below the block was touched */
	for (size_t i = 0; i < size - lay.used; i++)
		assert_int_equal(s.buf[i], 0xa5);
	free(s.buf);
}

static void test_args_build(void **state)
{
	(void)state;
	const char *argv[] = {"bin/hello", "world", "", "x y", NULL};
	const char *envp[] = {"HOME=/", "TERM=serial", NULL};
	const char *one[] = {"bin/exec", NULL};

	build_and_check(65536, argv, envp);
	build_and_check(4096, one, NULL);
	build_and_check(4096, NULL, NULL);
	build_and_check(8192, NULL, envp);
}

static void test_args_build_errors(void **state)
{
	(void)state;
	size_t size = 8192;
	unsigned char *buf = malloc(size);
	struct start_info si;
	struct ch_args_layout lay;
	const char *one[] = {"a", NULL};

	ch_start_info_init(&si);
	assert_int_equal(ch_args_build(NULL, size, TOP, one, NULL, &si, &lay), ERR_INVALID_ARGS);
	assert_int_equal(ch_args_build(buf, size, TOP, one, NULL, NULL, &lay), ERR_INVALID_ARGS);
	assert_int_equal(ch_args_build(buf, size, TOP, one, NULL, &si, NULL), ERR_INVALID_ARGS);
	assert_int_equal(ch_args_build(buf, size, TOP + 8, one, NULL, &si, &lay), ERR_INVALID_ARGS);
	assert_int_equal(ch_args_build(buf, 2048, TOP, one, NULL, &si, &lay), ERR_INVALID_ARGS);
	assert_int_equal(ch_args_build(buf, size, 4096, one, NULL, &si, &lay), ERR_INVALID_ARGS);

	/* a long string and many strings: the block may use half the stack */
	char *longs = malloc(size);
	memset(longs, 'x', size - 1);
	longs[size - 1] = '\0';
	const char *big[] = {longs, NULL};
	assert_int_equal(ch_args_build(buf, size, TOP, big, NULL, &si, &lay), ERR_BUFFER_TOO_SMALL);
	longs[size / 2 - sizeof(si) - 200] = '\0';
	assert_int_equal(ch_args_build(buf, size, TOP, big, NULL, &si, &lay), 0);
	const char **many = calloc(CH_ARGS_MAX + 2, sizeof(*many));
	for (int i = 0; i <= CH_ARGS_MAX; i++)
		many[i] = "";
	assert_int_equal(ch_args_build(buf, size, TOP, many, NULL, &si, &lay), ERR_NO_RESOURCES);
	assert_int_equal(ch_args_build(buf, size, TOP, NULL, many, &si, &lay), ERR_NO_RESOURCES);
	many[CH_ARGS_MAX] = NULL;
	assert_int_equal(ch_args_build(buf, size, TOP, many, NULL, &si, &lay),
	                 ERR_BUFFER_TOO_SMALL);
	free(many);
	free(longs);
	free(buf);
}

/* Random argument sets at random stack sizes: success is checked in full, failure
 * must be ERR_BUFFER_TOO_SMALL and only when the block cannot fit. */
static void test_args_build_random(void **state)
{
	(void)state;
	static char pool[8][300];
	srand(7);
	for (int round = 0; round < 2000; round++) {
		const char *argv[9] = {0}, *envp[9] = {0};
		int na = rand() % 9, ne = rand() % 9;
		for (int i = 0; i < 8; i++) {
			int len = rand() % 300;
			memset(pool[i], 'a' + i, (size_t)len);
			pool[i][len] = '\0';
		}
		for (int i = 0; i < na; i++)
			argv[i] = pool[rand() % 8];
		for (int i = 0; i < ne; i++)
			envp[i] = pool[rand() % 8];
		size_t size = 4096u * (1 + (size_t)(rand() % 4));
		unsigned char *buf = malloc(size);
		struct start_info si;
		struct ch_args_layout lay;
		ch_start_info_init(&si);
		int r = ch_args_build(buf, size, TOP, argv, envp, &si, &lay);
		free(buf);
		if (r == 0)
			build_and_check(size, argv, envp);
		else
			assert_int_equal(r, ERR_BUFFER_TOO_SMALL);
	}
}

/* ---- names ---- */

static void test_names(void **state)
{
	(void)state;
	char buf[200];
	struct proc_status st = {0};

	assert_string_equal(ch_error_name(ERR_NO_MEMORY), "ERR_NO_MEMORY");
	assert_string_equal(ch_error_name(0), "OK");
	assert_string_equal(ch_error_name(-999), "ERR_?");
	assert_string_equal(ch_obj_type_name(OBJ_MEMORY_POOL), "memory-pool");
	assert_string_equal(ch_obj_type_name(999), "unknown");
	assert_string_equal(ch_rights_format(0, buf, sizeof(buf)), "none");
	assert_string_equal(
	    ch_rights_format(RIGHT_READ | RIGHT_MAP | RIGHT_TRANSFER, buf, sizeof(buf)),
	    "read|map|transfer");
	assert_string_equal(ch_rights_format(RIGHT_WRITE | (UINT64_C(1) << 60), buf, sizeof(buf)),
	                    "write|0x1000000000000000");
	for (size_t n = 1; n < 40; n++) { /* truncation stays inside the buffer */
		char *small = malloc(n);
		ch_rights_format(RIGHTS_ALL, small, n);
		assert_true(strlen(small) < n);
		free(small);
	}
	assert_string_equal(ch_exception_name(14), "#PF page fault");
	assert_string_equal(ch_exception_name(9), "exception");
	assert_string_equal(ch_exception_name(UINT32_MAX), "exception");
	st.state = PROC_EXITED;
	st.code = -3;
	assert_string_equal(ch_proc_status_describe(&st, buf, sizeof(buf)), "exited with code -3");
	st.state = PROC_KILLED;
	assert_string_equal(ch_proc_status_describe(&st, buf, sizeof(buf)), "killed");
	st.state = PROC_FAULTED;
	st.fault_vector = 14;
	st.fault_ip = 0x401000;
	st.fault_addr = 0;
	assert_string_equal(ch_proc_status_describe(&st, buf, sizeof(buf)),
	                    "faulted: #PF page fault at 0x401000 (address 0x0)");
	st.fault_vector = 13;
	assert_string_equal(ch_proc_status_describe(&st, buf, sizeof(buf)),
	                    "faulted: #GP general protection (vector 13) at 0x401000");
	st.state = 77;
	assert_string_equal(ch_proc_status_describe(&st, buf, sizeof(buf)), "in unknown state 77");
}

/* ---- the manifest ---- */

static const char good_manifest[] = "# comment line\n"
                                    "\n"
                                    "   \t \n"
                                    "bin/hello log pool:16M -- world  two\n"
                                    "bin/usertest log initrd pool:64M\r\n"
                                    "bin/a pool:4096 # trailing comment -- not args\n"
                                    "bin/b -- -- # x\n"
                                    "bin/c pool:2K self.thing\n"
                                    "bin/last-no-newline pool:1G";

/* serve:<scheme>/<name> grants "provider" and says what to serve; bad forms are refused. */
static void test_manifest_serve(void **state)
{
	(void)state;
	static const char text[] = "bin/tmpfs serve:fs/tmp pool:8M\n"
	                           "bin/x serve:fs\n"
	                           "bin/x serve:/tmp\n"
	                           "bin/x serve:fs/a/b\n"
	                           "bin/x serve:fs/..\n"
	                           "bin/x serve:f$/a\n"
	                           "bin/x serve:fs/a serve:svc/b\n"
	                           "bin/ok\n";
	struct manifest m;
	static struct manifest_entry e;
	manifest_init(&m, text, strlen(text));
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.ngrants, 2);
	assert_string_equal(e.grants[0].name, "provider");
	assert_string_equal(e.grants[0].serve_scheme, "fs");
	assert_string_equal(e.grants[0].serve_name, "tmp");
	assert_string_equal(e.grants[1].serve_scheme, "");
	for (unsigned line = 2; line <= 7; line++) {
		assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
		assert_int_equal(m.line, line);
	}
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.path, "bin/ok");
}

/* device: and bind: make a driver line; the parser keeps every device and the class. */
static void test_manifest_drivers(void **state)
{
	(void)state;
	static const char text[] =
	    "bin/virtio-blk log device:1af4:1001 device:1AF4:1042 bind:dev/block -- vd%\n"
	    "bin/i8042 device:i8042 bind:dev/input -- kbd% mouse%\n"
	    "bin/rdrand bind:dev/rng -- rng%\n"
	    "bin/x device::1001\n" /* a PCI id needs both halves */
	    "bin/x device:1af4:\n" /* ... */
	    "bin/x device:12345:1\n" /* at most 4 hex digits */
	    "bin/x device:1af4:10g1\n" /* hex only */
	    "bin/x device:1:2:3\n" /* one colon */
	    "bin/x device:\n" /* a name or ids */
	    "bin/x device:c$m\n" /* a bad name */
	    "bin/x device:rtc device:rtc\n" /* twice */
	    "bin/x bind:dev/tape\n" /* no such class */
	    "bin/x bind:svc/log\n" /* only dev */
	    "bin/x bind:dev/block bind:dev/net\n"
	    "bin/x device:rtc serve:svc/x\n" /* a driver does not serve */
	    "bin/x serve:svc/x device:rtc\n"
	    "bin/x device:a device:b device:c device:d device:e device:f device:g device:h "
	    "device:i\n" /* more than MANIFEST_MAX_DEVICES */
	    "bin/ok\n";
	struct manifest m;
	static struct manifest_entry e;
	manifest_init(&m, text, strlen(text));
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.ngrants, 1);
	assert_int_equal(e.ndevices, 2);
	assert_int_equal(e.devices[0].vendor, 0x1af4);
	assert_int_equal(e.devices[0].device, 0x1001);
	assert_string_equal(e.devices[0].platform, "");
	assert_int_equal(e.devices[1].vendor, 0x1af4);
	assert_int_equal(e.devices[1].device, 0x1042);
	assert_string_equal(e.bind_class, "block");
	assert_string_equal(e.args[0], "vd%");
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.ndevices, 1);
	assert_string_equal(e.devices[0].platform, "i8042");
	assert_string_equal(e.bind_class, "input");
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.ndevices, 0);
	assert_string_equal(e.bind_class, "rng");
	for (unsigned line = 4; line <= 17; line++) {
		assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
		assert_int_equal(m.line, line);
	}
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.path, "bin/ok");
	assert_int_equal(e.ndevices, 0);
	assert_string_equal(e.bind_class, "");
}

/* What a drivers.d manifest on a disk may ask for: a driver line with log, a bounded
 * pool and bind:, nothing of Exec's besides (docs/drivers.md). */
static void test_manifest_disk_lines(void **state)
{
	(void)state;
	static const char *const good[] = {
	    "bin/edu-driver log device:1234:11e8 pool:1M",
	    "drv/x device:rtc bind:dev/clock pool:64M -- rtc%",
	    "x device:1:2",
	};
	static const char *const refused[] = {
	    "bin/x log pool:1M", /* not a driver */
	    "bin/x bind:dev/rng -- rng%", /* not a driver either */
	    "bin/x device:1234:11e8 pool:65M", /* more pool than a disk may ask */
	    "bin/x device:1234:11e8 pool:1G",
	    "bin/x device:1234:11e8 hw", /* every device */
	    "bin/x device:1234:11e8 hw.list",
	    "bin/x device:1234:11e8 ns", /* the whole namespace */
	    "bin/x device:1234:11e8 ns.fs",
	    "bin/x device:1234:11e8 ns.fs:/tmp:r", /* even a narrow view */
	    "bin/x device:1234:11e8 console", /* the log's stronger names */
	    "bin/x device:1234:11e8 dmesg",
	    "bin/x device:1234:11e8 initrd",
	    "bin/x device:1234:11e8 power",
	    "bin/x device:1234:11e8 kmem",
	    "bin/x device:1234:11e8 clock",
	    "bin/x device:1234:11e8 sched",
	    "bin/x device:1234:11e8 sh.log",
	    "bin/x device:1234:11e8 self.process",
	    "bin/x device:1234:11e8 log pool:1M device",
	};
	struct manifest m;
	static struct manifest_entry e;
	char why[80];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		manifest_init(&m, good[i], strlen(good[i]));
		assert_int_equal(manifest_next(&m, &e), 1);
		assert_int_equal(manifest_disk_line_check(&e, why, sizeof(why)), 0);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		manifest_init(&m, refused[i], strlen(refused[i]));
		assert_int_equal(manifest_next(&m, &e), 1);
		why[0] = '\0';
		assert_int_equal(manifest_disk_line_check(&e, why, sizeof(why)), ERR_ACCESS_DENIED);
		assert_true(why[0] != '\0');
	}
	/* a reason always ends within its buffer */
	manifest_init(&m, refused[4], strlen(refused[4]));
	assert_int_equal(manifest_next(&m, &e), 1);
	memset(why, 'x', sizeof(why));
	assert_int_equal(manifest_disk_line_check(&e, why, 8), ERR_ACCESS_DENIED);
	assert_int_equal(strlen(why), 7);
	/* a serving driver stays malformed, whatever its source */
	manifest_init(&m, "bin/x device:rtc serve:svc/x", 28);
	assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
}

/* A hostile drivers.d file, as Exec reads it: each refused line says which and why,
 * and the lines after it are still read. */
static void test_manifest_disk_file(void **state)
{
	(void)state;
	static const char text[] = "# a drivers.d manifest\n"
	                           "bin/edu-driver log device:1234:11e8 pool:1M\n"
	                           "bin/x log device:1234:11e8 hw\n"
	                           "bin/x device:1234:11e8 ns.fs:/:rw\n"
	                           "bin/x device:1234:11e8 pool:1G\n"
	                           "bin/x log pool:1M\n"
	                           "../x device:1234:11e8\n"
	                           "bin/x device:1234:11e8 serve:svc/x\n"
	                           "bin/x device:1234:11e8 \x01\n"
	                           "bin/y device:rtc bind:dev/clock log -- rtc%\n";
	static const struct {
		int r;
		const char *why;
	} want[] = {
	    {1, ""},
	    {ERR_ACCESS_DENIED, "grant 'hw'"},
	    {ERR_ACCESS_DENIED, "grant 'ns.fs'"},
	    {ERR_ACCESS_DENIED, "pool over 64 MiB"},
	    {ERR_ACCESS_DENIED, "not a driver line"},
	    {ERR_MALFORMED, "bad program path"},
	    {ERR_MALFORMED, "it does not serve"},
	    {ERR_MALFORMED, "control character"},
	    {1, ""},
	};
	struct manifest m;
	static struct manifest_entry e;
	manifest_init(&m, text, strlen(text));
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(manifest_next_disk(&m, &e), want[i].r);
		assert_int_equal(m.line, i + 2);
		if (want[i].r < 0)
			assert_non_null(strstr(m.error, want[i].why));
	}
	assert_string_equal(e.path, "bin/y");
	assert_string_equal(e.bind_class, "clock");
	assert_int_equal(manifest_next_disk(&m, &e), 0);
}

/* Which devices a line drives, and the instance names its arguments get. */
static void test_manifest_instances(void **state)
{
	(void)state;
	static const char text[] = "bin/d device:1af4:1001 device:i8042 -- x\n";
	struct manifest m;
	static struct manifest_entry e;
	manifest_init(&m, text, strlen(text));
	assert_int_equal(manifest_next(&m, &e), 1);
	struct hw_device_info info = {.bus = HW_BUS_PCI, .vendor = 0x1af4, .device = 0x1001};
	assert_true(manifest_device_matches(&e, &info));
	info.device = 0x1042;
	assert_false(manifest_device_matches(&e, &info));
	info = (struct hw_device_info){.bus = HW_BUS_PLATFORM, .name = "i8042"};
	assert_true(manifest_device_matches(&e, &info));
	strcpy(info.name, "i8042x");
	assert_false(manifest_device_matches(&e, &info));
	info = (struct hw_device_info){.bus = HW_BUS_PCI, .name = "i8042"}; /* ids 0:0 */
	assert_false(manifest_device_matches(&e, &info));
	info = (struct hw_device_info){.bus = HW_BUS_PLATFORM, .vendor = 0x1af4, .device = 0x1001};
	assert_false(manifest_device_matches(&e, &info));
	memset(info.name, 'i', sizeof(info.name)); /* not NUL-terminated: never overread */
	assert_false(manifest_device_matches(&e, &info));

	char name[3], out[16];
	manifest_instance_name("block", 0, name);
	assert_string_equal(name, "a");
	manifest_instance_name("block", 3, name);
	assert_string_equal(name, "d");
	manifest_instance_name("net", 0, name);
	assert_string_equal(name, "0");
	manifest_instance_name("", 15, name);
	assert_string_equal(name, "15");
	assert_int_equal(manifest_expand_arg("vd%", "b", out, sizeof(out)), 0);
	assert_string_equal(out, "vdb");
	assert_int_equal(manifest_expand_arg("%-%", "12", out, sizeof(out)), 0);
	assert_string_equal(out, "12-12");
	assert_int_equal(manifest_expand_arg("plain", "1", out, sizeof(out)), 0);
	assert_string_equal(out, "plain");
	assert_int_equal(manifest_expand_arg("abc%", "1", out, 5), 0);
	assert_string_equal(out, "abc1");
	assert_int_equal(manifest_expand_arg("abc%", "12", out, 5), ERR_OUT_OF_RANGE);
	assert_string_equal(out, "");
	assert_int_equal(manifest_expand_arg("", "1", out, 0), ERR_OUT_OF_RANGE);
}

/* ns.<scheme>:<path>[:<rights>] grants a narrowed view as ns.<scheme>. */
static void test_manifest_views(void **state)
{
	(void)state;
	static const char text[] = "bin/a ns.fs:/tmp:r ns.dev:/block/x:rw ns.svc:/ log\n"
	                           "bin/b ns.fs:/a/b.c:wmr\n"
	                           "bin/x ns.fs:tmp\n"
	                           "bin/x ns.fs:/tmp/\n"
	                           "bin/x ns.fs:/a//b\n"
	                           "bin/x ns.fs:/a/../b\n"
	                           "bin/x ns.fs:/a/./b\n"
	                           "bin/x ns.fs:/.\n"
	                           "bin/x ns.fs:/tmp:\n"
	                           "bin/x ns.fs:/tmp:rr\n"
	                           "bin/x ns.fs:/tmp:x\n"
	                           "bin/x ns.fs:/tmp:r:w\n"
	                           "bin/x ns.:/tmp\n"
	                           "bin/x ns.f$:/tmp\n"
	                           "bin/x ns.fs:/t$p\n"
	                           "bin/x ns.fs:\n"
	                           "bin/x ns.fs:/a ns.fs\n"
	                           "bin/ok ns.fs\n";
	struct manifest m;
	static struct manifest_entry e;
	manifest_init(&m, text, strlen(text));
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.ngrants, 4);
	assert_string_equal(e.grants[0].name, "ns.fs");
	assert_string_equal(e.grants[0].view_path, "/tmp");
	assert_int_equal(e.grants[0].view_rights, MANIFEST_VIEW_R | MANIFEST_VIEW_ALWAYS);
	assert_string_equal(e.grants[1].name, "ns.dev");
	assert_string_equal(e.grants[1].view_path, "/block/x");
	assert_int_equal(e.grants[1].view_rights,
	                 MANIFEST_VIEW_R | MANIFEST_VIEW_W | MANIFEST_VIEW_ALWAYS);
	assert_string_equal(e.grants[2].name, "ns.svc");
	assert_string_equal(e.grants[2].view_path, "/");
	assert_int_equal(e.grants[2].view_rights, 0);
	assert_string_equal(e.grants[3].view_path, "");
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.grants[0].view_path, "/a/b.c");
	assert_int_equal(e.grants[0].view_rights, MANIFEST_VIEW_R | MANIFEST_VIEW_W |
	                                              MANIFEST_VIEW_M | MANIFEST_VIEW_ALWAYS);
	for (unsigned line = 3; line <= 17; line++) {
		int r = manifest_next(&m, &e);
		if (r != ERR_MALFORMED)
			fail_msg("line %u gave %d", line, r);
		assert_int_equal(m.line, line);
	}
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.path, "bin/ok");
	assert_string_equal(e.grants[0].view_path, "");
}

/* Exec's restart policy: doubling delays, then it gives up; an old crash is forgiven. */
static void test_restart_policy(void **state)
{
	(void)state;
	struct restart_log l = {0};
	uint64_t now = UINT64_C(1000) * 1000000000u, d;
	for (unsigned i = 0; i < EXEC_RESTART_MAX; i++) {
		assert_true(restart_next(&l, now, &d));
		assert_int_equal(d, EXEC_RESTART_DELAY_NS << i);
		now += d + 1000;
	}
	assert_int_equal(restart_recent(&l, now), EXEC_RESTART_MAX);
	assert_false(restart_next(&l, now, &d)); /* the limit: given up */
	assert_false(restart_next(&l, now, &d));
	/* once the first restart is a window old, one more is allowed */
	now = l.at[0] + EXEC_RESTART_WINDOW_NS;
	assert_int_equal(restart_recent(&l, now), EXEC_RESTART_MAX - 1);
	assert_true(restart_next(&l, now, &d));
	assert_int_equal(d, EXEC_RESTART_DELAY_NS << (EXEC_RESTART_MAX - 1));
	assert_false(restart_next(&l, now, &d));
	/* a service that stays up long between crashes is always restarted quickly */
	struct restart_log calm = {0};
	for (unsigned i = 0; i < 100; i++) {
		assert_true(restart_next(&calm, now, &d));
		assert_int_equal(d, EXEC_RESTART_DELAY_NS);
		now += EXEC_RESTART_WINDOW_NS;
	}
	/* the delay never passes its cap */
	assert_true(EXEC_RESTART_DELAY_NS << (EXEC_RESTART_MAX - 1) <= EXEC_RESTART_DELAY_MAX_NS);
}

static void test_manifest_good(void **state)
{
	(void)state;
	struct manifest m;
	static struct manifest_entry e;

	manifest_init(&m, good_manifest, strlen(good_manifest));
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.line, 4);
	assert_string_equal(e.path, "bin/hello");
	assert_int_equal(e.ngrants, 2);
	assert_string_equal(e.grants[0].name, "log");
	assert_int_equal(e.grants[0].pool_bytes, 0);
	assert_string_equal(e.grants[1].name, "pool");
	assert_int_equal(e.grants[1].pool_bytes, 16u << 20);
	assert_int_equal(e.nargs, 2);
	assert_string_equal(e.args[0], "world");
	assert_string_equal(e.args[1], "two");
	assert_null(e.args[2]);

	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.path, "bin/usertest");
	assert_int_equal(e.ngrants, 3);
	assert_string_equal(e.grants[1].name, "initrd");
	assert_int_equal(e.grants[2].pool_bytes, 64u << 20);
	assert_int_equal(e.nargs, 0);

	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.path, "bin/a");
	assert_int_equal(e.ngrants, 1);
	assert_int_equal(e.grants[0].pool_bytes, 4096);
	assert_int_equal(e.nargs, 0);

	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.path, "bin/b");
	assert_int_equal(e.nargs, 1);
	assert_string_equal(e.args[0], "--");

	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.grants[0].pool_bytes, 2048);
	assert_string_equal(e.grants[1].name, "self.thing"); /* Exec refuses it, not the parser */

	assert_int_equal(manifest_next(&m, &e), 1);
	assert_string_equal(e.path, "bin/last-no-newline");
	assert_int_equal(e.grants[0].pool_bytes, UINT64_C(1) << 30);
	assert_int_equal(e.line, 9);
	assert_int_equal(manifest_next(&m, &e), 0);
	assert_int_equal(manifest_next(&m, &e), 0);

	manifest_init(&m, NULL, 100);
	assert_int_equal(manifest_next(&m, &e), 0);
	manifest_init(&m, "", 0);
	assert_int_equal(manifest_next(&m, &e), 0);
}

/* Each line alone must be refused; a good line after it must still be read. */
static void test_manifest_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "-bin/x log",
	    "bin/x pool",
	    "bin/x pool:",
	    "bin/x pool:0",
	    "bin/x pool:12Q",
	    "bin/x pool:1MB",
	    "bin/x pool:-1",
	    "bin/x pool:99999999999999999999",
	    "bin/x pool:17179869184G",
	    "bin/x log log",
	    "bin/x pool:1M pool:2M",
	    "bin/x lo$g",
	    "bin/x abcdefghijklmnopqrstuvwxyz",
	    "bin/../x",
	    "..",
	    "bin/x/..",
	    "bi n$/x",
	    "bin/x\x01",
	    "bin/x \x7f",
	    "bin/x log\v",
	    "bin/x a:b",
	};
	static struct manifest_entry e;
	char text[700];
	struct manifest m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(text, sizeof(text), "%s\nbin/ok log\n", bad[i]);
		manifest_init(&m, text, (size_t)n);
		int r = manifest_next(&m, &e);
		if (r != ERR_MALFORMED)
			fail_msg("line '%s' gave %d", bad[i], r);
		assert_int_equal(m.line, 1);
		assert_true(m.error[0] != '\0');
		assert_int_equal(manifest_next(&m, &e), 1);
		assert_string_equal(e.path, "bin/ok");
		assert_int_equal(manifest_next(&m, &e), 0);
	}

	/* a NUL inside a line; an overlong line, word, path; too many grants / args */
	static const char nul[] = "bin/x lo\0g\nbin/ok\n";
	manifest_init(&m, nul, sizeof(nul) - 1);
	assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
	assert_int_equal(manifest_next(&m, &e), 1);

	char *text2 = malloc(4096);
	memset(text2, 'a', 4096);
	text2[MANIFEST_LINE_MAX + 1] = '\n';
	manifest_init(&m, text2, MANIFEST_LINE_MAX + 2);
	assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
	assert_int_equal(manifest_next(&m, &e), 0);
	manifest_init(&m, text2, MANIFEST_LINE_MAX); /* exactly the limit: one long path */
	assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
	manifest_init(&m, text2, MANIFEST_PATH_MAX);
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(strlen(e.path), MANIFEST_PATH_MAX);
	free(text2);

	size_t n = (size_t)snprintf(text, sizeof(text), "bin/x");
	for (int i = 0; i <= MANIFEST_MAX_GRANTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " g%d", i);
	manifest_init(&m, text, n);
	assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
	n = (size_t)snprintf(text, sizeof(text), "bin/x --");
	for (int i = 0; i <= MANIFEST_MAX_ARGS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " a");
	manifest_init(&m, text, n);
	assert_int_equal(manifest_next(&m, &e), ERR_MALFORMED);
	manifest_init(&m, text, n - 2); /* exactly MANIFEST_MAX_ARGS */
	assert_int_equal(manifest_next(&m, &e), 1);
	assert_int_equal(e.nargs, MANIFEST_MAX_ARGS);
}

/* Random and mutated text: never a crash or overread, and every entry keeps the
 * parser's promises. Each text lives in an allocation of exactly its length. */
static void test_manifest_fuzz(void **state)
{
	(void)state;
	static const char alphabet[] = "bin/lgpoK:M0123 --\t#\n\r.x\0\x01\xff";
	static struct manifest_entry e;
	srand(1234);
	for (int round = 0; round < 200000; round++) {
		size_t len = (size_t)(rand() % 200);
		char *t = malloc(len ? len : 1);
		if (round % 2)
			for (size_t i = 0; i < len; i++)
				t[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
		else {
			size_t g = sizeof(good_manifest) - 1;
			for (size_t i = 0; i < len; i++)
				t[i] = good_manifest[i % g];
			for (int k = 0; k < 3 && len; k++)
				t[rand() % len] = (char)rand();
		}
		struct manifest m;
		manifest_init(&m, t, len);
		int r, guard = 0;
		while ((r = manifest_next(&m, &e)) != 0) {
			assert_true(++guard <= 200);
			if (r < 0) {
				assert_int_equal(r, ERR_MALFORMED);
				continue;
			}
			assert_true(e.path[0] != '\0' && e.path[0] != '-');
			assert_true(strlen(e.path) <= MANIFEST_PATH_MAX);
			assert_true(e.ngrants <= MANIFEST_MAX_GRANTS &&
			            e.nargs <= MANIFEST_MAX_ARGS);
			for (unsigned i = 0; i < e.ngrants; i++)
				assert_true(strlen(e.grants[i].name) <= MANIFEST_NAME_MAX);
			assert_null(e.args[e.nargs]);
		}
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start_info),
	    cmocka_unit_test(test_args_build),
	    cmocka_unit_test(test_args_build_errors),
	    cmocka_unit_test(test_args_build_random),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_manifest_good),
	    cmocka_unit_test(test_manifest_serve),
	    cmocka_unit_test(test_manifest_drivers),
	    cmocka_unit_test(test_manifest_instances),
	    cmocka_unit_test(test_manifest_disk_lines),
	    cmocka_unit_test(test_manifest_disk_file),
	    cmocka_unit_test(test_manifest_views),
	    cmocka_unit_test(test_manifest_malformed),
	    cmocka_unit_test(test_manifest_fuzz),
	    cmocka_unit_test(test_restart_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
