/* SPDX-License-Identifier: MIT */
/* fs/heap_types: the directory name of every type with objects on the heap. */
#ifndef CLRFS_FS_HEAP_TYPES_H
#define CLRFS_FS_HEAP_TYPES_H

#include <stddef.h>
#include <stdint.h>

struct fs;
struct rt_heap_index;
struct rt_heap_type;

/* One type with live objects and the name of its directory under
 * /heap/types: the C#-form name, cut to 230 bytes + "~" + 16 hex digits of
 * a hash when longer than 255 bytes, "@<MT>" appended when two types share
 * a name, "@<MT>" alone when the name cannot be read. */
struct fs_heap_type {
	uint64_t mt;
	const char *name; /* full name, or NULL when unreadable (borrowed from rt) */
	int name_err;	  /* why name is NULL */
	char *dir;	  /* directory name (owned by the table) */
	const struct rt_heap_type *objs; /* the index entry: count, bytes, objects */
};

struct fs_heap_types {
	struct rt_heap_index *ix; /* borrowed from rt */
	struct fs_heap_type *by_mt; /* sorted by mt */
	size_t count;
};

/* Builds the table once per fs (under the tree's lock, as providers run).
 * Borrowed until fs_free(). Errors of rt_heap_index(). */
int fs_heap_types(struct fs *fs, const struct fs_heap_types **out);
const struct fs_heap_type *fs_heap_type_by_mt(const struct fs_heap_types *ht, uint64_t mt);
/* Index of obj among its type's objects (address order), or -ENOENT. */
int fs_heap_type_find(const struct fs_heap_types *ht, const struct fs_heap_type *t, uint64_t obj,
		      uint64_t *index);
void fs_heap_types_free(struct fs_heap_types *ht);

#endif
