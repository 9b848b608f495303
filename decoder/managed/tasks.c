// SPDX-License-Identifier: MIT
// decoder/managed: the tasks that have not completed. A Task's state is its
// m_stateFlags (System.Private.CoreLib Task.cs: TASK_STATE_* bits, read as
// Task.Status reads them); an async method's Task is its state machine box
// (AsyncTaskMethodBuilder<T>.AsyncStateMachineBox<TStateMachine>), whose
// StateMachine field's type the C# compiler names <Method>d__N inside the
// method's type; Task.Run and ContinueWith keep their delegate in m_action.
// Fields are found by name (managed_i.h), so every runtime line reads alike.
#include "tasks.h"

#include "dump.h"
#include "heapindex.h"
#include "managed.h"
#include "managed_i.h"
#include "objects.h"
#include "runtime.h"
#include "fields.h"
#include "heap.h"
#include "strbuf.h"
#include "threadpool.h"
#include "types.h"

#include <uthash.h>

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
	if (obj && mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "m_action", &del) == 0 && del) {
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
	uint64_t mt;
	bool box; /* an async method's state machine box */
	/* Found once per type (NULL: none): m_continuationObject, and a
	 * box's StateMachine and its state machine's <>1__state. */
	const struct rt_field *cont, *sm, *state;
	bool own; /* method is this line's (else the type's, freed with it) */
};

/* The lines and their methods: a type's method string is shared by its
 * lines, owned (own) by the first of them; a per-task one by its line. */
static void lines_free(struct task_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].own)
			free(v[i].method);
	free(v);
}

/* Every task that has not completed, by address. Each type's lines come in
 * the index's order, by address; the runs of the few Task types are merged
 * (sorting the whole array moved every line some 17 times). */
