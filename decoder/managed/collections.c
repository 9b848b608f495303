// SPDX-License-Identifier: MIT
// Collections as their contents: the elements of the BCL's collections in the
// collection's own order, found by the type's name and read through its fields
// by name (System.Private.CoreLib and System.Collections sources of each line:
// List<T> _items/_size; Queue<T> _array/_head/_size, wrapping; Stack<T>
// _array/_size, top first; HashSet<T> and Dictionary<TKey,TValue> _entries/
// _count, an entry on the free list marked by next < -1 (StartOfFreeList - i,
// HashSet.cs/Dictionary.cs); LinkedList<T> head/count through each node's
// next; an array's elements in row-major order; SortedList keys/values/_size;
// SortedSet (and SortedDictionary's _set of KeyValuePairs) and ImmutableList in
// order through their trees' left and right links; ConcurrentDictionary's
// _tables._buckets, each bucket's chain through _next; ConcurrentQueue's
// segments from _head, slots Head to Tail of each (less FreezeOffset, twice the
// slots, in a segment frozen for enqueues); ConcurrentStack's nodes from
// _head; BlockingCollection's underlying _collection; a boxed ImmutableArray's
// array; ConcurrentBag's per-thread queues; ImmutableDictionary's tree of hash
// buckets). Every count and index is
// checked against the backing array before an element is read; a tree deeper
// than TREE_DEPTH, a chain longer than ITEMS_MAX or one that meets a node again
// (managed_i.h mv_cycle_seen) is refused.
#include "managed.h"
#include "managed_i.h"

#include "fields.h"
#include "dump.h"
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

enum kind {
	K_NONE, K_ARRAY, K_LIST, K_QUEUE, K_STACK, K_SET, K_DICT, K_LINKED, K_SORTEDLIST,
	K_SORTEDSET, K_SORTEDDICT, K_CDICT, K_CQUEUE, K_CSTACK, K_BLOCKING, K_IMMLIST, K_IMMARRAY, K_IMMDICT, K_BAG
};

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
	{ "System.Collections.Generic.SortedList<", K_SORTEDLIST },
	{ "System.Collections.Generic.SortedSet<", K_SORTEDSET },
	{ "System.Collections.Generic.SortedDictionary<", K_SORTEDDICT },
	{ "System.Collections.Concurrent.ConcurrentDictionary<", K_CDICT },
	{ "System.Collections.Concurrent.ConcurrentQueue<", K_CQUEUE },
	{ "System.Collections.Concurrent.ConcurrentStack<", K_CSTACK },
	{ "System.Collections.Concurrent.BlockingCollection<", K_BLOCKING },
	{ "System.Collections.Immutable.ImmutableList<", K_IMMLIST },
	{ "System.Collections.Immutable.ImmutableArray<", K_IMMARRAY }, /* boxed */
	{ "System.Collections.Immutable.ImmutableDictionary<", K_IMMDICT },
	{ "System.Collections.Concurrent.ConcurrentBag<", K_BAG },
};

#define TREE_DEPTH 128 /* a balanced tree of 2^32 nodes is less than 64 deep */

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
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t len = strlen(kinds[i].prefix), depth = 1;
		if (strncmp(name, kinds[i].prefix, len))
			continue;
		/* The type itself, not one nested in it ("List<T>+Enumerator"):
		 * its type arguments close at the end of the name. */
		const char *p = name + len;
		for (; *p && depth; p++)
			depth += *p == '<' ? 1 : *p == '>' ? -1 : 0;
		return !depth && !*p ? kinds[i].kind : K_NONE;
	}
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

/* The value of the instance field name of the object obj. */
static int obj_field(struct rt *rt, uint64_t obj, const char *name, struct mv_value *v)
{
	uint64_t mt, size;
	int rc = rt_object_size(rt, obj, &mt, &size);

	return rc ? rc : struct_field(rt, mt, rt_object_fields(rt, obj), name, v);
}

/* An element that is a KeyValuePair<K,V> value: a key and a value. */
static int pair_of(struct rt *rt, const struct mv_value *kv, struct mv_item *it)
{
	int rc;

	if (kv->elem != META_ELEM_VALUETYPE || !kv->mt)
		return -EBADMSG;
	it->pair = true;
	rc = struct_field(rt, kv->mt, kv->addr, "key", &it->key);
	return rc ? rc : struct_field(rt, kv->mt, kv->addr, "value", &it->value);
}

/* What walk_tree does with each node: its item field (a KeyValuePair when
 * pairs) to cb, or for ImmutableDictionary a hash bucket's entries. */
