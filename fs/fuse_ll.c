/* SPDX-License-Identifier: MIT */
/* fs/fuse_ll: the FUSE low-level operations serving the node tree, read-only. */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "dump.h"
#include "fs_i.h"
#include "ll_ahead.h"
#include "ll_push.h"
#include "ll_uring.h"

/* The tree never changes while mounted, so the kernel may keep every entry,
 * attribute and negative lookup this long. */
#define LL_TIMEOUT 86400.0

/* readdirplus hands the kernel full entries (it then skips the lookups) for
 * directories up to this many entries; larger ones go as bare names, so that
 * a plain ls of every object of the heap does not make the kernel build an
 * inode for each. */
#define LL_PLUS_MAX 16384

/* Mount options always given; the user's -o come after them. "ro" makes the
 * kernel refuse writes itself (EROFS), default_permissions makes it apply
 * the 0440/0550 modes, which matters with -o allow_other. */
#define LL_MOUNT_OPTS "ro,default_permissions,fsname=clrfs,subtype=clrfs"

/* The session's userdata; read-only after fs_mount() fills it. */
struct ll_ctx {
	struct fs_tree *tree;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;	/* the dump file's: every node's times */
	bool no_open;		/* set once by ll_init(): opens answer ENOSYS */
	struct ll_push *push;	/* NULL when the pushing thread could not start */
	uint64_t info_ino;	/* /info, which renders again after the dump changed */
	struct ll_ahead *ahead; /* NULL likewise */
	struct ll_uring *uring; /* NULL when requests come through /dev/fuse only */
};

static struct ll_ctx *ctx_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Attributes of n; renders a file (once) so that st_size is exact. Every
 * time is the dump file's modification time, when the state it shows was
 * saved (createdump writes the file as it reads the process); nothing of the
 * analysing machine shows in the tree. */
static int fill_attr(struct ll_ctx *c, struct fs_node *n, struct stat *st)
{
	const char *data;
	size_t len = 0;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->st_ino = fs_node_ino(n);
	st->st_uid = c->uid;
	st->st_gid = c->gid;
	st->st_blksize = 4096;
	st->st_mtim = st->st_atim = st->st_ctim = c->mtime;
	switch (fs_node_kind(n)) {
	case FS_DIR:
		st->st_mode = S_IFDIR | 0550;
		st->st_nlink = 2;
		break;
	case FS_FILE:
		rc = fs_node_content(n, &data, &len);
		st->st_mode = S_IFREG | 0440;
		st->st_nlink = 1;
		break;
	case FS_SYMLINK:
		len = strlen(fs_node_target(n));
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		break;
	}
	st->st_size = (off_t)len;
	st->st_blocks = (blkcnt_t)((len + 511) / 512);
	return rc;
}

/* The node for ino, or -ENOENT (an inode we never handed out). */
static int node_of(fuse_req_t req, fuse_ino_t ino, struct fs_node **out)
{
	struct fs_node *n = fs_tree_node(ctx_of(req)->tree, ino);

	if (!n)
		return -ENOENT;
	*out = n;
	return 0;
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct fs_node *dir, *n;
	int rc = node_of(req, parent, &dir);

	memset(&e, 0, sizeof(e));
	if (rc)
		goto out;
	rc = fs_node_lookup(dir, name, &n);
	if (rc == -ENOENT) {
		/* ino 0 with a timeout: the kernel caches the absence. */
		e.entry_timeout = LL_TIMEOUT;
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	rc = fill_attr(ctx_of(req), n, &e.attr);
	e.ino = fs_node_ino(n);
	e.attr_timeout = LL_TIMEOUT;
	e.entry_timeout = LL_TIMEOUT;
out:
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	struct ll_ctx *c = ctx_of(req); /* the reply frees req */
	fuse_reply_entry(req, &e);
	/* The content is rendered (for st_size): hand it to the kernel now,
	 * which then answers the read that usually follows by itself. Only
	 * after the reply: the kernel makes the inode on receiving it. */
	if (e.ino && fs_node_kind(n) == FS_FILE) {
		const char *data;
		size_t len;
		if (fs_node_content(n, &data, &len) == 0)
			ll_push_add(c->push, e.ino, data, len);
		ll_ahead_note(c->ahead, dir, n);
	}
}

/* Nodes live as long as the mount: nothing to forget. */
static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	(void)ino;
	(void)nlookup;
	fuse_reply_none(req);
}