static int addr_cmp(const void *a, const void *b)
{
	const struct task_line *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

#define MERGE_RUNS_MAX 16
static int merge_runs(struct task_line **v, size_t n, const size_t *start, size_t nruns)
{
	if (nruns <= 1 || n == 0)
		return 0;
	if (nruns > MERGE_RUNS_MAX) {
		qsort(*v, n, sizeof(**v), addr_cmp);
		return 0;
	}
	struct task_line *out = malloc(n * sizeof(*out));
	size_t at[MERGE_RUNS_MAX];

	if (!out)
		return -ENOMEM;
	memcpy(at, start, nruns * sizeof(*at));
	for (size_t k = 0; k < n; k++) {
		size_t best = nruns;
		for (size_t r = 0; r < nruns; r++)
			if (at[r] < (r + 1 < nruns ? start[r + 1] : n) &&
			    (best == nruns || (*v)[at[r]].addr < (*v)[at[best]].addr))
				best = r;
		out[k] = (*v)[at[best]++];
	}
	free(*v);
	*v = out;
	return 0;
}

static int collect(struct rt *rt, struct task_line **out, size_t *count)
{
	struct rt_heap_index *ix;
	const struct rt_heap_type *types;
	struct task_line *v = NULL;
	size_t ntypes, n = 0, cap = 0, nruns = 0, *runs = NULL;
	int rc = rt_heap_index(rt, &ix);

	*out = NULL;
	*count = 0;
	if (rc)
		return rc;
	types = rt_heap_index_types(ix, &ntypes);
	/* The Task types, and room for all their objects at once. */
	bool *is_task = calloc(ntypes ? ntypes : 1, sizeof(*is_task));
	runs = malloc((ntypes ? ntypes : 1) * sizeof(*runs));
	if (!is_task || !runs) {
		free(is_task);
		free(runs);
		return -ENOMEM;
	}
	for (size_t t = 0; t < ntypes; t++)
		if ((is_task[t] = mv_derives_from(rt, types[t].mt, MV_TASK)))
			cap += types[t].count;
	if (cap && !(v = malloc(cap * sizeof(*v)))) {
		free(is_task);
		free(runs);
		return -ENOMEM;
	}
	for (size_t t = 0; t < ntypes; t++) {
		const char *type;
		const struct rt_field *flags, *cont = NULL, *sm = NULL, *state = NULL, *action;
		uint64_t mt = types[t].mt;
		if (!is_task[t] || rt_type_name(rt, mt, &type) ||
		    mv_field_named(rt, mt, "m_stateFlags", &flags))
			continue;
		runs[nruns++] = n;
		/* What is the same for every task of the type, once: its fields,
		 * and its method unless a delegate gives it (m_action). */
		if (mv_field_named(rt, mt, "m_continuationObject", &cont))
			cont = NULL;
		if (mv_field_named(rt, mt, "StateMachine", &sm))
			sm = NULL;
		else if (!sm->type_mt || mv_field_named(rt, sm->type_mt, "<>1__state", &state))
			state = NULL;
		struct strbuf tm;
		strbuf_init(&tm);
		bool per_object = !sm && mv_field_named(rt, mt, "m_action", &action) == 0;
		if (!per_object)
			put_method(rt, mt, 0, type, &tm);
		if (tm.oom) {
			strbuf_destroy(&tm);
			rc = -ENOMEM;
			break;
		}
		char *shared = NULL;
		for (uint64_t i = 0; i < types[t].count; i++) {
			uint64_t obj = rt_heap_index_object(ix, &types[t], i), sf;
			if (mv_read_int_at(rt, flags, rt_object_fields(rt, obj), &sf) ||
			    (sf & TASK_STATE_COMPLETED_MASK))
				continue;
			char *method;
			bool own = true;
			if (per_object) {
				struct strbuf m;
				strbuf_init(&m);
				put_method(rt, mt, obj, type, &m);
				method = m.oom ? NULL : strbuf_steal(&m, NULL);
				strbuf_destroy(&m);
			} else if (shared) {
				method = shared;
				own = false;
			} else {
				method = shared = strdup(tm.data); /* owned by this first line */
			}
			v[n] = (struct task_line){obj, status_name(sf), method, mt, sm != NULL, cont, sm, state, own};
			if (!v[n++].method) {
				rc = -ENOMEM;
				break;
			}
		}
		strbuf_destroy(&tm);
		if (rc)
			break;
	}
	rc = rc ? rc : merge_runs(&v, n, runs, nruns);
	free(is_task);
	free(runs);
	if (rc) {
		lines_free(v, n);
		return rc;
	}
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
		strbuf_puts(out, "\t");
		strbuf_puts(out, v[i].status);
		strbuf_puts(out, "\t");
		strbuf_puts(out, v[i].method);
		strbuf_puts(out, "\n");
	}
	lines_free(v, n);
	return 0;
}

/* One line of /tasks/stats: a status and method, and how many tasks. */
struct stat_line {
	const char *status, *method;
	size_t count;
	UT_hash_handle hh; /* keyed by the two pointers (a type's lines share them) */
};

static int stat_text_cmp(const void *a, const void *b)
{
	const struct stat_line *x = a, *y = b;
	int c = strcmp(x->status, y->status);
	return c ? c : strcmp(x->method, y->method);
}

static int stat_cmp(const void *a, const void *b)
{
	const struct stat_line *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return stat_text_cmp(a, b);
}

/* Counted by (status, method) pointers first, in one pass (the lines of a
 * type share its method string); the few groups then by their text, which
 * merges those whose strings are equal but apart (a delegate's method). */
