/* SPDX-License-Identifier: MIT */
/* fs/prov_types: /heap/types/<type>/ (info, objects, one directory per object)
 * and /heap/objects/<addr> links to them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "dump.h"
#include "heap.h"
#include "heapindex.h"
#include "refgraph.h"
#include "format.h"
#include "managed.h"
#include "locks.h"
#include "tasks.h"
#include "objects.h"
#include "fields.h"
#include "types.h"
#include "heap_types.h"
#include "fs_i.h"
#include "prov_fields.h"

#define ADDR_NAME_LEN 18 /* "0x" + 16 hex digits */

/* Keys: a type directory and its files carry key.p = its struct fs_heap_type
 * (borrowed from fs->heap_types, which lives as long as the tree); an
 * object directory and its files carry key.u = the object's address too. */
static const struct fs_heap_type *key_type(const struct fs_node *n)
{
	return fs_node_key(n).p;
}

/* Parses a canonical address name: "0x" and exactly 16 lowercase hex digits. */
static int parse_addr(const char *name, uint64_t *addr)
{
	uint64_t v = 0;
	if (strlen(name) != ADDR_NAME_LEN || name[0] != '0' || name[1] != 'x')
		return -ENOENT;
	for (const char *p = name + 2; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d < 0)
			return -ENOENT;
		v = v << 4 | (uint64_t)d;
	}
	*addr = v;
	return 0;
}

static void addr_name(uint64_t addr, char *buf)
{
	snprintf(buf, ADDR_NAME_LEN + 1, "0x%016" PRIx64, addr);
}

/* --- /heap/types/<type>/<addr>/ --- */

/* An object's file that one decoder function makes from the object's
 * address (the file's key.u); key.p is its struct obj_file. */
struct obj_file {
	int (*render)(struct rt *rt, uint64_t obj, struct strbuf *out);
	bool value; /* one value, which the file ends with a newline */
};

/* stacktrace (exceptions): the frames the runtime recorded as it was thrown,
 * IP<TAB>METHOD+0xOFFSET, the throwing frame first; empty when never thrown.
 * Tasks: status and method as /tasks/list gives them. lock: the object's
 * /locks/list line (decoder/managed/locks.h). */
static const struct obj_file stacktrace_file = {mv_exception_stack, false};
static const struct obj_file task_status_file = {mv_task_status, true};
static const struct obj_file task_method_file = {mv_task_method, true};
static const struct obj_file lock_file = {mv_object_lock, false};
/* refs: the object's outgoing references (decoder/managed/refs.c). */
static const struct obj_file refs_file = {mv_object_refs, false};
/* referrers: the objects that point at it (the whole heap's graph). */
static const struct obj_file referrers_file = {mv_object_referrers, false};
/* path: a shortest path from a root (the graph walked from the roots once);
 * retained, dominator: from the dominator tree of the live set. */
static const struct obj_file path_file = {mv_object_path, false};
static const struct obj_file retained_file = {mv_object_retained, true};
static const struct obj_file dominator_file = {mv_object_dominator, true};
/* items, count: a collection's elements in its own order (decoder/managed/collections.c). */
static const struct obj_file items_file = {mv_collection_items, false};
static const struct obj_file count_file = {mv_collection_count, true};

