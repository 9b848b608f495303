/* SPDX-License-Identifier: MIT */
/* fs/fuse_ll: the FUSE low-level operations serving the node tree, read-only. */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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
 * inode for each (and hold its node). */
#define LL_PLUS_MAX 16384

/* Mount options always given; the user's -o come after them. "ro" makes the
 * kernel refuse writes itself (EROFS), default_permissions makes it apply
 * the 0440/0550 modes, which matters with -o allow_other. */
#define LL_MOUNT_OPTS "ro,default_permissions,fsname=clrfs,subtype=clrfs"

/* The session's userdata; read-only after fs_mount() fills it. */
struct ll_ctx {
	struct fs_tree *tree;
	struct dump *dump;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;	/* the dump file's: every node's times */
	bool no_open;		/* set once by ll_init(): opens answer ENOSYS */
	bool no_opendir;	/* likewise for opendir */
	struct ll_push *push;	/* NULL when the pushing thread could not start */
	uint64_t info_ino;	/* /info, which renders again after the dump changed */
	struct ll_ahead *ahead; /* NULL likewise */
	struct ll_uring *uring; /* NULL when requests come through /dev/fuse only */
};

static struct ll_ctx *ctx_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The tree's memory budget (fs_tree_trim()): the kernel is asked to drop
 * entries through the pushing thread, which may wait for it. */
static void ll_ask(void *arg, uint64_t parent, const char *name)
{
	ll_push_inval_entry(arg, parent, name);
}

/* After an operation that may have made nodes or rendered bytes: trims the
 * tree when it is over its budget. */
static void ll_trim(struct ll_ctx *c)
{
	if (!fs_tree_over(c->tree))
		return;
	fs_tree_trim(c->tree, c->push ? ll_ask : NULL, c->push);
	/* The dump's pages read through its map count in the daemon's memory
	 * too: let them go, the page cache keeps them. */
	dump_trim(c->dump);
}

/* Attributes of n; renders a file (once) so that st_size is exact. Every
 * time is the dump file's modification time, when the state it shows was
 * saved (createdump writes the file as it reads the process); nothing of the
 * analysing machine shows in the tree. */
static int fill_attr(struct ll_ctx *c, struct fs_node *n, struct stat *st)
{
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
		rc = fs_node_size(n, &len);
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

/* The node for ino, held (fs_node_release()), or -ENOENT: a number the
 * kernel does not hold (it holds what it uses until it forgets it). */
static int node_of(fuse_req_t req, fuse_ino_t ino, struct fs_node **out)
{
	struct fs_node *n = fs_tree_get(ctx_of(req)->tree, ino, NULL);

	if (!n)
		return -ENOENT;
	*out = n;
	return 0;
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ll_ctx *c = ctx_of(req); /* the reply frees req */
	struct fuse_entry_param e;
	struct fs_node *dir, *n = NULL;
	int rc = node_of(req, parent, &dir);

	memset(&e, 0, sizeof(e));
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	rc = fs_node_lookup(dir, name, &n);
	if (rc == -ENOENT) {
		/* ino 0 with a timeout: the kernel caches the absence. */
		e.entry_timeout = LL_TIMEOUT;
		rc = 0;
	} else if (!rc) {
		rc = fill_attr(c, n, &e.attr);
	}
	if (rc) {
		fuse_reply_err(req, -rc);
		goto out;
	}
	if (n) {
		e.ino = fs_node_ino(n);
		e.generation = fs_node_gen(n);
		e.attr_timeout = LL_TIMEOUT;
		e.entry_timeout = LL_TIMEOUT;
		/* Counted before the reply: the kernel may forget it at once. */
		fs_node_remember(n);
	}
	if (fuse_reply_entry(req, &e) && n)
		fs_tree_forget(c->tree, e.ino, 1); /* the kernel never got it */
	/* The content is rendered (for st_size): hand it to the kernel now,
	 * which then answers the read that usually follows by itself. Only
	 * after the reply: the kernel makes the inode on receiving it. */
	if (n && fs_node_kind(n) == FS_FILE) {
		ll_push_add(c->push, n);
		ll_ahead_note(c->ahead, dir, n);
	}
out:
	fs_node_release(n);
	fs_node_release(dir);
	ll_trim(c);
}

static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	fs_tree_forget(ctx_of(req)->tree, ino, nlookup);
	fuse_reply_none(req);
}

static void ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct fs_tree *t = ctx_of(req)->tree;

	for (size_t i = 0; i < count; i++)
		fs_tree_forget(t, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ll_ctx *c = ctx_of(req);
	struct fs_node *n;
	struct stat st;
	int rc = node_of(req, ino, &n);

	(void)fi;
	if (!rc) {
		rc = fill_attr(c, n, &st);
		fs_node_release(n);
	}
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &st, LL_TIMEOUT);
	ll_trim(c);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_node *n;
	int rc = node_of(req, ino, &n);

	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	if (fs_node_kind(n) != FS_SYMLINK)
		fuse_reply_err(req, EINVAL);
	else
		fuse_reply_readlink(req, fs_node_target(n));
	fs_node_release(n);
}

