/* SPDX-License-Identifier: MIT */
/* fs/node: the lazily filled node tree, its inode table and path walking. */
#include "node_i.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "reason.h"
#include "strbuf.h"

/*
 * Inode numbers. A node gets the next number when it is created: the root is
 * 1, and every other node is created by its directory's populate(), which runs
 * once, on the first lookup or listing of that directory. So numbers follow
 * the order in which the tree was first explored: stable for the life of a
 * mount, but not across mounts (nothing should depend on them). Nodes are
 * never freed before the tree (the dump is immutable, so nothing goes stale),
 * which makes FUSE's forget a no-op and lets an inode number index
 * tree->nodes directly: nodes[ino - 1]. Number 0 is never used (FUSE treats it
 * as "no entry").
 */

#define FS_MAX_SYMLINK_HOPS 40

static bool node_done(struct fs_node *n)
{
	return __atomic_load_n(&n->done, __ATOMIC_ACQUIRE);
}

static void node_publish(struct fs_node *n, int rc)
{
	n->rc = rc;
	__atomic_store_n(&n->done, true, __ATOMIC_RELEASE);
}

static void node_free(struct fs_node *n)
{
	if (!n)
		return;
	HASH_CLEAR(hh, n->vmap); /* the children themselves are in the inode table */
	for (struct fs_content *c = n->fresh, *o; c; c = o) {
		o = c->older;
		free(c->data);
		free(c);
	}
	free(n->name);
	free(n->target);
	free(n->kids);
	free(n->data);
	free(n);
}

/* Allocates a node and gives it the next inode number. */
static int node_new(struct fs_tree *t, struct fs_node *parent, const char *name, enum fs_kind kind,
		    const struct fs_ops *ops, struct fs_key key, struct fs_node **out)
{
	struct fs_node *n = calloc(1, sizeof(*n));
	int rc = -ENOMEM;

	if (!n)
		goto out;
	n->name = strdup(name);
	if (!n->name)
		goto out;
	n->parent = parent ? parent : n;
	n->tree = t;
	n->kind = kind;
	n->ops = ops;
	n->key = key;

	pthread_mutex_lock(&t->ino_lock);
	if (t->count == t->cap) {
		uint64_t cap = t->cap ? t->cap * 2 : 64;
		struct fs_node **nodes = realloc(t->nodes, cap * sizeof(*nodes));
		if (!nodes) {
			pthread_mutex_unlock(&t->ino_lock);
			goto out;
		}
		t->nodes = nodes;
		t->cap = cap;
	}
	t->nodes[t->count++] = n;
	n->ino = t->count;
	pthread_mutex_unlock(&t->ino_lock);
	*out = n;
	n = NULL;
	rc = 0;
out:
	node_free(n);
	return rc;
}

int fs_tree_new(const struct fs_ops *root_ops, void *ctx, struct fs_tree **out)
{
	struct fs_tree *t = calloc(1, sizeof(*t));
	pthread_mutexattr_t attr;
	int rc = -ENOMEM;

	if (!t)
		goto out;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&t->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_mutex_init(&t->ino_lock, NULL);
	t->ctx = ctx;
	rc = node_new(t, NULL, "/", FS_DIR, root_ops, (struct fs_key){0, NULL}, &t->root);
	if (rc)
		goto out;
	*out = t;
	t = NULL;
out:
	fs_tree_free(t);
	return rc;
}

void fs_tree_free(struct fs_tree *t)
{
	if (!t)
		return;
	for (uint64_t i = 0; i < t->count; i++)
		node_free(t->nodes[i]);
	free(t->nodes);
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->ino_lock);
	free(t);
}

void fs_tree_changed(struct fs_tree *t)
{
	__atomic_add_fetch(&t->epoch, 1, __ATOMIC_RELEASE);
}

void *fs_tree_ctx(struct fs_tree *t)
{
	return t->ctx;
}

struct fs_node *fs_tree_root(struct fs_tree *t)
{
	return t->root;
}

