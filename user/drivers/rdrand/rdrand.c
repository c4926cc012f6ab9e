/*
 * rdrand - the CPU's random number generator (RDRAND) through the rng class:
 * `bin/rdrand <name>` binds dev:///rng/<name>. No device capability: the
 * instruction is every process's; the driver exists so programs get hardware
 * randomness through the one class whatever the source. A CPU without RDRAND
 * makes the driver report ERR_NOT_SUPPORTED; RDRAND failing ten times in a
 * row (carry clear: the generator is drained or broken) answers ERR_IO.
 * Grants: log, pool, ns, ready.
 */
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/cpu.h>
#include <charlotte/devcall.h>
#include <charlotte/names.h>
#include <charlotte/rngserve.h>

#define RETRIES 10

static long fill(void *drv, uint8_t *buf, uint32_t len)
{
	(void)drv;
	uint32_t n = 0;
	while (n < len) {
		uint64_t v;
		int ok = 0;
		for (int i = 0; i < RETRIES && !ok; i++)
			ok = ch_rdrand64(&v);
		if (!ok)
			return n ? (long)n : ERR_IO;
		uint32_t k = len - n < 8 ? len - n : 8;
		memcpy(buf + n, &v, k);
		n += k;
	}
	return n;
}

int main(int argc, char **argv)
{
	static struct rng_server srv = {.fill = fill};
	if (argc < 2) {
		printf("usage: rdrand <name>\n");
		return 2;
	}
	long r = ch_cpu_has_rdrand() ? rng_serve_bind(&srv, argv[1]) : ERR_NOT_SUPPORTED;
	if (r == ERR_NOT_SUPPORTED)
		ch_dev_ready(r);
	printf("rdrand: %s: %s\n", argv[1], ch_error_name(r));
	if (r >= 0)
		r = rng_serve_run(&srv);
	return 1;
}
