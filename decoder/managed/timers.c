// SPDX-License-Identifier: MIT
// /timers: every scheduled System.Threading.Timer, from the runtime's timer queues
// (CoreLib Timer.cs: TimerQueue.Instances, one queue per processor; each queue's
// _shortTimers and _longTimers lists of TimerQueueTimer linked through _next, a
// timer's _dueTime and _period in milliseconds, Timeout.UnsignedInfinite (all
// bits set) for none, its _timerCallback and _state). Task.Delay's and
// CancellationTokenSource.CancelAfter's timers are among them; their state names
// the task or source they complete.
#include "managed.h"
#include "managed_i.h"

#include "dump.h"
#include "heap.h"
#include "objects.h"
#include "reason.h"
#include "runtime.h"
#include "strbuf.h"
#include "threadpool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#define TIMERS_MAX    (1u << 24) /* timers of one list walked at most */
#define UNSIGNED_INF  0xffffffffu

static int by_addr(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Every timer of every queue's two lists, into *out (malloc'ed). */
static int collect(struct rt *rt, uint64_t **out, size_t *count)
{
	static const char *const lists[] = { "_shortTimers", "_longTimers" };
	struct rt_array a;
	uint64_t queues, q, t, mt, *v = NULL;
	size_t n = 0, cap = 0;
	int rc = mv_corelib_type(rt, "System.Threading.TimerQueue", &mt);

	if (rc)
		return rc == -ENOENT ? -ENODATA : rc; /* not loaded: no timer was ever made */
	rc = mv_static_ref(rt, "System.Threading.TimerQueue", "<Instances>k__BackingField", &queues);
	if (rc)
		return rc == -ENOENT ? -EBADMSG : rc; /* loaded, but not as this reader knows it */
	rc = queues ? rt_array_read(rt, queues, &a) : -ENODATA; /* no timer was ever made */
	for (uint64_t i = 0; !rc && i < a.length; i++) {
		rc = dump_read_ptr(rt_dump(rt), a.data + i * 8, &q);
		for (size_t l = 0; !rc && q && l < 2; l++) {
			struct mv_cycle cyc = {0};
			rc = mv_obj_ref(rt, q, lists[l], &t);
			for (uint32_t k = 0; !rc && t && k < TIMERS_MAX && !mv_cycle_seen(&cyc, t); k++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					uint64_t *p = realloc(v, cap * sizeof(*v));
					if (!p) {
						rc = -ENOMEM;
						break;
					}
					v = p;
				}
				v[n++] = t;
				rc = mv_obj_ref(rt, t, "_next", &t);
			}
		}
	}
	if (rc) {
		free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_addr);
	*out = v;
	*count = n;
	return 0;
}

int mv_timers(struct rt *rt, struct strbuf *out)
{
	uint64_t *v = NULL;
	size_t n = 0;
	int rc = collect(rt, &v, &n);

	if (rc == -ENODATA)
		return 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint64_t due, period, cb, state;
		if (i && v[i] == v[i - 1])
			continue; /* a list that loops back: once */
		strbuf_addr(out, v[i]);
		strbuf_puts(out, "\t");
		int e = mv_obj_int(rt, v[i], "_dueTime", &due);
		e = e ? e : mv_obj_int(rt, v[i], "_period", &period);
		if (e) {
			reason_put_unreadable(out, e);
			strbuf_puts(out, "\n");
			continue;
		}
		strbuf_printf(out, "%" PRIu64 "\t", due);
		if ((uint32_t)period == UNSIGNED_INF || !period)
			strbuf_puts(out, "-\t");
		else
			strbuf_printf(out, "%" PRIu64 "\t", period);
		if ((e = mv_obj_ref(rt, v[i], "_timerCallback", &cb)))
			reason_put_unreadable(out, e);
		else if (!cb)
			strbuf_puts(out, "null");
		else
			mv_delegate_target(rt, cb, out);
		strbuf_puts(out, "\t");
		if ((e = mv_obj_ref(rt, v[i], "_state", &state)))
			reason_put_unreadable(out, e);
		else
			mv_render_object_ref(rt, state, out);
		strbuf_puts(out, "\n");
	}
	free(v);
	return out->oom ? -ENOMEM : 0;
}
