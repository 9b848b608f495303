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

/* The RangeSection holding ip, through the RangeSectionMap (ExecutionManager.md). */
static int range_section(struct rt *rt, uint64_t ip, uint64_t *rs)
{
	const struct rt_lay_codemap *l = &rt->lay.codemap;
	uint64_t entry;
	int rc = 0;

	*rs = 0;
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
		if (!rc && ip >= b && ip < e)
			return dump_read_ptr(rt->d, f + l->frag_section, rs) ? -EIO
			       : *rs			       ? 0
								       : -ENOENT;
		rc = rc ? rc : dump_read_ptr(rt->d, f + l->frag_next, &entry);
	}
	return rc ? rc : -ENOENT;
}

/* Jitted code (EEJitManager): the nibble map gives the method's start, the
 * word before it the RealCodeHeader; its RUNTIME_FUNCTIONs (the body, then
 * its funclets) lie inline at UnwindInfos, their RVAs relative to the range
 * section's start (jitinterface.cpp CEEJitInfo::allocUnwindInfo). */
static int jitted_code(struct rt *rt, uint64_t rs, uint64_t ip, struct rt_code *c)
{
	const struct rt_lay_codemap *l = &rt->lay.codemap;
	const struct rt_lay_stack *s = &rt->lay.stack;
	uint64_t heap, map_base, header_map, start, header;
	uint32_t n, begin, end;
	int rc = dump_read_ptr(rt->d, rs + l->rs_heap, &heap);

	if (!rc && !heap)
		return -ENOENT; /* a stub range */
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
	rc = rc ? rc : dump_read_ptr(rt->d, header + l->header_md, &c->md);
	if (rc)
		return rc;
	c->start = start;
	if (rt_layout_err(rt, RT_LG_STACK))
		return 0; /* named; not unwound */
	rc = dump_read_ptr(rt->d, rs + s->rs_begin, &c->base);
	rc = rc ? rc : dump_read_u32(rt->d, header + s->rch_nunwind, &n);
	/* The body, then its funclets, in code order: the last that begins at
	 * or before ip (and ends after it, where the entries say: arm64's do
	 * not, their length is in the unwind data). */
	for (uint32_t i = 0; !rc && i < n && i < 4096; i++) {
		uint64_t f = header + s->rch_unwind + i * s->rtf_size;
		rc = dump_read_u32(rt->d, f + s->rtf_begin, &begin);
		end = 0;
		if (!rc && s->rtf_has_end)
			rc = dump_read_u32(rt->d, f + s->rtf_end, &end);
		if (!rc && ip >= c->base + begin && (!s->rtf_has_end || ip < c->base + end))
			c->rtf = f;
	}
	return rc;
}

/* The MethodDesc of a ReadyToRun method's entry point: ReadyToRunInfo's
 * EntryPointToMethodDescMap, a PtrHashMap (hash.h, hash.cpp HashMap): the
 * buckets' first slot holds their count; a key is the entry point (0 and 1
 * moved by 100), probed from seed key >> 2 by 1 + ((key >> 5) + 1) % (n - 1),
 * until a bucket without the collision bit (the top bit of its first value);
 * a value is the MethodDesc >> 1 under the value mask. Filled as methods are
 * prepared: a method never called has none. */
static int r2r_entry_md(struct rt *rt, uint64_t map, uint64_t key, uint64_t *md)
{
	const struct rt_lay_stack *s = &rt->lay.stack;
	uint64_t raw, size64;
	int rc = dump_read_ptr(rt->d, map + s->map_buckets, &raw);

	rc = rc ? rc : dump_read_ptr(rt->d, raw, &size64);
	if (rc)
		return rc;
	uint32_t size = (uint32_t)size64;
	if (size < 2 || size > (1u << 22))
		return -EBADMSG;
	if (key <= 1)
		key += 100;
	uint32_t seed = (uint32_t)(key >> 2), incr = 1 + ((uint32_t)(key >> 5) + 1) % (size - 1);
	for (uint32_t t = 0; t < size; t++, seed += incr) {
		uint64_t b = raw + s->bucket_size * (1 + seed % size), k, v, v0 = 0;
		for (uint64_t i = 0; i < s->bucket_slots; i++) {
			rc = dump_read_ptr(rt->d, b + s->bucket_keys + 8 * i, &k);
			rc = rc ? rc : dump_read_ptr(rt->d, b + s->bucket_values + 8 * i, &v);
			if (rc)
				return rc;
			if (i == 0)
				v0 = v;
			if (k == key) {
				*md = (v & s->value_mask) << 1;
				return *md ? 0 : -ENOENT;
			}
		}
		if (!(v0 & ~s->value_mask))
			break;
	}
	return -ENOENT;
}

