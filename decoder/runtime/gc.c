// SPDX-License-Identifier: MIT
// The GC's published variables (GcDacVars): heaps, generations, segments/regions.
//
// The runtime keeps a pointer to the GC's GcDacVars in g_gcDacGlobals, a
// variable that no symbol names. The exported g_dacTable lists the address of
// every DAC-visible variable in the order of src/coreclr/inc/dacvars.h; on
// .NET 7+ each entry is an absolute 8-byte address (PR #68065; seen on
// 10.0.12: every entry lands in libcoreclr's mapping). The dacvars.h order
// around it is
//     ThreadStore__s_pThreadStore, dac__g_pFinalizerThread,
//     dac__g_pSuspensionThread, dac__g_heap_type, dac__g_gcDacGlobals,
//     AppDomain__m_pTheAppDomain, SystemDomain__m_pSystemDomain
// (read at dotnet/runtime main 00fcca29; on 10.0.12 they are entries 15..21).
// Entries before it depend on FEATURE_* switches (FEATURE_INTERPRETER adds
// two), so rather than trust an index we find ThreadStore's entry by the
// address the contract descriptor gives for it and check four neighbours
// against the descriptor's FinalizerThread, GCThread, AppDomain and
// SystemDomain globals.
#include "heap_i.h"

#include "diag.h"
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define DACTABLE_SCAN 128	   /* entries searched for ThreadStore's */
#define HEAPS_MAX     4096	   /* bound on n_heaps */
#define SEGS_MAX      (1u << 20)   /* bound on segments + regions of all chains */
#define GEN_SIZE_MAX  4096	   /* bound on sizeof(generation) */
#define SEG_SPAN_MAX  (1ull << 40) /* bound on one segment's reserved size */

/* dacTable neighbours of g_gcDacGlobals, relative to ThreadStore__s_pThreadStore
 * (see the comment at the top). */
enum {
	DT_FINALIZER_THREAD = 1,
	DT_SUSPENSION_THREAD = 2,
	DT_HEAP_TYPE = 3,
	DT_GC_DAC_GLOBALS = 4,
	DT_APP_DOMAIN = 5,
	DT_SYSTEM_DOMAIN = 6,
};

/* GcDacVars, dotnet/runtime src/coreclr/gc/gcinterface.dac.h: { u8 major;
 * u8 minor; size_t generation_size; size_t total_generation_count; } then
 * one pointer per entry of gcinterface.dacvars.def, in file order (the def
 * read at main 05ebade; entries are only appended, each batch behind a minor
 * version: "v5.2 fields" = minor 2, "v5.4" = minor 4, "v5.6" = minor 6).
 * Major 2 is the only layout known here. Checked on 10.0.12 (95017c7),
 * workstation and server: version 2.4, generation_size 0x100,
 * total_generation_count 5, and the struct is 0x148 bytes long (the
 * variable g_gcDacGlobals itself follows it). 64-bit offsets: */