int mv_tasks_stats(struct rt *rt, struct strbuf *out)
{
	struct task_line *v;
	struct stat_line *groups = NULL, *g, *tmp, *s = NULL;
	size_t n, ng = 0, ns = 0;
	int rc = collect(rt, &v, &n);

	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		const char *key[2] = { v[i].status, v[i].method };
		HASH_FIND(hh, groups, key, sizeof(key), g);
		if (g) {
			g->count++;
			continue;
		}
		if (!(g = calloc(1, sizeof(*g)))) {
			rc = -ENOMEM;
			break;
		}
		*g = (struct stat_line){ .status = v[i].status, .method = v[i].method, .count = 1 };
		HASH_ADD(hh, groups, status, sizeof(key), g);
		ng++;
	}
	if (!rc && !(s = malloc((ng ? ng : 1) * sizeof(*s))))
		rc = -ENOMEM;
	HASH_ITER(hh, groups, g, tmp) {
		if (!rc)
			s[ng - 1 - ns++] = *g;
		HASH_DEL(groups, g);
		free(g);
	}
	if (!rc) {
		qsort(s, ns, sizeof(*s), stat_text_cmp);
		size_t u = 0;
		for (size_t k = 0; k < ns; k++) {
			if (u && !stat_text_cmp(&s[u - 1], &s[k]))
				s[u - 1].count += s[k].count;
			else
				s[u++] = s[k];
		}
		qsort(s, u, sizeof(*s), stat_cmp);
		for (size_t k = 0; k < u; k++)
			strbuf_printf(out, "%zu\t%s\t%s\n", s[k].count, s[k].status, s[k].method);
	}
	free(s);
	lines_free(v, n);
	return rc;
}

/* --- causality chains --- */

#define CONT_MAX 4096 /* bound on the continuations of one task */

/* The task line of addr among the pending ones (sorted by address). */
static struct task_line *find_line(struct task_line *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].addr == addr)
			return &v[mid];
		if (v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The pending boxes a continuation object leads to (Task.cs
 * m_continuationObject): a box itself (what an await stores), a delegate
 * to one (its _target), a TaskContinuation holding one (m_action), or a
 * List<object> of those. depth bounds the nesting. */
static void add_continuations(struct rt *rt, struct task_line *v, size_t n, uint64_t obj,
			      struct task_line **out, size_t *nout, size_t max, unsigned depth)
{
	struct task_line *l;
	struct rt_array a;
	uint64_t mt, size, inner, items, count;

	if (!obj || depth > 4 || *nout >= max)
		return;
	if ((l = find_line(v, n, obj))) {
		out[(*nout)++] = l; /* a box, or a task that waits for this one (a WhenAll) */
		return;
	}
	if (rt_object_size(rt, obj, &mt, &size))
		return;
	uint64_t data = rt_object_fields(rt, obj);
	if (mv_read_ref_field(rt, mt, data, "_target", &inner) == 0) {
		add_continuations(rt, v, n, inner, out, nout, max, depth + 1);
		return;
	}
	if (mv_read_ref_field(rt, mt, data, "m_action", &inner) == 0) {
		add_continuations(rt, v, n, inner, out, nout, max, depth + 1);
		return;
	}
	if (mv_read_ref_field(rt, mt, data, "_items", &items) == 0 &&
	    mv_read_int_field(rt, mt, data, "_size", &count) == 0 && items &&
	    rt_array_read(rt, items, &a) == 0 && a.component_size == 8) {
		for (uint64_t i = 0; i < count && i < a.length && *nout < max; i++) {
			uint64_t e;
			if (dump_read_ptr(rt_dump(rt), a.data + 8 * i, &e) == 0)
				add_continuations(rt, v, n, e, out, nout, max, depth + 1);
		}
	}
}

/* The continuation boxes of the task of line l (malloc'ed, *nout). */
static struct task_line **continuations(struct rt *rt, struct task_line *v, size_t n,
					const struct task_line *l, size_t *nout)
{
	struct task_line *one[2], **out;
	uint64_t c = 0;

	*nout = 0;
	if (l->cont && mv_read_ref_at(rt, l->cont, rt_object_fields(rt, l->addr), &c))
		c = 0;
	/* One continuation is the common case: a buffer of CONT_MAX only for a
	 * list. */
	size_t k = 0;
	add_continuations(rt, v, n, c, one, &k, 2, 0);
	if (k <= 1) {
		out = malloc(sizeof(*out));
		if (out && k)
			out[(*nout)++] = one[0];
		return out;
	}
	out = malloc(CONT_MAX * sizeof(*out));
	if (out)
		add_continuations(rt, v, n, c, out, nout, CONT_MAX, 0);
	return out;
}

/* The box's state machine's <>1__state (a struct inline in the box in a
 * release build, an object in a debug one). */
static int box_state(struct rt *rt, const struct task_line *l, int64_t *state)
{
	if (l->sm && l->state) { /* the fields of the type, found once */
		uint64_t v;
		int rc = mv_read_int_at(rt, l->state, rt_object_fields(rt, l->addr) + l->sm->offset, &v);
		if (!rc)
			*state = (int32_t)v;
		return rc;
	}
	const struct rt_field *f;
	uint64_t base = rt_object_fields(rt, l->addr), sm_mt, v, size;
	int rc = mv_field_named(rt, l->mt, "StateMachine", &f);

	if (rc)
		return rc;
	if (f->type_mt) {
		sm_mt = f->type_mt;
		base += f->offset;
	} else {
		rc = mv_read_ref_at(rt, f, base, &base);
		rc = rc ? rc : base ? rt_object_size(rt, base, &sm_mt, &size) : -EBADMSG;
		if (rc)
			return rc;
		base = rt_object_fields(rt, base);
	}
	rc = mv_read_int_field(rt, sm_mt, base, "<>1__state", &v);
	if (!rc)
		*state = (int32_t)v;
	return rc;
}

struct chain {
	uint64_t first; /* the address of its first line (0: unknown) */
	char *text;
	size_t len;
};

struct chains {
	struct chain *v;
	size_t n, cap;
	int err;
};

static void chain_add(struct chains *cs, uint64_t first, struct strbuf *b)
{
	if (cs->err)
		return;
	if (b->oom) {
		cs->err = -ENOMEM;
		return;
	}
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		struct chain *nv = realloc(cs->v, cap * sizeof(*nv));
		if (!nv) {
			cs->err = -ENOMEM;
			return;
		}
		cs->v = nv;
		cs->cap = cap;
	}
	struct chain *c = &cs->v[cs->n++];
	c->first = first;
	c->text = malloc(b->len ? b->len : 1);
	if (!c->text) {
		cs->n--;
		cs->err = -ENOMEM;
		return;
	}
	memcpy(c->text, b->data, b->len);
	c->len = b->len;
}

