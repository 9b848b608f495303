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
#include "roots.h"
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
	uint64_t want; /* only the first reference to this object, when not 0 */
};

/* ADDR<TAB>TYPE of the object at obj. */
static void put_object(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	const char *type;
	uint64_t mt, size;

	strbuf_addr(out, obj);
	strbuf_puts(out, "\t");
	if (rt_object_size(rt, obj, &mt, &size) == 0 && rt_type_name(rt, mt, &type) == 0)
		strbuf_puts(out, type);
	else
		strbuf_puts(out, "<unreadable: not an object>");
}

static int put_ref(void *arg, uint64_t off, uint64_t ref)
{
	struct refs_ctx *c = arg;

	if (c->want && ref != c->want)
		return 0;
	put_object(c->rt, ref, c->out);
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
	return c->want ? 1 : 0; /* found: stop */
}

/* The refs lines of the object at obj, or only the first to want. */
static int refs_of(struct rt *rt, uint64_t obj, uint64_t want, struct strbuf *out)
{
	struct refs_ctx c = {rt, obj, 0, false, {0}, out, want};
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

int mv_object_refs(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	return refs_of(rt, obj, 0, out);
}

static int addr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int mv_object_referrers(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint64_t *v;
	size_t n;
	int rc = rt_object_referrers(rt, obj, &v, &n);

	if (rc)
		return rc;
	qsort(v, n, sizeof(*v), addr_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i && v[i] == v[i - 1])
			continue; /* one line per object, however many of its fields */
		put_object(rt, v[i], out);
		strbuf_puts(out, "\n");
	}
	free(v);
	return 0;
}

/* Where the root r holds its object: a static as Type.field (Type.field@ID
 * for a thread static on managed thread ID), a handle by its address, a
 * stack by its thread's managed id, "-" for the finalization queue. */
static void put_source(struct rt *rt, const struct rt_root *r, struct strbuf *out)
{
	const char *type;

	switch (r->kind) {
	case RT_ROOT_STATIC:
	case RT_ROOT_THREAD_STATIC:
		if (rt_type_name(rt, r->where, &type))
			type = "<unreadable: type name>";
		strbuf_printf(out, "%s.%s", type, r->field->name);
		if (r->kind == RT_ROOT_THREAD_STATIC)
			strbuf_printf(out, "@%" PRIu32, r->thread);
		break;
	case RT_ROOT_HANDLE:
		strbuf_addr(out, r->where);
		break;
	case RT_ROOT_STACK:
		strbuf_printf(out, "%" PRIu32, r->thread);
		break;
	default:
		strbuf_puts(out, "-");
	}
}

int mv_heap_roots(struct rt *rt, struct strbuf *out)
{
	const struct rt_root *r;
	size_t n;
	int rc = rt_roots(rt, &r, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		strbuf_printf(out, "%s\t", rt_root_kind_name(&r[i]));
		put_source(rt, &r[i], out);
		strbuf_puts(out, "\t");
		put_object(rt, r[i].object, out);
		strbuf_puts(out, "\n");
	}
	return rc;
}

int mv_object_path(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	const struct rt_root *root;
	uint64_t *hops;
	size_t n;
	int rc = rt_object_path(rt, obj, &root, &hops, &n);

	if (rc)
		return rc;
	if (!root) {
		strbuf_puts(out, "unreachable\n");
		return 0;
	}
	strbuf_printf(out, "%s\t", rt_root_kind_name(root));
	put_source(rt, root, out);
	strbuf_puts(out, "\n");
	put_object(rt, hops[0], out);
	strbuf_puts(out, "\t-\n");
	for (size_t i = 1; i < n; i++) {
		size_t before = out->len;
		if (refs_of(rt, hops[i - 1], hops[i], out) < 0 || out->len == before) {
			/* held by a dependent handle whose primary is hops[i - 1] */
			strbuf_truncate(out, before);
			put_object(rt, hops[i], out);
			strbuf_puts(out, "\t<dependent handle>\n");
		}
	}
	free(hops);
	return 0;
}

int mv_object_retained(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint64_t bytes, dom;
	int rc = rt_object_retained(rt, obj, &bytes, &dom);

	if (rc == -ENODATA)
		strbuf_puts(out, "unreachable");
	else if (!rc)
		strbuf_printf(out, "%" PRIu64, bytes);
	return rc == -ENODATA ? 0 : rc;
}

int mv_object_dominator(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint64_t bytes, dom;
	int rc = rt_object_retained(rt, obj, &bytes, &dom);

	if (rc == -ENODATA)
		strbuf_puts(out, "unreachable");
	else if (!rc && !dom)
		strbuf_puts(out, "roots");
	else if (!rc)
		put_object(rt, dom, out);
	return rc == -ENODATA ? 0 : rc;
}

int mv_heap_retained(struct rt *rt, struct strbuf *out)
{
	struct rt_retained *v;
	size_t n;
	int rc = rt_retained_top(rt, &v, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		const char *type;
		uint64_t mt, size;
		strbuf_addr(out, v[i].obj);
		strbuf_printf(out, "\t%" PRIu64 "\t", v[i].bytes);
		if (rt_object_size(rt, v[i].obj, &mt, &size) == 0 && rt_type_name(rt, mt, &type) == 0)
			strbuf_puts(out, type);
		else
			strbuf_puts(out, "<unreadable: not an object>");
		strbuf_puts(out, "\n");
	}
	free(v);
	return rc;
}
