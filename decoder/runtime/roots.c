// SPDX-License-Identifier: MIT
// The GC's roots, as the GC finds them when it marks (dotnet/runtime
// src/coreclr/gc/gc.cpp mark_phase): the handle table's strong kinds
// (GCScan::GcScanHandles: strong, pinned, async-pinned, ref-counted,
// sized-ref, variable handles set strong or pinned; src/coreclr/gc/
// objecthandle.cpp), the finalization queue's ready objects (finalize_queue
// ->GcScanRoots), and each managed thread's stack (GCToEEInterface::
// GcScanRoots). The statics (held by the handle table's object[] arrays,
// LoaderAllocator's pinned-heap handle table) are listed by field so a user
// sees which static holds what; thread statics likewise (9.0+: ThreadLocalData
// arrays, reported with the thread's stack). Stacks are scanned conservatively:
// every word that holds an object's address, the GC's own conservative mode
// (gcenv.ee.cpp, GCConservative), not the JIT's GC info.
#include "roots.h"

#include "dump.h"
#include "fields.h"
#include "handles.h"
#include "heap.h"
#include "heapindex.h"
#include "modules.h"
#include "runtime.h"
#include "runtime_i.h"
#include "statics.h"
#include "types.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ELEMENT_TYPE_STRING    0x0e
#define ELEMENT_TYPE_VALUETYPE 0x11
#define ELEMENT_TYPE_CLASS     0x12
#define ELEMENT_TYPE_ARRAY     0x14
#define ELEMENT_TYPE_OBJECT    0x1c
#define ELEMENT_TYPE_SZARRAY   0x1d

/* A variable handle's type, in its extra info (src/coreclr/gc/objecthandle.h). */
#define VHT_STRONG 0x400
#define VHT_PINNED 0x800

#define STACK_MAX (64u << 20) /* a thread's stack scanned this far at most */
#define BACK_SCAN 256	      /* an interior pointer's object looked for this far back */
#define SCAN_CHUNK 4096

struct roots {
	struct rt_root *v;
	size_t n, cap;
};

struct build {
	struct rt *rt;
	struct rt_heap_index *ix;
	const struct rt_segment *segs;
	size_t nsegs;
	const struct rt_heap_type **big; /* types whose objects may pass BACK_SCAN */
	size_t nbig;
	struct roots r;
};

static void roots_free(void *p)
{
	struct roots *r = p;

	if (r)
		free(r->v);
	free(r);
}

static int add(struct build *b, const struct rt_root *root)
{
	if (b->r.n == b->r.cap) {
		size_t cap = b->r.cap ? b->r.cap * 2 : 256;
		struct rt_root *v = realloc(b->r.v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->r.v = v;
		b->r.cap = cap;
	}
	b->r.v[b->r.n++] = *root;
	return 0;
}

/* Whether obj is an object the heap walk found (a quick look at the
 * segments first: most words of a stack point nowhere near the heap). */
static bool is_object(struct build *b, uint64_t obj)
{
	size_t lo = 0, hi = b->nsegs;

	if (!obj || obj % RT_PTR_SIZE)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->segs[mid].start <= obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && obj < b->segs[lo - 1].end && rt_heap_index_has(b->rt, b->ix, obj);
}

/* The object v points into, as the GC's conservative scan takes an
 * interior pointer (gc.cpp find_object): one starting at most BACK_SCAN
 * bytes below it, else the last object at or below it of the types whose
 * objects may be larger (arrays, strings, large classes), when v is within
 * it. */
static bool find_containing(struct build *b, uint64_t v, uint64_t *obj)
{
	size_t lo = 0, hi = b->nsegs;
	uint64_t mt, size, best = 0;

	if (v % RT_PTR_SIZE)
		v &= ~(uint64_t)(RT_PTR_SIZE - 1);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->segs[mid].start <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || v >= b->segs[lo - 1].end)
		return false;
	uint64_t start = b->segs[lo - 1].start;
	for (uint64_t c = v; c >= start && v - c <= BACK_SCAN; c -= RT_PTR_SIZE)
		if (rt_heap_index_has(b->rt, b->ix, c)) {
			best = c;
			break;
		}
	for (size_t i = 0; !best && i < b->nbig; i++) {
		uint64_t o;
		if (!rt_heap_index_floor(b->ix, b->big[i], v, &o) && o >= start && o > best)
			best = o;
	}
	if (!best || rt_object_size(b->rt, best, &mt, &size) || best + size <= v)
		return false;
	*obj = best;
	return true;
}

