// SPDX-License-Identifier: MIT
// Row accessors of TypeDef, TypeRef, TypeSpec, Field, MethodDef and Assembly (ECMA-335 II.22).
#include "meta_i.h"

#include <errno.h>

/* Every accessor: -ENOENT for an RID outside the table; cells were checked at open. */

static int get_str(const struct meta *m, unsigned table, uint32_t rid, unsigned col,
		   const char **out)
{
	if (!meta_rid_ok(m, table, rid))
		return -ENOENT;
	*out = meta_str(m, meta_cell(m, table, rid, col));
	return 0;
}

static int get_blob(const struct meta *m, unsigned table, uint32_t rid, unsigned col,
		    const uint8_t **blob, uint32_t *len)
{
	if (!meta_rid_ok(m, table, rid))
		return -ENOENT;
	return meta_blob(m, meta_cell(m, table, rid, col), blob, len);
}

/* [first, end) of a TypeDef's run in the Field or MethodDef table (II.22.37). */
static int get_range(const struct meta *m, uint32_t rid, unsigned col, unsigned target,
		     unsigned ptr_table, uint32_t *first, uint32_t *end)
{
	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, rid))
		return -ENOENT;
	if (m->tables[ptr_table].rows)
		return -ENOTSUP;
	*first = meta_cell(m, META_TABLE_TYPEDEF, rid, col);
	*end = rid < m->tables[META_TABLE_TYPEDEF].rows
		       ? meta_cell(m, META_TABLE_TYPEDEF, rid + 1, col)
		       : m->tables[target].rows + 1;
	return 0;
}

int meta_typedef_flags(const struct meta *m, uint32_t rid, uint32_t *flags)
{
	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, rid))
		return -ENOENT;
	*flags = meta_cell(m, META_TABLE_TYPEDEF, rid, META_TYPEDEF_FLAGS);
	return 0;
}

int meta_typedef_name(const struct meta *m, uint32_t rid, const char **name)
{
	return get_str(m, META_TABLE_TYPEDEF, rid, META_TYPEDEF_NAME, name);
}

int meta_typedef_namespace(const struct meta *m, uint32_t rid, const char **ns)
{
	return get_str(m, META_TABLE_TYPEDEF, rid, META_TYPEDEF_NAMESPACE, ns);
}

int meta_typedef_extends(const struct meta *m, uint32_t rid, uint32_t *token)
{
	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, rid))
		return -ENOENT;
	*token = meta_coded_token(META_CODED_TYPEDEFORREF,
				  meta_cell(m, META_TABLE_TYPEDEF, rid, META_TYPEDEF_EXTENDS));
	return 0;
}

int meta_typedef_fields(const struct meta *m, uint32_t rid, uint32_t *first, uint32_t *end)
{
	return get_range(m, rid, META_TYPEDEF_FIELDLIST, META_TABLE_FIELD, META_TABLE_FIELDPTR,
			 first, end);
}

int meta_typedef_methods(const struct meta *m, uint32_t rid, uint32_t *first, uint32_t *end)
{
	return get_range(m, rid, META_TYPEDEF_METHODLIST, META_TABLE_METHODDEF,
			 META_TABLE_METHODPTR, first, end);
}

/* The last TypeDef whose list starts at or before member; its run must hold it. */
static int find_owner(const struct meta *m, uint32_t member, unsigned col, unsigned target,
		      unsigned ptr_table, uint32_t *typedef_rid)
{
	uint32_t lo = 1, hi = m->tables[META_TABLE_TYPEDEF].rows, best = 0, first, end;

	if (!meta_rid_ok(m, target, member))
		return -ENOENT;
	if (m->tables[ptr_table].rows)
		return -ENOTSUP;
	while (lo <= hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (meta_cell(m, META_TABLE_TYPEDEF, mid, col) <= member) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (!best || get_range(m, best, col, target, ptr_table, &first, &end) || member >= end)
		return -ENOENT;
	*typedef_rid = best;
	return 0;
}

int meta_field_owner(const struct meta *m, uint32_t field_rid, uint32_t *typedef_rid)
{
	return find_owner(m, field_rid, META_TYPEDEF_FIELDLIST, META_TABLE_FIELD,
			  META_TABLE_FIELDPTR, typedef_rid);
}

int meta_method_owner(const struct meta *m, uint32_t method_rid, uint32_t *typedef_rid)
{
	return find_owner(m, method_rid, META_TYPEDEF_METHODLIST, META_TABLE_METHODDEF,
			  META_TABLE_METHODPTR, typedef_rid);
}

int meta_typeref_name(const struct meta *m, uint32_t rid, const char **name)
{
	return get_str(m, META_TABLE_TYPEREF, rid, META_TYPEREF_NAME, name);
}

int meta_typeref_namespace(const struct meta *m, uint32_t rid, const char **ns)
{
	return get_str(m, META_TABLE_TYPEREF, rid, META_TYPEREF_NAMESPACE, ns);
}

int meta_typeref_scope(const struct meta *m, uint32_t rid, uint32_t *token)
{
	if (!meta_rid_ok(m, META_TABLE_TYPEREF, rid))
		return -ENOENT;
	*token = meta_coded_token(META_CODED_RESOLUTIONSCOPE,
				  meta_cell(m, META_TABLE_TYPEREF, rid, META_TYPEREF_SCOPE));
	return 0;
}

int meta_typespec_sig(const struct meta *m, uint32_t rid, const uint8_t **sig, uint32_t *len)
{
	return get_blob(m, META_TABLE_TYPESPEC, rid, META_TYPESPEC_SIGNATURE, sig, len);
}

int meta_field_flags(const struct meta *m, uint32_t rid, uint16_t *flags)
{
	if (!meta_rid_ok(m, META_TABLE_FIELD, rid))
		return -ENOENT;
	*flags = (uint16_t)meta_cell(m, META_TABLE_FIELD, rid, META_FIELD_FLAGS);
	return 0;
}

int meta_field_name(const struct meta *m, uint32_t rid, const char **name)
{
	return get_str(m, META_TABLE_FIELD, rid, META_FIELD_NAME, name);
}

int meta_field_sig(const struct meta *m, uint32_t rid, const uint8_t **sig, uint32_t *len)
{
	return get_blob(m, META_TABLE_FIELD, rid, META_FIELD_SIGNATURE, sig, len);
}

int meta_method_flags(const struct meta *m, uint32_t rid, uint16_t *flags)
{
	if (!meta_rid_ok(m, META_TABLE_METHODDEF, rid))
		return -ENOENT;
	*flags = (uint16_t)meta_cell(m, META_TABLE_METHODDEF, rid, META_METHOD_FLAGS);
	return 0;
}

int meta_method_name(const struct meta *m, uint32_t rid, const char **name)
{
	return get_str(m, META_TABLE_METHODDEF, rid, META_METHOD_NAME, name);
}

int meta_method_sig(const struct meta *m, uint32_t rid, const uint8_t **sig, uint32_t *len)
{
	return get_blob(m, META_TABLE_METHODDEF, rid, META_METHOD_SIGNATURE, sig, len);
}

int meta_assembly(const struct meta *m, const char **name, uint16_t version[4])
{
	int rc = get_str(m, META_TABLE_ASSEMBLY, 1, META_ASSEMBLY_NAME, name);

	for (unsigned i = 0; !rc && i < 4; i++)
		version[i] = (uint16_t)meta_cell(m, META_TABLE_ASSEMBLY, 1, META_ASSEMBLY_MAJOR + i);
	return rc;
}
