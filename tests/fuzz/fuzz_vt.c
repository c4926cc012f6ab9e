/*
 * fuzz_vt.c - libFuzzer target for bin/console's terminal emulator
 * (user/console/vt.c) and line discipline (ldisc.c): any program output and
 * any typed bytes.
 *
 * The first two bytes pick the screen (1..32 columns, 1..16 rows) and the
 * scrollback (0..15 lines), so small and degenerate screens get as much
 * attention as real ones; the rest is written in pieces whose lengths come
 * from the input, with the view moved now and then. After each piece vt.h's
 * promises must hold: the cursor on the screen (col == cols only as a pending
 * wrap), the region inside it, the view inside the scrollback, the parameter
 * count bounded, the answer buffer within its size, every row of the view
 * readable. The same bytes are then typed into a line discipline in both
 * modes: the pending line never passes LDISC_LINE_MAX.
 */
#include "fuzz.h"

#include <string.h>

#include <abi/term.h>

#include "../../user/console/ldisc.h"
#include "../../user/console/vt.h"

static void check(const struct vt *v)
{
	FUZZ_CHECK(v->row < v->rows);
	FUZZ_CHECK(v->col <= v->cols);
	FUZZ_CHECK(v->top <= v->bottom && v->bottom < v->rows);
	FUZZ_CHECK(v->nparams <= VT_MAX_PARAMS + 1);
	FUZZ_CHECK(v->sb_count <= v->sb_max && v->view <= v->sb_count);
	FUZZ_CHECK(v->answer_len <= sizeof(v->answer));
	FUZZ_CHECK(v->grid == (v->alt_active ? v->alternate : v->primary));
	for (unsigned r = 0; r < v->rows; r++) {
		const struct vt_cell *c = vt_view_row(v, r);
		FUZZ_CHECK(c[v->cols - 1].fg < 16 && c[0].bg < 16);
	}
}

static size_t delivered;
static void deliver(void *ctx, const char *b, size_t n)
{
	(void)ctx;
	(void)b;
	FUZZ_CHECK(n <= LDISC_LINE_MAX);
	delivered += n;
}
static void echo(void *ctx, const char *b, size_t n)
{
	(void)ctx;
	(void)b;
	(void)n;
}
static void event(void *ctx, uint32_t ev)
{
	(void)ctx;
	FUZZ_CHECK(ev >= TERM_EV_INTR && ev <= TERM_EV_QUIT);
}
static const struct ldisc_ops ops = {deliver, echo, event};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vt v;
	static struct ldisc ld;
	if (size < 2)
		return 0;
	unsigned cols = (data[0] & 31) + 1, rows = (data[1] & 15) + 1, sb = data[1] >> 4;
	if (vt_init(&v, cols, rows, sb) != 0)
		abort();
	const uint8_t *p = data + 2;
	size_t left = size - 2;
	while (left) {
		size_t n = (size_t)(p[0] % 64) + 1;
		if (n > left)
			n = left;
		vt_write(&v, p, n);
		check(&v);
		v.answer_len = 0;
		if (p[0] & 0x80)
			vt_scroll_view(&v, (int)(p[0] & 15) - 8);
		p += n;
		left -= n;
	}
	vt_free(&v);

	for (uint32_t mode = 0; mode <= TERM_MODE_ALL; mode += TERM_MODE_ALL) {
		ldisc_init(&ld, &ops, NULL);
		ldisc_set_mode(&ld, mode);
		for (size_t i = 2; i < size; i++) {
			ldisc_input(&ld, (const char *)&data[i], 1);
			FUZZ_CHECK(ld.len < LDISC_LINE_MAX);
		}
	}
	return 0;
}
