/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the CoreCLR runtime inside a dump (version, layouts, threads). */
#ifndef CLRFS_RUNTIME_H
#define CLRFS_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dump;
struct rt;

/* Finds libcoreclr in the dump, reads its version and contract descriptor.
 * On failure returns a negative errno (-ENOENT: not a .NET process; -ENOTSUP:
 * a runtime this version cannot read; -EIO: the runtime's data is missing)
 * and writes one sentence into err. Borrows d until rt_close(). */
int rt_open(struct dump *d, struct rt **out, char *err, size_t errlen);
void rt_close(struct rt *rt);

struct dump *rt_dump(struct rt *rt);
/* Product version such as "10.0.12"; borrowed. */
const char *rt_version(struct rt *rt);
/* The sccsid text "10.0.1226.42308 @Commit: 95017c7..." or "" when unknown. */
const char *rt_build(struct rt *rt);
const char *rt_module_path(struct rt *rt);
uint64_t rt_module_base(struct rt *rt);
/* Where the contract descriptor was read: "dump" or "module file". */
const char *rt_descriptor_source(struct rt *rt);
/* The runtime line whose table of layouts clrfs used ("8.0"), or NULL
 * when it has none for this version (layout_lines.c). */
const char *rt_layout_line(struct rt *rt);
/* Counts of the contract descriptor's types, globals and contracts. */
void rt_descriptor_counts(struct rt *rt, size_t *types, size_t *globals, size_t *contracts);

/* One managed thread from the runtime's ThreadStore. */
struct rt_thread {
	uint64_t addr;		     /* the native Thread object */
	uint32_t managed_id;	     /* Thread::m_ThreadId */
	uint64_t os_id;		     /* Thread::m_OSThreadId, 0 when not started */
	uint32_t state;		     /* Thread::m_State (ThreadState bits) */
	bool preemptive_gc_disabled; /* cooperative mode */
	uint64_t exposed_handle;     /* handle to the managed System.Threading.Thread */
	uint64_t object;	     /* the managed Thread object, 0 when null or unreadable */
	int object_err;		     /* 0, or why object could not be read */
	uint64_t last_thrown_handle;
};

/* Walks the ThreadStore once (cached). Sets *threads (borrowed until
 * rt_close()) and *count. The list is sorted by managed id. */
int rt_threads(struct rt *rt, const struct rt_thread **threads, size_t *count);
/* The thread whose Thread is at v (RT_THREAD_ADDR), whose OS id (RT_THREAD_OS)
 * or managed id (RT_THREAD_MANAGED) is v; NULL when none is, or the list does
 * not read. Borrowed as rt_threads()'s. */
enum rt_thread_key { RT_THREAD_ADDR, RT_THREAD_OS, RT_THREAD_MANAGED };
const struct rt_thread *rt_thread_find(struct rt *rt, enum rt_thread_key key, uint64_t v);
/* ThreadStore counters: thread, unstarted, background, pending, dead. */
int rt_thread_counts(struct rt *rt, uint32_t counts[5]);
/* Writes the names of set ThreadState bits ("background", "thread-pool-worker",
 * unknown bits as 0x...) separated by sep into buf. */
void rt_thread_state_names(uint32_t state, const char *sep, char *buf, size_t len);

/* The parts of the dump decoder/managed builds once and keeps until
 * rt_close(), as the runtime's own parts are (docs/design.md, "Concurrency":
 * built under the caller's one lock). */
enum rt_part {
	RT_PART_LOCKS,	  /* decoder/managed/locks.c */
	RT_PART_REFGRAPH, /* refgraph.c: every object's references */
	RT_PART_REFERRERS, /* refgraph.c: the references reversed */
	RT_PART_ROOTS,	  /* roots.c */
	RT_PART_LIVE,	  /* refgraph.c: what the roots reach */
	RT_PART_DOMINATORS, /* dominators.c: retained sizes */
	RT_PART_MODULES,    /* modules.c: the loaded modules */
	RT_PART_LOADCONTEXTS, /* decoder/managed/loadcontexts.c */
	RT_PART_COUNT
};
/* Builds part p on the first call: build(rt, &value) returns 0 and the value
 * (freed by destroy at rt_close()) or an error, which later calls return too
 * (but -ENOMEM, tried again). *out is borrowed until rt_close(). */
int rt_part(struct rt *rt, enum rt_part p, int (*build)(struct rt *rt, void **value),
	    void (*destroy)(void *value), void **out);

#endif
