/* SPDX-License-Identifier: MIT */
/* fs/prov_modules: /modules/<name>/ (every loaded module: info, types, a link
 * to its load context) and /loadcontexts/<name>/ (every AssemblyLoadContext
 * on the heap: info, object, modules/ of links).
 *
 * A module's directory is named by the file name of the path it was loaded
 * from, a context's by its name (both escaped, names.h); a name that occurs
 * more than once gets "@" and the Module's (the context object's) address
 * on each of them, and a module or context without one (or with one too long
 * for that) is named by that address alone. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "managed.h"
#include "meta.h"
#include "modules.h"
#include "names.h"
#include "strbuf.h"
#include "types.h"
#include "values.h"
#include "format.h"
#include "fs_i.h"

#define NAME_LEN_MAX 255 /* bytes of a directory name (fuse_ll.c f_namemax) */

/* The escaped file name of a module (the last component of its path), or
 * NULL when its path is unreadable. */
static char *module_file(const struct rt_module *m)
{
	struct strbuf raw, safe;
	size_t from = 0;

	if (!m->path)
		return NULL;
	for (size_t i = 0; i < m->path_len; i++)
		if (m->path[i] == '/')
			from = i + 1;
	strbuf_init(&raw);
	strbuf_init(&safe);
	mv_put_utf16(&raw, m->path + from, m->path_len - from);
	name_put(&safe, raw.data ? raw.data : "", raw.len);
	strbuf_destroy(&raw);
	return strbuf_steal(&safe, NULL);
}

static char **sort_base; /* qsort's context: the tree lock is held */

static int by_base(const void *a, const void *b)
{
	const char *x = sort_base[*(const size_t *)a], *y = sort_base[*(const size_t *)b];
	return !x || !y ? (x != NULL) - (y != NULL) : strcmp(x, y);
}

/* Directory names for n things: base[i] (escaped; NULL for none) made
 * unique with "@0x<addr[i]>". Each a path component; NULL on no memory. */
static char **unique_names(char **base, const uint64_t *addr, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof(*out));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	bool *dup = calloc(n ? n : 1, sizeof(*dup));

	if (!out || !order || !dup) {
		free(out);
		out = NULL;
		goto done;
	}
	/* Sorted by name, a name equal to its neighbour's is a duplicate. */
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_base = base;
	qsort(order, n, sizeof(*order), by_base);
	for (size_t i = 1; i < n; i++)
		if (base[order[i]] && base[order[i - 1]] && !strcmp(base[order[i]], base[order[i - 1]]))
			dup[order[i]] = dup[order[i - 1]] = true;
	for (size_t i = 0; i < n; i++) {
		struct strbuf b;
		bool named = base[i] != NULL;
		strbuf_init(&b);
		if (named) {
			name_put_component(&b, base[i]);
			if (b.len > NAME_LEN_MAX - 19) { /* no room for "@0x..." */
				strbuf_truncate(&b, 0);
				named = false;
			} else if (dup[i]) {
				strbuf_puts(&b, "@");
			}
		}
		if (!named || dup[i])
			fs_put_addr(&b, addr[i]);
		if (!(out[i] = strbuf_steal(&b, NULL))) {
			for (size_t k = 0; k < i; k++)
				free(out[k]);
			free(out);
			out = NULL;
			break;
		}
	}
done:
	free(order);
	free(dup);
	return out;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* The directory names of the modules, in rt_modules() order. */
static int module_names(struct fs *fs, const struct rt_module **mods, size_t *n, char ***names)
{
	int rc = rt_modules(fs->rt, mods, n);
	char **base;
	uint64_t *addr;

	if (rc)
		return rc;
	base = calloc(*n ? *n : 1, sizeof(*base));
	addr = calloc(*n ? *n : 1, sizeof(*addr));
	for (size_t i = 0; base && addr && i < *n; i++) {
		addr[i] = (*mods)[i].module;
		base[i] = module_file(&(*mods)[i]);
	}
	*names = base && addr ? unique_names(base, addr, *n) : NULL;
	free_names(base, *n);
	free(addr);
	return *names ? 0 : -ENOMEM;
}

/* The directory names of the load contexts, in mv_load_contexts() order. */
static int context_names(struct fs *fs, const struct mv_load_context **ctx, size_t *n,
			 char ***names)
{
	int rc = mv_load_contexts(fs->rt, ctx, n);
	char **base;
	uint64_t *addr;

	if (rc)
		return rc;
	base = calloc(*n ? *n : 1, sizeof(*base));
	addr = calloc(*n ? *n : 1, sizeof(*addr));
	for (size_t i = 0; base && addr && i < *n; i++) {
		addr[i] = (*ctx)[i].obj;
		base[i] = (*ctx)[i].name; /* borrowed: escaped already */
	}
	*names = base && addr ? unique_names(base, addr, *n) : NULL;
	free(base);
	free(addr);
	return *names ? 0 : -ENOMEM;
}

