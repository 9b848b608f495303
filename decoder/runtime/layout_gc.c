// SPDX-License-Identifier: MIT
// The layout layer's GC groups: the GC's own self-description (GcDacVars),
// the handle table and the finalization queue.
//
// The runtime keeps a pointer to the GC's GcDacVars in g_gcDacGlobals, a
// variable that no symbol names. The exported g_dacTable lists the address of
// every DAC-visible variable in the order of src/coreclr/inc/dacvars.h; on
// .NET 7+ each entry is an absolute 8-byte address (PR #68065; seen on 8.0.34,
// 9.0.23, 10.0.12 and 11.0.0: every entry lands in libcoreclr's mapping). The
// dacvars.h order around it is
//     ThreadStore__s_pThreadStore, dac__g_pFinalizerThread,
//     dac__g_pSuspensionThread, dac__g_heap_type, dac__g_gcDacGlobals,
//     AppDomain__m_pTheAppDomain, SystemDomain__m_pSystemDomain
// (dotnet/runtime main 00fcca29; entries 15..21 on 10.0.12). Entries before it
// depend on FEATURE_* switches, so rather than trust an index we find
// ThreadStore's entry by its address and check the neighbours whose
// addresses we know (FinalizerThread, GCThread, AppDomain, SystemDomain).
#include "layout_i.h"

#include "dump.h"
#include "runtime_i.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define DACTABLE_SCAN 128  /* entries searched for ThreadStore's */
#define GEN_SIZE_MAX  4096 /* bound on sizeof(generation) */

/* dacTable neighbours of g_gcDacGlobals, relative to ThreadStore__s_pThreadStore. */
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
 * one pointer per entry of gcinterface.dacvars.def, in file order (read at
 * main 05ebade; entries are only appended, each batch behind a minor
 * version). Major 2 is the only layout known here: seen as 2.1 on 8.0.34 and
 * 9.0.23, 2.4 on 10.0.12 and 2.9 on 11.0.0, workstation and server, with
 * these offsets of the fields read (64-bit): */
enum {
	GD_GENERATION_SIZE = 0x08,
	GD_TOTAL_GENERATION_COUNT = 0x10,
	GD_GENERATION_TABLE = 0x30,
	GD_MAX_GEN = 0x38,
	GD_EPHEMERAL_HEAP_SEGMENT = 0x50,
	GD_ALLOC_ALLOCATED = 0x78,
	GD_FINALIZE_QUEUE = 0x90,
	GD_N_HEAPS = 0xb0,
	GD_G_HEAPS = 0xb8,
	GD_GC_STRUCTURES_INVALID_CNT = 0xc0,
	GD_HANDLE_TABLE_MAP = 0xe8,
	GD_GC_HEAP_FIELD_OFFSETS = 0xf0,
	GD_GENERATION_FIELD_OFFSETS = 0xf8,
	GD_READ_LEN = 0x100,
};
#define GCDAC_MAJOR 2

/* gc_heap_field_offsets[] indexes: the order of src/coreclr/gc/dac_gcheap_fields.h,
 * then GENERATION_TABLE_FIELD_INDEX (gcinterface.dac.h). -1 = absent. */
enum {
	GH_ALLOC_ALLOCATED = 0,
	GH_EPHEMERAL_HEAP_SEGMENT = 1,
	GH_FINALIZE_QUEUE = 2,
	GH_GENERATION_TABLE = 18,
	GH_COUNT = 19,
};

/* generation_field_offsets[]: src/coreclr/gc/dac_generation_fields.h order. */
enum { GF_ALLOCATION_CONTEXT, GF_START_SEGMENT, GF_ALLOCATION_START, GF_COUNT };

/* dac_heap_segment (gcinterface.dac.h), a prefix of the GC's heap_segment
 * kept stable by the major version: allocated, committed, reserved, used,
 * mem, flags, next, ... The order is checked on every segment (gc.c). */
