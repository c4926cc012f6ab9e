/*
 * cap_stress.c - the two large capability host tests.
 *
 * cap_test_random_model: 160,000 random operations (insert, derive, derive
 * into another cspace, duplicate, copy, move, drop, revoke, inspect, lookup)
 * on live, stale and forged handles in four cspaces. A reference model keeps
 * who holds what (cspace, handle, object, rights, badge, parent); each
 * operation's result is predicted from the model and compared, and after
 * every step every live capability is looked up and compared, slot counts and
 * object reference counts are compared, dead handles are checked to stay dead
 * and every capability's rights are checked to be within its parent's.
 *
 * cap_test_threads: worker threads derive, duplicate, copy, move, drop,
 * revoke and look up capabilities below a per-round root while the main
 * thread revokes and drops that root. After the revocation returns, every
 * operation on any capability of the round must fail with ERR_BAD_HANDLE;
 * after each round the cspaces are empty and the round's object is freed
 * (ASan catches any use after free by workers still holding a cap_ref).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <cap/cap.h>
#include <obj/test_object.h>

#include "cap_test.h"

/* ---------------------------------------------------------------- model */

#define M_SPACES 4
#define M_OBJS 5
#define M_MAX_LIMIT 48
#define M_CAPS (M_SPACES * M_MAX_LIMIT)
#define M_DEAD 128

struct mcap {
	bool live;
	int cs;
	handle_t h;
	int obj;
	uint64_t rights, badge;
	int parent; /* index in caps[] of the parent, -1 for a root */
};

struct model {
	uint32_t limit;
	struct cspace *cs[M_SPACES];
	struct test_object *obj[M_OBJS];
	struct mcap caps[M_CAPS];
	uint32_t count[M_SPACES];
	struct {
		int cs;
		handle_t h;
	} dead[M_DEAD];
	int ndead;
	uint64_t rng;
	uint64_t ok, failed;
};

enum m_new_kind { M_DERIVE, M_DERIVE_TO, M_DUPLICATE, M_COPY };

static int m_find(struct model *m, int cs, handle_t h)
{
	for (int i = 0; i < M_CAPS; i++)
		if (m->caps[i].live && m->caps[i].cs == cs && m->caps[i].h == h)
			return i;
	return -1;
}

static void m_add(struct model *m, int cs, handle_t h, int obj, uint64_t rights, uint64_t badge,
                  int parent)
{
	for (int i = 0; i < M_CAPS; i++) {
		if (!m->caps[i].live) {
			m->caps[i] = (struct mcap){true, cs, h, obj, rights, badge, parent};
			m->count[cs]++;
			return;
		}
	}
	fail_msg("model table full");
}

static void m_remember_dead(struct model *m, int cs, handle_t h)
{
	int i = m->ndead < M_DEAD ? m->ndead++ : (int)rnd_below(&m->rng, M_DEAD);
	m->dead[i].cs = cs;
	m->dead[i].h = h;
}

static void m_kill(struct model *m, int i)
{
	m->caps[i].live = false;
	m->count[m->caps[i].cs]--;
	m_remember_dead(m, m->caps[i].cs, m->caps[i].h);
}

/* The model's cap_drop(): children move up to the dropped capability's parent. */
static void m_drop(struct model *m, int x)
{
	for (int i = 0; i < M_CAPS; i++)
		if (m->caps[i].live && m->caps[i].parent == x)
			m->caps[i].parent = m->caps[x].parent;
	m_kill(m, x);
}

/* Mark in desc[] every live strict descendant of x; return how many. */
static int m_descendants(struct model *m, int x, bool desc[M_CAPS])
{
	signed char known[M_CAPS] = {0}; /* 0 unknown, 1 descendant, -1 not */
	int path[M_CAPS], n = 0;
	for (int i = 0; i < M_CAPS; i++) {
		if (!m->caps[i].live || i == x)
			continue;
		int len = 0, j = i;
		signed char res;
		for (;;) {
			if (j == x) {
				res = 1;
				break;
			}
			if (j < 0) {
				res = -1;
				break;
			}
			if (known[j]) {
				res = known[j];
				break;
			}
			path[len++] = j;
			j = m->caps[j].parent;
		}
		while (len)
			known[path[--len]] = res;
	}
	for (int i = 0; i < M_CAPS; i++) {
		desc[i] = m->caps[i].live && i != x && known[i] == 1;
		n += desc[i];
	}
	return n;
}

