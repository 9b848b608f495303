/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals: the handle table walk, apart from the runtime context. */
#ifndef CLRFS_HANDLES_I_H
#define CLRFS_HANDLES_I_H

#include "handles.h"
#include "layout.h"

#include <stddef.h>
#include <stdint.h>

struct dump;

/* Walks the HandleTableMap at map (GcDacVars.handle_table_map) reading only
 * dump memory, with the handle table layout l (layout.h); min_slots is the
 * tables a bucket should have (GC heaps; a diagnostic only). Every handle
 * holding an object into *out, sorted by address, `known` unset; caller
 * frees. Errors as rt_handles(), -ENOTSUP for a layout the walk cannot hold.
 * Split from rt_handles() so tests/fuzz/fuzz_handles.c can drive it. */
int rt_handles_walk(struct dump *d, uint64_t map, const struct rt_lay_handles *l,
		    unsigned min_slots, struct rt_handle **out, size_t *count);

#endif
