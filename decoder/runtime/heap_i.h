/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals: the GC heap layer's cache (gc.c, heapwalk.c). */
#ifndef CLRFS_HEAP_I_H
#define CLRFS_HEAP_I_H

#include "heap.h"
#include "runtime_i.h"

#include <stdint.h>

/* One GC heap: workstation has one, with addr 0. */
struct rt_gc_heap {
	uint64_t addr;		  /* the gc_heap object (server GC), else 0 */
	uint64_t gen_table;	  /* address of generation_table[0] */
	uint64_t alloc_allocated; /* end of objects in the ephemeral segment */
	uint64_t ephemeral_seg;	  /* heap_segment* */
	uint64_t finalize_queue;  /* CFinalize*, for later users */
};

/* An allocation context: [ptr, limit) is handed out to a thread or
 * generation and holds no objects yet; a min-object gap follows limit. */
struct rt_alloc_ctx {
	uint64_t ptr, limit;
};

/* Everything rt_gc_info()/rt_segments() learn; built once (rt_once()),
 * read-only afterwards. Where the GC keeps it: rt->lay.gc. */
struct rt_gc {
	struct rt_gc_info info;

	struct rt_gc_heap *heaps;
	size_t nheaps;
	struct rt_segment *segs; /* sorted by start */
	size_t nsegs;
	struct rt_alloc_ctx *ctxs; /* sorted by ptr */
	size_t nctxs;

};

/* Builds rt->gc on first use (gc.c). 0, or the error of the build. */
int rt_gc_load(struct rt *rt, const struct rt_gc **out);
/* Frees rt->gc; accepts NULL (gc.c). */
void rt_gc_free(struct rt_gc *gc);

/* Frees rt_object_size()'s cache of MethodTables (heapwalk.c); accepts NULL. */
struct mt_cache;
void rt_objmt_free(struct mt_cache *c);

#endif