/* A source handle: usually a live capability, else a stale or forged one. */
static void m_pick(struct model *m, int *cs, handle_t *h)
{
	int live[M_CAPS], n = 0;
	for (int i = 0; i < M_CAPS; i++)
		if (m->caps[i].live)
			live[n++] = i;
	uint32_t r = rnd_below(&m->rng, 100);
	if (n && r < 85) {
		struct mcap *c = &m->caps[live[rnd_below(&m->rng, (uint32_t)n)]];
		*cs = c->cs;
		*h = c->h;
	} else if (m->ndead && r < 93) {
		int i = (int)rnd_below(&m->rng, (uint32_t)m->ndead);
		*cs = m->dead[i].cs;
		*h = m->dead[i].h;
	} else {
		*cs = (int)rnd_below(&m->rng, M_SPACES);
		*h = r & 1 ? (handle_t)rnd(&m->rng)
		           : HANDLE_MAKE(rnd_below(&m->rng, 64), 1 + rnd_below(&m->rng, 3));
	}
}

static uint64_t m_rights(struct model *m, uint64_t base)
{
	uint64_t r = base & rnd(&m->rng);
	if (rnd_below(&m->rng, 4))
		r |= base & RIGHTS_GENERIC;
	if (rnd_below(&m->rng, 12) == 0)
		r |= UINT64_C(1) << rnd_below(&m->rng, 64); /* try to gain a right */
	return r;
}

static uint64_t m_badge(struct model *m, uint64_t base)
{
	uint32_t r = rnd_below(&m->rng, 10);
	return r < 6 ? 0 : r < 8 ? base : 1 + rnd_below(&m->rng, 3);
}

static void m_result(struct model *m, int got, int want, const char *op)
{
	if (got != want)
		fail_msg("%s: got %d, model says %d", op, got, want);
	if (got < 0)
		m->failed++;
	else
		m->ok++;
}

/* derive / derive_to / duplicate / copy_to, predicted and checked. */
static void m_op_new(struct model *m, enum m_new_kind kind, int cs, handle_t h, int to)
{
	int src = m_find(m, cs, h);
	struct mcap *s = src >= 0 ? &m->caps[src] : NULL;
	if (kind == M_DERIVE || kind == M_DUPLICATE)
		to = cs;
	uint64_t need = RIGHT_DUPLICATE;
	if (kind == M_COPY || (kind == M_DERIVE_TO && to != cs))
		need |= RIGHT_TRANSFER;
	bool keep = kind == M_DUPLICATE || kind == M_COPY;
	uint64_t rights = m_rights(m, s ? s->rights : RIGHTS_ALL);
	uint64_t badge = m_badge(m, s ? s->badge : 0);
	uint64_t arg_rights = rights, arg_badge = badge;

	int want = 0;
	if (!s)
		want = ERR_BAD_HANDLE;
	else if ((s->rights & need) != need)
		want = ERR_ACCESS_DENIED;
	else if (!keep && ((rights & ~s->rights) || (badge && s->badge && badge != s->badge)))
		want = ERR_ACCESS_DENIED;
	else if (m->count[to] >= m->limit)
		want = ERR_NO_RESOURCES;
	if (keep && s) {
		rights = s->rights;
		badge = s->badge;
	} else if (s && !badge) {
		badge = s->badge;
	}

	handle_t out = HANDLE_INVALID;
	int got;
	switch (kind) {
	case M_DERIVE:
		got = cap_derive(m->cs[cs], h, arg_rights, arg_badge, &out);
		break;
	case M_DERIVE_TO:
		got = cap_derive_to(m->cs[cs], h, m->cs[to], arg_rights, arg_badge, &out);
		break;
	case M_DUPLICATE:
		got = cap_duplicate(m->cs[cs], h, &out);
		break;
	default:
		got = cap_copy_to(m->cs[cs], h, m->cs[to], &out);
		break;
	}
	m_result(m, got, want, "new capability");
	if (got == 0)
		m_add(m, to, out, s->obj, rights, badge, kind == M_DUPLICATE ? s->parent : src);
}

static void m_op_root(struct model *m)
{
	int cs = (int)rnd_below(&m->rng, M_SPACES), o = (int)rnd_below(&m->rng, M_OBJS);
	uint64_t rights = rnd_below(&m->rng, 5) ? RIGHTS_ALL : rnd(&m->rng) & RIGHTS_ALL;
	bool bad = rnd_below(&m->rng, 20) == 0;
	if (bad)
		rights |= UINT64_C(1) << (48 + rnd_below(&m->rng, 16));
	uint64_t badge = m_badge(m, 0);
	handle_t out;
	int want = bad ? ERR_INVALID_ARGS : m->count[cs] >= m->limit ? ERR_NO_RESOURCES : 0;
	int got = cap_insert_root(m->cs[cs], &m->obj[o]->base, rights, badge, &out);
	m_result(m, got, want, "insert_root");
	if (got == 0)
		m_add(m, cs, out, o, rights, badge, -1);
}

