// SPDX-License-Identifier: MIT
// Collections as their contents: the elements of the BCL's collections in the
// collection's own order, found by the type's name and read through its fields
// by name (System.Private.CoreLib and System.Collections sources of each line:
// List<T> _items/_size; Queue<T> _array/_head/_size, wrapping; Stack<T>
// _array/_size, top first; HashSet<T> and Dictionary<TKey,TValue> _entries/
// _count, an entry on the free list marked by next < -1 (StartOfFreeList - i,
// HashSet.cs/Dictionary.cs); LinkedList<T> head/count through each node's
// next; an array's elements in row-major order). Every count and index is
// checked against the backing array before an element is read.
#include "managed.h"
#include "managed_i.h"

#include "fields.h"
#include "heap.h"
#include "meta_format.h"
#include "objects.h"
#include "runtime.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define ITEMS_MAX (1u << 30) /* elements of one collection walked at most */

enum kind { K_NONE, K_ARRAY, K_LIST, K_QUEUE, K_STACK, K_SET, K_DICT, K_LINKED };

static const struct {
	const char *prefix; /* the type's name up to its type arguments */
	enum kind kind;
} kinds[] = {
	{ "System.Collections.Generic.List<", K_LIST },
	{ "System.Collections.Generic.Queue<", K_QUEUE },
	{ "System.Collections.Generic.Stack<", K_STACK },
	{ "System.Collections.Generic.HashSet<", K_SET },
	{ "System.Collections.Generic.Dictionary<", K_DICT },
	{ "System.Collections.Generic.LinkedList<", K_LINKED },
};

static enum kind kind_of(struct rt *rt, uint64_t mt)
{
	struct rt_type_info ti;
	const char *name;

	if (rt_type_info(rt, mt, &ti))
		return K_NONE;
	if (ti.is_array)
		return K_ARRAY;
	if (rt_type_name(rt, mt, &name))
		return K_NONE;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(name, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			return kinds[i].kind;
	return K_NONE;
}

bool mv_is_collection(struct rt *rt, uint64_t mt)
{
	return kind_of(rt, mt) != K_NONE;
}

/* The element value i of the array a. */
static struct mv_value element(const struct rt_array *a, uint64_t i)
{
	return (struct mv_value){ a->data + i * a->component_size,
				  a->elem == META_ELEM_VALUETYPE ? META_ELEM_VALUETYPE : a->elem,
				  a->elem == META_ELEM_VALUETYPE ? a->element_mt : 0 };
}

/* The backing array the reference field name of obj (type mt) holds. */
static int backing(struct rt *rt, uint64_t obj, uint64_t mt, const char *name, struct rt_array *a)
{
	uint64_t arr;
	int rc = mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), name, &arr);

	if (rc)
		return rc;
	if (!arr) {
		memset(a, 0, sizeof(*a));
		return 0;
	}
	return rt_array_read(rt, arr, a);
}

static int int_field(struct rt *rt, uint64_t obj, uint64_t mt, const char *name, int64_t *v)
{
	uint64_t u;
	int rc = mv_read_int_field(rt, mt, rt_object_fields(rt, obj), name, &u);

	*v = (int64_t)u;
	return rc;
}

/* The value field name of the struct type mt whose value starts at addr. */
static int struct_field(struct rt *rt, uint64_t mt, uint64_t addr, const char *name,
			struct mv_value *v)
{
	const struct rt_field *f;
	int rc = mv_field_named(rt, mt, name, &f);

	if (rc)
		return rc;
	*v = (struct mv_value){ addr + f->offset, f->elem,
				f->elem == META_ELEM_VALUETYPE ? f->type_mt : 0 };
	return 0;
}

/* A hash table's entries (HashSet, Dictionary): the first count of the
 * entries array, those not on the free list. */
static int walk_entries(struct rt *rt, uint64_t obj, uint64_t mt, bool pairs, mv_item_cb cb,
			void *arg, uint64_t *count)
{
	struct rt_array a;
	int64_t n;
	uint64_t k = 0;
	int rc = backing(rt, obj, mt, "_entries", &a);

	rc = rc ? rc : int_field(rt, obj, mt, "_count", &n);
	if (rc)
		return rc;
	if (n < 0 || (uint64_t)n > a.length || (n && a.elem != META_ELEM_VALUETYPE))
		return -EBADMSG;
	for (int64_t i = 0; i < n; i++) {
		uint64_t at = a.data + (uint64_t)i * a.component_size, next;
		struct mv_item it = { .pair = pairs };
		rc = mv_read_int_field(rt, a.element_mt, at, pairs ? "next" : "_next", &next);
		if (rc == -EBADMSG) /* the name of another line's source */
			rc = mv_read_int_field(rt, a.element_mt, at, pairs ? "_next" : "Next", &next);
		if (rc)
			return rc;
		if ((int32_t)next < -1)
			continue; /* on the free list */
		if (pairs)
			rc = struct_field(rt, a.element_mt, at, "key", &it.key);
		rc = rc ? rc : struct_field(rt, a.element_mt, at, pairs ? "value" : "Value", &it.value);
		rc = rc ? rc : cb(arg, k++, &it);
		if (rc)
			return rc;
	}
	*count = k;
	return 0;
}