static void ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	(void)count;
	(void)forgets;
	fuse_reply_none(req);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_node *n;
	struct stat st;
	int rc = node_of(req, ino, &n);

	(void)fi;
	if (!rc)
		rc = fill_attr(ctx_of(req), n, &st);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &st, LL_TIMEOUT);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_node *n;
	int rc = node_of(req, ino, &n);

	if (!rc && fs_node_kind(n) != FS_SYMLINK)
		rc = -EINVAL;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_readlink(req, fs_node_target(n));
}

/* Populates the directory now, so that its errors show on opendir. */
static void ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_node *n, *const *kids;
	size_t count;
	int rc = node_of(req, ino, &n);

	if (!rc)
		rc = fs_node_children(n, &kids, &count);
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_open(req, fi);
}

/* One directory entry for readdir (plus false) or readdirplus: entry i is
 * ".", "..", then the sorted children; it carries offset i + 1, the position
 * to continue from. Returns the bytes it needs, as fuse_add_direntry does. */
static size_t add_entry(fuse_req_t req, struct fs_node *dir, struct fs_node *const *kids,
			size_t count, size_t i, bool plus, char *buf, size_t size)
{
	struct fs_node *n = i == 0 ? dir : i == 1 ? fs_node_parent(dir) : kids[i - 2];
	const char *name = i == 0 ? "." : i == 1 ? ".." : fs_node_name(n);
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.attr.st_ino = fs_node_ino(n);
	e.attr.st_mode = fs_node_kind(n) == FS_DIR    ? S_IFDIR
			 : fs_node_kind(n) == FS_FILE ? S_IFREG
						      : S_IFLNK;
	if (!plus)
		return fuse_add_direntry(req, buf, size, name, &e.attr, (off_t)(i + 1));
	/* Full entries (the kernel then skips the lookup) for what is known
	 * without decoding: directories, symlinks and files rendered already.
	 * Any other file goes as a bare name (node id 0): listing a directory
	 * must not render every file in it to learn their sizes. */
	if (i >= 2 && count <= LL_PLUS_MAX && (fs_node_kind(n) != FS_FILE || fs_node_rendered(n)) &&
	    fill_attr(ctx_of(req), n, &e.attr) == 0) {
		e.ino = fs_node_ino(n);
		e.attr_timeout = LL_TIMEOUT;
		e.entry_timeout = LL_TIMEOUT;
	}
	return fuse_add_direntry_plus(req, buf, size, name, &e, (off_t)(i + 1));
}

static void reply_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	struct fs_node *n, *const *kids;
	size_t count, pos = 0;
	char *buf = NULL;
	int rc = node_of(req, ino, &n);

	if (rc)
		goto out;
	rc = fs_node_children(n, &kids, &count);
	if (rc)
		goto out;
	rc = -ENOMEM;
	buf = malloc(size ? size : 1);
	if (!buf)
		goto out;
	rc = 0;
	for (size_t i = off < 0 ? 0 : (size_t)off; i < count + 2; i++) {
		size_t need = add_entry(req, n, kids, count, i, plus, buf + pos, size - pos);

		if (need > size - pos)
			break;
		pos += need;
	}
out:
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_buf(req, buf, pos);
	free(buf);
}

static void ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	(void)fi;
	reply_dir(req, ino, size, off, false);
}

/* The kernel asks for this instead of readdir when it expects lookups of
 * the entries to follow (a first listing, ls -l, a shell glob): for
 * /threads, that saves one round trip per thread directory. */
static void ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	(void)fi;
	reply_dir(req, ino, size, off, true);
}

