/* SPDX-License-Identifier: MIT */
/* decoder/runtime: Monitors, as object headers and sync blocks hold them
 * (src/coreclr/vm/syncblk.h; layout.h struct rt_lay_sync). */
#ifndef CLRFS_SYNC_H
#define CLRFS_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;

/* The Monitor of one object. */
struct rt_monitor {
	uint64_t obj;
	uint32_t index;	    /* its sync block's index; 0: a thin lock in the header */
	uint64_t syncblock; /* the SyncBlock, 0 for a thin lock */
	uint32_t owner;	    /* the holder's managed thread id; 0: not held;
			     * RT_OWNER_UNKNOWN: held by a thread not in the list */
	uint32_t recursion; /* how many times the holder holds it */
	uint32_t waiters;   /* threads waiting to enter, as the lock counts them */
	/* 11.0+: the System.Threading.Lock the sync block keeps the Monitor in
	 * (its owner, recursion and waiters are that object's fields, which
	 * decoder/managed reads); 0 when it has none yet. */
	uint64_t lock;
	/* 8.0-10.0: the threads in Monitor.Wait on it, by managed id (0 when a
	 * thread is not in the thread list), the first RT_MONITOR_WAIT_MAX of
	 * nwait; the queue is followed for at most RT_MONITOR_WAIT_STEPS. */
	uint32_t nwait;
	uint32_t wait[32];
};
#define RT_MONITOR_WAIT_MAX   32
#define RT_OWNER_UNKNOWN      UINT32_MAX
#define RT_MONITOR_WAIT_STEPS 4096

/* The Monitor of obj, whose header's sync block value is value (as
 * rt_heap_index_locked() gives it): a thin lock, or the sync block the
 * value indexes, whose table entry must point back at obj (-EBADMSG when
 * not). Errors: the RT_LG_SYNC layout's, -EIO. */
int rt_monitor_read(struct rt *rt, uint64_t obj, uint32_t value, struct rt_monitor *out);

/* A Monitor a thread waits for: entering it, or in Monitor.Wait on it. */
struct rt_blocking {
	uint64_t syncblock;
	bool wait;
};

/* The Monitors the thread whose Thread is at thread waits for, innermost
 * first, at most max into out, the count into *n (8.0-10.0: the Thread's
 * DebugBlockingInfo; -ENOTSUP from 11.0, whose Monitors record it in
 * managed code only). -EBADMSG for an item that names no sync block. */
int rt_thread_blocking(struct rt *rt, uint64_t thread, struct rt_blocking *out, size_t max,
		       size_t *n);

/* Whether obj's header holds a thin lock or a sync block index (1) or not
 * (0); the header's read error. */
int rt_object_locked(struct rt *rt, uint64_t obj);

/* How a System.Threading.Lock's fields read on this runtime (CoreLib
 * Lock.cs): _state's locked bit and waiter count shift; whether
 * _owningThreadId is an OS thread id (else a managed one). -ENOTSUP when
 * the runtime has no such type (8.0) or the layout is unknown. */
struct rt_lock_bits {
	uint32_t locked, waiter_shift;
	bool owner_os;
};
int rt_lock_bits(struct rt *rt, struct rt_lock_bits *out);

#endif
