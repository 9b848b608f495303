// SPDX-License-Identifier: MIT
// decoder/managed: the value file of an object (string text, array elements, boxed values).
#include "managed_i.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "meta.h"
#include "objects.h"
#include "reason.h"
#include "runtime.h"
#include "strbuf.h"
#include "values.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64u << 10) /* bytes of array data read at once */

/* Reads n UTF-16 code units at addr into a new buffer (caller frees). The
 * dump holds them little-endian, as the host does (x86_64, aarch64). */
static int read_utf16(struct rt *rt, uint64_t addr, size_t n, uint16_t **out)
{
	uint16_t *s = malloc(n ? 2 * n : 1);
	int rc;

	if (!s)
		return -ENOMEM;
	rc = dump_read(rt_dump(rt), addr, s, 2 * n);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int mv_string(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint32_t len;
	uint64_t chars;
	uint16_t *s;
	int rc = rt_string_read(rt, obj, &len, &chars);

	rc = rc ? rc : read_utf16(rt, chars, len, &s);
	if (rc)
		return rc;
	mv_put_utf16(out, s, len);
	free(s);
	return 0;
}

int mv_string_quoted(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint32_t len;
	uint64_t chars;
	uint16_t *s;
	size_t n;
	int rc = rt_string_read(rt, obj, &len, &chars);

	n = len > MV_QUOTE_MAX ? MV_QUOTE_MAX : len;
	rc = rc ? rc : read_utf16(rt, chars, n, &s);
	if (rc) {
		reason_put_unreadable(out, rc);
		return rc;
	}
	mv_put_quoted(out, s, n, len);
	free(s);
	return 0;
}

/* One line per element: primitives and references from chunks of the
 * array's data; structs and enums through mv_render_value(). */
static int put_elements(struct rt *rt, const struct rt_array *a, struct strbuf *b)
{
	struct rt_type_info eti;
	uint8_t *buf = NULL;
	uint64_t per = a->component_size ? CHUNK / a->component_size : 0;
	size_t esize = a->elem == META_ELEM_CLASS ? 8 : mv_elem_size(a->elem);
	int first = 0, rc;

	if (!a->length)
		return 0;
	if (esize != a->component_size)
		esize = 0; /* a struct */
	/* An enum's elements have its underlying elem: its MethodTable decides. */
	if (esize && a->elem != META_ELEM_CLASS && a->elem != META_ELEM_PTR && a->element_mt &&
	    !rt_type_info(rt, a->element_mt, &eti) && eti.is_enum)
		esize = 0;
	if (!esize) {
		for (uint64_t i = 0; i < a->length && !b->oom; i++) {
			rc = mv_render_value(rt, a->data + i * a->component_size,
					     META_ELEM_VALUETYPE, a->element_mt, b);
			strbuf_puts(b, "\n");
			first = first ? first : rc;
		}
		return b->oom ? -ENOMEM : first;
	}
	buf = malloc(per * esize);
	if (!buf)
		return -ENOMEM;
	for (uint64_t i = 0; i < a->length && !b->oom; i += per) {
		uint64_t k = a->length - i < per ? a->length - i : per, r;
		rc = dump_read(rt_dump(rt), a->data + i * esize, buf, k * esize);
		for (uint64_t j = 0; j < k; j++) {
			const uint8_t *p = buf + j * esize;
			if (rc) {
				reason_put_unreadable(b, rc);
			} else if (a->elem == META_ELEM_CLASS) {
				memcpy(&r, p, 8);
				int e = mv_put_reference(rt, r, b);
				first = first ? first : e;
			} else {
				mv_put_primitive(b, a->elem, p);
			}
			strbuf_puts(b, "\n");
		}
		first = first ? first : rc;
	}
	free(buf);
	return b->oom ? -ENOMEM : first;
}

int mv_render_object_value(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	struct rt_type_info ti;
	struct rt_array a;
	uint64_t mt, size;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_info(rt, mt, &ti);
	if (rc)
		return rc;
	if (ti.is_string)
		return mv_string(rt, obj, out);
	if (ti.is_array) {
		rc = rt_array_read(rt, obj, &a);
		return rc ? rc : put_elements(rt, &a, out);
	}
	/* A boxed value starts after the MethodTable pointer (fields.h). */
	if (ti.valuetype && mv_is_scalar(rt, META_ELEM_VALUETYPE, mt))
		return mv_render_value(rt, rt_object_fields(rt, obj),
				       META_ELEM_VALUETYPE, mt, out);
	return -ENOENT;
}

int mv_render_object_ref(struct rt *rt, uint64_t ref, struct strbuf *out)
{
	struct rt_type_info ti;
	uint64_t mt, size;
	size_t before = out->len;
	int rc;

	if (!ref)
		return mv_put_reference(rt, ref, out);
	rc = rt_object_size(rt, ref, &mt, &size);
	rc = rc ? rc : rt_type_info(rt, mt, &ti);
	if (!rc && !ti.is_string && ti.valuetype && mv_is_scalar(rt, META_ELEM_VALUETYPE, mt)) {
		rc = mv_render_object_value(rt, ref, out);
		if (!rc || out->len != before)
			return rc;
	}
	return mv_put_reference(rt, ref, out);
}
