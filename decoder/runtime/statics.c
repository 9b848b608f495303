// SPDX-License-Identifier: MIT
// Static fields on CoreCLR 9+ (dotnet/runtime docs/design/datacontracts/
// RuntimeTypeSystem.md, "statics"; src/coreclr/vm/methodtable.h
// DynamicStaticsInfo): a MethodTable whose MTFlags2 has DynamicStatics (0x2)
// keeps a DynamicStaticsInfo immediately before its MethodTableAuxiliaryData,
// holding the GC statics base and the non-GC statics base; the low bit of each
// marks "class not initialized" and StaticsPointerMask clears it. A field's
// value is at base + its FieldDesc offset: references and structs in the GC
// statics, primitives (enums too) in the non-GC statics. A struct static's
// slot holds a reference to a boxed instance (methodtable.cpp
// AllocateRegularStaticBoxes). Checked on 10.0.12 dumps: see docs/runtime-10.0.md.
#include "statics.h"

#include "dump.h"
#include "fields.h"
#include "runtime_i.h"

#include <errno.h>

#define MTF2_DYNAMIC_STATICS 0x2u
#define ELEM_CLASS	     0x12
#define ELEM_VALUETYPE	     0x11

static int statics_bases(struct rt *rt, uint64_t mt, uint64_t *gc, uint64_t *nongc)
{
	uint64_t off_flags2, off_aux, size, off_gc, off_nongc, mask, aux, g, n;
	uint32_t flags2;
	int rc = rt_field_offset(rt, "MethodTable", "MTFlags2", &off_flags2);

	rc = rc ? rc : rt_field_offset(rt, "MethodTable", "AuxiliaryData", &off_aux);
	rc = rc ? rc : rt_type_size(rt, "DynamicStaticsInfo", &size);
	rc = rc ? rc : rt_field_offset(rt, "DynamicStaticsInfo", "GCStatics", &off_gc);
	rc = rc ? rc : rt_field_offset(rt, "DynamicStaticsInfo", "NonGCStatics", &off_nongc);
	rc = rc ? rc : rt_global(rt, "StaticsPointerMask", &mask);
	if (rc)
		return rc == -ENOENT ? -ENOTSUP : rc;
	rc = dump_read_u32(rt->d, mt + off_flags2, &flags2);
	if (rc)
		return rc;
	if (!(flags2 & MTF2_DYNAMIC_STATICS))
		return -ENODATA; /* no statics allocated for this type */
	rc = dump_read_ptr(rt->d, mt + off_aux, &aux);
	if (!rc && (!aux || aux < size))
		rc = -EBADMSG;
	rc = rc ? rc : dump_read_ptr(rt->d, aux - size + off_gc, &g);
	rc = rc ? rc : dump_read_ptr(rt->d, aux - size + off_nongc, &n);
	if (!rc) {
		*gc = g & mask;
		*nongc = n & mask;
	}
	return rc;
}

int rt_static_field_addr(struct rt *rt, uint64_t mt, const struct rt_field *f, uint64_t *addr)
{
	uint64_t gc, nongc, base, box;
	bool in_gc = f->elem == ELEM_CLASS || f->elem == ELEM_VALUETYPE;
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
	if (f->elem != ELEM_VALUETYPE) {
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
