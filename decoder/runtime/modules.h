/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the loaded modules, in the order of the AppDomain's
 * assembly list (layout.h struct rt_lay_assemblies). */
#ifndef CLRFS_MODULES_H
#define CLRFS_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;

struct rt_module {
	uint64_t assembly, module;
	/* Where the process loaded it from, UTF-16 as the runtime keeps it
	 * (not NUL-terminated); NULL with path_err when unreadable. */
	const uint16_t *path;
	size_t path_len;
	int path_err;
	/* The native binder of its AssemblyLoadContext (the context's
	 * _nativeAssemblyLoadContext); binder_err when unreadable. */
	uint64_t binder;
	int binder_err;
};

/* Every loaded module, read once: borrowed until rt_close(). An entry
 * whose Module does not point back at its Assembly is left out, and /info
 * says so. The layout's error (-ENOTSUP, ...) when the runtime's assembly
 * list cannot be read; -EBADMSG when the list is implausible. */
int rt_modules(struct rt *rt, const struct rt_module **mods, size_t *count);

/* The modules whose types' statics are read (statics, roots): every loaded
 * module, and those of the heap's types (the only ones known when the
 * assembly list cannot be read), sorted, once each (*out malloc'ed). The
 * heap index's errors; -ENOMEM. */
int rt_modules_all(struct rt *rt, uint64_t **out, size_t *count);

#endif