/* The pending tasks and the continuation edges between them, found once:
 * line i's continuations are edges[off[i]] to edges[off[i + 1]]. */
struct graph {
	struct task_line *v;
	size_t n;
	struct task_line **edges;
	size_t *off;
};

static int graph_build(struct rt *rt, struct graph *g)
{
	size_t cap = 0, ne = 0;
	int rc = collect(rt, &g->v, &g->n);

	g->edges = NULL;
	g->off = NULL;
	if (rc)
		return rc;
	g->off = malloc((g->n + 1) * sizeof(*g->off));
	if (!g->off)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		size_t nc;
		struct task_line **c = continuations(rt, g->v, g->n, &g->v[i], &nc);
		if (!c)
			return -ENOMEM;
		if (ne + nc > cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			while (ncap < ne + nc)
				ncap *= 2;
			struct task_line **e = realloc(g->edges, ncap * sizeof(*e));
			if (!e) {
				free(c);
				return -ENOMEM;
			}
			g->edges = e;
			cap = ncap;
		}
		g->off[i] = ne;
		if (nc)
			memcpy(g->edges + ne, c, nc * sizeof(*c));
		ne += nc;
		free(c);
	}
	g->off[g->n] = ne;
	return 0;
}

static void graph_free(struct graph *g)
{
	lines_free(g->v, g->n);
	free(g->edges);
	free(g->off);
}

/* Walks outward from task l, its line appended to b; one block per path. A
 * box's line has its state, another task's (a WhenAll's promise) "-". */
#define CHAIN_DEPTH_MAX 1000
#define CHAINS_MAX	100000 /* bound on the blocks: joins repeat what follows them */
static void walk_out(struct rt *rt, const struct graph *g, struct task_line *l, uint64_t first,
		     struct strbuf *b, struct chains *cs, unsigned depth)
{
	size_t before = b->len, i = (size_t)(l - g->v);
	size_t nc = depth < CHAIN_DEPTH_MAX ? g->off[i + 1] - g->off[i] : 0;
	struct task_line **next = g->edges + g->off[i];
	int64_t state;

