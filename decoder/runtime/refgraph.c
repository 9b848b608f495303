// SPDX-License-Identifier: MIT
// The heap's reference graph, reversed: who points at each object. Built once
// (rt_part) from one pass over the heap index's objects and their GCDesc
// references (refs.c), kept as two compact arrays: objects are numbered by
// the index's order (type by type, each type's by address), and the
// referrers of object i are src[off[i]] to src[off[i + 1]], 4 bytes per
// object and per reference. The forward edges are gathered first the same
// way and freed once the reverse is made.
#include "refgraph.h"

#include "dump.h"
#include "heap.h"
#include "heapindex.h"
#include "refs.h"
#include "runtime_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


struct rt_refgraph {
	struct rt_heap_index *ix;
	const struct rt_heap_type *types;
	size_t ntypes;
	uint64_t *first; /* ntypes + 1: the number of a type's first object */
	uint32_t n;
	uint32_t *off, *src;
};

static void graph_free(void *p)
{
	struct rt_refgraph *g = p;

	if (!g)
		return;
	free(g->first);
	free(g->off);
	free(g->src);
	free(g);
}

/* The number of the indexed object at obj; -ENOENT when it is none. */
static int id_of(struct rt *rt, const struct rt_refgraph *g, uint64_t obj, uint32_t *id)
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
	if (id_of(e->rt, e->g, ref, &id))
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
	uint32_t *foff = NULL;
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
	if (n >= UINT32_MAX) {
		rc = -EFBIG; /* numbered in 32 bits: 4 billion objects */
		goto fail;
	}
	g->n = (uint32_t)n;
	/* Forward: each object's references, in the objects' order. */
	foff = malloc((n + 1) * sizeof(*foff));
	if (!foff) {
		rc = -ENOMEM;
		goto fail;
	}
	uint32_t id = 0;
	for (size_t t = 0; t < g->ntypes; t++) {
		uint32_t flags;
		bool ptrs = !dump_read_u32(rt->d, g->types[t].mt + rt->lay.mt.flags, &flags) &&
			    (flags & RT_MTF_CONTAINS_POINTERS);
		for (uint64_t i = 0; i < g->types[t].count; i++, id++) {
			foff[id] = (uint32_t)e.n;
			uint64_t obj = rt_heap_index_object(g->ix, &g->types[t], i), mt, size;
			if (!ptrs || rt_object_size(rt, obj, &mt, &size))
				continue;
			rc = rt_gcdesc_walk(rt->d, obj, mt, size, add_edge, &e);
			if (rc == -ENOMEM)
				goto fail;
			rc = 0; /* an object whose GCDesc does not read: no edges */
		}
	}
	foff[n] = (uint32_t)e.n;
	/* Reversed: count each object's referrers, then place them. */
	g->off = calloc(n + 2, sizeof(*g->off));
	g->src = malloc((e.n ? e.n : 1) * sizeof(*g->src));
	if (!g->off || !g->src) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t k = 0; k < e.n; k++)
		g->off[e.dst[k] + 2]++;
	for (uint64_t i = 2; i < n + 2; i++)
		g->off[i] += g->off[i - 1];
	for (uint32_t s = 0; s < n; s++)
		for (uint32_t k = foff[s]; k < foff[s + 1]; k++)
			g->src[g->off[e.dst[k] + 1]++] = s;
	free(foff);
	free(e.dst);
	*out = g;
	return 0;
fail:
	free(foff);
	free(e.dst);
	graph_free(g);
	return rc;
}

static int graph_get(struct rt *rt, struct rt_refgraph **g)
{
	void *p;
	int rc = rt_part(rt, RT_PART_REFGRAPH, graph_build, graph_free, &p);

	if (!rc)
		*g = p;
	return rc;
}

int rt_object_referrers(struct rt *rt, uint64_t obj, uint64_t **out, size_t *count)
{
	struct rt_refgraph *g;
	uint32_t id;
	int rc = graph_get(rt, &g);

	*out = NULL;
	*count = 0;
	if (rc)
		return rc;
	if (id_of(rt, g, obj, &id))
		return -ENOENT;
	size_t n = g->off[id + 1] - g->off[id];
	uint64_t *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		uint32_t s = g->src[g->off[id] + k];
		/* Its type: the last whose first number is at or below s. */
		size_t lo = 0, hi = g->ntypes;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (g->first[mid] <= s)
				lo = mid;
			else
				hi = mid;
		}
		v[k] = rt_heap_index_object(g->ix, &g->types[lo], s - g->first[lo]);
	}
	*out = v;
	*count = n;
	return 0;
}
