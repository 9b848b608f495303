// SPDX-License-Identifier: MIT
// Lookups over sorted tables and full type names: nesting, generic parameters, constants (ECMA-335
// II.22).
#include "meta_i.h"

#include <errno.h>
#include <string.h>

#define NESTING_MAX 64

/* The first row of table t whose column col equals key, in [1, rows]; 0 if none.
 * Binary search (lower bound) when the table is sorted by col, else linear. */
static uint32_t find_first(const struct meta *m, unsigned t, unsigned col, uint32_t key,
			   bool sorted)
{
	uint32_t rows = m->tables[t].rows;

	if (!sorted) {
		for (uint32_t rid = 1; rid <= rows; rid++)
			if (meta_cell(m, t, rid, col) == key)
				return rid;
		return 0;
	}
	uint32_t lo = 1, hi = rows + 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (meta_cell(m, t, mid, col) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo <= rows && meta_cell(m, t, lo, col) == key ? lo : 0;
}

int meta_enclosing_class(const struct meta *m, uint32_t typedef_rid, uint32_t *enclosing_rid)
{
	uint32_t row, enc;

	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, typedef_rid))
		return -ENOENT;
	row = find_first(m, META_TABLE_NESTEDCLASS, META_NESTED_NESTED, typedef_rid,
			 m->nested_sorted);
	if (!row)
		return -ENOENT;
	enc = meta_cell(m, META_TABLE_NESTEDCLASS, row, META_NESTED_ENCLOSING);
	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, enc))
		return -ENOENT; /* a null enclosing class (checked in range at open) */
	*enclosing_rid = enc;
	return 0;
}

int meta_typedef_generic_params(const struct meta *m, uint32_t rid, uint32_t *count)
{
	uint32_t owner, row, n = 0, rows = m->tables[META_TABLE_GENERICPARAM].rows;

	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, rid))
		return -ENOENT;
	if (meta_coded_value(META_CODED_TYPEORMETHODDEF, META_TOKEN(META_TABLE_TYPEDEF, rid),
			     &owner))
		return -ENOENT;
	if (m->gp_sorted) {
		row = find_first(m, META_TABLE_GENERICPARAM, META_GP_OWNER, owner, true);
		while (row && row <= rows &&
		       meta_cell(m, META_TABLE_GENERICPARAM, row, META_GP_OWNER) == owner) {
			n++;
			row++;
		}
	} else {
		for (row = 1; row <= rows; row++)
			n += meta_cell(m, META_TABLE_GENERICPARAM, row, META_GP_OWNER) == owner;
	}
	*count = n;
	return 0;
}

int meta_typedef_generic_param_name(const struct meta *m, uint32_t rid, uint32_t index,
				    const char **name)
{
	uint32_t owner, row, rows = m->tables[META_TABLE_GENERICPARAM].rows;

	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, rid) ||
	    meta_coded_value(META_CODED_TYPEORMETHODDEF, META_TOKEN(META_TABLE_TYPEDEF, rid),
			     &owner))
		return -ENOENT;
	row = find_first(m, META_TABLE_GENERICPARAM, META_GP_OWNER, owner, m->gp_sorted);
	for (; row && row <= rows; row++) {
		if (meta_cell(m, META_TABLE_GENERICPARAM, row, META_GP_OWNER) != owner) {
			if (m->gp_sorted)
				break;
			continue;
		}
		if (meta_cell(m, META_TABLE_GENERICPARAM, row, META_GP_NUMBER) == index) {
			*name = meta_str(m,
					 meta_cell(m, META_TABLE_GENERICPARAM, row, META_GP_NAME));
			return 0;
		}
	}
	return -ENOENT;
}

int meta_constant(const struct meta *m, uint32_t parent_token, uint8_t *type, const uint8_t **blob,
		  uint32_t *len)
{
	uint32_t parent, row;
	int rc;

	if (!meta_rid_ok(m, META_TOKEN_TABLE(parent_token), META_TOKEN_RID(parent_token)) ||
	    meta_coded_value(META_CODED_HASCONSTANT, parent_token, &parent))
		return -ENOENT;
	row = find_first(m, META_TABLE_CONSTANT, META_CONSTANT_PARENT, parent, m->constant_sorted);
	if (!row)
		return -ENOENT;
	rc = meta_blob(m, meta_cell(m, META_TABLE_CONSTANT, row, META_CONSTANT_VALUE), blob, len);
	if (rc)
		return rc;
	*type = (uint8_t)meta_cell(m, META_TABLE_CONSTANT, row, META_CONSTANT_TYPE);
	return 0;
}