	if (cs->n >= CHAINS_MAX || cs->err)
		return;
	strbuf_addr(b, l->addr);
	strbuf_puts(b, "\t");
	if (!l->box)
		strbuf_puts(b, "-");
	else if (box_state(rt, l, &state) == 0)
		strbuf_i64(b, state);
	else
		strbuf_puts(b, "<unreadable>");
	strbuf_puts(b, "\t");
	strbuf_puts(b, l->method);
	strbuf_puts(b, "\n");
	if (nc == 0)
		chain_add(cs, first, b);
	for (size_t k = 0; k < nc; k++)
		walk_out(rt, g, next[k], first, b, cs, depth + 1);
	strbuf_truncate(b, before);
}

static int chain_cmp(const void *a, const void *b)
{
	const struct chain *x = a, *y = b;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void chains_free(struct chains *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->v[i].text);
	free(cs->v);
}

/* Every chain, sorted as /tasks/chains lists them. */
static int build_chains(struct rt *rt, struct chains *out)
{
	struct graph g;
	struct chains cs = {0};
	int rc = graph_build(rt, &g);

	/* A chain starts where no edge leads in, at what is awaited (a task
	 * that is no box and has a continuation), or at a box that awaits no
	 * pending task. */
	bool *incoming = rc ? NULL : calloc(g.n ? g.n : 1, sizeof(*incoming));
	if (!rc && !incoming)
		rc = -ENOMEM;
	for (size_t e = 0; !rc && e < g.off[g.n]; e++)
		incoming[g.edges[e] - g.v] = true;
	struct strbuf b;
	strbuf_init(&b);
	for (size_t i = 0; !rc && i < g.n; i++) {
		size_t nc = g.off[i + 1] - g.off[i];
		if (incoming[i] || (!g.v[i].box && !nc))
			continue;
		strbuf_truncate(&b, 0);
		if (g.v[i].box) {
			strbuf_puts(&b, "-\t<unknown>\n");
			walk_out(rt, &g, &g.v[i], 0, &b, &cs, 0);
		} else {
			strbuf_addr(&b, g.v[i].addr);
			strbuf_printf(&b, "\t%s\n", g.v[i].method);
			for (size_t k = 0; k < nc; k++)
				walk_out(rt, &g, g.edges[g.off[i] + k], g.v[i].addr, &b, &cs, 0);
		}
	}
	strbuf_destroy(&b);
	rc = rc ? rc : cs.err;
	if (!rc && cs.n)
		qsort(cs.v, cs.n, sizeof(*cs.v), chain_cmp);
	free(incoming);
	graph_free(&g);
	if (rc)
		chains_free(&cs);
	else
		*out = cs;
	return rc;
}

int mv_tasks_chains(struct rt *rt, struct strbuf *out)
{
	struct chains cs;
	int rc = build_chains(rt, &cs);

	if (rc)
		return rc;
	for (size_t i = 0; i < cs.n; i++) {
		if (i)
			strbuf_puts(out, "\n");
		strbuf_add(out, cs.v[i].text, cs.v[i].len);
	}
	chains_free(&cs);
	return 0;
}

/* A chain's methods, one per line (the third column of its lines after the
 * first), into out. */
static void chain_methods(const struct chain *c, struct strbuf *out)
{
	const char *p = memchr(c->text, '\n', c->len), *end = c->text + c->len;

	while (p && ++p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *t1 = memchr(p, '\t', (size_t)((eol ? eol : end) - p));
		const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)((eol ? eol : end) - t1 - 1)) : NULL;
		if (t2) {
			strbuf_add(out, t2 + 1, (size_t)((eol ? eol : end) - t2 - 1));
			strbuf_puts(out, "\n");
		}
		p = eol;
	}
}

