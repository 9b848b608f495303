/* SPDX-License-Identifier: MIT */
/* fs/prov_finalizer: /finalizer, the GC heaps' finalization queues. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"
#include "handles.h"
#include "heap.h"
#include "types.h"
#include "format.h"
#include "fs_i.h"

static const char *const gen_names[] = {"0", "1", "2", "loh", "poh"};

static void put_type(struct rt *rt, struct strbuf *b, uint64_t obj)
{
	uint64_t mt, size;
	const char *name;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_name(rt, mt, &name);
	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_puts(b, name);
}

/* One line per queued object, by address: ADDR TYPE GENERATION (0, 1, 2,
 * loh, poh) for those registered and not yet found unreachable, or ADDR TYPE
 * for those found unreachable and waiting for the finalizer thread (the
 * critical list too). */
static int put_queue(struct fs_node *file, struct strbuf *b, bool ready)
{
	struct rt *rt = fs_of(file)->rt;
	const struct rt_fq_object *e;
	size_t n;
	int rc = rt_finalizer_queue(rt, &e, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if ((e[i].gen < 0) != ready)
			continue;
		fs_put_addr(b, e[i].object);
		strbuf_puts(b, "\t");
		put_type(rt, b, e[i].object);
		if (ready)
			strbuf_puts(b, "\n");
		else
			strbuf_printf(b, "\t%s\n", gen_names[e[i].gen]);
	}
	return 0;
}

static int registered_render(struct fs_node *file, struct strbuf *b)
{
	return put_queue(file, b, false);
}

static int ready_render(struct fs_node *file, struct strbuf *b)
{
	return put_queue(file, b, true);
}

/* "key: value" lines: counts registered (in all and per generation) and
 * ready (in all and in the critical list), and the heaps read. */
static int stats_render(struct fs_node *file, struct strbuf *b)
{
	struct rt *rt = fs_of(file)->rt;
	const struct rt_fq_object *e;
	struct rt_gc_info gc;
	size_t n, gens[5] = {0}, reg = 0, ready = 0, critical = 0;
	int rc = rt_finalizer_queue(rt, &e, &n);

	rc = rc ? rc : rt_gc_info(rt, &gc);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (e[i].gen >= 0) {
			reg++;
			gens[e[i].gen]++;
		} else {
			ready++;
			critical += e[i].critical != 0;
		}
	}
	strbuf_printf(b, "heaps: %u\nregistered: %zu\n", gc.heap_count, reg);
	for (unsigned g = 0; g < 5; g++)
		strbuf_printf(b, "registered %s%s: %zu\n", g < 3 ? "gen" : "", gen_names[g],
			      gens[g]);
	strbuf_printf(b, "ready: %zu\nready critical: %zu\n", ready, critical);
	return 0;
}

static const struct fs_ops registered_ops = {.render = registered_render};
static const struct fs_ops ready_ops = {.render = ready_render};
static const struct fs_ops stats_ops = {.render = stats_render};

static int finalizer_populate(struct fs_node *dir)
{
	const struct fs_key none = {0, NULL};
	int rc = fs_node_add(dir, "registered", FS_FILE, &registered_ops, none, NULL);

	rc = rc ? rc : fs_node_add(dir, "ready", FS_FILE, &ready_ops, none, NULL);
	return rc ? rc : fs_node_add(dir, "stats", FS_FILE, &stats_ops, none, NULL);
}

const struct fs_ops fs_finalizer_ops = {
	.populate = finalizer_populate,
};