struct gcdac_field {
	const char *name;
	uint32_t off;
	uint8_t min_minor;
};
enum {
	GD_GENERATION_SIZE,
	GD_TOTAL_GENERATION_COUNT,
	GD_BUILD_VARIANT,	      /* u8*: 1 use_region, 4 dynamic heap count */
	GD_GENERATION_TABLE,	      /* generation[]: workstation */
	GD_MAX_GEN,		      /* u32* */
	GD_EPHEMERAL_HEAP_SEGMENT,    /* heap_segment**: workstation */
	GD_ALLOC_ALLOCATED,	      /* u8**: workstation */
	GD_FINALIZE_QUEUE,	      /* CFinalize**: workstation */
	GD_N_HEAPS,		      /* int*: server */
	GD_G_HEAPS,		      /* gc_heap***: server */
	GD_GC_STRUCTURES_INVALID_CNT, /* int32*: non-zero while a GC changes the heap */
	GD_HANDLE_TABLE_MAP,
	GD_GC_HEAP_FIELD_OFFSETS,    /* int[]: server */
	GD_GENERATION_FIELD_OFFSETS, /* int[3] */
	GD_COUNT
};
static const struct gcdac_field gcdac_v2[GD_COUNT] = {
	[GD_GENERATION_SIZE] = {"generation_size", 0x08, 0},
	[GD_TOTAL_GENERATION_COUNT] = {"total_generation_count", 0x10, 0},
	[GD_BUILD_VARIANT] = {"build_variant", 0x18, 0},
	[GD_GENERATION_TABLE] = {"generation_table", 0x30, 0},
	[GD_MAX_GEN] = {"max_gen", 0x38, 0},
	[GD_EPHEMERAL_HEAP_SEGMENT] = {"ephemeral_heap_segment", 0x50, 0},
	[GD_ALLOC_ALLOCATED] = {"alloc_allocated", 0x78, 0},
	[GD_FINALIZE_QUEUE] = {"finalize_queue", 0x90, 0},
	[GD_N_HEAPS] = {"n_heaps", 0xb0, 0},
	[GD_G_HEAPS] = {"g_heaps", 0xb8, 0},
	[GD_GC_STRUCTURES_INVALID_CNT] = {"gc_structures_invalid_cnt", 0xc0, 0},
	[GD_HANDLE_TABLE_MAP] = {"handle_table_map", 0xe8, 0},
	[GD_GC_HEAP_FIELD_OFFSETS] = {"gc_heap_field_offsets", 0xf0, 0},
	[GD_GENERATION_FIELD_OFFSETS] = {"generation_field_offsets", 0xf8, 0},
};
#define GCDAC_MAJOR    2
#define GCDAC_READ_LEN 0x100 /* covers every field above */

/* gc_heap_field_offsets[] indexes: the order of src/coreclr/gc/dac_gcheap_fields.h,
 * then GENERATION_TABLE_FIELD_INDEX (gcinterface.dac.h). -1 = absent. */
enum {
	GH_ALLOC_ALLOCATED = 0,
	GH_EPHEMERAL_HEAP_SEGMENT = 1,
	GH_FINALIZE_QUEUE = 2,
	GH_GENERATION_TABLE = 18,
	GH_COUNT = 19,
};

/* generation_field_offsets[]: src/coreclr/gc/dac_generation_fields.h order:
 * allocation_context (gc_alloc_context), start_segment, allocation_start
 * (-1 with regions). */
enum { GF_ALLOCATION_CONTEXT, GF_START_SEGMENT, GF_ALLOCATION_START, GF_COUNT };

/* dac_heap_segment (gcinterface.dac.h), a prefix of the GC's heap_segment
 * kept stable by the major version: allocated, committed, reserved, used,
 * mem, flags, next, background_allocated, heap (server only). The order is
 * also checked on every segment: mem <= allocated <= committed <= reserved. */
enum {
	HS_ALLOCATED = 0x00,
	HS_COMMITTED = 0x08,
	HS_RESERVED = 0x10,
	HS_MEM = 0x20,
	HS_FLAGS = 0x28,
	HS_NEXT = 0x30,
	HS_READ_LEN = 0x38,
};
#define HEAP_SEGMENT_FLAGS_READONLY 1 /* gcinterface.dac.h: frozen (NonGC) segment */

/* gc_alloc_context (src/coreclr/gc/gcinterface.h): alloc_ptr, alloc_limit, ... */
enum { AC_PTR = 0, AC_LIMIT = 8 };

