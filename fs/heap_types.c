/* SPDX-License-Identifier: MIT */
/* fs/heap_types: the directory name of every type with objects on the heap. */
#include "heap_types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapindex.h"
#include "names.h"
#include "strbuf.h"
#include "types.h"
#include "fs_i.h"

#define NAME_MAX_BYTES	255
#define NAME_KEEP_BYTES 230

/* FNV-1a, 64-bit: stable across runs and machines, so cut names are too. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static int by_name(const void *a, const void *b)
{
	const struct fs_heap_type *x = *(const struct fs_heap_type *const *)a;
	const struct fs_heap_type *y = *(const struct fs_heap_type *const *)b;
	int c = strcmp(x->dir, y->dir);
	return c ? c : (x->mt < y->mt ? -1 : x->mt > y->mt);
}

/* How much of a name a cut keeps: at most keep bytes, without splitting a
 * %XX escape or a UTF-8 sequence. */
static size_t cut_at(const char *s, size_t len, size_t keep)
{
	size_t k = len < keep ? len : keep;

	if (k >= 1 && s[k - 1] == '%')
		k -= 1;
	else if (k >= 2 && s[k - 2] == '%')
		k -= 2;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

/* Gives every type its directory name: the name as a path component
 * (names.h: type names are escaped as they are read), cut with a hash when
 * long, then "@<MT>" for names that several types share. */
static int name_dirs(struct fs_heap_types *ht)
{
	struct fs_heap_type **sorted = calloc(ht->count ? ht->count : 1, sizeof(*sorted));
	struct strbuf b;

	if (!sorted)
		return -ENOMEM;
	strbuf_init(&b);
	for (size_t i = 0; i < ht->count; i++) {
		struct fs_heap_type *t = &ht->by_mt[i];
		strbuf_truncate(&b, 0);
		if (!t->name) {
			strbuf_printf(&b, "@0x%016" PRIx64, t->mt);
		} else {
			name_put_component(&b, t->name);
			if (b.len > NAME_MAX_BYTES) {
				strbuf_truncate(&b, cut_at(b.data, b.len, NAME_KEEP_BYTES));
				strbuf_printf(&b, "~%016" PRIx64, name_hash(t->name));
			}
		}
		if (b.oom || !(t->dir = strndup(b.data, b.len)))
			goto oom;
		sorted[i] = t;
	}
	qsort(sorted, ht->count, sizeof(*sorted), by_name);
	for (size_t i = 0; i < ht->count;) {
		size_t j = i + 1;
		while (j < ht->count && strcmp(sorted[i]->dir, sorted[j]->dir) == 0)
			j++;
		for (size_t k = i; j - i > 1 && k < j; k++) {
			const char *dir = sorted[k]->dir;
			char *d;
			if (asprintf(&d, "%.*s@0x%016" PRIx64,
				     (int)cut_at(dir, strlen(dir), NAME_KEEP_BYTES), dir,
				     sorted[k]->mt) < 0)
				goto oom;
			free(sorted[k]->dir);
			sorted[k]->dir = d;
		}
		i = j;
	}
	strbuf_destroy(&b);
	free(sorted);
	return 0;
oom:
	strbuf_destroy(&b);
	free(sorted);
	return -ENOMEM;
}

static int build(struct rt *rt, struct fs_heap_types **out)
{
	struct fs_heap_types *ht = calloc(1, sizeof(*ht));
	const struct rt_heap_type *types;
	int rc = -ENOMEM;

	if (!ht)
		goto out;
	rc = rt_heap_index(rt, &ht->ix);
	if (rc)
		goto out;
	types = rt_heap_index_types(ht->ix, &ht->count);
	rc = -ENOMEM;
	ht->by_mt = calloc(ht->count ? ht->count : 1, sizeof(*ht->by_mt));
	if (!ht->by_mt)
		goto out;
	for (size_t i = 0; i < ht->count; i++) { /* the index is sorted by MT */
		struct fs_heap_type *t = &ht->by_mt[i];
		t->mt = types[i].mt;
		t->objs = &types[i];
		t->name_err = rt_type_name(rt, t->mt, &t->name);
		if (t->name_err)
			t->name = NULL;
	}
	rc = name_dirs(ht);
out:
	if (rc) {
		fs_heap_types_free(ht);
		return rc;
	}
	*out = ht;
	return 0;
}

int fs_heap_types(struct fs *fs, const struct fs_heap_types **out)
{
	/* Providers run under the tree's lock, which guards fs->heap_types. */
	if (!fs->heap_types) {
		int rc = build(fs->rt, &fs->heap_types);
		if (rc)
			return rc;
	}
	*out = fs->heap_types;
	return 0;
}

/* by_mt runs parallel to the index's types (both sorted by MT): the
 * index's own look-up gives the position. */
const struct fs_heap_type *fs_heap_type_by_mt(const struct fs_heap_types *ht, uint64_t mt)
{
	size_t n;
	const struct rt_heap_type *base = rt_heap_index_types(ht->ix, &n);
	const struct rt_heap_type *t = rt_heap_index_type(ht->ix, mt);
	return t ? &ht->by_mt[t - base] : NULL;
}

int fs_heap_type_find(const struct fs_heap_types *ht, const struct fs_heap_type *t, uint64_t obj,
		      uint64_t *index)
{
	return rt_heap_index_find(ht->ix, t->objs, obj, index);
}

void fs_heap_types_free(struct fs_heap_types *ht)
{
	if (!ht)
		return;
	for (size_t i = 0; i < ht->count; i++)
		free(ht->by_mt[i].dir);
	free(ht->by_mt);
	free(ht);
}