int mv_collection_walk(struct rt *rt, uint64_t obj, mv_item_cb cb, void *arg, uint64_t *count)
{
	struct rt_array a;
	uint64_t mt, size, k = 0;
	int64_t n, head;
	int rc = rt_object_size(rt, obj, &mt, &size);

	*count = 0;
	if (rc)
		return rc;
	switch (kind_of(rt, mt)) {
	case K_ARRAY:
		rc = rt_array_read(rt, obj, &a);
		for (uint64_t i = 0; !rc && i < a.length && i < ITEMS_MAX; i++)
			rc = cb(arg, k++, &(struct mv_item){ .value = element(&a, i) });
		break;
	case K_LIST:
	case K_STACK:
		rc = backing(rt, obj, mt, kind_of(rt, mt) == K_LIST ? "_items" : "_array", &a);
		rc = rc ? rc : int_field(rt, obj, mt, "_size", &n);
		if (!rc && (n < 0 || (uint64_t)n > a.length))
			rc = -EBADMSG;
		for (int64_t i = 0; !rc && i < n; i++) /* a stack from its top */
			rc = cb(arg, k++, &(struct mv_item){
				.value = element(&a, (uint64_t)(kind_of(rt, mt) == K_LIST ? i : n - 1 - i)) });
		break;
	case K_QUEUE:
		rc = backing(rt, obj, mt, "_array", &a);
		rc = rc ? rc : int_field(rt, obj, mt, "_size", &n);
		rc = rc ? rc : int_field(rt, obj, mt, "_head", &head);
		if (!rc && (n < 0 || (uint64_t)n > a.length || head < 0 ||
			    (a.length && (uint64_t)head >= a.length) || (!a.length && head)))
			rc = -EBADMSG;
		for (int64_t i = 0; !rc && i < n; i++) /* from the head, across the wrap */
			rc = cb(arg, k++,
				&(struct mv_item){ .value = element(&a, ((uint64_t)head + (uint64_t)i) % a.length) });
		break;
	case K_SET:
	case K_DICT:
		return walk_entries(rt, obj, mt, kind_of(rt, mt) == K_DICT, cb, arg, count);
	case K_LINKED: {
		uint64_t node, first, nmt;
		const struct rt_field *item;
		rc = mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "head", &first);
		rc = rc ? rc : int_field(rt, obj, mt, "count", &n);
		if (!rc && n < 0)
			rc = -EBADMSG;
		node = first;
		for (int64_t i = 0; !rc && i < n && node; i++) {
			rc = rt_object_size(rt, node, &nmt, &size);
			rc = rc ? rc : mv_field_named(rt, nmt, "item", &item);
			if (rc)
				break;
			uint64_t data = rt_object_fields(rt, node);
			rc = cb(arg, k++, &(struct mv_item){ .value = { data + item->offset, item->elem,
									 item->elem == META_ELEM_VALUETYPE ? item->type_mt : 0 } });
			rc = rc ? rc : mv_read_ref_field(rt, nmt, data, "next", &node);
			if (!rc && node == first)
				break; /* the list is circular: back at the head */
		}
		break;
	}
	default:
		return -ENOENT;
	}
	if (!rc)
		*count = k;
	return rc;
}

struct items {
	struct rt *rt;
	struct strbuf *out;
};

static int put_item(void *arg, uint64_t i, const struct mv_item *it)
{
	struct items *c = arg;

	(void)i;
	if (it->pair) {
		mv_render_value(c->rt, it->key.addr, it->key.elem, it->key.mt, c->out);
		strbuf_puts(c->out, "\t");
	}
	mv_render_value(c->rt, it->value.addr, it->value.elem, it->value.mt, c->out);
	strbuf_puts(c->out, "\n");
	return c->out->oom ? -ENOMEM : 0;
}

int mv_collection_items(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	struct items c = { rt, out };
	uint64_t n;

	return mv_collection_walk(rt, obj, put_item, &c, &n);
}

static int count_item(void *arg, uint64_t i, const struct mv_item *it)
{
	(void)arg;
	(void)i;
	(void)it;
	return 0;
}

int mv_collection_count(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint64_t n;
	int rc = mv_collection_walk(rt, obj, count_item, NULL, &n);

	if (!rc)
		strbuf_printf(out, "%" PRIu64, n);
	return rc;
}
