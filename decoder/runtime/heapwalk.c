// SPDX-License-Identifier: MIT
// The object walk: every object of every segment, in one sequential pass.
//
// Algorithm (the GC's own, as SOS and ClrMD repeat it): from a segment's
// first object, size = BaseSize + NumComponents x ComponentSize, aligned to
// the pointer size, at least min_obj_size (3 pointers); the next object
// follows. Allocation contexts hold no objects: on reaching one's start, jump
// to its limit plus Align(min_obj_size), the gap the GC keeps after a
// context (ClrMD ClrHeap.SkipAllocationContext). Free space is covered by
// "free objects", whose MethodTable is the runtime's FreeObjectMethodTable.
#include "heap_i.h"

#include "diag.h"
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#define OBJ_ALIGN    8 /* every heap, LOH and POH included, on 64-bit */
#define WINDOW	      (256u << 10) /* bytes of the dump read at once */
#define BASE_SIZE_MIN 16	   /* MT + one field; String is 22 */
#define BASE_SIZE_MAX (1u << 30)

/* What the walk needs of a MethodTable, cached by address. */
struct mt_info {
	uint64_t mt; /* 0: empty slot */
	uint32_t base_size;
	uint16_t component_size;
	int8_t err; /* 0, or why the MT is unusable: 1 unreadable, 2 implausible */
};

/* Open-addressing table of MethodTables: one per walk, and rt->objmt. */
struct mt_cache {
	struct mt_info *slots;
	size_t cap, used; /* cap is a power of two */
};

/* A real MethodTable leads to an EEClass that points back to it, or to its
 * canonical MethodTable: EEClassOrCanonMT with low bit 1 is the canonical MT
 * (docs/design/datacontracts/RuntimeTypeSystem.md). Any readable pointer can
 * pass a size check; few pass this one. The free-object MethodTable is made
 * by hand at startup and has no EEClass. */
static bool mt_back_pointer_ok(struct rt *rt, uint64_t mt)
{
	const struct rt_lay_mt *l = &rt->lay.mt;
	uint64_t v, canon = mt, back;

	if (mt == rt->lay.g.free_mt)
		return true;
	if (dump_read_ptr(rt->d, mt + l->canon, &v))
		return false;
	if (v & RT_CANON_MT_BIT) {
		canon = v & ~RT_CANON_MT_BIT;
		if (dump_read_ptr(rt->d, canon + l->canon, &v) || (v & RT_CANON_MT_BIT))
			return false;
	}
	return v && dump_read_ptr(rt->d, v + l->ee_mt, &back) == 0 && back == canon;
}

static int mt_read(struct rt *rt, uint64_t mt, struct mt_info *out)
{
	uint32_t base, flags;

	memset(out, 0, sizeof(*out));
	out->mt = mt;
	if (dump_read_u32(rt->d, mt + rt->lay.mt.base_size, &base) ||
	    dump_read_u32(rt->d, mt + rt->lay.mt.flags, &flags)) {
		out->err = 1;
		return -EIO;
	}
	if (base < BASE_SIZE_MIN || base > BASE_SIZE_MAX || !mt_back_pointer_ok(rt, mt)) {
		out->err = 2;
		return -EBADMSG;
	}
	out->base_size = base;
	if (flags & RT_MTF_HAS_COMPONENT_SIZE)
		out->component_size = (uint16_t)(flags & RT_MTF_COMPONENT_SIZE_MASK);
	return 0;
}

