// SPDX-License-Identifier: MIT
// The GC's heaps, generations and segments/regions, walked from where the
// layout layer found them (layout_gc.c: GcDacVars or the GC's descriptor).
#include "heap_i.h"

#include "diag.h"
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define HEAPS_MAX    4096	  /* bound on n_heaps */
#define SEGS_MAX     (1u << 20)	  /* bound on segments + regions of all chains */
#define SEG_SPAN_MAX (1ull << 40) /* bound on one segment's reserved size */
#define HEAP_SEGMENT_FLAGS_READONLY 1 /* gcinterface.dac.h: frozen (NonGC) segment */

static const char *const gen_kind[] = {"gen0", "gen1", "gen2", "loh", "poh"};

static int bad(struct rt *rt, int rc, const char *what)
{
	diag_add(dump_diag(rt->d), "the GC's heap data fails a check: %s", what);
	return rc;
}

/* The heaps: workstation's one from the GC's variables, server's from
 * g_heaps with the offsets of the gc_heap fields. */
static int load_heaps(struct rt *rt, struct rt_gc *gc)
{
	struct dump *d = rt->d;
	const struct rt_lay_gc *l = &rt->lay.gc;
	int32_t invalid;

	gc->info.total_gens = (unsigned)l->total_gens;
	gc->info.max_gen = 2;
	/* Regions have no generation allocation_start (dac_generation_fields.h).
	 * build_variant does not say: 8.0.34 and 9.0.23 publish 2 (no
	 * use_region bit) while running regions. */
	gc->info.regions = l->gen_alloc_start < 0;
	/* SOS refuses to walk while this is non-zero; we walk, and say so. Seen
	 * on a 10.0.12 server-GC dump taken mid-GC: stale region contents. */
	if (dump_read_u32(d, l->invalid_cnt, (uint32_t *)&invalid))
		return bad(rt, -EIO, "gc_structures_invalid_cnt is unreadable");
	if (invalid) {
		gc->info.gc_in_progress = 1;
		diag_add(dump_diag(d), "the dump was taken while a garbage collection was changing "
				       "the heap; some objects may be missing from the heap walk");
	}
	gc->info.server = l->n_heaps != 0;
	if (!gc->info.server) {
		struct rt_gc_heap *h = calloc(1, sizeof(*h));
		if (!h)
			return -ENOMEM;
		gc->heaps = h;
		gc->nheaps = 1;
		h->gen_table = l->generation_table;
		if (!h->gen_table || dump_read_ptr(d, l->alloc_allocated, &h->alloc_allocated) ||
		    dump_read_ptr(d, l->ephemeral_seg, &h->ephemeral_seg) ||
		    dump_read_ptr(d, l->finalize_queue, &h->finalize_queue))
			return bad(rt, -EIO, "the workstation heap's variables are unreadable");
		gc->info.heap_count = 1;
		return 0;
	}

	int32_t n;
	uint64_t heaps;
	if (dump_read_u32(d, l->n_heaps, (uint32_t *)&n) || n < 1 || n > HEAPS_MAX)
		return bad(rt, -EBADMSG, "n_heaps is unreadable or implausible");
	if (dump_read_ptr(d, l->g_heaps, &heaps) || !heaps)
		return bad(rt, -EIO, "g_heaps is unreadable");
	gc->heaps = calloc((size_t)n, sizeof(*gc->heaps));
	if (!gc->heaps)
		return -ENOMEM;
	gc->nheaps = (size_t)n;
	gc->info.heap_count = (unsigned)n;
	for (int32_t i = 0; i < n; i++) {
		struct rt_gc_heap *h = &gc->heaps[i];
		if (dump_read_ptr(d, heaps + 8 * (uint64_t)i, &h->addr) || !h->addr ||
		    dump_read_ptr(d, h->addr + (uint64_t)l->heap_alloc_allocated,
				  &h->alloc_allocated) ||
		    dump_read_ptr(d, h->addr + (uint64_t)l->heap_ephemeral_seg, &h->ephemeral_seg) ||
		    dump_read_ptr(d, h->addr + (uint64_t)l->heap_finalize_queue,
				  &h->finalize_queue))
			return bad(rt, -EIO, "a server heap is unreadable");
		h->gen_table = h->addr + (uint64_t)l->heap_gen_table;
	}
	return 0;
}

/* A set of segment addresses, to stop chains that loop or cross. */
struct seen {
	uint64_t addr;
	UT_hash_handle hh;
};

