/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the per-type index of heap objects, built by one heap walk. */
#ifndef CLRFS_HEAPINDEX_H
#define CLRFS_HEAPINDEX_H

#include <stddef.h>
#include <stdint.h>

struct rt;
struct rt_heap_index;

/* One type's live objects. */
struct rt_heap_type {
	uint64_t mt;
	uint64_t count;
	uint64_t bytes;
};

/* Builds the index on first call (one walk of the heap), then returns it;
 * borrowed until rt_close(). Errors as rt_heap_walk(). */
int rt_heap_index(struct rt *rt, struct rt_heap_index **out);
/* Every type with objects, sorted by MethodTable address; borrowed. */
const struct rt_heap_type *rt_heap_index_types(struct rt_heap_index *ix, size_t *count);
/* The type entry of mt, or NULL when it has no objects. */
const struct rt_heap_type *rt_heap_index_type(struct rt_heap_index *ix, uint64_t mt);
/* The i-th object (address order) of type t; i < t->count. */
uint64_t rt_heap_index_object(struct rt_heap_index *ix, const struct rt_heap_type *t, uint64_t i);
/* The position of obj among t's objects (address order) into *index, or
 * -ENOENT when obj is not one of them. */
int rt_heap_index_find(struct rt_heap_index *ix, const struct rt_heap_type *t, uint64_t obj,
		       uint64_t *index);
/* The last of t's objects at or below addr into *obj; -ENOENT when none. */
int rt_heap_index_floor(struct rt_heap_index *ix, const struct rt_heap_type *t, uint64_t addr,
			uint64_t *obj);
/* Whether the heap walk found an object at obj (1) or not (0). */
int rt_heap_index_has(struct rt *rt, struct rt_heap_index *ix, uint64_t obj);
/* Whether /heap/objects shows an object at obj (1) or not (0): one the heap
 * walk found, or one that looks like an object (rt_object_plausible())
 * where the walk did not go, past a break that ended its segment's walk,
 * of a type the walk found objects of. Its MethodTable into *mt. */
int rt_heap_index_shows(struct rt *rt, struct rt_heap_index *ix, uint64_t obj, uint64_t *mt);
/* An object whose header's sync block value holds a thin lock or the index
 * of a sync block (layout.h struct rt_lay_sync), as the index's walk saw it. */
struct rt_locked_obj {
	uint64_t obj;
	uint32_t value;
};
/* Those objects, in address order; borrowed. None when the runtime's sync
 * block layout is unknown. */
const struct rt_locked_obj *rt_heap_index_locked(struct rt_heap_index *ix, size_t *count);
/* Total objects and bytes; anonymous memory the index holds. */
void rt_heap_index_totals(struct rt_heap_index *ix, uint64_t *objects, uint64_t *bytes,
			  uint64_t *index_bytes);
void rt_heap_index_free(struct rt_heap_index *ix);

/* The type with objects on the heap whose name (rt_type_name()) is name.
 * -ENOENT when no type of that name has objects, -ENOTUNIQ when several
 * do (distinct MethodTables of one name), or the index's error. */
int rt_heap_type_by_name(struct rt *rt, const char *name, const struct rt_heap_type **out);
/* The modules of every type with objects on the heap, sorted, once each
 * (*out malloc'ed; roots.c). The index's errors; -ENOMEM. */
int rt_heap_modules(struct rt *rt, uint64_t **out, size_t *count);
struct rt_heap_name;
void rt_heap_names_free(struct rt_heap_name *names);

#endif
