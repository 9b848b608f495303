/* SPDX-License-Identifier: MIT */
/* fs/node private: the bodies of struct fs_tree and struct fs_node. */
#ifndef CLRFS_FS_NODE_I_H
#define CLRFS_FS_NODE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <uthash.h>

#include "node.h"

struct fs_node {
	/* Set at creation, never changed: readable without a lock. */
	uint64_t ino;
	struct fs_node *parent;
	struct fs_tree *tree;
	char *name;
	enum fs_kind kind;
	const struct fs_ops *ops;
	struct fs_key key;
	char *target; /* symlinks only */

	/* Filled once by populate()/render() under tree->lock; then published
	 * by a release store of done, after which they never change and are
	 * read without the lock (after an acquire load of done). */
	bool done;
	bool busy;	       /* populate()/render() is running (guards re-entry) */
	int rc;		       /* their result, kept: the dump never changes */
	struct fs_node **kids; /* directories: sorted by name once done */
	size_t nkids, capkids;
	char *data; /* files: the rendered bytes */
	size_t len;
	/* Files whose ops refresh: the bytes of the last render and the
	 * tree's epoch then, in one record swapped whole (older records stay
	 * until the node is freed: a reader may still hold their bytes). */
	struct fs_content *fresh;

	/* Directories with vlookup(): the children made so far, by name
	 * (guarded by tree->lock until done; then read-only). */
	struct fs_node *vmap;
	UT_hash_handle hh; /* in the parent's vmap */
};

struct fs_tree {
	/* Recursive, so a provider may look up other nodes while populating;
	 * guards the lazy part of every node (see struct fs_node). */
	pthread_mutex_t lock;
	/* Guards nodes/count/cap; held only for a table access, never while
	 * calling a provider, so inode lookups do not wait for a slow decode. */
	pthread_mutex_t ino_lock;
	struct fs_node **nodes; /* nodes[ino - 1] */
	uint64_t count, cap;
	struct fs_node *root;
	void *ctx;
	uint32_t epoch; /* bumped by fs_tree_changed() */
};

struct fs_content {
	char *data;
	size_t len;
	uint32_t epoch;
	struct fs_content *older;
};

#endif
