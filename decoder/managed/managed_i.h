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

#endif
