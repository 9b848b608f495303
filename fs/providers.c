/* SPDX-License-Identifier: MIT */
/* fs/providers: the one table of top-level entries and who fills each. */
#include <stdbool.h>
#include <stddef.h>

#include "fs_i.h"

static bool always(const struct fs *fs)
{
	(void)fs;
	return true;
}

static bool has_runtime(const struct fs *fs)
{
	return fs->rt != NULL;
}

/* One row per top-level directory or file. present() says whether the entry
 * exists for this dump (areas built on the runtime vanish without it). */
static const struct fs_provider {
	const char *name;
	enum fs_kind kind;
	const struct fs_ops *ops;
	bool (*present)(const struct fs *fs);
} providers[] = {
	{"info", FS_FILE, &fs_info_ops, always},
	{"threads", FS_DIR, &fs_threads_ops, has_runtime},
	{"stacks", FS_FILE, &fs_stacks_ops, has_runtime},
	{"heap", FS_DIR, &fs_heap_ops, has_runtime},
	{"statics", FS_DIR, &fs_statics_ops, has_runtime},
	{"threadpool", FS_DIR, &fs_threadpool_ops, has_runtime},
	{"tasks", FS_DIR, &fs_tasks_ops, has_runtime},
	{"timers", FS_FILE, &fs_timers_ops, has_runtime},
	{"locks", FS_DIR, &fs_locks_ops, has_runtime},
	{"handles", FS_DIR, &fs_handles_ops, has_runtime},
	{"finalizer", FS_DIR, &fs_finalizer_ops, has_runtime},
	{"modules", FS_DIR, &fs_modules_ops, has_runtime},
	{"loadcontexts", FS_DIR, &fs_loadcontexts_ops, has_runtime},
};

static int root_populate(struct fs_node *root)
{
	const struct fs *fs = fs_of(root);
	int rc = 0;

	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		const struct fs_provider *p = &providers[i];
		if (!p->present(fs))
			continue;
		rc = fs_node_add(root, p->name, p->kind, p->ops, (struct fs_key){0, NULL}, NULL);
		if (rc)
			break;
	}
	return rc;
}

const struct fs_ops fs_root_ops = {
	.populate = root_populate,
};
