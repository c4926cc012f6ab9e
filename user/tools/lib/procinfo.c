/*
 * procinfo.c - parsing a proc:// entry's status text (procinfo.h).
 */
#include "procinfo.h"

#include <string.h>

static uint64_t number(const char *p, const char *end, bool *neg)
{
	uint64_t v = 0;
	*neg = p < end && *p == '-';
	if (*neg)
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

static void copy_word(char *dst, size_t cap, const char *p, const char *end)
{
	size_t n = (size_t)(end - p) < cap - 1 ? (size_t)(end - p) : cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

int procinfo_parse(const char *text, unsigned long len, struct procinfo *out)
{
	memset(out, 0, sizeof(*out));
	bool have_pid = false;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *sp = memchr(p, ' ', (size_t)(eol - p));
		if (sp) {
			size_t klen = (size_t)(sp - p);
			const char *v = sp + 1;
			bool neg;
			uint64_t n = number(v, eol, &neg);
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(p, k, klen) == 0)
			if (KEY("pid")) {
				out->pid = (uint32_t)n;
				have_pid = true;
			} else if (KEY("name")) {
				copy_word(out->name, sizeof(out->name), v, eol);
			} else if (KEY("state")) {
				copy_word(out->state, sizeof(out->state), v, eol);
			} else if (KEY("code")) {
				out->code = neg ? -(int32_t)n : (int32_t)n;
			} else if (KEY("threads")) {
				out->threads = (uint32_t)n;
			} else if (KEY("capabilities")) {
				out->capabilities = (uint32_t)n;
			} else if (KEY("pool_used")) {
				out->pool_used = n;
			} else if (KEY("pool_quota")) {
				out->pool_quota = n;
			} else if (KEY("cpu_ns")) {
				out->cpu_ns = n;
				out->has_cpu = true;
			}
#undef KEY
		}
		p = eol + 1;
	}
	return have_pid ? 0 : -1;
}

/* "thread <id> key value key value ...": 0, or -1 if it is not such a line. */
static int thread_line(const char *p, const char *eol, struct procthread *t)
{
	static const char head[] = "thread ";
	bool neg;
	if ((size_t)(eol - p) < sizeof(head) || memcmp(p, head, sizeof(head) - 1) != 0)
		return -1;
	memset(t, 0, sizeof(*t));
	p += sizeof(head) - 1;
	t->id = number(p, eol, &neg);
	while (p < eol) { /* pairs of words after the id */
		const char *k = memchr(p, ' ', (size_t)(eol - p));
		if (!k)
			break;
		k++;
		const char *ke = memchr(k, ' ', (size_t)(eol - k));
		if (!ke)
			break;
		uint64_t v = number(ke + 1, eol, &neg);
		size_t klen = (size_t)(ke - k);
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
		if (KEY("cpu"))
			t->cpu = (uint32_t)v;
		else if (KEY("weight"))
			t->weight = (uint32_t)v;
		else if (KEY("cpu_ns"))
			t->cpu_ns = v;
		else if (KEY("switches"))
			t->switches = v;
		else if (KEY("wakeups"))
			t->wakeups = v;
		else if (KEY("wake_mean_ns"))
			t->wake_mean_ns = v;
		else if (KEY("wake_max_ns"))
			t->wake_max_ns = v;
#undef KEY
		p = memchr(ke + 1, ' ', (size_t)(eol - ke - 1));
		if (!p)
			break;
	}
	return 0;
}

unsigned procinfo_threads(const char *text, unsigned long len, struct procthread *out, unsigned max)
{
	unsigned n = 0;
	const char *p = text, *end = text + len;
	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (nl && thread_line(p, eol, &out[n]) == 0) /* a cut last line is left out */
			n++;
		p = eol + 1;
	}
	return n;
}
