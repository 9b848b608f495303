/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the GC heap (heaps, generations, segments/regions, objects). */
#ifndef CLRFS_HEAP_H
#define CLRFS_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct rt;

/* How the runtime's GC is set up. */
struct rt_gc_info {
	int server;	     /* 1: server GC (several heaps), 0: workstation */
	unsigned heap_count; /* 1 for workstation */
	int regions;	     /* 1: regions (default on 64-bit since .NET 7), 0: segments */
	unsigned max_gen;    /* 2 */
	unsigned total_gens; /* 5: gen0, gen1, gen2, LOH (3), POH (4) */
	int gc_in_progress;  /* the GC was changing the heap when the dump was
			      * taken (gc_structures_invalid_cnt != 0): the walk
			      * may stop early in some segments */
};

/* Finds the GC's published variables (GcDacVars) on first use and checks
 * them. -ENOTSUP for a GC interface version this reader does not know,
 * -EBADMSG when they fail their invariants, -EIO when unreadable; the reason
 * goes into dump_diag(). */
int rt_gc_info(struct rt *rt, struct rt_gc_info *out);

/* One segment (segments GC) or region (regions GC) holding objects. */
struct rt_segment {
	uint64_t start; /* first object (heap_segment.mem) */
	uint64_t end;	/* end of objects: allocated, or the heap's
			 * alloc_allocated for its ephemeral segment */
	uint64_t committed, reserved;
	int gen;	  /* 0, 1, 2, 3 = LOH, 4 = POH, -1 = frozen (read-only) */
	unsigned heap;	  /* heap number (0 for workstation) */
	const char *kind; /* "gen0" "gen1" "gen2" "loh" "poh" "frozen", or
			   * "ephemeral" (segments GC: gen0-2 in one segment) */
	uint64_t addr;	  /* the GC's heap_segment structure */
};

/* Every segment of every heap, sorted by start address; built once.
 * *segs is borrowed until rt_close(). Errors as rt_gc_info(). */
int rt_segments(struct rt *rt, const struct rt_segment **segs, size_t *count);

/* Walks every object of every segment once, in address order, calling
 * cb(addr, mt, size, arg); a non-zero return from cb stops the walk and is
 * returned. Free objects and allocation contexts are skipped. A corrupted
 * or unreadable object ends its segment's walk with a sentence in
 * dump_diag(); the walk goes on with the next segment. */
int rt_heap_walk(struct rt *rt, int (*cb)(uint64_t obj, uint64_t mt, uint64_t size, void *arg),
		 void *arg);

/* rt_heap_walk(), and for each object whose header's sync block value holds
 * a thin lock or a sync block index, locked(obj, value, arg) before cb
 * (none when the runtime's sync block layout is unknown: RT_LG_SYNC). */
int rt_heap_walk_locks(struct rt *rt,
		       int (*cb)(uint64_t obj, uint64_t mt, uint64_t size, void *arg),
		       int (*locked)(uint64_t obj, uint32_t value, void *arg), void *arg);

/* Like rt_heap_walk(), from position from: 0 for the first object, else a
 * position the walk gave as the next one after an object, which cb gets as
 * next (the objects' positions are the walk's own, each object's start
 * rounded up by the heap's alignment, so a listing can go on from one).
 * When cb returns a positive value the walk stops there and returns it,
 * with *stopped (when not NULL) the position of that object. */
int rt_heap_walk_from(struct rt *rt, uint64_t from,
		      int (*cb)(uint64_t obj, uint64_t mt, uint64_t size, uint64_t next, void *arg),
		      void *arg, uint64_t *stopped);

/* The MethodTable and size of the object at obj. Sizes here and in
 * rt_heap_walk() are what SOS and ClrMD report: BaseSize + NumComponents x
 * component size, at least 24, not rounded up to the 8 bytes the heap gives
 * it. -EIO when
 * unreadable, -EBADMSG when its MethodTable is not plausible. */
int rt_object_size(struct rt *rt, uint64_t obj, uint64_t *mt, uint64_t *size);

/* Like rt_object_size(), for what looks like an object by its own header:
 * inside a segment, 8-byte aligned, with a MethodTable that reads as one
 * (not the free-space one) and a size that ends in the segment. -ENOENT
 * when it does not; no heap walk. */
int rt_object_plausible(struct rt *rt, uint64_t obj, uint64_t *mt, uint64_t *size);

#endif