struct fs_node *fs_tree_node(struct fs_tree *t, uint64_t ino)
{
	struct fs_node *n = NULL;

	pthread_mutex_lock(&t->ino_lock);
	if (ino >= 1 && ino <= t->count)
		n = t->nodes[ino - 1];
	pthread_mutex_unlock(&t->ino_lock);
	return n;
}

uint64_t fs_tree_node_count(struct fs_tree *t)
{
	uint64_t count;

	pthread_mutex_lock(&t->ino_lock);
	count = t->count;
	pthread_mutex_unlock(&t->ino_lock);
	return count;
}

static bool name_valid(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

int fs_node_add(struct fs_node *dir, const char *name, enum fs_kind kind, const struct fs_ops *ops,
		struct fs_key key, struct fs_node **out)
{
	struct fs_node *n = NULL;
	int rc = -EINVAL;

	/* busy is only true while populate() runs, with the tree lock held. */
	if (dir->kind != FS_DIR || !dir->busy || !name_valid(name))
		goto out;
	if (dir->nkids == dir->capkids) {
		size_t cap = dir->capkids ? dir->capkids * 2 : 8;
		struct fs_node **kids = realloc(dir->kids, cap * sizeof(*kids));
		rc = -ENOMEM;
		if (!kids)
			goto out;
		dir->kids = kids;
		dir->capkids = cap;
	}
	rc = node_new(dir->tree, dir, name, kind, ops, key, &n);
	if (rc)
		goto out;
	dir->kids[dir->nkids++] = n;
	if (dir->ops && dir->ops->vlookup)
		HASH_ADD_KEYPTR(hh, dir->vmap, n->name, strlen(n->name), n);
	if (out)
		*out = n;
out:
	return rc;
}

#define LINK_DEPTH_MAX 64

/* The names from the root down to n (n's own last), at most max; the count. */
static size_t node_path(const struct fs_node *n, const char **names, size_t max)
{
	size_t depth = 0, i;

	for (const struct fs_node *p = n; p->parent != p; p = p->parent)
		depth++;
	if (depth > max)
		return SIZE_MAX;
	i = depth;
	for (const struct fs_node *p = n; p->parent != p; p = p->parent)
		names[--i] = p->name;
	return depth;
}

/*
 * Every symlink of the tree is made here, from a path inside the mount: the
 * target is the shortest relative path from dir to it, and every component of
 * that path must be a valid name (not empty, ".", "..", no '/'), so no target
 * can lead out of the mount, whatever names the dump holds (names from the
 * dump are escaped as they are read: names.h).
 */
int fs_node_add_link(struct fs_node *dir, const char *name, const char *path)
{
	const char *from[LINK_DEPTH_MAX];
	char *copy = strdup(path), *to[LINK_DEPTH_MAX], *save = NULL;
	size_t depth = node_path(dir, from, LINK_DEPTH_MAX), nto = 0, common = 0;
	struct strbuf t;
	struct fs_node *n;
	int rc = copy && depth != SIZE_MAX ? 0 : copy ? -EINVAL : -ENOMEM;

	/* Every component must be a name a node could have. */
	for (char *c = copy && !rc ? strtok_r(copy, "/", &save) : NULL; c && !rc;
	     c = strtok_r(NULL, "/", &save)) {
		if (nto == LINK_DEPTH_MAX || !name_valid(c) || strlen(c) > NAME_MAX)
			rc = -EINVAL;
		else
			to[nto++] = c;
	}
	if (!rc && (!nto || path[0] == '/' || strstr(path, "//") || path[strlen(path) - 1] == '/'))
		rc = -EINVAL;
	while (!rc && common < depth && common < nto && !strcmp(from[common], to[common]))
		common++;
	if (!rc && common == nto)
		rc = -EINVAL; /* dir itself or one of its parents */
	strbuf_init(&t);
	for (size_t i = common; !rc && i < depth; i++)
		strbuf_puts(&t, "../");
	for (size_t i = common; !rc && i < nto; i++) {
		strbuf_puts(&t, to[i]);
		if (i + 1 < nto)
			strbuf_puts(&t, "/");
	}
	if (!rc && t.oom)
		rc = -ENOMEM;
	rc = rc ? rc : fs_node_add(dir, name, FS_SYMLINK, NULL, (struct fs_key){0, NULL}, &n);
	/* On failure the node has no target; populate() fails with -ENOMEM and
	 * the directory stays empty. */
	if (!rc && !(n->target = strbuf_steal(&t, NULL)))
		rc = -ENOMEM;
	strbuf_destroy(&t);
	free(copy);
	return rc;
}

static int kid_cmp(const void *a, const void *b)
{
	const struct fs_node *x = *(struct fs_node *const *)a;
	const struct fs_node *y = *(struct fs_node *const *)b;
	return strcmp(x->name, y->name);
}

static int kid_cmp(const void *a, const void *b);

/* vlist() callback: makes the child unless a lookup already did. */
static int vdir_emit(struct fs_node *dir, const char *name, uint64_t key)
{
	struct fs_node *n;
	HASH_FIND_STR(dir->vmap, name, n);
	return n ? 0 : dir->ops->vmake(dir, name, key);
}

/* A large directory (vlookup/vmake/vlist): children are made one lookup at a
 * time; a listing makes the rest, sorts them all and marks the directory
 * done, after which it is read like any other. Caller holds the tree lock. */
static int vdir_populate(struct fs_node *dir)
{
	int rc = dir->ops->vlist(dir, vdir_emit);
	if (rc == 0 && dir->nkids > 1)
		qsort(dir->kids, dir->nkids, sizeof(*dir->kids), kid_cmp);
	return rc;
}

static int vdir_lookup(struct fs_node *dir, const char *name, struct fs_node **out)
{
	struct fs_tree *t = dir->tree;
	struct fs_node *n;
	uint64_t key;
	int rc;

	pthread_mutex_lock(&t->lock);
	HASH_FIND_STR(dir->vmap, name, n);
	rc = 0;
	if (n || dir->done)
		goto out;
	rc = -EDEADLK;
	if (dir->busy)
		goto out;
	rc = dir->ops->vlookup(dir, name, &key);
	if (rc)
		goto out;
	dir->busy = true;
	rc = dir->ops->vmake(dir, name, key);
	dir->busy = false;
	if (rc)
		goto out;
	HASH_FIND_STR(dir->vmap, name, n);
out:
	if (!rc && !n)
		rc = -ENOENT;
	if (!rc)
		*out = n;
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/*
 * What the tree lists can be read. A file whose render() fails reads
 * "<unreadable: reason>"; a directory whose populate() (or vlist()) fails
 * holds only UNREADABLE_NAME, a file saying why (no name from the dump can be
 * it: a name from the dump never starts with '.', names.h). The failure is
 * kept; -ENOMEM is not, and a later call retries.
 */
#define UNREADABLE_NAME ".unreadable"

/* key.u: the error, negated. */
static int unreadable_render(struct fs_node *file, struct strbuf *out)
{
	reason_put_unreadable(out, -(int)file->key.u);
	strbuf_puts(out, "\n");
	return 0;
}

static const struct fs_ops unreadable_ops = {.render = unreadable_render};

/* Runs dir's populate() once and sorts what it added. A failed populate
 * drops what it added (its partial children stay unreachable in the inode
 * table) and leaves UNREADABLE_NAME; a large directory keeps the children
 * lookups made. */
static int dir_populate(struct fs_node *dir)
{
	struct fs_tree *t = dir->tree;
	int rc;

	if (node_done(dir))
		return dir->rc;
	pthread_mutex_lock(&t->lock);
	rc = dir->rc;
	if (dir->done)
		goto out;
	rc = -EDEADLK;
	if (dir->busy)
		goto out;
	dir->busy = true;
	if (dir->ops && dir->ops->vlookup)
		rc = vdir_populate(dir);
	else
		rc = dir->ops && dir->ops->populate ? dir->ops->populate(dir) : 0;
	dir->busy = false;
	if (rc == 0 && dir->nkids > 1 && !(dir->ops && dir->ops->vlookup)) {
		qsort(dir->kids, dir->nkids, sizeof(*dir->kids), kid_cmp);
		for (size_t i = 1; i < dir->nkids; i++)
			if (!strcmp(dir->kids[i - 1]->name, dir->kids[i]->name))
				rc = -EEXIST; /* a provider bug */
	}
	if (rc && rc != -ENOMEM) {
		bool large = dir->ops && dir->ops->vlookup;
		if (!large)
			dir->nkids = 0;
		dir->busy = true;
		rc = fs_node_add(dir, UNREADABLE_NAME, FS_FILE, &unreadable_ops,
				 (struct fs_key){(uint64_t)-rc, NULL}, NULL);
		dir->busy = false;
		if (!rc && dir->nkids > 1)
			qsort(dir->kids, dir->nkids, sizeof(*dir->kids), kid_cmp);
	}
	if (rc != -ENOMEM)
		node_publish(dir, rc);
out:
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int fs_node_children(struct fs_node *dir, struct fs_node *const **kids, size_t *count)
{
	int rc = -ENOTDIR;

	if (dir->kind != FS_DIR)
		goto out;
	rc = dir_populate(dir);
	if (rc)
		goto out;
	*kids = dir->kids;
	*count = dir->nkids;
out:
	return rc;
}

int fs_node_lookup(struct fs_node *dir, const char *name, struct fs_node **out)
{
	struct fs_node *const *kids;
	size_t lo = 0, hi;
	int rc;

	if (dir->kind == FS_DIR && dir->ops && dir->ops->vlookup && !node_done(dir))
		return vdir_lookup(dir, name, out);
	rc = fs_node_children(dir, &kids, &hi);

	if (rc)
		goto out;
	rc = -ENOENT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, kids[mid]->name);
		if (c == 0) {
			*out = kids[mid];
			rc = 0;
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
out:
	return rc;
}

/* Runs file's render() once and keeps the bytes; same error rule as
 * dir_populate(). */
static int file_render(struct fs_node *file)
{
	struct fs_tree *t = file->tree;
	struct strbuf b;
	int rc;

	if (node_done(file))
		return file->rc;
	strbuf_init(&b);
	pthread_mutex_lock(&t->lock);
	rc = file->rc;
	if (file->done)
		goto out;
	rc = -EDEADLK;
	if (file->busy)
		goto out;
	file->busy = true;
	rc = file->ops && file->ops->render ? file->ops->render(file, &b) : 0;
	file->busy = false;
	if (rc == 0 && b.oom)
		rc = -ENOMEM;
	if (rc && rc != -ENOMEM) {
		strbuf_truncate(&b, 0);
		reason_put_unreadable(&b, rc);
		strbuf_puts(&b, "\n");
		rc = b.oom ? -ENOMEM : 0;
	}
	if (rc == 0) {
		file->data = strbuf_steal(&b, &file->len);
		if (!file->data)
			rc = -ENOMEM;
	}
	if (rc != -ENOMEM)
		node_publish(file, rc);
out:
	pthread_mutex_unlock(&t->lock);
	strbuf_destroy(&b);
	return rc;
}

/* A refresh file's content as of the tree's epoch: the last render while it
 * is current, else a new one. */
static int file_fresh(struct fs_node *file, const char **data, size_t *len)
{
	struct fs_tree *t = file->tree;
	uint32_t epoch = __atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE);
	struct fs_content *c = __atomic_load_n(&file->fresh, __ATOMIC_ACQUIRE), *n;
	struct strbuf b;
	int rc = 0;

	if (c && c->epoch == epoch)
		goto done;
	strbuf_init(&b);
	pthread_mutex_lock(&t->lock);
	c = file->fresh;
	if (!c || c->epoch != epoch) {
		rc = file->ops->render(file, &b);
		if (rc && rc != -ENOMEM) {
			strbuf_truncate(&b, 0);
			reason_put_unreadable(&b, rc);
			strbuf_puts(&b, "\n");
			rc = 0;
		}
		n = rc || b.oom ? NULL : calloc(1, sizeof(*n));
		if (n && (n->data = strbuf_steal(&b, &n->len))) {
			n->epoch = epoch;
			n->older = c;
			__atomic_store_n(&file->fresh, n, __ATOMIC_RELEASE);
			c = n;
		} else {
			free(n);
			rc = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&t->lock);
	strbuf_destroy(&b);
	if (rc)
		return rc;
done:
	*data = c->data;
	*len = c->len;
	return 0;
}

int fs_node_content(struct fs_node *file, const char **data, size_t *len)
{
	int rc = file->kind == FS_DIR ? -EISDIR : -EINVAL;

	if (file->kind != FS_FILE)
		goto out;
	if (file->ops && file->ops->refresh && file->ops->render)
		return file_fresh(file, data, len);
	rc = file_render(file);
	if (rc)
		goto out;
	*data = file->data;
	*len = file->len;
out:
	return rc;
}

bool fs_node_rendered(struct fs_node *file)
{
	if (file->kind == FS_FILE && file->ops && file->ops->refresh) {
		struct fs_content *c = __atomic_load_n(&file->fresh, __ATOMIC_ACQUIRE);
		return c && c->epoch == __atomic_load_n(&file->tree->epoch, __ATOMIC_ACQUIRE);
	}
	return file->kind == FS_FILE && node_done(file) && file->rc == 0;
}

bool fs_node_listed(struct fs_node *dir)
{
	return dir->kind == FS_DIR && node_done(dir) && dir->rc == 0;
}

/* Walks path from dir. *hops counts symlinks followed so far. */
static int walk(struct fs_node *dir, const char *path, bool follow_last, int *hops,
		struct fs_node **out)
{
	struct fs_node *cur = dir;
	char name[256];
	int rc = 0;

	if (*path == '/')
		cur = dir->tree->root;
	while (*path) {
		const char *end;
		size_t len;
		struct fs_node *next;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		end = strchrnul(path, '/');
		len = (size_t)(end - path);
		rc = -ENAMETOOLONG;
		if (len >= sizeof(name))
			goto out;
		memcpy(name, path, len);
		name[len] = '\0';
		path = end;
		rc = -ENOTDIR;
		if (cur->kind != FS_DIR)
			goto out;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			cur = cur->parent;
			continue;
		}
		rc = fs_node_lookup(cur, name, &next);
		if (rc)
			goto out;
		if (next->kind == FS_SYMLINK && (*path || follow_last)) {
			rc = -ELOOP;
			if (++*hops > FS_MAX_SYMLINK_HOPS)
				goto out;
			rc = walk(cur, next->target, true, hops, &next);
			if (rc)
				goto out;
		}
		cur = next;
	}
	rc = 0;
	*out = cur;
out:
	return rc;
}

int fs_tree_resolve(struct fs_tree *t, const char *path, int follow_last, struct fs_node **out)
{
	int hops = 0;

	if (path[0] != '/')
		return -EINVAL;
	return walk(t->root, path, follow_last, &hops, out);
}

uint64_t fs_node_ino(const struct fs_node *n)
{
	return n->ino;
}

enum fs_kind fs_node_kind(const struct fs_node *n)
{
	return n->kind;
}

const char *fs_node_name(const struct fs_node *n)
{
	return n->name;
}

struct fs_node *fs_node_parent(const struct fs_node *n)
{
	return n->parent;
}

const char *fs_node_target(const struct fs_node *n)
{
	return n->target;
}

struct fs_key fs_node_key(const struct fs_node *n)
{
	return n->key;
}

struct fs_tree *fs_node_tree(const struct fs_node *n)
{
	return n->tree;
}
