// SPDX-License-Identifier: MIT
// decoder/managed: the locks that are held or waited on. Monitors come from
// the object headers the heap index's walk saw holding a thin lock or a sync
// block index (decoder/runtime/sync.c reads each); from 11.0 an inflated
// Monitor keeps a System.Threading.Lock, read here like any other Lock: its
// fields by name (CoreLib Lock.cs: _owningThreadId, _recursionCount, the
// times re-entered, and _state), their bits from the layout layer. Who waits
// for what comes from each thread's records: the runtime's native one of a
// Monitor (8.0-10.0), and CoreLib's ThreadBlockingInfo (9.0+) for a Lock or,
// from 11.0, a Monitor; the wait-for graph they make gives the deadlocks.
#include "locks.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "heapindex.h"
#include "managed_i.h"
#include "objects.h"
#include "reason.h"
#include "runtime.h"
#include "strbuf.h"
#include "statics.h"
#include "sync.h"
#include "types.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(MV_LOCK_IDS == RT_MONITOR_WAIT_MAX, "a lock keeps the ids its Monitor gives");

static const char *const kind_names[] = {
	[MV_LOCK_THIN] = "thin",
	[MV_LOCK_SYNCBLOCK] = "syncblock",
	[MV_LOCK_LOCK] = "lock",
};

/* The managed id of the thread whose OS id is os; 0 when none is. */
static uint32_t id_of_os(struct rt *rt, uint64_t os)
{
	const struct rt_thread *t = rt_thread_find(rt, RT_THREAD_OS, os);

	return t ? t->managed_id : 0;
}

/* Fills owner, recursion and waiting of l from the Lock object lock. */
static int read_lock(struct rt *rt, uint64_t lock, const struct rt_lock_bits *bits,
		     struct mv_lock *l)
{
	uint64_t mt, size, owner, rec, state, data = rt_object_fields(rt, lock);
	int rc = rt_object_size(rt, lock, &mt, &size);

	rc = rc ? rc : mv_read_int_field(rt, mt, data, "_owningThreadId", &owner);
	rc = rc ? rc : mv_read_int_field(rt, mt, data, "_recursionCount", &rec);
	rc = rc ? rc : mv_read_int_field(rt, mt, data, "_state", &state);
	if (rc)
		return rc;
	l->waiting = (uint32_t)state >> bits->waiter_shift;
	if (!(state & bits->locked))
		return 0;
	owner &= 0xffffffffu; /* an int or uint; 0 is none, ~0 remaps an OS id of 0 */
	l->owner = bits->owner_os ? id_of_os(rt, owner) : (uint32_t)owner;
	if (!l->owner)
		l->owner = RT_OWNER_UNKNOWN; /* held by a thread not in the list */
	l->recursion = (uint32_t)rec + 1;
	return 0;
}

struct list {
	struct mv_lock *v;
	size_t n, cap;
};

static int list_add(struct list *a, const struct mv_lock *l)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct mv_lock *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *l;
	return 0;
}

