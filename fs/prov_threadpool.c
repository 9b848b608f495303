/* SPDX-License-Identifier: MIT */
/* fs/prov_threadpool: /threadpool/{info,global,running,local/<managed-id>}. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "methods.h"
#include "runtime.h"
#include "stack.h"
#include "strbuf.h"
#include "managed.h"
#include "threadpool.h"
#include "format.h"
#include "fs_i.h"

static int info_render(struct fs_node *file, struct strbuf *b)
{
	int rc = mv_threadpool_info(fs_of(file)->rt, b);
	if (rc) {
		strbuf_puts(b, "problem: ");
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static int global_render(struct fs_node *file, struct strbuf *b)
{
	return mv_threadpool_global(fs_of(file)->rt, b);
}

struct local_find {
	uint32_t want;
	struct strbuf *out;
	int found;
};

static int local_take(uint32_t id, const char *lines, void *arg)
{
	struct local_find *lf = arg;
	if (id == lf->want) {
		strbuf_puts(lf->out, lines);
		lf->found = 1;
	}
	return 0;
}

/* Key: u = the managed thread id. */
static int local_render(struct fs_node *file, struct strbuf *b)
{
	struct local_find lf = { (uint32_t)fs_node_key(file).u, b, 0 };
	return mv_threadpool_locals(fs_of(file)->rt, local_take, &lf);
}

/* ThreadState's thread-pool worker bit (src/coreclr/vm/threads.h). */
#define TS_THREADPOOL_WORKER 0x01000000u
#define DISPATCH	     "System.Threading.ThreadPoolWorkQueue.Dispatch"

/* Whether a method belongs to the machinery between the dispatch loop and a
 * work item's own code: tasks, execution contexts, the work item wrappers,
 * async state machine boxes. */
static bool dispatch_machinery(const char *name)
{
	return !strncmp(name, "System.Threading.", 17) ||
	       !strncmp(name, "System.Runtime.CompilerServices.", 32);
}

/* The work item a worker runs: the outermost frame above the dispatch loop
 * that is not its machinery, else the one right above it. 0 and the name in
 * out; -ENOENT when the thread is not in the loop. */
static int running_method(struct fs *fs, const struct rt_thread *t, struct strbuf *out,
			  const char **why)
{
	struct rt_frame *v;
	size_t n, k;
	int rc = rt_thread_stack(fs->rt, t->addr, t->os_id, &v, &n, why);
	struct strbuf name;

	if (rc)
		return rc;
	strbuf_init(&name);
	rc = -ENOENT;
	for (k = 0; k < n; k++) {
		strbuf_truncate(&name, 0);
		if (v[k].type == RT_FRAME_MANAGED && v[k].md &&
		    !rt_method_desc_name(fs->rt, v[k].md, &name) && !name.oom &&
		    !strcmp(name.data, DISPATCH)) {
			rc = 0;
			break;
		}
	}
	bool first = true;
	while (!rc && k-- > 0) {
		if (v[k].type != RT_FRAME_MANAGED)
			continue;
		strbuf_truncate(&name, 0);
		if (!v[k].md || rt_method_desc_name(fs->rt, v[k].md, &name) || name.oom)
			continue;
		if (first) {
			strbuf_puts(out, name.data); /* the frame right above */
			first = false;
		}
		if (!dispatch_machinery(name.data)) {
			strbuf_truncate(out, 0);
			strbuf_puts(out, name.data);
			break;
		}
	}
	if (!rc && first)
		rc = -ENOENT; /* nothing named above the loop */
	strbuf_destroy(&name);
	free(v);
	return rc;
}

/* running: MANAGED-ID<TAB>METHOD per thread-pool worker inside the dispatch
 * loop, by managed id; a worker whose stack cannot be walked says why. */
static int running_render(struct fs_node *file, struct strbuf *b)
{
	struct fs *fs = fs_of(file);
	const struct rt_thread *threads;
	size_t n;
	int rc = rt_threads(fs->rt, &threads, &n);

	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rt_thread *t = &threads[i];
		const char *why = NULL;
		struct strbuf m;
		if (!(t->state & TS_THREADPOOL_WORKER))
			continue;
		strbuf_init(&m);
		rc = running_method(fs, t, &m, &why);
		if (!rc && !m.oom) {
			strbuf_printf(b, "%" PRIu32 "\t", t->managed_id);
			strbuf_add(b, m.data, m.len);
			strbuf_puts(b, "\n");
		} else if (rc != -ENOENT) {
			strbuf_printf(b, "%" PRIu32 "\t", t->managed_id);
			fs_put_unreadable(b, rc);
			strbuf_puts(b, "\n");
		}
		strbuf_destroy(&m);
	}
	return 0;
}

static const struct fs_ops info_ops = { .render = info_render };
static const struct fs_ops running_ops = { .render = running_render };
static const struct fs_ops global_ops = { .render = global_render };
static const struct fs_ops local_ops = { .render = local_render };

static int local_add(uint32_t id, const char *lines, void *arg)
{
	char name[16];
	(void)lines;
	snprintf(name, sizeof(name), "%" PRIu32, id);
	return fs_node_add(arg, name, FS_FILE, &local_ops, (struct fs_key){ id, NULL }, NULL);
}

static int local_populate(struct fs_node *dir)
{
	return mv_threadpool_locals(fs_of(dir)->rt, local_add, dir);
}

static const struct fs_ops local_dir_ops = { .populate = local_populate };

static int threadpool_populate(struct fs_node *dir)
{
	struct fs_key k = { 0, NULL };
	int rc = fs_node_add(dir, "info", FS_FILE, &info_ops, k, NULL);
	rc = rc ? rc : fs_node_add(dir, "global", FS_FILE, &global_ops, k, NULL);
	rc = rc ? rc : fs_node_add(dir, "running", FS_FILE, &running_ops, k, NULL);
	return rc ? rc : fs_node_add(dir, "local", FS_DIR, &local_dir_ops, k, NULL);
}

const struct fs_ops fs_threadpool_ops = { .populate = threadpool_populate };

/* /timers: the runtime's timer queues (decoder/managed/timers.c). */
static int timers_render(struct fs_node *file, struct strbuf *b)
{
	return mv_timers(fs_of(file)->rt, b);
}

const struct fs_ops fs_timers_ops = {
	.render = timers_render,
};
