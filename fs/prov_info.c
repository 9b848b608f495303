/* SPDX-License-Identifier: MIT */
/* fs/prov_info: /info, "key: value" lines about the dump and its runtime. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "names.h"
#include "strbuf.h"
#include "dump.h"
#include "runtime.h"
#include "heap.h"
#include "heapindex.h"
#include "format.h"
#include "fs_i.h"

/* The GC's setup, and the heap's totals. Building the heap index here (one
 * walk) puts the problems the walk finds into this file's problem list, so
 * /info renders the same bytes whatever was read before it. */
static void put_gc(struct strbuf *b, struct rt *rt)
{
	struct rt_gc_info gc;
	struct rt_heap_index *ix;
	uint64_t objects, bytes, index_bytes;
	int rc = rt_gc_info(rt, &gc);

	if (rc) {
		strbuf_puts(b, "gc: ");
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return;
	}
	strbuf_printf(b, "gc: %s\n", gc.server ? "server" : "workstation");
	strbuf_printf(b, "gc-heaps: %u\n", gc.heap_count);
	strbuf_printf(b, "gc-layout: %s\n", gc.regions ? "regions" : "segments");
	if (gc.gc_in_progress)
		strbuf_puts(b, "gc-in-progress: true\n");
	rc = rt_heap_index(rt, &ix);
	if (rc) {
		strbuf_puts(b, "heap-objects: ");
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
		return;
	}
	rt_heap_index_totals(ix, &objects, &bytes, &index_bytes);
	strbuf_printf(b, "heap-objects: %" PRIu64 "\nheap-bytes: %" PRIu64 "\n", objects, bytes);
}

static void put_runtime(struct strbuf *b, struct rt *rt)
{
	const struct rt_thread *threads;
	size_t types, globals, contracts, count;
	int rc;

	strbuf_puts(b, "runtime: coreclr\n");
	strbuf_printf(b, "runtime-version: %s\n", rt_version(rt));
	/* Strings of the dump, as one token each (names.h). */
	if (rt_build(rt)[0]) {
		strbuf_puts(b, "runtime-build: ");
		name_put_text(b, rt_build(rt), strlen(rt_build(rt)));
		strbuf_puts(b, "\n");
	}
	strbuf_puts(b, "runtime-module: ");
	name_put_text(b, rt_module_path(rt), strlen(rt_module_path(rt)));
	strbuf_puts(b, "\n");
	strbuf_puts(b, "runtime-base: ");
	fs_put_addr(b, rt_module_base(rt));
	rt_descriptor_counts(rt, &types, &globals, &contracts);
	if (types || globals || contracts)
		strbuf_printf(b,
			      "\ncontract-descriptor: %zu types, %zu globals, %zu contracts (from %s)\n",
			      types, globals, contracts, rt_descriptor_source(rt));
	else
		strbuf_puts(b, "\ncontract-descriptor: none\n");
	strbuf_printf(b, "layout-table: %s\n", rt_layout_line(rt) ? rt_layout_line(rt) : "none");
	strbuf_puts(b, "threads: ");
	rc = rt_threads(rt, &threads, &count);
	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_printf(b, "%zu", count);
	strbuf_puts(b, "\n");
	put_gc(b, rt);
}

static void put_problem(struct strbuf *b, const char *msg)
{
	strbuf_puts(b, "problem: ");
	for (const char *s = msg; *s; s++)
		strbuf_add(b, *s == '\n' ? " " : s, 1);
	strbuf_puts(b, "\n");
}

/* One line per problem, the runtime's own first when it could not be
 * opened; a newline inside a message would start a bogus key. */
static void put_problems(struct strbuf *b, struct diag *dg, const char *rt_err)
{
	size_t n = diag_count(dg);

	strbuf_printf(b, "problems: %zu\n", n + (rt_err != NULL));
	if (rt_err)
		put_problem(b, rt_err);
	for (size_t i = 0; i < n; i++)
		put_problem(b, diag_get(dg, i));
}

/* The runtime lines come before "problems" so that the problems found while
 * reading them (the thread list) are already counted. Problems found later
 * by other areas do not show: the file is rendered once. */
static int info_render(struct fs_node *file, struct strbuf *b)
{
	struct fs *fs = fs_of(file);
	struct dump *d = fs->dump;

	strbuf_printf(b, "dump: %s\n", fs->dump_arg);
	strbuf_puts(b, "format: elf-core\n");
	strbuf_printf(b, "kind: %s\n", dump_kind_name(dump_kind(d)));
	strbuf_printf(b, "arch: %s\n", dump_arch(d));
	strbuf_printf(b, "pointer-size: %u\n", dump_pointer_size(d));
	strbuf_printf(b, "pid: %" PRIu32 "\n", dump_pid(d));
	if (fs->rt)
		put_runtime(b, fs->rt);
	else
		strbuf_printf(b, "runtime-error: %s\n", fs->rt_err);
	put_problems(b, dump_diag(d), fs->rt ? NULL : fs->rt_err);
	return 0;
}

/* Rendered again after the dump file changed under the mount: its problems
 * say so (guard.c, fs.c). */
const struct fs_ops fs_info_ops = {
	.render = info_render,
	.refresh = true,
};
