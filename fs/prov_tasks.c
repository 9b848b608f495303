/* SPDX-License-Identifier: MIT */
/* fs/prov_tasks: /tasks/{list,stats,chains,stacks}, the tasks that have not completed. */
#include "format.h"
#include "fs_i.h"
#include "strbuf.h"
#include "tasks.h"

/* The files of /tasks and their renderers (decoder/managed/tasks.h); a
 * file's key.u is its index here. */
static const struct {
	const char *name;
	int (*render)(struct rt *rt, struct strbuf *out);
} files[] = {
	{"list", mv_tasks_list},
	{"stats", mv_tasks_stats},
	{"chains", mv_tasks_chains},
	{"stacks", mv_tasks_stacks},
};

/* The whole file, or one <unreadable: reason> line when it cannot be made. */
static int tasks_file_render(struct fs_node *file, struct strbuf *b)
{
	size_t before = b->len;
	int rc = files[fs_node_key(file).u].render(fs_of(file)->rt, b);

	if (rc) {
		strbuf_truncate(b, before);
		fs_put_unreadable(b, rc);
		strbuf_puts(b, "\n");
	}
	return 0;
}

static const struct fs_ops tasks_file_ops = {.render = tasks_file_render};

static int tasks_populate(struct fs_node *dir)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(files) / sizeof(files[0]); i++)
		rc = fs_node_add(dir, files[i].name, FS_FILE, &tasks_file_ops, (struct fs_key){i, NULL},
				 NULL);
	return rc;
}

const struct fs_ops fs_tasks_ops = {.populate = tasks_populate};
