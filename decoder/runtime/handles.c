// SPDX-License-Identifier: MIT
// The GC handle table, walked from the map GcDacVars (or the GC's descriptor)
// publishes, with the layout of the layout layer (layout_gc.c lay_handles).
//
//   HandleTableMap { HandleTableBucket **pBuckets; HandleTableMap *pNext; u32
//     dwMaxIndex; }: pBuckets holds InitialHandleTableArraySize (10) entries
//     per node; dwMaxIndex is cumulative (10, 20, ...). Only bucket 0 is used
//     in practice (src/coreclr/gc/objecthandle.h).
//   HandleTableBucket { HandleTable **pTable; u32 HandleTableIndex; }: pTable
//     has one HandleTable per slot: 1 for workstation GC, and for server GC
//     GCToOSInterface::GetTotalProcessorCount() (objecthandle.cpp
//     getNumberOfSlots), which is not n_heaps and is published nowhere in
//     GcDacVars 2.4 (g_totalCpuCount came with interface 2.8, dotnet/runtime
//     #124872). Handles are made in the table of the thread's home heap, so
//     slots past n_heaps are normally empty; we read slots until one does not
//     hold a handle table that passes the checks below.
//   HandleTable { u32 rgTypeFlags[T]; TableSegment *pSegmentList; ... }: T
//     handle types (HandleMaxInternalTypes); rgTypeFlags[t] & HNDF_EXTRAINFO
//     says handles of type t have user data.
//   TableSegment: 64 KiB, 64 KiB aligned, packed: a header of per-block
//     arrays, then the handles (RgValue) in blocks of 64. rgBlockType[b] is
//     the handle type of block b (0xFF: free); blocks of type T-1
//     (HNDTYPE_INTERNAL_DATABLOCK) hold user data: rgUserData[b] names the
//     data block of block b, whose slot i is the user data of handle i
//     (handletablecore.cpp BlockFetchUserDataPointer). Blocks at and past
//     bEmptyLine are unused (src/coreclr/gc/handletablepriv.h).
//
// Checked on every table: rgTypeFlags equals the flags objecthandle.cpp gives
// each type; every segment is 64 KiB aligned and points back at its table;
// bEmptyLine <= bCommitLine <= the blocks; a user-data block is a data block.
// Each handle's object is looked up in the heap index (rt_handle.known).
#include "handles_i.h"

#include "heap_i.h"
#include "heapindex.h"

#include "diag.h"
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define MAP_NODES_MAX  64	   /* bound on the map's pNext chain */
#define SLOTS_MAX      4096	   /* bound on tables per bucket (processors) */
#define TABLE_SEGS_MAX (1u << 16)  /* bound on one table's segments (4 GiB) */
#define BLOCKS_MAX     256	   /* rgBlockType and friends are u8 arrays */
#define PER_BLOCK_MAX  64	   /* a block's handles, as u32[2] free masks say */
#define TYPE_INVALID   0xFFu	   /* rgBlockType of a free block */
#define BLOCK_INVALID  0xFFu	   /* rgUserData of a block without user data */
#define HANDLES_MAX    (1u << 24)  /* bound on handles listed */

static const char *const type_names[RT_HANDLE_TYPES] = {
	[RT_HANDLE_WEAK_SHORT] = "weak-short",
	[RT_HANDLE_WEAK_LONG] = "weak-long",
	[RT_HANDLE_STRONG] = "strong",
	[RT_HANDLE_PINNED] = "pinned",
	[RT_HANDLE_VARIABLE] = "variable",
	[RT_HANDLE_REFCOUNTED] = "refcounted",
	[RT_HANDLE_DEPENDENT] = "dependent",
	[RT_HANDLE_ASYNC_PINNED] = "async-pinned",
	[RT_HANDLE_SIZEDREF] = "sizedref",
	[RT_HANDLE_WEAK_NATIVE_COM] = "weak-native-com",
	[RT_HANDLE_WEAK_INTERIOR_POINTER] = "weak-interior-pointer",
	[RT_HANDLE_CROSS_REFERENCE] = "cross-reference",
};

const char *rt_handle_type_name(unsigned type)
{
	return type < RT_HANDLE_TYPES ? type_names[type] : NULL;
}

