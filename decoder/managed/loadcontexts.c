// SPDX-License-Identifier: MIT
// AssemblyLoadContexts: every object on the heap of System.Runtime.Loader.
// AssemblyLoadContext or a type derived from it (CoreLib
// AssemblyLoadContext.cs: _name, _isCollectible, _state an InternalState,
// Alive or Unloading, and _nativeAssemblyLoadContext, the native binder the
// runtime made for it, which each of its assemblies' PEAssembly names:
// decoder/runtime/modules.h). An unloaded context is found while something
// still holds it or an object of its types (the plugin leak); one the GC has
// freed is not.
#include "managed.h"
#include "managed_i.h"

#include "fields.h"
#include "heapindex.h"
#include "names.h"
#include "runtime.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ALC_TYPE "System.Runtime.Loader.AssemblyLoadContext"

struct contexts {
	struct mv_load_context *v;
	size_t n;
};

static void contexts_free(void *p)
{
	struct contexts *c = p;

	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	free(c);
}

static int by_obj(const void *a, const void *b)
{
	const struct mv_load_context *x = a, *y = b;
	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

/* One context's fields; err when one is unreadable. */
static void read_context(struct rt *rt, struct mv_load_context *c)
{
	uint64_t name, v;
	struct strbuf b;
	int rc = mv_obj_ref(rt, c->obj, "_name", &name);

	if (!rc && name) {
		struct strbuf safe;
		strbuf_init(&b);
		strbuf_init(&safe);
		rc = mv_string(rt, name, &b);
		if (!rc)
			name_put(&safe, b.data ? b.data : "", b.len);
		c->name = rc ? NULL : strbuf_steal(&safe, NULL);
		strbuf_destroy(&b);
		strbuf_destroy(&safe);
		if (!rc && !c->name)
			rc = -ENOMEM;
	}
	c->name_err = rc;
	rc = mv_obj_int(rt, c->obj, "_isCollectible", &v);
	c->collectible = !rc && (v & 0xff);
	rc = rc ? rc : mv_obj_int(rt, c->obj, "_state", &v);
	c->unloading = !rc && (int32_t)v != 0; /* InternalState.Alive is 0 */
	rc = rc ? rc : mv_obj_int(rt, c->obj, "_nativeAssemblyLoadContext", &c->binder);
	c->err = rc;
}

static int contexts_build(struct rt *rt, void **out)
{
	struct rt_heap_index *ix;
	struct contexts *c = calloc(1, sizeof(*c));
	size_t ntypes, cap = 0;
	int rc = c ? rt_heap_index(rt, &ix) : -ENOMEM;

	if (rc) {
		free(c);
		return rc;
	}
	const struct rt_heap_type *types = rt_heap_index_types(ix, &ntypes);
	for (size_t t = 0; !rc && t < ntypes; t++) {
		if (!mv_derives_from(rt, types[t].mt, ALC_TYPE))
			continue;
		for (uint64_t i = 0; !rc && i < types[t].count; i++) {
			if (c->n == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct mv_load_context *v = realloc(c->v, ncap * sizeof(*v));
				if (!v) {
					rc = -ENOMEM;
					break;
				}
				c->v = v;
				cap = ncap;
			}
			struct mv_load_context *e = &c->v[c->n++];
			*e = (struct mv_load_context){ .obj = rt_heap_index_object(ix, &types[t], i),
							.mt = types[t].mt };
			read_context(rt, e);
			if (e->name_err == -ENOMEM)
				rc = -ENOMEM;
		}
	}
	if (rc) {
		contexts_free(c);
		return rc;
	}
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), by_obj);
	*out = c;
	return 0;
}

int mv_load_contexts(struct rt *rt, const struct mv_load_context **v, size_t *n)
{
	void *p;
	int rc = rt_part(rt, RT_PART_LOADCONTEXTS, contexts_build, contexts_free, &p);

	if (rc)
		return rc;
	*v = ((struct contexts *)p)->v;
	*n = ((struct contexts *)p)->n;
	return 0;
}
