// SPDX-License-Identifier: MIT
// decoder/managed: the tasks that have not completed. A Task's state is its
// m_stateFlags (System.Private.CoreLib Task.cs: TASK_STATE_* bits, read as
// Task.Status reads them); an async method's Task is its state machine box
// (AsyncTaskMethodBuilder<T>.AsyncStateMachineBox<TStateMachine>), whose
// StateMachine field's type the C# compiler names <Method>d__N inside the
// method's type; Task.Run and ContinueWith keep their delegate in m_action.
// Fields are found by name (managed_i.h), so every runtime line reads alike.
#include "tasks.h"

#include "heapindex.h"
#include "managed.h"
#include "managed_i.h"
#include "objects.h"
#include "fields.h"
#include "heap.h"
#include "strbuf.h"
#include "threadpool.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Task.cs */
#define TASK_STATE_STARTED		0x10000
#define TASK_STATE_DELEGATE_INVOKED	0x20000
#define TASK_STATE_FAULTED		0x200000
#define TASK_STATE_CANCELED		0x400000
#define TASK_STATE_WAITING_ON_CHILDREN	0x800000
#define TASK_STATE_RAN_TO_COMPLETION	0x1000000
#define TASK_STATE_WAITINGFORACTIVATION 0x2000000
#define TASK_STATE_COMPLETED_MASK (TASK_STATE_CANCELED | TASK_STATE_FAULTED | TASK_STATE_RAN_TO_COMPLETION)

/* Task.Status's name for flags of a task that has not completed. */
static const char *status_name(uint64_t sf)
{
	if (sf & TASK_STATE_WAITING_ON_CHILDREN)
		return "WaitingForChildrenToComplete";
	if (sf & TASK_STATE_DELEGATE_INVOKED)
		return "Running";
	if (sf & TASK_STATE_STARTED)
		return "WaitingToRun";
	if (sf & TASK_STATE_WAITINGFORACTIVATION)
		return "WaitingForActivation";
	return "Created";
}

/* Whether the type at mt is System.Threading.Tasks.Task or derives from it. */
static bool is_task(struct rt *rt, uint64_t mt)
{
	struct rt_type_info ti;
	const char *name;

	for (int depth = 0; mt && depth < 64; depth++) {
		if (rt_type_name(rt, mt, &name) == 0 && !strcmp(name, "System.Threading.Tasks.Task"))
			return true;
		if (rt_type_info(rt, mt, &ti))
			return false;
		mt = ti.parent_mt;
	}
	return false;
}

/* The async method a state machine type stands for, as C# names it: the
 * compiler's <Name>d__N inside the method's type gives Type.Name, a local
 * function's <Outer>g__Name|N_M gives Type.Name too; else the type itself. */
static void put_async_method(const char *sm, struct strbuf *out)
{
	const char *plus = strrchr(sm, '+');
	const char *last = plus ? plus + 1 : sm;
	size_t outer = plus ? (size_t)(plus - sm) : 0;
	const char *lt, *gt, *bar;

	if (last[0] == '<' && (gt = strchr(last, '>')) && !strncmp(gt, ">d__", 4) && gt > last + 1 &&
	    !strchr(last + 1, '<')) {
		strbuf_add(out, sm, outer);
		strbuf_puts(out, outer ? "." : "");
		strbuf_add(out, last + 1, (size_t)(gt - last - 1));
		return;
	}
	if (last[0] == '<' && (lt = strstr(last, ">g__")) && (bar = strchr(lt, '|'))) {
		strbuf_add(out, sm, outer);
		strbuf_puts(out, outer ? "." : "");
		strbuf_add(out, lt + 4, (size_t)(bar - lt - 4));
		return;
	}
	strbuf_puts(out, sm);
}

static void put_method(struct rt *rt, uint64_t mt, uint64_t obj, const char *type, struct strbuf *out)
{
	const struct rt_field *f;
	const char *sm;
	uint64_t del;

	if (mv_field_named(rt, mt, "StateMachine", &f) == 0 && f->type_mt &&
	    rt_type_name(rt, f->type_mt, &sm) == 0) {
		put_async_method(sm, out);
		return;
	}
	if (mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "m_action", &del) == 0 && del) {
		size_t before = out->len;
		if (mv_delegate_target(rt, del, out) == 0)
			return;
		strbuf_truncate(out, before);
	}
	strbuf_puts(out, type);
}

