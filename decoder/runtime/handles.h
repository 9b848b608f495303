/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the GC handle table and the finalization queue. */
#ifndef CLRFS_HANDLES_H
#define CLRFS_HANDLES_H

#include <stddef.h>
#include <stdint.h>

struct rt;

/* Handle types: HNDTYPE_* of dotnet/runtime src/coreclr/gc/gcinterface.h. */
enum rt_handle_type {
	RT_HANDLE_WEAK_SHORT = 0,
	RT_HANDLE_WEAK_LONG = 1,
	RT_HANDLE_STRONG = 2,
	RT_HANDLE_PINNED = 3,
	RT_HANDLE_VARIABLE = 4,
	RT_HANDLE_REFCOUNTED = 5,
	RT_HANDLE_DEPENDENT = 6,
	RT_HANDLE_ASYNC_PINNED = 7,
	RT_HANDLE_SIZEDREF = 8,
	RT_HANDLE_WEAK_NATIVE_COM = 9,
	RT_HANDLE_WEAK_INTERIOR_POINTER = 10,
	RT_HANDLE_CROSS_REFERENCE = 11,
	RT_HANDLE_TYPES
};

/* The name of a handle type as the tree shows it ("strong", "weak-short",
 * "dependent", ...); NULL for a number outside the enum. */
const char *rt_handle_type_name(unsigned type);

/* One handle in use: a slot of the handle table holding an object. */
struct rt_handle {
	uint64_t addr;	 /* the handle itself (the slot's address) */
	uint64_t object; /* what it holds (never 0: empty slots are not listed) */
	uint64_t extra;	 /* the slot's user data: a dependent handle's secondary,
			  * a sized-ref's size, a variable handle's type, ...;
			  * 0 for types without user data */
	unsigned type;	 /* enum rt_handle_type */
	unsigned slot;	 /* the handle table's slot in its bucket (server GC: one
			  * per processor; 0 for workstation) */
	int known;	 /* the heap walk found object (and, for a dependent
			  * handle with a secondary, that too) */
};

/* Every handle holding an object, from GcDacVars' handle_table_map, sorted by
 * address; built once (it also builds the heap index, to check each
 * object). *out is borrowed until rt_close(). -ENOTSUP for a runtime whose
 * handle table layout this reader does not know, -EBADMSG when the table
 * fails its checks, -EIO when unreadable; the reason goes into dump_diag(). */
int rt_handles(struct rt *rt, const struct rt_handle **out, size_t *count);

/* An object in a GC heap's finalization queue. */
struct rt_fq_object {
	uint64_t object;
	int gen;       /* registered: 0, 1, 2, 3 = LOH, 4 = POH; -1: ready for
			* finalization (unreachable, waiting for the finalizer thread) */
	int critical;  /* ready, and in the critical finalizer list */
	unsigned heap; /* the GC heap whose queue holds it */
	int known;     /* the heap walk found it */
};

/* Every entry of every heap's finalization queue (CFinalize), sorted by
 * object address, then heap. Built once; borrowed until rt_close(). Errors
 * as rt_handles(). */
int rt_finalizer_queue(struct rt *rt, const struct rt_fq_object **out, size_t *count);

#endif
