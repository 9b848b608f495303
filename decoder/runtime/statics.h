/* SPDX-License-Identifier: MIT */
/* decoder/runtime: where a type's static fields live (.NET 9+ DynamicStaticsInfo). */
#ifndef CLRFS_STATICS_H
#define CLRFS_STATICS_H

#include <stdint.h>

struct rt;
struct rt_field;

/* The address of the value of the static field f of the type mt (the exact
 * instantiation for a generic type): a primitive's or reference's slot; for
 * a struct, the first byte of its boxed instance's data. -ENODATA when the
 * type's statics are not allocated yet (or a struct's box is null),
 * -ENOTSUP for thread statics and RVA statics, -EIO, -EBADMSG. */
int rt_static_field_addr(struct rt *rt, uint64_t mt, const struct rt_field *f, uint64_t *addr);

/* The address of the value of the thread static field f of the type mt on
 * the thread whose Thread is at thread, as rt_static_field_addr() gives a
 * static's (9.0+: docs/design/datacontracts/Thread.md
 * GetThreadLocalStaticBase). -ENODATA when the thread has no storage for
 * the type's thread statics (not touched on that thread yet), -ENOTSUP
 * where the layout is unknown (8.0), -EIO, -EBADMSG. */
int rt_thread_static_addr(struct rt *rt, uint64_t thread, uint64_t mt, const struct rt_field *f,
			  uint64_t *addr);

#endif
