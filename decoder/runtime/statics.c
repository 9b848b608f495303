// SPDX-License-Identifier: MIT
// Static fields: where a type's statics live, by runtime line (layout.h
// struct rt_lay_statics), then a field's value at base + its FieldDesc offset:
// references and structs in the GC statics, primitives (enums too) in the
// non-GC statics. A struct static's slot holds a reference to a boxed
// instance (methodtable.cpp AllocateRegularStaticBoxes).
//
// 9.0+ (dotnet/runtime docs/design/datacontracts/RuntimeTypeSystem.md,
// "statics"; src/coreclr/vm/methodtable.h DynamicStaticsInfo): a MethodTable
// whose MTFlags2 has DynamicStatics keeps a DynamicStaticsInfo just before its
// MethodTableAuxiliaryData, holding the two bases; the low bit of each marks
// "class not initialized" and StaticsPointerMask clears it. Checked on 9.0.23
// and 10.0.12 dumps against ClrMD (docs/runtime-10.0.md).
//
// 8.0 (src/coreclr/vm/appdomain.hpp DomainLocalModule, as the 8.0-era fork
// EgorBo/runtime-1 bcd04cd4 has it): each module's DomainLocalModule is
// Module.m_ModuleID. A type whose m_dwFlags has no statics kind keeps its
// non-GC statics in the DomainLocalModule itself (FieldDesc offsets count from
// its start) and its GC statics at DomainLocalModule.m_pGCStatics; a generic
// instantiation (kind 4) keeps them in entry m_DynamicTypeID of
// m_pDynamicClassTable: non-GC at the NormalDynamicEntry itself, GC at its
// first pointer. The id is in the type's GenericsStaticsInfo, the first of
// the MethodTable's optional members (methodtable.inl GetOffsetOfOptionalMember,
// methodtable.cpp c_OptionalMembersStartOffsets). Checked against ClrMD on
// every initialized static of the 8.0.34 fixtures (generic ones, which ClrMD
// cannot read on 8.0, against the fixture's manifest).
#include "statics.h"

#include "dump.h"
#include "fields.h"
#include "meta.h"
#include "runtime_i.h"

#include <errno.h>

#define STATICS_KIND_MASK     0x6u /* m_dwFlags enum_flag_StaticsMask (8.0) */
#define STATICS_KIND_GENERICS 0x4u /* enum_flag_StaticsMask_Generics */
#define MULTIPURPOSE_MASK     0x1fu /* m_wFlags2 flags that take a multipurpose slot */
#define DCI_COLLECTIBLE	      0x8u /* DynamicClassInfo ClassInitFlags::COLLECTIBLE_FLAG */

static int dsi_bases(struct rt *rt, uint64_t mt, uint64_t *gc, uint64_t *nongc)
{
	const struct rt_lay_statics *l = &rt->lay.statics;
	uint64_t aux, g, n;
	uint32_t flags2;
	int rc = dump_read_u32(rt->d, mt + rt->lay.mt.flags2, &flags2);

	if (rc)
		return rc;
	if (!(flags2 & l->dynamic_flag))
		return -ENODATA; /* no statics allocated for this type */
	rc = dump_read_ptr(rt->d, mt + l->mt_aux, &aux);
	if (!rc && (!aux || aux < l->dsi_size))
		rc = -EBADMSG;
	rc = rc ? rc : dump_read_ptr(rt->d, aux - l->dsi_size + l->dsi_gc, &g);
	rc = rc ? rc : dump_read_ptr(rt->d, aux - l->dsi_size + l->dsi_nongc, &n);
	if (!rc) {
		*gc = g & l->mask;
		*nongc = n & l->mask;
	}
	return rc;
}

/* 8.0: the offset of a MethodTable's first optional member: past the
 * multipurpose slots its m_wFlags2 asks for (the first two inside the
 * MethodTable, at PerInstInfo and InterfaceMap, the rest after it) and past
 * the vtable's indirection chunks of 8 slots. */
