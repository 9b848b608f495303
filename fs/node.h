/* SPDX-License-Identifier: MIT */
/* fs/node: the tree of directories, files and symlinks that the mount shows. */
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

/* A provider's callbacks. Both run at most once per node (the result is kept
 * for the life of the tree), with the tree's lock held, so they may call
 * fs_node_add() and look up other nodes, but must not block on another
 * thread that waits for the tree. Both return 0 or a negative errno. */
struct fs_ops {
	/* Adds every child of dir with fs_node_add()/fs_node_add_symlink(), in
	 * any order; names must be unique within dir. */
	int (*populate)(struct fs_node *dir);
	/* Appends the whole content of file to out. A value that cannot be
	 * decoded is written as "<unreadable: reason>", not reported as an error;
	 * errors are for the file as a whole. */
	int (*render)(struct fs_node *file, struct strbuf *out);

	/* Large directories (every object of a type, every object of the heap)
	 * leave populate() NULL and give these three instead, so a lookup
	 * creates one child, not all of them; a listing creates them all.
	 * vlookup() says whether name exists and hands back a key for it;
	 * vmake() adds that one child with fs_node_add*(); vlist() calls
	 * emit() once per child, in any order. All run with the tree's lock. */
	int (*vlookup)(struct fs_node *dir, const char *name, uint64_t *key);
	int (*vmake)(struct fs_node *dir, const char *name, uint64_t key);
	int (*vlist)(struct fs_node *dir,
		     int (*emit)(struct fs_node *dir, const char *name, uint64_t key));
	/* A file whose content follows the dump's state (/info): rendered
	 * again after fs_tree_changed(), where others are rendered once. */
	bool refresh;
};

/* Creates a tree whose root directory (inode 1) is filled by root_ops; ctx is
 * borrowed and handed back by fs_tree_ctx(). Free with fs_tree_free(). */
int fs_tree_new(const struct fs_ops *root_ops, void *ctx, struct fs_tree **out);
/* Frees every node; accepts NULL. */
void fs_tree_free(struct fs_tree *t);
/* Says that the dump's state changed (a file shrank under its mapping):
 * files whose ops refresh render again when next read. Takes no lock; safe
 * from any thread, in any state. */
void fs_tree_changed(struct fs_tree *t);
void *fs_tree_ctx(struct fs_tree *t);
struct fs_node *fs_tree_root(struct fs_tree *t);
/* The node with inode number ino, or NULL when there is none. */
struct fs_node *fs_tree_node(struct fs_tree *t, uint64_t ino);
/* Number of nodes created so far. */
uint64_t fs_tree_node_count(struct fs_tree *t);
/* Walks an absolute path ("/threads/1/info"; "." and ".." allowed) from the
 * root, following symlinks in the middle, and at the end too when
 * follow_last. -ENOENT, -ENOTDIR, -ELOOP (more than 40 symlinks), -EINVAL
 * (not absolute) or a provider's error. */
int fs_tree_resolve(struct fs_tree *t, const char *path, int follow_last, struct fs_node **out);

/* Only from inside dir's populate(): adds a child. name and target are
 * copied. *out (optional) is the new node, owned by the tree. -ENOMEM,
 * -EINVAL (dir not being populated, or a name that is empty, ".", ".." or
 * holds '/'). */
int fs_node_add(struct fs_node *dir, const char *name, enum fs_kind kind, const struct fs_ops *ops,
		struct fs_key key, struct fs_node **out);
/* Only from inside dir's populate(): adds a symlink to path, a path from the
 * mount's root without a leading '/' ("heap/objects/0x..."); its target is
 * the shortest relative path from dir, so a mount can be moved or copied.
 * Every symlink of the tree is made by this function: -EINVAL when a
 * component of path is not a valid name, so no target leaves the mount. */
int fs_node_add_link(struct fs_node *dir, const char *name, const char *path);

/* Finds dir's child by name, populating dir first if needed. -ENOENT when
 * absent, -ENOTDIR when dir is not a directory. */
int fs_node_lookup(struct fs_node *dir, const char *name, struct fs_node **out);
/* dir's children sorted by name (byte order), populating dir first if
 * needed. The array is borrowed: valid and unchanged until fs_tree_free(). */
int fs_node_children(struct fs_node *dir, struct fs_node *const **kids, size_t *count);
/* A file's content, rendered on first call and kept; borrowed until
 * fs_tree_free(). -EISDIR/-EINVAL for a directory/symlink. */
int fs_node_content(struct fs_node *file, const char **data, size_t *len);
/* Whether file's content is rendered already (and rendered without error),
 * so that fs_node_content() answers at once. False for other kinds. */
bool fs_node_rendered(struct fs_node *file);

/* Whether every child of dir exists already (it was listed, or populated
 * by a lookup), so that fs_node_children() answers at once and creates
 * nothing. False for other kinds. */
bool fs_node_listed(struct fs_node *dir);

/* Plain accessors; never fail. */
uint64_t fs_node_ino(const struct fs_node *n);
enum fs_kind fs_node_kind(const struct fs_node *n);
const char *fs_node_name(const struct fs_node *n);	 /* "/" for the root */
struct fs_node *fs_node_parent(const struct fs_node *n); /* the root's is itself */
const char *fs_node_target(const struct fs_node *n);	 /* NULL unless a symlink */
struct fs_key fs_node_key(const struct fs_node *n);
struct fs_tree *fs_node_tree(const struct fs_node *n);

#endif
