// SPDX-License-Identifier: MIT
// The loaded modules: the AppDomain's list of assemblies (Loader.md: AppDomain
// -> AssemblyList -> Assembly -> Module; layout.h struct rt_lay_assemblies),
// each Module with where it was loaded from and the binder of its
// AssemblyLoadContext. Read once, on first use.
#include "modules.h"

#include "diag.h"
#include "dump.h"
#include "heapindex.h"
#include "layout.h"
#include "runtime.h"
#include "runtime_i.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MODULES_MAX   (1u << 16) /* assemblies a process plausibly loads */
#define PATH_UNITS_MAX 4096	 /* UTF-16 units of a path read at most */
#define PATH_CHUNK     128

struct modules {
	struct rt_module *v;
	size_t n;
};

static void modules_free(void *p)
{
	struct modules *m = p;

	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free((void *)m->v[i].path);
	free(m->v);
	free(m);
}

/* The NUL-terminated UTF-16 string at addr, read a chunk at a time. */
static int read_utf16(struct dump *d, uint64_t addr, uint16_t **out, size_t *len)
{
	uint16_t *s = malloc(PATH_UNITS_MAX * sizeof(*s));
	size_t n = 0;

	if (!s)
		return -ENOMEM;
	while (n < PATH_UNITS_MAX) {
		size_t want = PATH_UNITS_MAX - n < PATH_CHUNK ? PATH_UNITS_MAX - n : PATH_CHUNK, k;
		int rc = dump_read(d, addr + n * 2, s + n, want * 2);
		if (rc) { /* near the end of a mapping: one unit at a time */
			want = 1;
			rc = dump_read(d, addr + n * 2, s + n, 2);
		}
		if (rc) {
			free(s);
			return rc;
		}
		for (k = 0; k < want && s[n + k]; k++)
			;
		n += k;
		if (k < want) {
			*out = s;
			*len = n;
			return 0;
		}
	}
	free(s);
	return -EBADMSG; /* no end within PATH_UNITS_MAX */
}

/* Where the Module was loaded from: Module.Path, or PEImage's (8.0). */
static int module_path(struct rt *rt, uint64_t module, struct rt_module *m)
{
	const struct rt_lay_assemblies *a = &rt->lay.assemblies;
	const struct rt_lay_module *l = &rt->lay.module;
	struct dump *d = rt->d;
	uint64_t at = module, p, pea;
	uint16_t *s;
	int rc = 0;

	if (!a->mod_path) {
		rc = dump_read_ptr(d, module + l->pea, &pea);
		rc = rc ? rc : pea ? dump_read_ptr(d, pea + l->pea_image, &at) : -ENOTSUP;
		if (!rc && !at)
			rc = -ENOTSUP;
	}
	rc = rc ? rc : dump_read_ptr(d, at + a->path, &p);
	if (!rc && !p)
		rc = -ENOENT; /* loaded from memory: no path */
	rc = rc ? rc : read_utf16(d, p, &s, &m->path_len);
	if (!rc)
		m->path = s;
	return rc;
}

/* The binder: PEAssembly.AssemblyBinder, or the host assembly's. */
static int module_binder(struct rt *rt, uint64_t module, uint64_t *binder)
{
	const struct rt_lay_assemblies *a = &rt->lay.assemblies;
	struct dump *d = rt->d;
	uint64_t pea, host;
	int rc = dump_read_ptr(d, module + rt->lay.module.pea, &pea);

	rc = rc ? rc : pea ? dump_read_ptr(d, pea + a->pea_binder, &host) : -ENOTSUP;
	if (rc || a->binder_direct) {
		*binder = rc ? 0 : host;
		return rc;
	}
	if (!host)
		return -ENOENT;
	return dump_read_ptr(d, host + a->host_binder, binder);
}