/* The types find_containing() looks through. */
static int find_big_types(struct build *b)
{
	size_t n;
	const struct rt_heap_type *t = rt_heap_index_types(b->ix, &n);
	struct rt_type_info info;

	if (!(b->big = malloc((n ? n : 1) * sizeof(*b->big))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!rt_type_info(b->rt, t[i].mt, &info) &&
		    (info.component_size || info.base_size > BACK_SCAN))
			b->big[b->nbig++] = &t[i];
	return 0;
}

static bool is_reference(uint8_t elem)
{
	return elem == ELEMENT_TYPE_CLASS || elem == ELEMENT_TYPE_STRING ||
	       elem == ELEMENT_TYPE_OBJECT || elem == ELEMENT_TYPE_SZARRAY ||
	       elem == ELEMENT_TYPE_ARRAY;
}

/* The object a static's slot at addr holds: a reference's target, or a
 * struct's box (addr is its first byte of data) when it holds references.
 * cold: a thread static's slot, in its thread's own scattered data, read by
 * pread (dump.h dump_read_cold()). */
static int static_object(struct build *b, const struct rt_field *f, uint64_t addr, bool cold,
			 uint64_t *obj)
{
	uint32_t flags;

	if (is_reference(f->elem))
		return cold ? dump_read_cold_ptr(b->rt->d, addr, obj) : dump_read_ptr(b->rt->d, addr, obj);
	if (f->elem != ELEMENT_TYPE_VALUETYPE || !f->type_mt ||
	    dump_read_u32(b->rt->d, f->type_mt + b->rt->lay.mt.flags, &flags) ||
	    !(flags & RT_MTF_CONTAINS_POINTERS))
		return -ENOENT;
	*obj = addr - RT_PTR_SIZE;
	return 0;
}

/* The statics and thread statics of every loaded type of every loaded module
 * (modules.h rt_modules_all). */
static int add_statics(struct build *b)
{
	const struct rt_thread *threads = NULL;
	size_t nthreads = 0, nmods;
	uint64_t *mods, addr, obj;
	int rc = rt_modules_all(b->rt, &mods, &nmods);

	if (rc)
		return rc;
	if (rt_threads(b->rt, &threads, &nthreads))
		nthreads = 0;
	for (size_t m = 0; !rc && m < nmods; m++) {
		uint64_t *mts;
		size_t n;
		if (rt_module_types(b->rt, mods[m], &mts, &n))
			continue; /* a module whose tables do not read holds no statics we see */
		for (size_t i = 0; !rc && i < n; i++) {
			const struct rt_field *f;
			size_t nf;
			if (rt_type_static_fields(b->rt, mts[i], &f, &nf))
				continue;
			for (size_t k = 0; !rc && k < nf; k++) {
				if (f[k].is_rva)
					continue;
				if (!f[k].is_thread_static) {
					if (!rt_static_field_addr(b->rt, mts[i], &f[k], &addr) &&
					    !static_object(b, &f[k], addr, false, &obj) && is_object(b, obj))
						rc = add(b, &(struct rt_root){ RT_ROOT_STATIC, obj, mts[i],
									    &f[k], 0, 0 });
					continue;
				}
				for (size_t t = 0; !rc && t < nthreads; t++)
					if (!rt_thread_static_addr(b->rt, threads[t].addr, mts[i], &f[k],
								   &addr) &&
					    !static_object(b, &f[k], addr, true, &obj) && is_object(b, obj))
						rc = add(b, &(struct rt_root){ RT_ROOT_THREAD_STATIC, obj,
									    mts[i], &f[k], 0,
									    threads[t].managed_id });
			}
		}
		free(mts);
	}
	free(mods);
	return rc;
}

static bool strong(const struct rt_handle *h)
{
	switch (h->type) {
	case RT_HANDLE_STRONG:
	case RT_HANDLE_PINNED:
	case RT_HANDLE_ASYNC_PINNED:
	case RT_HANDLE_REFCOUNTED:
	case RT_HANDLE_SIZEDREF:
		return true;
	case RT_HANDLE_VARIABLE:
		return h->extra & (VHT_STRONG | VHT_PINNED);
	default:
		return false;
	}
}

static int add_handles(struct build *b)
{
	const struct rt_handle *h;
	size_t n;
	int rc = 0;

	if (rt_handles(b->rt, &h, &n))
		return 0; /* said in dump_diag(); /handles says why */
	for (size_t i = 0; !rc && i < n; i++)
		if (strong(&h[i]) && h[i].known)
			rc = add(b, &(struct rt_root){ RT_ROOT_HANDLE, h[i].object, h[i].addr, NULL,
						      h[i].type, 0 });
	return rc;
}

static int add_finalizer(struct build *b)
{
	const struct rt_fq_object *q;
	size_t n;
	int rc = 0;

	if (rt_finalizer_queue(b->rt, &q, &n))
		return 0;
	for (size_t i = 0; !rc && i < n; i++)
		if (q[i].gen < 0 && q[i].known)
			rc = add(b, &(struct rt_root){ RT_ROOT_FINALIZER, q[i].object, 0, NULL, 0, 0 });
	return rc;
}

/* The object a word of a stack points at or into. */
static bool stack_object(struct build *b, uint64_t v, uint64_t *obj)
{
	if (is_object(b, v)) {
		*obj = v;
		return true;
	}
	return find_containing(b, v, obj);
}

/* A managed thread's registers and the words of its stack from the stack
 * pointer up, as far as the dump holds them. */
static int scan_stack(struct build *b, const struct dump_thread *dt, uint32_t id)
{
	uint64_t words[SCAN_CHUNK / 8];
	int rc = 0;

	uint64_t obj;

	for (int r = 0; !rc && r < DUMP_REGS; r++)
		if (stack_object(b, dt->regs[r], &obj))
			rc = add(b, &(struct rt_root){ RT_ROOT_STACK, obj, 0, NULL, 0, id });
	uint64_t at = dt->sp & ~(uint64_t)(RT_PTR_SIZE - 1);
	for (uint64_t done = 0; !rc && done < STACK_MAX; done += sizeof(words)) {
		/* Up to the next chunk boundary first, then whole chunks. */
		size_t len = sizeof(words) - (at % sizeof(words));
		/* By pread: through the map, each stack would map a page cache
		 * folio whole (megabytes of resident memory for a few pages). */
		if (dump_read_cold(b->rt->d, at, words, len))
			break;
		for (size_t k = 0; !rc && k < len / 8; k++)
			if (stack_object(b, words[k], &obj))
				rc = add(b, &(struct rt_root){ RT_ROOT_STACK, obj, at + k * 8, NULL,
							      0, id });
		at += len;
	}
	return rc;
}

static int add_stacks(struct build *b)
{
	const struct dump_thread *dt;
	int rc = 0;

	for (size_t i = 0; !rc && (dt = dump_thread(b->rt->d, i)); i++) {
		const struct rt_thread *t = rt_thread_find(b->rt, RT_THREAD_OS, dt->tid);
		if (t)
			rc = scan_stack(b, dt, t->managed_id);
	}
	return rc;
}

static int by_root(const void *pa, const void *pb)
{
	const struct rt_root *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->thread != b->thread)
		return a->thread < b->thread ? -1 : 1;
	if (a->kind != RT_ROOT_STACK && a->where != b->where)
		return a->where < b->where ? -1 : 1;
	if (a->field != b->field)
		return a->field && b->field && a->field->token != b->field->token
			       ? (a->field->token < b->field->token ? -1 : 1)
			       : (a->field < b->field ? -1 : 1);
	if (a->object != b->object)
		return a->object < b->object ? -1 : 1;
	return a->where < b->where ? -1 : a->where > b->where;
}

