/* SPDX-License-Identifier: MIT */
/* decoder/managed: the thread pool's queues and delegates' target methods. */
#ifndef CLRFS_THREADPOOL_H
#define CLRFS_THREADPOOL_H

#include <stdint.h>

struct rt;
struct strbuf;

/* The method a delegate calls, "Namespace.Type.Method": its _methodBase's
 * MethodDesc when set, else the code at _methodPtrAux (static and open
 * delegates) or _methodPtr; "0x<addr> <unresolved>" when that fails. */
int mv_delegate_target(struct rt *rt, uint64_t del, struct strbuf *out);

/* One line per work item "ADDR<TAB>TYPE<TAB>TARGET\n" of the global queues
 * in dequeue order: high priority, normal, the assignable queues, low
 * priority. */
int mv_threadpool_global(struct rt *rt, struct strbuf *out);

/* Each worker's local queue: cb(managed_id, lines, arg) per thread whose
 * WorkStealingQueue holds items, lines in the order the owner pops them
 * (LIFO, from m_tailIndex - 1 down to m_headIndex). */
int mv_threadpool_locals(struct rt *rt, int (*cb)(uint32_t id, const char *lines, void *arg),
			 void *arg);

/* "key: value" lines: the workers (PortableThreadPool) and each queue's length. */
int mv_threadpool_info(struct rt *rt, struct strbuf *out);

#endif
