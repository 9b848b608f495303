// SPDX-License-Identifier: MIT
// Code address -> MethodDesc -> "Namespace.Type.Method", as the contracts of
// dotnet/runtime docs/design/datacontracts describe them (read at release/10.0),
// with the layouts of each runtime line from the layout layer (layout.h):
// - PrecodeStubs: a precode's code bytes equal the FixupPrecode or StubPrecode
//   template where its ignore mask is zero; its data lies one page further:
//   FixupPrecodeData.MethodDesc, or for a stub whose StubPrecodeData.Type is a
//   method's StubPrecode, StubPrecodeData.SecretParam.
// - ExecutionManager: RangeSectionMap (5 levels of 256 entries on 64-bit, bits
//   56-17 of the address, the top level inline) -> RangeSectionFragment list ->
//   RangeSection -> CodeHeapListNode, whose nibble map gives the start of the
//   method; the pointer before the start is the RealCodeHeader, unless it is at
//   most StubCodeBlockLast (a stub block).
// - RuntimeTypeSystem: a MethodDesc's chunk is md - ChunkIndex x MethodDescAlignment
//   - sizeof(MethodDescChunk); the MethodDef token is the chunk's token range
//   (low 12 bits of FlagsAndTokenRange) above the MethodDesc's remainder (low
//   MethodDescTokenRemainderBitCount bits of Flags3AndTokenRemainder).
// Everything read is checked (the method's token must belong to the chunk's type).
#include "methods.h"

#include "dump.h"
#include "meta.h"
#include "runtime_i.h"
#include "names.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <string.h>

#define RANGE_LEVELS	  5
#define FRAGMENTS_MAX	  4096
#define NIBBLE_BUCKET	  32
#define NIBBLES_PER_UNIT  8
#define UNIT_BYTES	  4
#define LINEAR_UNITS_MAX  (1u << 20) /* bound on a linear map's backward scan (256 MiB) */

/* Whether the code at ip matches a precode template (layout.h). */
static int precode_match(struct rt *rt, const uint8_t *tmpl, const uint8_t *ign, uint8_t len,
			 uint64_t ip, int *match)
{
	uint8_t code[RT_PRECODE_BYTES_MAX];
	int rc = dump_read(rt->d, ip, code, len);

	if (rc)
		return rc;
	*match = 1;
	for (unsigned i = 0; i < len; i++)
		if (!ign[i] && code[i] != tmpl[i])
			*match = 0;
	return 0;
}

static int precode_method(struct rt *rt, uint64_t ip, uint64_t *md)
{
	const struct rt_lay_precode *l = &rt->lay.precode;
	uint8_t type;
	int match = 0;
	int rc = rt_layout_err(rt, RT_LG_PRECODE);

	rc = rc ? rc : precode_match(rt, l->fixup, l->fixup_ign, l->fixup_len, ip, &match);
	if (rc)
		return rc;
	if (match)
		return dump_read_ptr(rt->d, ip + l->page + l->fixup_md, md);
	rc = precode_match(rt, l->stub, l->stub_ign, l->stub_len, ip, &match);
	rc = rc ? rc : match ? 0 : -ENOENT;
	rc = rc ? rc : dump_read(rt->d, ip + l->page + l->stub_type_data, &type, 1);
	if (!rc && type != l->stub_type)
		rc = -ENOENT; /* a P/Invoke or other stub: no managed method */
	return rc ? rc : dump_read_ptr(rt->d, ip + l->page + l->stub_secret, md);
}

/* The start of the code block holding ip, or 0, from the code heap's nibble
 * map: one nibble per 32-byte bucket, 8 to a u32 unit, the first in the top
 * bits; 1..8 name the bucket's method start ((offset / 4) + 1), 0 none.
 * NibbleMapLinearLookup (8.0, 9.0) scans back to the nearest start;
 * NibbleMapConstantLookup (10.0+) keeps a start in ip's unit or the one
 * before, or makes the unit a pointer: its low nibble 9..15, the method's
 * offset in the top 28 bits plus (value - 9) << 2 (ExecutionManager.md). */
static int nibble_find(struct rt *rt, bool linear, uint64_t map_base, uint64_t header_map,
		       uint64_t ip, uint64_t *start)
{
	uint64_t rel = ip - map_base, idx = rel / NIBBLE_BUCKET, unit_idx = idx / NIBBLES_PER_UNIT;
	uint32_t unit, pos = idx % NIBBLES_PER_UNIT, want = (uint32_t)(rel % NIBBLE_BUCKET) / 4 + 1;
	uint32_t rounds = linear ? LINEAR_UNITS_MAX : 2;
	int rc = dump_read_u32(rt->d, header_map + unit_idx * UNIT_BYTES, &unit);

	*start = 0;
	for (uint32_t round = 0; !rc && round < rounds; round++) {
		if (!linear && (unit & 0xf) > 8) {
			*start = map_base + (unit & ~0xfu) + (((unit & 0xf) - 9) << 2);
			return 0;
		}
		for (int p = (int)pos; p >= 0; p--) {
			uint32_t nib = unit >> (28 - 4 * p) & 0xf;
			if (nib > 8)
				return -EBADMSG; /* no pointer units in the linear format */
			if (nib && (round || p < (int)pos || nib <= want)) {
				*start = map_base + (unit_idx * NIBBLES_PER_UNIT + (uint64_t)p) *
							    NIBBLE_BUCKET +
					 (nib - 1) * 4;
				return 0;
			}
		}
		if (!unit_idx)
			return 0;
		unit_idx--;
		pos = NIBBLES_PER_UNIT - 1;
		rc = dump_read_u32(rt->d, header_map + unit_idx * UNIT_BYTES, &unit);
	}
	return rc;
}

