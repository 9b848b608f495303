// SPDX-License-Identifier: MIT
// The heap's reference graph, built once (rt_part) from one pass over the heap
// index's objects in address order and their GCDesc references (refs.c), kept
// as two compact arrays: objects are numbered in address order (a bit map of
// where objects start, refgraph_i.h, so that a reference's number takes no read
// of the dump), and the references object i holds are the objects dst[off[i]]
// to dst[off[i + 1]], 4 bytes per object and per reference.
// Two parts are made from it, each once, on first use: the graph reversed
// (referrers, the same two arrays the other way), and the live set: a
// breadth-first walk from the roots (roots.c), a dependent handle's
// secondary reached through its primary (the GC's own rule, gc.cpp
// scan_dependent_handles), which leaves each reached object the number of
// the one it was reached from (4 bytes per object): a shortest path back to
// a root. docs/design.md, "References and roots".
#include "refgraph.h"
#include "refgraph_i.h"

#include "dump.h"
#include "fields.h"
#include "handles.h"
#include "heap.h"
#include "heapindex.h"
#include "refs.h"
#include "roots.h"
#include "runtime_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void graph_free(void *p)
{
	struct rt_refgraph *g = p;

	if (!g)
		return;
	free(g->gstart);
	free(g->bfirst);
	free(g->bbits);
	free(g->off);
	free(g->dst);
	free(g);
}

