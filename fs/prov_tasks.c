/* SPDX-License-Identifier: MIT */
/* fs/prov_tasks: /tasks/{list,stats,chains,stacks}, the tasks that have not completed. */
#include "format.h"
#include "fs_i.h"
#include "strbuf.h"
#include "tasks.h"

static int list_render(struct fs_node *file, struct strbuf *b)
{
	size_t before = b->len;
	int rc = mv_tasks_list(fs_of(file)->rt, b);

	if (rc) {
		strbuf_truncate(b, before);
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static int stats_render(struct fs_node *file, struct strbuf *b)
{
	size_t before = b->len;
	int rc = mv_tasks_stats(fs_of(file)->rt, b);

	if (rc) {
		strbuf_truncate(b, before);
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static int chains_render(struct fs_node *file, struct strbuf *b)
{
	size_t before = b->len;
	int rc = mv_tasks_chains(fs_of(file)->rt, b);

	if (rc) {
		strbuf_truncate(b, before);
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static int stacks_render(struct fs_node *file, struct strbuf *b)
{
	size_t before = b->len;
	int rc = mv_tasks_stacks(fs_of(file)->rt, b);

	if (rc) {
		strbuf_truncate(b, before);
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static const struct fs_ops list_ops = {.render = list_render};
static const struct fs_ops stacks_ops = {.render = stacks_render};
static const struct fs_ops chains_ops = {.render = chains_render};
static const struct fs_ops stats_ops = {.render = stats_render};

static int tasks_populate(struct fs_node *dir)
{
	struct fs_key none = {0, NULL};
	int rc = fs_node_add(dir, "list", FS_FILE, &list_ops, none, NULL);

	rc = rc ? rc : fs_node_add(dir, "stats", FS_FILE, &stats_ops, none, NULL);
	rc = rc ? rc : fs_node_add(dir, "chains", FS_FILE, &chains_ops, none, NULL);
	return rc ? rc : fs_node_add(dir, "stacks", FS_FILE, &stacks_ops, none, NULL);
}

const struct fs_ops fs_tasks_ops = {.populate = tasks_populate};