static int lock_cmp(const void *a, const void *b)
{
	const struct mv_lock *x = a, *y = b;
	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

static int index_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static int obj_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* A Lock and how many threads wait on its Condition (Monitor.Wait, 11.0+). */
struct cond_count {
	uint64_t lock;
	uint32_t waiters;
};

static int cond_cmp(const void *a, const void *b)
{
	const struct cond_count *x = a, *y = b;
	return x->lock < y->lock ? -1 : x->lock > y->lock;
}

/* From 11.0 Monitor.Wait is managed: each Monitor waited on has a
 * System.Threading.Condition (CoreLib Condition.cs) whose _lock is the
 * Monitor's Lock and whose _waitersHead lists a Waiter per waiting thread
 * (linked by next; the Waiter does not name its thread). *out sorted by
 * lock; none before 11.0. */
static int conditions(struct rt *rt, struct rt_heap_index *ix, struct cond_count **out, size_t *n)
{
	const struct rt_heap_type *ct;
	int rc = rt_heap_type_by_name(rt, "System.Threading.Condition", &ct);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	struct cond_count *v = calloc(ct->count ? ct->count : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint64_t i = 0; i < ct->count; i++) {
		uint64_t c = rt_heap_index_object(ix, ct, i), lock, w, mt, size;
		uint32_t k = 0;
		if (mv_read_ref_field(rt, ct->mt, rt_object_fields(rt, c), "_lock", &lock) || !lock ||
		    mv_read_ref_field(rt, ct->mt, rt_object_fields(rt, c), "_waitersHead", &w))
			continue;
		for (; w && k < RT_MONITOR_WAIT_STEPS; k++)
			if (rt_object_size(rt, w, &mt, &size) ||
			    mv_read_ref_field(rt, mt, rt_object_fields(rt, w), "next", &w))
				break;
		v[(*n)++] = (struct cond_count){lock, k};
	}
	qsort(v, *n, sizeof(*v), cond_cmp);
	*out = v;
	return 0;
}

/* The lock of locks[n] whose SyncBlock is sb, or NULL. */
static struct mv_lock *by_syncblock(struct mv_lock *locks, size_t n, uint64_t sb)
{
	for (size_t i = 0; i < n; i++)
		if (locks[i].kind == MV_LOCK_SYNCBLOCK && locks[i].syncblock == sb)
			return &locks[i];
	return NULL;
}

static void add_id(struct mv_lock *l, uint32_t id)
{
	uint32_t shown = l->nids < MV_LOCK_IDS ? l->nids : MV_LOCK_IDS;

	for (uint32_t i = 0; i < shown; i++)
		if (l->ids[i] == id)
			return;
	if (l->nids < MV_LOCK_IDS)
		l->ids[l->nids] = id;
	l->nids++;
}

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The Monitor a thread waits for, innermost first (rt_thread_blocking()). */
#define BLOCK_MAX 8

/* ThreadBlockingInfo (CoreLib ThreadBlockingInfo.cs, 9.0+): each thread's
 * [ThreadStatic] t_first points at the innermost of the records it pushes
 * on its stack while it blocks: _objectPtr, _objectKind (ObjectKind:
 * MonitorLock, MonitorWait, Lock, Condition), _next. For a Lock or a
 * Condition _objectPtr points at a stack slot holding the object; for the
 * Monitor kinds (9.0, 10.0) at the native AwareLock, which the runtime's
 * own record (rt_thread_blocking()) names already. */
enum { TBI_MONITOR_LOCK, TBI_MONITOR_WAIT, TBI_LOCK, TBI_CONDITION };

struct tbi {
	int err; /* why the records cannot be read: -ENOENT before 9.0 */
	uint64_t mt;
	const struct rt_field *first, *ptr, *kind, *next;
};

static void tbi_load(struct rt *rt, struct tbi *b)
{
	const struct rt_field *f;
	size_t nf;
	int rc = mv_corelib_type(rt, "System.Threading.ThreadBlockingInfo", &b->mt);

	b->first = NULL;
	rc = rc ? rc : rt_type_static_fields(rt, b->mt, &f, &nf);
	for (size_t i = 0; !rc && i < nf; i++)
		if (f[i].is_thread_static && !strcmp(f[i].name, "t_first"))
			b->first = &f[i];
	if (!rc && !b->first)
		rc = -EBADMSG;
	rc = rc ? rc : mv_field_named(rt, b->mt, "_objectPtr", &b->ptr);
	rc = rc ? rc : mv_field_named(rt, b->mt, "_objectKind", &b->kind);
	rc = rc ? rc : mv_field_named(rt, b->mt, "_next", &b->next);
	b->err = rc;
}

/* The lock of locks[n] that is, or (11.0+) whose Monitor keeps, the Lock
 * object lock; NULL when none. */
static struct mv_lock *by_lock(struct mv_lock *locks, size_t n, uint64_t lock)
{
	for (size_t i = 0; i < n; i++)
		if ((locks[i].kind == MV_LOCK_LOCK && locks[i].obj == lock) ||
		    (locks[i].kind == MV_LOCK_SYNCBLOCK && locks[i].lock == lock))
			return &locks[i];
	return NULL;
}

/* What a thread waits for, as the runtime records it. */
struct record {
	struct mv_lock *lock; /* NULL: it waits for none */
	bool wait;	      /* in Monitor.Wait (else entering) */
	bool counted;	      /* the lock's count of waiters includes it */
};

/* The innermost managed record of the thread t that names a Lock or a
 * Condition; r->lock NULL when it has none. */
static int managed_record(struct rt *rt, const struct tbi *b, const struct rt_thread *t,
			  struct mv_lock *locks, size_t n, struct record *r)
{
	uint64_t at, p, kind, slot, obj, mt, size;
	int rc = b->err ? b->err : rt_thread_static_addr(rt, t->addr, b->mt, b->first, &at);

	if (rc == -ENODATA)
		return 0; /* never blocked: no storage for the statics */
	/* The records and the slots they point at are on the thread's stack:
	 * read once each, not through the map (dump_read_cold()). */
	if (rc || dump_read_cold_ptr(rt_dump(rt), at, &p))
		return rc ? rc : -EIO;
	for (unsigned steps = 0; p && steps < RT_MONITOR_WAIT_STEPS; steps++) {
		kind = 0;
		if (dump_read_cold(rt_dump(rt), p + b->kind->offset, &kind, 4) ||
		    dump_read_cold_ptr(rt_dump(rt), p + b->ptr->offset, &slot))
			return -EIO;
		if (kind == TBI_LOCK || kind == TBI_CONDITION) {
			if (!slot || dump_read_cold_ptr(rt_dump(rt), slot, &obj) || !obj)
				return -EBADMSG;
			if (kind == TBI_CONDITION &&
			    (rt_object_size(rt, obj, &mt, &size) ||
			     mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "_lock", &obj)))
				return -EBADMSG;
			r->lock = by_lock(locks, n, obj);
			r->wait = kind == TBI_CONDITION;
			r->counted = true;
			return r->lock ? 0 : -EBADMSG; /* a Lock the list lacks */
		}
		if (dump_read_cold_ptr(rt_dump(rt), p + b->next->offset, &p))
			return -EIO;
	}
	return 0;
}