/* Whether the type token (TypeDef or TypeRef) is named ns.name. */
static bool type_named(const struct meta *m, uint32_t token, const char *ns, const char *name)
{
	uint32_t rid = META_TOKEN_RID(token);
	const char *n = NULL, *s = NULL;

	if (META_TOKEN_TABLE(token) == META_TABLE_TYPEDEF) {
		if (meta_typedef_name(m, rid, &n) || meta_typedef_namespace(m, rid, &s))
			return false;
	} else if (META_TOKEN_TABLE(token) == META_TABLE_TYPEREF) {
		if (meta_typeref_name(m, rid, &n) || meta_typeref_namespace(m, rid, &s))
			return false;
	} else {
		return false; /* a TypeSpec: a generic attribute */
	}
	return !strcmp(n, name) && !strcmp(s, ns);
}

/* The type declaring the constructor of a CustomAttribute (its Type column:
 * a MethodDef or a MemberRef), as a TypeDef, TypeRef or TypeSpec token; 0
 * when none. */
static uint32_t attribute_type(const struct meta *m, uint32_t ca_row)
{
	uint32_t ctor =
		meta_coded_token(META_CODED_CUSTOMATTRIBUTETYPE,
				 meta_cell(m, META_TABLE_CUSTOMATTRIBUTE, ca_row, META_CA_TYPE));
	uint32_t owner;

	if (META_TOKEN_TABLE(ctor) == META_TABLE_METHODDEF)
		return meta_method_owner(m, META_TOKEN_RID(ctor), &owner)
			       ? 0
			       : META_TOKEN(META_TABLE_TYPEDEF, owner);
	if (META_TOKEN_TABLE(ctor) == META_TABLE_MEMBERREF &&
	    meta_rid_ok(m, META_TABLE_MEMBERREF, META_TOKEN_RID(ctor)))
		return meta_coded_token(META_CODED_MEMBERREFPARENT,
					meta_cell(m, META_TABLE_MEMBERREF, META_TOKEN_RID(ctor),
						  META_MEMBERREF_CLASS));
	return 0;
}

int meta_has_custom_attribute(const struct meta *m, uint32_t token, const char *ns,
			      const char *name)
{
	uint32_t parent, rows = m->tables[META_TABLE_CUSTOMATTRIBUTE].rows;

	if (!meta_rid_ok(m, META_TOKEN_TABLE(token), META_TOKEN_RID(token)) ||
	    meta_coded_value(META_CODED_HASCUSTOMATTRIBUTE, token, &parent))
		return -ENOENT;
	uint32_t row =
		find_first(m, META_TABLE_CUSTOMATTRIBUTE, META_CA_PARENT, parent, m->ca_sorted);
	for (; row && row <= rows; row++) {
		if (meta_cell(m, META_TABLE_CUSTOMATTRIBUTE, row, META_CA_PARENT) != parent) {
			if (m->ca_sorted)
				break;
			continue;
		}
		if (type_named(m, attribute_type(m, row), ns, name))
			return 1;
	}
	return 0;
}

/* Appends s to buf at *pos; false when it does not fit with a NUL. */
static bool put(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (n >= len - *pos)
		return false;
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return true;
}

int meta_typedef_fullname(const struct meta *m, uint32_t rid, char *buf, size_t len)
{
	uint32_t chain[NESTING_MAX];
	size_t depth = 0, pos = 0;
	const char *ns;

	if (!meta_rid_ok(m, META_TABLE_TYPEDEF, rid))
		return -ENOENT;
	if (len == 0)
		return -ERANGE;
	/* Innermost first; a chain longer than NESTING_MAX is a loop or absurd. */
	chain[depth++] = rid;
	while (meta_enclosing_class(m, chain[depth - 1], &rid) == 0) {
		if (depth == NESTING_MAX)
			return -EBADMSG;
		chain[depth++] = rid;
	}
	buf[0] = '\0';
	ns = meta_str(m,
		      meta_cell(m, META_TABLE_TYPEDEF, chain[depth - 1], META_TYPEDEF_NAMESPACE));
	if (*ns && (!put(buf, len, &pos, ns) || !put(buf, len, &pos, ".")))
		return -ERANGE;
	while (depth--) {
		const char *name = meta_str(
			m, meta_cell(m, META_TABLE_TYPEDEF, chain[depth], META_TYPEDEF_NAME));
		if (!put(buf, len, &pos, name) || (depth && !put(buf, len, &pos, "+")))
			return -ERANGE;
	}
	return 0;
}

int meta_typedef_find(const struct meta *m, const char *fullname, uint32_t *rid)
{
	char name[1024];
	size_t flen = strlen(fullname);

	for (uint32_t r = 1; r <= m->tables[META_TABLE_TYPEDEF].rows; r++) {
		/* Cheap filter: the full name must end with the innermost name. */
		const char *n = meta_str(m, meta_cell(m, META_TABLE_TYPEDEF, r, META_TYPEDEF_NAME));
		size_t nlen = strlen(n);
		if (nlen > flen || memcmp(fullname + flen - nlen, n, nlen) != 0)
			continue;
		if (meta_typedef_fullname(m, r, name, sizeof(name)) == 0 &&
		    strcmp(name, fullname) == 0) {
			*rid = r;
			return 0;
		}
	}
	return -ENOENT;
}