struct tree_visit {
	const char *item;
	bool pairs, buckets;
	mv_item_cb cb;
	void *arg;
	uint64_t *k;
};

static int walk_tree(struct rt *rt, uint64_t root, const char *left, const char *right,
		     bool empty_left, const struct tree_visit *v);

/* An ImmutableDictionary HashBucket (System.Collections.Immutable
 * ImmutableDictionary_2.HashBucket.cs): _firstValue, then the pairs of the
 * ImmutableList node _additionalElements in order; empty when that is null. */
static int visit_bucket(struct rt *rt, const struct mv_value *bucket, const struct tree_visit *v)
{
	struct mv_value first, more;
	struct mv_item it = {0};
	uint64_t rest;
	int rc;

	if (bucket->elem != META_ELEM_VALUETYPE || !bucket->mt)
		return -EBADMSG;
	rc = struct_field(rt, bucket->mt, bucket->addr, "_additionalElements", &more);
	rc = rc ? rc : dump_read_ptr(rt_dump(rt), more.addr, &rest);
	if (rc || !rest)
		return rc; /* an empty bucket */
	rc = struct_field(rt, bucket->mt, bucket->addr, "_firstValue", &first);
	rc = rc ? rc : pair_of(rt, &first, &it);
	rc = rc ? rc : v->cb(v->arg, (*v->k)++, &it);
	struct tree_visit list = { "_key", true, false, v->cb, v->arg, v->k };
	return rc ? rc : walk_tree(rt, rest, "_left", "_right", true, &list);
}

static int visit_node(struct rt *rt, uint64_t node, const struct tree_visit *v)
{
	struct mv_value val;
	struct mv_item it = {0};
	int rc = obj_field(rt, node, v->item, &val);

	if (rc)
		return rc;
	if (v->buckets)
		return visit_bucket(rt, &val, v);
	if (v->pairs)
		rc = pair_of(rt, &val, &it);
	else
		it.value = val;
	return rc ? rc : v->cb(v->arg, (*v->k)++, &it);
}

/* In order through a binary tree from node root: its left and right fields
 * by name; a node whose left is null is empty when empty_left says so
 * (ImmutableList's and ImmutableDictionary's sentinels). Each node to v. */
static int walk_tree(struct rt *rt, uint64_t root, const char *left, const char *right,
		     bool empty_left, const struct tree_visit *v)
{
	uint64_t stack[TREE_DEPTH], node = root, l;
	struct mv_cycle cyc = {0};
	size_t sp = 0;
	int rc = 0;

	for (;;) {
		while (node) { /* down the left side */
			rc = mv_obj_ref(rt, node, left, &l);
			if (rc)
				return rc;
			if (!l && empty_left)
				break; /* the empty sentinel */
			if (sp == TREE_DEPTH)
				return -EBADMSG;
			stack[sp++] = node;
			node = l;
		}
		if (!sp)
			return 0;
		node = stack[--sp];
		if (mv_cycle_seen(&cyc, node))
			return -EBADMSG; /* a node met again: no tree */
		rc = visit_node(rt, node, v);
		rc = rc ? rc : mv_obj_ref(rt, node, right, &node);
		if (rc)
			return rc;
		if (*v->k > ITEMS_MAX)
			return -EBADMSG;
	}
}

/* A chain of nodes from first through next, each's value field (and key
 * field, when not NULL) to cb. */
static int walk_chain(struct rt *rt, uint64_t first, const char *next, const char *key,
		      const char *value, mv_item_cb cb, void *arg, uint64_t *k)
{
	struct mv_cycle cyc = {0};
	int rc = 0;

	for (uint64_t node = first, n = 0; !rc && node; n++) {
		struct mv_item it = { .pair = key != NULL };
		if (n > ITEMS_MAX || mv_cycle_seen(&cyc, node))
			return -EBADMSG; /* a loop */
		if (key)
			rc = obj_field(rt, node, key, &it.key);
		rc = rc ? rc : obj_field(rt, node, value, &it.value);
		rc = rc ? rc : cb(arg, (*k)++, &it);
		rc = rc ? rc : mv_obj_ref(rt, node, next, &node);
	}
	return rc;
}