static int add_seg(struct rt_gc *gc, const struct rt_segment *s, size_t *cap)
{
	if (gc->nsegs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct rt_segment *n = realloc(gc->segs, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		gc->segs = n;
		*cap = ncap;
	}
	gc->segs[gc->nsegs++] = *s;
	return 0;
}

/* Walks one generation's start_segment -> next chain of heap h. */
static int walk_chain(struct rt *rt, struct rt_gc *gc, unsigned hi, int gen, struct seen **seen,
		      size_t *cap)
{
	struct dump *d = rt->d;
	struct diag *diag = dump_diag(d);
	const struct rt_lay_gc *l = &rt->lay.gc;
	const struct rt_gc_heap *h = &gc->heaps[hi];
	uint64_t gaddr = h->gen_table + (uint64_t)gen * l->gen_size;
	uint64_t seg;

	if (dump_read_ptr(d, gaddr + (uint64_t)l->gen_start_seg, &seg)) {
		diag_add(diag, "heap %u: generation %d is unreadable", hi, gen);
		return 0;
	}
	while (seg) {
		uint64_t b[7];
		struct seen *e;

		HASH_FIND(hh, *seen, &seg, sizeof(seg), e);
		if (e) {
			/* Segments GC: gen 0 and 1 start in gen 2's ephemeral segment. */
			if (gc->info.regions || gen > 1)
				diag_add(diag,
					 "heap %u: the segment chain of generation %d meets "
					 "segment 0x%016" PRIx64 " twice; the rest is ignored",
					 hi, gen, seg);
			return 0;
		}
		if (gc->nsegs >= SEGS_MAX) {
			diag_add(diag, "the GC heap has more than %u segments; the rest is ignored",
				 SEGS_MAX);
			return 0;
		}
		if (!(e = malloc(sizeof(*e))))
			return -ENOMEM;
		e->addr = seg;
		HASH_ADD(hh, *seen, addr, sizeof(e->addr), e);
		if (dump_read_ptr(d, seg + l->seg_mem, &b[0]) ||
		    dump_read_ptr(d, seg + l->seg_allocated, &b[1]) ||
		    dump_read_ptr(d, seg + l->seg_committed, &b[2]) ||
		    dump_read_ptr(d, seg + l->seg_reserved, &b[3]) ||
		    dump_read_ptr(d, seg + l->seg_flags, &b[4]) ||
		    dump_read_ptr(d, seg + l->seg_next, &b[5])) {
			diag_add(
				diag,
				"heap %u: segment 0x%016" PRIx64
				" of generation %d is unreadable; the rest of its chain is missing",
				hi, seg, gen);
			return 0;
		}
		struct rt_segment s = {
			.start = b[0],
			.end = b[1],
			.committed = b[2],
			.reserved = b[3],
			.gen = gen,
			.heap = hi,
			.kind = gen_kind[gen],
			.addr = seg,
		};
		uint64_t flags = b[4];
		if (flags & HEAP_SEGMENT_FLAGS_READONLY) {
			s.gen = -1;
			s.kind = "frozen";
		} else if (seg == h->ephemeral_seg) {
			s.end = h->alloc_allocated;
			if (!gc->info.regions) {
				s.gen = 0;
				s.kind = "ephemeral";
			}
		}
		if (!s.start || s.start > s.end || s.end > s.reserved || s.committed > s.reserved ||
		    s.reserved - s.start > SEG_SPAN_MAX) {
			diag_add(diag,
				 "heap %u: segment 0x%016" PRIx64
				 " has implausible bounds (mem 0x%016" PRIx64 ", end 0x%016" PRIx64
				 ", reserved 0x%016" PRIx64 "); it is skipped",
				 hi, seg, s.start, s.end, s.reserved);
		} else {
			int rc = add_seg(gc, &s, cap);
			if (rc)
				return rc;
		}
		seg = b[5];
	}
	return 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct rt_segment *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int ctx_cmp(const void *a, const void *b)
{
	const struct rt_alloc_ctx *x = a, *y = b;
	return x->ptr < y->ptr ? -1 : x->ptr > y->ptr;
}

static int add_ctx(struct rt_gc *gc, uint64_t ptr, uint64_t limit, size_t *cap)
{
	if (!ptr || limit < ptr)
		return 0;
	if (gc->nctxs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct rt_alloc_ctx *n = realloc(gc->ctxs, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		gc->ctxs = n;
		*cap = ncap;
	}
	gc->ctxs[gc->nctxs++] = (struct rt_alloc_ctx){ptr, limit};
	return 0;
}

/* Allocation contexts: every thread's (Thread.RuntimeThreadLocals ->
 * RuntimeThreadLocals.AllocContext -> EEAllocContext.GCAllocationContext ->
 * GCAllocContext.Pointer/Limit, all from the contract descriptor), and each
 * generation's allocation_context. */
static int load_alloc_contexts(struct rt *rt, struct rt_gc *gc, const struct rt_thread *threads,
			       size_t nthreads)
{
	struct dump *d = rt->d;
	const struct rt_lay_gc *lg = &rt->lay.gc;
	const struct rt_lay_alloc *la = &rt->lay.alloc;
	size_t cap = 0;
	int rc;

	for (size_t hi = 0; hi < gc->nheaps; hi++) {
		for (unsigned g = 0; g < gc->info.total_gens; g++) {
			uint64_t a = gc->heaps[hi].gen_table + g * lg->gen_size +
				     (uint64_t)lg->gen_ctx;
			uint64_t p, l;
			if (dump_read_ptr(d, a + lg->ctx_ptr, &p) ||
			    dump_read_ptr(d, a + lg->ctx_limit, &l))
				continue;
			if ((rc = add_ctx(gc, p, l, &cap)))
				return rc;
		}
	}
	if (rt_layout_err(rt, RT_LG_ALLOC)) {
		diag_add(dump_diag(d), "the threads' allocation contexts cannot be read; the heap "
				       "walk may stop early in gen 0");
		return 0;
	}
	for (size_t i = 0; i < nthreads; i++) {
		uint64_t a = threads[i].addr + la->rtl, p, l;
		if (la->rtl_indirect && (dump_read_ptr(d, a, &a) || !a))
			continue;
		a += la->rtl_indirect ? la->ctx : 0;
		if (dump_read_ptr(d, a + la->ptr, &p) || dump_read_ptr(d, a + la->limit, &l)) {
			diag_add(dump_diag(d), "the allocation context of thread %u is unreadable",
				 threads[i].managed_id);
			continue;
		}
		if ((rc = add_ctx(gc, p, l, &cap)))
			return rc;
	}
	if (gc->nctxs) /* ctxs is NULL without contexts: not for qsort() */
		qsort(gc->ctxs, gc->nctxs, sizeof(*gc->ctxs), ctx_cmp);
	return 0;
}

static int build(struct rt *rt, struct rt_gc *gc, const struct rt_thread *threads, size_t nthreads)
{
	struct seen *seen = NULL, *e, *tmp;
	size_t cap = 0;
	int rc = rt_layout_err(rt, RT_LG_GC);

	rc = rc ? rc : load_heaps(rt, gc);
	/* Order as ClrMD's DacHeap: LOH, gen 2, (regions:) gen 1, gen 0, then POH. */
	static const int order[] = {3, 2, 1, 0, 4};
	for (unsigned hi = 0; !rc && hi < gc->nheaps; hi++) {
		for (size_t k = 0; !rc && k < sizeof(order) / sizeof(order[0]); k++)
			rc = walk_chain(rt, gc, hi, order[k], &seen, &cap);
	}
	HASH_ITER(hh, seen, e, tmp)
	{
		HASH_DEL(seen, e);
		free(e);
	}
	if (rc)
		return rc;
	if (gc->nsegs) /* segs is NULL without any: not for qsort() */
		qsort(gc->segs, gc->nsegs, sizeof(*gc->segs), seg_cmp);
	for (size_t i = 1; i < gc->nsegs; i++) {
		if (gc->segs[i].start < gc->segs[i - 1].end) {
			diag_add(dump_diag(rt->d),
				 "segments 0x%016" PRIx64 " and 0x%016" PRIx64 " overlap",
				 gc->segs[i - 1].addr, gc->segs[i].addr);
			return -EBADMSG;
		}
	}
	return load_alloc_contexts(rt, gc, threads, nthreads);
}

/* rt_once() builder of rt->gc. A thread list that cannot be read only costs
 * the threads' allocation contexts. */
static int gc_build(struct rt *rt)
{
	const struct rt_thread *threads = NULL;
	size_t nthreads = 0;
	struct rt_gc *gc;
	int rc;

	if (rt_threads(rt, &threads, &nthreads)) {
		threads = NULL;
		nthreads = 0;
	}
	gc = calloc(1, sizeof(*gc));
	if (!gc)
		return -ENOMEM;
	rc = build(rt, gc, threads, nthreads);
	if (rc) {
		rt_gc_free(gc);
		return rc;
	}
	rt->gc = gc;
	return 0;
}

int rt_gc_load(struct rt *rt, const struct rt_gc **out)
{
	int rc = rt->gc ? 0 : rt_once(rt, &rt->gc_once, gc_build);

	if (!rc)
		*out = rt->gc;
	return rc;
}

void rt_gc_free(struct rt_gc *gc)
{
	if (!gc)
		return;
	free(gc->heaps);
	free(gc->segs);
	free(gc->ctxs);
	free(gc);
}

int rt_gc_info(struct rt *rt, struct rt_gc_info *out)
{
	const struct rt_gc *gc;
	int rc = rt_gc_load(rt, &gc);

	if (!rc)
		*out = gc->info;
	return rc;
}

int rt_segments(struct rt *rt, const struct rt_segment **segs, size_t *count)
{
	const struct rt_gc *gc;
	int rc = rt_gc_load(rt, &gc);

	if (!rc) {
		*segs = gc->segs;
		*count = gc->nsegs;
	}
	return rc;
}
