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

struct ll_ahead {
	bool trace; /* a line on stderr per scan */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t idle; /* signalled when the thread has nothing to do */
	/* Guarded by lock: */
	bool stop;
	bool running; /* the thread is rendering a scan */
	/* The lookup before: a file named last_name in last_dir. */
	struct fs_node *last_dir;
	char last_name[AHEAD_NAME_MAX];
	/* The scan to render ahead of: name in the children of parent, round
	 * from the one after `from`. gen counts scans; the thread drops a scan
	 * as soon as gen moves on. */
	struct fs_node *parent, *from;
	char name[AHEAD_NAME_MAX];
	uint64_t gen, taken;
	uint64_t scans; /* scans the thread has begun */
};

/* Renders name in the children of parent, from the one after `from` round
 * to `from` (a scan in another order is still ahead of), while the scan is
 * still the one numbered gen. */
static void render_ahead(struct ll_ahead *a, struct fs_node *parent, struct fs_node *from,
			 const char *name, uint64_t gen)
{
	struct fs_node *const *kids;
	size_t n, at = 0, bytes = 0, files = 0, k;
	bool dropped = false;

	if (fs_node_children(parent, &kids, &n))
		return;
	while (at < n && kids[at] != from)
		at++;
	for (k = 1; k < n && k <= LL_AHEAD_MAX && bytes < LL_AHEAD_BYTES; k++) {
		struct fs_node *kid = kids[(at + k) % n], *f;
		const char *data;
		size_t len;

		if (__atomic_load_n(&a->gen, __ATOMIC_RELAXED) != gen) {
			dropped = true;
			break;
		}
		if (fs_node_kind(kid) != FS_DIR || fs_node_lookup(kid, name, &f) ||
		    fs_node_kind(f) != FS_FILE || fs_node_rendered(f))
			continue;
		if (fs_node_content(f, &data, &len) == 0) {
			bytes += len;
			files++;
		}
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
	char name[AHEAD_NAME_MAX];

	pthread_mutex_lock(&a->lock);
	while (!a->stop) {
		if (a->taken == __atomic_load_n(&a->gen, __ATOMIC_RELAXED)) {
			pthread_cond_broadcast(&a->idle);
			pthread_cond_wait(&a->wake, &a->lock);
			continue;
		}
		uint64_t gen = a->taken = a->gen;
		struct fs_node *parent = a->parent, *from = a->from;
		memcpy(name, a->name, sizeof(name));
		a->running = true;
		a->scans++;
		pthread_mutex_unlock(&a->lock);
		render_ahead(a, parent, from, name, gen);
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
	struct fs_node *parent = fs_node_parent(dir);

	if (!a || fs_node_kind(file) != FS_FILE || strlen(name) >= AHEAD_NAME_MAX)
		return;
	pthread_mutex_lock(&a->lock);
	/* A second directory of the same parent, the same name: a scan. Only
	 * of a parent listed already, whose children exist (a large directory
	 * looked up child by child is never listed for this), and only once. */
	if (a->last_dir && a->last_dir != dir && fs_node_parent(a->last_dir) == parent &&
	    parent != dir && !strcmp(a->last_name, name) && fs_node_listed(parent) &&
	    !(a->parent == parent && !strcmp(a->name, name))) {
		a->parent = parent;
		a->from = dir;
		memcpy(a->name, a->last_name, sizeof(a->name));
		__atomic_store_n(&a->gen, a->gen + 1, __ATOMIC_RELAXED);
		pthread_cond_signal(&a->wake);
	}
	a->last_dir = dir;
	memcpy(a->last_name, name, strlen(name) + 1);
	pthread_mutex_unlock(&a->lock);
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
	pthread_cond_destroy(&a->idle);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
