/* SPDX-License-Identifier: MIT */
/* decoder/managed: a thread's ExecutionContext and the AsyncLocal values it holds. */
#ifndef CLRFS_ASYNCLOCAL_H
#define CLRFS_ASYNCLOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;

/* The ExecutionContext of the managed System.Threading.Thread at thread
 * (its _executionContext): 0 when null, which is the default context. */
int mv_thread_execution_context(struct rt *rt, uint64_t thread, uint64_t *ec);

/* What a System.Threading.ExecutionContext holds, fields by name. */
struct mv_execution_context {
	uint64_t local_values; /* m_localValues, the IAsyncLocalValueMap; 0 when null */
	bool flow_suppressed;  /* m_isFlowSuppressed */
	bool is_default;       /* m_isDefault: ExecutionContext.Default */
};
/* -EIO, -EBADMSG (fields missing: not this runtime's ExecutionContext). */
int mv_execution_context_read(struct rt *rt, uint64_t ec, struct mv_execution_context *out);

/* One AsyncLocal value of a map. */
struct mv_asynclocal {
	uint64_t key;	 /* the IAsyncLocal (an AsyncLocal<T>) */
	uint64_t key_mt; /* its MethodTable, 0 when unreadable (key_err says why) */
	int key_err;
	uint64_t value; /* the value object, 0 for null */
};

/* Whether type_name (C# form) is a storage variant of
 * System.Threading.AsyncLocalValueMap that mv_asynclocal_map_read() reads. */
bool mv_asynclocal_map_known(const char *type_name);

/* The entries of the IAsyncLocalValueMap at map, sorted by key address;
 * *out is allocated (caller frees with free(); NULL when there are none).
 * -ENOTSUP for a map type mv_asynclocal_map_known() rejects, -EIO,
 * -EBADMSG (a missing field, a null key, a count beyond its array),
 * -ENOMEM. */
int mv_asynclocal_map_read(struct rt *rt, uint64_t map, struct mv_asynclocal **out, size_t *count);

#endif
