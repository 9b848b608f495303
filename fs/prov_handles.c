/* SPDX-License-Identifier: MIT */
/* fs/prov_handles: /handles, the GC handle table: list, stats, one directory per kind. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "handles.h"
#include "heap.h"
#include "types.h"
#include "format.h"
#include "fs_i.h"

/* "0x… TYPE" columns: the address, a tab, the type name of the object there
 * (or <unreadable: reason>). */
static void put_object(struct rt *rt, struct strbuf *b, uint64_t obj)
{
	uint64_t mt, size;
	const char *name;
	int rc = rt_object_size(rt, obj, &mt, &size);

	fs_put_addr(b, obj);
	strbuf_puts(b, "\t");
	rc = rc ? rc : rt_type_name(rt, mt, &name);
	if (rc)
		fs_put_unreadable(b, rc);
	else
		strbuf_puts(b, name);
}

/* HANDLE KIND OBJECT TYPE, plus SECONDARY TYPE for a dependent handle whose
 * secondary is set; sorted by handle address. */
static int list_render(struct fs_node *file, struct strbuf *b)
{
	struct rt *rt = fs_of(file)->rt;
	const struct rt_handle *h;
	size_t n;
	int rc = rt_handles(rt, &h, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		fs_put_addr(b, h[i].addr);
		strbuf_printf(b, "\t%s\t", rt_handle_type_name(h[i].type));
		put_object(rt, b, h[i].object);
		if (h[i].type == RT_HANDLE_DEPENDENT && h[i].extra) {
			strbuf_puts(b, "\t");
			put_object(rt, b, h[i].extra);
		}
		strbuf_puts(b, "\n");
	}
	return 0;
}

/* COUNT KIND per kind this runtime has, by kind name, then COUNT Total. */
static int stats_render(struct fs_node *file, struct strbuf *b)
{
	const struct rt_handle *h;
	size_t n, count[RT_HANDLE_TYPES] = {0};
	unsigned order[RT_HANDLE_TYPES];
	int rc = rt_handles(fs_of(file)->rt, &h, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		count[h[i].type]++;
	for (unsigned t = 0; t < RT_HANDLE_TYPES; t++) {
		unsigned k = t;
		while (k && strcmp(rt_handle_type_name(order[k - 1]), rt_handle_type_name(t)) > 0) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = t;
	}
	for (unsigned k = 0; k < RT_HANDLE_TYPES; k++)
		strbuf_printf(b, "%zu\t%s\n", count[order[k]], rt_handle_type_name(order[k]));
	strbuf_printf(b, "%zu\tTotal\n", n);
	return 0;
}

/* /handles/<kind>/<handle> -> ../../heap/objects/<object>; key.u = the type. */
static int kind_populate(struct fs_node *dir)
{
	const struct rt_handle *h;
	size_t n;
	unsigned type = (unsigned)fs_node_key(dir).u;
	int rc = rt_handles(fs_of(dir)->rt, &h, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		char name[24];
		if (h[i].type != type)
			continue;
		snprintf(name, sizeof(name), "0x%016" PRIx64, h[i].addr);
		rc = fs_add_object_link(dir, name, h[i].object);
	}
	return rc;
}

static const struct fs_ops list_ops = {.render = list_render};
static const struct fs_ops stats_ops = {.render = stats_render};
static const struct fs_ops kind_ops = {.populate = kind_populate};

static int handles_populate(struct fs_node *dir)
{
	const struct fs_key none = {0, NULL};
	int rc = fs_node_add(dir, "list", FS_FILE, &list_ops, none, NULL);

	rc = rc ? rc : fs_node_add(dir, "stats", FS_FILE, &stats_ops, none, NULL);
	for (unsigned t = 0; !rc && t < RT_HANDLE_TYPES; t++)
		rc = fs_node_add(dir, rt_handle_type_name(t), FS_DIR, &kind_ops,
				 (struct fs_key){t, NULL}, NULL);
	return rc;
}

const struct fs_ops fs_handles_ops = {
	.populate = handles_populate,
};
