// SPDX-License-Identifier: MIT
// An object's outgoing references, as the GC finds them: from the GCDesc its
// MethodTable carries just before itself (dotnet/runtime src/coreclr/gc/
// gcdesc.h; the walk of gc.cpp's go_through_object). The size_t before the
// MethodTable counts the series: when positive, that many CGCDescSeries
// { seriessize, startoffset } lie below it, highest first, each a run of
// references from the object plus startoffset for seriessize plus the
// object's size bytes (the series size is stored less the base size, so an
// array's run covers its elements); when negative, the object is an array of
// value types and the one series below holds startoffset and, in place of
// its size, -count val_serie_items { u32 nptrs, u32 skip } going down from
// there, repeated per element up to the object's end (its size less the
// object header).
#include "refs.h"

#include "dump.h"
#include "heap.h"
#include "runtime_i.h"

#include <errno.h>

#define SERIES_MAX	      4096	 /* bound on one type's series: a dump is hostile */
#define REFS_MAX	      (1u << 26) /* bound on one object's slots (a 512 MiB array) */

static int slots(struct dump *d, uint64_t obj, uint64_t from, uint64_t to, unsigned *budget,
		 rt_ref_cb cb, void *arg)
{
	uint64_t chunk[64]; /* read a run 64 slots at a time */

	if ((to - from) % RT_PTR_SIZE)
		return -EBADMSG; /* a run of references is whole pointers */
	for (uint64_t p = from; p < to;) {
		size_t n = (to - p) / RT_PTR_SIZE < 64 ? (size_t)((to - p) / RT_PTR_SIZE) : 64;
		if (dump_read(d, p, chunk, n * RT_PTR_SIZE))
			return -EIO;
		for (size_t k = 0; k < n; k++, p += RT_PTR_SIZE) {
			if (!(*budget)--)
				return -EBADMSG;
			if (chunk[k]) {
				int rc = cb(arg, p - obj, chunk[k]);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

int rt_gcdesc_walk(struct dump *d, uint64_t obj, uint64_t mt, uint64_t size, rt_ref_cb cb,
		   void *arg)
{
	unsigned budget = REFS_MAX;
	uint64_t n;
	int rc;

	if (dump_read_ptr(d, mt - RT_PTR_SIZE, &n))
		return -EIO;
	int64_t count = (int64_t)n;
	if (count == 0 || count > SERIES_MAX || count < -SERIES_MAX)
		return -EBADMSG;
	if (count > 0) {
		for (int64_t i = 0; i < count; i++) {
			uint64_t s = mt - RT_PTR_SIZE - (uint64_t)(i + 1) * 2 * RT_PTR_SIZE;
			uint64_t ssize, start;
			if (dump_read_ptr(d, s, &ssize) || dump_read_ptr(d, s + RT_PTR_SIZE, &start))
				return -EIO;
			uint64_t len = ssize + size; /* wraps back: ssize is stored less the size */
			if (start > size || len > size - start)
				return -EBADMSG;
			if ((rc = slots(d, obj, obj + start, obj + start + len, &budget, cb, arg)))
				return rc;
		}
		return 0;
	}
	/* An array of value types: the items of its one series, per element. */
	uint64_t s = mt - 3 * RT_PTR_SIZE, start;
	if (dump_read_ptr(d, s + RT_PTR_SIZE, &start))
		return -EIO;
	if (size < RT_OBJ_HEADER_SIZE || start > size - RT_OBJ_HEADER_SIZE)
		return -EBADMSG;
	uint64_t p = obj + start, end = obj + size - RT_OBJ_HEADER_SIZE;
	while (p < end) {
		uint64_t before = p;
		for (int64_t i = 0; i > count; i--) {
			uint32_t item[2]; /* nptrs, skip */
			if (dump_read(d, s + (uint64_t)(i * 8), item, sizeof(item)))
				return -EIO;
			uint64_t stop = p + (uint64_t)item[0] * RT_PTR_SIZE;
			if (stop > end || stop < p)
				return -EBADMSG;
			if ((rc = slots(d, obj, p, stop, &budget, cb, arg)))
				return rc;
			p = stop + item[1];
			if (p < stop)
				return -EBADMSG;
		}
		if (p <= before)
			return -EBADMSG; /* a series that does not advance */
	}
	return 0;
}

int rt_object_refs(struct rt *rt, uint64_t obj, rt_ref_cb cb, void *arg)
{
	uint64_t mt, size;
	uint32_t flags;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : dump_read_u32(rt->d, mt + rt->lay.mt.flags, &flags);
	if (rc || !(flags & RT_MTF_CONTAINS_POINTERS))
		return rc;
	return rt_gcdesc_walk(rt->d, obj, mt, size, cb, arg);
}
