/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals: the handle table walk, apart from the runtime context. */
#ifndef CLRFS_HANDLES_I_H
#define CLRFS_HANDLES_I_H

#include "handles.h"

#include <stddef.h>
#include <stdint.h>

struct dump;

/* Walks the HandleTableMap at map (GcDacVars.handle_table_map) reading only
 * dump memory: ntypes is HANDLE_MAX_INTERNAL_TYPES (layouts.c), min_slots the
 * tables a bucket should have (GC heaps; a diagnostic only). Every handle
 * holding an object into *out, sorted by address, `known` unset; caller
 * frees. Errors as rt_handles(), -ENOTSUP for an ntypes outside 13..32.
 * Split from rt_handles() so tests/fuzz/fuzz_handles.c can drive it. */
int rt_handles_walk(struct dump *d, uint64_t map, unsigned ntypes, unsigned min_slots,
		    struct rt_handle **out, size_t *count);

#endif
