// SPDX-License-Identifier: MIT
// Heap types by name: the index's types, named once, for code that looks a
// well-known type up by its name (TimeZoneInfo's cache, the thread pool's queues).
#include "heapindex.h"

#include "runtime_i.h"
#include "types.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rt_heap_name {
	const char *name; /* borrowed from rt_type_name()'s cache */
	const struct rt_heap_type *type;
	int several; /* more than one MethodTable has this name */
	UT_hash_handle hh;
};

static int names_build(struct rt *rt, struct rt_heap_name **out)
{
	struct rt_heap_index *ix;
	struct rt_heap_name *names = NULL, *e;
	const struct rt_heap_type *types;
	size_t n;
	int rc = rt_heap_index(rt, &ix);

	if (rc)
		return rc;
	types = rt_heap_index_types(ix, &n);
	for (size_t i = 0; i < n; i++) {
		const char *name;
		if (rt_type_name(rt, types[i].mt, &name))
			continue; /* an unnamed type cannot be asked for by name */
		HASH_FIND_STR(names, name, e);
		if (e) {
			e->several = 1;
			continue;
		}
		e = calloc(1, sizeof(*e));
		if (!e) {
			rt_heap_names_free(names);
			return -ENOMEM;
		}
		e->name = name;
		e->type = &types[i];
		HASH_ADD_KEYPTR(hh, names, e->name, strlen(e->name), e);
	}
	*out = names;
	return 0;
}

static int names_build_once(struct rt *rt)
{
	return names_build(rt, &rt->heap_names);
}

int rt_heap_type_by_name(struct rt *rt, const char *name, const struct rt_heap_type **out)
{
	struct rt_heap_name *e = NULL;
	int rc = rt_once(rt, &rt->names_once, names_build_once);

	if (rc)
		return rc;
	HASH_FIND_STR(rt->heap_names, name, e);
	if (!e)
		return -ENOENT;
	if (e->several)
		return -ENOTUNIQ;
	*out = e->type;
	return 0;
}

void rt_heap_names_free(struct rt_heap_name *names)
{
	struct rt_heap_name *e, *tmp;
	HASH_ITER(hh, names, e, tmp) {
		HASH_DEL(names, e);
		free(e);
	}
}
