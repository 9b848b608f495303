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
#include "meta.h"
#include "runtime_i.h"

#include <errno.h>

static int statics_bases(struct rt *rt, uint64_t mt, uint64_t *gc, uint64_t *nongc)
{
	const struct rt_lay_statics *l = &rt->lay.statics;
	uint64_t aux, g, n;
	uint32_t flags2;
	int rc = rt_layout_err(rt, RT_LG_STATICS);

	rc = rc ? rc : dump_read_u32(rt->d, mt + rt->lay.mt.flags2, &flags2);
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

int rt_static_field_addr(struct rt *rt, uint64_t mt, const struct rt_field *f, uint64_t *addr)
{
	uint64_t gc, nongc, base, box;
	bool in_gc = f->elem == META_ELEM_CLASS || f->elem == META_ELEM_VALUETYPE;
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
