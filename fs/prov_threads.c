/* SPDX-License-Identifier: MIT */
/* fs/prov_threads: /threads, one directory per managed thread, and by-os-id links. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "names.h"
#include "objects.h"
#include "strbuf.h"
#include "dump.h"
#include "runtime.h"
#include "format.h"
#include "fields.h"
#include "heap.h"
#include "managed.h"
#include "asynclocal.h"
#include "types.h"
#include "layout.h"
#include "methods.h"
#include "locks.h"
#include "stack.h"
#include "fs_i.h"

/* ThreadState bits (dotnet/runtime src/coreclr/vm/threads.h, enum ThreadState). */
#define TS_BACKGROUND	     0x00000200u
#define TS_THREADPOOL_WORKER 0x01000000u

/* Nodes under /threads/<id>/ carry key.p = the struct rt_thread (borrowed
 * from rt_threads(), valid until rt_close(), which outlives the tree). */
static const struct rt_thread *key_thread(const struct fs_node *n)
{
	return fs_node_key(n).p;
}

/* The thread's name: the managed Thread object's _name field (found by
 * name), as raw text; nothing when the thread has no object or no name. */
static int put_thread_name(struct fs *fs, const struct rt_thread *t, struct strbuf *b)
{
	const struct rt_field *fields;
	uint64_t mt, size, name = 0;
	size_t n;
	int rc;

	if (t->object_err)
		return t->object_err;
	if (!t->object)
		return 0;
	rc = rt_object_size(fs->rt, t->object, &mt, &size);
	rc = rc ? rc : rt_type_instance_fields(fs->rt, mt, &fields, &n);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i].name, "_name") == 0)
			rc = dump_read_ptr(fs->dump, rt_object_fields(fs->rt, t->object) +
							     fields[i].offset,
					   &name);
	}
	if (!rc && name)
		rc = mv_string(fs->rt, name, b);
	return rc;
}

static int thread_name_render(struct fs_node *file, struct strbuf *b)
{
	size_t before = b->len;
	int rc = put_thread_name(fs_of(file), key_thread(file), b);

	fs_put_result(b, before, rc);
	if (b->len > before)
		strbuf_puts(b, "\n");
	return 0;
}

/* The name line of info: the name as one token (names.h), so that a name
 * holding a line break cannot add a line. */
static void put_name_line(struct fs_node *file, struct strbuf *b)
{
	struct strbuf name;
	int rc;

	strbuf_init(&name);
	rc = put_thread_name(fs_of(file), key_thread(file), &name);
	strbuf_puts(b, "name: ");
	if (rc)
		fs_put_unreadable(b, rc);
	else if (name.oom)
		b->oom = true;
	else
		name_put(b, name.data ? name.data : "", name.len);
	strbuf_puts(b, "\n");
	strbuf_destroy(&name);
}

static const struct fs_ops thread_name_ops = {
	.render = thread_name_render,
};

/* The thread's ExecutionContext (Thread._executionContext): 0 when null,
 * or when the thread has no managed object. */
static int thread_ec(struct fs *fs, const struct rt_thread *t, uint64_t *ec)
{
	if (t->object_err)
		return t->object_err;
	if (!t->object) {
		*ec = 0;
		return 0;
	}
	return mv_thread_execution_context(fs->rt, t->object, ec);
}

/* One KEY-ADDR<TAB>KEY-TYPE<TAB>VALUE line per value of the map. */
static void put_asynclocal_map(struct fs *fs, uint64_t map, struct strbuf *b)
{
	struct mv_asynclocal *v = NULL;
	const char *name;
	uint64_t mt, size;
	size_t n = 0;
	int rc = rt_object_size(fs->rt, map, &mt, &size);

	rc = rc ? rc : rt_type_name(fs->rt, mt, &name);
	if (!rc && !mv_asynclocal_map_known(name)) {
		strbuf_printf(b, "<unreadable: unknown AsyncLocal map %s>\n", name);
		return;
	}
	rc = rc ? rc : mv_asynclocal_map_read(fs->rt, map, &v, &n);
	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		fs_put_addr(b, v[i].key);
		strbuf_puts(b, "\t");
		if (v[i].key_err || rt_type_name(fs->rt, v[i].key_mt, &name))
			fs_put_unreadable(b, v[i].key_err ? v[i].key_err : -EBADMSG);
		else
			strbuf_puts(b, name);
		strbuf_puts(b, "\t");
		mv_render_object_ref(fs->rt, v[i].value, b);
		strbuf_puts(b, "\n");
	}
	free(v);
}