/* The lock the thread t waits for, from the runtime's native record of a
 * Monitor (8.0-10.0), else its managed record (9.0+). */
static int record_of(struct rt *rt, const struct tbi *b, const struct rt_thread *t,
		     struct mv_lock *locks, size_t n, struct record *r)
{
	struct rt_blocking nb[BLOCK_MAX];
	size_t k;
	int rc = rt_thread_blocking(rt, t->addr, nb, BLOCK_MAX, &k);

	*r = (struct record){0};
	if (!rc && k) {
		r->lock = by_syncblock(locks, n, nb[0].syncblock);
		r->wait = nb[0].wait;
		r->counted = !nb[0].wait; /* Monitor.Wait's are the wait queue's */
		return r->lock ? 0 : -EBADMSG; /* a record of a Monitor no header has */
	}
	if (rc && rc != -ENOTSUP)
		return rc;
	int mrc = managed_record(rt, b, t, locks, n, r);
	if (mrc == -ENOENT) /* no managed records: 8.0 */
		return rc;
	return mrc;
}

/* Names each lock's waiters from the threads' records: they leave the
 * lock's count for its ids. */
static void name_waiters(struct rt *rt, const struct tbi *b, struct mv_lock *locks, size_t n)
{
	const struct rt_thread *t;
	size_t nt;

	if (rt_threads(rt, &t, &nt))
		return;
	for (size_t i = 0; i < nt; i++) {
		struct record r;
		if (record_of(rt, b, &t[i], locks, n, &r) || !r.lock)
			continue;
		add_id(r.lock, t[i].managed_id);
		if (r.counted && r.lock->waiting)
			r.lock->waiting--;
	}
	for (size_t i = 0; i < n; i++)
		qsort(locks[i].ids, locks[i].nids < MV_LOCK_IDS ? locks[i].nids : MV_LOCK_IDS,
		      sizeof(locks[i].ids[0]), id_cmp);
}

