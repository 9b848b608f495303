// SPDX-License-Identifier: MIT
// Retained sizes: the dominator tree of the live objects, from one virtual root
// whose successors are the roots (roots.c). An object d dominates o when every
// path from the roots to o passes d; the bytes o's immediate dominator retains
// include o's retained bytes, so an object's retained size is its own plus those
// of the objects it immediately dominates: what freeing it would free.
//
// Semi-NCA (Georgiadis and Tarjan; the semidominators of Lengauer and Tarjan,
// "A fast algorithm for finding dominators in a flowgraph", 1979, with path
// compression, then each idom as the nearest common ancestor in the DFS tree):
// a depth-first numbering from the virtual root over the reference graph
// (refgraph.c) and dependent handles (primary to secondary), the semidominators
// in reverse order over each object's referrers, then the idoms in order. Every
// walk is iterative: a chain of a million objects is no deeper on the C stack.
// docs/design.md, "Retained sizes".
#include "refgraph.h"
#include "refgraph_i.h"

#include "fields.h"
#include "handles.h"
#include "heap.h"
#include "roots.h"
#include "runtime_i.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define NONE	 UINT32_MAX
#define TOP_MAX	 1000

struct dom {
	uint32_t *idom;	    /* per object: its immediate dominator's number, or
			     * RT_DOM_ROOT, RT_DOM_NONE (rt_dominators()) */
	uint64_t *retained; /* per object: bytes (0 when not live) */
	uint32_t *top;	    /* the largest retained sizes, descending */
	size_t ntop;
	uint64_t total; /* retained by the virtual root: every live byte */
};

/* The working arrays of rt_dominators(), by DFS number (0: the virtual root). */
struct build {
	const struct rt_domgraph *gr;
	struct rt_dom_edge *by_p, *by_s; /* the extra edges sorted by source, by target */
	uint8_t *is_root;		 /* per vertex */
	uint32_t *pre;	  /* per vertex: its DFS number, NONE when not reached */
	uint32_t *vertex; /* per number: the vertex (0: the virtual root) */
	uint32_t *parent; /* per number: its DFS parent's number */
	uint32_t *semi, *label, *ancestor, *stack;
	uint32_t count; /* numbers given, the virtual root's 0 included */
};

static void dom_free(void *p)
{
	struct dom *d = p;

	if (d) {
		free(d->idom);
		free(d->retained);
		free(d->top);
	}
	free(d);
}

static int by_p(const void *a, const void *b)
{
	const struct rt_dom_edge *x = a, *y = b;
	return x->p < y->p ? -1 : x->p > y->p ? 1 : (x->s > y->s) - (x->s < y->s);
}

static int by_s(const void *a, const void *b)
{
	const struct rt_dom_edge *x = a, *y = b;
	return x->s < y->s ? -1 : x->s > y->s ? 1 : (x->p > y->p) - (x->p < y->p);
}

/* The first of the n edges (sorted by source, or by target) whose key is at
 * or past v. */