static int first_optional_member(struct rt *rt, uint64_t mt, uint64_t *off)
{
	const struct rt_lay_mt *m = &rt->lay.mt;
	uint16_t flags2, nvirt;
	int rc = dump_read(rt->d, mt + m->flags2, &flags2, 2);

	rc = rc ? rc : dump_read(rt->d, mt + rt->lay.statics.mt_num_virtuals, &nvirt, 2);
	if (rc)
		return rc;
	unsigned mask = flags2 & MULTIPURPOSE_MASK, n = (unsigned)__builtin_popcount(mask);
	/* One slot, for HasInterfaceMap alone, goes in the first place. */
	unsigned index = ((mask & 3) == 2 && n == 1) ? 0 : n;
	uint64_t end = index == 0   ? m->per_inst
		       : index == 1 ? rt->lay.statics.mt_interface_map
				    : m->size + RT_PTR_SIZE * (index - 2);
	if (end < m->size)
		end = m->size;
	*off = end + RT_PTR_SIZE * ((nvirt + 7u) / 8u);
	return 0;
}

static int dlm_bases(struct rt *rt, uint64_t mt, uint64_t *gc, uint64_t *nongc)
{
	const struct rt_lay_statics *l = &rt->lay.statics;
	uint64_t module, dlm, opt, table, nentries, entry;
	int64_t id;
	uint32_t flags, dflags;
	int rc = dump_read_u32(rt->d, mt + rt->lay.mt.flags, &flags);

	rc = rc ? rc : dump_read_ptr(rt->d, mt + rt->lay.mt.module, &module);
	rc = rc ? rc : dump_read_ptr(rt->d, module + l->mod_dlm, &dlm);
	if (!rc && !dlm)
		rc = -ENODATA;
	if (rc)
		return rc;
	unsigned kind = flags & RT_MTF_HAS_COMPONENT_SIZE ? 0 : flags & STATICS_KIND_MASK;
	if (kind == 0) {
		*nongc = dlm;
		return dump_read_ptr(rt->d, dlm + l->dlm_gc, gc);
	}
	if (kind != STATICS_KIND_GENERICS)
		return -ENOTSUP; /* Reflection.Emit and cross-module generics */
	rc = first_optional_member(rt, mt, &opt);
	rc = rc ? rc : dump_read_u64(rt->d, mt + opt + l->gsi_id, (uint64_t *)&id);
	rc = rc ? rc : dump_read_ptr(rt->d, dlm + l->dlm_table, &table);
	rc = rc ? rc : dump_read_ptr(rt->d, dlm + l->dlm_entries, &nentries);
	if (rc)
		return rc;
	if (id < 0 || !table || (uint64_t)id >= nentries)
		return -ENODATA; /* an open or shared type, or statics not made yet */
	rc = dump_read_ptr(rt->d, table + (uint64_t)id * l->dci_size, &entry);
	rc = rc ? rc : dump_read_u32(rt->d, table + (uint64_t)id * l->dci_size + l->dci_flags, &dflags);
	if (rc)
		return rc;
	if (!entry)
		return -ENODATA;
	if (dflags & DCI_COLLECTIBLE)
		return -ENOTSUP; /* statics behind loader handles */
	*nongc = entry;
	return dump_read_ptr(rt->d, entry, gc);
}

static int statics_bases(struct rt *rt, uint64_t mt, uint64_t *gc, uint64_t *nongc)
{
	int rc = rt_layout_err(rt, RT_LG_STATICS);

	rc = rc ? rc : rt_layout_err(rt, RT_LG_MT);
	if (rc)
		return rc;
	return rt->lay.statics.dlm ? dlm_bases(rt, mt, gc, nongc)
				   : dsi_bases(rt, mt, gc, nongc);
}

/* References and structs (boxed) are GC statics; primitives (enums too) and
 * pointers are not. */
static bool is_gc_static(const struct rt_field *f)
{
	return f->elem == META_ELEM_CLASS || f->elem == META_ELEM_VALUETYPE;
}

