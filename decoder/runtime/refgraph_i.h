/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals: the reference graph's parts (refgraph.c), for
 * what is computed over them (dominators.c). */
#ifndef CLRFS_REFGRAPH_I_H
#define CLRFS_REFGRAPH_I_H

#include "heap.h"
#include "heapindex.h"

#include <stdint.h>

struct rt;

#define RG_UNREACHED UINT32_MAX
#define RG_ROOT	  (UINT32_MAX - 1) /* live: reached from no object, a root itself */

/* Objects are numbered in address order: a bit per 8-byte granule of the
 * segments laid end to end (each from a multiple of 64 granules) where an
 * object starts, and per 64 granules the number of the first of them, so an
 * address's number is a segment look-up and a bit count (12 bytes per 512
 * bytes of heap), with no read of the dump. */
struct rt_refgraph {
	struct rt_heap_index *ix;
	const struct rt_heap_type *types;
	size_t ntypes;
	const struct rt_segment *segs; /* rt_segments() */
	size_t nsegs;
	uint64_t *gstart; /* nsegs + 1: each segment's first granule */
	uint64_t *bbits;  /* per 64 granules: where objects start */
	uint32_t *bfirst; /* per 64 granules: the number of the first object */
	size_t nblocks;
	uint32_t n;
	uint32_t *off, *dst; /* n + 1 offsets; the references */
};

struct referrers {
	uint32_t *off, *src;
};

struct live {
	uint32_t *parent; /* per object: RG_UNREACHED, RG_ROOT, or who reached it */
	struct rt_live_type *types;
	size_t ntypes;
};

/* The parts, each built on first use; borrowed until rt_close(). */
int rt_refgraph_get(struct rt *rt, struct rt_refgraph **g);
int rt_referrers_get(struct rt *rt, struct referrers **r);
int rt_live_get(struct rt *rt, struct rt_refgraph **g, struct live **l);
/* The graph reversed, made anew (the part RT_PART_REFERRERS keeps one), and
 * freed with rt_referrers_free(). -ENOMEM. */
int rt_referrers_make(const struct rt_refgraph *g, struct referrers **out);
void rt_referrers_free(struct referrers *r);
/* The number of the indexed object at obj; -ENOENT when it is none. */
int rt_refgraph_id(struct rt *rt, const struct rt_refgraph *g, uint64_t obj, uint32_t *id);
/* The address of object number id. */
uint64_t rt_refgraph_obj(const struct rt_refgraph *g, uint32_t id);

/* A directed graph whose dominator tree rt_dominators() finds: n vertices,
 * the edges of vertex v dst[off[v]] to dst[off[v + 1]], the same reversed
 * (roff, rsrc: the sources of the edges into v), extra edges besides (a
 * dependent handle's, primary to secondary, in any order), and the roots a
 * virtual root points at, in the order the depth-first walk takes them. */
struct rt_dom_edge {
	uint32_t p, s;
};
struct rt_domgraph {
	uint32_t n;
	const uint32_t *off, *dst, *roff, *rsrc;
	const struct rt_dom_edge *extra;
	size_t nextra;
	const uint32_t *roots;
	size_t nroots;
};
#define RT_DOM_NONE UINT32_MAX	     /* not reached from the roots */
#define RT_DOM_ROOT (UINT32_MAX - 1) /* dominated by the virtual root alone */
/* Fills idom[v] for each of the graph's n vertices (dominators.c): its
 * immediate dominator, RT_DOM_ROOT or RT_DOM_NONE; and order[0 .. *count) with
 * the vertices reached, in depth-first preorder (each after its idom). A
 * vertex number past n is ignored where it appears. 0 or -ENOMEM. */
int rt_dominators(const struct rt_domgraph *gr, uint32_t *idom, uint32_t *order, uint32_t *count);

#endif
