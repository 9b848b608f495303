/* SPDX-License-Identifier: MIT */
/* fs/node: the lazily filled node tree, its inode table, path walking, and
 * the memory it keeps.
 *
 * Concurrency (docs/design.md, "Concurrency"). FUSE answers from several
 * threads; helper threads render ahead (ll_ahead.c) and push bytes to the
 * kernel (ll_push.c). Two locks, always taken in this order:
 *   tree->lock  the decoder lock, recursive. Every provider callback
 *               (populate, render, vlookup, vmake, vlist) runs with it, so
 *               the decoder is called by one thread at a time and needs no
 *               lock of its own. Making and freeing nodes takes it too.
 *   tree->life  a short lock over the inode table, the counts that say who
 *               holds a node (nlookup, refs, live), the cached contents and
 *               the LRU lists. Nothing is called while it is held.
 * Helper threads' own queue locks are taken with neither held. What the
 * decoder builds once (rt_once()) and what a node is made with are
 * read-only afterwards; a directory's children are read by its holders
 * without a lock (they stay while it is held).
 *
 * Lifetime. A node is held while the kernel knows it (nlookup: its lookups
 * less its forgets), while an operation or a helper uses it (refs), or
 * while one of its children is held (live); the root always is. A node
 * nobody holds may be freed when the tree is over its budget: the children
 * of a directory nobody holds are dropped together (it fills again when
 * next asked, the same: the dump never changes), a large directory's
 * children one by one. Its inode number is then given again, with another
 * generation (FUSE's rule for reused numbers). Rendered bytes are cached
 * apart, least recently used dropped first, and rendered again on demand.
 * The kernel keeps its own entries until it forgets them, so trimming asks
 * it (through the caller) to drop the entries of directories it holds.
 */
#include "node_i.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "reason.h"
#include "strbuf.h"

#define FS_MAX_SYMLINK_HOPS 40

/* Directories whose entries one trim asks the kernel to drop, at most: a
 * walk leaves about one directory the kernel holds per 1 KiB it makes, and
 * trims come every budget/8 bytes. */
#define TRIM_ASKS 8192

/* Directories become free to give back (held_changed()) before a trim is
 * due again: this many make it due. */
#define FREEABLE_TRIM 256

/* What malloc adds to each block, for the estimate of a node's memory. */
#define MALLOC_OVERHEAD 16

/* ---- Holding (tree->life held in each of these) ---- */

static bool held(const struct fs_node *n)
{
	return n->nlookup || n->refs || n->live;
}

static void lru_remove(struct fs_lru *l, struct fs_node *n)
{
	if (!n->in_lru)
		return;
	*(n->prev ? &n->prev->next : &l->head) = n->next;
	*(n->next ? &n->next->prev : &l->tail) = n->prev;
	n->prev = n->next = NULL;
	n->in_lru = false;
	l->count--;
}

static void lru_add_tail(struct fs_lru *l, struct fs_node *n)
{
	lru_remove(l, n);
	n->prev = l->tail;
	n->next = NULL;
	*(l->tail ? &l->tail->next : &l->head) = n;
	l->tail = n;
	n->in_lru = true;
	l->count++;
}

static void lru_add_head(struct fs_lru *l, struct fs_node *n)
{
	lru_remove(l, n);
	n->next = l->head;
	n->prev = NULL;
	*(l->head ? &l->head->prev : &l->tail) = n;
	l->head = n;
	n->in_lru = true;
	l->count++;
}

static struct fs_lru *lru_of(struct fs_node *n)
{
	return n->kind == FS_DIR ? &n->tree->dirs : &n->tree->files;
}

/* Marks n used now, when it is on its list. */
static void touch(struct fs_node *n)
{
	if (n->in_lru)
		lru_add_tail(lru_of(n), n);
}

/* n became held (up) or not: its ancestors' live counts follow. A
 * directory none of whose children is held any more can give them back: it
 * goes to the front of the list, where the next trim looks first. */
static void held_changed(struct fs_node *n, bool up)
{
	for (struct fs_node *p = n->parent; p != n; n = p, p = p->parent) {
		bool was = held(p);
		if (up) {
			p->live++;
		} else if (!--p->live && p->in_lru) {
			lru_add_head(&p->tree->dirs, p);
			p->tree->freeable++;
		}
		if (held(p) == was)
			break;
	}
}

