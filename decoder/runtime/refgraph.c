// SPDX-License-Identifier: MIT
// The heap's reference graph, built once (rt_part) from one pass over the heap
// index's objects and their GCDesc references (refs.c), kept as two compact
// arrays: objects are numbered by the index's order (type by type, each
// type's by address), and the references object i holds are the objects
// dst[off[i]] to dst[off[i + 1]], 4 bytes per object and per reference.
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
	free(g->first);
	free(g->off);
	free(g->dst);
	free(g);
}

uint64_t rt_refgraph_obj(const struct rt_refgraph *g, uint32_t id)
{
	size_t lo = 0, hi = g->ntypes; /* its type: the last whose first is <= id */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->first[mid] <= id)
			lo = mid;
		else
			hi = mid;
	}
	return rt_heap_index_object(g->ix, &g->types[lo], id - g->first[lo]);
}

int rt_refgraph_id(struct rt *rt, const struct rt_refgraph *g, uint64_t obj, uint32_t *id)
{
	uint64_t mt, i;
	const struct rt_heap_type *t;

	if (dump_read_ptr(rt->d, obj, &mt))
		return -ENOENT;
	mt &= ~(uint64_t)rt->lay.obj.mt_unmask;
	if (!(t = rt_heap_index_type(g->ix, mt)) || rt_heap_index_find(g->ix, t, obj, &i))
		return -ENOENT;
	*id = (uint32_t)(g->first[t - g->types] + i);
	return 0;
}

struct edges {
	struct rt *rt;
	struct rt_refgraph *g;
	uint32_t *dst;
	size_t n, cap;
};

static int add_edge(void *arg, uint64_t off, uint64_t ref)
{
	struct edges *e = arg;
	uint32_t id;

	(void)off;
	if (rt_refgraph_id(e->rt, e->g, ref, &id))
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

static int graph_build(struct rt *rt, void **out)
{
	struct rt_refgraph *g = calloc(1, sizeof(*g));
	struct edges e = {rt, g, NULL, 0, 0};
	int rc = g ? rt_heap_index(rt, &g->ix) : -ENOMEM;

	if (rc)
		goto fail;
	g->types = rt_heap_index_types(g->ix, &g->ntypes);
	g->first = malloc((g->ntypes + 1) * sizeof(*g->first));
	if (!g->first) {
		rc = -ENOMEM;
		goto fail;
	}
	uint64_t n = 0;
	for (size_t t = 0; t < g->ntypes; t++) {
		g->first[t] = n;
		n += g->types[t].count;
	}
	g->first[g->ntypes] = n;
	if (n >= RG_ROOT) {
		rc = -EFBIG; /* numbered in 32 bits: 4 billion objects */
		goto fail;
	}
	g->n = (uint32_t)n;
	g->off = malloc((n + 1) * sizeof(*g->off));
	if (!g->off) {
		rc = -ENOMEM;
		goto fail;
	}
	uint32_t id = 0;
	for (size_t t = 0; t < g->ntypes; t++) {
		uint32_t flags;
		bool ptrs = !dump_read_u32(rt->d, g->types[t].mt + rt->lay.mt.flags, &flags) &&
			    (flags & RT_MTF_CONTAINS_POINTERS);
		for (uint64_t i = 0; i < g->types[t].count; i++, id++) {
			g->off[id] = (uint32_t)e.n;
			uint64_t obj = rt_heap_index_object(g->ix, &g->types[t], i), mt, size;
			if (!ptrs || rt_object_size(rt, obj, &mt, &size))
				continue;
			rc = rt_gcdesc_walk(rt->d, obj, mt, size, add_edge, &e);
			if (rc == -ENOMEM)
				goto fail;
			rc = 0; /* an object whose GCDesc does not read: no edges */
		}
	}
	g->off[n] = (uint32_t)e.n;
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
		for (uint64_t id = g->first[t]; id < g->first[t + 1]; id++) {
			uint64_t mt, size;
			if (l->parent[id] == RG_UNREACHED)
				continue;
			lt->count++;
			if (fixed)
				continue;
			if (rt_object_size(rt, rt_refgraph_obj(g, (uint32_t)id), &mt, &size))
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