/* ReadyToRun code (ReadyToRunJitManager): the image's RUNTIME_FUNCTIONs,
 * sorted by BeginAddress, relative to the range section's start (the image
 * base); the one covering ip is the last that begins at or before it. A
 * funclet or cold part has no entry point of its own: the method is that of
 * the nearest entry before it that the map knows (after the hot/cold map for
 * a cold part). */
static int r2r_code(struct rt *rt, uint64_t rs, uint64_t module, uint64_t ip, struct rt_code *c)
{
	const struct rt_lay_stack *s = &rt->lay.stack;
	uint64_t info, composite, rtf, delay;
	uint32_t n, begin, lo = 0, hi, nhc, dva = 0, dsize = 0;
	int rc = rt_layout_err(rt, RT_LG_STACK);

	rc = rc ? rc : dump_read_ptr(rt->d, rs + s->rs_begin, &c->base);
	rc = rc ? rc : dump_read_ptr(rt->d, module + s->mod_r2r, &info);
	rc = rc ? rc : dump_read_ptr(rt->d, info + s->r2r_composite, &composite);
	rc = rc ? rc : dump_read_ptr(rt->d, info + s->r2r_rtf, &rtf);
	rc = rc ? rc : dump_read_u32(rt->d, info + s->r2r_nrtf, &n);
	rc = rc ? rc : dump_read_u32(rt->d, info + s->r2r_nhotcold, &nhc);
	rc = rc ? rc : dump_read_ptr(rt->d, info + s->r2r_delay, &delay);
	if (rc)
		return rc;
	/* The delay-load method call thunks are code of the image, no method's. */
	if (delay && (dump_read_u32(rt->d, delay, &dva) || dump_read_u32(rt->d, delay + 4, &dsize)))
		return -EIO;
	if (delay && ip - c->base >= dva && ip - c->base < (uint64_t)dva + dsize)
		return -ENOENT;
	if (!n || n > (1u << 24) || !composite)
		return -ENOENT;
	uint64_t rel = ip - c->base;
	hi = n - 1;
	while (lo < hi) { /* the last entry beginning at or before rel */
		uint32_t mid = lo + (hi - lo + 1) / 2;
		rc = dump_read_u32(rt->d, rtf + (uint64_t)mid * s->rtf_size + s->rtf_begin, &begin);
		if (rc)
			return rc;
		if (rel < begin)
			hi = mid - 1;
		else
			lo = mid;
	}
	rc = dump_read_u32(rt->d, rtf + (uint64_t)lo * s->rtf_size + s->rtf_begin, &begin);
	if (rc || rel < begin)
		return rc ? rc : -ENOENT;
	c->rtf = rtf + (uint64_t)lo * s->rtf_size;
	c->r2r = true;
	uint32_t idx = lo;
	if (nhc >= 2 && nhc < (1u << 24)) {
		uint64_t hc;
		uint32_t first_cold, cold = 0, hot = 0;
		rc = dump_read_ptr(rt->d, info + s->r2r_hotcold, &hc);
		rc = rc ? rc : dump_read_u32(rt->d, hc, &first_cold);
		if (rc)
			return rc;
		if (idx >= first_cold) {
			/* Pairs [cold index, hot index], by cold index. */
			for (uint32_t k = 0; !rc && k + 1 < nhc; k += 2) {
				rc = dump_read_u32(rt->d, hc + 4ull * k, &cold);
				if (!rc && cold <= idx)
					rc = dump_read_u32(rt->d, hc + 4ull * k + 4, &hot);
				else
					break;
			}
			if (rc)
				return rc;
			idx = hot;
		}
	}
	uint64_t map = composite + s->r2r_map;
	for (uint32_t tries = 0; tries < 64; tries++, idx--) {
		rc = dump_read_u32(rt->d, rtf + (uint64_t)idx * s->rtf_size + s->rtf_begin, &begin);
		if (rc)
			return rc;
		rc = r2r_entry_md(rt, map, c->base + begin, &c->md);
		if (rc != -ENOENT || idx == 0) {
			c->start = c->base + begin;
			if (rc == -ENOENT)
				c->md = 0;
			return rc == -ENOENT ? 0 : rc;
		}
	}
	/* No entry point known near: the code is the image's, its method unnamed. */
	c->md = 0;
	c->start = 0;
	return 0;
}

