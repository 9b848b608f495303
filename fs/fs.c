/* SPDX-License-Identifier: MIT */
/* fs: building the tree over a dump, and --print/--list/--readlink on it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "fs_i.h"
#include "heap_types.h"

/* The dump changed under us (guard.c): /info renders again, and a mount
 * tells the kernel to forget what it keeps of it. No lock: the caller may
 * hold any. */
static void fs_dump_changed(void *arg)
{
	struct fs *fs = arg;
	void (*cb)(void *) = __atomic_load_n(&fs->on_change, __ATOMIC_ACQUIRE);

	fs_tree_changed(fs->tree);
	if (cb)
		cb(fs->on_change_arg);
}

int fs_new(struct dump *d, struct rt *rt, const char *rt_err, const char *dump_arg, struct fs **out)
{
	struct fs *fs = calloc(1, sizeof(*fs));
	int rc = -ENOMEM;

	if (!fs)
		goto out;
	fs->dump = d;
	fs->rt = rt;
	fs->rt_err = strdup(rt_err ? rt_err : "");
	fs->dump_arg = strdup(dump_arg);
	if (!fs->rt_err || !fs->dump_arg)
		goto out;
	rc = fs_tree_new(&fs_root_ops, fs, &fs->tree);
	if (rc)
		goto out;
	dump_on_change(d, fs_dump_changed, fs);
	*out = fs;
	fs = NULL;
out:
	fs_free(fs);
	return rc;
}

void fs_free(struct fs *fs)
{
	if (!fs)
		return;
	fs_tree_free(fs->tree);
	fs_heap_types_free(fs->heap_types);
	free(fs->rt_err);
	free(fs->dump_arg);
	free(fs);
}

/* Flushes out and turns a write error into -EIO. */
static int finish(FILE *out, int rc)
{
	if (fflush(out) || ferror(out))
		rc = rc ? rc : -EIO;
	return rc;
}

int fs_print(struct fs *fs, const char *path, FILE *out)
{
	struct fs_node *n;
	const char *data;
	size_t len;
	int rc = fs_tree_resolve(fs->tree, path, 1, &n);

	if (rc)
		goto out;
	rc = fs_node_content(n, &data, &len);
	if (rc)
		goto out;
	if (len && fwrite(data, 1, len, out) != len)
		rc = -EIO;
out:
	return finish(out, rc);
}

int fs_list(struct fs *fs, const char *path, FILE *out)
{
	struct fs_node *n, *const *kids;
	size_t count;
	int rc = fs_tree_resolve(fs->tree, path, 1, &n);

	if (rc)
		goto out;
	rc = fs_node_children(n, &kids, &count);
	if (rc)
		goto out;
	for (size_t i = 0; i < count; i++)
		fprintf(out, "%s\n", fs_node_name(kids[i]));
out:
	return finish(out, rc);
}

int fs_readlink(struct fs *fs, const char *path, FILE *out)
{
	struct fs_node *n;
	int rc = fs_tree_resolve(fs->tree, path, 0, &n);

	if (rc)
		goto out;
	rc = -EINVAL;
	if (fs_node_kind(n) != FS_SYMLINK)
		goto out;
	fprintf(out, "%s\n", fs_node_target(n));
	rc = 0;
out:
	return finish(out, rc);
}
