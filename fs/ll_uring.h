/* SPDX-License-Identifier: MIT */
/* fs/ll_uring: FUSE over io_uring, the kernel's per-CPU request queues.
 *
 * Through /dev/fuse a request is read by whichever daemon thread the kernel
 * wakes, most often on another CPU than the process that made it; on a VM
 * each such wake-up is a trip through the hypervisor, twice per request
 * (there and back). Linux 6.14 and later can instead hand each request to a
 * queue of the CPU it was made on (fs/fuse/dev_uring.c), when the daemon
 * registers buffers for every CPU through io_uring and the fuse module's
 * enable_uring parameter is on. This file does that under libfuse 3.14,
 * which does not know of it: libfuse still parses each request and builds
 * each reply (fuse_session_process_buf), through a custom io that sends the
 * reply of a ring request back into its ring buffer and adds the
 * FUSE_OVER_IO_URING flag to the INIT reply. One thread per CPU, pinned to
 * it, answers that CPU's queue; forgets, interrupts and notifications still
 * go through /dev/fuse and libfuse's own loop. */
#ifndef CLRFS_FS_LL_URING_H
#define CLRFS_FS_LL_URING_H

#include <stdbool.h>

struct fuse_session;
struct ll_uring;

/* With more possible CPUs than this, the ring is not used: a thread per CPU
 * would cost more than it saves. */
#define LL_URING_MAX_QUEUES 64

/* Prepares the rings, one per possible CPU and a thread each, and puts the
 * custom io on se; call it after fuse_session_mount() and before the
 * session loop reads FUSE_INIT. With trace, says on stderr what the kernel
 * agreed to. The rings are used only when the kernel offers io_uring in
 * FUSE_INIT; else the threads end at once. 0, or -errno with nothing
 * changed: -EOPNOTSUPP when the fuse module's enable_uring is off, or the
 * error of io_uring_queue_init or pthread_create. */
int ll_uring_start(struct fuse_session *se, bool trace, struct ll_uring **out);

/* Ends the threads and frees u; accepts NULL. Call it while se still
 * exists: a request being answered finishes first. */
void ll_uring_stop(struct ll_uring *u);

#endif
