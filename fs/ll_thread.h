/* SPDX-License-Identifier: MIT */
/* fs/ll_thread: starting the daemon's helper threads. */
#ifndef CLRFS_FS_LL_THREAD_H
#define CLRFS_FS_LL_THREAD_H

#include <pthread.h>
#include <signal.h>

/* Starts fn(arg) with every signal blocked: SIGINT, SIGTERM and SIGHUP go
 * to the session's threads, whose blocking reads of /dev/fuse they end
 * (a helper that took them would leave the loop running). 0 or -errno. */
static inline int ll_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

#endif