void fs_put_context_asynclocals(struct fs *fs, uint64_t ec, struct strbuf *b)
{
	struct mv_execution_context ctx;
	int rc;

	if (!ec)
		return;
	rc = mv_execution_context_read(fs->rt, ec, &ctx);
	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return;
	}
	if (ctx.local_values)
		put_asynclocal_map(fs, ctx.local_values, b);
}

/* asynclocals: the values of the thread's ExecutionContext, sorted by key
 * address; empty for a null or default context or an empty map. */
static int thread_asynclocals_render(struct fs_node *file, struct strbuf *b)
{
	struct fs *fs = fs_of(file);
	struct mv_execution_context ctx;
	uint64_t ec;
	int rc = thread_ec(fs, key_thread(file), &ec);

	if (!rc && !ec)
		return 0;
	rc = rc ? rc : mv_execution_context_read(fs->rt, ec, &ctx);
	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return 0;
	}
	if (ctx.local_values)
		put_asynclocal_map(fs, ctx.local_values, b);
	return 0;
}

static const struct fs_ops thread_asynclocals_ops = {
	.render = thread_asynclocals_render,
};

/* execution-context and execution-context-flow lines: a null context is
 * the default one, whose flow is not suppressed. */
static void put_context_lines(struct fs *fs, const struct rt_thread *t, struct strbuf *b)
{
	struct mv_execution_context ctx;
	uint64_t ec;
	int rc = thread_ec(fs, t, &ec);

	strbuf_puts(b, "execution-context: ");
	if (rc)
		fs_put_unreadable(b, rc);
	else if (ec)
		fs_put_addr(b, ec);
	else
		strbuf_puts(b, "null");
	strbuf_puts(b, "\nexecution-context-flow: ");
	if (!rc && ec)
		rc = mv_execution_context_read(fs->rt, ec, &ctx);
	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_puts(b, ec && ctx.flow_suppressed ? "suppressed" : "flowing");
	strbuf_puts(b, "\n");
}

/* blocked-on: the lock the thread waits for (decoder/managed/locks.h). */
static void put_blocked_on_line(struct fs *fs, const struct rt_thread *t, struct strbuf *b)
{
	size_t before;
	int rc;

	strbuf_puts(b, "blocked-on: ");
	before = b->len;
	rc = mv_thread_blocked_on(fs->rt, t->managed_id, b);
	fs_put_result(b, before, rc);
	strbuf_puts(b, "\n");
}

/* exception: the thread's last thrown object (Thread::m_LastThrownObjectHandle),
 * which the runtime keeps while the exception is being handled. */
static void put_exception_line(struct fs *fs, const struct rt_thread *t, struct strbuf *b)
{
	uint64_t obj = 0;
	int rc = t->last_thrown_handle ? dump_read_ptr(fs->dump, t->last_thrown_handle, &obj) : 0;

	strbuf_puts(b, "exception: ");
	if (!rc && !obj)
		strbuf_puts(b, "none");
	else if (!rc)
		rc = mv_put_exception(fs->rt, obj, b);
	if (rc) {
		if (obj)
			strbuf_printf(b, "0x%016" PRIx64 " ", obj);
		fs_put_unreadable(b, rc);
	}
	strbuf_puts(b, "\n");
}