int rt_static_field_addr(struct rt *rt, uint64_t mt, const struct rt_field *f, uint64_t *addr)
{
	uint64_t gc, nongc, base, box;
	bool in_gc = is_gc_static(f);
	int rc;

	if (!f->is_static)
		return -EINVAL;
	if (f->is_thread_static || f->is_rva)
		return -ENOTSUP;
	rc = statics_bases(rt, mt, &gc, &nongc);
	if (rc)
		return rc;
	base = in_gc ? gc : nongc;
	if (!base)
		return -ENODATA;
	if (f->elem != META_ELEM_VALUETYPE) {
		*addr = base + f->offset;
		return 0;
	}
	rc = dump_read_ptr(rt->d, base + f->offset, &box);
	if (!rc && !box)
		rc = -ENODATA;
	if (!rc)
		*addr = box + dump_pointer_size(rt->d);
	return rc;
}

/* TLSIndex (threadstatics.h): the kind in the top byte, the offset below;
 * all ones when no index is allocated. A thread's storage is scattered
 * (its ThreadLocalData, its arrays): read once each, not through the map. */
#define TLS_INDEX_NONE	       0xffffffffu
#define TLS_NONCOLLECTIBLE     0
#define TLS_COLLECTIBLE	       1
#define TLS_DIRECT	       2

int rt_thread_static_addr(struct rt *rt, uint64_t thread, uint64_t mt, const struct rt_field *f,
			  uint64_t *addr)
{
	const struct rt_lay_statics *l = &rt->lay.statics;
	bool gc = is_gc_static(f);
	uint64_t aux, tld, base, arr, h, count = 0;
	uint32_t raw, off;
	int rc = rt_layout_err(rt, RT_LG_STATICS);

	if (rc)
		return rc;
	if (!l->thread_statics)
		return -ENOTSUP;
	if (!f->is_thread_static)
		return -EINVAL;
	if (dump_read_ptr(rt->d, mt + l->mt_aux, &aux) ||
	    dump_read_u32(rt->d, aux - l->tsi_size + (gc ? l->tsi_gc : l->tsi_nongc), &raw) ||
	    dump_read_ptr(rt->d, thread + l->th_tld, &tld))
		return -EIO;
	if (raw == TLS_INDEX_NONE || !tld)
		return -ENODATA;
	off = raw & 0xffffffu;
	switch (raw >> 24) {
	case TLS_DIRECT: /* in the ThreadLocalData itself */
		base = tld + off;
		break;
	case TLS_NONCOLLECTIBLE: /* an element of an object[]: a byte[] or object[] */
		if (dump_read_cold(rt->d, tld + l->tld_nc_count, &count, 4) ||
		    dump_read_cold_ptr(rt->d, tld + l->tld_nc_array, &arr))
			return -EIO;
		if (off >= count || off < l->tls_unused || !arr)
			return -ENODATA;
		if (dump_read_cold_ptr(rt->d,
				       arr + l->ptr_array_data + (off - l->tls_unused) * RT_PTR_SIZE,
				       &base))
			return -EIO;
		break;
	case TLS_COLLECTIBLE: /* a handle to that array, in a native array */
		if (dump_read_cold(rt->d, tld + l->tld_c_count, &count, 4) ||
		    dump_read_cold_ptr(rt->d, tld + l->tld_c_array, &arr))
			return -EIO;
		if (off >= count || !arr)
			return -ENODATA;
		if (dump_read_cold_ptr(rt->d, arr + (uint64_t)off * RT_PTR_SIZE, &h) ||
		    (h && dump_read_cold_ptr(rt->d, h, &base)))
			return -EIO;
		if (!h)
			return -ENODATA;
		break;
	default:
		return -EBADMSG;
	}
	if (!base)
		return -ENODATA;
	/* The FieldDesc's offset counts the array header in (Thread.md). */
	*addr = base + f->offset;
	if (f->elem == META_ELEM_VALUETYPE && gc) {
		uint64_t box;
		if (dump_read_cold_ptr(rt->d, *addr, &box))
			return -EIO;
		if (!box)
			return -ENODATA;
		*addr = box + RT_PTR_SIZE;
	}
	return 0;
}