static size_t mt_hash(uint64_t mt, size_t cap)
{
	return (size_t)((mt >> 3) * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
}

static const struct mt_info *mt_lookup(struct rt *rt, struct mt_cache *c, uint64_t mt)
{
	if (c->used * 2 >= c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 1024;
		struct mt_info *n = calloc(ncap, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < c->cap; i++) {
			if (!c->slots[i].mt)
				continue;
			size_t j = mt_hash(c->slots[i].mt, ncap);
			while (n[j].mt)
				j = (j + 1) & (ncap - 1);
			n[j] = c->slots[i];
		}
		free(c->slots);
		c->slots = n;
		c->cap = ncap;
	}
	size_t i = mt_hash(mt, c->cap);
	while (c->slots[i].mt && c->slots[i].mt != mt)
		i = (i + 1) & (c->cap - 1);
	if (!c->slots[i].mt) {
		mt_read(rt, mt, &c->slots[i]);
		c->used++;
	}
	return &c->slots[i];
}

static uint64_t obj_size(const struct mt_info *m, uint32_t ncomp)
{
	uint64_t size = m->base_size + (uint64_t)ncomp * m->component_size;
	size = (size + OBJ_ALIGN - 1) & ~(uint64_t)(OBJ_ALIGN - 1);
	return size < RT_MIN_OBJ_SIZE ? RT_MIN_OBJ_SIZE : size;
}

/* The size SOS (dumpheap, dumpobj) and ClrMD report: BaseSize plus the
 * components, at least the minimum object size, before the GC's alignment
 * (an empty string is 22 + 0 bytes, reported as 24). obj_size() is what the
 * object takes in the heap, which the walk steps over. */
static uint64_t obj_reported_size(const struct mt_info *m, uint32_t ncomp)
{
	uint64_t size = m->base_size + (uint64_t)ncomp * m->component_size;
	return size < RT_MIN_OBJ_SIZE ? RT_MIN_OBJ_SIZE : size;
}

/* A read-ahead window over one segment's bytes. */
struct window {
	uint8_t *buf;
	uint64_t base, len, cap;
};

/* Points *p at the 16 bytes at addr (< end), refilling the window. A window
 * starts at the ObjHeader before addr where that is readable (the locks of
 * rt_heap_walk_locks()): the object's header is at *p - RT_OBJ_HEADER_SIZE
 * when addr - RT_OBJ_HEADER_SIZE >= w->base. */
static int window_get(struct dump *d, struct window *w, uint64_t addr, uint64_t end,
		      const uint8_t **p)
{
	if (addr < w->base || addr + 16 > w->base + w->len) {
		uint64_t h = RT_OBJ_HEADER_SIZE;
		uint64_t n = end - addr < w->cap - h ? end - addr : w->cap - h;
		if (n < 16)
			return -EBADMSG;
		w->len = 0;
		if (addr >= h && !dump_read(d, addr - h, w->buf, n + h)) {
			w->base = addr - h;
			w->len = n + h;
		} else if (!dump_read(d, addr, w->buf, n)) {
			w->base = addr;
			w->len = n;
		} else {
			/* Part of the window is missing: take just this object's start. */
			if (dump_read(d, addr, w->buf, 16))
				return -EIO;
			w->base = addr;
			w->len = 16;
		}
	}
	*p = w->buf + (addr - w->base);
	return 0;
}

struct walk {
	struct rt *rt;
	const struct rt_gc *gc;
	struct mt_cache mts;
	struct window win;
	size_t ctx; /* first allocation context whose ptr may still be ahead */
	uint64_t next_ctx; /* its ptr, or UINT64_MAX */
	uint64_t last_mt;  /* the MethodTable of the last object, and its entry */
	const struct mt_info *last_m;
	/* One of the two: */
	int (*cb)(uint64_t obj, uint64_t mt, uint64_t size, void *arg);
	int (*cb_next)(uint64_t obj, uint64_t mt, uint64_t size, uint64_t next, void *arg);
	void *arg;
	uint64_t stopped; /* cb_next: the object it stopped at */
	/* rt_heap_walk_locks(): objects whose header holds a lock or a sync
	 * block index, and the header bits that say so. */
	int (*locked)(uint64_t obj, uint32_t value, void *arg);
	uint32_t hdr_any, hdr_index, hdr_hash, hdr_tid;
	uint64_t hdr_at; /* the sync block value's distance before the object */
};

/* Walks [from, s->end), from being s->start or a position the walk
 * reached. Returns cb's non-zero value, -ENOMEM, or 0 (corruption ends the
 * segment with a diag). */
static int walk_segment(struct walk *w, const struct rt_segment *s, uint64_t from)
{
	const struct rt_gc *gc = w->gc;
	const struct rt_lay_obj *lo = &w->rt->lay.obj;
	uint64_t ncomp_off = lo->arr_ncomp, free_mt = w->rt->lay.g.free_mt;
	struct diag *diag = dump_diag(w->rt->d);
	int skip_ctx = s->gen != 3 && s->gen != -1; /* not LOH, not frozen */
	uint64_t obj = from;
	/* rt_heap_walk_locks()'s header bits, in locals: the loop's hot path. */
	const uint32_t hdr_any = w->locked ? w->hdr_any : 0, hdr_index = w->hdr_index,
		       hdr_hash = w->hdr_hash, hdr_tid = w->hdr_tid;
	const uint64_t hdr_at = w->hdr_at;

	while (obj < s->end) {
		/* next_ctx: the first allocation context at or after obj, so the
		 * common case (no context here) costs one compare. */
		if (skip_ctx && obj >= w->next_ctx) {
			while (w->ctx < gc->nctxs && gc->ctxs[w->ctx].ptr < obj)
				w->ctx++;
			w->next_ctx = w->ctx < gc->nctxs ? gc->ctxs[w->ctx].ptr : UINT64_MAX;
			if (w->ctx < gc->nctxs && gc->ctxs[w->ctx].ptr == obj) {
				uint64_t next = gc->ctxs[w->ctx].limit + RT_MIN_OBJ_SIZE;
				if (next <= obj) {
					diag_add(diag,
						 "heap walk: allocation context at 0x%016" PRIx64
						 " ends before it starts; the rest of segment "
						 "0x%016" PRIx64 " is skipped",
						 obj, s->addr);
					return 0;
				}
				obj = next;
				continue;
			}
		}
		const uint8_t *p;
		int rc = window_get(w->rt->d, &w->win, obj, s->end, &p);
		if (rc) {
			diag_add(diag,
				 "heap walk: the object at 0x%016" PRIx64
				 " is %s; the rest of segment 0x%016" PRIx64 " is skipped",
				 obj,
				 rc == -EIO ? "missing from the dump"
					    : "cut off by the segment's end",
				 s->addr);
			return 0;
		}
		uint64_t raw, mt;
		uint32_t ncomp;
		memcpy(&raw, p, 8);
		memcpy(&ncomp, p + ncomp_off, 4);
		mt = raw & ~lo->mt_unmask;
		/* Runs of one type are common: try the last MethodTable first. */
		const struct mt_info *m = mt && mt == w->last_mt ? w->last_m
				      : mt			   ? mt_lookup(w->rt, &w->mts, mt)
								   : NULL;
		if (m) {
			w->last_mt = mt;
			w->last_m = m;
		}
		if (mt && !m)
			return -ENOMEM;
		if (!m || m->err) {
			diag_add(diag,
				 "heap walk: the object at 0x%016" PRIx64
				 " has %s MethodTable 0x%016" PRIx64
				 "; the rest of segment 0x%016" PRIx64 " is skipped",
				 obj,
				 !m	       ? "a null"
				 : m->err == 1 ? "an unreadable"
					       : "an implausible",
				 mt, s->addr);
			return 0;
		}
		uint64_t size = obj_size(m, ncomp);
		if (size > s->end - obj) {
			diag_add(diag,
				 "heap walk: the object at 0x%016" PRIx64 " (%" PRIu64
				 " bytes) runs past the end of segment 0x%016" PRIx64
				 "; the rest of it is skipped",
				 obj, size, s->addr);
			return 0;
		}
		if (mt != free_mt) {
			uint64_t rsize = obj_reported_size(m, ncomp);
			if (hdr_any && obj - hdr_at >= w->win.base) {
				uint32_t v;
				memcpy(&v, p - hdr_at, 4);
				if ((v & hdr_any) && ((v & hdr_index) ? !(v & hdr_hash) : (v & hdr_tid)) &&
				    (rc = w->locked(obj, v, w->arg)))
					return rc;
			}
			rc = w->cb ? w->cb(obj, mt, rsize, w->arg)
				   : w->cb_next(obj, mt, rsize, obj + size, w->arg);
			if (rc) {
				w->stopped = obj;
				return rc;
			}
		}
		obj += size;
	}
	return 0;
}

/* Walks the segments from position from (0: the start of the first). */
static int walk_from(struct walk *w, uint64_t from, uint64_t window)
{
	int rc = rt_layout_err(w->rt, RT_LG_OBJ);
	size_t i = 0, lo, hi;

	rc = rc ? rc : rt_layout_err(w->rt, RT_LG_MT);
	rc = rc ? rc : rt_gc_load(w->rt, &w->gc);
	if (rc)
		return rc;
	/* The segment holding from, else the first after it. */
	for (lo = 0, hi = w->gc->nsegs; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->gc->segs[mid].end <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;
	w->win.cap = window;
	w->win.buf = malloc(window);
	if (!w->win.buf)
		return -ENOMEM;
	for (; !rc && i < w->gc->nsegs; i++) {
		const struct rt_segment *s = &w->gc->segs[i];
		w->win.len = 0;
		rc = walk_segment(w, s, from > s->start ? from : s->start);
	}
	free(w->win.buf);
	free(w->mts.slots);
	return rc;
}

int rt_heap_walk(struct rt *rt, int (*cb)(uint64_t obj, uint64_t mt, uint64_t size, void *arg),
		 void *arg)
{
	struct walk w = {.rt = rt, .cb = cb, .arg = arg};

	return walk_from(&w, 0, WINDOW);
}

int rt_heap_walk_locks(struct rt *rt,
		       int (*cb)(uint64_t obj, uint64_t mt, uint64_t size, void *arg),
		       int (*locked)(uint64_t obj, uint32_t value, void *arg), void *arg)
{
	const struct rt_lay_sync *l = &rt->lay.sync;
	struct walk w = {.rt = rt, .cb = cb, .arg = arg};

	if (!rt_layout_err(rt, RT_LG_SYNC)) {
		w.locked = locked;
		w.hdr_index = l->is_index;
		w.hdr_hash = l->is_hash;
		w.hdr_tid = l->tid_mask;
		w.hdr_any = l->is_index | l->tid_mask;
		w.hdr_at = l->hdr_value;
	}
	return walk_from(&w, 0, WINDOW);
}

/* A page of a listing is a few KiB of objects: a smaller window, but one
 * the dump reads by pread (BULK_READ in elf_core.c), not through its map,
 * so that listing the heap does not map it all into the process. */
#define PAGE_WINDOW (64u << 10)

int rt_heap_walk_from(struct rt *rt, uint64_t from,
		      int (*cb)(uint64_t obj, uint64_t mt, uint64_t size, uint64_t next, void *arg),
		      void *arg, uint64_t *stopped)
{
	struct walk w = {.rt = rt, .cb_next = cb, .arg = arg};
	int rc = walk_from(&w, from, PAGE_WINDOW);

	if (rc > 0 && stopped)
		*stopped = w.stopped;
	return rc;
}

int rt_object_size(struct rt *rt, uint64_t obj, uint64_t *mt, uint64_t *size)
{
	struct mt_info m = {0};
	uint64_t raw;
	uint32_t ncomp;
	int rc = rt_layout_err(rt, RT_LG_OBJ);

	rc = rc ? rc : rt_layout_err(rt, RT_LG_MT);
	rc = rc ? rc : dump_read_ptr(rt->d, obj, &raw);
	rc = rc ? rc : dump_read_u32(rt->d, obj + rt->lay.obj.arr_ncomp, &ncomp);
	if (rc)
		return rc;
	raw &= ~rt->lay.obj.mt_unmask;
	if (!raw)
		return -EBADMSG;
	if (!rt->objmt && !(rt->objmt = calloc(1, sizeof(*rt->objmt))))
		return -ENOMEM;
	const struct mt_info *c = mt_lookup(rt, rt->objmt, raw);
	if (!c)
		return -ENOMEM;
	m = *c;
	if (m.err)
		return m.err == 1 ? -EIO : -EBADMSG;
	*mt = raw;
	*size = obj_reported_size(&m, ncomp);
	return 0;
}

int rt_object_plausible(struct rt *rt, uint64_t obj, uint64_t *mt, uint64_t *size)
{
	const struct rt_segment *segs;
	size_t lo = 0, hi, n;
	int rc = rt_segments(rt, &segs, &n);

	if (rc)
		return rc;
	for (hi = n; lo < hi;) { /* the last segment starting at or below obj */
		size_t mid = lo + (hi - lo) / 2;
		if (segs[mid].start <= obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || obj >= segs[lo - 1].end || obj % OBJ_ALIGN)
		return -ENOENT;
	rc = rt_object_size(rt, obj, mt, size);
	if (rc)
		return rc;
	if (*mt == rt->lay.g.free_mt || *size > segs[lo - 1].end - obj)
		return -ENOENT;
	return 0;
}

void rt_objmt_free(struct mt_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}