static void ll_release_any(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

/* The kernel may skip open and release for every file when the first open
 * answers ENOSYS (FUSE_CAP_NO_OPEN_SUPPORT): two round trips fewer per file
 * read. That is safe here: the mount is read-only (the kernel refuses writes
 * itself), a file's content is rendered by its lookup already (its exact
 * size), and nothing is kept per open file. */
static void ll_init(void *userdata, struct fuse_conn_info *conn)
{
	struct ll_ctx *c = userdata;
	/* Always readdirplus: left to itself the kernel uses it for the first
	 * block of a listing only, unless lookups come between the blocks, and
	 * a shell glob reads the whole directory first. */
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPEN_SUPPORT;
		c->no_open = true;
	}
}

/* Renders the file now (if getattr has not) so read never fails later. */
static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_node *n;
	const char *data;
	size_t len;
	int rc = node_of(req, ino, &n);

	if (rc)
		goto out;
	rc = -EROFS;
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		goto out;
	rc = fs_node_content(n, &data, &len);
	fi->keep_cache = 1;
	if (!rc && ctx_of(req)->no_open)
		rc = -ENOSYS;
out:
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_open(req, fi);
}

static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fs_node *n;
	const char *data = NULL;
	size_t len = 0;
	int rc = node_of(req, ino, &n);

	(void)fi;
	if (!rc)
		rc = fs_node_content(n, &data, &len);
	if (rc) {
		fuse_reply_err(req, -rc);
	} else if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
	} else {
		size_t left = len - (size_t)off;
		fuse_reply_buf(req, data + off, size < left ? size : left);
	}
}

static void ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	(void)ino;
	memset(&st, 0, sizeof(st));
	st.f_bsize = 4096;
	st.f_frsize = 4096;
	st.f_files = fs_tree_node_count(ctx_of(req)->tree);
	st.f_namemax = 255;
	st.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &st);
}

/* Every operation that would change the tree. The kernel already refuses
 * most of them on an "ro" mount; these answer if it asks anyway. */
static void erofs(fuse_req_t req)
{
	fuse_reply_err(req, EROFS);
}

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	(void)ino, (void)attr, (void)to_set, (void)fi;
	erofs(req);
}

static void ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)parent, (void)name, (void)mode, (void)rdev;
	erofs(req);
}

static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	(void)parent, (void)name, (void)mode;
	erofs(req);
}

static void ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent, (void)name;
	erofs(req);
}

static void ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link, (void)parent, (void)name;
	erofs(req);
}

static void ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	erofs(req);
}

static void ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino, (void)newparent, (void)newname;
	erofs(req);
}

static void ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	(void)ino, (void)buf, (void)size, (void)off, (void)fi;
	erofs(req);
}

static void ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	(void)parent, (void)name, (void)mode, (void)fi;
	erofs(req);
}

static void ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	(void)ino, (void)name, (void)value, (void)size, (void)flags;
	erofs(req);
}

static void ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	(void)ino, (void)name;
	erofs(req);
}

static void ll_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
			 struct fuse_file_info *fi)
{
	(void)ino, (void)mode, (void)offset, (void)length, (void)fi;
	erofs(req);
}

static const struct fuse_lowlevel_ops ll_ops = {
	.init = ll_init,
	.lookup = ll_lookup,
	.forget = ll_forget,
	.forget_multi = ll_forget_multi,
	.getattr = ll_getattr,
	.readlink = ll_readlink,
	.opendir = ll_opendir,
	.readdir = ll_readdir,
	.readdirplus = ll_readdirplus,
	.releasedir = ll_release_any,
	.open = ll_open,
	.read = ll_read,
	.release = ll_release_any,
	.statfs = ll_statfs,
	.setattr = ll_setattr,
	.mknod = ll_mknod,
	.mkdir = ll_mkdir,
	.unlink = ll_unlink,
	.rmdir = ll_unlink,
	.symlink = ll_symlink,
	.rename = ll_rename,
	.link = ll_link,
	.write = ll_write,
	.create = ll_create,
	.setxattr = ll_setxattr,
	.removexattr = ll_removexattr,
	.fallocate = ll_fallocate,
};

