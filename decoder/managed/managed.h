/* SPDX-License-Identifier: MIT */
/* decoder/managed: managed values in a dump as text (docs/design.md "Values"). */
#ifndef CLRFS_MANAGED_H
#define CLRFS_MANAGED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;
struct strbuf;

/*
 * Renderers. Each appends text to out and returns 0, or the first negative
 * errno met (-EIO memory missing, -EBADMSG malformed, -ENOTSUP, -ENOMEM):
 * the text then holds "<unreadable: reason>" where the value could not be
 * decoded, never a guess, so a caller may show it as it is.
 *
 * Formats, beyond the scalars of values.h:
 * - a reference: "null", "0x<16 hex> TypeName", or for a System.String its
 *   text as a quoted string ("abc", cut at 256 code units: see
 *   mv_put_quoted()); an object whose type cannot be named:
 *   "0x<16 hex> <unreadable: reason>";
 * - an enum: its member's name; a [Flags] enum: the names of its members
 *   whose bits make up the value, lowest value first, joined by "|"
 *   ("Read|Write"), the zero member's name for 0; else the number;
 * - Nullable<T>: "null" or the value;
 * - System.DateTime, TimeSpan, Guid, Decimal, DateTimeOffset: values.h;
 *   a Local DateTime carries the process's offset when its zone has one
 *   fixed offset (timezone.c), else no offset suffix;
 * - any other struct: "{Name=value, Name=value}" over its instance
 *   fields in offset order, nested structs the same way.
 */

/* A string's text as raw UTF-8 (lone surrogates as U+FFFD): the value
 * file of a System.String. -EINVAL when obj is not a string. */
int mv_string(struct rt *rt, uint64_t obj, struct strbuf *out);

/* A string as a one-line quoted string (values.h mv_put_quoted()). */
int mv_string_quoted(struct rt *rt, uint64_t obj, struct strbuf *out);

/* The value stored at addr (unboxed: a field, an array element) of
 * CorElementType elem; type_mt is the value type's MethodTable for
 * elem VALUETYPE (struct, enum, Nullable), else ignored (0). */
int mv_render_value(struct rt *rt, uint64_t addr, uint8_t elem, uint64_t type_mt,
		    struct strbuf *out);

/* Whether a value of elem/type_mt renders as one scalar text (a file in
 * fields/): everything but structs other than the well-known ones, which
 * are directories of their fields. */
bool mv_is_scalar(struct rt *rt, uint8_t elem, uint64_t type_mt);

/* The value file of the object at obj: a string's raw text; an array's
 * elements one per line, each line ending in "\n", multi-dimensional
 * arrays in row-major order (the last index varies fastest), strings
 * quoted, structs as "{...}"; a boxed primitive, enum or well-known
 * struct's value, with no newline. -ENOENT (nothing appended) for other
 * objects, which have no value file. */
int mv_render_object_value(struct rt *rt, uint64_t obj, struct strbuf *out);

/* A reference where an object of any type may be (an AsyncLocal's value):
 * "null"; a string quoted; a boxed primitive, enum or well-known struct as
 * its value (as its value file, without a newline); any other object as
 * "0x<16 hex> TypeName". Errors as above, the text saying where. */
int mv_render_object_ref(struct rt *rt, uint64_t ref, struct strbuf *out);

/* The exception object at obj as "TypeName: message", the message being its
 * _message as raw text with \n, \r and \t escaped to keep it on one line;
 * "TypeName" alone when _message is null. -EIO, -EBADMSG (no _message: not an
 * Exception), nothing appended on error. */
int mv_put_exception(struct rt *rt, uint64_t obj, struct strbuf *out);
/* The references the object at obj holds, one line each:
 * "ADDR<TAB>TYPE<TAB>FIELD", FIELD the instance field that holds it (a
 * struct's field as outer.inner), [i] for an array's element, +0xOFF for a
 * slot no field names; from the GCDesc of its type, as the GC finds them.
 * -EIO, -EBADMSG (rt_object_refs()). */
int mv_object_refs(struct rt *rt, uint64_t obj, struct strbuf *out);
/* The objects of the heap that hold a reference to obj, one line each,
 * "ADDR<TAB>TYPE", by address: the reverse of every object's refs, built
 * for the whole heap on the first call (decoder/runtime/refgraph.h). */
int mv_object_referrers(struct rt *rt, uint64_t obj, struct strbuf *out);
/* Every root of the heap (decoder/runtime/roots.h), one line each:
 * "KIND<TAB>SOURCE<TAB>ADDR<TAB>TYPE". KIND: static, thread-static,
 * handle-<type>, finalizer, stack?; SOURCE: Type.field (Type.field@ID for a
 * thread static on managed thread ID), the handle's address, the managed
 * thread id of a stack, "-" for the finalization queue. */
