/* SPDX-License-Identifier: MIT */
/* fs: building the tree over a dump, and --print/--list/--readlink on it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	fs_elements_free(fs);
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
	struct fs_content *c = NULL;
	struct fs_node *n;
	int rc = fs_tree_resolve(fs->tree, path, 1, &n);

	if (rc)
		goto out;
	rc = fs_node_read(n, &c);
	fs_node_release(n);
	if (rc)
		goto out;
	if (fs_content_len(c) && fwrite(fs_content_data(c), 1, fs_content_len(c), out) != fs_content_len(c))
		rc = -EIO;
	fs_content_put(c);
out:
	return finish(out, rc);
}

static int list_one(void *arg, struct fs_node *kid, uint64_t next)
{
	(void)next;
	fprintf(arg, "%s\n", fs_node_name(kid));
	return 0;
}

int fs_list(struct fs *fs, const char *path, FILE *out)
{
	struct fs_node *n;
	int rc = fs_tree_resolve(fs->tree, path, 1, &n);

	if (rc)
		goto out;
	rc = n && fs_node_kind(n) != FS_DIR ? -ENOTDIR : fs_node_list(n, 0, list_one, out);
	fs_node_release(n);
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
	if (fs_node_kind(n) == FS_SYMLINK) {
		fprintf(out, "%s\n", fs_node_target(n));
		rc = 0;
	}
	fs_node_release(n);
out:
	return finish(out, rc);
}

/* ---- --export ---- */

/* Children of a directory taken in pages, so that nothing is held across
 * the export of one child but the directory itself. */
#define EXPORT_PAGE 256

struct export_page {
	char *names[EXPORT_PAGE];
	size_t n;
	uint64_t next; /* the position after the last one */
};

static int page_add(void *arg, struct fs_node *kid, uint64_t next)
{
	struct export_page *p = arg;

	if (!(p->names[p->n] = strdup(fs_node_name(kid))))
		return -ENOMEM;
	p->next = next;
	return ++p->n == EXPORT_PAGE;
}

static int export_node(struct fs *fs, struct fs_node *n, int dirfd, const char *name);

/* Writes the children of dir (held) into the directory open at fd. */
static int export_dir(struct fs *fs, struct fs_node *dir, int fd)
{
	struct export_page p = {.next = 0};
	int rc;

	do {
		uint64_t from = p.next;
		p.n = 0;
		rc = fs_node_list(dir, from, page_add, &p);
		rc = rc > 0 ? 0 : rc;
		for (size_t i = 0; i < p.n; i++) {
			struct fs_node *kid;
			if (!rc)
				rc = fs_node_lookup(dir, p.names[i], &kid);
			if (!rc) {
				rc = export_node(fs, kid, fd, p.names[i]);
				fs_node_release(kid);
			}
			free(p.names[i]);
		}
		/* What was exported is not needed again: keep within the budget. */
		if (fs_tree_over(fs->tree)) {
			fs_tree_trim(fs->tree, NULL, NULL);
			dump_trim(fs->dump);
		}
	} while (!rc && p.n == EXPORT_PAGE);
	return rc;
}

/* Writes n (held) as name in the directory open at dirfd. */
static int export_node(struct fs *fs, struct fs_node *n, int dirfd, const char *name)
{
	struct fs_content *c;
	int fd, rc = 0;

	switch (fs_node_kind(n)) {
	case FS_SYMLINK:
		return symlinkat(fs_node_target(n), dirfd, name) ? -errno : 0;
	case FS_DIR:
		if (mkdirat(dirfd, name, 0755) && errno != EEXIST)
			return -errno;
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return -errno;
		rc = export_dir(fs, n, fd);
		close(fd);
		return rc;
	case FS_FILE:
		rc = fs_node_read(n, &c);
		if (rc)
			return rc;
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0) {
			rc = -errno;
		} else {
			const char *p = fs_content_data(c);
			size_t left = fs_content_len(c);
			while (left && !rc) {
				ssize_t w = write(fd, p, left);
				if (w < 0 && errno != EINTR)
					rc = -errno;
				else if (w > 0)
					p += w, left -= (size_t)w;
			}
			if (close(fd) && !rc)
				rc = -errno;
		}
		fs_content_put(c);
		return rc;
	}
	return -EINVAL;
}

int fs_export(struct fs *fs, const char *dir, size_t budget)
{
	struct fs_node *root = fs_tree_root(fs->tree);
	int fd, rc;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fs_tree_set_budget(fs->tree, budget);
	/* /info first, as a mount shows it when read first: it lists the
	 * problems found so far, and the export finds more. */
	struct fs_node *info;
	struct fs_content *c;
	if (fs_tree_resolve(fs->tree, "/info", 1, &info) == 0) {
		if (fs_node_read(info, &c) == 0)
			fs_content_put(c);
		fs_node_release(info);
	}
	fs_node_hold(root);
	rc = export_dir(fs, root, fd);
	fs_node_release(root);
	close(fd);
	return rc;
}
