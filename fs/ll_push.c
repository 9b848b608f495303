/* SPDX-License-Identifier: MIT */
/* fs/ll_push: small files' bytes pushed into the kernel's page cache by a
 * thread of their own (see ll_push.h).
 *
 * Why a thread: the kernel copies a store into the inode's pages with each
 * page locked (fs/fuse/dev.c, fuse_notify_store: filemap_grab_folio). When a
 * reader got there first, the page stays locked until the daemon answers
 * that reader's READ. A store made by a thread of the session loop could
 * then wait for a request only the loop can answer, so the loop never
 * stores; this thread may wait, the loop goes on. For the same reason the
 * thread is stopped while requests are still being answered (ll_push_stop). */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ll_push.h"
#include "ll_thread.h"
#include "node.h"

/* Pending pushes; a lookup burst (a shell glob) rarely gets ahead of the
 * thread by more than a few, and a dropped push only costs a READ; a trim
 * (fs_tree_trim()) asks for up to 8192 entries to be dropped at once. */
#define PUSH_QUEUE 16384

/* When a push is tried again while the kernel does not know the inode yet:
 * it makes the inode when the process that looked it up takes the reply,
 * which on a loaded machine can come milliseconds after the push. The
 * n-th retry waits PUSH_WAIT_US << 2n after the try before it: 50 us to
 * 12.8 ms, about 17 ms in all, then the push is dropped (a READ answers). */
#define PUSH_TRIES 5
#define PUSH_WAIT_US 50

/* One notification: a store (node and content set), the invalidation of an
 * inode (ino alone), or of an entry (ino the directory, name set). */
struct push_item {
	uint64_t ino;
	struct fs_node *node;	    /* held until pushed */
	struct fs_content *content; /* likewise */
	char *name;
	unsigned tries;
	struct timespec due; /* not tried again before (CLOCK_MONOTONIC) */
};

struct ll_push {
	struct fuse_session *se;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* Guarded by lock: */
	struct push_item q[PUSH_QUEUE];
	size_t head, count;
	bool stop;     /* take nothing more; the thread ends */
	bool busy;     /* the thread is inside a store */
	bool disabled; /* the kernel takes no stores (or the connection is gone) */
};

/* Lets go of what an item holds. */
static void item_done(struct push_item *it)
{
	fs_content_put(it->content);
	fs_node_release(it->node);
	free(it->name);
}

/* Empties the queue (p->lock held). */
static void drain(struct ll_push *p)
{
	for (; p->count; p->count--, p->head = (p->head + 1) % PUSH_QUEUE)
		item_done(&p->q[p->head]);
}

/* Queues it (taking what it holds) or lets it go. */
static void enqueue(struct ll_push *p, struct push_item it)
{
	pthread_mutex_lock(&p->lock);
	if (!p->stop && !p->disabled && p->count < PUSH_QUEUE) {
		p->q[(p->head + p->count) % PUSH_QUEUE] = it;
		if (++p->count == 1) /* else the thread is awake: it empties the queue */
			pthread_cond_signal(&p->wake);
		it = (struct push_item){0};
	}
	pthread_mutex_unlock(&p->lock);
	item_done(&it);
}

/* Whether a is before b. */
static bool before(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/* Now plus us microseconds. */
static struct timespec after_us(long us)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += us % 1000000 * 1000;
	t.tv_sec += us / 1000000 + t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

static void *push_main(void *arg)
{
	struct ll_push *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->count == 0)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stop)
			break;
		/* A retry at the head waits for its time; new pushes queue
		 * behind it, which costs them at most that wait. */
		struct timespec due = p->q[p->head].due;
		if (due.tv_sec && before(after_us(0), due)) {
			pthread_cond_timedwait(&p->wake, &p->lock, &due);
			continue;
		}
		struct push_item it = p->q[p->head];
		p->head = (p->head + 1) % PUSH_QUEUE;
		p->count--;
		p->busy = true;
		pthread_mutex_unlock(&p->lock);

		int rc;
		if (it.content) {
			struct fuse_bufvec bv = FUSE_BUFVEC_INIT(fs_content_len(it.content));
			bv.buf[0].mem = (void *)fs_content_data(it.content);
			/* -ENOENT: the kernel has no such inode, not yet (tried
			 * again below) or no more (forgotten already). */
			rc = fuse_lowlevel_notify_store(p->se, it.ino, 0, &bv, 0);
		} else if (it.name) {
			rc = fuse_lowlevel_notify_inval_entry(p->se, it.ino, it.name,
							      strlen(it.name));
		} else {
			rc = fuse_lowlevel_notify_inval_inode(p->se, it.ino, 0, 0);
		}
		if (!it.content && rc == -ENOENT)
			rc = 0; /* nothing kept: nothing to forget */

		pthread_mutex_lock(&p->lock);
		p->busy = false;
		if (rc == -ENOENT && it.content && it.tries < PUSH_TRIES && p->count < PUSH_QUEUE &&
		    !p->stop) {
			/* Behind the others, not before its time. */
			it.due = after_us((long)PUSH_WAIT_US << (2 * it.tries));
			it.tries++;
			p->q[(p->head + p->count) % PUSH_QUEUE] = it;
			p->count++;
		} else {
			item_done(&it);
		}
		if (rc == -ENOSYS || rc == -ENODEV || rc == -EBADF) {
			p->disabled = true;
			drain(p);
		}
	}
	drain(p);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int ll_push_start(struct fuse_session *se, struct ll_push **out)
{
	struct ll_push *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->se = se;
	pthread_condattr_t ca;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = ll_thread_start(&p->thread, push_main, p);
	if (rc) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void ll_push_add(struct ll_push *p, struct fs_node *file)
{
	struct fs_content *c;

	if (!p || fs_node_cached(file, &c))
		return;
	if (fs_content_len(c) == 0 || fs_content_len(c) > LL_PUSH_MAX) {
		fs_content_put(c);
		return;
	}
	fs_node_hold(file);
	enqueue(p, (struct push_item){fs_node_ino(file), file, c, NULL, 0});
}

void ll_push_inval(struct ll_push *p, uint64_t ino)
{
	if (p)
		enqueue(p, (struct push_item){ino, NULL, NULL, NULL, 0});
}

void ll_push_inval_entry(struct ll_push *p, uint64_t parent, const char *name)
{
	char *copy;

	if (!p || !(copy = strdup(name)))
		return;
	enqueue(p, (struct push_item){parent, NULL, NULL, copy, 0});
}

/* Answers at most one request, waiting up to 10 ms for it. */
static void serve_one(struct fuse_session *se)
{
	struct pollfd pfd = {.fd = fuse_session_fd(se), .events = POLLIN};
	struct fuse_buf buf = {0};

	if (poll(&pfd, 1, 10) != 1)
		return;
	if (!(pfd.revents & POLLIN)) {
		/* The connection is gone: the kernel has ended every request,
		 * so the store waits no more. Just do not spin. */
		usleep(1000);
		return;
	}
	if (fuse_session_receive_buf(se, &buf) > 0)
		fuse_session_process_buf(se, &buf);
	free(buf.mem);
}

void ll_push_stop(struct ll_push *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	drain(p);
	pthread_cond_signal(&p->wake);
	while (p->busy) {
		pthread_mutex_unlock(&p->lock);
		serve_one(p->se);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