static int locks_build(struct rt *rt, const struct tbi *b, struct mv_lock **out, size_t *count)
{
	struct rt_heap_index *ix;
	const struct rt_locked_obj *locked;
	const struct rt_heap_type *lt;
	struct rt_lock_bits bits;
	struct list a = {0};
	uint64_t *backing = NULL; /* the Locks that Monitors keep (11.0+) */
	struct cond_count *conds = NULL;
	size_t nlocked, nbacking = 0, nconds = 0;
	bool have_bits;
	int rc = rt_heap_index(rt, &ix);

	if (rc)
		return rc;
	have_bits = rt_lock_bits(rt, &bits) == 0;
	locked = rt_heap_index_locked(ix, &nlocked);
	rc = have_bits ? conditions(rt, ix, &conds, &nconds) : 0;
	if (rc)
		return rc;
	backing = calloc(nlocked ? nlocked : 1, sizeof(*backing));
	if (!backing) {
		free(conds);
		return -ENOMEM;
	}
	for (size_t i = 0; !rc && i < nlocked; i++) {
		struct rt_monitor m;
		struct mv_lock l = {.obj = locked[i].obj};
		uint64_t size;
		int err = rt_monitor_read(rt, locked[i].obj, locked[i].value, &m);
		if (err == -ENOENT)
			continue; /* a hash code */
		l.kind = m.index ? MV_LOCK_SYNCBLOCK : MV_LOCK_THIN;
		l.syncblock = m.syncblock;
		if (!err && m.lock) {
			struct cond_count key = {.lock = m.lock}, *c;
			backing[nbacking++] = m.lock;
			l.lock = m.lock;
			err = have_bits ? read_lock(rt, m.lock, &bits, &l) : -ENOTSUP;
			c = nconds ? bsearch(&key, conds, nconds, sizeof(*conds), cond_cmp) : NULL;
			if (c)
				l.waiting += c->waiters;
		} else if (!err) {
			l.owner = m.owner;
			l.recursion = m.recursion;
			l.waiting = m.waiters;
		}
		if (!err) {
			l.nids = m.nwait;
			memcpy(l.ids, m.wait, sizeof(l.ids));
		}
		l.err = err;
		if (rt_object_size(rt, l.obj, &l.mt, &size))
			l.mt = 0;
		if (l.err || l.owner || l.waiting || l.nids)
			rc = list_add(&a, &l);
	}
	if (!rc && have_bits) {
		qsort(backing, nbacking, sizeof(*backing), obj_cmp);
		int found = rt_heap_type_by_name(rt, "System.Threading.Lock", &lt);
		if (found && found != -ENOENT)
			rc = found;
		for (uint64_t i = 0; !rc && !found && i < lt->count; i++) {
			struct mv_lock l = {.kind = MV_LOCK_LOCK, .mt = lt->mt};
			l.obj = rt_heap_index_object(ix, lt, i);
			if (bsearch(&l.obj, backing, nbacking, sizeof(*backing), obj_cmp))
				continue;
			l.err = read_lock(rt, l.obj, &bits, &l);
			if (l.err || l.owner || l.waiting)
				rc = list_add(&a, &l);
		}
	}
	free(backing);
	free(conds);
	if (rc) {
		free(a.v);
		return rc;
	}
	if (a.n)
		qsort(a.v, a.n, sizeof(*a.v), lock_cmp);
	name_waiters(rt, b, a.v, a.n);
	*out = a.v;
	*count = a.n;
	return 0;
}

/* The list as the dump's part RT_PART_LOCKS: built once. */
struct lock_list {
	struct mv_lock *v;
	size_t n;
	struct tbi tbi; /* CoreLib's records, found once */
};

static void list_free(void *p)
{
	struct lock_list *l = p;

	if (l)
		free(l->v);
	free(l);
}

static int list_build(struct rt *rt, void **value)
{
	struct lock_list *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	tbi_load(rt, &l->tbi);
	rc = locks_build(rt, &l->tbi, &l->v, &l->n);
	if (rc) {
		free(l);
		return rc;
	}
	*value = l;
	return 0;
}

static int list_get(struct rt *rt, struct lock_list **out)
{
	void *p;
	int rc = rt_part(rt, RT_PART_LOCKS, list_build, list_free, &p);

	if (!rc)
		*out = p;
	return rc;
}

int mv_locks(struct rt *rt, struct mv_lock **out, size_t *count)
{
	struct lock_list *l;
	int rc = list_get(rt, &l);

	if (rc)
		return rc;
	*out = l->v;
	*count = l->n;
	return 0;
}