static int text_cmp(const void *a, const void *b)
{
	const struct chain *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int group_cmp(const void *a, const void *b)
{
	const struct chain *x = a, *y = b; /* first: the count */
	if (x->first != y->first)
		return x->first > y->first ? -1 : 1;
	return text_cmp(a, b);
}

int mv_tasks_stacks(struct rt *rt, struct strbuf *out)
{
	struct chains cs, ms = {0};
	int rc = build_chains(rt, &cs);

	if (rc)
		return rc;
	/* Each chain's method sequence, then the sequences counted. */
	for (size_t i = 0; i < cs.n && !ms.err; i++) {
		struct strbuf b;
		strbuf_init(&b);
		chain_methods(&cs.v[i], &b);
		chain_add(&ms, 0, &b);
		strbuf_destroy(&b);
	}
	rc = ms.err;
	if (!rc && ms.n) {
		size_t g = 0;
		qsort(ms.v, ms.n, sizeof(*ms.v), text_cmp);
		for (size_t i = 0; i < ms.n; i++) {
			if (g && !text_cmp(&ms.v[g - 1], &ms.v[i])) {
				ms.v[g - 1].first++;
				free(ms.v[i].text);
			} else {
				ms.v[g] = ms.v[i];
				ms.v[g++].first = 1;
			}
		}
		ms.n = g;
		qsort(ms.v, ms.n, sizeof(*ms.v), group_cmp);
		for (size_t i = 0; i < ms.n; i++) {
			strbuf_printf(out, "%s%" PRIu64 " chains\n", i ? "\n" : "", ms.v[i].first);
			strbuf_add(out, ms.v[i].text, ms.v[i].len);
		}
	}
	chains_free(&ms);
	chains_free(&cs);
	return rc;
}

/* --- one task, for its object's directory --- */

int mv_task_status(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint64_t mt, size, sf;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : mv_read_int_field(rt, mt, rt_object_fields(rt, obj), "m_stateFlags", &sf);
	if (rc)
		return rc;
	/* Task.Status: the final states first. */
	strbuf_puts(out, sf & TASK_STATE_FAULTED		 ? "Faulted"
			 : sf & TASK_STATE_CANCELED		 ? "Canceled"
			 : sf & TASK_STATE_RAN_TO_COMPLETION ? "RanToCompletion"
							       : status_name(sf));
	return 0;
}

int mv_task_method(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	uint64_t mt, size;
	const char *type;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_name(rt, mt, &type);
	if (!rc)
		put_method(rt, mt, obj, type, out);
	return rc;
}

int mv_box_state(struct rt *rt, uint64_t obj, int64_t *state)
{
	struct task_line l = {.addr = obj};
	uint64_t size;
	int rc = rt_object_size(rt, obj, &l.mt, &size);

	return rc ? rc : box_state(rt, &l, state);
}

/* The tasks a continuation object leads to, as add_continuations() finds
 * them, any task (pending or not). */
static void boxes_of(struct rt *rt, uint64_t obj, uint64_t *out, size_t max, size_t *n, unsigned depth)
{
	struct rt_array a;
	uint64_t mt, size, inner, items, count;

	if (!obj || depth > 4 || *n >= max || rt_object_size(rt, obj, &mt, &size))
		return;
	if (mv_derives_from(rt, mt, MV_TASK)) {
		out[(*n)++] = obj; /* a box, or a task waiting for this one (a WhenAll's) */
		return;
	}
	uint64_t data = rt_object_fields(rt, obj);
	if (mv_read_ref_field(rt, mt, data, "_target", &inner) == 0 ||
	    mv_read_ref_field(rt, mt, data, "m_action", &inner) == 0) {
		boxes_of(rt, inner, out, max, n, depth + 1);
		return;
	}
	if (mv_read_ref_field(rt, mt, data, "_items", &items) == 0 &&
	    mv_read_int_field(rt, mt, data, "_size", &count) == 0 && items &&
	    rt_array_read(rt, items, &a) == 0 && a.component_size == 8)
		for (uint64_t i = 0; i < count && i < a.length && *n < max; i++) {
			uint64_t e;
			if (dump_read_ptr(rt_dump(rt), a.data + 8 * i, &e) == 0)
				boxes_of(rt, e, out, max, n, depth + 1);
		}
}

int mv_task_continuations(struct rt *rt, uint64_t obj, uint64_t *out, size_t max, size_t *n)
{
	uint64_t mt, size, c;
	int rc = rt_object_size(rt, obj, &mt, &size);

	*n = 0;
	rc = rc ? rc : mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "m_continuationObject", &c);
	if (!rc)
		boxes_of(rt, c, out, max, n, 0);
	return rc;
}

