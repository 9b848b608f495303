/* SPDX-License-Identifier: MIT */
/* fs/prov_fields: an object's fields/, value and dump files, and its line in objects. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "objects.h"
#include "types.h"
#include "managed.h"
#include "format.h"
#include "heap_types.h"
#include "fs_i.h"
#include "prov_fields.h"

/* CorElementType values of references as a FieldDesc stores them (ECMA-335
 * II.23.1.16; the runtime normalises every reference field to CLASS). */
#define ELEMENT_TYPE_STRING  0x0e
#define ELEMENT_TYPE_CLASS   0x12
#define ELEMENT_TYPE_ARRAY   0x14
#define ELEMENT_TYPE_OBJECT  0x1c
#define ELEMENT_TYPE_SZARRAY 0x1d
#define ELEMENT_TYPE_VALUETYPE 0x11

static bool is_reference(uint8_t elem)
{
	return elem == ELEMENT_TYPE_CLASS || elem == ELEMENT_TYPE_STRING ||
	       elem == ELEMENT_TYPE_OBJECT || elem == ELEMENT_TYPE_SZARRAY ||
	       elem == ELEMENT_TYPE_ARRAY;
}

/*
 * Keys. The fields/ directory of an object and the directory of a struct
 * field both carry key.u = the address of the instance data (an object's
 * data starts one pointer past it) and key.p = a struct fs_fields_of:
 * which type's fields to show. A field's file or directory carries key.u =
 * the field's address and key.p = its struct rt_field (borrowed from the
 * runtime's cache, which outlives the tree).
 */
struct fs_fields_of {
	uint64_t mt;
};

static int field_value_render(struct fs_node *file, struct strbuf *b)
{
	const struct rt_field *f = fs_node_key(file).p;
	mv_render_value(fs_of(file)->rt, fs_node_key(file).u, f->elem, f->type_mt, b);
	strbuf_puts(b, "\n");
	return 0;
}

/* One value, on one line (a long string is cut): small. */
static const struct fs_ops field_value_ops = { .render = field_value_render, .small = true };
static const struct fs_ops struct_fields_ops;

static int add_field(struct fs_node *dir, const char *name, const struct rt_field *f,
		     uint64_t addr);

/* One entry of fields/ named after the field (escaped as read, names.h; a
 * path component here). */
int fs_add_field(struct fs_node *dir, const char *name, const struct rt_field *f, uint64_t addr)
{
	char *c = fs_component(name);
	int rc = c ? add_field(dir, c, f, addr) : -ENOMEM;

	free(c);
	return rc;
}

/* A file, a link to the referenced object, or a directory of a struct's own
 * fields. */
static int add_field(struct fs_node *dir, const char *name, const struct rt_field *f,
		     uint64_t addr)
{
	struct fs *fs = fs_of(dir);
	struct fs_key key = { addr, (void *)f };
	uint64_t ref;
	int rc;

	if (is_reference(f->elem)) {
		rc = dump_read_ptr(fs->dump, addr, &ref);
		if (rc || !ref) /* null, or unreadable: the file says which */
			return fs_node_add(dir, name, FS_FILE, &field_value_ops, key, NULL);
		return fs_add_object_link(dir, name, ref);
	}
	if (f->elem == ELEMENT_TYPE_VALUETYPE && f->type_mt && !mv_is_scalar(fs->rt, f->elem, f->type_mt))
		return fs_node_add(dir, name, FS_DIR, &struct_fields_ops, key, NULL);
	return fs_node_add(dir, name, FS_FILE, &field_value_ops, key, NULL);
}

/* Adds every instance field of mt whose data starts at data. A field that
 * a derived class hides under the same name gets "@DeclaringType". */
static int populate_fields(struct fs_node *dir, uint64_t data, uint64_t mt)
{
	struct rt *rt = fs_of(dir)->rt;
	const struct rt_field *fields;
	size_t n;
	int rc = rt_type_instance_fields(rt, mt, &fields, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		const struct rt_field *f = &fields[i];
		bool hidden = false;
		for (size_t k = i + 1; k < n; k++)
			hidden |= strcmp(fields[k].name, f->name) == 0;
		if (hidden) {
			const char *owner;
			char *name;
			if (rt_type_name(rt, f->owner_mt, &owner))
				owner = "?";
			if (asprintf(&name, "%s@%s", f->name, owner) < 0)
				return -ENOMEM;
			rc = fs_add_field(dir, name, f, data + f->offset);
			free(name);
		} else {
			rc = fs_add_field(dir, f->name, f, data + f->offset);
		}
	}
	return rc;
}

