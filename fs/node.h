/* SPDX-License-Identifier: MIT */
/* fs/node: the tree of directories, files and symlinks that the mount shows.
 *
 * Nodes are made on demand and given back: a node nobody holds (the kernel,
 * an operation in progress, a helper thread) may be freed when the tree is
 * over its memory budget, and is made again, the same, when next asked for
 * (the dump never changes). Rendered bytes are kept likewise, in a cache the
 * budget bounds. The concurrency model is in node.c and docs/design.md. */
#ifndef CLRFS_FS_NODE_H
#define CLRFS_FS_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fs_tree;
struct fs_node;
struct strbuf;

enum fs_kind {
	FS_DIR,
	FS_FILE,
	FS_SYMLINK,
};

/* What a provider needs to find a node's decoder object again without
 * re-parsing a path: an index or address, and a borrowed pointer. */
struct fs_key {
	uint64_t u;
	void *p;
};

/* A provider's callbacks. Each runs with the tree's lock held (so calls
 * into the decoder are made one at a time), may call fs_node_add() and look
 * up other nodes, and must not wait for another thread that waits for the
 * tree. They return 0 or a negative errno. Whatever they make may be freed
 * and made again later: they must give the same answer each time. */
struct fs_ops {
	/* Adds every child of dir with fs_node_add()/fs_node_add_link(), in
	 * any order; names must be unique within dir. */
	int (*populate)(struct fs_node *dir);
	/* Appends the whole content of file to out. A value that cannot be
	 * decoded is written as "<unreadable: reason>", not reported as an error;
	 * errors are for the file as a whole. */
	int (*render)(struct fs_node *file, struct strbuf *out);

	/* Large directories (every object of a type, every object of the heap)
	 * leave populate() NULL and give these three instead, so that neither a
	 * lookup nor a listing makes more children than it needs. vlookup() says
	 * whether name exists and hands back a key for it; vmake() adds that one
	 * child with fs_node_add*(). vlist() calls emit(dir, name, key, next, arg)
	 * for each child at or after position from, in name order, next being
	 * the position after that child; it stops when emit returns non-zero and
	 * returns that value, else 0 at the end. Positions are the provider's
	 * own (an index, an address): 0 is the first child. */
	int (*vlookup)(struct fs_node *dir, const char *name, uint64_t *key);
	int (*vmake)(struct fs_node *dir, const char *name, uint64_t key);
	int (*vlist)(struct fs_node *dir, uint64_t from,
		     int (*emit)(struct fs_node *dir, const char *name, uint64_t key, uint64_t next,
				 void *arg),
		     void *arg);
	/* How many children vlist() lists, or an error; optional. */
	int (*vcount)(struct fs_node *dir, uint64_t *count);
	/* A file of a few bytes, cheap to render (an object's type, a field's
	 * value): a listing renders it, so that readdirplus hands the kernel
	 * its size and its bytes go to the kernel at once, sparing a lookup
	 * and a read per file of a walk. */
	bool small;
	/* A file whose content follows the dump's state (/info, which lists
	 * the problems found so far): rendered again only after
	 * fs_tree_changed(), and kept until then; others render the same bytes
	 * each time, and their bytes may be dropped and rendered again. */
	bool refresh;
};

/* Creates a tree whose root directory (inode 1) is filled by root_ops; ctx is
 * borrowed and handed back by fs_tree_ctx(). No memory budget until
 * fs_tree_set_budget(). Free with fs_tree_free(). */
int fs_tree_new(const struct fs_ops *root_ops, void *ctx, struct fs_tree **out);
/* Frees every node; accepts NULL. Nothing may hold a node any more. */
void fs_tree_free(struct fs_tree *t);
/* Says that the dump's state changed (a file shrank under its mapping):
 * files whose ops refresh render again when next read. Takes no lock; safe
 * from any thread, in any state. */
void fs_tree_changed(struct fs_tree *t);
void *fs_tree_ctx(struct fs_tree *t);
struct fs_node *fs_tree_root(struct fs_tree *t);

/* --- Holding nodes ---
 * A node is valid while it is held: by a hold (fs_tree_get(), a lookup,
 * fs_node_hold()), by the kernel (fs_node_remember(), until
 * fs_tree_forget()), or by one of its children being held. The root is
 * always held. What a held directory lists stays valid until it is
 * released; a node passed to a provider callback is valid during it. */

/* The node numbered ino, held, or NULL when there is none. gen, when not
 * NULL, gets the number's generation: a number freed is given again with
 * another generation. */
struct fs_node *fs_tree_get(struct fs_tree *t, uint64_t ino, uint64_t *gen);
void fs_node_hold(struct fs_node *n);
void fs_node_release(struct fs_node *n); /* accepts NULL */
/* The kernel was handed n (a lookup's entry, a readdirplus entry): it holds
 * n until it forgets it as many times. */
void fs_node_remember(struct fs_node *n);
void fs_tree_forget(struct fs_tree *t, uint64_t ino, uint64_t nlookup);

/* Walks an absolute path ("/threads/1/info"; "." and ".." allowed) from the
 * root, following symlinks in the middle, and at the end too when
 * follow_last; *out is held. -ENOENT, -ENOTDIR, -ELOOP (more than 40
 * symlinks), -EINVAL (not absolute) or a provider's error. */
int fs_tree_resolve(struct fs_tree *t, const char *path, int follow_last, struct fs_node **out);