enum {
	HS_ALLOCATED = 0x00,
	HS_COMMITTED = 0x08,
	HS_RESERVED = 0x10,
	HS_MEM = 0x20,
	HS_FLAGS = 0x28,
	HS_NEXT = 0x30,
};

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* &GcDacVars through g_dacTable; also g_heap_type (1 WKS, 2 SVR). */
static int find_gc_dac_vars(struct lay_res *r, uint64_t *out, uint32_t *heap_type)
{
	struct dump *d = r->rt->d;
	uint64_t ts, want[DT_SYSTEM_DOMAIN + 1] = {0}, ent[DACTABLE_SCAN];
	static const char *const anchors[] = {
		[DT_FINALIZER_THREAD] = "FinalizerThread",
		[DT_SUSPENSION_THREAD] = "GCThread",
		[DT_APP_DOMAIN] = "AppDomain",
		[DT_SYSTEM_DOMAIN] = "SystemDomain",
	};
	size_t i, known = 0;

	if (!r->dactable) {
		lay_fail(r, -ENOTSUP, "libcoreclr exports no g_dacTable");
		return r->err;
	}
	if (dump_read(d, r->dactable, ent, sizeof(ent))) {
		lay_fail(r, -EIO, "the runtime's g_dacTable is unreadable");
		return r->err;
	}
	lay_global(r, &ts, "ThreadStore");
	for (i = 1; i <= DT_SYSTEM_DOMAIN; i++)
		if (anchors[i] && lay_global_opt(r, &want[i], anchors[i]))
			known++;
	if (r->err)
		return r->err;
	if (known < 2) {
		lay_fail(r, -ENOTSUP, "too few runtime variables are known to find g_gcDacGlobals");
		return r->err;
	}
	for (i = 0; i + DT_SYSTEM_DOMAIN < DACTABLE_SCAN && ent[i] != ts; i++)
		;
	if (i + DT_SYSTEM_DOMAIN >= DACTABLE_SCAN) {
		lay_fail(r, -EBADMSG, "g_dacTable does not list ThreadStore::s_pThreadStore");
		return r->err;
	}
	for (size_t k = 1; k <= DT_SYSTEM_DOMAIN; k++) {
		if (want[k] && ent[i + k] != want[k]) {
			lay_fail(r, -EBADMSG,
				 "g_dacTable entry %zu is not the %s variable: unknown dacvars.h order",
				 i + k, anchors[k]);
			return r->err;
		}
	}
	if (dump_read_u32(d, ent[i + DT_HEAP_TYPE], heap_type) ||
	    dump_read_ptr(d, ent[i + DT_GC_DAC_GLOBALS], out) || !*out) {
		lay_fail(r, -EIO, "g_gcDacGlobals (g_dacTable entry %zu) is unreadable or null",
			 i + DT_GC_DAC_GLOBALS);
		return r->err;
	}
	return 0;
}

