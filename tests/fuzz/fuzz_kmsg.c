/*
 * fuzz_kmsg.c - libFuzzer target for libcharlotte's checks of received kbus
 * messages (user/lib/charlotte/kmsg.c), the code between what a peer sent and
 * what a receiver trusts: typed messages (ch_msg_check: ch_msg_recv_typed,
 * ch_msg_call_typed), bulk transfers (ch_bulk_msg_check, ch_bulk_range_check:
 * ch_bulk_recv, before it maps anything) and device replies (ch_dev_reply_check:
 * ch_dev_call). The provider protocol's decoder is fuzz_nsprov's; the kernel's
 * decoding of struct kbus_msg is sysfuzz's, in the VM.
 *
 * The input is a prefix of PREFIX bytes, then the message's bytes (all of the
 * rest), copied to a buffer of exactly their length so that ASan catches a read
 * past what arrived. The prefix is what the kernel and the receiver add:
 *   [0..4)   want: the typed type asked for; also the device request's type
 *   [4..8)   the handle received (bulk)
 *   [8..16)  size of the memory object the bulk handle names
 *   [16..18) rep_len: the device reply's length asked for
 *   [18]     nhandles received, [19] nh: the device call's handles asked for
 *   [20]     ctl: bit 0 keeps size whole (otherwise folded to 0..65536, and the
 *            range the check accepts is read from a buffer of that size); bit 1
 *            makes rep_len the length that arrived
 * The received handles are an array of exactly nhandles (none: no array).
 *
 * Each check must accept exactly the messages its header promises and no other:
 * a typed message is accepted whole (its length returned) iff it holds a header
 * whose len is the bytes received and whose type is the one asked for; a bulk
 * message iff it is a whole struct ch_bulk_msg with one valid handle, and its
 * range iff offset + len <= size without wrapping (then every byte of it is
 * read); a device reply is accepted iff it is exactly the reply asked for with
 * a status >= 0 and the handles asked for, and an error given back is always
 * the status (< 0) of a whole struct dev_status_reply or of the reply asked for.
 *
 * FUZZ_WRITE_SEEDS=<dir> fuzz_kmsg writes the seed corpus into dir and exits.
 */
#include "fuzz.h"

#include <abi/dev/ring.h>
#include <abi/errors.h>

#include <charlotte/bulk.h>
#include <charlotte/devcall.h>
#include <charlotte/kbus.h>

#include <stdbool.h>
#include <string.h>

#define PREFIX 21u
#define CTL_HUGE_SIZE 1u
#define CTL_FIT_REPLY 2u
#define SMALL_SIZE 65536u

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void check_typed(const uint8_t *msg, uint32_t len, uint32_t want)
{
	struct ch_msg_hdr h = {0};
	long r = ch_msg_check(msg, len, want);
	if (len >= sizeof(h))
		memcpy(&h, msg, sizeof(h));
	bool good = len >= sizeof(h) && h.len == len && (want == CH_MSG_ANY || h.type == want);
	FUZZ_CHECK(r == (good ? (long)len : ERR_MALFORMED));
}

static void check_bulk(const uint8_t *msg, uint32_t len, uint32_t nhandles, handle_t h,
                       uint64_t size, bool touch)
{
	handle_t *hs = nhandles ? malloc(nhandles * sizeof(*hs)) : NULL;
	for (uint32_t i = 0; i < nhandles; i++)
		hs[i] = i ? h + i : h;
	int r = ch_bulk_msg_check(msg, len, nhandles, hs);
	free(hs);
	struct ch_bulk_msg m = {0};
	if (len >= sizeof(m.hdr))
		memcpy(&m, msg, len < sizeof(m) ? len : sizeof(m));
	bool good = len == sizeof(m) && m.hdr.type == CH_MSG_TYPE_BULK && m.hdr.len == len &&
	            nhandles == 1 && h != HANDLE_INVALID;
	FUZZ_CHECK(r == (good ? 0 : ERR_MALFORMED));
	if (r < 0)
		return;

	r = ch_bulk_range_check(&m, size);
	unsigned __int128 end = (unsigned __int128)m.offset + m.len;
	FUZZ_CHECK(r == (end <= size ? 0 : ERR_MALFORMED));
	if (r < 0 || !touch)
		return;
	/* what the receiver then reads: exactly size bytes there, as mapped */
	uint8_t *obj = malloc(size ? size : 1);
	memset(obj, 0x5a, size);
	unsigned sum = 0;
	for (uint64_t i = 0; i < m.len; i++)
		sum += obj[m.offset + i];
	FUZZ_CHECK(sum == 0x5a * m.len);
	free(obj);
}

