/* SPDX-License-Identifier: MIT */
/* decoder/runtime: what keeps objects alive: the GC's roots. */
#ifndef CLRFS_ROOTS_H
#define CLRFS_ROOTS_H

#include <stddef.h>
#include <stdint.h>

struct rt;
struct rt_field;

/* Kinds of root, in the order /heap/roots lists them. */
enum rt_root_kind {
	RT_ROOT_STATIC,	       /* a static field of a reference (or a struct's box) */
	RT_ROOT_THREAD_STATIC, /* a thread static field, on one thread */
	RT_ROOT_HANDLE,	       /* a GC handle of a kind that keeps its object alive */
	RT_ROOT_FINALIZER,     /* unreachable, ready for the finalizer thread */
	RT_ROOT_STACK,	       /* found by a conservative scan of a thread's stack */
	RT_ROOT_KINDS
};

struct rt_root {
	enum rt_root_kind kind;
	uint64_t object;
	/* Where it is held: STATIC, THREAD_STATIC: the type's MethodTable and
	 * the field (borrowed until rt_close()); HANDLE: the handle's address
	 * and type (enum rt_handle_type); STACK: the slot's address, or 0 for a
	 * register. */
	uint64_t where;
	const struct rt_field *field;
	unsigned handle_type;
	uint32_t thread; /* THREAD_STATIC, STACK: the managed thread id */
};

/* Every root, built once (borrowed until rt_close()), sorted by kind, then
 * holder (type and field, thread, handle), then object; one entry per
 * (kind, holder, object). Statics of every loaded type of every loaded
 * module (modules.h rt_modules_all; each reference-typed static, and the box of each
 * struct static holding references); thread statics of every managed
 * thread where the runtime's layout of them is known (9.0+); handles:
 * strong, pinned, async-pinned, ref-counted, sized-ref, and a variable
 * handle set strong or pinned (a dependent handle is no root: its primary
 * keeps its secondary alive, which the live set follows); the finalization
 * queue's ready objects; and, for each managed thread in the dump, its
 * registers and every pointer-aligned word of its stack from the stack
 * pointer to the end of the memory the dump holds there that holds the
 * address of an object the heap walk found: conservative, as the GC is in
 * its conservative mode (a dead local's stale value counts). Errors of the
 * heap index; -ENOMEM. A part that does not read (handles on an unknown
 * layout) adds nothing. */
int rt_roots(struct rt *rt, const struct rt_root **out, size_t *count);

/* The name of a root kind as /heap/roots shows it ("static", "stack?", ...);
 * for a handle, "handle-" and its type's name. Static text. */
const char *rt_root_kind_name(const struct rt_root *r);

#endif