static int thread_info_render(struct fs_node *file, struct strbuf *b)
{
	const struct rt_thread *t = key_thread(file);
	char names[512];

	if (t->state)
		rt_thread_state_names(t->state, " ", names, sizeof(names));
	else
		snprintf(names, sizeof(names), "none");
	strbuf_printf(b, "managed-id: %" PRIu32 "\n", t->managed_id);
	strbuf_printf(b, "os-id: %" PRIu64 "\n", t->os_id);
	put_name_line(file, b);
	strbuf_printf(b, "state: %s\n", names);
	strbuf_printf(b, "state-bits: 0x%08" PRIx32 "\n", t->state);
	strbuf_puts(b, "background: ");
	fs_put_bool(b, t->state & TS_BACKGROUND);
	strbuf_puts(b, "\nthread-pool-worker: ");
	fs_put_bool(b, t->state & TS_THREADPOOL_WORKER);
	strbuf_printf(b, "\ngc-mode: %s\n",
		      t->preemptive_gc_disabled ? "cooperative" : "preemptive");
	strbuf_puts(b, "thread: ");
	fs_put_addr(b, t->addr);
	strbuf_puts(b, "\nobject: ");
	if (t->object_err)
		fs_put_unreadable(b, t->object_err);
	else if (t->object)
		fs_put_addr(b, t->object);
	else
		strbuf_puts(b, "null");
	strbuf_puts(b, "\n");
	put_context_lines(fs_of(file), t, b);
	put_exception_line(fs_of(file), t, b);
	put_blocked_on_line(fs_of(file), t, b);
	return 0;
}

static const struct fs_ops thread_info_ops = {
	.render = thread_info_render,
};

/* module!symbol+0xOFFSET for an address in an exported function of a
 * module the dump maps (NT_FILE), module+0xOFFSET (from the module's first
 * mapping) elsewhere in it, else <unknown>. */
static void put_native_location(struct fs *fs, uint64_t ip, bool symbol, struct strbuf *b)
{
	const struct dump_module *m = dump_module_at(fs->dump, ip);
	char name[256];
	uint64_t off;

	if (!m) {
		strbuf_puts(b, "<unknown>");
		return;
	}
	const char *slash = strrchr(m->path, '/');
	const char *base = slash ? slash + 1 : m->path;
	name_put(b, base, strlen(base));
	if (symbol && dump_module_symbol_at(fs->dump, m, ip, name, sizeof(name), &off) == 0) {
		strbuf_puts(b, "!");
		name_put(b, name, strlen(name));
		strbuf_printf(b, "+0x%" PRIx64, off);
		return;
	}
	strbuf_printf(b, "+0x%" PRIx64, ip - m->start);
}

/* The thread's stack, one line per frame, innermost first: SP, IP and the
 * frame (a method and the offset into its code, a [Frame] of the runtime, or
 * the native code the thread is in), or the frame alone (frames_only); a
 * walk that cannot go on ends with one <unreadable: reason> line. */
static void put_thread_stack(struct fs *fs, const struct rt_thread *t, bool frames_only,
			     struct strbuf *b)
{
	struct rt_frame *v;
	const char *why;
	size_t n;
	int rc = rt_thread_stack(fs->rt, t->addr, t->os_id, &v, &n, &why);

	if (rc == -ENOENT) {
		strbuf_puts(b, "<unreadable: the dump has no registers for this thread>\n");
		return;
	}
	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!frames_only)
			strbuf_printf(b, "0x%016" PRIx64 "\t0x%016" PRIx64 "\t", v[i].sp, v[i].ip);
		if (v[i].type == RT_FRAME_RUNTIME) {
			strbuf_printf(b, "[%s]", v[i].kind >= 0 ? rt_frame_kind_names[v[i].kind] : "Frame");
		} else if (v[i].type == RT_FRAME_NATIVE) {
			put_native_location(fs, v[i].ip, true, b);
		} else {
			size_t before = b->len;
			if (!v[i].md || rt_method_desc_name(fs->rt, v[i].md, b)) {
				/* Code of a method the runtime names nowhere: where it is. */
				strbuf_truncate(b, before);
				strbuf_puts(b, "<unnamed method at ");
				put_native_location(fs, v[i].start ? v[i].start : v[i].ip, false, b);
				strbuf_puts(b, ">");
			}
			if (v[i].start)
				strbuf_printf(b, "+0x%" PRIx64, v[i].ip - v[i].start);
		}
		strbuf_puts(b, "\n");
	}
	if (why)
		strbuf_printf(b, "<unreadable: %s>\n", why);
	free(v);
}

