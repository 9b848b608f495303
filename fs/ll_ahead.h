/* SPDX-License-Identifier: MIT */
/* fs/ll_ahead: renders ahead of a scan of sibling directories.
 *
 * A shell glob over the asynclocals files of /threads (a star for the
 * thread) lists /threads, then looks up the same name in each thread's
 * directory, one after the other, and each lookup renders its file (the
 * reply carries the exact size). When two lookups in a row find a file of
 * the same name in two directories of the same listed parent, a thread of
 * its own renders that name in the other directories while the scan goes
 * on, so that its lookups find the work done: what Lustre calls statahead.
 * It goes round from the second directory, stops after LL_AHEAD_MAX
 * directories or LL_AHEAD_BYTES of content, and gives up when another scan
 * begins. A parent never listed is never scanned: listing it would make
 * every child (a type's instances, looked up one by one). */
#ifndef CLRFS_FS_LL_AHEAD_H
#define CLRFS_FS_LL_AHEAD_H

#include <stdbool.h>
#include <stdint.h>

struct fs_node;
struct ll_ahead;

#define LL_AHEAD_MAX   16384
#define LL_AHEAD_BYTES (64u << 20)

/* Starts the rendering thread, with every signal blocked; with trace, it
 * writes a line per scan on stderr (clrfs -d). 0 or -errno. */
int ll_ahead_start(bool trace, struct ll_ahead **out);

/* Tells of a lookup that found file in dir (anything but a file is
 * ignored). Cheap; any thread; a NULL a does nothing. */
void ll_ahead_note(struct ll_ahead *a, struct fs_node *dir, struct fs_node *file);

/* Waits until the thread has nothing left to do (every scan noted so far
 * rendered to its end, or dropped); returns how many scans it has begun.
 * For tests: a scan that should not have begun shows in the count. */
uint64_t ll_ahead_wait(struct ll_ahead *a);

/* Stops the thread, once done with the file it renders; accepts NULL. */
void ll_ahead_stop(struct ll_ahead *a);

#endif
