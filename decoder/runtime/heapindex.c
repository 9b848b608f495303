// SPDX-License-Identifier: MIT
// The per-type index of heap objects: one walk, then every type's objects by address.
//
// Memory: the segments are laid end to end into one compact space (each
// contributes its [start, end) bytes of objects), and an object is kept as a
// 32-bit count of 8-byte granules into that space: 4 bytes per object while
// the heap's objects fill less than 32 GiB, else a full 64-bit address. The
// address space itself is sparse (regions, the frozen segment in the runtime's
// image), so plain offsets from the lowest address would not fit. Each type's
// array grows by doubling during the walk and is trimmed after it.
#include "heapindex.h"

#include "fields.h"
#include "heap.h"
#include "runtime_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GRANULE_SHIFT 3

struct ix_type {
	struct rt_heap_type pub;
	void *addrs; /* uint32_t granules or uint64_t addresses */
	uint64_t cap;
	UT_hash_handle hh;
};

struct rt_heap_index {
	const struct rt_segment *segs; /* rt_segments(), sorted by start */
	uint64_t *first;	       /* granule of each segment's start */
	uint64_t *walked;	       /* each segment's end of the last object walked */
	size_t nsegs;
	int wide; /* addresses kept as uint64_t */
	/* Build-time shortcuts: the walk goes in address order and runs of one
	 * type are common, so the last type and segment usually match again. */
	struct ix_type *last;
	size_t cur;
	struct ix_type *by_mt;	     /* hash during the build */
	struct rt_heap_type *sorted; /* the public view, sorted by MT */
	struct ix_type **sorted_i;   /* same order, internal entries */
	size_t ntypes;
	uint64_t objects, bytes, index_bytes;
	int err; /* ENOMEM during the build */
	struct rt_locked_obj *locked; /* objects whose header holds a lock */
	size_t nlocked, locked_cap;
};

static int ix_add(uint64_t obj, uint64_t mt, uint64_t size, void *arg)
{
	struct rt_heap_index *ix = arg;
	struct ix_type *t;
	size_t w = ix->wide ? 8 : 4;

	t = ix->last && ix->last->pub.mt == mt ? ix->last : NULL;
	if (!t)
		HASH_FIND(hh, ix->by_mt, &mt, sizeof(mt), t);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->pub.mt = mt;
		HASH_ADD(hh, ix->by_mt, pub.mt, sizeof(t->pub.mt), t);
	}
	ix->last = t;
	if (t->pub.count == t->cap) {
		uint64_t cap = t->cap ? t->cap * 2 : 4;
		void *a = realloc(t->addrs, cap * w);
		if (!a)
			return -ENOMEM;
		t->addrs = a;
		t->cap = cap;
	}
	/* The segment holding obj: the last one starting at or below it. */
	if (!(ix->cur < ix->nsegs && obj >= ix->segs[ix->cur].start &&
	      obj < ix->segs[ix->cur].end)) {
		size_t lo = 0, hi = ix->nsegs;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ix->segs[mid].start <= obj)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo || obj >= ix->segs[lo - 1].end)
			return -EFAULT; /* the walk reports only objects inside segments */
		ix->cur = lo - 1;
	}
	ix->walked[ix->cur] = obj + size;
	if (ix->wide) {
		((uint64_t *)t->addrs)[t->pub.count] = obj;
	} else {
		uint64_t g =
			ix->first[ix->cur] + ((obj - ix->segs[ix->cur].start) >> GRANULE_SHIFT);
		((uint32_t *)t->addrs)[t->pub.count] = (uint32_t)g;
	}
	t->pub.count++;
	t->pub.bytes += size;
	ix->objects++;
	ix->bytes += size;
	return 0;
}

/* The walk's sync block values that hold a lock or a sync block index: few
 * (a thin lock lives while a thread holds it; a sync block is made for
 * contention, Monitor.Wait or a hash code taken while locked). */
