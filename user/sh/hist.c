/*
 * hist.c - the shell's command history (hist.h).
 */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

static int add_n(struct sh_hist *h, const char *line, size_t n)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == n || n > SH_HIST_LINE_MAX)
		return 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return 1;
	if (h->n && strlen(h->lines[h->n - 1]) == n && memcmp(h->lines[h->n - 1], line, n) == 0)
		return 1;
	char *c = malloc(n + 1);
	if (!c)
		return -1;
	memcpy(c, line, n);
	c[n] = 0;
	if (h->n == SH_HIST_MAX) {
		free(h->lines[0]);
		memmove(h->lines, h->lines + 1, (SH_HIST_MAX - 1) * sizeof(char *));
		h->n--;
	}
	h->lines[h->n++] = c;
	return 0;
}

int sh_hist_add(struct sh_hist *h, const char *line)
{
	return add_n(h, line, strlen(line));
}

void sh_hist_load(struct sh_hist *h, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - i;
		if (n && buf[i + n - 1] == '\r')
			n--;
		if (add_n(h, buf + i, n) < 0)
			return;
		i = end + 1;
	}
}

const char *sh_hist_get(const struct sh_hist *h, unsigned i)
{
	return i < h->n ? h->lines[i] : NULL;
}

int sh_hist_search(const struct sh_hist *h, const char *query, int from)
{
	if (from >= (int)h->n)
		from = (int)h->n - 1;
	for (int i = from; i >= 0; i--)
		if (strstr(h->lines[i], query))
			return i;
	return -1;
}

void sh_hist_free(struct sh_hist *h)
{
	for (unsigned i = 0; i < h->n; i++)
		free(h->lines[i]);
	h->n = 0;
}
