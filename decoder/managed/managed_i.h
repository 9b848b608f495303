/* SPDX-License-Identifier: MIT */
/* decoder/managed internals shared by its files. */
#ifndef CLRFS_MANAGED_I_H
#define CLRFS_MANAGED_I_H

#include "managed.h"

#include <stddef.h>
#include <stdint.h>

struct rt_type_info;

/* Size of a primitive of CorElementType elem (BOOLEAN ... R8, I, U, PTR),
 * 0 for the others. */
size_t mv_elem_size(uint8_t elem);
/* Appends the primitive of CorElementType elem whose bytes are at p. */
void mv_put_primitive(struct strbuf *b, uint8_t elem, const uint8_t *p);
/* "null", a quoted string, or "0x... TypeName" for the reference ref. */
int mv_put_reference(struct rt *rt, uint64_t ref, struct strbuf *b);
/* An enum's value (its bytes at raw, underlying type ti->enum_elem) by name. */
int mv_put_enum(struct rt *rt, uint64_t mt, const struct rt_type_info *ti, const uint8_t *raw,
		struct strbuf *b);
/* mv_render_value() with the struct nesting depth so far. */
int mv_render_at(struct rt *rt, uint64_t addr, uint8_t elem, uint64_t type_mt, struct strbuf *b,
		 unsigned depth);
/* Whether type_mt is a struct rendered as one value (values.h) by name. */
bool mv_is_well_known(struct rt *rt, uint64_t type_mt);

/* A loop in a walk of linked objects (a crafted dump's next pointing back):
 * Brent's cycle detection, one remembered node, at most twice the loop's
 * length past its start. Zero-initialize, then call with each node. */
struct mv_cycle {
	uint64_t mark, power, steps;
};
static inline bool mv_cycle_seen(struct mv_cycle *c, uint64_t node)
{
	if (c->steps && node == c->mark)
		return true;
	if (++c->steps >= c->power) {
		c->mark = node;
		c->power = c->power ? c->power * 2 : 2;
		c->steps = 0;
	}
	return false;
}

struct rt_field;
/* The MethodTable of the loaded CoreLib type called name (rt_type_name()
 * form) into *mt: -ENOENT when CoreLib has loaded no such type. */
int mv_corelib_type(struct rt *rt, const char *name, uint64_t *mt);
/* The reference (integer) field name of the object at obj, its type read
 * from its header (render.c). */
int mv_obj_ref(struct rt *rt, uint64_t obj, const char *name, uint64_t *out);
int mv_obj_int(struct rt *rt, uint64_t obj, const char *name, uint64_t *out);
/* The value of the static reference field called field of the CoreLib type
 * tname (render.c); -ENOENT when the type is not loaded or has no such field. */
int mv_static_ref(struct rt *rt, const char *tname, const char *field, uint64_t *out);
/* The instance field called name of the type mt; -EBADMSG when it has none. */
int mv_field_named(struct rt *rt, uint64_t mt, const char *name, const struct rt_field **out);
/* The integer field name of the type mt whose instance data starts at addr
 * (an object's one pointer past it), sign- or zero-extended. */
int mv_read_int_field(struct rt *rt, uint64_t mt, uint64_t addr, const char *name, uint64_t *out);
/* The reference field name of the type mt whose instance data starts at
 * addr; -EBADMSG when the field is not a reference. */
int mv_read_ref_field(struct rt *rt, uint64_t mt, uint64_t addr, const char *name, uint64_t *out);
/* The same with the field found already (by mv_field_named()), for loops
 * that read one field of many instances of a type. */
int mv_read_int_at(struct rt *rt, const struct rt_field *f, uint64_t addr, uint64_t *out);
int mv_read_ref_at(struct rt *rt, const struct rt_field *f, uint64_t addr, uint64_t *out);
/* The dumped process's UTC offset in minutes for Local DateTimes when it is
 * one fixed offset, else MV_OFFSET_UNKNOWN (timezone.c). */
int32_t mv_local_offset(struct rt *rt);

#endif
