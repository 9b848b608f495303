// SPDX-License-Identifier: MIT
// The thread pool's work queues (System.Private.CoreLib
// src/libraries/System.Private.CoreLib/src/System/Threading/ThreadPoolWorkQueue.cs,
// release/10.0), found through statics by field name: ThreadPool.s_workQueue (a
// ThreadPoolWorkQueue with highPriorityWorkItems, workItems,
// _assignableWorkItemQueues, lowPriorityWorkItems: ConcurrentQueue<object>s whose
// segments hold the items between _headAndTail.Head and .Tail), and
// ThreadPoolWorkQueue+WorkStealingQueueList._queues (one WorkStealingQueue per
// worker: m_array between m_headIndex and m_tailIndex). A local queue's owner is
// the ThreadPoolWorkQueueThreadLocals whose workStealingQueue it is.
#include "threadpool.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "heapindex.h"
#include "managed_i.h"
#include "methods.h"
#include "objects.h"
#include "runtime.h"
#include "statics.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENTS_MAX (1u << 20)
#define ITEMS_MAX    (1u << 24)

static int obj_mt(struct rt *rt, uint64_t obj, uint64_t *mt)
{
	uint64_t size;
	return rt_object_size(rt, obj, mt, &size);
}

static int ref_field(struct rt *rt, uint64_t obj, const char *name, uint64_t *out)
{
	uint64_t mt;
	int rc = obj_mt(rt, obj, &mt);
	return rc ? rc : mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), name, out);
}

static int int_field(struct rt *rt, uint64_t obj, const char *name, uint64_t *out)
{
	uint64_t mt;
	int rc = obj_mt(rt, obj, &mt);
	return rc ? rc : mv_read_int_field(rt, mt, rt_object_fields(rt, obj), name, out);
}

int mv_delegate_target(struct rt *rt, uint64_t del, struct strbuf *out)
{
	uint64_t base = 0, ptr = 0, aux = 0, md = 0, code, mt;
	const struct rt_field *f;
	int rc = obj_mt(rt, del, &mt);

	/* The MethodInfo the delegate cached, if any; 11.0 has no _methodBase
	 * (its _helperObject holds it instead): the code pointers say the same. */
	if (!rc && mv_field_named(rt, mt, "_methodBase", &f) == 0 &&
	    ref_field(rt, del, "_methodBase", &base) == 0 && base &&
	    int_field(rt, base, "m_handle", &md) == 0 && md &&
	    rt_method_desc_name(rt, md, out) == 0)
		return 0;
	rc = rc ? rc : int_field(rt, del, "_methodPtr", &ptr);
	rc = rc ? rc : int_field(rt, del, "_methodPtrAux", &aux);
	if (rc) {
		strbuf_puts(out, "<unresolved>");
		return rc;
	}
	code = aux ? aux : ptr;
	rc = rt_code_method_desc(rt, code, &md);
	rc = rc ? rc : rt_method_desc_name(rt, md, out);
	if (rc)
		strbuf_printf(out, "0x%016" PRIx64 " <unresolved>", code);
	return rc;
}

/* TARGET of a work item: a callback's or task's delegate's method, an async
 * state machine's MoveNext, else the item's type. */
static void put_target(struct rt *rt, uint64_t item, const char *type, struct strbuf *out)
{
	uint64_t del, mt, sm_mt;
	const struct rt_field *f;
	const char *sm;

	if (ref_field(rt, item, "_callback", &del) == 0 ||
	    (strcmp(type, "System.Threading.Tasks.Task") == 0 &&
	     ref_field(rt, item, "m_action", &del) == 0)) {
		if (del) {
			mv_delegate_target(rt, del, out);
			return;
		}
	}
	if (obj_mt(rt, item, &mt) == 0 && mv_field_named(rt, mt, "StateMachine", &f) == 0) {
		sm_mt = f->type_mt;
		if (sm_mt && rt_type_name(rt, sm_mt, &sm) == 0) {
			strbuf_printf(out, "%s.MoveNext", sm);
			return;
		}
	}
	if (obj_mt(rt, item, &mt) == 0 && ref_field(rt, item, "m_action", &del) == 0 && del) {
		mv_delegate_target(rt, del, out);
		return;
	}
	strbuf_puts(out, type);
}

static void put_item(struct rt *rt, uint64_t item, struct strbuf *out)
{
	uint64_t mt;
	const char *type = NULL;
	int rc = obj_mt(rt, item, &mt);

	rc = rc ? rc : rt_type_name(rt, mt, &type);
	strbuf_printf(out, "0x%016" PRIx64 "\t", item);
	if (rc) {
		strbuf_puts(out, "<unreadable>\t<unresolved>\n");
		return;
	}
	strbuf_printf(out, "%s\t", type);
	put_target(rt, item, type, out);
	strbuf_puts(out, "\n");
}

