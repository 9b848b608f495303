/* SPDX-License-Identifier: MIT */
/* fs private: the context every provider reaches from its nodes. */
#ifndef CLRFS_FS_I_H
#define CLRFS_FS_I_H

#include <stdbool.h>
#include <stdint.h>

#include "fs.h"
#include "node.h"

struct fs {
	struct fs_tree *tree;
	struct dump *dump; /* borrowed */
	struct rt *rt;	   /* borrowed; NULL when the runtime could not be read */
	char *rt_err;	   /* why rt is NULL; "" otherwise */
	char *dump_arg;	   /* the DUMP path as given */
	struct fs_heap_types *heap_types; /* built on first use; guarded by the tree lock */
	/* prov_elements.c, guarded by the tree lock: the value kinds element
	 * nodes are made with (kept as long as the tree) and where the elements
	 * of the collection asked last lie. */
	struct fs_value_kind *value_kinds;
	struct fs_elements *elements;
	/* What a mount does when the dump changes under it (fuse_ll.c): set
	 * before the mount answers requests, read by fs_dump_changed(). */
	void (*on_change)(void *arg);
	void *on_change_arg;
};

static inline struct fs *fs_of(const struct fs_node *n)
{
	return fs_tree_ctx(fs_node_tree(n));
}

/* The root directory: one child per present provider (providers.c). */
extern const struct fs_ops fs_root_ops;

/* Providers, one per top-level entry (prov_*.c). */
extern const struct fs_ops fs_info_ops;	   /* /info */
extern const struct fs_ops fs_threads_ops; /* /threads */
extern const struct fs_ops fs_stacks_ops;  /* /stacks */
extern const struct fs_ops fs_timers_ops;  /* /timers */
extern const struct fs_ops fs_tasks_ops;   /* /tasks */
extern const struct fs_ops fs_locks_ops;   /* /locks */
extern const struct fs_ops fs_heap_ops;	   /* /heap */
extern const struct fs_ops fs_heap_types_ops;   /* /heap/types (prov_types.c) */
extern const struct fs_ops fs_heap_objects_ops; /* /heap/objects */
extern const struct fs_ops fs_statics_ops;	/* /statics (prov_statics.c) */
extern const struct fs_ops fs_threadpool_ops;	/* /threadpool (prov_threadpool.c) */
/* A type's statics/ directory: key.u = its MethodTable (prov_statics.c). */
extern const struct fs_ops fs_type_statics_ops;
struct rt;
/* Whether mt declares a static field whose value statics/ shows. */
bool fs_type_has_statics(struct rt *rt, uint64_t mt);
/* Adds name to dir (inside its populate()): a symlink to /heap/objects/<obj>
 * when obj looks like an object by its own header (no heap walk), else a file
 * saying it is not one, so that no link of a sound dump leads nowhere
 * (prov_types.c). */
int fs_add_object_link(struct fs_node *dir, const char *name, uint64_t obj);
/* The AsyncLocal values of the ExecutionContext ec, as a thread's
 * asynclocals file has them (prov_threads.c); nothing for a null context. */
void fs_put_context_asynclocals(struct fs *fs, uint64_t ec, struct strbuf *b);
/* An object's elements/ (prov_elements.c): key.u = the collection's address. */
extern const struct fs_ops fs_obj_elements_ops;
void fs_elements_free(struct fs *fs);
/* Which objects /heap/stats counts (prov_heap.c): all, those the roots
 * reach, the others. */
enum fs_stats_of { FS_STATS_ALL, FS_STATS_LIVE, FS_STATS_DEAD };
/* /heap/stats's lines, of the types of module only when it is not 0. */
int fs_put_heap_stats(struct fs *fs, enum fs_stats_of of, uint64_t module, struct strbuf *b);
extern const struct fs_ops fs_modules_ops;	/* /modules (prov_modules.c) */
extern const struct fs_ops fs_loadcontexts_ops; /* /loadcontexts (prov_modules.c) */
extern const struct fs_ops fs_handles_ops;	/* /handles (prov_handles.c) */
extern const struct fs_ops fs_finalizer_ops;	/* /finalizer (prov_finalizer.c) */

#endif