struct walk {
	struct dump *d;
	struct diag *diag;
	const struct rt_lay_handles *l;
	struct rt_handle *h;
	size_t n, cap;
	uint64_t free_nonnull; /* slots marked free that hold a value */
	struct seen *seen;     /* segments walked: chains that loop or cross stop */
};

struct seen {
	uint64_t addr;
	UT_hash_handle hh;
};

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static int add(struct walk *w, const struct rt_handle *h)
{
	if (w->n >= HANDLES_MAX)
		return -E2BIG;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 256;
		struct rt_handle *n = realloc(w->h, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		w->h = n;
		w->cap = ncap;
	}
	w->h[w->n++] = *h;
	return 0;
}

/* The handles of one segment's block b (type already checked). */
static int walk_block(struct walk *w, uint64_t seg, const uint8_t *hdr, unsigned b, unsigned type,
		      unsigned slot, int has_extra)
{
	const struct rt_lay_handles *l = w->l;
	uint64_t vals[PER_BLOCK_MAX], extra[PER_BLOCK_MAX] = {0};
	uint32_t mask[2];
	uint64_t block_bytes = l->per_block * RT_PTR_SIZE, base = seg + l->seg_header + b * block_bytes;

	if (dump_read(w->d, base, vals, block_bytes)) {
		diag_add(w->diag, "handle block 0x%016" PRIx64 " is unreadable", base);
		return 0;
	}
	if (has_extra) {
		unsigned u = hdr[l->seg_user_data + b];
		if (u == BLOCK_INVALID || u >= l->blocks ||
		    hdr[l->seg_block_type + u] != l->ntypes - 1) {
			diag_add(w->diag,
				 "handle block 0x%016" PRIx64
				 " (%s) has no valid user-data block; its extra data is not read",
				 base, type_names[type]);
		} else if (dump_read(w->d, seg + l->seg_header + u * block_bytes, extra,
				     block_bytes)) {
			diag_add(w->diag,
				 "the user data of handle block 0x%016" PRIx64 " is unreadable",
				 base);
			memset(extra, 0, sizeof(extra));
		}
	}
	memcpy(mask, hdr + l->seg_free_mask + (size_t)b * 8, sizeof(mask));
	for (unsigned i = 0; i < l->per_block; i++) {
		if (!vals[i])
			continue;
		if (mask[i / 32] >> (i % 32) & 1) {
			w->free_nonnull++; /* a free slot: not a handle */
			continue;
		}
		struct rt_handle h = {
			.addr = base + 8 * (uint64_t)i,
			.object = vals[i],
			.extra = extra[i],
			.type = type,
			.slot = slot,
		};
		int rc = add(w, &h);
		if (rc)
			return rc;
	}
	return 0;
}