/* Items of a ConcurrentQueue<object> in dequeue order; *count gets their number. */
static int put_cqueue(struct rt *rt, uint64_t q, struct strbuf *out, uint64_t *count)
{
	uint64_t seg, slots, mask, mt, head, tail;
	const struct rt_field *ht, *item_f;
	struct rt_array a;
	int rc = q ? ref_field(rt, q, "_head", &seg) : 0;

	*count = 0;
	for (unsigned s = 0; !rc && q && seg && s < SEGMENTS_MAX; s++) {
		rc = ref_field(rt, seg, "_slots", &slots);
		rc = rc ? rc : int_field(rt, seg, "_slotsMask", &mask);
		rc = rc ? rc : obj_mt(rt, seg, &mt);
		rc = rc ? rc : mv_field_named(rt, mt, "_headAndTail", &ht);
		rc = rc ? rc : mv_read_int_field(rt, ht->type_mt, rt_object_fields(rt, seg) + ht->offset, "Head", &head);
		rc = rc ? rc : mv_read_int_field(rt, ht->type_mt, rt_object_fields(rt, seg) + ht->offset, "Tail", &tail);
		rc = rc ? rc : rt_array_read(rt, slots, &a);
		rc = rc ? rc : mv_field_named(rt, a.element_mt, "Item", &item_f);
		if (rc)
			break;
		/* Head and Tail count up; a segment frozen for enqueues has
		 * FreezeOffset (2 x its length) added to Tail
		 * (ConcurrentQueueSegment.EnsureFrozenForEnqueues). */
		uint32_t h = (uint32_t)head, t = (uint32_t)tail;
		if (t - h > a.length)
			t -= 2 * (uint32_t)a.length;
		if (t - h > a.length) {
			rc = -EBADMSG;
			break;
		}
		for (uint32_t i = h; i != t && *count < ITEMS_MAX; i++) {
			uint64_t item;
			rc = dump_read_ptr(rt_dump(rt), a.data + (uint64_t)(i & mask) * a.component_size + item_f->offset, &item);
			if (rc)
				break;
			if (item) {
				put_item(rt, item, out);
				(*count)++;
			}
		}
		rc = rc ? rc : ref_field(rt, seg, "_nextSegment", &seg);
	}
	return rc;
}

int mv_threadpool_global(struct rt *rt, struct strbuf *out)
{
	static const char *const queues[] = { "highPriorityWorkItems", "workItems" };
	uint64_t wq, q, arr, n;
	struct rt_array a;
	int rc = mv_static_ref(rt, "System.Threading.ThreadPool", "s_workQueue", &wq);

	for (size_t i = 0; !rc && wq && i < 2; i++) {
		rc = ref_field(rt, wq, queues[i], &q);
		rc = rc ? rc : put_cqueue(rt, q, out, &n);
	}
	if (!rc && wq && ref_field(rt, wq, "_assignableWorkItemQueues", &arr) == 0 && arr &&
	    rt_array_read(rt, arr, &a) == 0) {
		for (uint64_t i = 0; !rc && i < a.length && i < ITEMS_MAX; i++) {
			rc = dump_read_ptr(rt_dump(rt), a.data + i * 8, &q);
			rc = rc ? rc : put_cqueue(rt, q, out, &n);
		}
	}
	if (!rc && wq && ref_field(rt, wq, "lowPriorityWorkItems", &q) == 0)
		rc = put_cqueue(rt, q, out, &n);
	return rc;
}

/* The lines of one WorkStealingQueue, owner's pop order. */
static int put_wsq(struct rt *rt, uint64_t wsq, struct strbuf *out, uint64_t *count)
{
	uint64_t arr, mask, head, tail, item;
	struct rt_array a;
	int rc = ref_field(rt, wsq, "m_array", &arr);

	rc = rc ? rc : int_field(rt, wsq, "m_mask", &mask);
	rc = rc ? rc : int_field(rt, wsq, "m_headIndex", &head);
	rc = rc ? rc : int_field(rt, wsq, "m_tailIndex", &tail);
	rc = rc ? rc : rt_array_read(rt, arr, &a);
	*count = 0;
	if (rc)
		return rc;
	int32_t h = (int32_t)head, t = (int32_t)tail;
	if (t < h || (uint64_t)(t - h) > a.length)
		return -EBADMSG;
	for (int32_t i = t - 1; !rc && i >= h; i--) {
		rc = dump_read_ptr(rt_dump(rt), a.data + (uint64_t)((uint32_t)i & mask) * 8, &item);
		if (!rc && item) {
			put_item(rt, item, out);
			(*count)++;
		}
	}
	return rc;
}

