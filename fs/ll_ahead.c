/* SPDX-License-Identifier: MIT */
/* fs/ll_ahead: renders ahead of a scan of sibling directories (see
 * ll_ahead.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll_ahead.h"
#include "ll_thread.h"
#include "node.h"

/* Longer names are never scanned ahead (none of the tree's are). */
#define AHEAD_NAME_MAX 256

/* A node by number and generation: compared, never followed. */
struct node_id {
	uint64_t ino, gen;
};

static struct node_id id_of(const struct fs_node *n)
{
	return (struct node_id){fs_node_ino(n), fs_node_gen(n)};
}

static bool id_eq(struct node_id a, struct node_id b)
{
	return a.ino == b.ino && a.gen == b.gen;
}

struct ll_ahead {
	bool trace; /* a line on stderr per scan */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t idle; /* signalled when the thread has nothing to do */
	/* Guarded by lock: */
	bool stop;
	bool running; /* the thread is rendering a scan */
	/* The lookup before: a file named last_name in the directory last_dir,
	 * child of last_parent. */
	struct node_id last_dir, last_parent;
	char last_name[AHEAD_NAME_MAX];
	/* The scan to render ahead of: name in the children of parent (held
	 * while the scan is pending), round from the one after the child named
	 * from. gen counts scans; the thread drops a scan as soon as gen moves
	 * on. scan_parent is the parent of the last scan set up. */
	struct fs_node *parent;
	struct node_id scan_parent;
	char from[AHEAD_NAME_MAX];
	char name[AHEAD_NAME_MAX];
	uint64_t gen, taken;
	uint64_t scans; /* scans the thread has begun */
};

/* Renders name in the children of parent (held), from the one after the
 * child named from round to it (a scan in another order is still ahead
 * of), while the scan is still the one numbered gen. */
static void render_ahead(struct ll_ahead *a, struct fs_node *parent, const char *from,
			 const char *name, uint64_t gen)
{
	struct fs_node *const *kids;
	size_t n, at = 0, bytes = 0, files = 0, k;
	bool dropped = false;

	if (fs_node_children(parent, &kids, &n))
		return;
	while (at < n && strcmp(fs_node_name(kids[at]), from))
		at++;
	for (k = 1; k < n && k <= LL_AHEAD_MAX && bytes < LL_AHEAD_BYTES; k++) {
		struct fs_node *kid = kids[(at + k) % n], *f;
		struct fs_content *c;

		if (__atomic_load_n(&a->gen, __ATOMIC_RELAXED) != gen) {
			dropped = true;
			break;
		}
		if (fs_node_kind(kid) != FS_DIR)
			continue;
		fs_node_hold(kid); /* its children stay while it is */
		if (fs_node_lookup(kid, name, &f) == 0) {
			if (fs_node_kind(f) == FS_FILE && !fs_node_sized(f) &&
			    fs_node_read(f, &c) == 0) {
				bytes += fs_content_len(c);
				files++;
				fs_content_put(c);
			}
			fs_node_release(f);
		}
		fs_node_release(kid);
	}
	if (a->trace)
		fprintf(stderr,
			"clrfs: ahead: %s/*/%s: %zu files rendered (%zu bytes), %zu of %zu "
			"directories seen%s\n",
			fs_node_name(parent), name, files, bytes, k - 1, n - 1,
			dropped ? ", cut short (another scan, or unmounted)" : "");
}

static void *ahead_main(void *arg)
{
	struct ll_ahead *a = arg;
	char from[AHEAD_NAME_MAX], name[AHEAD_NAME_MAX];

	pthread_mutex_lock(&a->lock);
	while (!a->stop) {
		if (a->taken == __atomic_load_n(&a->gen, __ATOMIC_RELAXED)) {
			pthread_cond_broadcast(&a->idle);
			pthread_cond_wait(&a->wake, &a->lock);
			continue;
		}
		uint64_t gen = a->taken = a->gen;
		struct fs_node *parent = a->parent;
		a->parent = NULL; /* the thread's hold now */
		memcpy(from, a->from, sizeof(from));
		memcpy(name, a->name, sizeof(name));
		a->running = true;
		a->scans++;
		pthread_mutex_unlock(&a->lock);
		render_ahead(a, parent, from, name, gen);
		fs_node_release(parent);
		pthread_mutex_lock(&a->lock);
		a->running = false;
	}
	pthread_cond_broadcast(&a->idle);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int ll_ahead_start(bool trace, struct ll_ahead **out)
{
	struct ll_ahead *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return -ENOMEM;
	a->trace = trace;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	pthread_cond_init(&a->idle, NULL);
	rc = ll_thread_start(&a->thread, ahead_main, a);
	if (rc) {
		pthread_cond_destroy(&a->idle);
		pthread_cond_destroy(&a->wake);
		pthread_mutex_destroy(&a->lock);
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void ll_ahead_note(struct ll_ahead *a, struct fs_node *dir, struct fs_node *file)
{
	const char *name = fs_node_name(file);
	struct fs_node *parent = fs_node_parent(dir), *old = NULL;

	if (!a || fs_node_kind(file) != FS_FILE || strlen(name) >= AHEAD_NAME_MAX ||
	    strlen(fs_node_name(dir)) >= AHEAD_NAME_MAX)
		return;
	pthread_mutex_lock(&a->lock);
	/* A second directory of the same parent, the same name: a scan. Only
	 * of a parent listed already, whose children exist (a large directory
	 * is never listed so), and only once. */
	if (a->last_dir.ino && !id_eq(a->last_dir, id_of(dir)) &&
	    id_eq(a->last_parent, id_of(parent)) && parent != dir && !strcmp(a->last_name, name) &&
	    fs_node_listed(parent) &&
	    !(id_eq(a->scan_parent, id_of(parent)) && !strcmp(a->name, name))) {
		old = a->parent; /* a scan not begun, replaced */
		fs_node_hold(parent);
		a->parent = parent;
		a->scan_parent = id_of(parent);
		memcpy(a->from, fs_node_name(dir), strlen(fs_node_name(dir)) + 1);
		memcpy(a->name, name, strlen(name) + 1);
		__atomic_store_n(&a->gen, a->gen + 1, __ATOMIC_RELAXED);
		pthread_cond_signal(&a->wake);
	}
	a->last_dir = id_of(dir);
	a->last_parent = id_of(parent);
	memcpy(a->last_name, name, strlen(name) + 1);
	pthread_mutex_unlock(&a->lock);
	fs_node_release(old);
}

uint64_t ll_ahead_wait(struct ll_ahead *a)
{
	uint64_t scans;

	pthread_mutex_lock(&a->lock);
	while (!a->stop && (a->running || a->taken != __atomic_load_n(&a->gen, __ATOMIC_RELAXED)))
		pthread_cond_wait(&a->idle, &a->lock);
	scans = a->scans;
	pthread_mutex_unlock(&a->lock);
	return scans;
}

void ll_ahead_stop(struct ll_ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	__atomic_store_n(&a->gen, a->gen + 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	fs_node_release(a->parent); /* a scan never begun */
	pthread_cond_destroy(&a->idle);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
