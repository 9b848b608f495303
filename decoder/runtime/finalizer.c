// SPDX-License-Identifier: MIT
// The finalization queue: each GC heap's CFinalize, read through its fill pointers.
//
// CFinalize (dotnet/runtime src/coreclr/gc/gcpriv.h) is
//     Object** m_FillPointers[total_generation_count + ExtraSegCount];
//     Object** m_Array; Object** m_EndArray; ...
// (layout_gc.c lay_finalizer: m_FillPointers is the part published as
// dac_finalize_queue, gcinterface.dac.h), m_Array and m_EndArray follow it. One array holds every entry, cut into consecutive
// "segments" s = 0 .. total_generation_count + 1: segment s is
// [s ? m_FillPointers[s-1] : m_Array, m_FillPointers[s]) (CFinalize::SegQueue,
// SegQueueLimit). With 5 generations:
//     s = total_generation_count - gen - 1 (gc.cpp gen_segment): POH 0, LOH 1,
//         gen2 2, gen1 3, gen0 4: objects registered for finalization, by the
//         generation they were in at the last GC (regions included: the GC moves
//         entries between segments as objects are promoted or demoted);
//     s = 5 (CriticalFinalizerListSeg) and 6 (FinalizerListSeg): objects found
//         unreachable, ready for the finalizer thread, which takes them from the
//         end of list 6, then from list 5 (CFinalize::GetNextFinalizableObject).
// Checked: m_Array <= m_FillPointers[0] <= ... <= m_FillPointers[6] <= m_EndArray,
// all 8-byte aligned; each object is looked up in the heap index.
#include "handles.h"

#include "heap_i.h"
#include "heapindex.h"

#include "diag.h"
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define FQ_MAX_ENTRIES (1ull << 24) /* bound on a queue, and on all queues' entries */
#define FQ_CHUNK       4096	    /* entries read at a time */
#define FILL_MAX       16	    /* bound on total_generation_count + extra */

struct fq_build {
	struct rt_fq_object *e;
	size_t n, cap;
};

static int fq_add(struct fq_build *b, const struct rt_fq_object *o)
{
	if (b->n >= FQ_MAX_ENTRIES)
		return -E2BIG;
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		struct rt_fq_object *n = realloc(b->e, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		b->e = n;
		b->cap = ncap;
	}
	b->e[b->n++] = *o;
	return 0;
}

/* Reads heap hi's queue at fq into b. */
static int read_heap(struct rt *rt, const struct rt_gc *gc, unsigned hi, uint64_t fq,
		     struct fq_build *b)
{
	const struct rt_lay_finalizer *l = &rt->lay.finalizer;
	unsigned nfill = l->nfill;
	struct diag *diag = dump_diag(rt->d);
	uint64_t p[FILL_MAX + 3], buf[FQ_CHUNK];
	unsigned ngens = gc->info.total_gens;

	/* p[0] = m_Array, p[1..nfill] = m_FillPointers, p[nfill+1] = m_EndArray. */
	if (nfill > FILL_MAX || l->array != l->fill + nfill * 8 ||
	    dump_read(rt->d, fq + l->fill, p + 1, (nfill + 2) * 8)) {
		diag_add(diag, "heap %u: the finalization queue is unreadable", hi);
		return -EIO;
	}
	p[0] = p[nfill + 1];
	uint64_t end = p[nfill + 2];
	for (unsigned i = 0; i <= nfill; i++) {
		uint64_t lim = i < nfill ? p[i + 1] : end;
		if (p[i] % 8 || lim % 8 || lim < p[i] || (i == 0 && !p[0])) {
			diag_add(diag,
				 "heap %u: the finalization queue's fill pointers are out of order "
				 "(m_Array 0x%016" PRIx64 ")",
				 hi, p[0]);
			return -EBADMSG;
		}
	}
	if ((end - p[0]) / 8 > FQ_MAX_ENTRIES) {
		diag_add(diag, "heap %u: the finalization queue is implausibly large", hi);
		return -EBADMSG;
	}
	for (unsigned s = 0; s < nfill; s++) {
		struct rt_fq_object o = {.heap = hi};
		if (s < ngens) {
			o.gen = (int)(ngens - 1 - s);
		} else {
			o.gen = -1;
			o.critical = s == ngens;
		}
		for (uint64_t a = p[s]; a < p[s + 1];) {
			uint64_t k = (p[s + 1] - a) / 8;
			if (k > FQ_CHUNK)
				k = FQ_CHUNK;
			if (dump_read(rt->d, a, buf, k * 8)) {
				diag_add(diag,
					 "heap %u: finalization queue entries at 0x%016" PRIx64
					 " are unreadable",
					 hi, a);
				break;
			}
			for (uint64_t i = 0; i < k; i++) {
				if (!buf[i])
					continue;
				o.object = buf[i];
				int rc = fq_add(b, &o);
				if (rc)
					return rc;
			}
			a += k * 8;
		}
	}
	return 0;
}

static int fq_cmp(const void *a, const void *b)
{
	const struct rt_fq_object *x = a, *y = b;
	if (x->object != y->object)
		return x->object < y->object ? -1 : 1;
	return x->heap < y->heap ? -1 : x->heap > y->heap;
}

static int build(struct rt *rt, struct rt_fq_object **out, size_t *count)
{
	const struct rt_gc *gc;
	struct rt_heap_index *ix;
	struct fq_build b = {0};
	int rc = rt_layout_err(rt, RT_LG_FINALIZER);

	rc = rc ? rc : rt_gc_load(rt, &gc);
	if (rc)
		return rc;
	for (size_t hi = 0; hi < gc->nheaps && !rc; hi++) {
		if (!gc->heaps[hi].finalize_queue) {
			diag_add(dump_diag(rt->d), "heap %zu has no finalization queue", hi);
			continue;
		}
		rc = read_heap(rt, gc, (unsigned)hi, gc->heaps[hi].finalize_queue, &b);
	}
	if (rc == -E2BIG) {
		diag_add(dump_diag(rt->d),
			 "the finalization queues hold more than %llu entries; the rest is ignored",
			 FQ_MAX_ENTRIES);
		rc = 0;
	}
	if (!rc && !(rc = rt_heap_index(rt, &ix))) {
		uint64_t unknown = 0;
		if (b.n) /* b.e is NULL when the queues are empty: not for qsort() */
			qsort(b.e, b.n, sizeof(*b.e), fq_cmp);
		for (size_t i = 0; i < b.n; i++) {
			b.e[i].known = rt_heap_index_has(rt, ix, b.e[i].object);
			unknown += !b.e[i].known;
		}
		if (unknown)
			diag_add(dump_diag(rt->d),
				 "%" PRIu64 " finalization queue entries are not objects the heap "
				 "walk found",
				 unknown);
	}
	if (rc) {
		free(b.e);
		return rc;
	}
	*out = b.e;
	*count = b.n;
	return 0;
}

static int fq_build(struct rt *rt)
{
	return build(rt, &rt->fq, &rt->nfq);
}

int rt_finalizer_queue(struct rt *rt, const struct rt_fq_object **out, size_t *count)
{
	int rc = rt_once(rt, &rt->fq_once, fq_build);

	if (!rc) {
		*out = rt->fq;
		*count = rt->nfq;
	}
	return rc;
}
