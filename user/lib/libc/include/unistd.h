/*
 * unistd.h - descriptors and paths (fd.c, path.c).
 *
 * Descriptors 0-2 are the console (0 reads as empty, 1 and 2 write through
 * __libc_write); every other one names a namespace capability, an offset and the
 * flags it was opened with. Paths are URIs or plain paths (docs/userspace.md "Files").
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
off_t lseek(int fd, off_t off, int whence);
int close(int fd);
int ftruncate(int fd, off_t size);
int truncate(const char *path, off_t size);
int unlink(const char *path);
int rmdir(const char *path);
/* Change the current directory: relative paths start there (and ".." above it is
 * resolved lexically from the directory's path). */
int chdir(const char *path);
/* The current directory as a plain path ("/tmp"), or "<scheme>:///<path>" outside fs. */
char *getcwd(char *buf, size_t size);
