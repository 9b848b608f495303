/* SPDX-License-Identifier: MIT */
/* decoder/managed: the locks that are held or waited on. */
#ifndef CLRFS_LOCKS_H
#define CLRFS_LOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;
struct strbuf;

enum mv_lock_kind {
	MV_LOCK_THIN,	   /* a Monitor in the object's header */
	MV_LOCK_SYNCBLOCK, /* an inflated Monitor: the sync block table */
	MV_LOCK_LOCK,	   /* a System.Threading.Lock (9.0+) */
};

#define MV_LOCK_IDS 32

struct mv_lock {
	uint64_t obj, mt; /* the locked object (the Lock itself for MV_LOCK_LOCK) */
	uint64_t syncblock; /* MV_LOCK_SYNCBLOCK: its SyncBlock */
	uint64_t lock;	    /* ... and (11.0+) the System.Threading.Lock it keeps */
	enum mv_lock_kind kind;
	uint32_t owner;	    /* the holder's managed thread id, 0: none;
			     * RT_OWNER_UNKNOWN: held by a thread not in the list */
	uint32_t recursion; /* how many times it is held */
	uint32_t waiting;   /* threads waiting to enter, as the lock counts them */
	/* Threads known by id to wait for it (the runtime's records of each
	 * blocked thread, the Monitor.Wait queue), the first MV_LOCK_IDS of
	 * nids; waiting counts only the others, which no record names. */
	uint32_t nids;
	uint32_t ids[MV_LOCK_IDS];
	int err; /* 0, or why its facts are unreadable */
};

/* Every lock that is held or waited on, sorted by object; built once,
 * *out borrowed until rt_close(). Errors as the heap index's. */
int mv_locks(struct rt *rt, struct mv_lock **out, size_t *count);

/* /locks/list: "OBJECT<TAB>TYPE<TAB>KIND<TAB>OWNER<TAB>RECURSION<TAB>WAITERS"
 * per lock of mv_locks(); OWNER a managed thread id or "-", WAITERS the
 * managed ids of the threads known to wait for it, then "N waiting" for
 * those the lock only counts, comma-separated; "-" for none. */
int mv_locks_list(struct rt *rt, struct strbuf *out);
/* /threads/<id>/locks: "OBJECT<TAB>TYPE<TAB>KIND<TAB>RECURSION" per lock the
 * thread holds. */
int mv_thread_locks(struct rt *rt, uint32_t id, struct strbuf *out);
/* /threads/<id>/info's blocked-on value: "OBJECT TYPE KIND" of the lock the
 * thread waits to enter, or waits on in Monitor.Wait ("... (Monitor.Wait)"),
 * or "none"; <unreadable: reason> when its record cannot be read, or when it
 * has none while some lock has waiters no record names. */
int mv_thread_blocked_on(struct rt *rt, uint32_t id, struct strbuf *out);
/* /locks/deadlocks: one block per cycle of threads each waiting to enter a
 * lock another of them holds, a blank line between blocks: per thread
 * "ID<TAB>waits for OBJECT TYPE<TAB>held by ID", the cycle from its
 * smallest id; empty when there is none. */
int mv_locks_deadlocks(struct rt *rt, struct strbuf *out);
/* /heap/objects/<addr>/lock: obj's /locks/list line; -ENOENT when obj is
 * not locked. */
int mv_object_lock(struct rt *rt, uint64_t obj, struct strbuf *out);
/* Whether obj (of type mt) has a /locks/list line: cheap for the objects
 * that cannot (no lock in the header, no System.Threading.Lock). */
bool mv_object_is_locked(struct rt *rt, uint64_t obj, uint64_t mt);

#endif
