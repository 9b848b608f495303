/* SPDX-License-Identifier: MIT */
/* fs/prov_elements: /heap/objects/<addr>/elements/, a collection's elements
 * by position (0, 1, ...) in the order of its items file
 * (decoder/managed/collections.c): each a value file, a link into
 * /heap/objects or a directory of a struct's fields, as in fields/; a map's
 * entry a directory holding key and value.
 *
 * elements/ is a large directory: listing an object's directory does not
 * walk the collection. The first lookup or listing of a collection's
 * elements walks it once and keeps where each element lies (8 bytes an
 * element, 16 a map entry) for that one collection, the last one asked:
 * a listing in pieces and the lookups that follow it do not walk it again.
 * A collection that cannot be walked lists one file, .unreadable, saying why.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "fields.h"
#include "format.h"
#include "managed.h"
#include "strbuf.h"
#include "fs_i.h"
#include "prov_fields.h"

/* A collection whose walk fails lists one file saying why, named as node.c
 * names the file of a directory that cannot be filled. */
#define UNREADABLE_NAME ".unreadable"
#define UNREADABLE_KEY	UINT64_MAX

/* What a value's file, link or directory is made with: one struct rt_field
 * per (element type, type handle), kept as long as the tree (node keys
 * point at it). Only elem and type_mt are set. */
struct fs_value_kind {
	uint64_t key[2]; /* type_mt, elem */
	struct rt_field f;
	UT_hash_handle hh;
};

/* Where the elements of the collection obj lie: addr[i] (addr[2i] and
 * addr[2i+1], key and value, for a map). */
struct fs_elements {
	uint64_t obj;
	int err;
	bool pairs;
	uint64_t n, cap, *addr;
	const struct rt_field *kf, *vf;
};

static const struct rt_field *value_kind(struct fs *fs, const struct mv_value *v)
{
	struct fs_value_kind *k;
	uint64_t key[2] = { v->mt, v->elem };

	HASH_FIND(hh, fs->value_kinds, key, sizeof(key), k);
	if (k)
		return &k->f;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	memcpy(k->key, key, sizeof(key));
	k->f.name = (char *)"";
	k->f.elem = v->elem;
	k->f.type_mt = v->mt;
	HASH_ADD(hh, fs->value_kinds, key, sizeof(key), k);
	return &k->f;
}

void fs_elements_free(struct fs *fs)
{
	struct fs_value_kind *k, *tmp;

	HASH_ITER(hh, fs->value_kinds, k, tmp) {
		HASH_DEL(fs->value_kinds, k);
		free(k);
	}
	if (fs->elements)
		free(fs->elements->addr);
	free(fs->elements);
	fs->elements = NULL;
}

struct gather {
	struct fs *fs;
	struct fs_elements *e;
};

/* Keeps where one element lies; every element of a collection has the same
 * types (its backing array's, its node type's fields), checked. */
