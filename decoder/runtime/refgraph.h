/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the heap's references reversed, built once. */
#ifndef CLRFS_REFGRAPH_H
#define CLRFS_REFGRAPH_H

#include <stddef.h>
#include <stdint.h>

struct rt;

/* The objects of the heap (as the heap index has them) that hold a
 * reference to obj, each once per reference (an object holding it in two
 * fields twice), in the index's order (*out malloc'ed, *count of them). The
 * first call builds the graph of the whole heap. 0; -ENOENT when obj is no
 * object of the index; the index's errors; -ENOMEM; -EFBIG past 4 billion
 * objects or references. */
int rt_object_referrers(struct rt *rt, uint64_t obj, uint64_t **out, size_t *count);

#endif