static void m_op_move(struct model *m, int cs, handle_t h, int to)
{
	int src = m_find(m, cs, h);
	int want = src < 0                                   ? ERR_BAD_HANDLE
	           : !(m->caps[src].rights & RIGHT_TRANSFER) ? ERR_ACCESS_DENIED
	           : m->count[to] >= m->limit                ? ERR_NO_RESOURCES
	                                                     : 0;
	handle_t out;
	int got = cap_move(m->cs[cs], h, m->cs[to], &out);
	m_result(m, got, want, "move");
	if (got)
		return;
	m_remember_dead(m, cs, h);
	m->count[cs]--;
	m->count[to]++;
	m->caps[src].cs = to;
	m->caps[src].h = out;
}

static void m_op_drop(struct model *m, int cs, handle_t h)
{
	int src = m_find(m, cs, h);
	int got = cap_drop(m->cs[cs], h);
	m_result(m, got, src < 0 ? ERR_BAD_HANDLE : 0, "drop");
	if (got == 0)
		m_drop(m, src);
}

static void m_op_revoke(struct model *m, int cs, handle_t h)
{
	int src = m_find(m, cs, h);
	bool desc[M_CAPS];
	int want = src < 0                                 ? ERR_BAD_HANDLE
	           : !(m->caps[src].rights & RIGHT_REVOKE) ? ERR_ACCESS_DENIED
	                                                   : m_descendants(m, src, desc);
	int got = cap_revoke(m->cs[cs], h);
	m_result(m, got, want, "revoke");
	if (got > 0)
		for (int i = 0; i < M_CAPS; i++)
			if (desc[i])
				m_kill(m, i);
}

static void m_op_inspect(struct model *m, int cs, handle_t h)
{
	int src = m_find(m, cs, h);
	struct mcap *s = src >= 0 ? &m->caps[src] : NULL;
	struct cap_info info;
	int want = !s ? ERR_BAD_HANDLE : !(s->rights & RIGHT_INSPECT) ? ERR_ACCESS_DENIED : 0;
	int got = cap_inspect(m->cs[cs], h, &info);
	m_result(m, got, want, "inspect");
	if (got == 0) {
		assert_int_equal(info.type, OBJ_TEST);
		assert_int_equal(info.rights, s->rights);
		assert_int_equal(info.badge, s->badge);
		assert_int_equal(info.object_id, m->obj[s->obj]->base.id);
	}
}

static void m_op_lookup(struct model *m, int cs, handle_t h)
{
	static const enum obj_type types[] = {OBJ_NONE, OBJ_TEST, OBJ_TEST, OBJ_MEMORY};
	enum obj_type type = types[rnd_below(&m->rng, 4)];
	uint64_t need = 0;
	for (uint32_t n = rnd_below(&m->rng, 3); n; n--)
		need |= UINT64_C(1) << rnd_below(&m->rng, 28);
	need &= RIGHTS_ALL;
	int src = m_find(m, cs, h);
	struct mcap *s = src >= 0 ? &m->caps[src] : NULL;
	int want = !s                           ? ERR_BAD_HANDLE
	           : type == OBJ_MEMORY         ? ERR_WRONG_TYPE
	           : (s->rights & need) != need ? ERR_ACCESS_DENIED
	                                        : 0;
	struct cap_ref ref;
	int got = cap_lookup(m->cs[cs], h, type, need, &ref);
	m_result(m, got, want, "lookup");
	if (got == 0) {
		assert_ptr_equal(ref.obj, &m->obj[s->obj]->base);
		assert_int_equal(ref.rights, s->rights);
		cap_ref_put(&ref);
	}
}