/* The context whose binder the module's is: its index, or -1. */
static ssize_t context_of(const struct rt_module *m, const struct mv_load_context *ctx, size_t n)
{
	for (size_t i = 0; !m->binder_err && i < n; i++)
		if (!ctx[i].err && ctx[i].binder == m->binder)
			return (ssize_t)i;
	return -1;
}

static const struct rt_module *module_at(struct fs *fs, uint64_t module)
{
	const struct rt_module *mods;
	size_t n;

	if (rt_modules(fs->rt, &mods, &n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (mods[i].module == module)
			return &mods[i];
	return NULL;
}

/* --- /modules/<name>/ (key.u: the Module) --- */

/* Text from the dump on one line: control characters escaped (names.h). */
static void put_path(struct strbuf *b, const struct rt_module *m)
{
	struct strbuf raw;

	if (!m->path) {
		fs_put_unreadable(b, m->path_err);
		return;
	}
	strbuf_init(&raw);
	mv_put_utf16(&raw, m->path, m->path_len);
	name_put_text(b, raw.data ? raw.data : "", raw.len);
	strbuf_destroy(&raw);
}

static int module_info_render(struct fs_node *file, struct strbuf *b)
{
	struct fs *fs = fs_of(file);
	const struct rt_module *m = module_at(fs, fs_node_key(file).u);
	const struct mv_load_context *ctx;
	const struct meta *meta;
	const char *name;
	uint16_t v[4];
	uint64_t base;
	uint32_t size;
	bool mapped;
	size_t n;
	int rc;

	if (!m)
		return -ENOENT;
	char *file_name = module_file(m);
	strbuf_puts(b, "file: ");
	if (file_name)
		strbuf_puts(b, file_name);
	else
		fs_put_unreadable(b, m->path_err);
	free(file_name);
	strbuf_puts(b, "\npath: ");
	put_path(b, m);
	strbuf_puts(b, "\nassembly-name: ");
	rc = rt_module_meta(fs->rt, m->module, &meta);
	rc = rc ? rc : meta_assembly(meta, &name, v);
	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\nversion: ");
		fs_put_unreadable(b, rc);
	} else {
		strbuf_puts(b, name);
		strbuf_printf(b, "\nversion: %u.%u.%u.%u", v[0], v[1], v[2], v[3]);
	}
	strbuf_puts(b, "\nloadcontext: ");
	rc = m->binder_err ? m->binder_err : mv_load_contexts(fs->rt, &ctx, &n);
	if (rc) {
		fs_put_unreadable(b, rc);
	} else {
		ssize_t c = context_of(m, ctx, n);
		if (c < 0)
			strbuf_puts(b, "<unreadable: no AssemblyLoadContext on the heap has its binder>");
		else if (ctx[c].name)
			strbuf_puts(b, ctx[c].name);
		else
			fs_put_addr(b, ctx[c].obj);
	}
	strbuf_puts(b, "\nmodule: ");
	fs_put_addr(b, m->module);
	strbuf_puts(b, "\nassembly: ");
	fs_put_addr(b, m->assembly);
	strbuf_puts(b, "\nbinder: ");
	if (m->binder_err)
		fs_put_unreadable(b, m->binder_err);
	else
		fs_put_addr(b, m->binder);
	rc = rt_module_image(fs->rt, m->module, &base, &size, &mapped);
	if (rc) {
		strbuf_puts(b, "\nbase: ");
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return 0;
	}
	strbuf_puts(b, "\nbase: ");
	fs_put_addr(b, base);
	/* in-dump: how much of the image the dump file holds, page by page
	 * (the rest is read from the module file, when there is one). */
	uint64_t held = 0;
	for (uint64_t off = 0; off < size; off += 4096) {
		uint64_t len = size - off < 4096 ? size - off : 4096;
		held += dump_has(fs->dump, base + off, len) ? len : 0;
	}
	strbuf_printf(b, "\nsize: %" PRIu32 "\nlayout: %s\nin-dump: %" PRIu64 " of %" PRIu32 " bytes\n",
		      size, mapped ? "mapped" : "flat", held, size);
	return 0;
}

static const struct fs_ops module_info_ops = { .render = module_info_render };

/* The /heap/stats lines of the module's types. */
static int module_types_render(struct fs_node *file, struct strbuf *b)
{
	return fs_put_heap_stats(fs_of(file), FS_STATS_ALL, fs_node_key(file).u, b);
}

static const struct fs_ops module_types_ops = { .render = module_types_render };

static int module_dir_populate(struct fs_node *dir)
{
	struct fs *fs = fs_of(dir);
	const struct rt_module *m = module_at(fs, fs_node_key(dir).u);
	const struct mv_load_context *ctx;
	char **names = NULL;
	size_t n = 0;
	int rc;

	if (!m)
		return -ENOENT;
	rc = fs_node_add(dir, "info", FS_FILE, &module_info_ops, fs_node_key(dir), NULL);
	rc = rc ? rc : fs_node_add(dir, "types", FS_FILE, &module_types_ops, fs_node_key(dir), NULL);
	if (rc || context_names(fs, &ctx, &n, &names))
		return rc; /* no contexts: no link */
	ssize_t c = context_of(m, ctx, n);
	if (c >= 0) {
		char *target;
		if (asprintf(&target, "loadcontexts/%s", names[c]) < 0)
			rc = -ENOMEM;
		else
			rc = fs_node_add_link(dir, "loadcontext", target);
		free(target);
	}
	free_names(names, n);
	return rc;
}

static const struct fs_ops module_dir_ops = { .populate = module_dir_populate };

static int modules_populate(struct fs_node *dir)
{
	const struct rt_module *mods;
	char **names = NULL;
	size_t n = 0;
	int rc = module_names(fs_of(dir), &mods, &n, &names);

	for (size_t i = 0; !rc && i < n; i++)
		rc = fs_node_add(dir, names[i], FS_DIR, &module_dir_ops,
				 (struct fs_key){ mods[i].module, NULL }, NULL);
	free_names(names, n);
	return rc;
}

const struct fs_ops fs_modules_ops = { .populate = modules_populate };

/* --- /loadcontexts/<name>/ (key.u: the context object) --- */

static const struct mv_load_context *context_at(struct fs *fs, uint64_t obj)
{
	const struct mv_load_context *ctx;
	size_t n;

	if (mv_load_contexts(fs->rt, &ctx, &n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (ctx[i].obj == obj)
			return &ctx[i];
	return NULL;
}

static int context_info_render(struct fs_node *file, struct strbuf *b)
{
	struct fs *fs = fs_of(file);
	const struct mv_load_context *c = context_at(fs, fs_node_key(file).u);
	const struct rt_module *mods;
	const char *type;
	size_t n, count = 0;
	int rc;

	if (!c)
		return -ENOENT;
	strbuf_puts(b, "name: ");
	if (c->name)
		strbuf_puts(b, c->name);
	else if (c->name_err)
		fs_put_unreadable(b, c->name_err);
	else
		strbuf_puts(b, "null");
	strbuf_puts(b, "\nobject: ");
	fs_put_addr(b, c->obj);
	strbuf_puts(b, "\ntype: ");
	rc = rt_type_name(fs->rt, c->mt, &type);
	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_puts(b, type);
	if (c->err) {
		strbuf_puts(b, "\ncollectible: ");
		fs_put_unreadable(b, c->err);
		strbuf_puts(b, "\n");
		return 0;
	}
	strbuf_printf(b, "\ncollectible: %s\nstate: %s\nbinder: ", c->collectible ? "yes" : "no",
		      c->unloading ? "unloading" : "alive");
	fs_put_addr(b, c->binder);
	strbuf_puts(b, "\nmodules: ");
	rc = rt_modules(fs->rt, &mods, &n);
	for (size_t i = 0; !rc && i < n; i++)
		count += !mods[i].binder_err && mods[i].binder == c->binder;
	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_printf(b, "%zu", count);
	strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops context_info_ops = { .render = context_info_render };

/* modules/: a link to each module the context loaded. */
static int context_modules_populate(struct fs_node *dir)
{
	struct fs *fs = fs_of(dir);
	const struct mv_load_context *c = context_at(fs, fs_node_key(dir).u);
	const struct rt_module *mods;
	char **names = NULL, *target;
	size_t n = 0;
	int rc;

	if (!c)
		return -ENOENT;
	if (c->err)
		return c->err;
	rc = module_names(fs, &mods, &n, &names);
	for (size_t i = 0; !rc && i < n; i++) {
		if (mods[i].binder_err || mods[i].binder != c->binder)
			continue;
		if (asprintf(&target, "modules/%s", names[i]) < 0) {
			rc = -ENOMEM;
			break;
		}
		rc = fs_node_add_link(dir, names[i], target);
		free(target);
	}
	free_names(names, n);
	return rc;
}

static const struct fs_ops context_modules_ops = { .populate = context_modules_populate };

static int context_dir_populate(struct fs_node *dir)
{
	struct fs_key key = fs_node_key(dir);
	int rc = fs_node_add(dir, "info", FS_FILE, &context_info_ops, key, NULL);

	rc = rc ? rc : fs_add_object_link(dir, "object", key.u);
	return rc ? rc : fs_node_add(dir, "modules", FS_DIR, &context_modules_ops, key, NULL);
}

static const struct fs_ops context_dir_ops = { .populate = context_dir_populate };

static int contexts_populate(struct fs_node *dir)
{
	const struct mv_load_context *ctx;
	char **names = NULL;
	size_t n = 0;
	int rc = context_names(fs_of(dir), &ctx, &n, &names);

	for (size_t i = 0; !rc && i < n; i++)
		rc = fs_node_add(dir, names[i], FS_DIR, &context_dir_ops,
				 (struct fs_key){ ctx[i].obj, NULL }, NULL);
	free_names(names, n);
	return rc;
}

const struct fs_ops fs_loadcontexts_ops = { .populate = contexts_populate };