static void hold_locked(struct fs_node *n)
{
	bool was = held(n);
	n->refs++;
	if (!was)
		held_changed(n, true);
}

static void release_locked(struct fs_node *n)
{
	n->refs--;
	if (!held(n))
		held_changed(n, false);
}

void fs_node_hold(struct fs_node *n)
{
	pthread_mutex_lock(&n->tree->life);
	hold_locked(n);
	pthread_mutex_unlock(&n->tree->life);
}

void fs_node_release(struct fs_node *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->tree->life);
	release_locked(n);
	pthread_mutex_unlock(&n->tree->life);
}

void fs_node_remember(struct fs_node *n)
{
	pthread_mutex_lock(&n->tree->life);
	bool was = held(n);
	n->nlookup++;
	if (!was)
		held_changed(n, true);
	pthread_mutex_unlock(&n->tree->life);
}

void fs_tree_forget(struct fs_tree *t, uint64_t ino, uint64_t nlookup)
{
	pthread_mutex_lock(&t->life);
	struct fs_node *n = ino >= 1 && ino <= t->top ? t->nodes[ino - 1] : NULL;
	t->st.forgets++;
	if (n && n->nlookup) {
		n->nlookup -= nlookup < n->nlookup ? nlookup : n->nlookup;
		if (!held(n))
			held_changed(n, false);
	}
	pthread_mutex_unlock(&t->life);
}

struct fs_node *fs_tree_get(struct fs_tree *t, uint64_t ino, uint64_t *gen)
{
	struct fs_node *n = NULL;

	pthread_mutex_lock(&t->life);
	if (ino >= 1 && ino <= t->top)
		n = t->nodes[ino - 1];
	if (n) {
		hold_locked(n);
		if (gen)
			*gen = n->gen;
	}
	pthread_mutex_unlock(&t->life);
	return n;
}

/* ---- Content ---- */

const char *fs_content_data(const struct fs_content *c)
{
	return c->data;
}

size_t fs_content_len(const struct fs_content *c)
{
	return c->len;
}

void fs_content_get(struct fs_content *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

void fs_content_put(struct fs_content *c)
{
	if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(c->data);
		free(c);
	}
}

/* Drops file's cached content (life held). */
static void evict(struct fs_tree *t, struct fs_node *f)
{
	lru_remove(&t->files, f);
	if (f->content) {
		t->st.content_bytes -= f->content->cost;
		t->st.evicted++;
		fs_content_put(f->content);
		f->content = NULL;
	}
}

/* ---- Making and freeing nodes ---- */

/* The bytes n's blocks take, as malloc counts them. */
static uint64_t node_cost(const struct fs_node *n)
{
	return malloc_usable_size((void *)n) + malloc_usable_size(n->target) +
	       malloc_usable_size(n->kids) + (n->target ? MALLOC_OVERHEAD : 0) +
	       (n->kids ? MALLOC_OVERHEAD : 0) + MALLOC_OVERHEAD;
}

/* Frees n's memory only (life held or the tree being freed). */
static void node_destroy(struct fs_node *n)
{
	HASH_CLEAR(hh, n->vmap);
	fs_content_put(n->content);
	free(n->target);
	free(n->kids);
	free(n);
}

/* Allocates a node and gives it a number: one freed before, else the next.
 * Its memory is counted once it is whole (count_node()). */