/* Reads and checks one segment's header; 0 and *next, or <0 when it fails. */
static int walk_segment(struct walk *w, uint64_t table, uint64_t seg, unsigned slot,
			const uint32_t *flags, uint64_t *next)
{
	const struct rt_lay_handles *l = w->l;
	uint8_t hdr[4096];

	struct seen *e;
	HASH_FIND(hh, w->seen, &seg, sizeof(seg), e);
	if (e) {
		diag_add(w->diag, "handle table segment 0x%016" PRIx64 " is met twice", seg);
		return -EBADMSG;
	}
	if (!(e = malloc(sizeof(*e))))
		return -ENOMEM;
	e->addr = seg;
	HASH_ADD(hh, w->seen, addr, sizeof(e->addr), e);
	if (seg % l->seg_size || dump_read(w->d, seg, hdr, l->seg_hdr_len)) {
		diag_add(w->diag, "handle table segment 0x%016" PRIx64 " is %s", seg,
			 seg % l->seg_size ? "not 64 KiB aligned" : "unreadable");
		return -EIO;
	}
	if (rd64(hdr + l->seg_table) != table) {
		diag_add(w->diag,
			 "handle table segment 0x%016" PRIx64 " points back at 0x%016" PRIx64
			 ", not at its table 0x%016" PRIx64,
			 seg, rd64(hdr + l->seg_table), table);
		return -EBADMSG;
	}
	unsigned empty = hdr[l->seg_empty_line], commit = hdr[l->seg_commit_line];
	if (empty > commit || commit > l->blocks) {
		diag_add(w->diag,
			 "handle table segment 0x%016" PRIx64
			 " has implausible lines (empty %u, commit %u)",
			 seg, empty, commit);
		return -EBADMSG;
	}
	*next = rd64(hdr + l->seg_next);
	for (unsigned b = 0; b < empty; b++) {
		unsigned type = hdr[l->seg_block_type + b];
		if (type == TYPE_INVALID || type == l->ntypes - 1)
			continue; /* free, or user data of another block */
		if (type >= RT_HANDLE_TYPES || type >= l->ntypes - 1) {
			diag_add(w->diag,
				 "handle table segment 0x%016" PRIx64
				 " block %u has unknown type %u; skipped",
				 seg, b, type);
			continue;
		}
		int rc = walk_block(w, seg, hdr, b, type, slot, flags[type] & 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* Checks that table is a HandleTable (its type flags, its first segment's
 * back pointer) and walks its segments. -EBADMSG/-EIO when it is not one. */
static int walk_table(struct walk *w, uint64_t table, unsigned slot)
{
	const struct rt_lay_handles *l = w->l;
	uint32_t flags[RT_HANDLE_TYPES_MAX];
	uint64_t seg;
	unsigned nseg = 0;

	if (dump_read(w->d, table, flags, l->ntypes * 4) ||
	    dump_read_ptr(w->d, table + l->table_segs, &seg))
		return -EIO;
	if (memcmp(flags, l->type_flags, l->ntypes * 4) != 0 || !seg || seg % l->seg_size)
		return -EBADMSG;
	while (seg) {
		uint64_t next;
		if (++nseg > TABLE_SEGS_MAX) {
			diag_add(w->diag,
				 "handle table 0x%016" PRIx64
				 " has more than %u segments; the rest is ignored",
				 table, TABLE_SEGS_MAX);
			break;
		}
		int rc = walk_segment(w, table, seg, slot, flags, &next);
		if (rc == -ENOMEM || rc == -E2BIG || (rc && nseg == 1))
			return rc;
		if (rc)
			break; /* the rest of the chain cannot be trusted */
		seg = next;
	}
	return 0;
}

static int walk_bucket(struct walk *w, uint64_t bucket, uint32_t index, unsigned min_slots)
{
	uint64_t tables, seen[64];
	uint32_t bindex;
	unsigned slot;

	if (dump_read_ptr(w->d, bucket + w->l->bucket_tables, &tables) ||
	    dump_read_u32(w->d, bucket + w->l->bucket_index, &bindex) || !tables) {
		diag_add(w->diag, "handle table bucket 0x%016" PRIx64 " is unreadable", bucket);
		return -EIO;
	}
	if (bindex != index)
		diag_add(w->diag, "handle table bucket %u says it is bucket %u", index, bindex);
	for (slot = 0; slot < SLOTS_MAX; slot++) {
		uint64_t table;
		if (dump_read_ptr(w->d, tables + 8 * (uint64_t)slot, &table) || !table)
			break;
		/* A table met twice is stale memory past the array's end. */
		int dup = 0;
		for (unsigned k = 0; k < slot && k < 64; k++)
			dup |= seen[k] == table;
		if (dup)
			break;
		if (slot < 64)
			seen[slot] = table;
		int rc = walk_table(w, table, slot);
		if (rc == -ENOMEM || rc == -E2BIG)
			return rc;
		if (rc) {
			if (slot == 0) {
				diag_add(w->diag,
					 "handle table 0x%016" PRIx64
					 " fails its checks (type flags or segment back pointer): "
					 "unknown handle table layout",
					 table);
				return -EBADMSG;
			}
			break; /* past the end of the slot array */
		}
	}
	if (slot < min_slots)
		diag_add(w->diag,
			 "handle table bucket %u has %u tables, fewer than the %u GC heaps", index,
			 slot, min_slots);
	return 0;
}

static int handle_cmp(const void *a, const void *b)
{
	const struct rt_handle *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int rt_handles_walk(struct dump *d, uint64_t map, const struct rt_lay_handles *l,
		    unsigned min_slots, struct rt_handle **out, size_t *count)
{
	struct walk w = {.d = d, .diag = dump_diag(d), .l = l};
	uint64_t node, nb = l->map_nbuckets;
	unsigned nodes = 0;
	int rc = 0;

	/* What the walk's buffers hold: type T-1 marks data blocks. */
	if (l->ntypes < 2 || l->ntypes > RT_HANDLE_TYPES_MAX || l->blocks > BLOCKS_MAX ||
	    l->per_block > PER_BLOCK_MAX || l->seg_hdr_len > 4096 || l->seg_header > 4096 ||
	    !l->seg_size)
		return -ENOTSUP;
	if (!map)
		return -EIO;
	for (node = map; node && !rc; nodes++) {
		uint64_t buckets, next;
		uint32_t max_index;
		if (nodes >= MAP_NODES_MAX) {
			diag_add(w.diag,
				 "the handle table map has more than %u nodes; the rest "
				 "is ignored",
				 MAP_NODES_MAX);
			break;
		}
		if (dump_read_ptr(d, node + l->map_buckets, &buckets) ||
		    dump_read_ptr(d, node + l->map_next, &next) ||
		    dump_read_u32(d, node + l->map_max_index, &max_index)) {
			diag_add(w.diag, "the handle table map is unreadable");
			rc = -EIO;
			break;
		}
		if (max_index != nb * (nodes + 1)) {
			diag_add(w.diag, "the handle table map's dwMaxIndex is %u, not %" PRIu64,
				 max_index, nb * (nodes + 1));
			rc = -EBADMSG;
			break;
		}
		for (unsigned i = 0; buckets && i < nb && !rc; i++) {
			uint64_t bucket;
			if (dump_read_ptr(d, buckets + 8 * (uint64_t)i, &bucket)) {
				rc = -EIO;
				diag_add(w.diag, "the handle table map's buckets are unreadable");
			} else if (bucket) {
				rc = walk_bucket(&w, bucket, (uint32_t)(nodes * nb + i), min_slots);
			}
		}
		node = next;
	}
	if (rc == -E2BIG) {
		diag_add(w.diag, "the handle table holds more than %u handles; the rest is ignored",
			 HANDLES_MAX);
		rc = 0;
	}
	struct seen *e, *tmp;
	HASH_ITER(hh, w.seen, e, tmp)
	{
		HASH_DEL(w.seen, e);
		free(e);
	}
	if (rc) {
		free(w.h);
		return rc;
	}
	if (w.free_nonnull)
		diag_add(w.diag, "%" PRIu64 " handle slots marked free hold a value; not listed",
			 w.free_nonnull);
	/* No handles leaves w.h NULL, which qsort() must not get even for zero
	 * elements (UBSan under fuzz_handles: a table of empty segments). */
	if (w.n)
		qsort(w.h, w.n, sizeof(*w.h), handle_cmp);
	*out = w.h;
	*count = w.n;
	return 0;
}

static int build(struct rt *rt, struct rt_handle **out, size_t *count)
{
	const struct rt_gc *gc;
	struct rt_heap_index *ix;
	struct rt_handle *h;
	size_t n;
	uint64_t unknown = 0;
	int rc = rt_layout_err(rt, RT_LG_HANDLES);

	rc = rc ? rc : rt_gc_load(rt, &gc);
	if (rc)
		return rc;
	rc = rt_handles_walk(rt->d, rt->lay.gc.handle_table_map, &rt->lay.handles,
			     gc->info.server ? gc->info.heap_count : 1, &h, &n);
	if (rc)
		return rc;
	if ((rc = rt_heap_index(rt, &ix))) {
		free(h);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		h[i].known = rt_heap_index_has(rt, ix, h[i].object) &&
			     (h[i].type != RT_HANDLE_DEPENDENT || !h[i].extra ||
			      rt_heap_index_has(rt, ix, h[i].extra));
		unknown += !h[i].known;
	}
	if (unknown)
		diag_add(dump_diag(rt->d),
			 "%" PRIu64 " handles hold an object the heap walk did not find", unknown);
	*out = h;
	*count = n;
	return 0;
}

static int handles_build(struct rt *rt)
{
	return build(rt, &rt->handles, &rt->nhandles);
}

int rt_handles(struct rt *rt, const struct rt_handle **out, size_t *count)
{
	int rc = rt_once(rt, &rt->handles_once, handles_build);

	if (!rc) {
		*out = rt->handles;
		*count = rt->nhandles;
	}
	return rc;
}