/* Nothing is kept per open directory: where the kernel allows it
 * (FUSE_CAP_NO_OPENDIR_SUPPORT), the first opendir answers ENOSYS and the
 * kernel sends no opendir or releasedir again, which halves the requests of
 * a walk; it then caches listings as FOPEN_CACHE_DIR asks. A directory is
 * filled by its first listing or lookup. */
static void ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ll_ctx *c = ctx_of(req);
	struct fs_node *n = NULL;
	int rc = node_of(req, ino, &n);

	if (!rc && fs_node_kind(n) != FS_DIR)
		rc = -ENOTDIR;
	fs_node_release(n);
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	if (!rc && c->no_opendir)
		rc = -ENOSYS;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_open(req, fi);
}

/* A reply of readdir or readdirplus being filled. */
struct dir_reply {
	fuse_req_t req;
	struct ll_ctx *c;
	bool plus;
	char *buf;
	size_t size, pos;
	/* readdirplus: the nodes handed to the kernel, each remembered once,
	 * to forget again if the reply does not reach it. */
	struct fs_node **given;
	size_t ngiven;
	bool full; /* full entries for this directory (not a large one) */
	int err;
};

/* One entry into the reply: name, the node n (NULL for "." and ".."
 * passed as dot), off the position to go on from. 1 when it does not fit. */
static int add_entry(struct dir_reply *r, const char *name, struct fs_node *n, fuse_ino_t ino,
		     enum fs_kind kind, off_t off)
{
	struct fuse_entry_param e;
	size_t need;

	memset(&e, 0, sizeof(e));
	e.attr.st_ino = ino;
	e.attr.st_mode = kind == FS_DIR ? S_IFDIR : kind == FS_FILE ? S_IFREG : S_IFLNK;
	if (!r->plus) {
		need = fuse_add_direntry(r->req, r->buf + r->pos, r->size - r->pos, name, &e.attr,
					 off);
	} else {
		/* Full entries (the kernel then skips the lookup) for what is
		 * known without decoding: directories, symlinks and files whose
		 * size is known, and small files (fs_ops.small), rendered now.
		 * Any other file goes as a bare name (node id 0): listing a
		 * directory must not render every file in it. "." and ".."
		 * always go bare: the kernel takes no count for them. Past the
		 * memory budget everything goes bare: a node handed over is
		 * one the kernel holds until asked to let go (fs_tree_trim()),
		 * and a listing must not outrun those asks. */
		bool full = n && r->full && !fs_tree_full(r->c->tree) &&
			    (kind != FS_FILE || fs_node_sized(n) || fs_node_small(n)) &&
			    fill_attr(r->c, n, &e.attr) == 0;
		if (full) {
			e.ino = ino;
			e.generation = fs_node_gen(n);
			e.attr_timeout = LL_TIMEOUT;
			e.entry_timeout = LL_TIMEOUT;
		}
		need = fuse_add_direntry_plus(r->req, r->buf + r->pos, r->size - r->pos, name, &e,
					      off);
		if (full && need <= r->size - r->pos) {
			struct fs_node **g = realloc(r->given, (r->ngiven + 1) * sizeof(*g));
			if (!g) {
				r->err = -ENOMEM;
				return 1;
			}
			r->given = g;
			g[r->ngiven++] = n;
			fs_node_remember(n);
		}
	}
	if (need > r->size - r->pos)
		return 1;
	r->pos += need;
	return 0;
}

static int add_child(void *arg, struct fs_node *kid, uint64_t next)
{
	struct dir_reply *r = arg;

	return add_entry(r, fs_node_name(kid), kid, fs_node_ino(kid), fs_node_kind(kid),
			 (off_t)(next + 2));
}

/* Offsets: 0 the start, 1 after ".", 2 after "..", then 2 + the position
 * (fs_node_list()) to go on from. */
static void reply_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	struct dir_reply r = {req, ctx_of(req), plus, NULL, size, 0, NULL, 0, false, 0};
	struct ll_ctx *c = r.c;
	struct fs_node *n;
	uint64_t count;
	int rc = node_of(req, ino, &n);

	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	r.full = plus && fs_node_count(n, &count) == 0 && count <= LL_PLUS_MAX;
	rc = -ENOMEM;
	r.buf = malloc(size ? size : 1);
	if (!r.buf)
		goto out;
	rc = 0;
	if (off <= 0 && add_entry(&r, ".", NULL, fs_node_ino(n), FS_DIR, 1))
		goto reply;
	if (off <= 1 && add_entry(&r, "..", NULL, fs_node_ino(fs_node_parent(n)), FS_DIR, 2))
		goto reply;
	rc = fs_node_list(n, off > 2 ? (uint64_t)off - 2 : 0, add_child, &r);
	rc = rc > 0 ? r.err : rc;
reply:
	/* Entries that fit go even when a later one failed. */
	if (rc && !r.pos)
		goto out;
	if (fuse_reply_buf(req, r.buf, r.pos)) {
		for (size_t i = 0; i < r.ngiven; i++)
			fs_tree_forget(c->tree, fs_node_ino(r.given[i]), 1);
	} else {
		/* The files rendered for their size: their bytes too, now. */
		for (size_t i = 0; i < r.ngiven; i++)
			if (fs_node_kind(r.given[i]) == FS_FILE)
				ll_push_add(c->push, r.given[i]);
	}
	rc = 0;