int rt_code_find(struct rt *rt, uint64_t ip, struct rt_code *c)
{
	const struct rt_lay_codemap *l = &rt->lay.codemap;
	uint64_t rs, r2r;
	int rc = rt_layout_err(rt, RT_LG_CODEMAP);

	*c = (struct rt_code){0};
	if (rc)
		return rc;
	if (!ip)
		return -ENOENT;
	rc = range_section(rt, ip, &rs);
	rc = rc ? rc : dump_read_ptr(rt->d, rs + l->rs_r2r, &r2r);
	if (rc)
		return rc;
	return r2r ? r2r_code(rt, rs, r2r, ip, c) : jitted_code(rt, rs, ip, c);
}

int rt_code_method_desc(struct rt *rt, uint64_t ip, uint64_t *md)
{
	struct rt_code c;
	int rc;

	if (!ip)
		return -ENOENT;
	rc = precode_method(rt, ip, md);
	if (rc == -ENOENT || rc == -EIO || rc == -ENOTSUP) {
		rc = rt_code_find(rt, ip, &c);
		*md = c.md;
	}
	if (!rc && !*md)
		rc = -ENOENT;
	return rc;
}

/* A dynamic method (an IL stub, a DynamicMethod: method.hpp mcDynamic, the
 * low 3 bits of MethodDesc.Flags equal to 7) has no MethodDef: its name is
 * the DynamicMethodDesc's m_pszMethodName (UTF-8), its type the chunk's
 * (ILStubClass, a type without metadata for stubs). -ENOENT when md is none. */
#define MD_CLASSIFICATION 0x7
#define MC_DYNAMIC	  0x7
#define DYN_NAME_MAX	  1024
static int dynamic_name(struct rt *rt, uint64_t md, uint64_t mt, struct strbuf *out)
{
	const struct rt_lay_method *l = &rt->lay.method;
	uint16_t flags;
	uint64_t p;
	char name[DYN_NAME_MAX];
	const char *type;

	if (!l->dyn_name || dump_read(rt->d, md + l->md_flags, &flags, 2) ||
	    (flags & MD_CLASSIFICATION) != MC_DYNAMIC)
		return -ENOENT;
	if (dump_read_ptr(rt->d, md + l->dyn_name, &p) || !p)
		return -EIO;
	size_t n = 0;
	for (; n < sizeof(name); n++)
		if (dump_read(rt->d, p + n, &name[n], 1))
			return -EIO;
		else if (!name[n])
			break;
	if (n == sizeof(name) || !n)
		return -EBADMSG;
	if (rt_type_name(rt, mt, &type) == 0 && *type) {
		strbuf_puts(out, type);
	} else {
		strbuf_puts(out, "(dynamicClass)");
	}
	strbuf_puts(out, ".");
	name_put(out, name, n);
	return 0;
}

/* A generic method's type arguments, `<T1,T2>` after its name: those of its
 * InstantiatedMethodDesc (method.hpp mcInstantiated, classification 5),
 * whose dictionary starts with them: the exact types for unshared code,
 * System.__Canon where the code is shared between reference types (the
 * frame's own arguments are then in its generic context, not read here).
 * Nothing for other methods; -EIO, -EBADMSG for one that does not read. */
#define MC_INSTANTIATED 0x5
#define METHOD_ARGS_MAX 64
static int method_args(struct rt *rt, uint64_t md, struct strbuf *out)
{
	const struct rt_lay_method *l = &rt->lay.method;
	uint16_t flags, nargs;
	uint64_t dict, th;
	const char *name;

	if (!l->imd_dict || dump_read(rt->d, md + l->md_flags, &flags, 2) ||
	    (flags & MD_CLASSIFICATION) != MC_INSTANTIATED)
		return 0;
	if (dump_read(rt->d, md + l->imd_nargs, &nargs, 2) ||
	    dump_read_ptr(rt->d, md + l->imd_dict, &dict))
		return -EIO;
	if (!nargs)
		return 0;
	if (nargs > METHOD_ARGS_MAX || !dict)
		return -EBADMSG;
	strbuf_puts(out, "<");
	for (uint16_t i = 0; i < nargs; i++) {
		if (dump_read_ptr(rt->d, dict + (uint64_t)i * RT_PTR_SIZE, &th))
			return -EIO;
		if (rt_type_name(rt, th, &name))
			return -EBADMSG;
		strbuf_printf(out, "%s%s", i ? "," : "", name);
	}
	strbuf_puts(out, ">");
	return 0;
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
	if (!rc && dynamic_name(rt, md, mt, out) == 0)
		return 0;
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
	size_t at = out->len;
	strbuf_puts(out, type);
	strbuf_puts(out, ".");
	name_put(out, name, strlen(name));
	if ((rc = method_args(rt, md, out)))
		strbuf_truncate(out, at);
	return rc;
}