static int build_args(const struct fs_mount_options *o, struct fuse_args *args)
{
	int rc = fuse_opt_add_arg(args, "clrfs") || fuse_opt_add_arg(args, "-o") ||
		 fuse_opt_add_arg(args, LL_MOUNT_OPTS);

	for (size_t i = 0; !rc && o->fuse_opts && o->fuse_opts[i]; i++)
		rc = fuse_opt_add_arg(args, "-o") || fuse_opt_add_arg(args, o->fuse_opts[i]);
	if (!rc && o->debug)
		rc = fuse_opt_add_arg(args, "-d");
	return rc ? -ENOMEM : 0;
}

/* The dump changed under the mount (fs.c fs_dump_changed): the kernel must
 * forget /info's pages and size, which now say so. */
static void ll_dump_changed(void *arg)
{
	struct ll_ctx *c = arg;
	ll_push_inval(c->push, c->info_ino);
}

int fs_mount(struct fs *fs, const struct fs_mount_options *o)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct ll_ctx c = {fs->tree, getuid(), getgid(), dump_mtime(fs->dump)};
	struct fuse_session *se = NULL;
	struct fuse_loop_config *cfg = NULL;
	bool handlers = false, mounted = false;
	int rc = build_args(o, &args);

	if (rc)
		goto out;
	rc = -EINVAL; /* libfuse has printed why */
	se = fuse_session_new(&args, &ll_ops, sizeof(ll_ops), &c);
	if (!se)
		goto out;
	if (fuse_set_signal_handlers(se))
		goto out;
	handlers = true;
	if (fuse_session_mount(se, o->mountpoint))
		goto out;
	mounted = true;
	/* Changes directory to "/": paths used later must be absolute. */
	fuse_daemonize(o->foreground || o->debug);
	/* After daemonizing (threads do not survive its fork); without the
	 * thread files are only read the ordinary way. */
	if (ll_push_start(se, &c.push))
		c.push = NULL;
	struct fs_node *info;
	if (c.push && fs_tree_resolve(fs->tree, "/info", 0, &info) == 0) {
		c.info_ino = fs_node_ino(info);
		fs->on_change_arg = &c;
		__atomic_store_n(&fs->on_change, ll_dump_changed, __ATOMIC_RELEASE);
	}
	if (ll_ahead_start(o->debug, &c.ahead))
		c.ahead = NULL;
	/* Before the loop reads FUSE_INIT, whose reply accepts io_uring. */
	if (o->single_thread || o->no_uring || ll_uring_start(se, o->debug, &c.uring))
		c.uring = NULL;
	/* libfuse's own loops. A loop whose one reading thread answers in
	 * place (handing the reading over when a request is slow) measured no
	 * faster on the CI's 2-CPU VM for a glob over 503 files (2026-11): the
	 * round trip there is cross-CPU wake-ups, whoever reads. */
	if (o->single_thread) {
		rc = fuse_session_loop(se);
	} else {
		rc = -ENOMEM;
		cfg = fuse_loop_cfg_create();
		if (!cfg)
			goto out;
		rc = fuse_session_loop_mt(se, cfg);
	}
	/* A signal ends the loop normally; only a negative result is an error. */
	rc = rc < 0 ? rc : 0;
out:
	__atomic_store_n(&fs->on_change, NULL, __ATOMIC_RELEASE);
	ll_ahead_stop(c.ahead);
	ll_push_stop(c.push); /* still mounted: it may answer a last read */
	if (cfg)
		fuse_loop_cfg_destroy(cfg);
	if (mounted)
		fuse_session_unmount(se);
	ll_uring_stop(c.uring); /* after ll_push_stop: that read may come by a ring */
	if (handlers)
		fuse_remove_signal_handlers(se);
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	return rc;
}
