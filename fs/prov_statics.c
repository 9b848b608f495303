/* SPDX-License-Identifier: MIT */
/* fs/prov_statics: a type's static fields as a directory (/heap/types/<type>/statics
 * and /statics/<type>), and /statics: every loaded type with static fields. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "fields.h"
#include "heapindex.h"
#include "modules.h"
#include "statics.h"
#include "types.h"
#include "format.h"
#include "heap_types.h"
#include "fs_i.h"
#include "prov_fields.h"

#define NAME_MAX_LEN 255

/* Whether the static field f has a value clrfs reads (thread statics and
 * RVA statics are listed in info only). */
static bool shown(const struct rt_field *f)
{
	return f->is_static && !f->is_thread_static && !f->is_rva;
}

bool fs_type_has_statics(struct rt *rt, uint64_t mt)
{
	const struct rt_field *fields;
	size_t n;

	if (rt_type_static_fields(rt, mt, &fields, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (shown(&fields[i]))
			return true;
	return false;
}

/* A static whose value cannot be located: the file says why. Key: u = the
 * type's MethodTable, p = the field. */
static int static_error_render(struct fs_node *file, struct strbuf *b)
{
	uint64_t addr;
	int rc = rt_static_field_addr(fs_of(file)->rt, fs_node_key(file).u, fs_node_key(file).p,
				      &addr);

	fs_put_unreadable(b, rc ? rc : -EBADMSG);
	strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops static_error_ops = { .render = static_error_render };

/* Key: u = the type's MethodTable (the exact instantiation). */
static int statics_dir_populate(struct fs_node *dir)
{
	struct rt *rt = fs_of(dir)->rt;
	uint64_t mt = fs_node_key(dir).u, addr;
	const struct rt_field *fields;
	size_t n;
	int rc = rt_type_static_fields(rt, mt, &fields, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		const struct rt_field *f = &fields[i];
		if (!shown(f))
			continue;
		if (rt_static_field_addr(rt, mt, f, &addr) == 0) {
			rc = fs_add_field(dir, f->name, f, addr);
		} else {
			char *c = fs_component(f->name);
			rc = c ? fs_node_add(dir, c, FS_FILE, &static_error_ops,
					     (struct fs_key){ mt, (void *)f }, NULL)
			       : -ENOMEM;
			free(c);
		}
	}
	return rc;
}

const struct fs_ops fs_type_statics_ops = { .populate = statics_dir_populate };

/* --- /statics --- */

struct named_type {
	const char *name;
	uint64_t mt;
};

static int by_name(const void *a, const void *b)
{
	const struct named_type *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->mt < y->mt ? -1 : x->mt > y->mt;
}

/* Adds one directory per type with statics of every loaded module
 * (modules.h rt_modules_all); a name several types share, or one too long
 * for a directory, gets "@<MT>" (alone when too long). */
static int statics_root_populate(struct fs_node *dir)
{
	struct fs *fs = fs_of(dir);
	struct named_type *types = NULL;
	size_t ntypes = 0, cap = 0, nmods = 0;
	uint64_t *mods = NULL;
	int rc = rt_modules_all(fs->rt, &mods, &nmods);

	for (size_t m = 0; !rc && m < nmods; m++) {
		uint64_t *mts;
		size_t n;
		if (rt_module_types(fs->rt, mods[m], &mts, &n))
			continue; /* a module whose tables cannot be read shows nothing */
		for (size_t i = 0; !rc && i < n; i++) {
			const char *name;
			if (rt_type_name(fs->rt, mts[i], &name) || !fs_type_has_statics(fs->rt, mts[i]))
				continue;
			if (ntypes == cap) {
				cap = cap ? cap * 2 : 256;
				void *p = realloc(types, cap * sizeof(*types));
				if (!p)
					rc = -ENOMEM;
				else
					types = p;
			}
			if (!rc)
				types[ntypes++] = (struct named_type){ name, mts[i] };
		}
		free(mts);
	}
	free(mods);
	if (ntypes)
		qsort(types, ntypes, sizeof(*types), by_name);
	size_t u = 0; /* a type the module's tables list twice, once */
	for (size_t i = 0; i < ntypes; i++)
		if (!u || types[u - 1].mt != types[i].mt)
			types[u++] = types[i];
	ntypes = u;
	for (size_t i = 0; !rc && i < ntypes; i++) {
		struct fs_key key = { types[i].mt, NULL };
		bool shared = (i > 0 && strcmp(types[i - 1].name, types[i].name) == 0) ||
			      (i + 1 < ntypes && strcmp(types[i + 1].name, types[i].name) == 0);
		char *name = NULL, *c = fs_component(types[i].name);
		if (c && strlen(c) > NAME_MAX_LEN - 19) {
			if (asprintf(&name, "@%016" PRIx64, types[i].mt) < 0)
				name = NULL;
		} else if (c && shared) {
			if (asprintf(&name, "%s@%016" PRIx64, c, types[i].mt) < 0)
				name = NULL;
		} else if (c) {
			name = strdup(c);
		}
		rc = name ? 0 : -ENOMEM;
		free(c);
		if (!rc)
			rc = fs_node_add(dir, name, FS_DIR, &fs_type_statics_ops, key, NULL);
		free(name);
	}
	free(types);
	return rc;
}

const struct fs_ops fs_statics_ops = { .populate = statics_root_populate };
