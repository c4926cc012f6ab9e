/*
 * shtest.h - what bin/shtest's files share (shtest.c: the scripted tests and the
 * helper roles; term.c: the shell on a terminal shtest plays the console of).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <charlotte/spawn.h>

#define SHDIR "fs:///tmp/shtest"
#define SHTEST_SH_POOL (8u << 20) /* each bin/sh's pool */

/* A grant of the capability we hold as name, with our rights. */
bool shtest_grant_named(struct ch_grant *g, const char *name);
/* Write a whole file; 0 or -1. */
int shtest_put_file(const char *path, const void *data, size_t len);

void shtest_interactive(void);
void shtest_jobctl(void);