static int ix_locked(uint64_t obj, uint32_t value, void *arg)
{
	struct rt_heap_index *ix = arg;

	if (ix->nlocked == ix->locked_cap) {
		size_t cap = ix->locked_cap ? ix->locked_cap * 2 : 16;
		struct rt_locked_obj *a = realloc(ix->locked, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		ix->locked = a;
		ix->locked_cap = cap;
	}
	ix->locked[ix->nlocked++] = (struct rt_locked_obj){.obj = obj, .value = value};
	return 0;
}

static int type_cmp(const void *a, const void *b)
{
	const struct ix_type *x = *(struct ix_type *const *)a, *y = *(struct ix_type *const *)b;
	return x->pub.mt < y->pub.mt ? -1 : x->pub.mt > y->pub.mt;
}

static int ix_build(struct rt *rt, struct rt_heap_index **out)
{
	const struct rt_segment *segs;
	size_t nsegs;
	struct rt_heap_index *ix = calloc(1, sizeof(*ix));
	int rc;

	if (!ix)
		return -ENOMEM;
	rc = rt_segments(rt, &segs, &nsegs);
	if (rc)
		goto out;
	ix->segs = segs;
	ix->nsegs = nsegs;
	ix->first = calloc(nsegs + 1, sizeof(*ix->first));
	ix->walked = calloc(nsegs + 1, sizeof(*ix->walked));
	if (!ix->first || !ix->walked) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nsegs; i++) {
		uint64_t len = segs[i].end > segs[i].start ? segs[i].end - segs[i].start : 0;
		ix->first[i + 1] =
			ix->first[i] + ((len + (1u << GRANULE_SHIFT) - 1) >> GRANULE_SHIFT);
	}
	ix->wide = ix->first[nsegs] > UINT32_MAX;
	rc = rt_heap_walk_locks(rt, ix_add, ix_locked, ix);
	if (rc)
		goto out;
	ix->ntypes = HASH_COUNT(ix->by_mt);
	ix->sorted = calloc(ix->ntypes ? ix->ntypes : 1, sizeof(*ix->sorted));
	ix->sorted_i = calloc(ix->ntypes ? ix->ntypes : 1, sizeof(*ix->sorted_i));
	if (!ix->sorted || !ix->sorted_i) {
		rc = -ENOMEM;
		goto out;
	}
	size_t i = 0, w = ix->wide ? 8 : 4;
	struct ix_type *t, *tmp;
	HASH_ITER(hh, ix->by_mt, t, tmp)
	{
		void *a = realloc(t->addrs, t->pub.count * w);
		if (a) {
			t->addrs = a;
			t->cap = t->pub.count;
		}
		ix->index_bytes += t->cap * w + sizeof(*t);
		ix->sorted_i[i++] = t;
	}
	qsort(ix->sorted_i, ix->ntypes, sizeof(*ix->sorted_i), type_cmp);
	for (i = 0; i < ix->ntypes; i++)
		ix->sorted[i] = ix->sorted_i[i]->pub;
	ix->index_bytes += ix->ntypes * (sizeof(*ix->sorted) + sizeof(*ix->sorted_i)) +
			   (nsegs + 1) * (sizeof(*ix->first) + sizeof(*ix->walked)) +
			   ix->locked_cap * sizeof(*ix->locked);
out:
	if (rc) {
		rt_heap_index_free(ix);
		return rc;
	}
	*out = ix;
	return 0;
}

static int index_build(struct rt *rt)
{
	return ix_build(rt, &rt->heap_index);
}

int rt_heap_index(struct rt *rt, struct rt_heap_index **out)
{
	int rc = rt_once(rt, &rt->index_once, index_build);

	if (!rc)
		*out = rt->heap_index;
	return rc;
}

const struct rt_heap_type *rt_heap_index_types(struct rt_heap_index *ix, size_t *count)
{
	*count = ix->ntypes;
	return ix->sorted;
}

const struct rt_heap_type *rt_heap_index_type(struct rt_heap_index *ix, uint64_t mt)
{
	size_t lo = 0, hi = ix->ntypes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->sorted[mid].mt < mt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->ntypes && ix->sorted[lo].mt == mt ? &ix->sorted[lo] : NULL;
}