static const char *const gen_kind[] = {"gen0", "gen1", "gen2", "loh", "poh"};

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Finds &GcDacVars through g_dacTable; also returns g_heap_type (1 WKS, 2 SVR). */
static int find_gc_dac_vars(struct rt *rt, uint64_t *out, uint32_t *heap_type)
{
	struct dump *d = rt->d;
	struct diag *diag = dump_diag(d);
	uint64_t table, ts, want[DT_SYSTEM_DOMAIN + 1] = {0};
	uint64_t ent[DACTABLE_SCAN];
	static const char *const anchors[] = {
		[0] = "ThreadStore",
		[DT_FINALIZER_THREAD] = "FinalizerThread",
		[DT_SUSPENSION_THREAD] = "GCThread",
		[DT_APP_DOMAIN] = "AppDomain",
		[DT_SYSTEM_DOMAIN] = "SystemDomain",
	};
	size_t i;

	if (dump_module_symbol(d, rt->mod, "g_dacTable", &table)) {
		diag_add(diag, "libcoreclr exports no g_dacTable: the GC heap cannot be found");
		return -ENOTSUP;
	}
	if (dump_read(d, table, ent, sizeof(ent))) {
		diag_add(diag, "the runtime's g_dacTable is unreadable");
		return -EIO;
	}
	for (i = 0; i <= DT_SYSTEM_DOMAIN; i++) {
		if (anchors[i] && rt_global(rt, anchors[i], &want[i])) {
			diag_add(diag,
				 "the contract descriptor lacks the %s global needed to read "
				 "g_dacTable",
				 anchors[i]);
			return -ENOTSUP;
		}
	}
	ts = want[0];
	for (i = 0; i + DT_SYSTEM_DOMAIN < DACTABLE_SCAN && ent[i] != ts; i++)
		;
	if (i + DT_SYSTEM_DOMAIN >= DACTABLE_SCAN) {
		diag_add(diag,
			 "g_dacTable does not list ThreadStore::s_pThreadStore (0x%016" PRIx64 ")",
			 ts);
		return -EBADMSG;
	}
	for (size_t k = 1; k <= DT_SYSTEM_DOMAIN; k++) {
		if (anchors[k] && ent[i + k] != want[k]) {
			diag_add(diag,
				 "g_dacTable entry %zu is 0x%016" PRIx64
				 ", not the %s global 0x%016" PRIx64 ": unknown dacvars.h order",
				 i + k, ent[i + k], anchors[k], want[k]);
			return -EBADMSG;
		}
	}
	if (dump_read_u32(d, ent[i + DT_HEAP_TYPE], heap_type) ||
	    dump_read_ptr(d, ent[i + DT_GC_DAC_GLOBALS], out) || !*out) {
		diag_add(diag, "g_gcDacGlobals (g_dacTable entry %zu) is unreadable or null",
			 i + DT_GC_DAC_GLOBALS);
		return -EIO;
	}
	return 0;
}

static int bad(struct rt *rt, int rc, const char *what)
{
	diag_add(dump_diag(rt->d), "the GC's GcDacVars fail a check: %s", what);
	return rc;
}

