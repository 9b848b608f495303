// SPDX-License-Identifier: MIT
// An object's outgoing references (decoder/runtime/refs.h, from its type's
// GCDesc), each named by where the object holds it: the instance field at
// the slot's offset (a field of an embedded struct as outer.inner), an
// array's element as [i] ([i].field in an array of structs).
#include "managed.h"

#include "fields.h"
#include "heap.h"
#include "layout.h"
#include "objects.h"
#include "refgraph.h"
#include "refs.h"
#include "runtime.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#define ELEMENT_TYPE_VALUETYPE 0x11
#define NEST_MAX	       8 /* structs within structs named this deep */

/* The instance field of the type mt (fields from the start of its instance
 * data) holding offset off, as name or outer.inner; -ENOENT when none does. */
static int put_field_at(struct rt *rt, uint64_t mt, uint64_t off, struct strbuf *out, int depth)
{
	const struct rt_field *f;
	size_t n;

	if (depth > NEST_MAX || rt_type_instance_fields(rt, mt, &f, &n))
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (f[i].offset == off && f[i].elem != ELEMENT_TYPE_VALUETYPE) {
			strbuf_puts(out, f[i].name);
			return 0;
		}
		uint32_t size;
		if (f[i].elem == ELEMENT_TYPE_VALUETYPE && f[i].type_mt && off >= f[i].offset &&
		    !rt_valuetype_size(rt, f[i].type_mt, &size) && off - f[i].offset < size) {
			size_t at = out->len;
			strbuf_printf(out, "%s.", f[i].name);
			if (!put_field_at(rt, f[i].type_mt, off - f[i].offset, out, depth + 1))
				return 0;
			strbuf_truncate(out, at);
		}
	}
	return -ENOENT;
}

struct refs_ctx {
	struct rt *rt;
	uint64_t obj, mt;
	bool array;
	struct rt_array a;
	struct strbuf *out;
};

static int put_ref(void *arg, uint64_t off, uint64_t ref)
{
	struct refs_ctx *c = arg;
	const char *type;
	uint64_t mt, size;

	strbuf_addr(c->out, ref);
	strbuf_puts(c->out, "\t");
	if (rt_object_size(c->rt, ref, &mt, &size) == 0 && rt_type_name(c->rt, mt, &type) == 0)
		strbuf_puts(c->out, type);
	else
		strbuf_puts(c->out, "<unreadable: not an object>");
	strbuf_puts(c->out, "\t");
	uint64_t at = c->obj + off;
	if (c->array && at >= c->a.data && c->a.component_size) {
		uint64_t i = (at - c->a.data) / c->a.component_size, rem = (at - c->a.data) % c->a.component_size;
		strbuf_printf(c->out, "[%" PRIu64 "]", i);
		if (rem || c->a.elem == ELEMENT_TYPE_VALUETYPE) {
			strbuf_puts(c->out, ".");
			if (put_field_at(c->rt, c->a.element_mt, rem, c->out, 0))
				strbuf_printf(c->out, "+0x%" PRIx64, rem);
		}
	} else if (c->array || off < RT_PTR_SIZE ||
		   put_field_at(c->rt, c->mt, off - RT_PTR_SIZE, c->out, 0)) {
		strbuf_printf(c->out, "+0x%" PRIx64, off); /* a slot no field names */
	}
	strbuf_puts(c->out, "\n");
	return 0;
}

int mv_object_refs(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	struct refs_ctx c = {rt, obj, 0, false, {0}, out};
	struct rt_type_info ti;
	uint64_t size;
	int rc = rt_object_size(rt, obj, &c.mt, &size);

	rc = rc ? rc : rt_type_info(rt, c.mt, &ti);
	if (!rc && ti.is_array) {
		c.array = true;
		rc = rt_array_read(rt, obj, &c.a);
	}
	return rc ? rc : rt_object_refs(rt, obj, put_ref, &c);
}

static int addr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int mv_object_referrers(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint64_t *v, mt, size;
	const char *type;
	size_t n;
	int rc = rt_object_referrers(rt, obj, &v, &n);

	if (rc)
		return rc;
	qsort(v, n, sizeof(*v), addr_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i && v[i] == v[i - 1])
			continue; /* one line per object, however many of its fields */
		strbuf_addr(out, v[i]);
		strbuf_puts(out, "\t");
		if (rt_object_size(rt, v[i], &mt, &size) == 0 && rt_type_name(rt, mt, &type) == 0)
			strbuf_puts(out, type);
		else
			strbuf_puts(out, "<unreadable: not an object>");
		strbuf_puts(out, "\n");
	}
	free(v);
	return 0;
}