int mv_heap_roots(struct rt *rt, struct strbuf *out);
/* A shortest path from a root to the object at obj: "KIND<TAB>SOURCE" as in
 * mv_heap_roots(), then "ADDR<TAB>TYPE<TAB>FIELD" per object from the root's
 * to obj, FIELD naming the slot of the object above that holds it as refs
 * does ("-" for the root's own object, "<dependent handle>" for a dependent
 * handle's secondary); "unreachable" when no root reaches obj. */
int mv_object_path(struct rt *rt, uint64_t obj, struct strbuf *out);
/* The bytes the object at obj retains (decoder/runtime/refgraph.h
 * rt_object_retained()), or "unreachable"; no newline. */
int mv_object_retained(struct rt *rt, uint64_t obj, struct strbuf *out);
/* Its immediate dominator as "ADDR<TAB>TYPE", "roots" when only the roots
 * dominate it, or "unreachable"; no newline. */
int mv_object_dominator(struct rt *rt, uint64_t obj, struct strbuf *out);
/* /heap/retained: "ADDR<TAB>RETAINED<TAB>TYPE" per object of the 1,000 of
 * largest retained size, largest first. */
int mv_heap_retained(struct rt *rt, struct strbuf *out);
/* Collections as their contents (collections.c): arrays, List, Queue, Stack,
 * HashSet, Dictionary and LinkedList of System.Collections.Generic. A value
 * in memory: at addr, of CorElementType elem, mt the struct's MethodTable
 * for VALUETYPE; an element is a value, or a key and a value (maps). */
struct mv_value {
	uint64_t addr;
	uint8_t elem;
	uint64_t mt;
};
struct mv_item {
	struct mv_value key, value;
	bool pair;
};
typedef int (*mv_item_cb)(void *arg, uint64_t i, const struct mv_item *it);
/* Whether the type mt is one of those collections. */
bool mv_is_collection(struct rt *rt, uint64_t mt);
/* Calls cb for each element of the collection at obj, in the collection's
 * own order (a list's from index 0, a queue's from its head across the wrap,
 * a stack's from its top, a linked list's from its first node, a hash
 * table's live entries in slot order), with its position i; *count the
 * elements walked. A non-zero cb return stops the walk and is returned;
 * -ENOENT for a type that is no such collection, -EBADMSG for counts that
 * do not fit the backing array, -EIO. */
int mv_collection_walk(struct rt *rt, uint64_t obj, mv_item_cb cb, void *arg, uint64_t *count);
/* The items file: one line per element, as one-line contexts render values
 * (a string quoted, a reference "0x... Type", a struct "{Name=value, ...}"),
 * "KEY<TAB>VALUE" for a map. */
int mv_collection_items(struct rt *rt, uint64_t obj, struct strbuf *out);
/* The count file: the number of elements, no newline. */
int mv_collection_count(struct rt *rt, uint64_t obj, struct strbuf *out);
/* /timers (timers.c): one line per scheduled System.Threading.Timer,
 * "ADDR<TAB>DUE-MS<TAB>PERIOD-MS<TAB>CALLBACK<TAB>STATE" by address: the
 * due time it was last set with, its period or "-" for a one-shot, the
 * method its callback calls, its state as one-line contexts render a
 * reference. Nothing when the process never made a timer. */
int mv_timers(struct rt *rt, struct strbuf *out);
/* Whether the type at mt is the type named type (as rt_type_name names it) or
 * derives from it: MV_EXCEPTION, MV_TASK, ... */
bool mv_derives_from(struct rt *rt, uint64_t mt, const char *type);

/* An AssemblyLoadContext on the heap (loadcontexts.c). */
struct mv_load_context {
	uint64_t obj, mt;
	char *name;	  /* its _name, escaped (names.h); NULL when null or name_err */
	int name_err;
	bool collectible; /* _isCollectible */
	bool unloading;	  /* _state is Unloading */
	uint64_t binder;  /* _nativeAssemblyLoadContext */
	int err;	  /* collectible, unloading or binder unreadable */
};
/* Every AssemblyLoadContext object of the heap, by address, read once:
 * borrowed until rt_close(). */
int mv_load_contexts(struct rt *rt, const struct mv_load_context **v, size_t *n);
#define MV_EXCEPTION "System.Exception"
#define MV_TASK	     "System.Threading.Tasks.Task"
/* The frames the runtime recorded in an exception (its _stackTrace, as
 * printexception shows them), the frame the exception was thrown from
 * first: "IP<TAB>Namespace.Type.Method+0xOFFSET" per line; nothing for an
 * exception never thrown. -ENOTSUP where the runtime's layout is not known,
 * -EIO, -EBADMSG. */
int mv_exception_stack(struct rt *rt, uint64_t obj, struct strbuf *out);

#endif
