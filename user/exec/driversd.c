/*
 * driversd.c - driver lines from the home disk: fs:///disk/etc/drivers.d/<x>.manifest
 * (docs/drivers.md, "Writing a driver outside the tree").
 *
 * On a normal boot, once the initrd's manifest is done (its fsd line serves
 * fs:///disk), Exec reads every file of EXEC_DRIVERS_DIR whose name ends in
 * ".manifest", in name order, with the parser of the initrd's manifest. Each line must
 * also pass manifest_disk_line_check() (manifest_next_disk()): a driver line asking for "log", a bounded pool
 * and bind:dev/<class> only. Its path names a program on the disk, below
 * EXEC_DRIVERS_ROOT, read whole into memory (at most EXEC_DRIVERS_IMAGE_MAX bytes) and
 * kept for the driver's restarts; the ELF checks are ch_spawn()'s. A line that is
 * malformed or asks for more, and a program that cannot be read, are logged and
 * skipped ("<file>:<line>: <why> (line refused)"); the other lines go on.
 *
 * Whoever may write that directory may run a driver with a device that no initrd line
 * took: as much trust as the initrd's manifest (docs/drivers.md, "The trust boundary").
 */
#include "exec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DRIVERS_MAX_FILES 16u
#define DRIVERS_NAME_MAX 64u
#define DRIVERS_MANIFEST_MAX (16u * 1024u)
static const char suffix[] = ".manifest";

/* Reads uri whole (at most max bytes) into a new buffer: *len bytes, or NULL with
 * errno (EFBIG: larger than max). */
static void *read_whole(const char *uri, size_t max, size_t *len)
{
	struct stat st;
	int fd = open(uri, O_RDONLY);
	if (fd < 0)
		return NULL;
	int err = fstat(fd, &st) < 0           ? errno
	          : !S_ISREG(st.st_mode)       ? EISDIR
	          : st.st_size <= 0            ? EIO
	          : (uint64_t)st.st_size > max ? EFBIG
	                                       : 0;
	if (err) {
		close(fd);
		errno = err;
		return NULL;
	}
	size_t want = (size_t)st.st_size, got = 0;
	char *buf = malloc(want + 1);
	while (buf && got < want) {
		ssize_t n = read(fd, buf + got, want - got);
		if (n <= 0) {
			errno = n < 0 ? errno : EIO;
			free(buf);
			buf = NULL;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (buf) {
		buf[got] = '\0';
		*len = got;
	}
	return buf;
}

/* The lines of one manifest file. */
static void load_file(const char *uri, exec_disk_driver_fn *start)
{
	size_t len;
	char *text = read_whole(uri, DRIVERS_MANIFEST_MAX, &len);
	if (!text) {
		printf("%s: cannot read: %s\n", uri, strerror(errno));
		return;
	}
	struct manifest m;
	static struct manifest_entry e;
	char prog[sizeof(EXEC_DRIVERS_ROOT) + MANIFEST_PATH_MAX];
	int r;
	manifest_init(&m, text, len);
	while ((r = manifest_next_disk(&m, &e)) != 0) {
		if (r < 0) { /* malformed, or asks for more than a disk's line may */
			printf("%s:%u: %s (line refused)\n", uri, m.line, m.error);
			continue;
		}
		size_t image_len;
		snprintf(prog, sizeof(prog), "%s%s", EXEC_DRIVERS_ROOT, e.path);
		void *image = read_whole(prog, EXEC_DRIVERS_IMAGE_MAX, &image_len);
		if (!image) {
			printf("%s:%u: %s: %s (line refused)\n", uri, m.line, prog,
			       errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
			continue;
		}
		printf("%s:%u: %s\n", uri, m.line, prog);
		start(&e, image, image_len); /* owns image from here */
	}
	free(text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

void exec_drivers_dir(exec_disk_driver_fn *start)
{
	static char names[DRIVERS_MAX_FILES][DRIVERS_NAME_MAX];
	unsigned n = 0;
	DIR *d = opendir(EXEC_DRIVERS_DIR);
	if (!d) {
		printf("%s: %s (no drivers from the disk)\n", EXEC_DRIVERS_DIR, strerror(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= sizeof(suffix) - 1 ||
		    strcmp(de->d_name + l - (sizeof(suffix) - 1), suffix))
			continue;
		if (l >= DRIVERS_NAME_MAX || n == DRIVERS_MAX_FILES) {
			printf("%s: %s left out (more than %u files, or a name over %u bytes)\n",
			       EXEC_DRIVERS_DIR, de->d_name, DRIVERS_MAX_FILES,
			       DRIVERS_NAME_MAX - 1);
			continue;
		}
		memcpy(names[n++], de->d_name, l + 1);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (unsigned i = 0; i < n; i++) {
		char uri[sizeof(EXEC_DRIVERS_DIR) + DRIVERS_NAME_MAX + 1];
		snprintf(uri, sizeof(uri), "%s/%s", EXEC_DRIVERS_DIR, names[i]);
		load_file(uri, start);
	}
}