/* The segment holding addr (its objects' range), or -1. */
static ssize_t seg_of(const struct rt_refgraph *g, uint64_t addr)
{
	size_t lo = 0, hi = g->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->segs[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr < g->segs[lo - 1].end ? (ssize_t)lo - 1 : -1;
}

/* rt_refgraph_id() with the segment of the last look-up as a first guess. */
static int id_near(const struct rt_refgraph *g, uint64_t obj, uint32_t *id, ssize_t *hint)
{
	ssize_t s = *hint;

	if (obj % 8)
		return -ENOENT;
	if (s < 0 || obj < g->segs[s].start || obj >= g->segs[s].end) {
		if ((s = seg_of(g, obj)) < 0)
			return -ENOENT;
		*hint = s;
	}
	uint64_t gr = g->gstart[s] + ((obj - g->segs[s].start) >> 3);
	uint64_t bits = g->bbits[gr / 64], below = bits & ((UINT64_C(1) << (gr % 64)) - 1);
	if (!(bits >> (gr % 64) & 1))
		return -ENOENT;
	*id = g->bfirst[gr / 64] + (uint32_t)__builtin_popcountll(below);
	return 0;
}

int rt_refgraph_id(struct rt *rt, const struct rt_refgraph *g, uint64_t obj, uint32_t *id)
{
	ssize_t hint = -1;

	(void)rt;
	return id_near(g, obj, id, &hint);
}

uint64_t rt_refgraph_obj(const struct rt_refgraph *g, uint32_t id)
{
	size_t lo = 0, hi = g->nblocks;

	while (hi - lo > 1) { /* the last block whose first number is <= id: id's */
		size_t mid = lo + (hi - lo) / 2;
		if (g->bfirst[mid] <= id)
			lo = mid;
		else
			hi = mid;
	}
	uint64_t bits = g->bbits[lo];
	for (uint32_t k = id - g->bfirst[lo]; k; k--)
		bits &= bits - 1; /* drop the lower set bits */
	uint64_t gr = lo * 64 + (uint64_t)__builtin_ctzll(bits);
	size_t sl = 0, sh = g->nsegs;
	while (sh - sl > 1) { /* the segment whose granules hold gr */
		size_t mid = sl + (sh - sl) / 2;
		if (g->gstart[mid] <= gr)
			sl = mid;
		else
			sh = mid;
	}
	return g->segs[sl].start + ((gr - g->gstart[sl]) << 3);
}

struct edges {
	struct rt *rt;
	struct rt_refgraph *g;
	uint32_t *dst;
	size_t n, cap;
	ssize_t hint;	 /* the segment of the last reference */
	uint64_t last_mt; /* the last object's type, and whether it holds references */
	bool ptrs;
};

static int add_edge(void *arg, uint64_t off, uint64_t ref)
{
	struct edges *e = arg;
	uint32_t id;

	(void)off;
	if (id_near(e->g, ref, &id, &e->hint))
		return 0; /* not an object of the heap: nothing to count */
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 1 << 16;
		uint32_t *d = cap > UINT32_MAX ? NULL : realloc(e->dst, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		e->dst = d;
		e->cap = cap;
	}
	e->dst[e->n++] = id;
	return 0;
}

/* The objects' map: each segment's granules (8 bytes) laid end to end, each
 * segment from a multiple of 64, a bit per granule where an object starts,
 * and per 64 granules the number of the first object in them. */
static int number_objects(struct rt_refgraph *g)
{
	uint64_t total = 0;

	if (!(g->gstart = malloc((g->nsegs + 1) * sizeof(*g->gstart))))
		return -ENOMEM;
	for (size_t s = 0; s < g->nsegs; s++) {
		g->gstart[s] = total;
		uint64_t len = g->segs[s].end > g->segs[s].start ? g->segs[s].end - g->segs[s].start : 0;
		total += ((len + 7) / 8 + 63) / 64 * 64;
	}
	g->gstart[g->nsegs] = total;
	g->nblocks = total / 64 + 1;
	if (!(g->bbits = calloc(g->nblocks, sizeof(*g->bbits))) ||
	    !(g->bfirst = malloc(g->nblocks * sizeof(*g->bfirst))))
		return -ENOMEM;
	uint64_t n = 0;
	for (size_t t = 0; t < g->ntypes; t++)
		for (uint64_t i = 0; i < g->types[t].count; i++) {
			uint64_t obj = rt_heap_index_object(g->ix, &g->types[t], i);
			ssize_t s = seg_of(g, obj);
			if (s < 0 || obj % 8)
				continue; /* cannot be: the index's objects are in its segments */
			uint64_t gr = g->gstart[s] + ((obj - g->segs[s].start) >> 3);
			g->bbits[gr / 64] |= UINT64_C(1) << (gr % 64);
			n++;
		}
	if (n >= RG_ROOT)
		return -EFBIG; /* numbered in 32 bits: 4 billion objects */
	uint32_t id = 0;
	for (size_t b = 0; b < g->nblocks; b++) {
		g->bfirst[b] = id;
		id += (uint32_t)__builtin_popcountll(g->bbits[b]);
	}
	g->n = id;
	return 0;
}

/* Object number id at obj: where its references start, then them. */
static int add_object(struct rt *rt, struct edges *e, uint32_t id, uint64_t obj)
{
	uint64_t mt, size;
	uint32_t flags;
	int rc;

	e->g->off[id] = (uint32_t)e->n;
	if (rt_object_size(rt, obj, &mt, &size))
		return 0;
	if (mt != e->last_mt) {
		e->ptrs = !dump_read_u32(rt->d, mt + rt->lay.mt.flags, &flags) &&
			  (flags & RT_MTF_CONTAINS_POINTERS);
		e->last_mt = mt;
	}
	if (!e->ptrs)
		return 0;
	rc = rt_gcdesc_walk(rt->d, obj, mt, size, add_edge, e);
	return rc == -ENOMEM ? rc : 0; /* an object whose GCDesc does not read: no edges */
}

static int graph_build(struct rt *rt, void **out)
{
	struct rt_refgraph *g = calloc(1, sizeof(*g));
	struct edges e = {rt, g, NULL, 0, 0, -1, 0, false};
	int rc = g ? rt_heap_index(rt, &g->ix) : -ENOMEM;

	if (!rc)
		rc = rt_segments(rt, &g->segs, &g->nsegs);
	if (rc)
		goto fail;
	g->types = rt_heap_index_types(g->ix, &g->ntypes);
	rc = number_objects(g);
	if (rc)
		goto fail;
	if (!(g->off = malloc(((size_t)g->n + 1) * sizeof(*g->off)))) {
		rc = -ENOMEM;
		goto fail;
	}
	/* In address order: each object's references, read as the GC would. */
	uint32_t id = 0;
	for (size_t s = 0; s < g->nsegs; s++) {
		for (uint64_t b = g->gstart[s] / 64; b < g->gstart[s + 1] / 64; b++) {
			for (uint64_t bits = g->bbits[b]; bits; bits &= bits - 1, id++) {
				uint64_t gr = b * 64 + (uint64_t)__builtin_ctzll(bits);
				rc = add_object(rt, &e, id, g->segs[s].start + ((gr - g->gstart[s]) << 3));
				if (rc)
					goto fail;
			}
		}
	}
	g->off[g->n] = (uint32_t)e.n;
	/* Kept at its size: the graph stays for the session. */
	g->dst = e.n ? realloc(e.dst, e.n * sizeof(*g->dst)) : e.dst;
	if (!g->dst)
		g->dst = e.dst;
	*out = g;
	return 0;
fail:
	free(e.dst);
	graph_free(g);
	return rc;
}

int rt_refgraph_get(struct rt *rt, struct rt_refgraph **g)
{
	void *p;
	int rc = rt_part(rt, RT_PART_REFGRAPH, graph_build, graph_free, &p);

	if (!rc)
		*g = p;
	return rc;
}

static void referrers_free(void *p)
{
	struct referrers *r = p;

	if (r) {
		free(r->off);
		free(r->src);
	}
	free(r);
}

void rt_referrers_free(struct referrers *r)
{
	referrers_free(r);
}

int rt_referrers_make(const struct rt_refgraph *g, struct referrers **out)
{
	struct referrers *r;
	size_t n = g->n, ne = g->off[n];

	if (!(r = calloc(1, sizeof(*r))) || !(r->off = calloc(n + 2, sizeof(*r->off))) ||
	    !(r->src = malloc((ne ? ne : 1) * sizeof(*r->src)))) {
		referrers_free(r);
		return -ENOMEM;
	}
	/* Count each object's referrers, then place them. */
	for (size_t k = 0; k < ne; k++)
		r->off[g->dst[k] + 2]++;
	for (size_t i = 2; i < n + 2; i++)
		r->off[i] += r->off[i - 1];
	for (uint32_t s = 0; s < n; s++)
		for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++)
			r->src[r->off[g->dst[k] + 1]++] = s;
	*out = r;
	return 0;
}