/* The state machine's data and type (a struct inline in the box, or an
 * object in a debug build). */
static int machine_of(struct rt *rt, uint64_t box, uint64_t *data, uint64_t *mt)
{
	const struct rt_field *f;
	uint64_t bmt, size, ref;
	int rc = rt_object_size(rt, box, &bmt, &size);

	rc = rc ? rc : mv_field_named(rt, bmt, "StateMachine", &f);
	if (rc)
		return rc;
	*data = rt_object_fields(rt, box) + f->offset;
	if (f->type_mt) {
		*mt = f->type_mt;
		return 0;
	}
	rc = mv_read_ref_at(rt, f, rt_object_fields(rt, box), &ref);
	rc = rc ? rc : ref ? rt_object_size(rt, ref, mt, &size) : -EBADMSG;
	if (!rc)
		*data = rt_object_fields(rt, ref);
	return rc;
}

int mv_box_awaits(struct rt *rt, uint64_t box, uint64_t *task)
{
	const struct rt_field *fields;
	uint64_t data, mt;
	size_t n;
	int rc = machine_of(rt, box, &data, &mt);

	*task = 0;
	rc = rc ? rc : rt_type_instance_fields(rt, mt, &fields, &n);
	if (rc)
		return rc;
	/* The compiler's awaiter fields <>u__N: TaskAwaiter and
	 * ConfiguredTaskAwaitable's awaiter hold m_task; ValueTaskAwaiter holds
	 * a ValueTask whose _obj may be a Task. */
	for (size_t i = 0; i < n; i++) {
		const struct rt_field *f = &fields[i];
		uint64_t at = data + f->offset, t = 0, inner;
		const struct rt_field *vt;
		if (strncmp(f->name, "<>u__", 5) || !f->type_mt)
			continue;
		if (mv_read_ref_field(rt, f->type_mt, at, "m_task", &t) != 0 &&
		    mv_field_named(rt, f->type_mt, "_value", &vt) == 0 && vt->type_mt &&
		    mv_read_ref_field(rt, vt->type_mt, at + vt->offset, "_obj", &inner) == 0)
			t = inner;
		if (t) {
			uint64_t tmt, size;
			if (rt_object_size(rt, t, &tmt, &size) == 0 && mv_derives_from(rt, tmt, MV_TASK)) {
				*task = t;
				return 0;
			}
		}
	}
	return 0;
}

int mv_box_context(struct rt *rt, uint64_t box, uint64_t *ec)
{
	uint64_t mt, size, so, smt;
	const char *name;
	int rc = rt_object_size(rt, box, &mt, &size);

	/* The ExecutionContext captured at the first await: the box's Context
	 * field where it has one, else (8.0 and later,
	 * AsyncTaskMethodBuilderT.cs) the task's m_stateObject, which a box
	 * keeps for it. */
	*ec = 0;
	if (rc)
		return rc;
	if (mv_read_ref_field(rt, mt, rt_object_fields(rt, box), "Context", ec) == 0)
		return 0;
	rc = mv_read_ref_field(rt, mt, rt_object_fields(rt, box), "m_stateObject", &so);
	if (rc || !so)
		return rc;
	rc = rt_object_size(rt, so, &smt, &size);
	rc = rc ? rc : rt_type_name(rt, smt, &name);
	if (!rc && !strcmp(name, "System.Threading.ExecutionContext"))
		*ec = so;
	return rc;
}