static void m_step(struct model *m)
{
	int cs, to = (int)rnd_below(&m->rng, M_SPACES);
	handle_t h;
	m_pick(m, &cs, &h);
	uint32_t op = rnd_below(&m->rng, 100);
	if (op < 6)
		m_op_root(m);
	else if (op < 24)
		m_op_new(m, M_DERIVE, cs, h, to);
	else if (op < 32)
		m_op_new(m, M_DERIVE_TO, cs, h, to);
	else if (op < 40)
		m_op_new(m, M_DUPLICATE, cs, h, to);
	else if (op < 45)
		m_op_new(m, M_COPY, cs, h, to);
	else if (op < 52)
		m_op_move(m, cs, h, to);
	else if (op < 66)
		m_op_drop(m, cs, h);
	else if (op < 74)
		m_op_revoke(m, cs, h);
	else if (op < 82)
		m_op_inspect(m, cs, h);
	else
		m_op_lookup(m, cs, h);
}

/* Compare the whole kernel state with the model. */
static void m_check(struct model *m)
{
	uint32_t refs[M_OBJS] = {0};
	for (int i = 0; i < M_SPACES; i++)
		if (m->cs[i])
			assert_int_equal(cspace_count(m->cs[i]), m->count[i]);
	for (int i = 0; i < M_CAPS; i++) {
		struct mcap *c = &m->caps[i];
		if (!c->live)
			continue;
		struct cap_ref ref;
		assert_int_equal(cap_lookup(m->cs[c->cs], c->h, OBJ_TEST, c->rights, &ref), 0);
		assert_ptr_equal(ref.obj, &m->obj[c->obj]->base);
		assert_int_equal(ref.rights, c->rights);
		assert_int_equal(ref.badge, c->badge);
		cap_ref_put(&ref);
		refs[c->obj]++;
		/* Rights monotonicity: never more than the parent, never undefined bits. */
		assert_int_equal(c->rights & ~RIGHTS_ALL, 0);
		if (c->parent >= 0) {
			struct mcap *p = &m->caps[c->parent];
			assert_true(p->live);
			assert_int_equal(c->rights & ~p->rights, 0);
			assert_ptr_equal(p->obj, c->obj);
			assert_true(p->badge == 0 || p->badge == c->badge);
		}
	}
	for (int o = 0; o < M_OBJS; o++)
		assert_int_equal(kobject_refcount(&m->obj[o]->base), 1 + refs[o]);
	for (int k = 0; k < 4 && m->ndead; k++) {
		int i = (int)rnd_below(&m->rng, (uint32_t)m->ndead);
		if (!m->cs[m->dead[i].cs] || m_find(m, m->dead[i].cs, m->dead[i].h) >= 0)
			continue;
		struct cap_ref ref;
		assert_int_equal(cap_lookup(m->cs[m->dead[i].cs], m->dead[i].h, OBJ_NONE, 0, &ref),
		                 ERR_BAD_HANDLE);
	}
}

static void m_run(uint64_t seed, uint32_t limit, int steps)
{
	static struct model m;
	memset(&m, 0, sizeof(m));
	m.rng = seed;
	m.limit = limit;
	for (int i = 0; i < M_SPACES; i++)
		assert_int_equal(cspace_create(limit, &m.cs[i]), 0);
	for (int o = 0; o < M_OBJS; o++)
		assert_int_equal(test_object_create((uint64_t)o, &m.obj[o]), 0);
	for (int n = 0; n < steps; n++) {
		m_step(&m);
		m_check(&m);
	}
	print_message("model: %d steps, %llu succeeded, %llu failed as predicted\n", steps,
	              (unsigned long long)m.ok, (unsigned long long)m.failed);
	assert_true(m.ok > (uint64_t)steps / 4 && m.failed > (uint64_t)steps / 20);

	/* Destroying one cspace drops its capabilities; the rest re-parent. */
	cspace_destroy(m.cs[0]);
	m.cs[0] = NULL;
	for (int i = 0; i < M_CAPS; i++)
		if (m.caps[i].live && m.caps[i].cs == 0)
			m_drop(&m, i);
	m_check(&m);
	for (int i = 0; i < M_CAPS; i++)
		if (m.caps[i].live && (m.caps[i].rights & RIGHT_REVOKE))
			m_op_revoke(&m, m.caps[i].cs, m.caps[i].h);
	m_check(&m);
	for (int i = 1; i < M_SPACES; i++)
		cspace_destroy(m.cs[i]);
	for (int o = 0; o < M_OBJS; o++) {
		assert_int_equal(kobject_refcount(&m.obj[o]->base), 1);
		kobject_put(&m.obj[o]->base);
	}
}

void cap_test_random_model(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	m_run(0x243f6a8885a308d3ull, M_MAX_LIMIT, 60000);
	baseline_check(b);
	m_run(0x13198a2e03707344ull, 12, 50000); /* small cspaces: often full */
	baseline_check(b);
	m_run(0xa4093822299f31d0ull, 29, 50000);
	baseline_check(b);
}