static void put_type(struct rt *rt, const struct mv_lock *l, struct strbuf *out)
{
	const char *name;
	int rc = l->mt ? rt_type_name(rt, l->mt, &name) : -EIO;

	if (rc)
		reason_put_unreadable(out, rc);
	else
		strbuf_puts(out, name);
}

static void put_line(struct rt *rt, const struct mv_lock *l, struct strbuf *out)
{
	strbuf_addr(out, l->obj);
	strbuf_puts(out, "\t");
	put_type(rt, l, out);
	strbuf_printf(out, "\t%s\t", kind_names[l->kind]);
	if (l->err) {
		reason_put_unreadable(out, l->err);
		strbuf_puts(out, "\n");
		return;
	}
	if (l->owner == RT_OWNER_UNKNOWN)
		strbuf_printf(out, "<unreadable: held by a thread not in the thread list>\t%u\t",
			      l->recursion);
	else if (l->owner)
		strbuf_printf(out, "%u\t%u\t", l->owner, l->recursion);
	else
		strbuf_puts(out, "-\t0\t");
	uint32_t shown = l->nids < MV_LOCK_IDS ? l->nids : MV_LOCK_IDS;
	uint64_t counted = (uint64_t)l->waiting + (l->nids - shown);
	for (uint32_t i = 0; i < shown; i++)
		strbuf_printf(out, "%s%u", i ? "," : "", l->ids[i]);
	if (counted)
		strbuf_printf(out, "%s%llu waiting", shown ? "," : "", (unsigned long long)counted);
	strbuf_puts(out, shown || counted ? "\n" : "-\n");
}

int mv_locks_list(struct rt *rt, struct strbuf *out)
{
	struct mv_lock *v;
	size_t n;
	int rc = mv_locks(rt, &v, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		put_line(rt, &v[i], out);
	return 0;
}

int mv_thread_locks(struct rt *rt, uint32_t id, struct strbuf *out)
{
	struct mv_lock *v;
	size_t n;
	int rc = mv_locks(rt, &v, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (v[i].err || v[i].owner != id)
			continue;
		strbuf_addr(out, v[i].obj);
		strbuf_puts(out, "\t");
		put_type(rt, &v[i], out);
		strbuf_printf(out, "\t%s\t%u\n", kind_names[v[i].kind], v[i].recursion);
	}
	return 0;
}

int mv_object_lock(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	struct mv_lock *v, key = {.obj = obj}, *l;
	size_t n;
	int rc = mv_locks(rt, &v, &n);

	if (rc)
		return rc;
	l = n ? bsearch(&key, v, n, sizeof(*v), lock_cmp) : NULL;
	if (l)
		put_line(rt, l, out);
	return l ? 0 : -ENOENT;
}

bool mv_object_is_locked(struct rt *rt, uint64_t obj, uint64_t mt)
{
	const char *name;
	struct strbuf b;
	bool yes;

	if (rt_object_locked(rt, obj) != 1 &&
	    (rt_type_name(rt, mt, &name) || strcmp(name, "System.Threading.Lock")))
		return false;
	strbuf_init(&b);
	yes = mv_object_lock(rt, obj, &b) == 0;
	strbuf_destroy(&b);
	return yes;
}

/* blocked_on(): the thread has no record, but some lock has waiters that
 * none names. */
#define WAITERS_UNNAMED 1

/* The lock the thread t waits for into *l (NULL: none); *wait whether in
 * Monitor.Wait. -ENOTSUP where the runtime records it nowhere clrfs reads. */
static int blocked_on(struct rt *rt, const struct tbi *b, const struct rt_thread *t,
		      struct mv_lock *locks, size_t n, struct mv_lock **l, bool *wait)
{
	struct record r;
	int rc = record_of(rt, b, t, locks, n, &r);

	*l = r.lock;
	*wait = r.wait;
	if (rc || r.lock)
		return rc;
	/* No record: say none only when every lock's waiters are named. */
	for (size_t i = 0; i < n; i++)
		if (locks[i].waiting)
			return WAITERS_UNNAMED;
	return 0;
}

int mv_thread_blocked_on(struct rt *rt, uint32_t id, struct strbuf *out)
{
	const struct rt_thread *t = rt_thread_find(rt, RT_THREAD_MANAGED, id);
	struct lock_list *list;
	struct mv_lock *l = NULL;
	bool wait = false;
	int rc;

	if (!t)
		return -ENOENT;
	rc = list_get(rt, &list);
	if (rc)
		return rc;
	rc = blocked_on(rt, &list->tbi, t, list->v, list->n, &l, &wait);
	if (rc == WAITERS_UNNAMED) {
		strbuf_puts(out, "<unreadable: no record; a lock has waiters the runtime does not "
				 "name>");
		rc = 0;
	} else if (!rc && !l) {
		strbuf_puts(out, "none");
	} else if (!rc) {
		strbuf_addr(out, l->obj);
		strbuf_puts(out, " ");
		put_type(rt, l, out);
		strbuf_printf(out, " %s%s", kind_names[l->kind], wait ? " (Monitor.Wait)" : "");
	}
	return rc;
}

/* The index in t[n] (sorted by managed id: rt_threads()) of the thread id;
 * n when none. */
static size_t thread_index(const struct rt_thread *t, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].managed_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && t[lo].managed_id == id ? lo : n;
}