static int thread_stack_render(struct fs_node *file, struct strbuf *b)
{
	put_thread_stack(fs_of(file), key_thread(file), false, b);
	return 0;
}

static const struct fs_ops thread_stack_ops = {
	.render = thread_stack_render,
};

/* The locks the thread holds (decoder/managed/locks.h), or one
 * <unreadable: reason> line. */
static int thread_locks_render(struct fs_node *file, struct strbuf *b)
{
	size_t before = b->len;
	int rc = mv_thread_locks(fs_of(file)->rt, key_thread(file)->managed_id, b);

	fs_put_result(b, before, rc);
	if (rc)
		strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops thread_locks_ops = {
	.render = thread_locks_render,
};

static int thread_dir_populate(struct fs_node *dir)
{
	const struct rt_thread *t = key_thread(dir);
	uint64_t ec;
	int rc = fs_node_add(dir, "info", FS_FILE, &thread_info_ops, fs_node_key(dir), NULL);

	rc = rc ? rc : fs_node_add(dir, "name", FS_FILE, &thread_name_ops, fs_node_key(dir), NULL);
	rc = rc ? rc : fs_node_add(dir, "asynclocals", FS_FILE, &thread_asynclocals_ops,
				   fs_node_key(dir), NULL);
	rc = rc ? rc : fs_node_add(dir, "stack", FS_FILE, &thread_stack_ops, fs_node_key(dir), NULL);
	rc = rc ? rc : fs_node_add(dir, "locks", FS_FILE, &thread_locks_ops, fs_node_key(dir), NULL);

	/* object -> the managed System.Threading.Thread, absent when null. */
	if (!rc && !t->object_err && t->object) {
		rc = fs_add_object_link(dir, "object", t->object);
	}
	/* executioncontext -> its ExecutionContext, absent when null or unreadable
	 * (info says which). */
	if (!rc && !thread_ec(fs_of(dir), t, &ec) && ec) {
		rc = fs_add_object_link(dir, "executioncontext", ec);
	}
	return rc;
}

static const struct fs_ops thread_dir_ops = {
	.populate = thread_dir_populate,
};

static int os_id_cmp(const void *a, const void *b)
{
	const struct rt_thread *x = *(const struct rt_thread *const *)a;
	const struct rt_thread *y = *(const struct rt_thread *const *)b;

	if (x->os_id != y->os_id)
		return x->os_id < y->os_id ? -1 : 1;
	return x->managed_id < y->managed_id ? -1 : x->managed_id > y->managed_id;
}

/* by-os-id/<tid> -> ../<managed-id> for started threads. An OS id reused by
 * a dead thread still in the ThreadStore links to the lowest managed id. */
static int by_os_id_populate(struct fs_node *dir)
{
	const struct rt_thread *threads, **sorted = NULL;
	size_t count;
	char name[32], target[48];
	int rc = rt_threads(fs_of(dir)->rt, &threads, &count);

	if (rc)
		goto out;
	rc = -ENOMEM;
	sorted = calloc(count ? count : 1, sizeof(*sorted));
	if (!sorted)
		goto out;
	for (size_t i = 0; i < count; i++)
		sorted[i] = &threads[i];
	qsort(sorted, count, sizeof(*sorted), os_id_cmp);
	rc = 0;
	for (size_t i = 0; i < count && !rc; i++) {
		if (!sorted[i]->os_id || (i && sorted[i - 1]->os_id == sorted[i]->os_id))
			continue;
		snprintf(name, sizeof(name), "%" PRIu64, sorted[i]->os_id);
		snprintf(target, sizeof(target), "threads/%" PRIu32, sorted[i]->managed_id);
		rc = fs_node_add_link(dir, name, target);
	}
out:
	free(sorted);
	return rc;
}

static const struct fs_ops by_os_id_ops = {
	.populate = by_os_id_populate,
};

/* rt_threads() is sorted by managed id; a repeated id (a corrupt list, which
 * the decoder reports as a problem) keeps its first thread. */
static int threads_populate(struct fs_node *dir)
{
	struct fs *fs = fs_of(dir);
	const struct rt_thread *threads;
	size_t count;
	char name[16];
	int rc = rt_threads(fs->rt, &threads, &count);

	if (rc)
		goto out;
	for (size_t i = 0; i < count; i++) {
		const struct rt_thread *t = &threads[i];
		if (i && threads[i - 1].managed_id == t->managed_id)
			continue;
		snprintf(name, sizeof(name), "%" PRIu32, t->managed_id);
		rc = fs_node_add(dir, name, FS_DIR, &thread_dir_ops, (struct fs_key){i, (void *)t},
				 NULL);
		if (rc)
			goto out;
	}
	rc = fs_node_add(dir, "by-os-id", FS_DIR, &by_os_id_ops, (struct fs_key){0, NULL}, NULL);
out:
	return rc;
}

/* /stacks: the threads grouped by stack (the frames alone, as in each
 * thread's stack file), one block per distinct stack: "COUNT threads:
 * ID,ID,..." then its frames, blocks by COUNT descending then lowest id,
 * a blank line between blocks. */
struct stack_text {
	char *text;
	size_t len;
	uint32_t id;
};

static int stack_text_cmp(const void *a, const void *b)
{
	const struct stack_text *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);

	if (c || x->len != y->len)
		return c ? c : (x->len < y->len ? -1 : 1);
	return x->id < y->id ? -1 : x->id > y->id;
}