/* -------------------------------------------------------------- threads */

#define T_WORKERS 3
#define T_ROUNDS 150
#define T_HELD 64
#define T_SPACES (T_WORKERS + 1)

struct tshared {
	struct cspace *cs[T_SPACES]; /* cs[0] holds each round's root */
	handle_t round; /* the round's shared capability, a child of its root */
	uint64_t round_value; /* the round's object's value */
	int revoked; /* atomic: the round's root is revoked and dropped */
	pthread_barrier_t start, end;
	int errors; /* atomic */
	char msg[200];
	uint64_t ops, ok; /* atomic */
};

struct tworker {
	struct tshared *sh;
	uint64_t rng;
	int n;
	struct {
		int cs;
		handle_t h;
		uint64_t rights;
	} held[T_HELD];
};

static void t_error(struct tshared *sh, const char *what, int err)
{
	if (__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED) == 0)
		snprintf(sh->msg, sizeof(sh->msg), "%s: %d", what, err);
}

static void t_hold(struct tworker *w, int cs, handle_t h, uint64_t rights)
{
	if (w->n == T_HELD) {
		int k = (int)rnd_below(&w->rng, T_HELD);
		int err = cap_drop(w->sh->cs[w->held[k].cs], w->held[k].h);
		if (err && err != ERR_BAD_HANDLE)
			t_error(w->sh, "drop to make room", err);
		w->held[k] = w->held[--w->n];
	}
	w->held[w->n].cs = cs;
	w->held[w->n].h = h;
	w->held[w->n].rights = rights;
	w->n++;
}

/* One random operation; returns its result. */
static int t_op(struct tworker *w)
{
	struct tshared *sh = w->sh;
	int k = w->n && rnd_below(&w->rng, 4) ? (int)rnd_below(&w->rng, (uint32_t)w->n) : -1;
	int cs = k < 0 ? 0 : w->held[k].cs, to = (int)rnd_below(&w->rng, T_SPACES);
	handle_t h = k < 0 ? sh->round : w->held[k].h, out;
	uint64_t rights = k < 0 ? RIGHTS_ALL : w->held[k].rights;
	uint64_t nr = rights & (rnd(&w->rng) | (rnd_below(&w->rng, 5) ? RIGHTS_GENERIC : 0));
	struct cap_ref ref;
	int err;

	switch (rnd_below(&w->rng, k < 0 ? 4 : 8)) {
	case 0:
	case 1:
		err = cap_derive_to(sh->cs[cs], h, sh->cs[to], nr, rnd_below(&w->rng, 3), &out);
		if (!err)
			t_hold(w, to, out, nr);
		return err;
	case 2:
		err = cap_duplicate(sh->cs[cs], h, &out);
		if (!err)
			t_hold(w, cs, out, rights);
		return err;
	case 3:
		err = cap_copy_to(sh->cs[cs], h, sh->cs[to], &out);
		if (!err)
			t_hold(w, to, out, rights);
		return err;
	case 4:
		err = cap_drop(sh->cs[cs], h);
		w->held[k] = w->held[--w->n];
		return err;
	case 5:
		err = cap_move(sh->cs[cs], h, sh->cs[to], &out);
		if (!err) {
			w->held[k].cs = to;
			w->held[k].h = out;
		}
		return err;
	case 6:
		err = cap_revoke(sh->cs[cs], h);
		return err > 0 ? 0 : err;
	default:
		err = cap_lookup(sh->cs[cs], h, OBJ_TEST, 0, &ref);
		if (err)
			return err;
		/* Use the object after its capability may have been revoked. */
		if (test_object_from(ref.obj)->value != sh->round_value)
			t_error(sh, "lookup found another object", 0);
		if (ref.rights & ~rights)
			t_error(sh, "lookup found more rights than derived", (int)ref.rights);
		cap_ref_put(&ref);
		return 0;
	}
}

