/*
 * fsops.h - the file operations several tools share (fsops.c, target only):
 * copying a file or a tree (cp, mv across providers), removing a tree (rm -r,
 * mv), creating a directory and its parents (mkdir -p), and a name's last part.
 * Each prints its own messages (tool.h) and returns 0 or 1.
 */
#pragma once

#include <stdbool.h>

/* One entry of a directory listing. */
struct fsops_entry {
	char *name;
	unsigned char type; /* DT_* */
};
/* The entries of directory path sorted by name (all: also names starting with '.'),
 * as a malloc'd array in *out; returns how many, or -1 (the message printed). */
long fsops_list(const char *path, bool all, struct fsops_entry **out);
/* Frees what fsops_list() returned. */
void fsops_list_free(struct fsops_entry *e, long n);

/* Copies file from to file to (created or truncated). */
int fsops_copy_file(const char *from, const char *to);
/* Copies from to to: a file, or with recursive a directory and all below it (to must
 * not exist yet, or be a directory to copy into). */
int fsops_copy(const char *from, const char *to, bool recursive);
/* Removes path: a file, or with recursive a directory and everything below it. quiet:
 * a name that does not exist is no error (rm -f). */
int fsops_remove(const char *path, bool recursive, bool quiet);
/* Creates directory path; with parents also the missing directories above it, and an
 * existing directory is no error. */
int fsops_mkdir(const char *path, bool parents);
/* The last name of path ("a/b/" -> "b"), in a static buffer. */
const char *fsops_basename(const char *path);
/* Whether path names a directory. */
bool fsops_is_dir(const char *path);
