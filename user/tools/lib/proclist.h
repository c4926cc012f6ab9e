/*
 * proclist.h - every process in proc:// with its parsed status (proclist.c,
 * target only; ps, top, mem).
 */
#pragma once

#include <stddef.h>

#include "procinfo.h"

/* The processes in our view of proc://, sorted by pid, as a malloc'd array in *out;
 * how many, or -1 (the message printed). */
long proclist_read(struct procinfo **out);
/* One process's status; 0 or an ERR_*. */
long proclist_one(uint32_t pid, struct procinfo *out);
/* Up to cap bytes of one process's status text (its thread lines included) into buf;
 * how many, or an ERR_*. */
long proclist_text(uint32_t pid, char *buf, size_t cap);
