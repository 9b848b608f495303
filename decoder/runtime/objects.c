// SPDX-License-Identifier: MIT
// The headers of strings and arrays (the layout layer's String and Array layouts).
#include "objects.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "meta.h"
#include "runtime_i.h"

#include <errno.h>
#include <string.h>

uint64_t rt_object_fields(struct rt *rt, uint64_t obj)
{
	(void)rt;
	return obj + RT_PTR_SIZE;
}

int rt_string_read(struct rt *rt, uint64_t obj, uint32_t *len, uint64_t *chars)
{
	struct rt_type_info ti;
	const struct rt_lay_obj *l = &rt->lay.obj;
	uint64_t mt, size;
	uint32_t n;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_info(rt, mt, &ti);
	if (rc)
		return rc;
	if (!ti.is_string)
		return -EINVAL;
	if ((rc = rt_layout_err(rt, RT_LG_OBJ)))
		return rc;
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
	const struct rt_lay_obj *l = &rt->lay.obj;
	uint64_t mt, size, prod = 1;
	uint32_t n;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_info(rt, mt, &ti);
	if (rc)
		return rc;
	if (!ti.is_array)
		return -EINVAL;
	if ((rc = rt_layout_err(rt, RT_LG_OBJ)))
		return rc;
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
	if (a.data - obj + RT_OBJ_HEADER_SIZE != ti.base_size || (a.bounded && prod != a.length) ||
	    a.data - obj + a.length * a.component_size > size)
		return -EBADMSG;
	*out = a;
	return 0;
}