static int jitted_method(struct rt *rt, uint64_t ip, uint64_t *md)
{
	const struct rt_lay_codemap *l = &rt->lay.codemap;
	uint64_t entry, rs = 0, r2r, heap, map_base, header_map, start, header;
	int rc = rt_layout_err(rt, RT_LG_CODEMAP);

	if (rc)
		return rc;
	/* The top level is the table inline at TopLevelData (ExecutionManager.md
	 * RangeSectionMap; codeman.h RangeSectionMap::_topLevelData); each of it
	 * and the three levels below names the next table (a low bit marks a
	 * collectible entry), and the last level's entry names the fragments.
	 * Until 2026-12 this read *TopLevelData as the top table, one level
	 * too deep, and no jitted code resolved (found on 11.0.0 and 10.0.12). */
	entry = l->map + l->top + ((ip >> (17 + 8 * (RANGE_LEVELS - 1))) & 0xff) * 8;
	for (int level = RANGE_LEVELS - 1; !rc && level >= 1; level--) {
		unsigned shift = 17 + 8 * (unsigned)(level - 1);
		rc = dump_read_ptr(rt->d, entry, &entry);
		if (!rc && !(entry & ~1ull))
			return -ENOENT;
		entry = (entry & ~1ull) + ((ip >> shift) & 0xff) * 8;
	}
	rc = rc ? rc : dump_read_ptr(rt->d, entry, &entry); /* the first fragment */
	for (unsigned i = 0; !rc && (entry & ~1ull) && i < FRAGMENTS_MAX; i++) {
		uint64_t f = entry & ~1ull, b, e;
		rc = dump_read_ptr(rt->d, f + l->frag_begin, &b);
		rc = rc ? rc : dump_read_ptr(rt->d, f + l->frag_end, &e);
		if (!rc && ip >= b && ip < e) {
			rc = dump_read_ptr(rt->d, f + l->frag_section, &rs);
			break;
		}
		rc = rc ? rc : dump_read_ptr(rt->d, f + l->frag_next, &entry);
	}
	if (rc || !rs)
		return rc ? rc : -ENOENT;
	rc = dump_read_ptr(rt->d, rs + l->rs_r2r, &r2r);
	rc = rc ? rc : dump_read_ptr(rt->d, rs + l->rs_heap, &heap);
	if (!rc && (r2r || !heap))
		rc = -ENOENT; /* ReadyToRun code, or a stub range: not read here */
	rc = rc ? rc : dump_read_ptr(rt->d, heap + l->heap_base, &map_base);
	rc = rc ? rc : dump_read_ptr(rt->d, heap + l->heap_map, &header_map);
	if (!rc && ip < map_base)
		rc = -EBADMSG;
	rc = rc ? rc : nibble_find(rt, l->nibble_linear, map_base, header_map, ip, &start);
	if (!rc && start < map_base + 8)
		rc = -ENOENT;
	rc = rc ? rc : dump_read_ptr(rt->d, start - 8, &header);
	if (!rc && header <= l->stub_last)
		rc = -ENOENT; /* a stub code block */
	return rc ? rc : dump_read_ptr(rt->d, header + l->header_md, md);
}

int rt_code_method_desc(struct rt *rt, uint64_t ip, uint64_t *md)
{
	int rc;

	if (!ip)
		return -ENOENT;
	rc = precode_method(rt, ip, md);
	if (rc == -ENOENT || rc == -EIO || rc == -ENOTSUP)
		rc = jitted_method(rt, ip, md);
	if (!rc && !*md)
		rc = -ENOENT;
	return rc;
}

int rt_method_desc_name(struct rt *rt, uint64_t md, struct strbuf *out)
{
	const struct rt_lay_method *l = &rt->lay.method;
	uint64_t mt, module;
	uint8_t idx;
	uint16_t flags3, range;
	uint32_t rid, owner, token;
	const char *type, *name;
	const struct meta *m;
	int rc = rt_layout_err(rt, RT_LG_METHOD);

	rc = rc ? rc : rt_layout_err(rt, RT_LG_MT);
	if (rc)
		return rc;
	rc = dump_read(rt->d, md + l->md_index, &idx, 1);
	rc = rc ? rc : dump_read(rt->d, md + l->md_flags3, &flags3, 2);
	uint64_t chunk = md - idx * l->align - l->chunk_size;
	rc = rc ? rc : dump_read_ptr(rt->d, chunk + l->chunk_mt, &mt);
	rc = rc ? rc : dump_read(rt->d, chunk + l->chunk_range, &range, 2);
	rc = rc ? rc : dump_read_ptr(rt->d, mt + rt->lay.mt.module, &module);
	rc = rc ? rc : rt_type_name(rt, mt, &type);
	rc = rc ? rc : rt_module_meta(rt, module, &m);
	if (rc)
		return rc == -ENOTSUP ? -EBADMSG : rc;
	uint32_t bits = (uint32_t)l->token_bits;
	uint32_t rmask = (1u << bits) - 1, hi_mask = (1u << (24 - bits)) - 1;
	rid = ((uint32_t)(range & hi_mask) << bits) | (flags3 & rmask);
	rc = meta_method_name(m, rid, &name);
	rc = rc ? rc : meta_method_owner(m, rid, &owner);
	if (rc)
		return -EBADMSG;
	/* The MethodDef must be declared by the chunk's type (or its canonical
	 * definition). */
	rc = dump_read_u32(rt->d, mt + rt->lay.mt.token, &token);
	if (rc)
		return rc;
	if (rt_lay_rid(&rt->lay.mt, token) != owner)
		return -EBADMSG;
	strbuf_puts(out, type);
	strbuf_puts(out, ".");
	name_put(out, name, strlen(name));
	return 0;
}