static int gather_item(void *arg, uint64_t i, const struct mv_item *it)
{
	struct gather *g = arg;
	struct fs_elements *e = g->e;
	const struct rt_field *kf = it->pair ? value_kind(g->fs, &it->key) : NULL;
	const struct rt_field *vf = value_kind(g->fs, &it->value);
	size_t per = it->pair ? 2 : 1;

	if (!vf || (it->pair && !kf))
		return -ENOMEM;
	if (i == 0) {
		e->pairs = it->pair;
		e->kf = kf;
		e->vf = vf;
	} else if (e->pairs != it->pair || e->kf != kf || e->vf != vf) {
		return -EBADMSG; /* elements of differing types: not one collection */
	}
	if ((e->n + 1) * per > e->cap) {
		uint64_t cap = e->cap ? e->cap * 2 : 64;
		uint64_t *a = realloc(e->addr, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		e->addr = a;
		e->cap = cap;
	}
	if (it->pair)
		e->addr[e->n * 2] = it->key.addr;
	e->addr[e->n * per + per - 1] = it->value.addr;
	e->n++;
	return 0;
}

/* The elements of obj, walked unless they are the ones kept. */
static int elements_of(struct fs *fs, uint64_t obj, const struct fs_elements **out)
{
	struct fs_elements *e = fs->elements;
	uint64_t count;

	if (!e || e->obj != obj) {
		if (!e && !(e = fs->elements = calloc(1, sizeof(*e))))
			return -ENOMEM;
		free(e->addr);
		*e = (struct fs_elements){ .obj = obj };
		struct gather g = { fs, e };
		e->err = mv_collection_walk(fs->rt, obj, gather_item, &g, &count);
		if (!e->err && count != e->n)
			e->err = -EBADMSG;
		if (e->err == -ENOMEM) { /* not kept: the next call walks again */
			free(e->addr);
			*e = (struct fs_elements){ .obj = 0 };
			return -ENOMEM;
		}
	}
	*out = e;
	return e->err;
}

/* A position's name: its decimal digits, no leading zero. */
static int parse_index(const char *name, uint64_t *i)
{
	uint64_t v = 0;

	if (!*name || (name[0] == '0' && name[1]) || strlen(name) > 19)
		return -ENOENT;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -ENOENT;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*i = v;
	return 0;
}

/* The walk's error, when it is one a listing shows (not -ENOMEM). */
static int shown_error(int rc)
{
	return rc && rc != -ENOMEM ? rc : 0;
}

static int elements_vlookup(struct fs_node *dir, const char *name, uint64_t *key)
{
	const struct fs_elements *e;
	int rc = elements_of(fs_of(dir), fs_node_key(dir).u, &e);

	if (shown_error(rc)) {
		*key = UNREADABLE_KEY;
		return strcmp(name, UNREADABLE_NAME) ? -ENOENT : 0;
	}
	rc = rc ? rc : parse_index(name, key);
	return rc ? rc : *key < e->n ? 0 : -ENOENT;
}

/* key.u: the walk's error, negated. */
static int unreadable_render(struct fs_node *file, struct strbuf *b)
{
	fs_put_unreadable(b, -(int)fs_node_key(file).u);
	strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops unreadable_ops = { .render = unreadable_render, .small = true };

/* A map entry's directory: key.u its position. */
static int entry_populate(struct fs_node *dir)
{
	const struct fs_elements *e;
	uint64_t i = fs_node_key(dir).u;
	int rc = elements_of(fs_of(dir), fs_node_key(fs_node_parent(dir)).u, &e);

	if (rc)
		return rc;
	if (i >= e->n || !e->pairs)
		return -ENOENT;
	rc = fs_add_field(dir, "key", e->kf, e->addr[2 * i]);
	return rc ? rc : fs_add_field(dir, "value", e->vf, e->addr[2 * i + 1]);
}

static const struct fs_ops entry_ops = { .populate = entry_populate };

static int elements_vmake(struct fs_node *dir, const char *name, uint64_t i)
{
	const struct fs_elements *e;
	int rc = elements_of(fs_of(dir), fs_node_key(dir).u, &e);

	if (shown_error(rc) && i == UNREADABLE_KEY)
		return fs_node_add(dir, name, FS_FILE, &unreadable_ops,
				   (struct fs_key){ (uint64_t)-rc, NULL }, NULL);
	if (rc)
		return rc;
	if (i >= e->n)
		return -ENOENT;
	if (e->pairs)
		return fs_node_add(dir, name, FS_DIR, &entry_ops, (struct fs_key){ i, NULL }, NULL);
	return fs_add_field(dir, name, e->vf, e->addr[i]);
}

static int elements_vlist(struct fs_node *dir, uint64_t from,
			  int (*emit)(struct fs_node *dir, const char *name, uint64_t key,
				      uint64_t next, void *arg),
			  void *arg)
{
	const struct fs_elements *e;
	char name[24];
	int rc;

	rc = elements_of(fs_of(dir), fs_node_key(dir).u, &e);
	if (shown_error(rc))
		return from ? 0 : emit(dir, UNREADABLE_NAME, UNREADABLE_KEY, 1, arg);
	/* elements_of each time: what emit makes might have asked for another
	 * collection's elements (nothing does today) */
	for (uint64_t i = from; !(rc = elements_of(fs_of(dir), fs_node_key(dir).u, &e)) && i < e->n; i++) {
		snprintf(name, sizeof(name), "%" PRIu64, i);
		rc = emit(dir, name, i, i + 1, arg);
		if (rc)
			break;
	}
	return rc;
}

static int elements_vcount(struct fs_node *dir, uint64_t *count)
{
	const struct fs_elements *e;
	int rc = elements_of(fs_of(dir), fs_node_key(dir).u, &e);

	if (shown_error(rc)) {
		*count = 1;
		return 0;
	}
	if (!rc)
		*count = e->n;
	return rc;
}

/* key.u: the collection's address. */
const struct fs_ops fs_obj_elements_ops = {
	.vlookup = elements_vlookup,
	.vmake = elements_vmake,
	.vlist = elements_vlist,
	.vcount = elements_vcount,
};