static void *t_worker(void *arg)
{
	struct tworker *w = arg;
	struct tshared *sh = w->sh;
	for (int round = 0; round < T_ROUNDS; round++) {
		pthread_barrier_wait(&sh->start);
		for (int extra = 0; extra < 40;) {
			bool after = __atomic_load_n(&sh->revoked, __ATOMIC_ACQUIRE);
			int err = t_op(w);
			__atomic_fetch_add(&sh->ops, 1, __ATOMIC_RELAXED);
			if (!err)
				__atomic_fetch_add(&sh->ok, 1, __ATOMIC_RELAXED);
			if (after && err != ERR_BAD_HANDLE)
				t_error(sh, "capability outlived its revocation", err);
			else if (err && err != ERR_BAD_HANDLE && err != ERR_ACCESS_DENIED)
				t_error(sh, "unexpected error", err);
			extra += after;
		}
		pthread_barrier_wait(&sh->end);
		for (int k = 0; k < w->n; k++) {
			struct cap_ref ref;
			int err =
			    cap_lookup(sh->cs[w->held[k].cs], w->held[k].h, OBJ_NONE, 0, &ref);
			if (err != ERR_BAD_HANDLE)
				t_error(sh, "handle alive after its round", err);
		}
		w->n = 0;
	}
	return NULL;
}

void cap_test_threads(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	static struct tshared sh;
	static struct tworker w[T_WORKERS];
	pthread_t tid[T_WORKERS];
	memset(&sh, 0, sizeof(sh));
	for (int i = 0; i < T_SPACES; i++)
		assert_int_equal(cspace_create(4096, &sh.cs[i]), 0);
	pthread_barrier_init(&sh.start, NULL, T_WORKERS + 1);
	pthread_barrier_init(&sh.end, NULL, T_WORKERS + 1);
	for (int i = 0; i < T_WORKERS; i++) {
		w[i] =
		    (struct tworker){.sh = &sh, .rng = 0x5851f42d4c957f2dull * (uint64_t)(i + 1)};
		assert_int_equal(pthread_create(&tid[i], NULL, t_worker, &w[i]), 0);
	}
	uint64_t rng = 0xdeadbeefcafef00dull;
	for (int round = 0; round < T_ROUNDS; round++) {
		struct test_object *t;
		assert_int_equal(test_object_create((uint64_t)round, &t), 0);
		sh.round_value = (uint64_t)round;
		handle_t root;
		assert_int_equal(cap_insert_root(sh.cs[0], &t->base, RIGHTS_ALL, 0, &root), 0);
		kobject_put(&t->base); /* from now on only capabilities and refs keep it */
		/* Workers get a child: a duplicate of the root itself would be a new root. */
		assert_int_equal(cap_derive(sh.cs[0], root, RIGHTS_ALL, 0, &sh.round), 0);
		__atomic_store_n(&sh.revoked, 0, __ATOMIC_RELAXED);
		uint64_t ok_before = __atomic_load_n(&sh.ok, __ATOMIC_RELAXED);
		pthread_barrier_wait(&sh.start);
		for (uint32_t i = rnd_below(&rng, 3000); i; i--) {
			struct cap_ref ref;
			if (cap_lookup(sh.cs[0], sh.round, OBJ_TEST, RIGHT_REVOKE, &ref) == 0)
				cap_ref_put(&ref);
		}
		/* Revoke while the workers are at work, however the host schedules us: wait
		   for one of their operations to succeed first (bounded: 10 s). */
		for (int spins = 0;
		     __atomic_load_n(&sh.ok, __ATOMIC_RELAXED) == ok_before && spins < 100000;
		     spins++)
			usleep(100);
		int n = cap_revoke(sh.cs[0], root);
		if (n < 1)
			t_error(&sh, "revoke", n);
		int err = cap_drop(sh.cs[0], root);
		if (err)
			t_error(&sh, "drop round root", err);
		__atomic_store_n(&sh.revoked, 1, __ATOMIC_RELEASE);
		pthread_barrier_wait(&sh.end);
		for (int i = 0; i < T_SPACES; i++)
			if (cspace_count(sh.cs[i]) != 0)
				t_error(&sh, "cspace not empty after round",
				        (int)cspace_count(sh.cs[i]));
		if (kobject_live_count(OBJ_TEST) != b.objects)
			t_error(&sh, "round object leaked", round);
	}
	for (int i = 0; i < T_WORKERS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&sh.start);
	pthread_barrier_destroy(&sh.end);
	if (sh.errors)
		fail_msg("%d errors, first: %s", sh.errors, sh.msg);
	print_message("threads: %d rounds, %llu operations, %llu succeeded\n", T_ROUNDS,
	              (unsigned long long)sh.ops, (unsigned long long)sh.ok);
	/* every round raced its revoke against at least one successful operation
	   (a ratio of successes to attempts depended on how the host scheduled us) */
	assert_true(sh.ok >= T_ROUNDS);
	for (int i = 0; i < T_SPACES; i++)
		cspace_destroy(sh.cs[i]);
	baseline_check(b);
}