void lay_gc(struct lay_res *r)
{
	struct rt_layout *l = &r->rt->lay;
	struct rt_lay_gc *gc = &l->gc;
	struct dump *d = r->rt->d;
	uint8_t buf[GD_READ_LEN];
	uint64_t dv;
	uint32_t max_gen;
	int32_t genoff[GF_COUNT], ghoff[GH_COUNT];

	lay_begin(r, RT_LG_GC);
	if (find_gc_dac_vars(r, &dv, &l->g.heap_type))
		goto out;
	l->g.gc_dac_vars = dv;
	if (dump_read(d, dv, buf, sizeof(buf))) {
		lay_fail(r, -EIO, "the GC's GcDacVars are unreadable");
		goto out;
	}
	gc->major = buf[0];
	gc->minor = buf[1];
	if (gc->major != GCDAC_MAJOR) {
		lay_fail(r, -ENOTSUP, "GC DAC interface version %u.%u is not supported (only %u.x)",
			 gc->major, gc->minor, GCDAC_MAJOR);
		goto out;
	}
	gc->gen_size = rd64(buf + GD_GENERATION_SIZE);
	gc->total_gens = rd64(buf + GD_TOTAL_GENERATION_COUNT);
	gc->max_gen = rd64(buf + GD_MAX_GEN);
	gc->invalid_cnt = rd64(buf + GD_GC_STRUCTURES_INVALID_CNT);
	gc->handle_table_map = rd64(buf + GD_HANDLE_TABLE_MAP);
	gc->generation_table = rd64(buf + GD_GENERATION_TABLE);
	gc->ephemeral_seg = rd64(buf + GD_EPHEMERAL_HEAP_SEGMENT);
	gc->alloc_allocated = rd64(buf + GD_ALLOC_ALLOCATED);
	gc->finalize_queue = rd64(buf + GD_FINALIZE_QUEUE);
	gc->n_heaps = rd64(buf + GD_N_HEAPS);
	gc->g_heaps = rd64(buf + GD_G_HEAPS);
	/* gen 3 = LOH and gen 4 = POH since .NET 5 (gcinterface.h total_generation_count). */
	if (gc->total_gens != 5)
		lay_fail(r, -EBADMSG, "GcDacVars: total_generation_count is not 5");
	else if (gc->gen_size < 3 * 8 || gc->gen_size > GEN_SIZE_MAX || gc->gen_size % 8)
		lay_fail(r, -EBADMSG, "GcDacVars: generation_size is implausible");
	else if (dump_read_u32(d, gc->max_gen, &max_gen) || max_gen != 2)
		lay_fail(r, -EBADMSG, "GcDacVars: *max_gen is not 2");
	else if (dump_read(d, rd64(buf + GD_GENERATION_FIELD_OFFSETS), genoff, sizeof(genoff)))
		lay_fail(r, -EIO, "GcDacVars: generation_field_offsets is unreadable");
	if (r->err)
		goto out;
	for (int i = 0; i < GF_COUNT; i++) {
		if (genoff[i] != -1 && (genoff[i] < 0 || (uint64_t)genoff[i] + 16 > gc->gen_size))
			lay_fail(r, -EBADMSG,
				 "GcDacVars: generation_field_offsets points outside a generation");
	}
	if (genoff[GF_ALLOCATION_CONTEXT] < 0 || genoff[GF_START_SEGMENT] < 0)
		lay_fail(r, -EBADMSG, "GcDacVars: a generation has no allocation_context or "
				      "start_segment");
	gc->gen_ctx = genoff[GF_ALLOCATION_CONTEXT];
	gc->gen_start_seg = genoff[GF_START_SEGMENT];
	gc->gen_alloc_start = genoff[GF_ALLOCATION_START];
	/* Server GC publishes n_heaps and g_heaps, and where a gc_heap keeps
	 * its fields; workstation leaves them null. */
	if (!r->err && gc->n_heaps) {
		if (dump_read(d, rd64(buf + GD_GC_HEAP_FIELD_OFFSETS), ghoff, sizeof(ghoff)))
			lay_fail(r, -EIO, "GcDacVars: gc_heap_field_offsets is unreadable");
		else if (ghoff[GH_ALLOC_ALLOCATED] < 0 || ghoff[GH_EPHEMERAL_HEAP_SEGMENT] < 0 ||
			 ghoff[GH_FINALIZE_QUEUE] < 0 || ghoff[GH_GENERATION_TABLE] <= 0)
			lay_fail(r, -EBADMSG,
				 "GcDacVars: gc_heap_field_offsets lacks a field this reader needs");
		gc->heap_alloc_allocated = ghoff[GH_ALLOC_ALLOCATED];
		gc->heap_ephemeral_seg = ghoff[GH_EPHEMERAL_HEAP_SEGMENT];
		gc->heap_finalize_queue = ghoff[GH_FINALIZE_QUEUE];
		gc->heap_gen_table = ghoff[GH_GENERATION_TABLE];
	}
	if (!r->err && (l->g.heap_type == 2) != (gc->n_heaps != 0))
		lay_fail(r, -EBADMSG, "g_heap_type and GcDacVars.n_heaps disagree on server GC");
	gc->seg_allocated = HS_ALLOCATED;
	gc->seg_committed = HS_COMMITTED;
	gc->seg_reserved = HS_RESERVED;
	gc->seg_mem = HS_MEM;
	gc->seg_flags = HS_FLAGS;
	gc->seg_next = HS_NEXT;
	lay_field(r, &gc->ctx_ptr, "GCAllocContext", "Pointer", NULL);
	lay_field(r, &gc->ctx_limit, "GCAllocContext", "Limit", NULL);
out:
	lay_end(r);
}

/* The TableSegment header (handletablepriv.h _TableSegmentHeader, packed):
 * rgGeneration u8[B*4], rgAllocation u8[B], rgFreeMask u32[B*2], rgBlockType
 * u8[B], rgUserData u8[B], rgLocks u8[B], rgTail u8[T], rgHint u8[T],
 * rgFreeCount u32[T], pNextSegment, pHandleTable, flags, bFreeList,
 * bEmptyLine, bCommitLine, ... for B blocks and T handle types. */