/* ConcurrentDictionary: _tables._buckets (VolatileNode structs, or nodes). */
static int walk_cdict(struct rt *rt, uint64_t obj, mv_item_cb cb, void *arg, uint64_t *k)
{
	uint64_t tables, buckets, node;
	struct rt_array a;
	int rc = mv_obj_ref(rt, obj, "_tables", &tables);

	rc = rc ? rc : (tables ? mv_obj_ref(rt, tables, "_buckets", &buckets) : -EBADMSG);
	rc = rc ? rc : (buckets ? rt_array_read(rt, buckets, &a) : -EBADMSG);
	for (uint64_t i = 0; !rc && i < a.length; i++) {
		uint64_t at = a.data + i * a.component_size;
		if (a.elem == META_ELEM_VALUETYPE) {
			struct mv_value v;
			rc = struct_field(rt, a.element_mt, at, "_node", &v);
			rc = rc ? rc : dump_read_ptr(rt_dump(rt), v.addr, &node);
		} else {
			rc = dump_read_ptr(rt_dump(rt), at, &node);
		}
		rc = rc ? rc : walk_chain(rt, node, "_next", "_key", "_value", cb, arg, k);
	}
	return rc;
}

/* ConcurrentQueue: each segment from _head, its slots Head to Tail. */
static int walk_cqueue(struct rt *rt, uint64_t obj, mv_item_cb cb, void *arg, uint64_t *k)
{
	uint64_t seg, slots, mask, head, tail;
	struct mv_value ht;
	struct rt_array a;
	struct mv_cycle cyc = {0};
	int rc = mv_obj_ref(rt, obj, "_head", &seg);

	for (uint64_t n = 0; !rc && seg; n++) {
		if (n > ITEMS_MAX || mv_cycle_seen(&cyc, seg))
			return -EBADMSG;
		rc = mv_obj_ref(rt, seg, "_slots", &slots);
		rc = rc ? rc : (slots ? rt_array_read(rt, slots, &a) : -EBADMSG);
		rc = rc ? rc : obj_field(rt, seg, "_headAndTail", &ht);
		rc = rc ? rc : mv_read_int_field(rt, ht.mt, ht.addr, "Head", &head);
		rc = rc ? rc : mv_read_int_field(rt, ht.mt, ht.addr, "Tail", &tail);
		if (rc)
			return rc;
		uint64_t smt, size, frozen;
		rc = rt_object_size(rt, seg, &smt, &size);
		rc = rc ? rc : mv_read_int_field(rt, smt, rt_object_fields(rt, seg), "_slotsMask", &mask);
		rc = rc ? rc : mv_read_int_field(rt, smt, rt_object_fields(rt, seg), "_frozenForEnqueues", &frozen);
		if (rc)
			return rc;
		if (frozen & 0xff) /* EnsureFrozenForEnqueues added FreezeOffset, twice the slots */
			tail = (uint32_t)((int32_t)tail - 2 * (int32_t)a.length);
		if ((uint32_t)mask + 1 != a.length || a.elem != META_ELEM_VALUETYPE ||
		    (int32_t)tail - (int32_t)head < 0 || (uint32_t)((int32_t)tail - (int32_t)head) > a.length)
			return -EBADMSG;
		for (int32_t i = (int32_t)head; !rc && i != (int32_t)tail; i++) {
			struct mv_item it = {0};
			rc = struct_field(rt, a.element_mt, a.data + ((uint32_t)i & (uint32_t)mask) * a.component_size,
					  "Item", &it.value);
			rc = rc ? rc : cb(arg, (*k)++, &it);
		}
		rc = rc ? rc : mv_obj_ref(rt, seg, "_nextSegment", &seg);
	}
	return rc;
}

/* ConcurrentBag: each thread's WorkStealingQueue from _workStealingQueues
 * through _nextQueue, its items from the newest (bottom - 1) down to the
 * oldest (top), as CopyFromEachQueueToArray orders them. The indices are
 * _headIndex/_tailIndex (int) through 11.0.0 (seen on 8.0.34 to 11.0.0),
 * _top/_bottom (long) in dotnet/runtime main since. */
