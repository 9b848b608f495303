/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals: the runtime context and its layout provider. */
#ifndef CLRFS_RUNTIME_I_H
#define CLRFS_RUNTIME_I_H

#include "layout.h"
#include "runtime.h"

#include <jansson.h>
#include <stdint.h>
#include <uthash.h>

/* A global of the contract descriptor, resolved once at load. For an
 * indirect global, value is the address the runtime published
 * (pointer_data[i]), i.e. the address of the variable. */
struct rt_global {
	char *name;
	uint64_t value;
	char *string; /* string globals only, else NULL */
	UT_hash_handle hh;
};

/*
 * The decoder is single-threaded: every call into it, from any file of
 * decoder/runtime or decoder/managed, is made with the caller's one lock held
 * (fs/: the tree's lock; --print: the only thread), so nothing here takes a
 * lock (docs/design.md, "Concurrency"). What rt_open() fills is read-only
 * afterwards. Each part built on first use (the thread list, the GC data, the
 * heap index, ...) is built by rt_once(), which keeps the result or the
 * error; the caches (type names, fields, MethodTables) only grow.
 */

/* The state of a part built on first use. */
struct rt_once {
	int state; /* 0 not built, 1 built, 2 building, <0 the error kept */
};

/* Builds a part of rt once: runs build(rt) on the first call and keeps its
 * result, which every later call returns (0, or the error; -ENOMEM is not
 * kept, the next call tries again). A call from inside the same build
 * returns -EDEADLK. */
int rt_once(struct rt *rt, struct rt_once *o, int (*build)(struct rt *rt));

struct rt {
	struct dump *d;
	const struct dump_module *mod;
	uint64_t base;
	char version[32];
	char build[160];
	const char *desc_source;

	/* Contract descriptor, merged over sub-descriptors; read-only after rt_open(). */
	json_t *types;	   /* { Type: { "!": size, Field: off | [off, "type"] } } */
	json_t *contracts; /* { Name: version } */
	struct rt_global *globals;
	size_t nglobals;
	/* Every native layout, resolved at rt_open(); read-only afterwards. */
	struct rt_layout lay;

	/* Built once each (rt_once()), read-only afterwards. */
	struct rt_once threads_once; /* threads.c */
	struct rt_thread *threads;
	size_t nthreads;
	struct rt_once gc_once; /* gc.c: GcDacVars, heaps, segments, allocation contexts */
	struct rt_gc *gc;
	struct rt_once index_once; /* heapindex.c: one heap walk */
	struct rt_heap_index *heap_index;
	struct rt_once names_once; /* heapnames.c: heap types by name */
	struct rt_heap_name *heap_names;
	struct rt_once handles_once; /* handles.c */
	struct rt_handle *handles;
	size_t nhandles;
	struct rt_once fq_once; /* finalizer.c */
	struct rt_fq_object *fq;
	size_t nfq;

	/* Parts decoder/managed builds once (rt_part()). */
	struct rt_once part_once[RT_PART_COUNT];
	void *part[RT_PART_COUNT];
	void (*part_free[RT_PART_COUNT])(void *);

	/* Caches that grow as they are asked. */
	struct mt_cache *objmt;	   /* MethodTables rt_object_size() checked (heapwalk.c) */
	struct rt_types *typenames; /* type names and module metadata (types.c) */
	struct rt_fields *fields;   /* field lists and type facts (fields.c) */
};

/* Frees the type-name cache (types.c); accepts NULL. */
void rt_types_free(struct rt_types *c);
struct strbuf;
/* Appends a metadata type name without its generic arities
 * ("Dictionary`2+Enumerator" -> "Dictionary+Enumerator"); types.c. */
void rt_put_without_arity(struct strbuf *b, const char *name);
/* The rank of the array type whose MethodTable has these flags, BaseSize and
 * EEClass (types.c). */
int rt_mt_rank(struct rt *rt, uint32_t flags, uint32_t base_size, uint64_t eeclass,
	       uint8_t *rank);
/* Frees the field cache (fields.c); accepts NULL. */
void rt_fields_free(struct rt_fields *c);

/* Contract descriptor (descriptor.c). Reads the descriptor at addr into rt. */
int rt_descriptor_load(struct rt *rt, uint64_t addr, char *err, size_t errlen);
void rt_descriptor_free(struct rt *rt);
/* Pieces of rt_descriptor_load(), for tests and fuzzing: an empty layout,
 * then one descriptor's JSON merged in (ptrs: its pointer_data). *subs, when
 * asked for, gets the "subDescriptors" object or NULL (caller json_decref()s). */
int rt_descriptor_init(struct rt *rt);
int rt_descriptor_parse(struct rt *rt, const char *json, size_t len, const uint64_t *ptrs,
			uint32_t nptrs, json_t **subs, char *err, size_t errlen);

/* Layout provider. -ENOENT when this runtime's descriptor lacks the name. */
int rt_field_offset(struct rt *rt, const char *type, const char *field, uint64_t *off);
int rt_type_size(struct rt *rt, const char *type, uint64_t *size);
int rt_global(struct rt *rt, const char *name, uint64_t *value);
/* Reads the pointer variable whose address an indirect global holds. */
int rt_global_deref(struct rt *rt, const char *name, uint64_t *value);
const char *rt_global_string(struct rt *rt, const char *name);

#endif
