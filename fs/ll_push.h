/* SPDX-License-Identifier: MIT */
/* fs/ll_push: hands small files' bytes to the kernel's page cache as soon as
 * a lookup has rendered them, so that the read that follows is served by the
 * kernel without a round trip to the daemon (FUSE_NOTIFY_STORE). */
#ifndef CLRFS_FS_LL_PUSH_H
#define CLRFS_FS_LL_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuse_session;
struct fs_node;
struct ll_push;

/* Files larger than this are left to ordinary reads. */
#define LL_PUSH_MAX 65536

/* Starts the pushing thread. -ENOMEM or a pthread error (then mount without
 * it: pushing only saves time). */
int ll_push_start(struct fuse_session *se, struct ll_push **out);

/* Queues the content of file (a held node whose lookup the kernel has been
 * answered) to be pushed; holds the node (its number must not go to
 * another meanwhile) and its content until pushed. Never blocks; drops the
 * push when the queue is full, the file is empty or larger than
 * LL_PUSH_MAX, its content is not at hand, or p is NULL. */
void ll_push_add(struct ll_push *p, struct fs_node *file);

/* Queues the invalidation of what the kernel keeps of inode ino (its pages
 * and attributes: FUSE_NOTIFY_INVAL_INODE); never blocks. */
void ll_push_inval(struct ll_push *p, uint64_t ino);

/* Queues asking the kernel to drop its entry name in directory parent, and
 * what it keeps under it unused (FUSE_NOTIFY_INVAL_ENTRY); never blocks. */
void ll_push_inval_entry(struct ll_push *p, uint64_t parent, const char *name);

/* Stops and frees the pusher; accepts NULL. Call it after the session loop
 * has ended but before the session is unmounted: a push may be waiting on a
 * page the kernel has locked for a read the loop has not answered, so this
 * answers requests itself until the pusher is idle. */
void ll_push_stop(struct ll_push *p);

#endif
