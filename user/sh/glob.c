/*
 * glob.c - patterns over the namespace (expand.h's glob hook).
 *
 * The part of the pattern before the last '/' that precedes its first
 * unquoted * ? or [ is taken as it is (so for fs:///tmp/x*.txt fs:///tmp is listed);
 * from there each name of the pattern is matched against a directory's
 * listing, descending into directories for the names that follow. Names
 * starting with '.' match only a pattern starting with '.'. At most
 * SH_GLOB_MAX names; the result is sorted.
 */
#include "sh.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SH_GLOB_MAX 4096

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Match names below dir (a prefix ending in '/', or "") against pat[i..]. */
static int walk(const char *dir, const char *pat, const bool *q, size_t i, struct sh_fields *res,
                int depth)
{
	size_t j = i;
	while (pat[j] && pat[j] != '/')
		j++;
	size_t clen = j - i;
	char *comp = malloc(clen + 1);
	bool *cq = malloc(clen + 1);
	if (!comp || !cq) {
		free(comp);
		free(cq);
		return -1;
	}
	memcpy(comp, pat + i, clen);
	comp[clen] = 0;
	memcpy(cq, q + i, clen * sizeof(bool));
	cq[clen] = false;
	size_t dlen = strlen(dir);
	int err = 0;
	DIR *d = depth < 32 ? opendir(*dir ? dir : ".") : NULL;
	struct dirent *e;
	while (d && !err && res->n < SH_GLOB_MAX && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && comp[0] != '.')
			continue;
		if (!sh_glob_match(comp, cq, e->d_name))
			continue;
		size_t nlen = strlen(e->d_name);
		char *path = malloc(dlen + nlen + 2);
		if (!path) {
			err = -1;
			break;
		}
		memcpy(path, dir, dlen);
		memcpy(path + dlen, e->d_name, nlen + 1);
		if (!pat[j]) {
			err = sh_fields_add(res, path, dlen + nlen);
		} else if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
			path[dlen + nlen] = '/';
			path[dlen + nlen + 1] = 0;
			if (pat[j + 1] == 0) /* a pattern ending in '/': directories */
				err = sh_fields_add(res, path, dlen + nlen + 1);
			else
				err = walk(path, pat, q, j + 1, res, depth + 1);
		}
		free(path);
	}
	if (d)
		closedir(d);
	free(comp);
	free(cq);
	return err;
}

int sh_glob(void *ctx, const char *pattern, const bool *quoted, struct sh_fields *out)
{
	(void)ctx;
	size_t first = 0;
	while (pattern[first] &&
	       !(!quoted[first] &&
	         (pattern[first] == '*' || pattern[first] == '?' || pattern[first] == '[')))
		first++;
	size_t start = 0; /* after the last '/' before the first magic byte */
	for (size_t i = 0; i < first; i++)
		if (pattern[i] == '/')
			start = i + 1;
	char *dir = malloc(start + 1);
	if (!dir)
		return -1;
	memcpy(dir, pattern, start);
	dir[start] = 0;
	struct sh_fields res = {0};
	int err = walk(dir, pattern, quoted, start, &res, 0);
	free(dir);
	if (err) {
		sh_fields_free(&res);
		return -1;
	}
	if (res.n)
		qsort(res.v, res.n, sizeof(char *), cmp_str);
	for (unsigned i = 0; i < res.n && !err; i++)
		err = sh_fields_add(out, res.v[i], strlen(res.v[i]));
	int n = (int)res.n;
	sh_fields_free(&res);
	return err ? -1 : n;
}