/* Reads and checks GcDacVars into gc (version, sizes, mode, heaps). */
static int load_dac_vars(struct rt *rt, struct rt_gc *gc)
{
	struct dump *d = rt->d;
	uint8_t buf[GCDAC_READ_LEN];
	uint64_t f[GD_COUNT];
	uint32_t heap_type, max_gen;
	int32_t genoff[GF_COUNT];
	int rc = find_gc_dac_vars(rt, &gc->dacvars, &heap_type);

	if (rc)
		return rc;
	if (dump_read(d, gc->dacvars, buf, sizeof(buf)))
		return bad(rt, -EIO, "the structure is unreadable");
	gc->major = buf[0];
	gc->minor = buf[1];
	if (gc->major != GCDAC_MAJOR) {
		diag_add(dump_diag(d),
			 "GC DAC interface version %u.%u is not supported (only %u.x)", gc->major,
			 gc->minor, GCDAC_MAJOR);
		return -ENOTSUP;
	}
	for (int i = 0; i < GD_COUNT; i++)
		f[i] = gc->minor >= gcdac_v2[i].min_minor ? rd64(buf + gcdac_v2[i].off) : 0;
	gc->gen_size = f[GD_GENERATION_SIZE];
	gc->info.total_gens = (unsigned)f[GD_TOTAL_GENERATION_COUNT];
	/* gen 3 = LOH and gen 4 = POH since .NET 5 (gcinterface.h total_generation_count). */
	if (f[GD_TOTAL_GENERATION_COUNT] != 5)
		return bad(rt, -EBADMSG, "total_generation_count is not 5");
	if (gc->gen_size < 3 * 8 || gc->gen_size > GEN_SIZE_MAX || gc->gen_size % 8)
		return bad(rt, -EBADMSG, "generation_size is implausible");
	if (dump_read_u32(d, f[GD_MAX_GEN], &max_gen) || max_gen != 2)
		return bad(rt, -EBADMSG, "*max_gen is not 2");
	gc->info.max_gen = max_gen;
	if (dump_read(d, f[GD_BUILD_VARIANT], &gc->build_variant, 1))
		return bad(rt, -EIO, "build_variant is unreadable");
	if (dump_read(d, f[GD_GENERATION_FIELD_OFFSETS], genoff, sizeof(genoff)))
		return bad(rt, -EIO, "generation_field_offsets is unreadable");
	for (int i = 0; i < GF_COUNT; i++) {
		if (genoff[i] != -1 && (genoff[i] < 0 || (uint64_t)genoff[i] + 16 > gc->gen_size))
			return bad(rt, -EBADMSG,
				   "generation_field_offsets points outside a generation");
	}
	if (genoff[GF_ALLOCATION_CONTEXT] < 0 || genoff[GF_START_SEGMENT] < 0)
		return bad(rt, -EBADMSG, "a generation has no allocation_context or start_segment");
	gc->gen_off_ctx = genoff[GF_ALLOCATION_CONTEXT];
	gc->gen_off_start_seg = genoff[GF_START_SEGMENT];
	gc->gen_off_alloc_start = genoff[GF_ALLOCATION_START];
	/* Regions have no generation allocation_start (dac_generation_fields.h). */
	gc->info.regions = gc->gen_off_alloc_start < 0;
	if (gc->info.regions != (gc->build_variant & 1))
		diag_add(dump_diag(d),
			 "the GC's build_variant (0x%x) and generation layout disagree on regions; "
			 "the layout wins",
			 gc->build_variant);
	gc->handle_table_map = f[GD_HANDLE_TABLE_MAP];
	/* SOS refuses to walk while this is non-zero; we walk, and say so. Seen
	 * on a 10.0.12 server-GC dump taken mid-GC: stale region contents. */
	int32_t invalid;
	if (dump_read_u32(d, f[GD_GC_STRUCTURES_INVALID_CNT], (uint32_t *)&invalid))
		return bad(rt, -EIO, "gc_structures_invalid_cnt is unreadable");
	if (invalid) {
		gc->info.gc_in_progress = 1;
		diag_add(dump_diag(d), "the dump was taken while a garbage collection was changing "
				       "the heap; some objects may be missing from the heap walk");
	}

	/* Server GC publishes n_heaps and g_heaps; workstation leaves them null. */
	gc->info.server = f[GD_N_HEAPS] != 0;
	if ((heap_type == 2) != gc->info.server)
		return bad(rt, -EBADMSG, "g_heap_type and n_heaps disagree on server GC");
	if (!gc->info.server) {
		struct rt_gc_heap *h = calloc(1, sizeof(*h));
		if (!h)
			return -ENOMEM;
		gc->heaps = h;
		gc->nheaps = 1;
		h->gen_table = f[GD_GENERATION_TABLE];
		if (!h->gen_table || dump_read_ptr(d, f[GD_ALLOC_ALLOCATED], &h->alloc_allocated) ||
		    dump_read_ptr(d, f[GD_EPHEMERAL_HEAP_SEGMENT], &h->ephemeral_seg) ||
		    dump_read_ptr(d, f[GD_FINALIZE_QUEUE], &h->finalize_queue))
			return bad(rt, -EIO, "the workstation heap's variables are unreadable");
		gc->info.heap_count = 1;
		return 0;
	}

	int32_t n, ghoff[GH_COUNT];
	uint64_t heaps;
	if (dump_read_u32(d, f[GD_N_HEAPS], (uint32_t *)&n) || n < 1 || n > HEAPS_MAX)
		return bad(rt, -EBADMSG, "n_heaps is unreadable or implausible");
	if (dump_read_ptr(d, f[GD_G_HEAPS], &heaps) || !heaps)
		return bad(rt, -EIO, "g_heaps is unreadable");
	if (dump_read(d, f[GD_GC_HEAP_FIELD_OFFSETS], ghoff, sizeof(ghoff)))
		return bad(rt, -EIO, "gc_heap_field_offsets is unreadable");
	if (ghoff[GH_ALLOC_ALLOCATED] < 0 || ghoff[GH_EPHEMERAL_HEAP_SEGMENT] < 0 ||
	    ghoff[GH_FINALIZE_QUEUE] < 0 || ghoff[GH_GENERATION_TABLE] <= 0)
		return bad(rt, -EBADMSG, "gc_heap_field_offsets lacks a field this reader needs");
	gc->heaps = calloc((size_t)n, sizeof(*gc->heaps));
	if (!gc->heaps)
		return -ENOMEM;
	gc->nheaps = (size_t)n;
	gc->info.heap_count = (unsigned)n;
	for (int32_t i = 0; i < n; i++) {
		struct rt_gc_heap *h = &gc->heaps[i];
		if (dump_read_ptr(d, heaps + 8 * (uint64_t)i, &h->addr) || !h->addr ||
		    dump_read_ptr(d, h->addr + (uint64_t)ghoff[GH_ALLOC_ALLOCATED],
				  &h->alloc_allocated) ||
		    dump_read_ptr(d, h->addr + (uint64_t)ghoff[GH_EPHEMERAL_HEAP_SEGMENT],
				  &h->ephemeral_seg) ||
		    dump_read_ptr(d, h->addr + (uint64_t)ghoff[GH_FINALIZE_QUEUE],
				  &h->finalize_queue))
			return bad(rt, -EIO, "a server heap is unreadable");
		h->gen_table = h->addr + (uint64_t)ghoff[GH_GENERATION_TABLE];
	}
	return 0;
}