static int node_new(struct fs_tree *t, struct fs_node *parent, const char *name, enum fs_kind kind,
		    const struct fs_ops *ops, struct fs_key key, struct fs_node **out)
{
	size_t len = strlen(name);
	struct fs_node *n = calloc(1, sizeof(*n) + len + 1);

	if (!n)
		return -ENOMEM;
	n->name = memcpy(n->name_buf, name, len + 1);
	n->parent = parent ? parent : n;
	n->tree = t;
	n->kind = kind;
	n->ops = ops;
	n->key = key;
	n->large = kind == FS_DIR && ops && ops->vlookup;

	pthread_mutex_lock(&t->life);
	if (!t->nfree && t->top == t->cap) {
		uint64_t cap = t->cap ? t->cap * 2 : 64;
		struct fs_node **nodes = realloc(t->nodes, cap * sizeof(*nodes));
		if (!nodes) {
			pthread_mutex_unlock(&t->life);
			node_destroy(n);
			return -ENOMEM;
		}
		t->nodes = nodes;
		t->cap = cap;
	}
	n->ino = t->nfree ? t->free_inos[--t->nfree] : ++t->top;
	n->gen = ++t->gens;
	t->nodes[n->ino - 1] = n;
	t->st.nodes++;
	t->st.made++;
	pthread_mutex_unlock(&t->life);
	*out = n;
	return 0;
}

static void note_peak(struct fs_tree *t)
{
	uint64_t total = t->st.node_bytes + t->st.content_bytes;
	if (total > t->st.peak_bytes)
		t->st.peak_bytes = total;
}

static void count_node(struct fs_node *n)
{
	struct fs_tree *t = n->tree;

	pthread_mutex_lock(&t->life);
	t->st.node_bytes -= n->cost;
	n->cost = node_cost(n);
	t->st.node_bytes += n->cost;
	note_peak(t);
	pthread_mutex_unlock(&t->life);
}

/* Frees n and everything under it, none of which anybody holds (tree->lock
 * and life held). */
static void subtree_free(struct fs_tree *t, struct fs_node *n)
{
	struct fs_node *k, *tmp;

	HASH_ITER(hh, n->vmap, k, tmp)
	{
		HASH_DEL(n->vmap, k);
		subtree_free(t, k);
	}
	if (!n->large)
		for (size_t i = 0; i < n->nkids; i++)
			subtree_free(t, n->kids[i]);
	lru_remove(lru_of(n), n);
	if (n->kind == FS_FILE)
		evict(t, n);
	t->nodes[n->ino - 1] = NULL;
	if (t->nfree == t->capfree) {
		size_t cap = t->capfree ? t->capfree * 2 : 64;
		uint64_t *f = realloc(t->free_inos, cap * sizeof(*f));
		if (f) {
			t->free_inos = f;
			t->capfree = cap;
		}
	}
	if (t->nfree < t->capfree) /* else the number is never given again */
		t->free_inos[t->nfree++] = n->ino;
	t->st.node_bytes -= n->cost;
	t->st.nodes--;
	t->st.freed++;
	node_destroy(n);
}

/* Drops every child of the directory d, which nobody holds, nor any of its
 * children: it fills again when next asked (tree->lock and life held). */
static void dir_shed(struct fs_tree *t, struct fs_node *d)
{
	for (size_t i = 0; i < d->nkids; i++)
		subtree_free(t, d->kids[i]);
	free(d->kids);
	d->kids = NULL;
	d->nkids = d->capkids = 0;
	t->st.node_bytes -= d->cost;
	d->cost = node_cost(d);
	t->st.node_bytes += d->cost;
	d->rc = 0;
	__atomic_store_n(&d->done, false, __ATOMIC_RELAXED);
	lru_remove(&t->dirs, d);
}

/* Drops the children of the large directory d that nobody holds. */
static void vdir_shed(struct fs_tree *t, struct fs_node *d)
{
	struct fs_node *k, *tmp;

	HASH_ITER(hh, d->vmap, k, tmp)
	{
		if (held(k))
			continue;
		HASH_DEL(d->vmap, k);
		d->nvmap--;
		subtree_free(t, k);
	}
	if (!d->nvmap)
		lru_remove(&t->dirs, d);
}

int fs_tree_new(const struct fs_ops *root_ops, void *ctx, struct fs_tree **out)
{
	struct fs_tree *t = calloc(1, sizeof(*t));
	pthread_mutexattr_t attr;
	int rc;

	if (!t)
		return -ENOMEM;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&t->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_mutex_init(&t->life, NULL);
	t->ctx = ctx;
	rc = node_new(t, NULL, "/", FS_DIR, root_ops, (struct fs_key){0, NULL}, &t->root);
	if (rc) {
		fs_tree_free(t);
		return rc;
	}
	count_node(t->root);
	t->root->refs = 1; /* for the life of the tree */
	*out = t;
	return 0;
}

