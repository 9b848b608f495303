/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the heap's reference graph, built once; what the roots reach. */
#ifndef CLRFS_REFGRAPH_H
#define CLRFS_REFGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;
struct rt_root;

/* The objects of the heap (as the heap index has them) that hold a
 * reference to obj, each once per reference (an object holding it in two
 * fields twice), by address (*out malloc'ed, *count of them). The
 * first call builds the graph of the whole heap. 0; -ENOENT when obj is no
 * object of the index; the index's errors; -ENOMEM; -EFBIG past 4 billion
 * objects or references. */
int rt_object_referrers(struct rt *rt, uint64_t obj, uint64_t **out, size_t *count);

/* Live objects and their bytes of one type of the heap index. */
struct rt_live_type {
	uint64_t count, bytes;
};

/* For each type of rt_heap_index_types(), in its order, the objects the
 * roots (rt_roots()) reach through references, a dependent handle's
 * secondary reached through its primary; *out borrowed until rt_close().
 * The first call builds the graph and walks it from the roots once. Errors
 * as rt_object_referrers(). */
int rt_live_types(struct rt *rt, const struct rt_live_type **out, size_t *count);

/* A shortest path from a root to obj: *root the root it starts at (NULL
 * when obj is unreachable), then *n objects (*hops malloc'ed) from the
 * root's object to obj, each referenced by the one before it, or held by
 * the one before as a dependent handle's secondary by its primary. -ENOENT
 * when obj is no object of the index; errors as rt_live_types(). */
int rt_object_path(struct rt *rt, uint64_t obj, const struct rt_root **root, uint64_t **hops,
		   size_t *n);

/* The bytes the object at obj retains (its own, and those of every object
 * reachable only through it: what the GC would free were it gone), and its
 * immediate dominator (0 when only the roots dominate it), from the
 * dominator tree of the live set, built on the first call. -ENOENT when obj
 * is no object of the index, -ENODATA when it is not live; errors as
 * rt_live_types(). */
int rt_object_retained(struct rt *rt, uint64_t obj, uint64_t *bytes, uint64_t *dominator);

/* The live objects of largest retained size, at most 1,000, largest first
 * (*out malloc'ed). Errors as rt_object_retained(). */
struct rt_retained {
	uint64_t obj, bytes;
};
int rt_retained_top(struct rt *rt, struct rt_retained **out, size_t *count);

/* The bytes all live objects of the type mt retain together: the retained
 * sizes of those no other of them dominates. -ENOENT when the type has no
 * objects; errors as rt_object_retained(). */
int rt_type_retained(struct rt *rt, uint64_t mt, uint64_t *bytes);

#endif
