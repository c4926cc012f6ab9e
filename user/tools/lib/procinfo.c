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