static int roots_build(struct rt *rt, void **out)
{
	struct build b = { .rt = rt };
	int rc = rt_heap_index(rt, &b.ix);

	if (!rc)
		rc = rt_segments(rt, &b.segs, &b.nsegs);
	if (!rc)
		rc = add_statics(&b);
	if (!rc)
		rc = add_handles(&b);
	if (!rc)
		rc = add_finalizer(&b);
	if (!rc)
		rc = find_big_types(&b);
	if (!rc)
		rc = add_stacks(&b);
	free(b.big);
	struct roots *r = rc ? NULL : malloc(sizeof(*r));
	if (!rc && !r)
		rc = -ENOMEM;
	if (rc) {
		free(b.r.v);
		return rc;
	}
	if (b.r.n)
		qsort(b.r.v, b.r.n, sizeof(*b.r.v), by_root);
	/* One stack root per (thread, object): the first slot holding it. */
	size_t u = 0;
	for (size_t i = 0; i < b.r.n; i++) {
		const struct rt_root *p = u ? &b.r.v[u - 1] : NULL, *c = &b.r.v[i];
		if (p && p->kind == c->kind && p->thread == c->thread && p->object == c->object &&
		    (c->kind == RT_ROOT_STACK || (p->where == c->where && p->field == c->field)))
			continue;
		b.r.v[u++] = *c;
	}
	*r = (struct roots){ b.r.v, u, b.r.cap };
	*out = r;
	return 0;
}

int rt_roots(struct rt *rt, const struct rt_root **out, size_t *count)
{
	void *p;
	int rc = rt_part(rt, RT_PART_ROOTS, roots_build, roots_free, &p);

	if (rc)
		return rc;
	*out = ((struct roots *)p)->v;
	*count = ((struct roots *)p)->n;
	return 0;
}

const char *rt_root_kind_name(const struct rt_root *r)
{
	static const char *const handle[RT_HANDLE_TYPES] = {
		[RT_HANDLE_STRONG] = "handle-strong",
		[RT_HANDLE_PINNED] = "handle-pinned",
		[RT_HANDLE_VARIABLE] = "handle-variable",
		[RT_HANDLE_REFCOUNTED] = "handle-refcounted",
		[RT_HANDLE_ASYNC_PINNED] = "handle-async-pinned",
		[RT_HANDLE_SIZEDREF] = "handle-sizedref",
	};

	switch (r->kind) {
	case RT_ROOT_STATIC:
		return "static";
	case RT_ROOT_THREAD_STATIC:
		return "thread-static";
	case RT_ROOT_HANDLE:
		return r->handle_type < RT_HANDLE_TYPES && handle[r->handle_type]
			       ? handle[r->handle_type]
			       : "handle";
	case RT_ROOT_FINALIZER:
		return "finalizer";
	case RT_ROOT_STACK:
		return "stack?";
	default:
		return "?";
	}
}
