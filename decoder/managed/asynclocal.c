// SPDX-License-Identifier: MIT
// decoder/managed: ExecutionContext and the AsyncLocalValueMap storage variants.
//
// System.Private.CoreLib 10.0 (src/libraries/System.Private.CoreLib/src/System/
// Threading/AsyncLocal.cs, ExecutionContext.cs; names and fields checked on
// 10.0.12 dumps): Thread._executionContext is null for the default context;
// ExecutionContext.m_localValues is an IAsyncLocalValueMap, one of the nested
// classes of System.Threading.AsyncLocalValueMap, chosen by the number of values:
//   EmptyAsyncLocalValueMap            none
//   One/Two/Three/FourElement...       1-4: fields _item0.._item3, each a
//                                      KeyValuePair<IAsyncLocal,object> (key, value)
//   MultiElementAsyncLocalValueMap     5-16: _keyValues, a KeyValuePair[] of
//                                      exactly that many pairs
//   ManyElementAsyncLocalValueMap      more: a Dictionary<IAsyncLocal,object>
//                                      subclass: _entries[0.._count), an entry in
//                                      use when its next >= -1 (free ones hold
//                                      -3 - the next free index)
// Every field is found by name; a map of another type is not guessed at.
#include "asynclocal.h"
#include "managed_i.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "meta.h"
#include "objects.h"
#include "runtime.h"
#include "types.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_PREFIX "System.Threading.AsyncLocalValueMap+"
#define MANY_MAX   (1u << 24) /* entries: far beyond any real map; guards corrupt counts */

enum map_kind { MAP_UNKNOWN, MAP_EMPTY, MAP_FIXED, MAP_MULTI, MAP_MANY };

static const struct {
	const char *name; /* after MAP_PREFIX */
	enum map_kind kind;
	unsigned items; /* MAP_FIXED: number of _itemN fields */
} maps[] = {
	{"EmptyAsyncLocalValueMap", MAP_EMPTY, 0},
	{"OneElementAsyncLocalValueMap", MAP_FIXED, 1},
	{"TwoElementAsyncLocalValueMap", MAP_FIXED, 2},
	{"ThreeElementAsyncLocalValueMap", MAP_FIXED, 3},
	{"FourElementAsyncLocalValueMap", MAP_FIXED, 4},
	{"MultiElementAsyncLocalValueMap", MAP_MULTI, 0},
	{"ManyElementAsyncLocalValueMap", MAP_MANY, 0},
};

static int map_kind(const char *type_name, unsigned *items)
{
	size_t plen = strlen(MAP_PREFIX);

	if (strncmp(type_name, MAP_PREFIX, plen) != 0)
		return MAP_UNKNOWN;
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (!strcmp(type_name + plen, maps[i].name)) {
			*items = maps[i].items;
			return maps[i].kind;
		}
	}
	return MAP_UNKNOWN;
}

bool mv_asynclocal_map_known(const char *type_name)
{
	unsigned items;
	return map_kind(type_name, &items) != MAP_UNKNOWN;
}

static int object_mt(struct rt *rt, uint64_t obj, uint64_t *mt)
{
	uint64_t size;
	return rt_object_size(rt, obj, mt, &size);
}

int mv_thread_execution_context(struct rt *rt, uint64_t thread, uint64_t *ec)
{
	uint64_t mt;
	int rc = object_mt(rt, thread, &mt);

	return rc ? rc : mv_read_ref_field(rt, mt, rt_object_fields(rt, thread), "_executionContext", ec);
}

int mv_execution_context_read(struct rt *rt, uint64_t ec, struct mv_execution_context *out)
{
	uint64_t mt, values, suppressed, is_default;
	int rc = object_mt(rt, ec, &mt);

	rc = rc ? rc : mv_read_ref_field(rt, mt, rt_object_fields(rt, ec), "m_localValues", &values);
	rc = rc ? rc
		: mv_read_int_field(rt, mt, rt_object_fields(rt, ec), "m_isFlowSuppressed", &suppressed);
	rc = rc ? rc : mv_read_int_field(rt, mt, rt_object_fields(rt, ec), "m_isDefault", &is_default);
	if (rc)
		return rc;
	out->local_values = values;
	out->flow_suppressed = suppressed != 0;
	out->is_default = is_default != 0;
	return 0;
}

/* A growing list of entries. */
struct list {
	struct mv_asynclocal *v;
	size_t n, cap;
};

