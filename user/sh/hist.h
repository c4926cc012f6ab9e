/*
 * hist.h - the shell's command history (pure: built on the host too).
 *
 * At most SH_HIST_MAX lines, oldest first; adding to a full history drops the
 * oldest. Blank lines and a repeat of the newest line are not added. The file
 * format (~/.sh_history) is one line per entry; sh_hist_load() takes the last
 * SH_HIST_MAX of a file's lines and ignores control characters.
 */
#pragma once

#include <stddef.h>

#define SH_HIST_MAX 500
#define SH_HIST_LINE_MAX 1023 /* longer lines are not kept */

struct sh_hist {
	char *lines[SH_HIST_MAX];
	unsigned n;
};

/* 0, 1 if not added (blank, a repeat, too long), -1 out of memory. */
int sh_hist_add(struct sh_hist *h, const char *line);
/* Add every line of buf (len bytes): the contents of a history file. */
void sh_hist_load(struct sh_hist *h, const char *buf, size_t len);
/* Line i (0 = oldest), or NULL. */
const char *sh_hist_get(const struct sh_hist *h, unsigned i);
/* The newest line at or before index from containing query; -1 if none. */
int sh_hist_search(const struct sh_hist *h, const char *query, int from);
void sh_hist_free(struct sh_hist *h);