static int struct_fields_populate(struct fs_node *dir)
{
	const struct rt_field *f = fs_node_key(dir).p;
	return populate_fields(dir, fs_node_key(dir).u, f->type_mt);
}

static const struct fs_ops struct_fields_ops = { .populate = struct_fields_populate };

static int obj_fields_populate(struct fs_node *dir)
{
	const struct fs_heap_type *t = fs_node_key(dir).p;
	return populate_fields(dir, rt_object_fields(fs_of(dir)->rt, fs_node_key(dir).u), t->mt);
}

const struct fs_ops fs_obj_fields_ops = { .populate = obj_fields_populate };

/* dump: NAME<TAB>TYPE<TAB>VALUE per instance field, like SOS dumpobj. */
static int obj_dump_render(struct fs_node *file, struct strbuf *b)
{
	struct rt *rt = fs_of(file)->rt;
	const struct fs_heap_type *t = fs_node_key(file).p;
	uint64_t data = rt_object_fields(fs_of(file)->rt, fs_node_key(file).u);
	const struct rt_field *fields;
	size_t n;
	int rc = rt_type_instance_fields(rt, t->mt, &fields, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		strbuf_printf(b, "%s\t%s\t", fields[i].name, fields[i].type_name);
		mv_render_value(rt, data + fields[i].offset, fields[i].elem, fields[i].type_mt, b);
		strbuf_puts(b, "\n");
	}
	return 0;
}

/* A line per field (long strings cut): small. */
const struct fs_ops fs_obj_dump_ops = { .render = obj_dump_render, .small = true };

static int obj_value_render(struct fs_node *file, struct strbuf *b)
{
	int rc = mv_render_object_value(fs_of(file)->rt, fs_node_key(file).u, b);
	return rc == -ENOENT ? rc : 0; /* unreadable parts are in the text */
}

const struct fs_ops fs_obj_value_ops = { .render = obj_value_render };

bool fs_obj_has_value(struct rt *rt, uint64_t mt)
{
	struct rt_type_info info;
	if (rt_type_info(rt, mt, &info))
		return false;
	if (info.is_string || info.is_array)
		return true;
	return info.valuetype && mv_is_scalar(rt, ELEMENT_TYPE_VALUETYPE, mt);
}

bool fs_obj_has_fields(struct rt *rt, uint64_t mt)
{
	struct rt_type_info info;
	return rt_type_info(rt, mt, &info) == 0 && !info.is_string && !info.is_array;
}

/* One-line rendering for objects files: a string quoted, an array's
 * length, a boxed scalar's value, else {Name=value, ...} over the fields. */
void fs_put_object_line(struct rt *rt, uint64_t obj, uint64_t mt, struct strbuf *b)
{
	struct rt_type_info info;
	struct rt_array arr;
	const struct rt_field *fields;
	size_t n;
	int rc = rt_type_info(rt, mt, &info);

	if (rc) {
		fs_put_unreadable(b, rc);
		return;
	}
	if (info.is_string) {
		mv_string_quoted(rt, obj, b);
	} else if (info.is_array) {
		rc = rt_array_read(rt, obj, &arr);
		if (rc)
			fs_put_unreadable(b, rc);
		else
			strbuf_printf(b, "length=%" PRIu64, (uint64_t)arr.length);
	} else if (info.valuetype && mv_is_scalar(rt, ELEMENT_TYPE_VALUETYPE, mt)) {
		mv_render_object_value(rt, obj, b);
	} else if ((rc = rt_type_instance_fields(rt, mt, &fields, &n)) != 0) {
		fs_put_unreadable(b, rc);
	} else {
		strbuf_puts(b, "{");
		for (size_t i = 0; i < n; i++) {
			strbuf_printf(b, "%s%s=", i ? ", " : "", fields[i].name);
			mv_render_value(rt, rt_object_fields(rt, obj) + fields[i].offset,
					fields[i].elem, fields[i].type_mt, b);
		}
		strbuf_puts(b, "}");
	}
}