static size_t edge_first(const struct rt_dom_edge *d, size_t n, uint32_t v, bool target)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((target ? d[mid].s : d[mid].p) < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Numbers the vertices reached from v depth first, v first. */
static void dfs(struct build *b, uint32_t v0, uint32_t *cursor)
{
	const struct rt_domgraph *gr = b->gr;
	size_t sp = 0;

	b->pre[v0] = b->count;
	b->vertex[b->count] = v0;
	b->parent[b->count++] = 0;
	b->stack[sp] = v0;
	cursor[sp++] = 0;
	while (sp) {
		uint32_t v = b->stack[sp - 1], k = cursor[sp - 1]++, w;
		uint32_t nref = gr->off[v + 1] - gr->off[v];
		if (k < nref) {
			w = gr->dst[gr->off[v] + k];
		} else {
			size_t d = edge_first(b->by_p, gr->nextra, v, false) + (k - nref);
			if (d >= gr->nextra || b->by_p[d].p != v) {
				sp--;
				continue;
			}
			w = b->by_p[d].s;
		}
		if (w >= gr->n || b->pre[w] != NONE)
			continue;
		b->pre[w] = b->count;
		b->vertex[b->count] = w;
		b->parent[b->count++] = b->pre[v];
		b->stack[sp] = w;
		cursor[sp++] = 0;
	}
}

/* The vertex of least semidominator on the path from v up to the root of its
 * linked tree (Lengauer-Tarjan EVAL, COMPRESS unrolled onto b->stack). */
static uint32_t eval(struct build *b, uint32_t v)
{
	size_t sp = 0;

	if (b->ancestor[v] == NONE)
		return v;
	for (uint32_t x = v; b->ancestor[b->ancestor[x]] != NONE; x = b->ancestor[x])
		b->stack[sp++] = x;
	while (sp) {
		uint32_t x = b->stack[--sp], a = b->ancestor[x];
		if (b->semi[b->label[a]] < b->semi[b->label[x]])
			b->label[x] = b->label[a];
		b->ancestor[x] = b->ancestor[a];
	}
	return b->label[v];
}

/* Lowers semi(i) by a predecessor v of its vertex. */
static void semi_by(struct build *b, uint32_t i, uint32_t v)
{
	uint32_t j = v < b->gr->n ? b->pre[v] : NONE;

	if (j != NONE) {
		uint32_t u = eval(b, j);
		if (b->semi[u] < b->semi[i])
			b->semi[i] = b->semi[u];
	}
}

static void semidominators(struct build *b)
{
	const struct rt_domgraph *gr = b->gr;

	for (uint32_t i = 0; i < b->count; i++) {
		b->semi[i] = b->label[i] = i;
		b->ancestor[i] = NONE;
	}
	for (uint32_t i = b->count - 1; i >= 1; i--) {
		uint32_t w = b->vertex[i];
		if (b->is_root[w])
			b->semi[i] = 0; /* the virtual root points at it */
		for (uint32_t k = gr->roff[w]; k < gr->roff[w + 1] && b->semi[i]; k++)
			semi_by(b, i, gr->rsrc[k]);
		for (size_t d = edge_first(b->by_s, gr->nextra, w, true);
		     d < gr->nextra && b->by_s[d].s == w && b->semi[i]; d++)
			semi_by(b, i, b->by_s[d].p);
		b->ancestor[i] = b->parent[i];
	}
}

int rt_dominators(const struct rt_domgraph *gr, uint32_t *idom, uint32_t *order, uint32_t *count)
{
	struct build b = { .gr = gr };
	size_t m = (size_t)gr->n + 1, ne = gr->nextra ? gr->nextra : 1;
	uint32_t *cursor = NULL;
	int rc = -ENOMEM;

	*count = 0;
	if (!(b.by_p = malloc(ne * sizeof(*b.by_p))) || !(b.by_s = malloc(ne * sizeof(*b.by_s))) ||
	    !(b.is_root = calloc(m, 1)) || !(b.pre = malloc(m * sizeof(*b.pre))) ||
	    !(b.vertex = malloc(m * sizeof(*b.vertex))) || !(b.parent = malloc(m * sizeof(*b.parent))) ||
	    !(b.stack = malloc(m * sizeof(*b.stack))) || !(cursor = malloc(m * sizeof(*cursor))))
		goto out;
	memcpy(b.by_p, gr->extra, gr->nextra * sizeof(*b.by_p));
	memcpy(b.by_s, gr->extra, gr->nextra * sizeof(*b.by_s));
	if (gr->nextra) {
		qsort(b.by_p, gr->nextra, sizeof(*b.by_p), by_p);
		qsort(b.by_s, gr->nextra, sizeof(*b.by_s), by_s);
	}
	memset(b.pre, 0xff, m * sizeof(*b.pre));
	b.vertex[0] = NONE; /* the virtual root */
	b.parent[0] = 0;
	b.count = 1;
	for (size_t i = 0; i < gr->nroots; i++)
		if (gr->roots[i] < gr->n)
			b.is_root[gr->roots[i]] = 1;
	for (size_t i = 0; i < gr->nroots; i++)
		if (gr->roots[i] < gr->n && b.pre[gr->roots[i]] == NONE)
			dfs(&b, gr->roots[i], cursor);
	free(cursor);
	cursor = NULL;
	if (!(b.semi = malloc(b.count * sizeof(*b.semi))) ||
	    !(b.label = malloc(b.count * sizeof(*b.label))) ||
	    !(b.ancestor = malloc(b.count * sizeof(*b.ancestor))))
		goto out;
	semidominators(&b);
	/* idom(i): the nearest ancestor of i's parent at or above semi(i), into
	 * label, free now. */
	uint32_t *num = b.label;
	num[0] = 0;
	for (uint32_t i = 1; i < b.count; i++) {
		uint32_t x = b.parent[i];
		while (x > b.semi[i])
			x = num[x];
		num[i] = x;
	}
	for (uint32_t v = 0; v < gr->n; v++) {
		uint32_t i = b.pre[v];
		idom[v] = i == NONE ? RT_DOM_NONE : num[i] ? b.vertex[num[i]] : RT_DOM_ROOT;
	}
	for (uint32_t i = 1; i < b.count; i++)
		order[i - 1] = b.vertex[i];
	*count = b.count - 1;
	rc = 0;
out:
	free(cursor);
	free(b.by_p);
	free(b.by_s);
	free(b.is_root);
	free(b.pre);
	free(b.vertex);
	free(b.parent);
	free(b.stack);
	free(b.semi);
	free(b.label);
	free(b.ancestor);
	return rc;
}

/* Each object's bytes: a fixed size per type, else its own (an array's, a
 * string's), read again from its header. */
static int sizes(struct rt *rt, const struct rt_refgraph *g, const struct live *l, uint64_t *out)
{
	for (size_t t = 0; t < g->ntypes; t++) {
		const struct rt_heap_type *ht = &g->types[t];
		struct rt_type_info info;
		bool fixed = !rt_type_info(rt, ht->mt, &info) && !info.component_size;
		for (uint64_t i = 0; i < ht->count; i++) {
			uint64_t obj = rt_heap_index_object(g->ix, ht, i), mt;
			uint64_t size = ht->bytes / ht->count;
			uint32_t id;
			if (rt_refgraph_id(rt, g, obj, &id))
				continue;
			if (l->parent[id] == RG_UNREACHED)
				size = 0;
			else if (!fixed && rt_object_size(rt, obj, &mt, &size))
				return -EIO;
			out[id] = size;
		}
	}
	return 0;
}

/* The TOP_MAX objects of largest retained size, largest first (equal sizes by
 * number, that is by type and address). */
static int top_of(struct dom *d, uint32_t n)
{
	size_t cap = TOP_MAX, k = 0;
	uint32_t *h = malloc(cap * sizeof(*h)); /* a min-heap of the best so far */

	if (!h)
		return -ENOMEM;
#define LESS(a, b) (d->retained[a] < d->retained[b] || (d->retained[a] == d->retained[b] && (a) > (b)))
	for (uint32_t id = 0; id < n; id++) {
		if (d->idom[id] == RT_DOM_NONE)
			continue;
		if (k == cap && !LESS(h[0], id))
			continue;
		size_t i;
		if (k < cap) {
			i = k++;
			while (i && LESS(id, h[(i - 1) / 2])) {
				h[i] = h[(i - 1) / 2];
				i = (i - 1) / 2;
			}
		} else { /* replace the least, sift down */
			i = 0;
			for (;;) {
				size_t c = 2 * i + 1;
				if (c >= k)
					break;
				if (c + 1 < k && LESS(h[c + 1], h[c]))
					c++;
				if (!LESS(h[c], id))
					break;
				h[i] = h[c];
				i = c;
			}
		}
		h[i] = id;
	}
	/* Heap to descending order: take the least to the end, k times. */
	for (size_t m = k; m > 1; m--) {
		uint32_t last = h[m - 1], least = h[0];
		size_t i = 0;
		for (;;) {
			size_t c = 2 * i + 1;
			if (c >= m - 1)
				break;
			if (c + 1 < m - 1 && LESS(h[c + 1], h[c]))
				c++;
			if (!LESS(h[c], last))
				break;
			h[i] = h[c];
			i = c;
		}
		h[i] = last;
		h[m - 1] = least;
	}
#undef LESS
	d->top = h;
	d->ntop = k;
	return 0;
}

static int dom_build(struct rt *rt, void **out)
{
	struct rt_refgraph *g;
	struct live *l;
	struct referrers *r = NULL;
	const struct rt_root *roots;
	const struct rt_handle *h;
	struct rt_domgraph gr = {0};
	struct rt_dom_edge *deps = NULL;
	uint32_t *rootv = NULL, *order = NULL, count;
	struct dom *d = NULL;
	size_t nroots, nh;
	int rc = rt_live_get(rt, &g, &l);

	if (!rc)
		rc = rt_roots(rt, &roots, &nroots);
	/* The referrers for the while: what stays is the tree's 12 bytes per object. */
	if (!rc)
		rc = rt_referrers_make(g, &r);
	if (rc)
		return rc;
	if (rt_handles(rt, &h, &nh))
		nh = 0; /* no dependent handles to follow, as the live set */
	rc = -ENOMEM;
	if (!(deps = malloc((nh ? nh : 1) * sizeof(*deps))) ||
	    !(rootv = malloc((nroots ? nroots : 1) * sizeof(*rootv))) ||
	    !(order = malloc(((size_t)g->n + 1) * sizeof(*order))) || !(d = calloc(1, sizeof(*d))) ||
	    !(d->idom = malloc(((size_t)g->n + 1) * sizeof(*d->idom))) ||
	    !(d->retained = malloc(((size_t)g->n + 1) * sizeof(*d->retained))))
		goto out;
	gr = (struct rt_domgraph){ g->n, g->off, g->dst, r->off, r->src, deps, 0, rootv, 0 };
	for (size_t i = 0; i < nh; i++) {
		uint32_t p, s;
		if (h[i].type == RT_HANDLE_DEPENDENT && h[i].extra &&
		    !rt_refgraph_id(rt, g, h[i].object, &p) && !rt_refgraph_id(rt, g, h[i].extra, &s))
			deps[gr.nextra++] = (struct rt_dom_edge){ p, s };
	}
	/* The roots the live set starts from, in its order: the sure roots, then
	 * the stacks' that none of those reaches (a stale slot of a stack does
	 * not keep alive what a static holds: the cache retains its entries). */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nroots; i++) {
			uint32_t id;
			if ((roots[i].kind == RT_ROOT_STACK) == (pass == 1) &&
			    !rt_refgraph_id(rt, g, roots[i].object, &id) && l->parent[id] == RG_ROOT)
				rootv[gr.nroots++] = id;
		}
	rc = rt_dominators(&gr, d->idom, order, &count);
	rt_referrers_free(r);
	r = NULL;
	free(deps);
	deps = NULL;
	if (!rc)
		rc = sizes(rt, g, l, d->retained);
	if (rc)
		goto out;
	/* Retained bytes, leaves up: each object's idom comes before it in DFS order. */
	d->total = 0;
	for (uint32_t i = count; i-- > 0;) {
		uint32_t v = order[i], up = d->idom[v];
		if (up == RT_DOM_ROOT)
			d->total += d->retained[v];
		else
			d->retained[up] += d->retained[v];
	}
	for (uint32_t v = 0; v < g->n; v++)
		if (d->idom[v] == RT_DOM_NONE)
			d->retained[v] = 0;
	rc = top_of(d, g->n);
out:
	rt_referrers_free(r);
	free(deps);
	free(rootv);
	free(order);
	malloc_trim(0); /* give back the temporaries (glibc keeps freed chunks under its mmap threshold) */
	if (rc) {
		dom_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static int dom_get(struct rt *rt, struct rt_refgraph **g, struct dom **d)
{
	void *p;
	int rc = rt_refgraph_get(rt, g);

	if (!rc)
		rc = rt_part(rt, RT_PART_DOMINATORS, dom_build, dom_free, &p);
	if (!rc)
		*d = p;
	return rc;
}

int rt_object_retained(struct rt *rt, uint64_t obj, uint64_t *bytes, uint64_t *dominator)
{
	struct rt_refgraph *g;
	struct dom *d;
	uint32_t id;
	int rc = dom_get(rt, &g, &d);

	if (rc)
		return rc;
	if (rt_refgraph_id(rt, g, obj, &id))
		return -ENOENT;
	if (d->idom[id] == RT_DOM_NONE)
		return -ENODATA;
	*bytes = d->retained[id];
	*dominator = d->idom[id] == RT_DOM_ROOT ? 0 : rt_refgraph_obj(g, d->idom[id]);
	return 0;
}

int rt_retained_top(struct rt *rt, struct rt_retained **out, size_t *count)
{
	struct rt_refgraph *g;
	struct dom *d;
	int rc = dom_get(rt, &g, &d);

	*out = NULL;
	*count = 0;
	if (rc)
		return rc;
	struct rt_retained *v = malloc((d->ntop ? d->ntop : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < d->ntop; i++)
		v[i] = (struct rt_retained){ rt_refgraph_obj(g, d->top[i]), d->retained[d->top[i]] };
	*out = v;
	*count = d->ntop;
	return 0;
}

int rt_type_retained(struct rt *rt, uint64_t mt, uint64_t *bytes)
{
	struct rt_refgraph *g;
	struct dom *d;
	const struct rt_heap_type *t;
	int rc = dom_get(rt, &g, &d);

	*bytes = 0;
	if (rc)
		return rc;
	if (!(t = rt_heap_index_type(g->ix, mt)))
		return -ENOENT;
	/* An instance counts unless another instance dominates it: whether one is
	 * at or above each object, found once per object up its idom chain. */
	uint8_t *above = calloc(g->n ? g->n : 1, 1); /* INSTANCE | 0 unknown, 1 no, 2 yes */
	uint32_t *path = malloc((g->n ? g->n : 1) * sizeof(*path));
	if (!above || !path) {
		free(above);
		free(path);
		return -ENOMEM;
	}
	enum { INSTANCE = 4, KNOWN = 3 };
	for (uint64_t i = 0; i < t->count; i++) {
		uint32_t id;
		if (!rt_refgraph_id(rt, g, rt_heap_index_object(g->ix, t, i), &id))
			above[id] |= INSTANCE;
	}
	for (uint64_t i = 0; i < t->count; i++) {
		uint32_t id, x;
		size_t len = 0;
		uint8_t v = 1;
		if (rt_refgraph_id(rt, g, rt_heap_index_object(g->ix, t, i), &id) ||
		    (x = d->idom[id]) == RT_DOM_NONE)
			continue;
		while (x != RT_DOM_ROOT) {
			if (above[x] & INSTANCE) {
				v = 2;
				break;
			}
			if (above[x] & KNOWN) {
				v = above[x] & KNOWN;
				break;
			}
			path[len++] = x;
			x = d->idom[x];
		}
		while (len)
			above[path[--len]] |= v;
		if (v == 1)
			*bytes += d->retained[id];
	}
	free(above);
	free(path);
	return 0;
}
