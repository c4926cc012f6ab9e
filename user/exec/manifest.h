/*
 * manifest.h - Charlotte Exec's manifest: which programs to start, with what.
 *
 * Plain text, one program per line:
 *
 *     <path> [grant ...] [-- arg ...]
 *
 * path    a file in the initrd, e.g. bin/hello (letters, digits, '.', '_', '-', '/';
 *         no ".." component); in a drivers.d manifest on the home disk, a file of
 *         that disk (Exec's driversd.c, manifest_disk_line_check())
 * grant   the name of a capability Exec holds ("log", "initrd", ...: letters, digits,
 *         '.', '_', '-'), or pool:<bytes> for a sub-pool of that quota granted as
 *         "pool"; bytes is decimal with an optional K, M or G (binary) suffix; or
 *         serve:<scheme>/<name>: Exec serves <name> in the kernel directory of
 *         <scheme> (fs, dev, proc, svc) and grants the provider's endpoint as
 *         "provider"; such a line is a service: Exec starts it and goes on without
 *         waiting (in test mode it ends services when the manifest is done)
 *       or ns.<scheme>:<path>[:<rights>]: a narrowed view, granted as "ns.<scheme>":
 *         a capability to <path> (absolute, e.g. /tmp; names as for a grant, no "." or
 *         ".." component) below the scheme's root, so the child's <scheme>:/// is that
 *         directory. <rights> is a set of letters: r (READ, LOOKUP, ENUMERATE: look,
 *         list, read), w (WRITE, CREATE, REMOVE: change), m (MANAGE: bind, serve); the
 *         capability also keeps DUPLICATE, TRANSFER and INSPECT. Without <rights>:
 *         Exec's own. ns.fs:/tmp:r gives fs:///tmp read-only, and nothing else of fs://
 *       or device:<vendor>:<device> (PCI ids, 1-4 hex digits each) or
 *         device:<platform name> (i8042, com2, rtc, fb0: as hw_device_info.name); may
 *         be given up to MANIFEST_MAX_DEVICES times: the line is a driver. Exec starts
 *         one instance per device of the machine that matches any of them (a device
 *         goes to the first line that matches it), granting it as "device"
 *       or bind:dev/<class> (block, net, input, display, serial, clock, rng): grants
 *         dev:///<class> as "class", with LOOKUP, CREATE, REMOVE and MANAGE, where the
 *         program binds its entry; the line is a service
 * arg     passed to the program after argv[0] (= path); any printable characters. On a
 *         line with device: or bind:, every '%' becomes the instance's name: a letter
 *         for bind:dev/block (vd% -> vda, vdb, ...), a number otherwise (eth% -> eth0)
 *
 * Words are separated by spaces or tabs; a word starting with '#' starts a comment
 * that runs to the end of the line; blank lines and CR before LF are ignored.
 *
 * The manifest is untrusted input: lines are parsed into fixed-size buffers with every
 * length checked; a malformed line (control characters, an overlong line or word,
 * too many grants or arguments, a bad path, name, quota, view, device or class, a
 * duplicate grant, serve: together with device:) is
 * reported with its line number and skipped, and parsing goes on with the next line.
 * No allocation, no system calls: tested on the host (tests/host/test_charlotte.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/hw.h>
#include <abi/rights.h>

#define MANIFEST_LINE_MAX 512
#define MANIFEST_PATH_MAX 100
#define MANIFEST_NAME_MAX 23
#define MANIFEST_MAX_GRANTS 16
#define MANIFEST_MAX_ARGS 32
#define MANIFEST_MAX_DEVICES 8
/* Instances one driver line may start (a letter each: vda..vdp). */
#define MANIFEST_MAX_INSTANCES 16u

/* Rights letters of a view (ns.<scheme>:<path>:<rights>). */
#define MANIFEST_VIEW_R (RIGHT_READ | RIGHT_LOOKUP | RIGHT_ENUMERATE)
#define MANIFEST_VIEW_W (RIGHT_WRITE | RIGHT_CREATE | RIGHT_REMOVE)
#define MANIFEST_VIEW_M RIGHT_MANAGE
#define MANIFEST_VIEW_ALWAYS (RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT)

