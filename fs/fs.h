/* SPDX-License-Identifier: MIT */
/* fs: the clrfs tree over a decoded dump, served by FUSE or printed by path. */
#ifndef CLRFS_FS_H
#define CLRFS_FS_H

#include <stdbool.h>
#include <stdio.h>

struct fs;
struct dump;
struct rt;

/* Builds the (lazy) tree. d and rt are borrowed until fs_free(); rt may be
 * NULL, and then rt_err says why (shown in /info). dump_arg is the DUMP path
 * as the user gave it; rt_err and dump_arg are copied. -ENOMEM. */
int fs_new(struct dump *d, struct rt *rt, const char *rt_err, const char *dump_arg,
	   struct fs **out);
/* Accepts NULL. Does not close d or rt. */
void fs_free(struct fs *fs);

/* For --print/--list/--readlink: write a file's bytes, a directory's entry
 * names (one per line, sorted), or a symlink's target and a newline to out.
 * Symlinks are followed except by fs_readlink(). -ENOENT, -ENOTDIR, -EISDIR
 * (print of a directory), -EINVAL (readlink of a non-symlink), -EIO (write
 * error), or a decoder's error. */
int fs_print(struct fs *fs, const char *path, FILE *out);
int fs_list(struct fs *fs, const char *path, FILE *out);
int fs_readlink(struct fs *fs, const char *path, FILE *out);

/* For --export: writes the whole tree into dir (made if missing; it must
 * not hold the tree's names already): directories, files with their bytes,
 * symlinks with their targets, as a mount shows them. Keeps within budget
 * bytes (0: no bound) as a mount does. -errno of the first failure. */
int fs_export(struct fs *fs, const char *dir, size_t budget);

struct fs_mount_options {
	const char *mountpoint;
	bool foreground;
	bool debug;		      /* libfuse's request trace on stderr */
	bool single_thread;	      /* one thread answers all: FUSE over io_uring off */
	bool no_uring;		      /* /dev/fuse even where io_uring is offered */
	const char *const *fuse_opts; /* values of -o, NULL-terminated; may be NULL */
	size_t cache;		      /* bytes of nodes and rendered files kept; 0: no bound */
};

/* Mounts read-only and serves requests until unmounted or signalled;
 * daemonizes first unless foreground. 0, or -EINVAL when the options or
 * mount fail (libfuse has said why on stderr). */
int fs_mount(struct fs *fs, const struct fs_mount_options *o);

/* The text of an error for "<unreadable: ...>" and messages: "memory
 * missing from the dump" for -EIO, else like strerror(-rc). Static string. */
const char *fs_reason(int rc);

#endif
