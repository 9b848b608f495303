// SPDX-License-Identifier: MIT
// libFuzzer target: the GC handle table walk (handles.c rt_handles_walk). The input is the
// dump's only memory, at FUZZ_HANDLES_BASE, with the HandleTableMap at its first byte: map,
// buckets, tables and segments are wherever its pointers say.
#include "fuzz_mem.h"

#include "dump.h"
#include "handles_i.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The handle table layout of 10.0 (decoder/runtime/layout_lines.c), which
 * mkseeds.c lays its seeds out with. */
static struct rt_lay_handles layout_10(void)
{
	struct rt_lay_handles l = {
		.ntypes = FUZZ_HANDLE_TYPES,
		.map_buckets = 0,
		.map_next = 8,
		.map_max_index = 16,
		.map_nbuckets = 10,
		.bucket_tables = 0,
		.bucket_index = 8,
		.table_segs = (FUZZ_HANDLE_TYPES * 4 + 7) & ~7u,
		.seg_size = 0x10000,
		.per_block = 64,
		.blocks = 120,
	};
	for (unsigned t = 0; t < FUZZ_HANDLE_TYPES; t++)
		l.type_flags[t] = FUZZ_HANDLE_EXTRA >> t & 1;
	rt_lay_handles_derive(&l);
	return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rt_lay_handles layout;
	struct dump *d = fuzz_mem_open(FUZZ_HANDLES_BASE, data, size);
	struct rt_handle *h = NULL;
	size_t n = 0;

	if (!d)
		return 0;
	if (!layout.ntypes)
		layout = layout_10();
	if (rt_handles_walk(d, FUZZ_HANDLES_BASE, &layout, 1, &h, &n) == 0) {
		/* What rt_handles() promises: handles read from the dump, named,
		 * holding an object, sorted by address, each once. */
		for (size_t i = 0; i < n; i++) {
			if (h[i].addr < FUZZ_HANDLES_BASE || size < 8 ||
			    h[i].addr - FUZZ_HANDLES_BASE > size - 8 || !h[i].object ||
			    !rt_handle_type_name(h[i].type) || (i && h[i - 1].addr >= h[i].addr))
				abort();
		}
	}
	free(h);
	dump_close(d);
	return 0;
}