struct stack_group {
	size_t first, count; /* in the sorted texts */
	uint32_t id;	     /* the group's lowest thread id */
};

static int stack_group_cmp(const void *a, const void *b)
{
	const struct stack_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int stacks_render(struct fs_node *file, struct strbuf *b)
{
	struct fs *fs = fs_of(file);
	const struct rt_thread *threads;
	size_t n, ngroups = 0;
	int rc = rt_threads(fs->rt, &threads, &n);

	if (rc) {
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return 0;
	}
	struct stack_text *v = calloc(n ? n : 1, sizeof(*v));
	struct stack_group *g = calloc(n ? n : 1, sizeof(*g));
	rc = v && g ? 0 : -ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		struct strbuf t;
		strbuf_init(&t);
		put_thread_stack(fs, &threads[i], true, &t);
		if (t.oom) {
			strbuf_destroy(&t);
			rc = -ENOMEM;
			break;
		}
		v[i].text = strbuf_steal(&t, &v[i].len);
		v[i].id = threads[i].managed_id;
		strbuf_destroy(&t);
		if (!v[i].text)
			rc = -ENOMEM;
	}
	if (!rc) {
		qsort(v, n, sizeof(*v), stack_text_cmp);
		for (size_t i = 0; i < n; i++) {
			if (i && v[i].len == v[i - 1].len && !memcmp(v[i].text, v[i - 1].text, v[i].len))
				g[ngroups - 1].count++;
			else
				g[ngroups++] = (struct stack_group){i, 1, v[i].id};
		}
		qsort(g, ngroups, sizeof(*g), stack_group_cmp);
		for (size_t k = 0; k < ngroups; k++) {
			strbuf_printf(b, "%s%zu threads: ", k ? "\n" : "", g[k].count);
			for (size_t i = 0; i < g[k].count; i++)
				strbuf_printf(b, "%s%" PRIu32, i ? "," : "", v[g[k].first + i].id);
			strbuf_puts(b, "\n");
			strbuf_add(b, v[g[k].first].text, v[g[k].first].len);
		}
	}
	for (size_t i = 0; v && i < n; i++)
		free(v[i].text);
	free(v);
	free(g);
	return rc;
}

const struct fs_ops fs_stacks_ops = {
	.render = stacks_render,
};

const struct fs_ops fs_threads_ops = {
	.populate = threads_populate,
};