static int referrers_build(struct rt *rt, void **out)
{
	struct rt_refgraph *g;
	int rc = rt_refgraph_get(rt, &g);

	return rc ? rc : rt_referrers_make(g, (struct referrers **)out);
}

int rt_referrers_get(struct rt *rt, struct referrers **r)
{
	void *p;
	int rc = rt_part(rt, RT_PART_REFERRERS, referrers_build, referrers_free, &p);

	if (!rc)
		*r = p;
	return rc;
}

int rt_object_referrers(struct rt *rt, uint64_t obj, uint64_t **out, size_t *count)
{
	struct rt_refgraph *g;
	struct referrers *r;
	uint32_t id;
	int rc = rt_refgraph_get(rt, &g);

	*out = NULL;
	*count = 0;
	if (!rc)
		rc = rt_referrers_get(rt, &r);
	if (rc)
		return rc;
	if (rt_refgraph_id(rt, g, obj, &id))
		return -ENOENT;
	size_t n = r->off[id + 1] - r->off[id];
	uint64_t *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++)
		v[k] = rt_refgraph_obj(g, r->src[r->off[id] + k]);
	*out = v;
	*count = n;
	return 0;
}

static void live_free(void *p)
{
	struct live *l = p;

	if (l) {
		free(l->parent);
		free(l->types);
	}
	free(l);
}

/* Walks from the objects queued in q[*head, *tail) breadth first, queueing
 * each object reached for the first time. */
static void walk(const struct rt_refgraph *g, uint32_t *parent, uint32_t *q, size_t *head,
		 size_t *tail)
{
	while (*head < *tail) {
		uint32_t s = q[(*head)++];
		for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++) {
			uint32_t d = g->dst[k];
			if (parent[d] == RG_UNREACHED) {
				parent[d] = s;
				q[(*tail)++] = d;
			}
		}
	}
}

/* Adds each reached object's live bytes to its type's. */
static int count_live(struct rt *rt, const struct rt_refgraph *g, struct live *l)
{
	for (size_t t = 0; t < g->ntypes; t++) {
		struct rt_live_type *lt = &l->types[t];
		const struct rt_heap_type *ht = &g->types[t];
		struct rt_type_info info;
		bool fixed = !rt_type_info(rt, ht->mt, &info) && !info.component_size;
		for (uint64_t i = 0; i < ht->count; i++) {
			uint64_t obj = rt_heap_index_object(g->ix, ht, i), mt, size;
			uint32_t id;
			if (rt_refgraph_id(rt, g, obj, &id) || l->parent[id] == RG_UNREACHED)
				continue;
			lt->count++;
			if (fixed)
				continue;
			if (rt_object_size(rt, obj, &mt, &size))
				return -EIO; /* the index's walk read it */
			lt->bytes += size;
		}
		if (fixed && ht->count)
			lt->bytes = lt->count * (ht->bytes / ht->count);
	}
	return 0;
}