uint64_t rt_heap_index_object(struct rt_heap_index *ix, const struct rt_heap_type *t, uint64_t i)
{
	const struct ix_type *it = ix->sorted_i[t - ix->sorted];
	if (ix->wide)
		return ((const uint64_t *)it->addrs)[i];
	uint64_t g = ((const uint32_t *)it->addrs)[i];
	size_t lo = 0, hi = ix->nsegs;
	while (lo < hi) { /* the last segment whose first granule is <= g */
		size_t mid = lo + (hi - lo) / 2;
		if (ix->first[mid] <= g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ix->segs[lo - 1].start + ((g - ix->first[lo - 1]) << GRANULE_SHIFT);
}

/* The key obj has in t's array (its granule, or itself when wide), and in
 * *past 1 when obj is past every segment's start (above every key of the
 * segment it would be in). -ENOENT when obj is below every segment. */
static int ix_key(const struct rt_heap_index *ix, uint64_t obj, uint64_t *key)
{
	size_t lo = 0, hi = ix->nsegs;

	if (ix->wide) {
		*key = obj;
		return 0;
	}
	while (lo < hi) { /* the last segment starting at or below obj */
		size_t mid = lo + (hi - lo) / 2;
		if (ix->segs[mid].start <= obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	const struct rt_segment *sg = &ix->segs[lo - 1];
	if (obj >= sg->end) { /* past its objects: the last granule they may start at */
		uint64_t past = ix->first[lo - 1] + ((sg->end - sg->start) >> GRANULE_SHIFT);
		if (!past)
			return -ENOENT;
		*key = past - 1;
		return 1;
	}
	*key = ix->first[lo - 1] + ((obj - sg->start) >> GRANULE_SHIFT);
	return (obj - sg->start) & ((1u << GRANULE_SHIFT) - 1) ? 1 : 0; /* 1: no object starts here */
}

/* The number of t's keys at or below key (uint32 granules or addresses). */
static uint64_t ix_upper(const struct rt_heap_index *ix, const struct rt_heap_type *t, uint64_t key)
{
	const struct ix_type *it = ix->sorted_i[t - ix->sorted];
	uint64_t lo = 0, hi = t->count;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		uint64_t k = ix->wide ? ((const uint64_t *)it->addrs)[mid]
				      : ((const uint32_t *)it->addrs)[mid];
		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int rt_heap_index_find(struct rt_heap_index *ix, const struct rt_heap_type *t, uint64_t obj,
		       uint64_t *index)
{
	const struct ix_type *it = ix->sorted_i[t - ix->sorted];
	uint64_t key, n;

	if (ix_key(ix, obj, &key) != 0 || !(n = ix_upper(ix, t, key)))
		return -ENOENT;
	/* An exact key is the object's own. */
	if ((ix->wide ? ((const uint64_t *)it->addrs)[n - 1] : ((const uint32_t *)it->addrs)[n - 1]) != key)
		return -ENOENT;
	*index = n - 1;
	return 0;
}

int rt_heap_index_floor(struct rt_heap_index *ix, const struct rt_heap_type *t, uint64_t addr,
			uint64_t *obj)
{
	uint64_t key, n;
	int rc = ix_key(ix, addr, &key);

	if (rc < 0 || !(n = ix_upper(ix, t, key)))
		return -ENOENT;
	*obj = rt_heap_index_object(ix, t, n - 1);
	return 0;
}

int rt_heap_index_has(struct rt *rt, struct rt_heap_index *ix, uint64_t obj)
{
	uint64_t mt, size, i;
	const struct rt_heap_type *t;

	return !rt_object_size(rt, obj, &mt, &size) && (t = rt_heap_index_type(ix, mt)) &&
	       !rt_heap_index_find(ix, t, obj, &i);
}

int rt_heap_index_shows(struct rt *rt, struct rt_heap_index *ix, uint64_t obj, uint64_t *mt)
{
	const struct rt_heap_type *t;
	uint64_t size, i;
	size_t lo = 0, hi = ix->nsegs;

	if (rt_object_plausible(rt, obj, mt, &size) || !(t = rt_heap_index_type(ix, *mt)))
		return 0;
	if (!rt_heap_index_find(ix, t, obj, &i))
		return 1;
	while (lo < hi) { /* the segment holding obj (plausible: one does) */
		size_t mid = lo + (hi - lo) / 2;
		if (ix->segs[mid].start <= obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && obj >= ix->walked[lo - 1];
}

const struct rt_locked_obj *rt_heap_index_locked(struct rt_heap_index *ix, size_t *count)
{
	*count = ix->nlocked;
	return ix->locked;
}

void rt_heap_index_totals(struct rt_heap_index *ix, uint64_t *objects, uint64_t *bytes,
			  uint64_t *index_bytes)
{
	*objects = ix->objects;
	*bytes = ix->bytes;
	*index_bytes = ix->index_bytes;
}

void rt_heap_index_free(struct rt_heap_index *ix)
{
	struct ix_type *t, *tmp;
	if (!ix)
		return;
	HASH_ITER(hh, ix->by_mt, t, tmp)
	{
		HASH_DEL(ix->by_mt, t);
		free(t->addrs);
		free(t);
	}
	free(ix->sorted);
	free(ix->sorted_i);
	free(ix->first);
	free(ix->walked);
	free(ix->locked);
	free(ix);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int rt_heap_modules(struct rt *rt, uint64_t **out, size_t *count)
{
	struct rt_heap_index *ix;
	const struct rt_heap_type *types;
	struct rt_type_info info;
	size_t nt, n = 0;
	int rc = rt_heap_index(rt, &ix);

	if (rc)
		return rc;
	types = rt_heap_index_types(ix, &nt);
	uint64_t *mods = malloc((nt + 1) * sizeof(*mods));
	if (!mods)
		return -ENOMEM;
	for (size_t i = 0; i < nt; i++)
		if (rt_type_info(rt, types[i].mt, &info) == 0 && info.module)
			mods[n++] = info.module;
	if (n)
		qsort(mods, n, sizeof(*mods), u64_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || mods[u - 1] != mods[i])
			mods[u++] = mods[i];
	*out = mods;
	*count = u;
	return 0;
}