static void check_dev(const uint8_t *msg, uint32_t got, uint32_t req_type, uint32_t rep_len,
                      uint32_t nhandles, uint32_t nh)
{
	if (got > rep_len)
		return; /* the kernel never delivers more than the buffer holds */
	long r = ch_dev_reply_check(req_type, msg, got, rep_len, nhandles, nh);
	struct dev_status_reply a = {0};
	memcpy(&a, msg, got < sizeof(a) ? got : sizeof(a));
	bool whole_error = got == sizeof(a) && a.hdr.len == sizeof(a) && a.status < 0;
	bool shape = got == rep_len && a.hdr.type == req_type && a.hdr.len == rep_len;
	if (r == 0) {
		FUZZ_CHECK(shape && a.status >= 0 && nhandles == nh);
	} else if (r != ERR_MALFORMED) {
		FUZZ_CHECK(r < 0 && r == a.status && (whole_error || shape));
	} else {
		FUZZ_CHECK(!(shape && a.status >= 0 && nhandles == nh));
		FUZZ_CHECK(!(whole_error || (shape && a.status < 0)) || a.status == ERR_MALFORMED);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < PREFIX || size - PREFIX > UINT32_MAX)
		return 0;
	uint32_t want = get32(data);
	handle_t h = get32(data + 4);
	uint64_t obj_size = get64(data + 8);
	uint32_t rep_len = (uint32_t)data[16] | (uint32_t)data[17] << 8;
	uint32_t nhandles = data[18], nh = data[19], ctl = data[20];
	uint32_t len = (uint32_t)(size - PREFIX);
	if (!(ctl & CTL_HUGE_SIZE))
		obj_size %= SMALL_SIZE + 1;
	if (ctl & CTL_FIT_REPLY)
		rep_len = len;

	uint8_t *msg = malloc(len ? len : 1); /* exactly what arrived */
	memcpy(msg, data + PREFIX, len);
	check_typed(msg, len, want);
	check_bulk(msg, len, nhandles, h, obj_size, !(ctl & CTL_HUGE_SIZE));
	check_dev(msg, len, want, rep_len, nhandles, nh);
	free(msg);
	return 0;
}

/* --- seeds --- */

static void write_seed(const char *dir, const char *name, const void *prefix, const void *msg,
                       size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(prefix, 1, PREFIX, f) != PREFIX || fwrite(msg, 1, len, f) != len ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void set_prefix(uint8_t *p, uint32_t want, handle_t h, uint64_t size, uint32_t nhandles,
                       uint32_t nh, uint32_t ctl)
{
	memset(p, 0, PREFIX);
	memcpy(p, &want, 4);
	memcpy(p + 4, &h, 4);
	memcpy(p + 8, &size, 8);
	p[18] = (uint8_t)nhandles;
	p[19] = (uint8_t)nh;
	p[20] = (uint8_t)ctl;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *dir = getenv("FUZZ_WRITE_SEEDS");
	if (!dir)
		return 0;
	uint8_t p[PREFIX];
	struct ch_bulk_msg b = {.hdr = {CH_MSG_TYPE_BULK, sizeof(b)}, .offset = 4096, .len = 100};
	set_prefix(p, CH_MSG_TYPE_BULK, 0x10001, 8192, 1, 0, 0);
	write_seed(dir, "bulk", p, &b, sizeof(b));
	b.offset = 8192 - 100;
	set_prefix(p, CH_MSG_TYPE_BULK, 0x10001, 8192, 1, 0, 0);
	write_seed(dir, "bulk-end", p, &b, sizeof(b));
	b.offset = UINT64_MAX - 10;
	set_prefix(p, CH_MSG_TYPE_BULK, 0x10001, UINT64_MAX, 1, 0, CTL_HUGE_SIZE);
	write_seed(dir, "bulk-wrap", p, &b, sizeof(b));

	struct {
		struct ch_msg_hdr hdr;
		char text[12];
	} t = {{CH_MSG_TYPE_USER, sizeof(t)}, "hello world"};
	set_prefix(p, CH_MSG_TYPE_USER, 0, 0, 0, 0, 0);
	write_seed(dir, "typed", p, &t, sizeof(t));
	set_prefix(p, CH_MSG_ANY, 0, 0, 2, 0, 0);
	write_seed(dir, "typed-any", p, &t, sizeof(t));

	struct {
		struct dev_status_reply s;
		uint64_t extra[2];
	} d = {.s = {{DEV_MSG_BLOCK + 1, sizeof(d)}, 0, 0}, .extra = {1, 2}};
	set_prefix(p, DEV_MSG_BLOCK + 1, 0, 0, 1, 1, CTL_FIT_REPLY);
	write_seed(dir, "dev-reply", p, &d, sizeof(d));
	struct dev_status_reply e = {{DEV_MSG_BLOCK + 7, sizeof(e)}, ERR_ACCESS_DENIED, 0};
	set_prefix(p, DEV_MSG_BLOCK + 1, 0, 0, 0, 1, 0);
	p[16] = sizeof(d);
	write_seed(dir, "dev-error", p, &e, sizeof(e));
	exit(0);
}