/* A set of segment addresses, to stop chains that loop or cross. */
struct seen {
	uint64_t addr;
	UT_hash_handle hh;
};

static int add_seg(struct rt_gc *gc, const struct rt_segment *s, size_t *cap)
{
	if (gc->nsegs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct rt_segment *n = realloc(gc->segs, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		gc->segs = n;
		*cap = ncap;
	}
	gc->segs[gc->nsegs++] = *s;
	return 0;
}

/* Walks one generation's start_segment -> next chain of heap h. */
static int walk_chain(struct rt *rt, struct rt_gc *gc, unsigned hi, int gen, struct seen **seen,
		      size_t *cap)
{
	struct dump *d = rt->d;
	struct diag *diag = dump_diag(d);
	const struct rt_gc_heap *h = &gc->heaps[hi];
	uint64_t gaddr = h->gen_table + (uint64_t)gen * gc->gen_size;
	uint64_t seg;

	if (dump_read_ptr(d, gaddr + (uint64_t)gc->gen_off_start_seg, &seg)) {
		diag_add(diag, "heap %u: generation %d is unreadable", hi, gen);
		return 0;
	}
	while (seg) {
		uint8_t b[HS_READ_LEN];
		struct seen *e;

		HASH_FIND(hh, *seen, &seg, sizeof(seg), e);
		if (e) {
			/* Segments GC: gen 0 and 1 start in gen 2's ephemeral segment. */
			if (gc->info.regions || gen > 1)
				diag_add(diag,
					 "heap %u: the segment chain of generation %d meets "
					 "segment 0x%016" PRIx64 " twice; the rest is ignored",
					 hi, gen, seg);
			return 0;
		}
		if (gc->nsegs >= SEGS_MAX) {
			diag_add(diag, "the GC heap has more than %u segments; the rest is ignored",
				 SEGS_MAX);
			return 0;
		}
		if (!(e = malloc(sizeof(*e))))
			return -ENOMEM;
		e->addr = seg;
		HASH_ADD(hh, *seen, addr, sizeof(e->addr), e);
		if (dump_read(d, seg, b, sizeof(b))) {
			diag_add(
				diag,
				"heap %u: segment 0x%016" PRIx64
				" of generation %d is unreadable; the rest of its chain is missing",
				hi, seg, gen);
			return 0;
		}
		struct rt_segment s = {
			.start = rd64(b + HS_MEM),
			.end = rd64(b + HS_ALLOCATED),
			.committed = rd64(b + HS_COMMITTED),
			.reserved = rd64(b + HS_RESERVED),
			.gen = gen,
			.heap = hi,
			.kind = gen_kind[gen],
			.addr = seg,
		};
		uint64_t flags = rd64(b + HS_FLAGS);
		if (flags & HEAP_SEGMENT_FLAGS_READONLY) {
			s.gen = -1;
			s.kind = "frozen";
		} else if (seg == h->ephemeral_seg) {
			s.end = h->alloc_allocated;
			if (!gc->info.regions) {
				s.gen = 0;
				s.kind = "ephemeral";
			}
		}
		if (!s.start || s.start > s.end || s.end > s.reserved || s.committed > s.reserved ||
		    s.reserved - s.start > SEG_SPAN_MAX) {
			diag_add(diag,
				 "heap %u: segment 0x%016" PRIx64
				 " has implausible bounds (mem 0x%016" PRIx64 ", end 0x%016" PRIx64
				 ", reserved 0x%016" PRIx64 "); it is skipped",
				 hi, seg, s.start, s.end, s.reserved);
		} else {
			int rc = add_seg(gc, &s, cap);
			if (rc)
				return rc;
		}
		seg = rd64(b + HS_NEXT);
	}
	return 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct rt_segment *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int ctx_cmp(const void *a, const void *b)
{
	const struct rt_alloc_ctx *x = a, *y = b;
	return x->ptr < y->ptr ? -1 : x->ptr > y->ptr;
}

static int add_ctx(struct rt_gc *gc, uint64_t ptr, uint64_t limit, size_t *cap)
{
	if (!ptr || limit < ptr)
		return 0;
	if (gc->nctxs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct rt_alloc_ctx *n = realloc(gc->ctxs, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		gc->ctxs = n;
		*cap = ncap;
	}
	gc->ctxs[gc->nctxs++] = (struct rt_alloc_ctx){ptr, limit};
	return 0;
}

/* Allocation contexts: every thread's (Thread.RuntimeThreadLocals ->
 * RuntimeThreadLocals.AllocContext -> EEAllocContext.GCAllocationContext ->
 * GCAllocContext.Pointer/Limit, all from the contract descriptor), and each
 * generation's allocation_context. */
static int load_alloc_contexts(struct rt *rt, struct rt_gc *gc, const struct rt_thread *threads,
			       size_t nthreads)
{
	struct dump *d = rt->d;
	size_t cap = 0;
	uint64_t o_rtl, o_ac, o_gac, o_ptr, o_lim;
	int rc;

	for (size_t hi = 0; hi < gc->nheaps; hi++) {
		for (unsigned g = 0; g < gc->info.total_gens; g++) {
			uint64_t a = gc->heaps[hi].gen_table + g * gc->gen_size +
				     (uint64_t)gc->gen_off_ctx;
			uint64_t p, l;
			if (dump_read_ptr(d, a + AC_PTR, &p) || dump_read_ptr(d, a + AC_LIMIT, &l))
				continue;
			if ((rc = add_ctx(gc, p, l, &cap)))
				return rc;
		}
	}
	rc = rt_field_offset(rt, "Thread", "RuntimeThreadLocals", &o_rtl);
	rc = rc ? rc : rt_field_offset(rt, "RuntimeThreadLocals", "AllocContext", &o_ac);
	rc = rc ? rc : rt_field_offset(rt, "EEAllocContext", "GCAllocationContext", &o_gac);
	rc = rc ? rc : rt_field_offset(rt, "GCAllocContext", "Pointer", &o_ptr);
	rc = rc ? rc : rt_field_offset(rt, "GCAllocContext", "Limit", &o_lim);
	if (rc) {
		diag_add(dump_diag(d), "the contract descriptor lacks the thread allocation "
				       "context; the heap walk may stop early in gen 0");
		return 0;
	}
	for (size_t i = 0; i < nthreads; i++) {
		uint64_t rtl, p, l;
		if (dump_read_ptr(d, threads[i].addr + o_rtl, &rtl) || !rtl)
			continue;
		uint64_t a = rtl + o_ac + o_gac;
		if (dump_read_ptr(d, a + o_ptr, &p) || dump_read_ptr(d, a + o_lim, &l)) {
			diag_add(dump_diag(d), "the allocation context of thread %u is unreadable",
				 threads[i].managed_id);
			continue;
		}
		if ((rc = add_ctx(gc, p, l, &cap)))
			return rc;
	}
	if (gc->nctxs) /* ctxs is NULL without contexts: not for qsort() */
		qsort(gc->ctxs, gc->nctxs, sizeof(*gc->ctxs), ctx_cmp);
	return 0;
}

static int load_object_layout(struct rt *rt, struct rt_gc *gc)
{
	int rc = rt_global_deref(rt, "FreeObjectMethodTable", &gc->free_mt);
	rc = rc ? rc : rt_global(rt, "ObjectToMethodTableUnmask", &gc->mt_unmask);
	rc = rc ? rc : rt_field_offset(rt, "MethodTable", "BaseSize", &gc->mt_base_size_off);
	rc = rc ? rc : rt_field_offset(rt, "MethodTable", "MTFlags", &gc->mt_flags_off);
	rc = rc ? rc : rt_field_offset(rt, "MethodTable", "EEClassOrCanonMT", &gc->mt_eeclass_off);
	rc = rc ? rc : rt_field_offset(rt, "EEClass", "MethodTable", &gc->eeclass_mt_off);
	if (rc || !gc->free_mt) {
		diag_add(dump_diag(rt->d), "the contract descriptor lacks the free-object "
					   "MethodTable or MethodTable layout");
		return rc ? rc : -EIO;
	}
	return 0;
}

static int build(struct rt *rt, struct rt_gc *gc, const struct rt_thread *threads, size_t nthreads)
{
	struct seen *seen = NULL, *e, *tmp;
	size_t cap = 0;
	int rc = load_dac_vars(rt, gc);

	rc = rc ? rc : load_object_layout(rt, gc);
	/* Order as ClrMD's DacHeap: LOH, gen 2, (regions:) gen 1, gen 0, then POH. */
	static const int order[] = {3, 2, 1, 0, 4};
	for (unsigned hi = 0; !rc && hi < gc->nheaps; hi++) {
		for (size_t k = 0; !rc && k < sizeof(order) / sizeof(order[0]); k++)
			rc = walk_chain(rt, gc, hi, order[k], &seen, &cap);
	}
	HASH_ITER(hh, seen, e, tmp)
	{
		HASH_DEL(seen, e);
		free(e);
	}
	if (rc)
		return rc;
	if (gc->nsegs) /* segs is NULL without any: not for qsort() */
		qsort(gc->segs, gc->nsegs, sizeof(*gc->segs), seg_cmp);
	for (size_t i = 1; i < gc->nsegs; i++) {
		if (gc->segs[i].start < gc->segs[i - 1].end) {
			diag_add(dump_diag(rt->d),
				 "segments 0x%016" PRIx64 " and 0x%016" PRIx64 " overlap",
				 gc->segs[i - 1].addr, gc->segs[i].addr);
			return -EBADMSG;
		}
	}
	return load_alloc_contexts(rt, gc, threads, nthreads);
}

int rt_gc_load(struct rt *rt, const struct rt_gc **out)
{
	const struct rt_thread *threads = NULL;
	size_t nthreads = 0;
	int rc = 0;
	/* Built once and never changed: the common case takes no lock (every
	 * object's size asks). The release store below publishes it whole. */
	struct rt_gc *gc = __atomic_load_n(&rt->gc, __ATOMIC_ACQUIRE);

	if (gc)
		goto done;
	/* rt_threads() takes rt->lock itself: ask before taking it. A thread
	 * list that cannot be read only costs the threads' allocation contexts. */
	if (rt_threads(rt, &threads, &nthreads)) {
		threads = NULL;
		nthreads = 0;
	}
	pthread_mutex_lock(&rt->lock);
	gc = rt->gc;
	if (!gc && (gc = calloc(1, sizeof(*gc)))) {
		rc = build(rt, gc, threads, nthreads);
		if (rc) {
			/* Keep only the error: every later call returns it. */
			rt_gc_free(gc);
			gc = calloc(1, sizeof(*gc));
		}
		if (gc) {
			gc->state = rc ? rc : 1;
			__atomic_store_n(&rt->gc, gc, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&rt->lock);
	if (!gc)
		return -ENOMEM;
done:
	if (gc->state < 0)
		return gc->state;
	*out = gc;
	return 0;
}

void rt_gc_free(struct rt_gc *gc)
{
	if (!gc)
		return;
	free(gc->heaps);
	free(gc->segs);
	free(gc->ctxs);
	free(gc);
}

int rt_gc_info(struct rt *rt, struct rt_gc_info *out)
{
	const struct rt_gc *gc;
	int rc = rt_gc_load(rt, &gc);

	if (!rc)
		*out = gc->info;
	return rc;
}

int rt_segments(struct rt *rt, const struct rt_segment **segs, size_t *count)
{
	const struct rt_gc *gc;
	int rc = rt_gc_load(rt, &gc);

	if (!rc) {
		*segs = gc->segs;
		*count = gc->nsegs;
	}
	return rc;
}