static void put_cycle(struct rt *rt, const struct rt_thread *t, struct mv_lock **waits,
		      const size_t *next, size_t start, struct strbuf *out)
{
	size_t cur = start;

	do {
		const struct mv_lock *l = waits[cur];
		strbuf_printf(out, "%u\twaits for ", t[cur].managed_id);
		strbuf_addr(out, l->obj);
		strbuf_puts(out, " ");
		put_type(rt, l, out);
		strbuf_printf(out, "\theld by %u\n", l->owner);
		cur = next[cur];
	} while (cur != start);
}

int mv_locks_deadlocks(struct rt *rt, struct strbuf *out)
{
	const struct rt_thread *t;
	struct lock_list *list;
	struct mv_lock *v;
	size_t n, nt;
	int rc = list_get(rt, &list);

	if (rc)
		return rc;
	v = list->v;
	n = list->n;
	rc = rt_threads(rt, &t, &nt);
	/* Each thread waits to enter at most one Monitor: the wait-for graph
	 * has at most one edge out of each thread, next[i] (nt: none), through
	 * waits[i]; its cycles are found in one pass, each node visited once. */
	struct mv_lock **waits = calloc(nt + 1, sizeof(*waits));
	size_t *next = calloc(nt + 1, sizeof(*next));
	uint8_t *state = calloc(nt + 1, 1); /* 0 new, 1 on the path, 2 done */
	size_t *starts = calloc(nt + 1, sizeof(*starts)), nstarts = 0;
	if (!rc && (!waits || !next || !state || !starts))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < nt; i++) {
		struct mv_lock *l;
		bool wait;
		int err = blocked_on(rt, &list->tbi, &t[i], v, n, &l, &wait);
		next[i] = nt;
		if (err == -ENOTSUP)
			rc = err; /* no record of who waits */
		else if (!err && l && !wait && l->owner && l->owner != RT_OWNER_UNKNOWN) {
			waits[i] = l;
			next[i] = thread_index(t, nt, l->owner);
		}
	}
	for (size_t i = 0; !rc && i < nt; i++) {
		size_t cur = i;
		while (cur < nt && !state[cur]) {
			state[cur] = 1;
			cur = next[cur];
		}
		if (cur < nt && state[cur] == 1) {
			/* A new cycle through cur: start it at its smallest id. */
			size_t min = cur, c = next[cur];
			for (; c != cur; c = next[c])
				if (t[c].managed_id < t[min].managed_id)
					min = c;
			starts[nstarts++] = min;
		}
		for (cur = i; cur < nt && state[cur] == 1; cur = next[cur])
			state[cur] = 2;
	}
	/* The cycles by their smallest id (t is sorted by id). */
	qsort(starts, nstarts, sizeof(*starts), index_cmp);
	for (size_t k = 0; !rc && k < nstarts; k++) {
		if (k)
			strbuf_puts(out, "\n");
		put_cycle(rt, t, waits, next, starts[k], out);
	}
	free(waits);
	free(next);
	free(state);
	free(starts);
	return rc;
}
