// SPDX-License-Identifier: MIT
// The headers of strings and arrays, from the contract descriptor's String and Array layouts.
#include "objects.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "meta.h"
#include "runtime_i.h"

#include <errno.h>
#include <string.h>

/* ObjHeader (the sync block index and its padding) sits before the
 * MethodTable pointer and counts in BaseSize: one pointer on 64-bit
 * (dotnet/runtime src/coreclr/vm/syncblk.h, OBJHEADER_SIZE). */
#define OBJ_HEADER_SIZE 8

void rt_obj_layout_load(struct rt *rt)
{
	struct rt_obj_layout *l = &rt->objl;

	if (rt_field_offset(rt, "String", "m_StringLength", &l->str_len) ||
	    rt_field_offset(rt, "String", "m_FirstChar", &l->str_first) ||
	    rt_type_size(rt, "Array", &l->arr_hdr) ||
	    rt_field_offset(rt, "Array", "m_NumComponents", &l->arr_ncomp))
		l->err = -ENOTSUP;
}

int rt_string_read(struct rt *rt, uint64_t obj, uint32_t *len, uint64_t *chars)
{
	struct rt_type_info ti;
	const struct rt_obj_layout *l = &rt->objl;
	uint64_t mt, size;
	uint32_t n;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_info(rt, mt, &ti);
	if (rc)
		return rc;
	if (!ti.is_string)
		return -EINVAL;
	if (l->err)
		return l->err;
	rc = dump_read_u32(rt_dump(rt), obj + l->str_len, &n);
	if (rc)
		return rc;
	/* The object (BaseSize + 2 x length, aligned) holds every character. */
	if (n > INT32_MAX || l->str_first + 2 * (uint64_t)n > size)
		return -EBADMSG;
	*len = n;
	*chars = obj + l->str_first;
	return 0;
}

int rt_array_read(struct rt *rt, uint64_t obj, struct rt_array *out)
{
	struct rt_type_info ti;
	struct rt_array a;
	const struct rt_obj_layout *l = &rt->objl;
	uint64_t mt, size, prod = 1;
	uint32_t n;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_info(rt, mt, &ti);
	if (rc)
		return rc;
	if (!ti.is_array)
		return -EINVAL;
	if (l->err)
		return l->err;
	memset(&a, 0, sizeof(a));
	a.mt = mt;
	a.rank = ti.rank;
	a.bounded = ti.elem == META_ELEM_ARRAY;
	a.component_size = ti.component_size;
	a.elem = ti.elem_of_array;
	a.element_mt = ti.element_mt;
	rc = dump_read_u32(rt_dump(rt), obj + l->arr_ncomp, &n);
	if (rc)
		return rc;
	a.length = n;
	if (a.rank < 1 || a.rank > RT_ARRAY_MAX_RANK || (!a.bounded && a.rank != 1))
		return -EBADMSG;
	a.data = obj + l->arr_hdr;
	if (a.bounded) {
		rc = dump_read(rt_dump(rt), obj + l->arr_hdr, a.lengths, 4 * (size_t)a.rank);
		rc = rc ? rc
			: dump_read(rt_dump(rt), obj + l->arr_hdr + 4 * a.rank, a.lower,
				    4 * (size_t)a.rank);
		if (rc)
			return rc;
		for (uint32_t i = 0; i < a.rank; i++)
			if (__builtin_mul_overflow(prod, a.lengths[i], &prod))
				return -EBADMSG;
		a.data += 8 * (uint64_t)a.rank;
	} else {
		a.lengths[0] = n;
	}
	/* Invariants: the data starts where BaseSize says, the bounds multiply
	 * to the element count, the elements fit the object. */
	if (a.data - obj + OBJ_HEADER_SIZE != ti.base_size || (a.bounded && prod != a.length) ||
	    a.data - obj + a.length * a.component_size > size)
		return -EBADMSG;
	*out = a;
	return 0;
}