int mv_threadpool_locals(struct rt *rt, int (*cb)(uint32_t id, const char *lines, void *arg),
			 void *arg)
{
	const struct rt_heap_type *t;
	struct rt_heap_index *ix;
	int rc = rt_heap_index(rt, &ix);

	rc = rc ? rc : rt_heap_type_by_name(rt, "System.Threading.ThreadPoolWorkQueueThreadLocals", &t);
	if (rc == -ENOENT)
		return 0; /* no worker has started */
	for (uint64_t i = 0; !rc && i < t->count; i++) {
		uint64_t tl = rt_heap_index_object(ix, t, i), wsq, thread, id, n;
		struct strbuf b;
		if (ref_field(rt, tl, "workStealingQueue", &wsq) || !wsq ||
		    ref_field(rt, tl, "currentThread", &thread) || !thread ||
		    int_field(rt, thread, "_managedThreadId", &id))
			continue;
		strbuf_init(&b);
		rc = put_wsq(rt, wsq, &b, &n);
		if (!rc && n)
			rc = b.oom ? -ENOMEM : cb((uint32_t)id, b.data, arg);
		strbuf_destroy(&b);
		if (rc == -EBADMSG || rc == -EIO)
			rc = 0; /* this queue only */
	}
	return rc;
}

static int count_local(uint32_t id, const char *lines, void *arg)
{
	struct strbuf *out = arg;
	size_t n = 0;
	for (const char *p = lines; *p; p++)
		n += *p == '\n';
	strbuf_printf(out, "local-queue-length: %" PRIu32 " %zu\n", id, n);
	return 0;
}

/* The worker counts PortableThreadPool packs into _separated.counts._data
 * (System.Private.CoreLib PortableThreadPool.ThreadCounts.cs: 16 bits each,
 * processing work at bit 0, existing threads at 16, the goal at 32). */
static void put_worker_counts(struct rt *rt, uint64_t tp, struct strbuf *out)
{
	const struct rt_field *sep, *counts;
	uint64_t mt, data;
	int rc = obj_mt(rt, tp, &mt);

	rc = rc ? rc : mv_field_named(rt, mt, "_separated", &sep);
	rc = rc ? rc : (sep->type_mt ? 0 : -ENOENT);
	rc = rc ? rc : mv_field_named(rt, sep->type_mt, "counts", &counts);
	rc = rc ? rc : (counts->type_mt ? 0 : -ENOENT);
	rc = rc ? rc : mv_read_int_field(rt, counts->type_mt,
					 rt_object_fields(rt, tp) + sep->offset + counts->offset, "_data", &data);
	if (rc)
		return;
	unsigned processing = (unsigned)(data & 0xffff), existing = (unsigned)(data >> 16 & 0xffff);
	strbuf_printf(out, "workers: %u\nworkers-working: %u\nworkers-idle: %u\nworkers-goal: %u\n",
		      existing, processing, existing >= processing ? existing - processing : 0,
		      (unsigned)(data >> 32 & 0xffff));
}

int mv_threadpool_info(struct rt *rt, struct strbuf *out)
{
	static const char *const queues[] = { "highPriorityWorkItems", "workItems",
					      "lowPriorityWorkItems" };
	static const char *const keys[] = { "high-priority", "global", "low-priority" };
	uint64_t tp, v, wq, q, n;
	struct strbuf scratch;
	int rc = mv_static_ref(rt, "System.Threading.PortableThreadPool", "ThreadPoolInstance", &tp);

	if (!rc && tp) {
		if (int_field(rt, tp, "_minThreads", &v) == 0)
			strbuf_printf(out, "min-workers: %" PRIu64 "\n", v);
		if (int_field(rt, tp, "_maxThreads", &v) == 0)
			strbuf_printf(out, "max-workers: %" PRIu64 "\n", v);
		put_worker_counts(rt, tp, out);
	}
	rc = mv_static_ref(rt, "System.Threading.ThreadPool", "s_workQueue", &wq);
	for (size_t i = 0; !rc && wq && i < 3; i++) {
		if (ref_field(rt, wq, queues[i], &q) || !q)
			continue;
		strbuf_init(&scratch);
		rc = put_cqueue(rt, q, &scratch, &n);
		strbuf_destroy(&scratch);
		if (!rc)
			strbuf_printf(out, "%s-queue-length: %" PRIu64 "\n", keys[i], n);
	}
	return rc ? rc : mv_threadpool_locals(rt, count_local, out);
}