void rt_lay_handles_derive(struct rt_lay_handles *h)
{
	uint64_t b = h->blocks, t = h->ntypes;
	uint64_t tail = b * 4 + b + b * 2 * 4 + b * 3;

	h->seg_header = h->seg_size - b * h->per_block * RT_PTR_SIZE;
	h->seg_free_mask = b * 4 + b;
	h->seg_block_type = h->seg_free_mask + b * 2 * 4;
	h->seg_user_data = h->seg_block_type + b;
	h->seg_next = tail + 2 * t + 4 * t;
	h->seg_table = h->seg_next + RT_PTR_SIZE;
	h->seg_empty_line = h->seg_table + RT_PTR_SIZE + 2; /* past flags and bFreeList */
	h->seg_commit_line = h->seg_empty_line + 1;
	h->seg_hdr_len = h->seg_commit_line + 1;
}

void lay_handles(struct lay_res *r)
{
	struct rt_lay_handles *h = &r->rt->lay.handles;
	uint64_t ntypes, extra, v;

	lay_begin(r, RT_LG_HANDLES);
	lay_global(r, &ntypes, "HandleMaxInternalTypes");
	/* Which handle types keep user data (objecthandle.cpp s_rgTypeFlags
	 * HNDF_EXTRAINFO), one bit per type; ours: no descriptor has it. */
	lay_global(r, &extra, "HandleExtraInfoTypes");
	lay_global(r, &h->seg_size, "HandleSegmentSize");
	lay_global(r, &h->per_block, "HandlesPerBlock");
	lay_global(r, &h->blocks, "HandleBlocksPerSegment");
	lay_global(r, &h->map_nbuckets, "InitialHandleTableArraySize");
	lay_field(r, &h->map_buckets, "HandleTableMap", "BucketsPtr", NULL);
	lay_field(r, &h->map_next, "HandleTableMap", "Next", NULL);
	lay_field(r, &h->map_max_index, "HandleTableMap", "MaxIndex", NULL);
	lay_field(r, &h->bucket_tables, "HandleTableBucket", "Table", NULL);
	lay_field(r, &h->bucket_index, "HandleTableBucket", "HandleTableIndex", NULL);
	lay_field(r, &h->table_segs, "HandleTable", "SegmentList", NULL);
	if (r->err)
		goto out;
	if (ntypes < 2 || ntypes > RT_HANDLE_TYPES_MAX || h->seg_size != 0x10000 ||
	    h->per_block != 64 || !h->blocks || h->blocks * h->per_block * RT_PTR_SIZE >= h->seg_size ||
	    !h->map_nbuckets || h->map_nbuckets > 64) {
		lay_fail(r, -EBADMSG, "the handle table constants are implausible");
		goto out;
	}
	h->ntypes = (unsigned)ntypes;
	for (unsigned t = 0; t < h->ntypes; t++)
		h->type_flags[t] = (extra >> t) & 1;
	rt_lay_handles_derive(h);
	/* Where the descriptor publishes parts of the header (11.0), they
	 * must be where the declared arrays put them. */
	struct {
		const char *field;
		uint64_t want;
	} pub[] = {{"NextSegment", h->seg_next},
		   {"RgUserData", h->seg_user_data},
		   {"RgTail", h->seg_next - 6 * ntypes},
		   {"RgAllocation", h->blocks * 4},
		   {"RgValue", h->seg_header}};
	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
		if (!rt_field_offset(r->rt, "TableSegment", pub[i].field, &v) && v != pub[i].want)
			lay_fail(r, -EBADMSG,
				 "TableSegment.%s is at %" PRIu64 ", not at %" PRIu64
				 " where the handle table's declared arrays put it",
				 pub[i].field, v, pub[i].want);
	}
out:
	lay_end(r);
}

void lay_finalizer(struct lay_res *r)
{
	struct rt_lay_finalizer *f = &r->rt->lay.finalizer;
	uint64_t n;

	lay_begin(r, RT_LG_FINALIZER);
	lay_global(r, &n, "CFinalizeFillPointersLength");
	lay_field(r, &f->fill, "CFinalize", "FillPointers", NULL);
	if (!r->err && (n < 7 || n > 16))
		lay_fail(r, -EBADMSG, "CFinalize has an implausible %" PRIu64 " fill pointers", n);
	f->nfill = (unsigned)n;
	/* m_Array and m_EndArray follow m_FillPointers (gcpriv.h CFinalize). */
	f->array = f->fill + n * RT_PTR_SIZE;
	lay_end(r);
}
