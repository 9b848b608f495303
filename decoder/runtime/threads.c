// SPDX-License-Identifier: MIT
// Managed threads: the runtime's ThreadStore list, through the contract descriptor.
//
// Algorithm: dotnet/runtime docs/design/datacontracts/Thread.md. The global
// ThreadStore is &ThreadStore::s_pThreadStore; ThreadStore.FirstThreadLink is
// the head of an SList whose links are embedded in each Thread at
// Thread.LinkNext; a link of 0 ends the list.
#include "runtime_i.h"

#include "diag.h"
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS_MAX 100000 /* bound on the list walk: a dump is hostile */

/* ThreadState bits: dotnet/runtime src/coreclr/vm/threads.h (enum
 * ThreadState), as listed in docs/design/datacontracts/Thread.md. */
static const struct {
	uint32_t bit;
	const char *name;
} state_names[] = {
	{0x00000001, "abort-requested"},
	{0x00000002, "gc-suspend-pending"},
	{0x00000004, "gc-suspend-redirected"},
	{0x00000008, "debug-suspend-pending"},
	{0x00000010, "gc-on-transitions"},
	{0x00000020, "legal-to-join"},
	{0x00000040, "executing-on-alt-stack"},
	{0x00000080, "hijacked"},
	{0x00000200, "background"},
	{0x00000400, "unstarted"},
	{0x00000800, "dead"},
	{0x00001000, "we-own"},
	{0x00002000, "co-initialized"},
	{0x00004000, "in-sta"},
	{0x00008000, "in-mta"},
	{0x00010000, "report-dead"},
	{0x00020000, "fully-initialized"},
	{0x00040000, "task-reset"},
	{0x00080000, "sync-suspended"},
	{0x00100000, "debug-will-sync"},
	{0x00200000, "stack-crawl-needed"},
	{0x01000000, "thread-pool-worker"},
	{0x02000000, "interruptible"},
	{0x04000000, "interrupted"},
	{0x08000000, "completion-port"},
	{0x10000000, "abort-initiated"},
	{0x20000000, "finalized"},
	{0x40000000, "fail-started"},
	{0x80000000, "detached"},
};

void rt_thread_state_names(uint32_t state, const char *sep, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t known = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		known |= state_names[i].bit;
		if (state & state_names[i].bit) {
			int n = snprintf(buf + used, len - used, "%s%s", used ? sep : "",
					 state_names[i].name);
			if (n < 0 || (size_t)n >= len - used)
				return;
			used += (size_t)n;
		}
	}
	if (state & ~known)
		snprintf(buf + used, len - used, "%s0x%x", used ? sep : "", state & ~known);
}

static int read_thread(struct rt *rt, uint64_t addr, struct rt_thread *t)
{
	const struct rt_lay_thread *l = &rt->lay.thread;
	struct dump *d = rt->d;
	uint32_t preemptive;
	int rc;

	memset(t, 0, sizeof(*t));
	t->addr = addr;
	rc = dump_read_u32(d, addr + l->id, &t->managed_id);
	rc = rc ? rc : dump_read_ptr(d, addr + l->os_id, &t->os_id);
	rc = rc ? rc : dump_read_u32(d, addr + l->state, &t->state);
	rc = rc ? rc : dump_read_u32(d, addr + l->preemptive, &preemptive);
	rc = rc ? rc : dump_read_ptr(d, addr + l->exposed, &t->exposed_handle);
	rc = rc ? rc : dump_read_ptr(d, addr + l->last_thrown, &t->last_thrown_handle);
	if (rc)
		return rc;
	t->preemptive_gc_disabled = preemptive != 0;
	/* A GC handle is the address of a slot holding the object (GCHandle.md). */
	if (t->exposed_handle)
		t->object_err = dump_read_ptr(d, t->exposed_handle, &t->object);
	return 0;
}

static int thread_cmp(const void *a, const void *b)
{
	const struct rt_thread *x = a, *y = b;
	return x->managed_id < y->managed_id ? -1 : x->managed_id > y->managed_id;
}

static int walk_threads(struct rt *rt)
{
	const struct rt_lay_thread *l = &rt->lay.thread;
	uint64_t store, link;
	struct diag *diag = dump_diag(rt->d);
	int rc = rt_layout_err(rt, RT_LG_THREAD);

	free(rt->threads); /* what a walk cut short by -ENOMEM found */
	rt->threads = NULL;
	rt->nthreads = 0;
	if (rc)
		return rc;
	rc = dump_read_ptr(rt->d, rt->lay.g.thread_store, &store);
	if (!rc && !store)
		rc = -EIO;
	rc = rc ? rc : dump_read_ptr(rt->d, store + l->first_link, &link);
	if (rc) {
		diag_add(diag, "the runtime's ThreadStore is unreadable");
		return rc;
	}
	while (link) {
		if (rt->nthreads == THREADS_MAX) {
			diag_add(diag,
				 "the thread list has more than %d entries (a cycle?); the rest is "
				 "ignored",
				 THREADS_MAX);
			break;
		}
		uint64_t addr = l->link_is_thread ? link : link - l->link;
		struct rt_thread t;
		rc = read_thread(rt, addr, &t);
		if (!rc)
			rc = dump_read_ptr(rt->d, addr + l->link, &link);
		if (rc) {
			diag_add(diag,
				 "the thread list breaks at 0x%016" PRIx64
				 " (unreadable); later threads are missing",
				 addr);
			break;
		}
		struct rt_thread *n = realloc(rt->threads, (rt->nthreads + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rt->threads = n;
		rt->threads[rt->nthreads++] = t;
	}
	if (rt->nthreads) /* threads is NULL for an empty store: not for qsort() */
		qsort(rt->threads, rt->nthreads, sizeof(*rt->threads), thread_cmp);
	for (size_t i = 1; i < rt->nthreads; i++) {
		if (rt->threads[i].managed_id == rt->threads[i - 1].managed_id)
			diag_add(diag, "two threads share managed id %u",
				 rt->threads[i].managed_id);
	}
	return 0;
}

int rt_threads(struct rt *rt, const struct rt_thread **threads, size_t *count)
{
	int rc = rt_once(rt, &rt->threads_once, walk_threads);

	if (rc)
		return rc;
	*threads = rt->threads;
	*count = rt->nthreads;
	return 0;
}

const struct rt_thread *rt_thread_find(struct rt *rt, enum rt_thread_key key, uint64_t v)
{
	const struct rt_thread *t;
	size_t n;

	if (!v || rt_threads(rt, &t, &n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((key == RT_THREAD_ADDR ? t[i].addr
		     : key == RT_THREAD_OS ? t[i].os_id
					   : t[i].managed_id) == v)
			return &t[i];
	return NULL;
}

int rt_thread_counts(struct rt *rt, uint32_t counts[5])
{
	const struct rt_lay_thread *l = &rt->lay.thread;
	uint64_t store;
	uint32_t v[5];
	int rc = rt_layout_err(rt, RT_LG_THREAD);

	rc = rc ? rc : dump_read_ptr(rt->d, rt->lay.g.thread_store, &store);
	for (int i = 0; !rc && i < 5; i++)
		rc = dump_read_u32(rt->d, store + l->counts[i], &v[i]);
	if (!rc)
		memcpy(counts, v, sizeof(v));
	return rc;
}