struct task_line {
	uint64_t addr;
	const char *status;
	char *method;
};

static void lines_free(struct task_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].method);
	free(v);
}

/* Every task that has not completed, by address (the index's order within
 * a type; sorted here across types). */
static int addr_cmp(const void *a, const void *b)
{
	const struct task_line *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int collect(struct rt *rt, struct task_line **out, size_t *count)
{
	struct rt_heap_index *ix;
	const struct rt_heap_type *types;
	struct task_line *v = NULL;
	size_t ntypes, n = 0, cap = 0;
	int rc = rt_heap_index(rt, &ix);

	*out = NULL;
	*count = 0;
	if (rc)
		return rc;
	types = rt_heap_index_types(ix, &ntypes);
	for (size_t t = 0; t < ntypes; t++) {
		const char *type;
		const struct rt_field *flags;
		if (!is_task(rt, types[t].mt) || rt_type_name(rt, types[t].mt, &type) ||
		    mv_field_named(rt, types[t].mt, "m_stateFlags", &flags))
			continue;
		for (uint64_t i = 0; i < types[t].count; i++) {
			uint64_t obj = rt_heap_index_object(ix, &types[t], i), sf;
			if (mv_read_int_field(rt, types[t].mt, rt_object_fields(rt, obj), "m_stateFlags", &sf) ||
			    (sf & TASK_STATE_COMPLETED_MASK))
				continue;
			if (n == cap) {
				size_t c = cap ? cap * 2 : 64;
				struct task_line *nv = realloc(v, c * sizeof(*nv));
				if (!nv) {
					lines_free(v, n);
					return -ENOMEM;
				}
				v = nv;
				cap = c;
			}
			struct strbuf m;
			strbuf_init(&m);
			put_method(rt, types[t].mt, obj, type, &m);
			v[n] = (struct task_line){obj, status_name(sf), m.oom ? NULL : strbuf_steal(&m, NULL)};
			strbuf_destroy(&m);
			if (!v[n++].method) {
				lines_free(v, n);
				return -ENOMEM;
			}
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), addr_cmp);
	*out = v;
	*count = n;
	return 0;
}

int mv_tasks_list(struct rt *rt, struct strbuf *out)
{
	struct task_line *v;
	size_t n;
	int rc = collect(rt, &v, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		strbuf_addr(out, v[i].addr);
		strbuf_printf(out, "\t%s\t%s\n", v[i].status, v[i].method);
	}
	lines_free(v, n);
	return 0;
}

static int status_method_cmp(const void *a, const void *b)
{
	const struct task_line *x = a, *y = b;
	int c = strcmp(x->status, y->status);
	return c ? c : strcmp(x->method, y->method);
}

struct stat_line {
	size_t first, count;
};

static int stat_cmp(const void *a, const void *b, void *arg)
{
	const struct stat_line *x = a, *y = b;
	const struct task_line *lines = arg;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return status_method_cmp(&lines[x->first], &lines[y->first]);
}

int mv_tasks_stats(struct rt *rt, struct strbuf *out)
{
	struct task_line *v;
	size_t n, ns = 0;
	int rc = collect(rt, &v, &n);

	if (rc)
		return rc;
	struct stat_line *s = calloc(n ? n : 1, sizeof(*s));
	if (!s) {
		lines_free(v, n);
		return -ENOMEM;
	}
	if (n)
		qsort(v, n, sizeof(*v), status_method_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i && !status_method_cmp(&v[i], &v[i - 1]))
			s[ns - 1].count++;
		else
			s[ns++] = (struct stat_line){i, 1};
	}
	qsort_r(s, ns, sizeof(*s), stat_cmp, v);
	for (size_t k = 0; k < ns; k++)
		strbuf_printf(out, "%zu\t%s\t%s\n", s[k].count, v[s[k].first].status, v[s[k].first].method);
	free(s);
	lines_free(v, n);
	return 0;
}
