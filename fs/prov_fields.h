/* SPDX-License-Identifier: MIT */
/* fs/prov_fields: an object's fields/, value and dump files, and its line in objects. */
#ifndef CLRFS_FS_PROV_FIELDS_H
#define CLRFS_FS_PROV_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

struct rt;
struct strbuf;

/* Node ops for /heap/types/<type>/<addr>/{fields,dump,value}; their key is
 * the object's: u = its address, p = its struct fs_heap_type. */
extern const struct fs_ops fs_obj_fields_ops;
extern const struct fs_ops fs_obj_dump_ops;
extern const struct fs_ops fs_obj_value_ops;

/* Whether objects of mt have a value file (strings, arrays, boxed
 * primitives, enums and well-known structs) and a fields/ directory
 * (everything but strings and arrays). */
bool fs_obj_has_value(struct rt *rt, uint64_t mt);
bool fs_obj_has_fields(struct rt *rt, uint64_t mt);
struct fs_node;
struct rt_field;
/* Adds dir's entry name for the field f whose value is at addr: a file of
 * its value, a relative link into /heap/objects for a non-null reference,
 * or a directory of a struct's fields. */
int fs_add_field(struct fs_node *dir, const char *name, const struct rt_field *f, uint64_t addr);

/* The one-line rendering of an object in its type's objects file. */
void fs_put_object_line(struct rt *rt, uint64_t obj, uint64_t mt, struct strbuf *b);

#endif