/* Adds the pair (key, value); a null key is not a map entry. */
static int list_add(struct rt *rt, struct list *l, uint64_t key, uint64_t value)
{
	struct mv_asynclocal *e;

	if (!key)
		return -EBADMSG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		e = realloc(l->v, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		l->v = e;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	e->key = key;
	e->value = value;
	e->key_mt = 0;
	e->key_err = object_mt(rt, key, &e->key_mt);
	if (e->key_err)
		e->key_mt = 0;
	return 0;
}

/* The key and value fields of a pair struct (KeyValuePair: key, value; a
 * Dictionary Entry: key, value, next), found once per map, not per pair. */
struct pair_fields {
	const struct rt_field *key, *value;
};

static int pair_fields(struct rt *rt, uint64_t mt, struct pair_fields *pf)
{
	int rc = mv_field_named(rt, mt, "key", &pf->key);

	return rc ? rc : mv_field_named(rt, mt, "value", &pf->value);
}

/* The pair at addr, a struct whose fields are pf. */
static int add_pair(struct rt *rt, struct list *l, const struct pair_fields *pf, uint64_t addr)
{
	uint64_t key, value;
	int rc = mv_read_ref_at(rt, pf->key, addr, &key);

	rc = rc ? rc : mv_read_ref_at(rt, pf->value, addr, &value);
	return rc ? rc : list_add(rt, l, key, value);
}

/* One to four pairs in the fields _item0.._item<n-1>. */
static int read_fixed(struct rt *rt, uint64_t map, uint64_t mt, unsigned items, struct list *l)
{
	const struct rt_field *f;
	struct pair_fields pf;
	char name[16];
	int rc = 0;

	for (unsigned i = 0; i < items && !rc; i++) {
		snprintf(name, sizeof(name), "_item%u", i);
		rc = mv_field_named(rt, mt, name, &f);
		if (!rc && (f->elem != META_ELEM_VALUETYPE || !f->type_mt))
			rc = f->type_err ? f->type_err : -EBADMSG;
		rc = rc ? rc : pair_fields(rt, f->type_mt, &pf);
		rc = rc ? rc : add_pair(rt, l, &pf, rt_object_fields(rt, map) + f->offset);
	}
	return rc;
}

/* The array of structs in the field name of the map: its header, checked to
 * hold value types. */
static int struct_array(struct rt *rt, uint64_t map, uint64_t mt, const char *name,
			struct rt_array *a)
{
	struct rt_type_info ti;
	uint64_t arr;
	int rc = mv_read_ref_field(rt, mt, rt_object_fields(rt, map), name, &arr);

	rc = rc ? rc : (arr ? rt_array_read(rt, arr, a) : -EBADMSG);
	rc = rc ? rc : rt_type_info(rt, a->element_mt, &ti);
	if (!rc && (!ti.valuetype || a->rank != 1 || a->length > MANY_MAX))
		rc = -EBADMSG;
	return rc;
}

/* Every pair of _keyValues. */
static int read_multi(struct rt *rt, uint64_t map, uint64_t mt, struct list *l)
{
	struct rt_array a;
	struct pair_fields pf;
	int rc = struct_array(rt, map, mt, "_keyValues", &a);

	rc = rc ? rc : pair_fields(rt, a.element_mt, &pf);
	for (uint64_t i = 0; !rc && i < a.length; i++)
		rc = add_pair(rt, l, &pf, a.data + i * a.component_size);
	return rc;
}

/* The entries in use among the first _count of _entries. */
static int read_many(struct rt *rt, uint64_t map, uint64_t mt, struct list *l)
{
	struct rt_array a;
	struct pair_fields pf;
	const struct rt_field *next_f;
	uint64_t count, next;
	int rc = mv_read_int_field(rt, mt, rt_object_fields(rt, map), "_count", &count);

	if (rc)
		return rc;
	if ((int64_t)count <= 0)
		return (int64_t)count < 0 ? -EBADMSG : 0; /* _entries may be null */
	rc = struct_array(rt, map, mt, "_entries", &a);
	if (!rc && count > a.length)
		rc = -EBADMSG;
	rc = rc ? rc : pair_fields(rt, a.element_mt, &pf);
	rc = rc ? rc : mv_field_named(rt, a.element_mt, "next", &next_f);
	for (uint64_t i = 0; !rc && i < count; i++) {
		uint64_t e = a.data + i * a.component_size;
		rc = mv_read_int_at(rt, next_f, e, &next);
		if (!rc && (int64_t)next >= -1)
			rc = add_pair(rt, l, &pf, e);
	}
	return rc;
}

static int by_key(const void *a, const void *b)
{
	const struct mv_asynclocal *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

int mv_asynclocal_map_read(struct rt *rt, uint64_t map, struct mv_asynclocal **out, size_t *count)
{
	struct list l = {0};
	const char *name;
	unsigned items = 0;
	uint64_t mt;
	int rc = object_mt(rt, map, &mt);

	rc = rc ? rc : rt_type_name(rt, mt, &name);
	if (rc)
		goto out;
	switch (map_kind(name, &items)) {
	case MAP_EMPTY:
		break;
	case MAP_FIXED:
		rc = read_fixed(rt, map, mt, items, &l);
		break;
	case MAP_MULTI:
		rc = read_multi(rt, map, mt, &l);
		break;
	case MAP_MANY:
		rc = read_many(rt, map, mt, &l);
		break;
	default:
		rc = -ENOTSUP;
		break;
	}
	if (rc)
		goto out;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_key);
	*out = l.v;
	*count = l.n;
	l.v = NULL;
out:
	free(l.v);
	return rc;
}
