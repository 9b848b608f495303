/* SPDX-License-Identifier: MIT */
/* fs/prov_lists: the directories whose files each list one thing of the whole
 * dump, made by one decoder function: /tasks/{list,stats,chains,stacks}, the
 * tasks that have not completed; /locks/{list,deadlocks}, the locks held or
 * waited on and the cycles of threads waiting for each other's. */
#include "format.h"
#include "fs_i.h"
#include "locks.h"
#include "strbuf.h"
#include "tasks.h"

/* A file and its renderer; a file's key.p is its entry. */
struct list_file {
	const char *name;
	int (*render)(struct rt *rt, struct strbuf *out);
};

static const struct list_file tasks_files[] = {
	{"list", mv_tasks_list},
	{"stats", mv_tasks_stats},
	{"chains", mv_tasks_chains},
	{"stacks", mv_tasks_stacks},
	{NULL, NULL},
};

static const struct list_file locks_files[] = {
	{"list", mv_locks_list},
	{"deadlocks", mv_locks_deadlocks},
	{NULL, NULL},
};

/* The whole file, or one <unreadable: reason> line when it cannot be made. */
static int list_file_render(struct fs_node *file, struct strbuf *b)
{
	const struct list_file *f = fs_node_key(file).p;
	size_t before = b->len;
	int rc = f->render(fs_of(file)->rt, b);

	fs_put_result(b, before, rc);
	if (rc)
		strbuf_puts(b, "\n");
	return 0;
}

static const struct fs_ops list_file_ops = {.render = list_file_render};

static int add_files(struct fs_node *dir, const struct list_file *files)
{
	int rc = 0;

	for (const struct list_file *f = files; !rc && f->name; f++)
		rc = fs_node_add(dir, f->name, FS_FILE, &list_file_ops,
				 (struct fs_key){0, (void *)f}, NULL);
	return rc;
}

static int tasks_populate(struct fs_node *dir)
{
	return add_files(dir, tasks_files);
}

static int locks_populate(struct fs_node *dir)
{
	return add_files(dir, locks_files);
}

const struct fs_ops fs_tasks_ops = {.populate = tasks_populate};
const struct fs_ops fs_locks_ops = {.populate = locks_populate};
