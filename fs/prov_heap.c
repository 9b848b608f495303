/* SPDX-License-Identifier: MIT */
/* fs/prov_heap: /heap, the GC heap: segments and per-type statistics. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "strbuf.h"
#include "heap.h"
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
			strbuf_printf(b, "\t%s", s->gen == 3 ? "loh" : s->gen == 4 ? "poh" : "frozen");
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

static int heap_populate(struct fs_node *dir)
{
	return fs_node_add(dir, "segments", FS_FILE, &segments_ops, (struct fs_key){ 0, NULL }, NULL);
}

const struct fs_ops fs_heap_ops = {
	.populate = heap_populate,
};
