/* SPDX-License-Identifier: MIT */
/* fs/prov_threadpool: /threadpool/{info,global,local/<managed-id>}. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "threadpool.h"
#include "format.h"
#include "fs_i.h"

static int info_render(struct fs_node *file, struct strbuf *b)
{
	int rc = mv_threadpool_info(fs_of(file)->rt, b);
	if (rc) {
		strbuf_puts(b, "problem: ");
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static int global_render(struct fs_node *file, struct strbuf *b)
{
	return mv_threadpool_global(fs_of(file)->rt, b);
}

struct local_find {
	uint32_t want;
	struct strbuf *out;
	int found;
};

static int local_take(uint32_t id, const char *lines, void *arg)
{
	struct local_find *lf = arg;
	if (id == lf->want) {
		strbuf_puts(lf->out, lines);
		lf->found = 1;
	}
	return 0;
}

/* Key: u = the managed thread id. */
static int local_render(struct fs_node *file, struct strbuf *b)
{
	struct local_find lf = { (uint32_t)fs_node_key(file).u, b, 0 };
	return mv_threadpool_locals(fs_of(file)->rt, local_take, &lf);
}

static const struct fs_ops info_ops = { .render = info_render };
static const struct fs_ops global_ops = { .render = global_render };
static const struct fs_ops local_ops = { .render = local_render };

static int local_add(uint32_t id, const char *lines, void *arg)
{
	char name[16];
	(void)lines;
	snprintf(name, sizeof(name), "%" PRIu32, id);
	return fs_node_add(arg, name, FS_FILE, &local_ops, (struct fs_key){ id, NULL }, NULL);
}

static int local_populate(struct fs_node *dir)
{
	return mv_threadpool_locals(fs_of(dir)->rt, local_add, dir);
}

static const struct fs_ops local_dir_ops = { .populate = local_populate };

static int threadpool_populate(struct fs_node *dir)
{
	struct fs_key k = { 0, NULL };
	int rc = fs_node_add(dir, "info", FS_FILE, &info_ops, k, NULL);
	rc = rc ? rc : fs_node_add(dir, "global", FS_FILE, &global_ops, k, NULL);
	return rc ? rc : fs_node_add(dir, "local", FS_DIR, &local_dir_ops, k, NULL);
}

const struct fs_ops fs_threadpool_ops = { .populate = threadpool_populate };