static int walk_bag(struct rt *rt, uint64_t obj, mv_item_cb cb, void *arg, uint64_t *k)
{
	uint64_t q, qmt, size, top, bottom, mask;
	struct rt_array a;
	struct mv_cycle cyc = {0};
	int rc = mv_obj_ref(rt, obj, "_workStealingQueues", &q);

	for (uint64_t n = 0; !rc && q; n++) {
		if (n > ITEMS_MAX || mv_cycle_seen(&cyc, q))
			return -EBADMSG;
		rc = rt_object_size(rt, q, &qmt, &size);
		if (rc)
			return rc;
		uint64_t data = rt_object_fields(rt, q);
		const struct rt_field *f;
		bool wide = mv_field_named(rt, qmt, "_top", &f) == 0;
		rc = mv_read_int_field(rt, qmt, data, wide ? "_top" : "_headIndex", &top);
		rc = rc ? rc : mv_read_int_field(rt, qmt, data, wide ? "_bottom" : "_tailIndex", &bottom);
		rc = rc ? rc : mv_read_int_field(rt, qmt, data, "_mask", &mask);
		rc = rc ? rc : backing(rt, q, qmt, "_array", &a);
		if (rc)
			return rc;
		int64_t t = wide ? (int64_t)top : (int32_t)top, b = wide ? (int64_t)bottom : (int32_t)bottom;
		if (b < t || (uint64_t)(b - t) > a.length || (uint32_t)mask + 1 != a.length)
			return -EBADMSG;
		for (int64_t i = b - 1; !rc && i >= t; i--)
			rc = cb(arg, (*k)++, &(struct mv_item){ .value = element(&a, (uint64_t)i & (uint32_t)mask) });
		rc = rc ? rc : mv_obj_ref(rt, q, "_nextQueue", &q);
	}
	return rc;
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
		struct mv_cycle cyc = {0};
		rc = mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "head", &first);
		rc = rc ? rc : int_field(rt, obj, mt, "count", &n);
		if (!rc && n < 0)
			rc = -EBADMSG;
		node = first;
		for (int64_t i = 0; !rc && i < n && node; i++) {
			if (i && mv_cycle_seen(&cyc, node)) {
				rc = -EBADMSG; /* a loop that misses the head */
				break;
			}
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
	case K_SORTEDLIST: {
		struct rt_array keys, values;
		rc = backing(rt, obj, mt, "keys", &keys);
		rc = rc ? rc : backing(rt, obj, mt, "values", &values);
		rc = rc ? rc : int_field(rt, obj, mt, "_size", &n);
		if (!rc && (n < 0 || (uint64_t)n > keys.length || (uint64_t)n > values.length))
			rc = -EBADMSG;
		for (int64_t i = 0; !rc && i < n; i++)
			rc = cb(arg, k++, &(struct mv_item){ element(&keys, (uint64_t)i),
							      element(&values, (uint64_t)i), true });
		break;
	}
	case K_SORTEDSET:
	case K_SORTEDDICT: {
		uint64_t set = obj, root;
		bool dict = kind_of(rt, mt) == K_SORTEDDICT;
		if (dict)
			rc = mv_obj_ref(rt, obj, "_set", &set);
		rc = rc ? rc : (set ? mv_obj_ref(rt, set, "root", &root) : -EBADMSG);
		struct tree_visit v = { "<Item>k__BackingField", dict, false, cb, arg, &k };
		rc = rc ? rc : walk_tree(rt, root, "<Left>k__BackingField", "<Right>k__BackingField",
					 false, &v);
		break;
	}
	case K_IMMLIST: {
		uint64_t root;
		rc = mv_obj_ref(rt, obj, "_root", &root);
		struct tree_visit v = { "_key", false, false, cb, arg, &k };
		rc = rc ? rc : walk_tree(rt, root, "_left", "_right", true, &v);
		break;
	}
	case K_IMMDICT: { /* the SortedInt32KeyNode tree of hash buckets, by hash */
		uint64_t root;
		rc = mv_obj_ref(rt, obj, "_root", &root);
		struct tree_visit v = { "_value", true, true, cb, arg, &k };
		rc = rc ? rc : walk_tree(rt, root, "_left", "_right", true, &v);
		break;
	}
	case K_BAG:
		rc = walk_bag(rt, obj, cb, arg, &k);
		break;
	case K_CDICT:
		rc = walk_cdict(rt, obj, cb, arg, &k);
		break;
	case K_CQUEUE:
		rc = walk_cqueue(rt, obj, cb, arg, &k);
		break;
	case K_CSTACK: {
		uint64_t top;
		rc = mv_obj_ref(rt, obj, "_head", &top);
		rc = rc ? rc : walk_chain(rt, top, "_next", NULL, "_value", cb, arg, &k);
		break;
	}
	case K_IMMARRAY: { /* a boxed ImmutableArray<T>: its array's elements (none: default) */
		rc = backing(rt, obj, mt, "array", &a);
		for (uint64_t i = 0; !rc && i < a.length && i < ITEMS_MAX; i++)
			rc = cb(arg, k++, &(struct mv_item){ .value = element(&a, i) });
		break;
	}
	case K_BLOCKING: { /* its underlying collection's, once (not a blocking one again) */
		uint64_t inner, imt;
		rc = mv_obj_ref(rt, obj, "_collection", &inner);
		rc = rc ? rc : (inner ? rt_object_size(rt, inner, &imt, &size) : -EBADMSG);
		if (!rc && kind_of(rt, imt) == K_BLOCKING)
			rc = -EBADMSG;
		return rc ? rc : mv_collection_walk(rt, inner, cb, arg, count);
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
