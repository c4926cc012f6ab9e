/*
 * dirent.h - reading directories (dirent.c), a page of SYS_NS_LIST at a time.
 */
#pragma once

#include <sys/types.h>

/* d_type: the S_IF* type bits of sys/stat.h shifted right by 12, as Linux's. */
#define DT_UNKNOWN 0
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[256];
};

typedef struct __libc_dir DIR;

DIR *opendir(const char *path);
/* The next entry (valid until the next call on dir), or NULL at the end (errno kept)
 * or on an error (errno set). */
struct dirent *readdir(DIR *dir);
void rewinddir(DIR *dir);
int closedir(DIR *dir);
int dirfd(DIR *dir);
