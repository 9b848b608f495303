/* SPDX-License-Identifier: MIT */
/* fs/prov_heap: /heap, the GC heap: segments and per-type statistics. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "heap.h"
#include "heapindex.h"
#include "fields.h"
#include "managed.h"
#include "refgraph.h"
#include "types.h"
#include "format.h"
#include "fs_i.h"

/* START END GEN KIND HEAP ALLOCATED COMMITTED, one line per segment or region,
 * sorted by start; END is the end of the reserved range, ALLOCATED the end of
 * its objects. GEN is 0-2, loh, poh or frozen; KIND is region, segment, or
 * ephemeral (a segments GC's segment holding generations 0-2). */
static int segments_render(struct fs_node *file, struct strbuf *b)
{
	const struct rt_segment *segs;
	struct rt_gc_info gc;
	size_t n;
	int rc = rt_gc_info(fs_of(file)->rt, &gc);

	rc = rc ? rc : rt_segments(fs_of(file)->rt, &segs, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct rt_segment *s = &segs[i];
		fs_put_addr(b, s->start);
		strbuf_puts(b, "\t");
		fs_put_addr(b, s->reserved);
		if (s->gen >= 0 && s->gen <= 2)
			strbuf_printf(b, "\t%d", s->gen);
		else
			strbuf_printf(b, "\t%s",
				      s->gen == 3   ? "loh"
				      : s->gen == 4 ? "poh"
						    : "frozen");
		const char *kind = gc.regions ? "region" : "segment";
		if (strcmp(s->kind, "ephemeral") == 0)
			kind = s->kind;
		strbuf_printf(b, "\t%s\t%u\t", kind, s->heap);
		fs_put_addr(b, s->end);
		strbuf_puts(b, "\t");
		fs_put_addr(b, s->committed);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static const struct fs_ops segments_ops = {
	.render = segments_render,
};

/* One line of /heap/stats. */
struct stat_row {
	struct rt_heap_type t; /* the counts of the objects shown */
	const char *name; /* borrowed from rt, or owned (an unreadable name) */
	char *owned;
};

/* BYTES descending, then NAME (byte order), then MT. */
static int stat_cmp(const void *a, const void *b)
{
	const struct stat_row *x = a, *y = b;
	if (x->t.bytes != y->t.bytes)
		return x->t.bytes > y->t.bytes ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->t.mt < y->t.mt ? -1 : x->t.mt > y->t.mt;
}

/* COUNT BYTES MT NAME (tabs), one line per type with objects counted, sorted
 * by stat_cmp(); then COUNT BYTES - Total. Free objects are not counted (the
 * walk skips them). /heap/stats counts every object: one name per type, the
 * index holds the counts, and names are cached by MethodTable;
 * /heap/live/stats those the roots reach, /heap/dead/stats the others
 * (decoder/runtime/refgraph.h: the graph and one walk from the roots);
 * /modules/<name>/types those of one module's types. */
int fs_put_heap_stats(struct fs *fs, enum fs_stats_of of, uint64_t module, struct strbuf *b)
{
	struct rt *rt = fs->rt;
	struct rt_heap_index *ix;
	const struct rt_live_type *live = NULL;
	struct stat_row *rows;
	uint64_t objects = 0, bytes = 0;
	size_t n, nlive, k = 0;
	int rc = rt_heap_index(rt, &ix);

	if (!rc && of != FS_STATS_ALL)
		rc = rt_live_types(rt, &live, &nlive);
	if (rc)
		return rc;
	const struct rt_heap_type *types = rt_heap_index_types(ix, &n);
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct rt_heap_type t = types[i];
		if (of == FS_STATS_LIVE)
			t.count = live[i].count, t.bytes = live[i].bytes;
		else if (of == FS_STATS_DEAD)
			t.count -= live[i].count, t.bytes -= live[i].bytes;
		if (!t.count)
			continue;
		struct rt_type_info info;
		if (module && (rt_type_info(rt, t.mt, &info) || info.module != module))
			continue;
		objects += t.count;
		bytes += t.bytes;
		rows[k].t = t;
		rc = rt_type_name(rt, t.mt, &rows[k].name);
		if (rc) {
			struct strbuf u;
			strbuf_init(&u);
			fs_put_unreadable(&u, rc);
			rows[k].name = rows[k].owned = strbuf_steal(&u, NULL);
			if (!rows[k].owned) {
				rc = -ENOMEM;
				goto out;
			}
		}
		k++;
	}
	rc = 0;
	qsort(rows, k, sizeof(*rows), stat_cmp);
	for (size_t i = 0; i < k; i++) {
		strbuf_printf(b, "%" PRIu64 "\t%" PRIu64 "\t", rows[i].t.count, rows[i].t.bytes);
		fs_put_addr(b, rows[i].t.mt);
		strbuf_printf(b, "\t%s\n", rows[i].name);
	}
	strbuf_printf(b, "%" PRIu64 "\t%" PRIu64 "\t-\tTotal\n", objects, bytes);
out:
	for (size_t i = 0; i < k; i++)
		free(rows[i].owned);
	free(rows);
	return rc;
}

static int stats_render(struct fs_node *file, struct strbuf *b)
{
	return fs_put_heap_stats(fs_of(file), fs_node_key(file).u, 0, b);
}

static const struct fs_ops stats_ops = {
	.render = stats_render,
};

/* /heap/live and /heap/dead: key.u the stats_of. */
static int liveness_populate(struct fs_node *dir)
{
	return fs_node_add(dir, "stats", FS_FILE, &stats_ops, fs_node_key(dir), NULL);
}

static const struct fs_ops liveness_ops = {
	.populate = liveness_populate,
};

/* /heap/roots: KIND SOURCE ADDR TYPE per root (decoder/managed/refs.c). */
static int roots_render(struct fs_node *file, struct strbuf *b)
{
	return mv_heap_roots(fs_of(file)->rt, b);
}

static const struct fs_ops roots_ops = {
	.render = roots_render,
};

/* /heap/retained: the objects of largest retained size (decoder/managed/refs.c). */
static int retained_render(struct fs_node *file, struct strbuf *b)
{
	return mv_heap_retained(fs_of(file)->rt, b);
}

static const struct fs_ops retained_ops = {
	.render = retained_render,
};

static int heap_populate(struct fs_node *dir)
{
	const struct fs_key none = {FS_STATS_ALL, NULL};
	int rc = fs_node_add(dir, "segments", FS_FILE, &segments_ops, none, NULL);

	rc = rc ? rc : fs_node_add(dir, "stats", FS_FILE, &stats_ops, none, NULL);
	rc = rc ? rc : fs_node_add(dir, "roots", FS_FILE, &roots_ops, none, NULL);
	rc = rc ? rc : fs_node_add(dir, "retained", FS_FILE, &retained_ops, none, NULL);
	rc = rc ? rc : fs_node_add(dir, "live", FS_DIR, &liveness_ops,
				   (struct fs_key){FS_STATS_LIVE, NULL}, NULL);
	rc = rc ? rc : fs_node_add(dir, "dead", FS_DIR, &liveness_ops,
				   (struct fs_key){FS_STATS_DEAD, NULL}, NULL);
	rc = rc ? rc : fs_node_add(dir, "types", FS_DIR, &fs_heap_types_ops, none, NULL);
	return rc ? rc : fs_node_add(dir, "objects", FS_DIR, &fs_heap_objects_ops, none, NULL);
}

const struct fs_ops fs_heap_ops = {
	.populate = heap_populate,
};
