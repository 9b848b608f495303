/* SPDX-License-Identifier: MIT */
/* decoder/runtime: an object's outgoing references, from its type's GCDesc. */
#ifndef CLRFS_REFS_H
#define CLRFS_REFS_H

#include <stdint.h>

struct rt;

/* Called per non-null reference: off the slot's offset from the object's
 * start (its MethodTable pointer), ref the object it points at; a non-zero
 * return stops the walk and is returned. */
typedef int (*rt_ref_cb)(void *arg, uint64_t off, uint64_t ref);

/* Calls cb for each reference the object at obj holds, in the order the GC
 * visits them (for an object, its series from the highest in memory, which
 * the runtime builds in ascending offset order; an array's elements in
 * order). 0; -EIO (the object or its GCDesc missing from the dump),
 * -EBADMSG (a GCDesc that does not fit the object). */
int rt_object_refs(struct rt *rt, uint64_t obj, rt_ref_cb cb, void *arg);
/* The GCDesc walk itself, for the object at obj of size bytes whose
 * MethodTable (one that contains pointers) is at mt. Errors as above. */
struct dump;
int rt_gcdesc_walk(struct dump *d, uint64_t obj, uint64_t mt, uint64_t size, rt_ref_cb cb,
		   void *arg);

#endif
