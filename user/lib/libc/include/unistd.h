/*
 * unistd.h - descriptors and paths (fd.c, path.c).
 *
 * A descriptor names a namespace file (a capability, an offset, the flags it was
 * opened with) or a stream (a kbus endpoint: a pipe or a terminal, abi/term.h).
 * Descriptors 0-2 are what the spawner named "stdin", "stdout" and "stderr"; without
 * those, 0 reads as empty and 1 and 2 write to the log. Paths are URIs or plain paths
 * (docs/userspace.md "Files", "Descriptors and streams").
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
/* A new descriptor (the lowest free) for fd's open file; they share offset and capability. */
int dup(int fd);
/* Make nfd name fd's open file (closing what nfd named first); returns nfd. */
int dup2(int fd, int nfd);
/* A pipe: fds[0] reads what fds[1] writes (a kbus channel of kind KBUS_KIND_PIPE paid
 * by "pool"). Writing once the reader is closed is EPIPE; reading after the writer
 * closed and everything is read gives 0. */
int pipe(int fds[2]);
/* 1 if fd is a terminal session's stream; 0 with errno ENOTTY or EBADF otherwise. */
int isatty(int fd);
int ftruncate(int fd, off_t size);
int truncate(const char *path, off_t size);
/* Owner and group ((uid_t)-1 / (gid_t)-1: unchanged); WRITE and MANAGE on the file
 * (sys/stat.h's chmod says more; attr.c). lchown changes a link itself. */
int chown(const char *path, uid_t uid, gid_t gid);
int fchown(int fd, uid_t uid, gid_t gid);
int lchown(const char *path, uid_t uid, gid_t gid);
int unlink(const char *path);
int rmdir(const char *path);
/* Change the current directory: relative paths start there (and ".." above it is
 * resolved lexically from the directory's path). */
int chdir(const char *path);
/* The current directory as a plain path ("/tmp"), or "<scheme>:///<path>" outside fs. */
char *getcwd(char *buf, size_t size);

/* getopt.c: POSIX short options ("ab:c", a ':' first: missing arguments return ':' and
 * nothing is printed); -1 at the first operand or after "--". optind = 0 starts over. */
extern char *optarg;
extern int optind, opterr, optopt;
int getopt(int argc, char *const argv[], const char *optstring);