/* What the file's function writes, or one <unreadable: reason> line. */
static int obj_file_render(struct fs_node *file, struct strbuf *b)
{
	const struct obj_file *f = fs_node_key(file).p;
	size_t before = b->len;
	int rc = f->render(fs_of(file)->rt, fs_node_key(file).u, b);

	fs_put_result(b, before, rc);
	if (rc || f->value)
		strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops obj_file_ops = { .render = obj_file_render };
static const struct fs_ops obj_small_file_ops = { .render = obj_file_render, .small = true };

/* Adds the file name made by f to the object directory dir. */
static int add_obj_file(struct fs_node *dir, const char *name, const struct obj_file *f,
			bool small)
{
	return fs_node_add(dir, name, FS_FILE, small ? &obj_small_file_ops : &obj_file_ops,
			   (struct fs_key){fs_node_key(dir).u, (void *)f}, NULL);
}

static int obj_type_render(struct fs_node *file, struct strbuf *b)
{
	const struct fs_heap_type *t = key_type(file);
	strbuf_printf(b, "%s\n", t->name ? t->name : t->dir);
	return 0;
}

static int obj_size_render(struct fs_node *file, struct strbuf *b)
{
	uint64_t mt, size;
	int rc = rt_object_size(fs_of(file)->rt, fs_node_key(file).u, &mt, &size);

	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_printf(b, "%" PRIu64, size);
	strbuf_puts(b, "\n");
	return 0;
}

/* A state machine box's state (<>1__state); continuation, a link to the box
 * its completion resumes (continuations/ with one link each when several). */
static int obj_box_state_render(struct fs_node *file, struct strbuf *b)
{
	int64_t state;
	int rc = mv_box_state(fs_of(file)->rt, fs_node_key(file).u, &state);

	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_printf(b, "%" PRId64, state);
	strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops obj_box_state_ops = { .render = obj_box_state_render, .small = true };

#define CONTINUATIONS_MAX 4096

static int obj_continuations_populate(struct fs_node *dir)
{
	uint64_t *v = malloc(CONTINUATIONS_MAX * sizeof(*v));
	size_t n = 0;
	char name[24];
	int rc = v ? mv_task_continuations(fs_of(dir)->rt, fs_node_key(dir).u, v, CONTINUATIONS_MAX, &n)
		   : -ENOMEM;

	for (size_t i = 0; !rc && i < n; i++) {
		snprintf(name, sizeof(name), "%zu", i);
		rc = fs_add_object_link(dir, name, v[i]);
	}
	free(v);
	return rc;
}

static const struct fs_ops obj_continuations_ops = { .populate = obj_continuations_populate };

/* asynclocals of a box: those of the ExecutionContext it captured. */
static int obj_box_asynclocals_render(struct fs_node *file, struct strbuf *b)
{
	uint64_t ec;
	int rc = mv_box_context(fs_of(file)->rt, fs_node_key(file).u, &ec);

	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return 0;
	}
	fs_put_context_asynclocals(fs_of(file), ec, b);
	return 0;
}

static const struct fs_ops obj_box_asynclocals_ops = { .render = obj_box_asynclocals_render };

/* The task files of a task's directory; a box's also machine/ (its state
 * machine's fields: hoisted parameters and locals), awaits (a link to the
 * task it is suspended on) and asynclocals. */
static int add_task_files(struct fs_node *dir, struct rt *rt, uint64_t obj, uint64_t mt,
			  struct fs_key key)
{
	const struct rt_field *fields;
	uint64_t conts[2], awaited;
	size_t n = 0, nf;
	int64_t state;
	int rc = add_obj_file(dir, "status", &task_status_file, true);

	rc = rc ? rc : add_obj_file(dir, "method", &task_method_file, true);
	if (!rc && mv_box_state(rt, obj, &state) != -EBADMSG) {
		rc = fs_node_add(dir, "state", FS_FILE, &obj_box_state_ops, key, NULL);
		rc = rc ? rc : fs_node_add(dir, "asynclocals", FS_FILE, &obj_box_asynclocals_ops, key, NULL);
		for (size_t i = 0; !rc && rt_type_instance_fields(rt, mt, &fields, &nf) == 0 && i < nf; i++)
			if (!strcmp(fields[i].name, "StateMachine"))
				rc = fs_add_field(dir, "machine", &fields[i],
						  rt_object_fields(rt, obj) + fields[i].offset);
		if (!rc && mv_box_awaits(rt, obj, &awaited) == 0 && awaited)
			rc = fs_add_object_link(dir, "awaits", awaited);
	}
	if (!rc && mv_task_continuations(rt, obj, conts, 2, &n) == 0) {
		if (n == 1)
			rc = fs_add_object_link(dir, "continuation", conts[0]);
		else if (n > 1)
			rc = fs_node_add(dir, "continuations", FS_DIR, &obj_continuations_ops, key, NULL);
	}
	return rc;
}

static const struct fs_ops obj_type_ops = { .render = obj_type_render, .small = true };
static const struct fs_ops obj_size_ops = { .render = obj_size_render, .small = true };


static int obj_dir_populate(struct fs_node *dir)
{
	struct rt *rt = fs_of(dir)->rt;
	uint64_t mt = key_type(dir)->mt;
	struct fs_key key = fs_node_key(dir);
	int rc = fs_node_add(dir, "type", FS_FILE, &obj_type_ops, key, NULL);

	rc = rc ? rc : fs_node_add(dir, "size", FS_FILE, &obj_size_ops, key, NULL);
	rc = rc ? rc : add_obj_file(dir, "refs", &refs_file, false);
	rc = rc ? rc : add_obj_file(dir, "referrers", &referrers_file, false);
	rc = rc ? rc : add_obj_file(dir, "path", &path_file, false);
	/* Not small: a listing must not build the dominator tree. */
	rc = rc ? rc : add_obj_file(dir, "retained", &retained_file, false);
	rc = rc ? rc : add_obj_file(dir, "dominator", &dominator_file, false);
	if (!rc && fs_obj_has_fields(rt, mt)) {
		rc = fs_node_add(dir, "fields", FS_DIR, &fs_obj_fields_ops, key, NULL);
		rc = rc ? rc : fs_node_add(dir, "dump", FS_FILE, &fs_obj_dump_ops, key, NULL);
	}
	if (!rc && fs_obj_has_value(rt, mt))
		rc = fs_node_add(dir, "value", FS_FILE, &fs_obj_value_ops, key, NULL);
	if (!rc && mv_is_collection(rt, mt)) {
		rc = add_obj_file(dir, "items", &items_file, false);
		rc = rc ? rc : add_obj_file(dir, "count", &count_file, false); /* walks it */
		rc = rc ? rc : fs_node_add(dir, "elements", FS_DIR, &fs_obj_elements_ops, key, NULL);
	}
	if (!rc && mv_derives_from(rt, mt, MV_EXCEPTION))
		rc = add_obj_file(dir, "stacktrace", &stacktrace_file, false);
	if (!rc && mv_derives_from(rt, mt, MV_TASK))
		rc = add_task_files(dir, rt, key.u, mt, key);
	if (!rc && mv_object_is_locked(rt, key.u, mt))
		rc = add_obj_file(dir, "lock", &lock_file, true);
	return rc;
}

static const struct fs_ops obj_dir_ops = { .populate = obj_dir_populate };

/* --- /heap/types/<type>/ --- */

/* "key: value" lines about the type, then its instance fields as
 * "field: OFFSET<TAB>TYPE<TAB>NAME" lines in offset order (inherited first),
 * then the static fields it declares as "static: TYPE<TAB>NAME". */
static int type_info_render(struct fs_node *file, struct strbuf *b)
{
	struct rt *rt = fs_of(file)->rt;
	const struct fs_heap_type *t = key_type(file);
	struct rt_type_info info;
	const struct rt_field *fields;
	const char *parent;
	size_t n;
	int rc;

	strbuf_puts(b, "name: ");
	if (t->name)
		strbuf_puts(b, t->name);
	else
		fs_put_unreadable(b, t->name_err);
	strbuf_puts(b, "\nmt: ");
	fs_put_addr(b, t->mt);
	rc = rt_type_info(rt, t->mt, &info);
	if (rc) {
		strbuf_puts(b, "\nlayout: ");
		fs_put_unreadable(b, rc);
	} else {
		strbuf_puts(b, "\nmodule: ");
		fs_put_addr(b, info.module);
		strbuf_printf(b, "\nbase-size: %" PRIu32 "\ncomponent-size: %" PRIu32, info.base_size,
			      info.component_size);
		strbuf_puts(b, "\nparent: ");
		if (!info.parent_mt)
			strbuf_puts(b, "none");
		else if (rt_type_name(rt, info.parent_mt, &parent) == 0)
			strbuf_puts(b, parent);
		else
			fs_put_addr(b, info.parent_mt);
	}
	strbuf_printf(b, "\ncount: %" PRIu64 "\nbytes: %" PRIu64 "\n", t->objs->count, t->objs->bytes);
	if (!rc && !info.is_string && !info.is_array) {
		rc = rt_type_instance_fields(rt, t->mt, &fields, &n);
		if (rc) {
			strbuf_puts(b, "fields: ");
			fs_put_unreadable(b, rc);
			strbuf_puts(b, "\n");
		}
		for (size_t i = 0; !rc && i < n; i++)
			strbuf_printf(b, "field: %" PRIu32 "\t%s\t%s\n", fields[i].offset,
				      fields[i].type_name, fields[i].name);
	}
	/* Static fields the type declares, listed (their values come with statics). */
	if (rt_type_static_fields(rt, t->mt, &fields, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			strbuf_printf(b, "static: %s\t%s%s\n", fields[i].type_name, fields[i].name,
				      fields[i].is_thread_static ? "\tthread-static" : "");
	}
	return 0;
}

/* ADDR<TAB>SIZE<TAB>one-line rendering per object, in address order (made
 * for grep: a string's line holds its quoted text). */
static int type_objects_render(struct fs_node *file, struct strbuf *b)
{
	struct fs *fs = fs_of(file);
	const struct fs_heap_type *t = key_type(file);
	const struct fs_heap_types *ht;
	int rc = fs_heap_types(fs, &ht);

	if (rc)
		return rc;
	for (uint64_t i = 0; i < t->objs->count; i++) {
		uint64_t obj = rt_heap_index_object(ht->ix, t->objs, i), mt, size;
		fs_put_addr(b, obj);
		strbuf_puts(b, "\t");
		rc = rt_object_size(fs->rt, obj, &mt, &size);
		if (rc)
			fs_put_unreadable(b, rc);
		else
			strbuf_printf(b, "%" PRIu64, size);
		strbuf_puts(b, "\t");
		fs_put_object_line(fs->rt, obj, t->mt, b);
		strbuf_puts(b, "\n");
	}
	return 0;
}

/* The bytes the type's live objects retain together (the dominator tree of the
 * live set: decoder/runtime/dominators.c). */
static int type_retained_render(struct fs_node *file, struct strbuf *b)
{
	uint64_t bytes;
	int rc = rt_type_retained(fs_of(file)->rt, key_type(file)->mt, &bytes);

	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_printf(b, "%" PRIu64, bytes);
	strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops type_info_ops = { .render = type_info_render };
static const struct fs_ops type_objects_ops = { .render = type_objects_render };
static const struct fs_ops type_retained_ops = { .render = type_retained_render };

/* never object addresses */
enum { TYPE_KEY_INFO = 1, TYPE_KEY_OBJECTS, TYPE_KEY_RETAINED, TYPE_KEY_STATICS };

/* The type directory of the object /heap/objects shows at addr
 * (rt_heap_index_shows(): one the heap walk found, or one past a break in
 * the heap), or NULL. */
static const struct fs_heap_type *object_shown(struct fs *fs, uint64_t addr)
{
	const struct fs_heap_types *ht;
	uint64_t mt;

	if (fs_heap_types(fs, &ht) || !rt_heap_index_shows(fs->rt, ht->ix, addr, &mt))
		return NULL;
	return fs_heap_type_by_mt(ht, mt);
}

static int type_dir_vlookup(struct fs_node *dir, const char *name, uint64_t *key)
{
	const struct fs_heap_types *ht;
	uint64_t addr, index;
	int rc;

	if (strcmp(name, "info") == 0 || strcmp(name, "objects") == 0 ||
	    strcmp(name, "retained") == 0) {
		*key = name[0] == 'i' ? TYPE_KEY_INFO : name[0] == 'o' ? TYPE_KEY_OBJECTS : TYPE_KEY_RETAINED;
		return 0;
	}
	if (strcmp(name, "statics") == 0) {
		if (!fs_type_has_statics(fs_of(dir)->rt, key_type(dir)->mt))
			return -ENOENT;
		*key = TYPE_KEY_STATICS;
		return 0;
	}
	rc = parse_addr(name, &addr);
	rc = rc ? rc : fs_heap_types(fs_of(dir), &ht);
	rc = rc ? rc : fs_heap_type_find(ht, key_type(dir), addr, &index);
	/* Not found by the walk: it may be past a break (object_shown()). */
	if (rc == -ENOENT && object_shown(fs_of(dir), addr) == key_type(dir))
		rc = 0;
	if (!rc)
		*key = addr;
	return rc;
}

static int type_dir_vmake(struct fs_node *dir, const char *name, uint64_t key)
{
	struct fs_key k = { key, (void *)key_type(dir) };

	if (key == TYPE_KEY_INFO)
		return fs_node_add(dir, name, FS_FILE, &type_info_ops, k, NULL);
	if (key == TYPE_KEY_OBJECTS)
		return fs_node_add(dir, name, FS_FILE, &type_objects_ops, k, NULL);
	if (key == TYPE_KEY_RETAINED)
		return fs_node_add(dir, name, FS_FILE, &type_retained_ops, k, NULL);
	if (key == TYPE_KEY_STATICS)
		return fs_node_add(dir, name, FS_DIR, &fs_type_statics_ops,
				   (struct fs_key){ key_type(dir)->mt, NULL }, NULL);
	return fs_node_add(dir, name, FS_DIR, &obj_dir_ops, k, NULL);
}

/* In name order: the objects ("0x..." sorts first), then info, objects,
 * retained and statics; position i < count is the i-th object, then those. */
static int type_dir_vlist(struct fs_node *dir, uint64_t from,
			  int (*emit)(struct fs_node *dir, const char *name, uint64_t key,
				      uint64_t next, void *arg),
			  void *arg)
{
	const struct fs_heap_type *t = key_type(dir);
	const struct fs_heap_types *ht;
	char name[ADDR_NAME_LEN + 1];
	uint64_t n = t->objs->count, i;
	int rc = fs_heap_types(fs_of(dir), &ht);

	for (i = from; !rc && i < n; i++) {
		uint64_t obj = rt_heap_index_object(ht->ix, t->objs, i);
		addr_name(obj, name);
		rc = emit(dir, name, obj, i + 1, arg);
	}
	if (!rc && i == n)
		rc = emit(dir, "info", TYPE_KEY_INFO, ++i, arg);
	if (!rc && i == n + 1)
		rc = emit(dir, "objects", TYPE_KEY_OBJECTS, ++i, arg);
	if (!rc && i == n + 2)
		rc = emit(dir, "retained", TYPE_KEY_RETAINED, ++i, arg);
	if (!rc && i == n + 3 && fs_type_has_statics(fs_of(dir)->rt, t->mt))
		rc = emit(dir, "statics", TYPE_KEY_STATICS, ++i, arg);
	return rc;
}

static int type_dir_vcount(struct fs_node *dir, uint64_t *count)
{
	const struct fs_heap_type *t = key_type(dir);

	*count = t->objs->count + 3 + fs_type_has_statics(fs_of(dir)->rt, t->mt);
	return 0;
}

static const struct fs_ops type_dir_ops = {
	.vlookup = type_dir_vlookup,
	.vmake = type_dir_vmake,
	.vlist = type_dir_vlist,
	.vcount = type_dir_vcount,
};

static int types_populate(struct fs_node *dir)
{
	const struct fs_heap_types *ht;
	int rc = fs_heap_types(fs_of(dir), &ht);

	for (size_t i = 0; !rc && i < ht->count; i++) {
		const struct fs_heap_type *t = &ht->by_mt[i];
		rc = fs_node_add(dir, t->dir, FS_DIR, &type_dir_ops, (struct fs_key){ 0, (void *)t },
				 NULL);
	}
	return rc;
}

const struct fs_ops fs_heap_types_ops = { .populate = types_populate };

/* --- /heap/objects/<addr> -> ../types/<type>/<addr> --- */

static int objects_vlookup(struct fs_node *dir, const char *name, uint64_t *key)
{
	uint64_t addr;
	int rc = parse_addr(name, &addr);

	if (rc || !object_shown(fs_of(dir), addr))
		return -ENOENT;
	*key = addr;
	return 0;
}

/* key.u: the address. */
static int not_an_object_render(struct fs_node *file, struct strbuf *b)
{
	fs_put_addr(b, fs_node_key(file).u);
	strbuf_puts(b, " <unreadable: not an object: no GC segment holds it, or its header is "
		       "not one>\n");
	return 0;
}

static const struct fs_ops not_an_object_ops = {.render = not_an_object_render};

/*
 * A reference is a link when obj looks like an object by its own header
 * (rt_object_plausible()), which needs no heap walk: listing /threads/<n>
 * or /handles must not walk a heap of many GiB and index it. /heap/objects
 * shows every such object the walk found and, past a break that stopped
 * the walk in a damaged heap, every such object of a type the walk found
 * objects of; the one reference that leads nowhere is to an object past a
 * break whose type has no object before one (docs/design.md).
 */
int fs_add_object_link(struct fs_node *dir, const char *name, uint64_t obj)
{
	char target[48];
	uint64_t mt, size;

	if (rt_object_plausible(fs_of(dir)->rt, obj, &mt, &size))
		return fs_node_add(dir, name, FS_FILE, &not_an_object_ops,
				   (struct fs_key){obj, NULL}, NULL);
	snprintf(target, sizeof(target), "heap/objects/0x%016" PRIx64, obj);
	return fs_node_add_link(dir, name, target);
}

static int objects_vmake(struct fs_node *dir, const char *name, uint64_t key)
{
	const struct fs_heap_types *ht;
	uint64_t mt, size;
	char *target;
	int rc = fs_heap_types(fs_of(dir), &ht);

	rc = rc ? rc : rt_object_size(fs_of(dir)->rt, key, &mt, &size);
	if (rc)
		return rc;
	const struct fs_heap_type *t = fs_heap_type_by_mt(ht, mt);
	if (!t)
		return -ENOENT;
	if (asprintf(&target, "heap/types/%s/%s", t->dir, name) < 0)
		return -ENOMEM;
	rc = fs_node_add_link(dir, name, target);
	free(target);
	return rc;
}

struct objects_list {
	struct fs_node *dir;
	const struct fs_heap_types *ht;
	int (*emit)(struct fs_node *dir, const char *name, uint64_t key, uint64_t next, void *arg);
	void *arg;
	int rc; /* emit's stop or error */
};

static int objects_walked(uint64_t obj, uint64_t mt, uint64_t size, uint64_t next, void *arg)
{
	struct objects_list *l = arg;
	char name[ADDR_NAME_LEN + 1];

	(void)size;
	if (!fs_heap_type_by_mt(l->ht, mt))
		return 0; /* not a type the index holds (it always does) */
	addr_name(obj, name);
	l->rc = l->emit(l->dir, name, obj, next, l->arg);
	return l->rc ? 1 : 0;
}

/* In address order, which is name order: the heap walked from the position
 * after the last object listed (positions are the walk's own). */
static int objects_vlist(struct fs_node *dir, uint64_t from,
			 int (*emit)(struct fs_node *dir, const char *name, uint64_t key,
				     uint64_t next, void *arg),
			 void *arg)
{
	struct objects_list l = {dir, NULL, emit, arg, 0};
	int rc = fs_heap_types(fs_of(dir), &l.ht);

	rc = rc ? rc : rt_heap_walk_from(fs_of(dir)->rt, from, objects_walked, &l, NULL);
	return rc > 0 ? l.rc : rc;
}

const struct fs_ops fs_heap_objects_ops = {
	.vlookup = objects_vlookup,
	.vmake = objects_vmake,
	.vlist = objects_vlist,
};