static int modules_build(struct rt *rt, void **out)
{
	const struct rt_lay_assemblies *a = &rt->lay.assemblies;
	struct dump *d = rt->d;
	struct modules *m;
	uint64_t ad, block, list;
	uint32_t count;
	size_t seen = 0, skipped = 0;
	int rc = rt_layout_err(rt, RT_LG_ASSEMBLIES);

	rc = rc ? rc : rt_layout_err(rt, RT_LG_MODULE);
	rc = rc ? rc : dump_read_ptr(d, a->app_domain, &ad);
	rc = rc ? rc : ad ? 0 : -EBADMSG;
	if (rc)
		return rc;
	list = ad + a->list;
	rc = dump_read_u32(d, list + a->al_count, &count);
	if (rc)
		return rc;
	if (count > MODULES_MAX)
		return -EBADMSG;
	if (!(m = calloc(1, sizeof(*m))) || !(m->v = calloc(count ? count : 1, sizeof(*m->v)))) {
		free(m);
		return -ENOMEM;
	}
	/* The first block lies in the list itself; each holds Size entries. */
	block = list + a->al_first;
	for (size_t blocks = 0; !rc && block && seen < count; blocks++) {
		uint32_t size;
		if (blocks > count) {
			rc = -EBADMSG; /* more blocks than entries: a loop */
			break;
		}
		rc = dump_read_u32(d, block + a->alb_size, &size);
		for (uint32_t k = 0; !rc && k < size && seen < count; k++, seen++) {
			uint64_t entry, assembly, module, back;
			rc = dump_read_ptr(d, block + a->alb_array + (uint64_t)k * RT_PTR_SIZE, &entry);
			if (rc || !entry)
				continue;
			assembly = entry;
			if (a->domain_assembly && dump_read_ptr(d, entry + a->da_assembly, &assembly))
				assembly = 0;
			if (!assembly || dump_read_ptr(d, assembly + a->asm_module, &module) || !module ||
			    dump_read_ptr(d, module + a->mod_assembly, &back) || back != assembly) {
				skipped++;
				continue;
			}
			struct rt_module *e = &m->v[m->n++];
			e->assembly = assembly;
			e->module = module;
			e->path_err = module_path(rt, module, e);
			e->binder_err = module_binder(rt, module, &e->binder);
		}
		rc = rc ? rc : dump_read_ptr(d, block + a->alb_next, &block);
	}
	if (!rc && seen < count)
		rc = -EBADMSG; /* the blocks end before the count */
	if (rc == -ENOMEM) {
		modules_free(m);
		return rc;
	}
	if (rc || skipped)
		diag_add(dump_diag(d),
			 "the AppDomain's assembly list: %zu of %" PRIu32 " entries unreadable%s", skipped,
			 count, rc ? ", and the list is cut short" : "");
	*out = m;
	return 0;
}

int rt_modules(struct rt *rt, const struct rt_module **mods, size_t *count)
{
	void *p;
	int rc = rt_part(rt, RT_PART_MODULES, modules_build, modules_free, &p);

	if (rc)
		return rc;
	*mods = ((struct modules *)p)->v;
	*count = ((struct modules *)p)->n;
	return 0;
}

static int addr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int rt_modules_all(struct rt *rt, uint64_t **out, size_t *count)
{
	const struct rt_module *mods = NULL;
	uint64_t *heap, *v;
	size_t nheap, nmods = 0, n = 0;
	int rc = rt_heap_modules(rt, &heap, &nheap);

	if (rc)
		return rc;
	if (rt_modules(rt, &mods, &nmods))
		nmods = 0; /* the heap's modules only: /info says why */
	if (!(v = malloc((nheap + nmods + 1) * sizeof(*v)))) {
		free(heap);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nheap; i++)
		v[n++] = heap[i];
	for (size_t i = 0; i < nmods; i++)
		v[n++] = mods[i].module;
	free(heap);
	qsort(v, n, sizeof(*v), addr_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || v[u - 1] != v[i])
			v[u++] = v[i];
	*out = v;
	*count = u;
	return 0;
}