out:
	if (rc) {
		for (size_t i = 0; i < r.ngiven; i++)
			fs_tree_forget(c->tree, fs_node_ino(r.given[i]), 1);
		fuse_reply_err(req, -rc);
	}
	free(r.given);
	free(r.buf);
	fs_node_release(n);
	ll_trim(c);
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
 * itself), a file's size is known from its lookup, and nothing is kept per
 * open file. */
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
	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
		c->no_opendir = true;
	}
}

/* Renders the file now (if getattr has not) so read never fails later. */
static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ll_ctx *c = ctx_of(req);
	struct fs_node *n;
	size_t len;
	int rc = node_of(req, ino, &n);

	if (rc)
		goto out;
	rc = -EROFS;
	if ((fi->flags & O_ACCMODE) == O_RDONLY && !(fi->flags & O_TRUNC))
		rc = fs_node_size(n, &len);
	fs_node_release(n);
	fi->keep_cache = 1;
	if (!rc && c->no_open)
		rc = -ENOSYS;
out:
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_open(req, fi);
	ll_trim(c);
}

static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct ll_ctx *c = ctx_of(req);
	struct fs_content *content = NULL;
	struct fs_node *n;
	int rc = node_of(req, ino, &n);

	(void)fi;
	if (!rc) {
		rc = fs_node_read(n, &content);
		fs_node_release(n);
	}
	if (rc) {
		fuse_reply_err(req, -rc);
	} else {
		size_t len = fs_content_len(content);
		if (off < 0 || (size_t)off >= len) {
			fuse_reply_buf(req, NULL, 0);
		} else {
			size_t left = len - (size_t)off;
			fuse_reply_buf(req, fs_content_data(content) + off,
				       size < left ? size : left);
		}
	}
	fs_content_put(content);
	ll_trim(c);
}

static void ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	(void)ino;
	memset(&st, 0, sizeof(st));
	st.f_bsize = 4096;
	st.f_frsize = 4096;
	struct fs_tree_stats ts;
	fs_tree_stats(ctx_of(req)->tree, &ts);
	st.f_files = ts.nodes;
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
	struct ll_ctx c = {fs->tree, fs->dump, getuid(), getgid(), dump_mtime(fs->dump)};
	struct fuse_session *se = NULL;
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
	/* /info is the root's: it stays, and so does its number. */
	struct fs_node *info;
	if (c.push && fs_tree_resolve(fs->tree, "/info", 0, &info) == 0) {
		c.info_ino = fs_node_ino(info);
		fs_node_release(info);
		fs->on_change_arg = &c;
		__atomic_store_n(&fs->on_change, ll_dump_changed, __ATOMIC_RELEASE);
	}
	fs_tree_set_budget(fs->tree, o->cache);
	if (ll_ahead_start(o->debug, &c.ahead))
		c.ahead = NULL;
	/* Before the loop reads FUSE_INIT, whose reply accepts io_uring. */
	if (o->single_thread || o->no_uring || ll_uring_start(se, o->debug, &c.uring))
		c.uring = NULL;
	/* /dev/fuse is answered by this one thread. libfuse's multi-threaded
	 * loop measured slower (scripts/bench --walk, 369,164 files on the
	 * CI's 2-CPU VM, 2026-12: 21.4 s against 19.6 s for one reader, 19.3 s
	 * against 15.1 s for four): rendering is serialized by the tree lock
	 * anyway, and its threads only added wake-ups. The parallel path is
	 * FUSE over io_uring, one queue per CPU, where the kernel offers it
	 * (12.8 s on the same walk). */
	rc = fuse_session_loop(se);
	/* A signal ends the loop normally; only a negative result is an error. */
	rc = rc < 0 ? rc : 0;
	/* clrfs -d, and scripts/bench (CLRFS_REPORT_MEMORY), read this line. */
	if (o->debug || getenv("CLRFS_REPORT_MEMORY")) {
		struct fs_tree_stats st;
		fs_tree_stats(fs->tree, &st);
		fprintf(stderr,
			"clrfs: tree: %" PRIu64 " nodes alive (%" PRIu64 " bytes), %" PRIu64
			" bytes rendered kept, at most %" PRIu64 " bytes in all; %" PRIu64 " made, %" PRIu64 " freed; reads %" PRIu64
			" from the cache, %" PRIu64 " rendered, %" PRIu64 " dropped; %" PRIu64
			" trims, %" PRIu64 " drops asked of the kernel, %" PRIu64 " forgets\n",
			st.nodes, st.node_bytes, st.content_bytes, st.peak_bytes, st.made, st.freed, st.hits,
			st.misses, st.evicted, st.trims, st.asked, st.forgets);
	}
out:
	__atomic_store_n(&fs->on_change, NULL, __ATOMIC_RELEASE);
	ll_ahead_stop(c.ahead);
	ll_push_stop(c.push); /* still mounted: it may answer a last read */
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