struct manifest_grant {
	char name[MANIFEST_NAME_MAX + 1]; /* "pool" for pool:<bytes>, "provider" for serve: */
	uint64_t pool_bytes; /* > 0 only for pool:<bytes> */
	char serve_scheme[MANIFEST_NAME_MAX + 1]; /* serve:<scheme>/<name>, else "" */
	char serve_name[MANIFEST_NAME_MAX + 1];
	/* ns.<scheme>:<path>[:<rights>]: name "ns.<scheme>", view_path "" otherwise */
	char view_path[MANIFEST_PATH_MAX + 1];
	uint64_t view_rights; /* RIGHT_* (0: Exec's own) */
};

/* device:<vendor>:<device> or device:<platform name> */
struct manifest_device {
	uint16_t vendor, device; /* PCI ids when platform is "" */
	char platform[MANIFEST_NAME_MAX + 1];
};

struct manifest_entry {
	unsigned line; /* 1-based line number */
	char path[MANIFEST_PATH_MAX + 1];
	unsigned ngrants;
	struct manifest_grant grants[MANIFEST_MAX_GRANTS];
	unsigned ndevices; /* device: grants; > 0: a driver */
	struct manifest_device devices[MANIFEST_MAX_DEVICES];
	char bind_class[MANIFEST_NAME_MAX + 1]; /* bind:dev/<class>, else "" */
	unsigned nargs; /* words after "--" */
	const char *args[MANIFEST_MAX_ARGS + 1]; /* NULL-terminated; point into strings */
	char strings[MANIFEST_LINE_MAX + 1];
};

struct manifest {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line; /* number of the line last read */
	char error[80]; /* why manifest_next() refused the line, for the log */
};

/* Starts reading text (len bytes, need not be NUL-terminated). */
void manifest_init(struct manifest *m, const char *text, size_t len);

/*
 * Reads the next program line into *e. Returns 1 for an entry, 0 at the end of the
 * text, or ERR_MALFORMED for a malformed line (m->line and m->error say which and
 * why; the next call goes on after it).
 */
int manifest_next(struct manifest *m, struct manifest_entry *e);

/*
 * Lines of a drivers.d manifest on a disk (docs/drivers.md, "Writing a driver outside
 * the tree") may ask for less than the initrd's: a driver line (device:, at least one)
 * with "log", a pool of at most MANIFEST_DISK_POOL_MAX and bind:dev/<class>, nothing
 * else (no serve:, no view, no capability of Exec's by name: "hw", "ns", "console",
 * ...). Its path names a file on that disk. Returns 0, or ERR_ACCESS_DENIED with why
 * (cap bytes, NUL-terminated) saying what the line asked for.
 */
#define MANIFEST_DISK_POOL_MAX (64ull << 20)
int manifest_disk_line_check(const struct manifest_entry *e, char *why, size_t cap);

/*
 * manifest_next() for a drivers.d manifest: a line manifest_disk_line_check() refuses
 * is ERR_ACCESS_DENIED, with m->line and m->error saying which and why (the next call
 * goes on after it), as a malformed one is ERR_MALFORMED.
 */
int manifest_next_disk(struct manifest *m, struct manifest_entry *e);

/* Whether device info (from the root device's enumeration) is one e drives. */
bool manifest_device_matches(const struct manifest_entry *e, const struct hw_device_info *info);

/*
 * The name of instance n of a line (n < MANIFEST_MAX_INSTANCES) binding in class
 * (bind_class, "" when none): a letter from 'a' for "block", a decimal number
 * otherwise. Writes it with a NUL into out (at least 3 bytes).
 */
void manifest_instance_name(const char *class, unsigned n, char out[3]);

/*
 * arg with every '%' replaced by inst, into out (cap bytes). Returns 0, or
 * ERR_OUT_OF_RANGE when it does not fit (out then holds "").
 */
int manifest_expand_arg(const char *arg, const char *inst, char *out, size_t cap);
