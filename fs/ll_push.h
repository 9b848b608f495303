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
struct ll_push;

/* Files larger than this are left to ordinary reads. */
#define LL_PUSH_MAX 65536

/* Starts the pushing thread. -ENOMEM or a pthread error (then mount without
 * it: pushing only saves time). */
int ll_push_start(struct fuse_session *se, struct ll_push **out);

/* Queues len bytes at data (borrowed: they must outlive the pusher) for
 * inode ino, which the kernel must know already (its lookup has been
 * answered). Never blocks; drops the push when the queue is full, the file
 * is empty or larger than LL_PUSH_MAX, or p is NULL. */
void ll_push_add(struct ll_push *p, uint64_t ino, const char *data, size_t len);

/* Queues the invalidation of what the kernel keeps of inode ino (its pages
 * and attributes: FUSE_NOTIFY_INVAL_INODE); never blocks. */
void ll_push_inval(struct ll_push *p, uint64_t ino);

/* Stops and frees the pusher; accepts NULL. Call it after the session loop
 * has ended but before the session is unmounted: a push may be waiting on a
 * page the kernel has locked for a read the loop has not answered, so this
 * answers requests itself until the pusher is idle. */
void ll_push_stop(struct ll_push *p);

#endif