/* Only from inside dir's populate() or vmake(): adds a child. name is
 * copied. *out (optional) is the new node, valid during the callback.
 * -ENOMEM, -EINVAL (dir not being filled, or a name that is empty, ".",
 * ".." or holds '/'). */
int fs_node_add(struct fs_node *dir, const char *name, enum fs_kind kind, const struct fs_ops *ops,
		struct fs_key key, struct fs_node **out);
/* Likewise, adds a symlink to path, a path from the mount's root without a
 * leading '/' ("heap/objects/0x..."); its target is the shortest relative
 * path from dir, so a mount can be moved or copied. Every symlink of the
 * tree is made by this function: -EINVAL when a component of path is not a
 * valid name, so no target leaves the mount. */
int fs_node_add_link(struct fs_node *dir, const char *name, const char *path);

/* Finds dir's (held) child by name, filling dir first if needed; *out is
 * held. -ENOENT when absent, -ENOTDIR when dir is not a directory. */
int fs_node_lookup(struct fs_node *dir, const char *name, struct fs_node **out);
/* Calls cb(arg, child, next) for each child of dir (held) at or after
 * position from, in name order, next being the position after the child;
 * stops when cb returns non-zero and returns that, else 0. Positions start
 * at 0; for a large directory they are its provider's. The child is valid
 * during cb (fs_node_hold() to keep it); a large directory's cb runs with
 * the tree's lock held. */
int fs_node_list(struct fs_node *dir, uint64_t from,
		 int (*cb)(void *arg, struct fs_node *child, uint64_t next), void *arg);
/* How many children dir (held) has: filling it first if needed, or asking
 * a large directory's vcount() (-EOPNOTSUPP without one). */
int fs_node_count(struct fs_node *dir, uint64_t *count);
/* The children of dir (held; not a large directory: -EOPNOTSUPP) sorted by
 * name, filling dir first if needed; the array is valid while dir is held. */
int fs_node_children(struct fs_node *dir, struct fs_node *const **kids, size_t *count);
/* Whether every child of dir exists (it was filled, not a large
 * directory), so that fs_node_children() answers at once. */
bool fs_node_listed(struct fs_node *dir);

/* --- Content --- */

/* A file's rendered bytes, shared: valid until fs_content_put(). */
struct fs_content;
const char *fs_content_data(const struct fs_content *c);
size_t fs_content_len(const struct fs_content *c);
void fs_content_get(struct fs_content *c);
void fs_content_put(struct fs_content *c); /* accepts NULL */

/* file's (held) content, rendered unless the cache has it. -EISDIR/-EINVAL
 * for a directory/symlink, -ENOMEM. */
int fs_node_read(struct fs_node *file, struct fs_content **out);
/* file's content when the cache has it (held), else -ENOENT: renders
 * nothing. */
int fs_node_cached(struct fs_node *file, struct fs_content **out);
/* file's size, rendering it only if it never was. */
int fs_node_size(struct fs_node *file, size_t *len);
/* Whether file's size is known (it was rendered), so that fs_node_size()
 * answers at once. False for other kinds. */
bool fs_node_sized(struct fs_node *file);
/* Whether file is small (fs_ops.small). */
bool fs_node_small(const struct fs_node *file);

/* --- Memory --- */

/* Bytes the tree may keep (nodes and rendered bytes); 0: no bound. */
void fs_tree_set_budget(struct fs_tree *t, size_t bytes);

struct fs_tree_stats {
	uint64_t nodes;		  /* alive */
	uint64_t node_bytes;	  /* their memory, as estimated */
	uint64_t content_bytes;	  /* rendered bytes cached */
	uint64_t peak_bytes;	  /* the most node_bytes + content_bytes ever was */
	uint64_t hits, misses;	  /* reads served from the cache, or rendered */
	uint64_t made, freed;	  /* nodes made and freed so far */
	uint64_t evicted;	  /* rendered files dropped from the cache */
	uint64_t trims;		  /* fs_tree_trim() runs */
	uint64_t asked, forgets;  /* drops asked of the kernel; its forgets */
};
void fs_tree_stats(struct fs_tree *t, struct fs_tree_stats *s);

/* Whether the tree should be trimmed: over its budget, and grown since the
 * last trim. Cheap; any thread. */
bool fs_tree_over(struct fs_tree *t);
/* Whether the tree keeps more than its budget now (whatever a trim may
 * give back). Cheap; any thread. */
bool fs_tree_full(struct fs_tree *t);
/* Gives memory back down to 3/4 of the budget: rendered bytes least
 * recently used first, then the children of directories nobody holds. For
 * directories the kernel still holds, calls ask(arg, parent, name) once the
 * locks are released, with the inode and name of the directory's entry, so
 * that the kernel may drop it (and then forget its children). Call with no
 * lock of the tree held; one trim runs at a time, a second call returns. */
void fs_tree_trim(struct fs_tree *t, void (*ask)(void *arg, uint64_t parent, const char *name),
		  void *arg);

/* Plain accessors; never fail. */
uint64_t fs_node_ino(const struct fs_node *n);
uint64_t fs_node_gen(const struct fs_node *n);
enum fs_kind fs_node_kind(const struct fs_node *n);
const char *fs_node_name(const struct fs_node *n);	 /* "/" for the root */
struct fs_node *fs_node_parent(const struct fs_node *n); /* the root's is itself */
const char *fs_node_target(const struct fs_node *n);	 /* NULL unless a symlink */
struct fs_key fs_node_key(const struct fs_node *n);
struct fs_tree *fs_node_tree(const struct fs_node *n);

#endif