static int live_build(struct rt *rt, void **out)
{
	struct rt_refgraph *g;
	const struct rt_root *roots;
	const struct rt_handle *h;
	size_t nroots, nh, head = 0, tail = 0;
	struct live *l;
	uint32_t *q = NULL, id;
	int rc = rt_refgraph_get(rt, &g);

	if (!rc)
		rc = rt_roots(rt, &roots, &nroots);
	if (rc)
		return rc;
	if (rt_handles(rt, &h, &nh))
		nh = 0; /* no dependent handles to follow: said in dump_diag() */
	if (!(l = calloc(1, sizeof(*l))) || !(l->parent = malloc((g->n + 1) * sizeof(*l->parent))) ||
	    !(l->types = calloc(g->ntypes + 1, sizeof(*l->types))) ||
	    !(q = malloc((g->n + 1) * sizeof(*q)))) {
		free(q);
		live_free(l);
		return -ENOMEM;
	}
	l->ntypes = g->ntypes;
	memset(l->parent, 0xff, (g->n + 1) * sizeof(*l->parent));
	/* The roots known for sure first, then the stacks' conservative ones: a
	 * path starts at a stack only where nothing else reaches the object. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nroots; i++)
			if ((roots[i].kind == RT_ROOT_STACK) == (pass == 1) &&
			    !rt_refgraph_id(rt, g, roots[i].object, &id) && l->parent[id] == RG_UNREACHED) {
				l->parent[id] = RG_ROOT;
				q[tail++] = id;
			}
		/* Then the secondaries whose primaries were reached, until none is new. */
		for (bool more = true; more;) {
			walk(g, l->parent, q, &head, &tail);
			more = false;
			for (size_t i = 0; i < nh; i++) {
				uint32_t p, s;
				if (h[i].type != RT_HANDLE_DEPENDENT || !h[i].extra ||
				    rt_refgraph_id(rt, g, h[i].object, &p) || l->parent[p] == RG_UNREACHED ||
				    rt_refgraph_id(rt, g, h[i].extra, &s) || l->parent[s] != RG_UNREACHED)
					continue;
				l->parent[s] = p;
				q[tail++] = s;
				more = true;
			}
		}
	}
	free(q);
	rc = count_live(rt, g, l);
	if (rc) {
		live_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

int rt_live_get(struct rt *rt, struct rt_refgraph **g, struct live **l)
{
	void *p;
	int rc = rt_refgraph_get(rt, g);

	if (!rc)
		rc = rt_part(rt, RT_PART_LIVE, live_build, live_free, &p);
	if (!rc)
		*l = p;
	return rc;
}

int rt_live_types(struct rt *rt, const struct rt_live_type **out, size_t *count)
{
	struct rt_refgraph *g;
	struct live *l;
	int rc = rt_live_get(rt, &g, &l);

	if (rc)
		return rc;
	*out = l->types;
	*count = l->ntypes;
	return 0;
}

int rt_object_path(struct rt *rt, uint64_t obj, const struct rt_root **root, uint64_t **hops,
		   size_t *n)
{
	struct rt_refgraph *g;
	struct live *l;
	const struct rt_root *roots;
	size_t nroots, len = 0;
	uint32_t id;
	int rc = rt_live_get(rt, &g, &l);

	*root = NULL;
	*hops = NULL;
	*n = 0;
	if (!rc)
		rc = rt_roots(rt, &roots, &nroots);
	if (rc)
		return rc;
	if (rt_refgraph_id(rt, g, obj, &id))
		return -ENOENT;
	if (l->parent[id] == RG_UNREACHED)
		return 0;
	/* Back to the root, at most once through every object. */
	for (uint32_t k = id; len <= g->n; k = l->parent[k]) {
		len++;
		if (l->parent[k] == RG_ROOT)
			break;
	}
	uint64_t *v = malloc(len * sizeof(*v));
	if (!v)
		return -ENOMEM;
	uint32_t k = id;
	for (size_t i = len; i-- > 0; k = l->parent[k])
		v[i] = rt_refgraph_obj(g, k);
	for (size_t i = 0; i < nroots && !*root; i++)
		if (roots[i].object == v[0])
			*root = &roots[i];
	if (!*root) { /* cannot be: each RG_ROOT came from a root */
		free(v);
		return -EBADMSG;
	}
	*hops = v;
	*n = len;
	return 0;
}
