/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals: the runtime context and its layout provider. */
#ifndef CLRFS_RUNTIME_I_H
#define CLRFS_RUNTIME_I_H

#include "layout.h"
#include "runtime.h"

#include <jansson.h>
#include <pthread.h>
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

struct rt {
	/* Unique among the contexts this process opens: keys the per-thread
	 * caches (fields.c, heapwalk.c), which outlive a context. */
	uint64_t serial;
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

	pthread_mutex_t lock; /* guards the caches below */
	int threads_state;    /* 0 not walked, 1 walked, <0 error */
	struct rt_thread *threads;
	size_t nthreads;
	/* GC heap layer cache (gc.c, heap_i.h): GcDacVars, heaps, segments,
	 * allocation contexts. NULL until first use; built once. */
	struct rt_gc *gc;

	/* The per-type object index (heapindex.c), built once by one heap walk.
	 * Its own lock: the walk takes rt->lock for the thread list and GC data. */
	pthread_mutex_t index_lock; /* guards the two fields below */
	struct rt_heap_index *heap_index;
	int heap_index_err;

	/* MethodTables rt_object_size() has checked (heapwalk.c): each is read
	 * and checked once, not on every call. */
	pthread_mutex_t objmt_lock; /* guards objmt */
	struct mt_cache *objmt;

	/* Heap types by name (heapnames.c), built once after the index. Taken
	 * before types_lock (it names every type), never after it. */
	pthread_mutex_t names_lock; /* guards the two fields below */
	struct rt_heap_name *heap_names;
	int heap_names_err;

	/* The handle table (handles.c) and the finalization queue (finalizer.c),
	 * each built once. Taken before rt->lock and index_lock, never after. */
	pthread_mutex_t handles_lock; /* guards the six fields below */
	int handles_state, fq_state;  /* 0 not built, 1 built, <0 the error */
	struct rt_handle *handles;
	size_t nhandles;
	struct rt_fq_object *fq;
	size_t nfq;

	/* Type names and module metadata (types.c). Its own lock: names are
	 * asked for by code that holds rt->lock or index_lock. */
	pthread_mutex_t types_lock; /* guards typenames and all it holds */
	struct rt_types *typenames;

	/* Field lists and value-type facts (fields.c). Its own lock, taken
	 * before types_lock (fields.c asks for names), never after it. */
	pthread_mutex_t fields_lock; /* guards fields and all it holds */
	struct rt_fields *fields;
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