void fs_tree_free(struct fs_tree *t)
{
	if (!t)
		return;
	/* A directory's hash of kids keeps its table in the kids themselves
	 * (uthash): every hash is cleared before any node is freed, since a
	 * reused number may put a kid before its parent. */
	for (uint64_t i = 0; i < t->top; i++)
		if (t->nodes[i])
			HASH_CLEAR(hh, t->nodes[i]->vmap);
	for (uint64_t i = 0; i < t->top; i++)
		if (t->nodes[i])
			node_destroy(t->nodes[i]);
	free(t->nodes);
	free(t->free_inos);
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->life);
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

static bool name_valid(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

int fs_node_add(struct fs_node *dir, const char *name, enum fs_kind kind, const struct fs_ops *ops,
		struct fs_key key, struct fs_node **out)
{
	struct fs_node *n = NULL;
	int rc = -EINVAL;

	/* busy is only true while populate() or vmake() runs, with the tree
	 * lock held. */
	if (dir->kind != FS_DIR || !dir->busy || !name_valid(name))
		return rc;
	if (!dir->large && dir->nkids == dir->capkids) {
		size_t cap = dir->capkids ? dir->capkids * 2 : 8;
		struct fs_node **kids = realloc(dir->kids, cap * sizeof(*kids));
		if (!kids)
			return -ENOMEM;
		dir->kids = kids;
		dir->capkids = cap;
	}
	rc = node_new(dir->tree, dir, name, kind, ops, key, &n);
	if (rc)
		return rc;
	if (dir->large) {
		HASH_ADD_KEYPTR(hh, dir->vmap, n->name, strlen(n->name), n);
		dir->nvmap++;
	} else {
		dir->kids[dir->nkids++] = n;
	}
	count_node(n);
	if (out)
		*out = n;
	return 0;
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
	 * the directory stays empty. A block of its own size: many are kept. */
	if (!rc && !(n->target = strdup(t.data)))
		rc = -ENOMEM;
	if (!rc)
		count_node(n);
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

/*
 * What the tree lists can be read. A file whose render() fails reads
 * "<unreadable: reason>"; a directory whose populate() (or vlist()) fails
 * holds only UNREADABLE_NAME, a file saying why (no name from the dump can be
 * it: a name from the dump never starts with '.', names.h). The failure is
 * kept with the children; -ENOMEM is not, and a later call retries.
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

/* Runs the (not large) directory's populate() and sorts what it added,
 * unless it has its children. A failed populate drops what it added and
 * leaves UNREADABLE_NAME. */
static int dir_populate(struct fs_node *dir)
{
	struct fs_tree *t = dir->tree;
	int rc;

	if (__atomic_load_n(&dir->done, __ATOMIC_ACQUIRE))
		return dir->rc;
	pthread_mutex_lock(&t->lock);
	rc = dir->rc;
	if (dir->done)
		goto out;
	rc = -EDEADLK;
	if (dir->busy)
		goto out;
	dir->busy = true;
	rc = dir->ops && dir->ops->populate ? dir->ops->populate(dir) : 0;
	dir->busy = false;
	if (rc == 0 && dir->nkids > 1) {
		qsort(dir->kids, dir->nkids, sizeof(*dir->kids), kid_cmp);
		for (size_t i = 1; i < dir->nkids; i++)
			if (!strcmp(dir->kids[i - 1]->name, dir->kids[i]->name))
				rc = -EEXIST; /* a provider bug */
	}
	if (rc) {
		/* Nobody holds what populate() made: free it. */
		pthread_mutex_lock(&t->life);
		for (size_t i = 0; i < dir->nkids; i++)
			subtree_free(t, dir->kids[i]);
		dir->nkids = 0;
		pthread_mutex_unlock(&t->life);
	}
	if (rc && rc != -ENOMEM) {
		dir->busy = true;
		rc = fs_node_add(dir, UNREADABLE_NAME, FS_FILE, &unreadable_ops,
				 (struct fs_key){(uint64_t)-rc, NULL}, NULL);
		dir->busy = false;
	}
	if (rc != -ENOMEM) {
		count_node(dir);
		pthread_mutex_lock(&t->life);
		if (dir->nkids && dir != t->root)
			lru_add_tail(&t->dirs, dir);
		pthread_mutex_unlock(&t->life);
		dir->rc = rc;
		__atomic_store_n(&dir->done, true, __ATOMIC_RELEASE);
	}
out:
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Finds or makes the large directory's child name (tree->lock held), made
 * with key when known (vlist()), else asked of vlookup(). */
static int vdir_child(struct fs_node *dir, const char *name, const uint64_t *key,
		      struct fs_node **out)
{
	struct fs_tree *t = dir->tree;
	struct fs_node *n;
	uint64_t k;
	int rc;

	HASH_FIND_STR(dir->vmap, name, n);
	if (n)
		goto found;
	if (dir->busy)
		return -EDEADLK;
	if (key) {
		k = *key;
	} else {
		rc = dir->ops->vlookup(dir, name, &k);
		if (rc)
			return rc;
	}
	dir->busy = true;
	rc = dir->ops->vmake(dir, name, k);
	dir->busy = false;
	if (rc)
		return rc;
	HASH_FIND_STR(dir->vmap, name, n);
	if (!n)
		return -ENOENT;
	pthread_mutex_lock(&t->life);
	if (!dir->in_lru && dir != t->root)
		lru_add_tail(&t->dirs, dir);
	pthread_mutex_unlock(&t->life);
found:
	*out = n;
	return 0;
}

int fs_node_children(struct fs_node *dir, struct fs_node *const **kids, size_t *count)
{
	int rc = dir->kind != FS_DIR ? -ENOTDIR : dir->large ? -EOPNOTSUPP : dir_populate(dir);

	if (rc)
		return rc;
	*kids = dir->kids;
	*count = dir->nkids;
	return 0;
}

int fs_node_lookup(struct fs_node *dir, const char *name, struct fs_node **out)
{
	struct fs_tree *t = dir->tree;
	struct fs_node *const *kids, *n = NULL;
	size_t lo = 0, hi;
	int rc;

	if (dir->kind == FS_DIR && dir->large) {
		pthread_mutex_lock(&t->lock);
		rc = vdir_child(dir, name, NULL, &n);
		if (!rc) {
			pthread_mutex_lock(&t->life);
			hold_locked(n);
			touch(dir);
			pthread_mutex_unlock(&t->life);
			*out = n;
		}
		pthread_mutex_unlock(&t->lock);
		return rc;
	}
	rc = fs_node_children(dir, &kids, &hi);
	if (rc)
		return rc;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, kids[mid]->name);
		if (c == 0) {
			n = kids[mid];
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (!n)
		return -ENOENT;
	pthread_mutex_lock(&t->life);
	hold_locked(n);
	touch(dir);
	pthread_mutex_unlock(&t->life);
	*out = n;
	return 0;
}

struct list_ctx {
	int (*cb)(void *arg, struct fs_node *child, uint64_t next);
	void *arg;
};

/* vlist() callback: the child, made unless it is, handed to the caller's cb. */
static int vlist_emit(struct fs_node *dir, const char *name, uint64_t key, uint64_t next,
		      void *arg)
{
	struct list_ctx *c = arg;
	struct fs_node *n;
	int rc = vdir_child(dir, name, &key, &n);

	return rc ? rc : c->cb(c->arg, n, next);
}

int fs_node_list(struct fs_node *dir, uint64_t from,
		 int (*cb)(void *arg, struct fs_node *child, uint64_t next), void *arg)
{
	struct fs_tree *t = dir->tree;
	struct fs_node *const *kids;
	size_t n = 0;
	int rc;

	if (dir->kind == FS_DIR && dir->large) {
		struct list_ctx c = {cb, arg};
		pthread_mutex_lock(&t->lock);
		rc = dir->busy ? -EDEADLK : dir->ops->vlist(dir, from, vlist_emit, &c);
		pthread_mutex_lock(&t->life);
		touch(dir);
		pthread_mutex_unlock(&t->life);
		pthread_mutex_unlock(&t->lock);
		return rc;
	}
	rc = fs_node_children(dir, &kids, &n);
	for (uint64_t i = from; !rc && i < n; i++)
		rc = cb(arg, kids[i], i + 1);
	if (n) {
		pthread_mutex_lock(&t->life);
		touch(dir);
		pthread_mutex_unlock(&t->life);
	}
	return rc;
}

int fs_node_count(struct fs_node *dir, uint64_t *count)
{
	struct fs_node *const *kids;
	size_t n;
	int rc;

	if (dir->kind == FS_DIR && dir->large) {
		if (!dir->ops->vcount)
			return -EOPNOTSUPP;
		pthread_mutex_lock(&dir->tree->lock);
		rc = dir->ops->vcount(dir, count);
		pthread_mutex_unlock(&dir->tree->lock);
		return rc;
	}
	rc = fs_node_children(dir, &kids, &n);
	if (!rc)
		*count = n;
	return rc;
}

bool fs_node_listed(struct fs_node *dir)
{
	return dir->kind == FS_DIR && !dir->large &&
	       __atomic_load_n(&dir->done, __ATOMIC_ACQUIRE) && dir->rc == 0;
}

/* ---- Rendering ---- */

static bool refreshes(const struct fs_node *f)
{
	return f->ops && f->ops->refresh;
}

/* file's cached content when it is current (life held), else NULL. */
static struct fs_content *cached(struct fs_node *f, uint32_t epoch)
{
	struct fs_content *c = f->content;
	return c && (!refreshes(f) || c->epoch == epoch) ? c : NULL;
}

/* Renders file (tree->lock held) and caches the bytes; *out gets a
 * reference. A render error becomes the content, "<unreadable: reason>";
 * -ENOMEM is returned. */
static int render(struct fs_node *f, uint32_t epoch, struct fs_content **out)
{
	struct fs_tree *t = f->tree;
	struct fs_content *c;
	struct strbuf b;
	int rc;

	if (f->busy)
		return -EDEADLK;
	strbuf_init(&b);
	f->busy = true;
	rc = f->ops && f->ops->render ? f->ops->render(f, &b) : 0;
	f->busy = false;
	if (rc == 0 && b.oom)
		rc = -ENOMEM;
	if (rc && rc != -ENOMEM) {
		strbuf_truncate(&b, 0);
		reason_put_unreadable(&b, rc);
		strbuf_puts(&b, "\n");
		rc = b.oom ? -ENOMEM : 0;
	}
	c = rc ? NULL : calloc(1, sizeof(*c));
	if (c && !(c->data = strbuf_steal(&b, &c->len))) {
		free(c);
		c = NULL;
	}
	strbuf_destroy(&b);
	if (!c)
		return -ENOMEM;
	/* The buffer grew by doubling: keep only what it holds. */
	char *fit = realloc(c->data, c->len + 1);
	c->data = fit ? fit : c->data;
	c->cost = sizeof(*c) + malloc_usable_size(c->data) + 2 * MALLOC_OVERHEAD;
	c->epoch = epoch;
	c->refs = 2; /* the node's and the caller's */
	pthread_mutex_lock(&t->life);
	evict(t, f);
	f->content = c;
	f->sized = true;
	f->len = c->len;
	f->len_epoch = epoch;
	t->st.content_bytes += c->cost;
	t->st.misses++;
	note_peak(t);
	/* A refresh file's content follows what was decoded before it (/info
	 * lists the problems found so far): it is kept until the dump changes,
	 * so that the size the kernel has stays true. */
	if (!refreshes(f))
		lru_add_tail(&t->files, f);
	pthread_mutex_unlock(&t->life);
	*out = c;
	return 0;
}

int fs_node_read(struct fs_node *file, struct fs_content **out)
{
	struct fs_tree *t = file->tree;
	uint32_t epoch = __atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE);
	struct fs_content *c;
	int rc = 0;

	if (file->kind != FS_FILE)
		return file->kind == FS_DIR ? -EISDIR : -EINVAL;
	pthread_mutex_lock(&t->life);
	c = cached(file, epoch);
	if (c) {
		fs_content_get(c);
		touch(file);
		t->st.hits++;
	}
	pthread_mutex_unlock(&t->life);
	if (c)
		goto out;
	pthread_mutex_lock(&t->lock);
	/* Another thread may have rendered it while this one waited. */
	pthread_mutex_lock(&t->life);
	c = cached(file, epoch);
	if (c)
		fs_content_get(c);
	pthread_mutex_unlock(&t->life);
	if (!c)
		rc = render(file, epoch, &c);
	pthread_mutex_unlock(&t->lock);
out:
	if (!rc)
		*out = c;
	return rc;
}

int fs_node_cached(struct fs_node *file, struct fs_content **out)
{
	struct fs_tree *t = file->tree;
	struct fs_content *c;

	pthread_mutex_lock(&t->life);
	c = file->kind == FS_FILE ? cached(file, __atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE))
				  : NULL;
	if (c)
		fs_content_get(c);
	pthread_mutex_unlock(&t->life);
	if (!c)
		return -ENOENT;
	*out = c;
	return 0;
}

/* Whether file's len is current (life held). */
static bool sized_locked(struct fs_node *f)
{
	return f->sized && (!refreshes(f) || f->len_epoch == __atomic_load_n(&f->tree->epoch,
									       __ATOMIC_ACQUIRE));
}

bool fs_node_sized(struct fs_node *file)
{
	bool s;

	if (file->kind != FS_FILE)
		return false;
	pthread_mutex_lock(&file->tree->life);
	s = sized_locked(file);
	pthread_mutex_unlock(&file->tree->life);
	return s;
}

bool fs_node_small(const struct fs_node *file)
{
	return file->kind == FS_FILE && file->ops && file->ops->small;
}

int fs_node_size(struct fs_node *file, size_t *len)
{
	struct fs_content *c;
	bool known = false;
	int rc;

	if (file->kind == FS_FILE) {
		pthread_mutex_lock(&file->tree->life);
		known = sized_locked(file);
		*len = file->len;
		pthread_mutex_unlock(&file->tree->life);
	}
	if (known)
		return 0;
	rc = fs_node_read(file, &c);
	if (rc)
		return rc;
	*len = c->len;
	fs_content_put(c);
	return 0;
}

/* ---- Memory ---- */

void fs_tree_set_budget(struct fs_tree *t, size_t bytes)
{
	pthread_mutex_lock(&t->life);
	t->budget = bytes;
	t->trim_at = bytes;
	pthread_mutex_unlock(&t->life);
}

void fs_tree_stats(struct fs_tree *t, struct fs_tree_stats *s)
{
	pthread_mutex_lock(&t->life);
	*s = t->st;
	pthread_mutex_unlock(&t->life);
}

static uint64_t total(const struct fs_tree *t)
{
	return t->st.node_bytes + t->st.content_bytes;
}

bool fs_tree_over(struct fs_tree *t)
{
	/* Asked after every operation: no lock. The figures may be a moment
	 * old; the trim looks again under the lock. */
	uint64_t budget = __atomic_load_n(&t->budget, __ATOMIC_RELAXED);
	uint64_t sum = __atomic_load_n(&t->st.node_bytes, __ATOMIC_RELAXED) +
		       __atomic_load_n(&t->st.content_bytes, __ATOMIC_RELAXED);

	/* Over, and grown since the last trim, or with directories to give
	 * back since (the kernel forgot what it was asked to). */
	return budget && sum > budget &&
	       (sum > __atomic_load_n(&t->trim_at, __ATOMIC_RELAXED) ||
		__atomic_load_n(&t->freeable, __ATOMIC_RELAXED) > FREEABLE_TRIM) &&
	       !__atomic_load_n(&t->trimming, __ATOMIC_RELAXED);
}

bool fs_tree_full(struct fs_tree *t)
{
	uint64_t budget = __atomic_load_n(&t->budget, __ATOMIC_RELAXED);

	return budget && __atomic_load_n(&t->st.node_bytes, __ATOMIC_RELAXED) +
				 __atomic_load_n(&t->st.content_bytes, __ATOMIC_RELAXED) >
				 budget;
}

struct trim_ask {
	uint64_t parent;
	char *name;
};

/* Queues asking the kernel to drop n's entry in the directory numbered
 * parent; *asked grows by about what that gives back. */
static void ask_for(struct fs_tree *t, struct trim_ask *asks, size_t *nasks, uint64_t parent,
		    const struct fs_node *n, uint64_t *asked)
{
	if (*nasks == TRIM_ASKS || !(asks[*nasks].name = strdup(n->name)))
		return;
	asks[(*nasks)++].parent = parent;
	*asked += (1 + n->live) * (t->st.node_bytes / (t->st.nodes ? t->st.nodes : 1));
}

void fs_tree_trim(struct fs_tree *t, void (*ask)(void *arg, uint64_t parent, const char *name),
		  void *arg)
{
	struct trim_ask *asks = ask ? calloc(TRIM_ASKS, sizeof(*asks)) : NULL;
	size_t nasks = 0;

	if (__atomic_exchange_n(&t->trimming, true, __ATOMIC_ACQUIRE)) {
		free(asks);
		return;
	}
	pthread_mutex_lock(&t->lock);
	pthread_mutex_lock(&t->life);
	uint64_t low = t->budget / 4 * 3, asked = 0;
	while (total(t) > low && t->files.head)
		evict(t, t->files.head);
	/* Each directory looked at once, least recently used first, until
	 * what is left and what the kernel is asked to let go of are under
	 * the mark. */
	for (size_t i = 0, n = t->dirs.count; i < n && total(t) > low + asked && t->dirs.head;
	     i++) {
		struct fs_node *d = t->dirs.head;
		lru_add_tail(&t->dirs, d);
		if (d->refs)
			continue;
		if (d->large)
			vdir_shed(t, d);
		else if (!d->live)
			dir_shed(t, d);
		if (!d->live || !asks)
			continue;
		/* The kernel holds some of its children: ask it to drop entries
		 * (it then forgets them, and a later trim frees them). For a
		 * directory, its own entry, which drops the unused ones under
		 * it too; for a large one, which a walk goes through for long,
		 * the entries of its children: dropping a directory a process
		 * is in only hides what is under it from later asks. */
		if (!d->large) {
			if (d->parent != d)
				ask_for(t, asks, &nasks, d->parent->ino, d, &asked);
			continue;
		}
		struct fs_node *k, *tmp;
		HASH_ITER(hh, d->vmap, k, tmp)
		{
			if (nasks == TRIM_ASKS || total(t) <= low + asked)
				break;
			if (k->nlookup && !k->refs)
				ask_for(t, asks, &nasks, d->ino, k, &asked);
		}
	}
	t->st.asked += nasks;
	t->st.trims++;
	t->trim_at = total(t) + t->budget / 8;
	t->freeable = 0;
	pthread_mutex_unlock(&t->life);
	pthread_mutex_unlock(&t->lock);
	for (size_t i = 0; i < nasks; i++) {
		ask(arg, asks[i].parent, asks[i].name);
		free(asks[i].name);
	}
	free(asks);
	__atomic_store_n(&t->trimming, false, __ATOMIC_RELEASE);
}

/* ---- Paths ---- */

/* Walks path from dir (held). *hops counts symlinks followed so far. */
static int walk(struct fs_node *dir, const char *path, bool follow_last, int *hops,
		struct fs_node **out)
{
	struct fs_node *cur = *path == '/' ? dir->tree->root : dir, *next;
	char name[256];
	int rc = 0;

	fs_node_hold(cur);
	while (*path) {
		const char *end;
		size_t len;

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
			next = cur->parent;
			fs_node_hold(next);
		} else {
			rc = fs_node_lookup(cur, name, &next);
			if (rc)
				goto out;
		}
		if (next->kind == FS_SYMLINK && (*path || follow_last)) {
			struct fs_node *to = NULL;
			rc = ++*hops > FS_MAX_SYMLINK_HOPS ? -ELOOP
							   : walk(cur, next->target, true, hops, &to);
			fs_node_release(next);
			next = to;
			if (rc)
				goto out;
		}
		fs_node_release(cur);
		cur = next;
	}
	rc = 0;
	*out = cur;
	cur = NULL;
out:
	fs_node_release(cur);
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

uint64_t fs_node_gen(const struct fs_node *n)
{
	return n->gen;
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
