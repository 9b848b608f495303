/* SPDX-License-Identifier: MIT */
/* fs/node private: the bodies of struct fs_tree, struct fs_node and
 * struct fs_content. Which lock guards what: node.c, top. */
#ifndef CLRFS_FS_NODE_I_H
#define CLRFS_FS_NODE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <uthash.h>

#include "node.h"

struct fs_content {
	unsigned refs;	/* atomic: the node's, and each reader's */
	uint32_t epoch; /* the tree's epoch when rendered */
	size_t len;
	size_t cost; /* the bytes it takes, counted in the tree's total */
	char *data;
};

/* A list of nodes, least recently used first. */
struct fs_lru {
	struct fs_node *head, *tail;
	size_t count;
};

struct fs_node {
	/* Set at creation, never changed: read by whoever holds the node. */
	uint64_t ino, gen;
	struct fs_node *parent;
	struct fs_tree *tree;
	char *name;
	char *target; /* symlinks only */
	const struct fs_ops *ops;
	struct fs_key key;
	enum fs_kind kind;
	bool large; /* a directory with vlookup(): children made one by one */

	/* Filled under tree->lock. A directory's children are published by
	 * a release store of done; they stay until the directory is trimmed,
	 * which needs it unheld, so a holder reads them without the lock. */
	bool done;
	bool busy; /* populate(), vmake() or render() is running (guards re-entry) */
	int rc;	   /* populate()'s result, kept while the children are */
	struct fs_node **kids; /* sorted by name once done */
	size_t nkids, capkids;
	/* Large directories: the children made so far, by name. */
	struct fs_node *vmap;
	size_t nvmap;
	UT_hash_handle hh; /* in the parent's vmap */

	/* Guarded by tree->life: */
	uint64_t nlookup; /* the kernel's count (FUSE lookups less forgets) */
	uint32_t refs;	  /* holds: operations in progress, helper threads */
	uint32_t live;	  /* children held (by any of these three) */
	struct fs_content *content; /* files: the cached rendering, or NULL */
	bool sized;		    /* files: len is known (rendered once) */
	uint32_t len_epoch;	    /* the tree's epoch when it was */
	size_t len;
	uint64_t cost;		      /* the bytes counted for the node itself */
	struct fs_node *prev, *next;  /* in tree->dirs or tree->files */
	bool in_lru;

	char name_buf[]; /* name points here: one block per node */
};

struct fs_tree {
	/* The decoder lock (recursive: a provider may look up other nodes):
	 * every provider callback runs with it, so every decoder call. */
	pthread_mutex_t lock;
	/* Guards what node.c says; taken after lock, never before; nothing is
	 * called while it is held. */
	pthread_mutex_t life;
	struct fs_node **nodes; /* nodes[ino - 1]; NULL for a free number */
	uint64_t cap, top;	/* top: the highest number given out */
	uint64_t *free_inos;	/* numbers freed, to be given again */
	size_t nfree, capfree;
	uint64_t gens; /* generations given out */
	struct fs_node *root;
	void *ctx;
	uint32_t epoch; /* bumped by fs_tree_changed() */

	/* Memory (life): */
	size_t budget;		 /* 0: no bound */
	uint64_t trim_at;	 /* fs_tree_over() when the total passes it */
	struct fs_lru dirs;	 /* directories with children */
	struct fs_lru files;	 /* files with cached content */
	struct fs_tree_stats st; /* nodes, node_bytes, content_bytes: the totals */
	size_t freeable;	 /* directories moved to the front since the last trim */
	bool trimming;		 /* atomic: a trim runs */
};

#endif
