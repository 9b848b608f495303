// SPDX-License-Identifier: MIT
// A field's declared type from its metadata signature: its C#-form name, and
// the MethodTable of a value type, found through the module's lookup maps
// and, for generic instantiations, the loader module's table of them.
//
// TypeDef and TypeRef tokens resolve through Module.TypeDefToMethodTableMap
// and Module.TypeRefToMethodTableMap, ModuleLookupMaps read as
// dotnet/runtime docs/design/datacontracts/Loader.md GetModuleLookupMapElement
// says: segments of Count pointer-sized entries chained by Next, flag bits
// masked with the first segment's SupportedFlagsMask. A generic
// instantiation (Nullable<int>, KeyValuePair<K,V>) lives in the
// AvailableTypeParams EETypeHashTable of its loader module, which for a
// non-collectible definition is the definition's module
// (src/coreclr/vm/clsload.cpp ComputeLoaderModuleWorker); the table is read
// as Loader.md "DacEnumerableHash" describes, and the instantiation is the
// entry of the same TypeDef whose name is the one wanted.
#include "fields_i.h"

#include "diag.h"
#include "dump.h"
#include "meta.h"
#include "runtime_i.h"
#include "names.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_DEPTH_MAX	   16
#define MAP_SEGMENTS_MAX   (1u << 16)
#define PARAMS_BUCKETS_MAX (1u << 24)
#define PARAMS_MAX	   (1u << 22)

struct params_entry {
	uint64_t module;
	uint64_t *mts; /* entries of its AvailableTypeParams, flag bits masked */
	size_t count;
	int err;
	UT_hash_handle hh;
};

/* Display: as declared, unresolved generic parameters by name. Lookup: as
 * the runtime names the exact instantiation. Canon: its shared form, every
 * reference-type argument System.__Canon. */
enum { NAME_DISPLAY, NAME_LOOKUP, NAME_CANON };

static const char *const primitive_names[] = {
	[META_ELEM_VOID] = "System.Void",
	[META_ELEM_BOOLEAN] = "System.Boolean",
	[META_ELEM_CHAR] = "System.Char",
	[META_ELEM_I1] = "System.SByte",
	[META_ELEM_U1] = "System.Byte",
	[META_ELEM_I2] = "System.Int16",
	[META_ELEM_U2] = "System.UInt16",
	[META_ELEM_I4] = "System.Int32",
	[META_ELEM_U4] = "System.UInt32",
	[META_ELEM_I8] = "System.Int64",
	[META_ELEM_U8] = "System.UInt64",
	[META_ELEM_R4] = "System.Single",
	[META_ELEM_R8] = "System.Double",
	[META_ELEM_STRING] = "System.String",
	[META_ELEM_TYPEDBYREF] = "System.TypedReference",
	[META_ELEM_I] = "System.IntPtr",
	[META_ELEM_U] = "System.UIntPtr",
	[META_ELEM_OBJECT] = "System.Object",
};

/* Entry rid of a ModuleLookupMap embedded at map; 0 when absent. */
static int lookup_map(struct rt *rt, uint64_t map, uint32_t rid, uint64_t *value)
{
	const struct rt_lay_module *l = &rt->lay.module;
	uint64_t mask, next, data, v, index = rid;
	uint32_t count;
	int rc = dump_read_ptr(rt->d, map + l->map_mask, &mask);

	for (unsigned seg = 0; !rc && map && seg < MAP_SEGMENTS_MAX; seg++) {
		rc = dump_read_u32(rt->d, map + l->map_count, &count);
		rc = rc ? rc : dump_read_ptr(rt->d, map + l->map_data, &data);
		rc = rc ? rc : dump_read_ptr(rt->d, map + l->map_next, &next);
		if (rc)
			break;
		if (index < count) {
			rc = dump_read_ptr(rt->d, data + index * RT_PTR_SIZE, &v);
			if (!rc)
				*value = v & ~mask;
			return rc;
		}
		index -= count;
		map = next;
	}
	if (!rc)
		*value = 0;
	return rc;
}

/* The MethodTable a TypeDef or TypeRef token of module stands for, as
 * loaded; -ENOENT when the runtime has not resolved it. */
static int token_mt(struct rt *rt, uint64_t module, uint32_t token, uint64_t *mt)
{
	const struct rt_lay_module *l = &rt->lay.module;
	uint32_t table = META_TOKEN_TABLE(token), rid = META_TOKEN_RID(token);
	uint64_t v;
	int rc;

	if (table == META_TABLE_TYPEDEF)
		rc = lookup_map(rt, module + l->typedefs, rid, &v);
	else if (table == META_TABLE_TYPEREF)
		rc = lookup_map(rt, module + l->typerefs, rid, &v);
	else
		return -ENOENT;
	if (!rc && (!v || (v & RT_TH_TYPEDESC)))
		rc = -ENOENT;
	if (!rc)
		*mt = v;
	return rc;
}

int rt_module_type_by_name(struct rt *rt, uint64_t module, const char *fullname, uint64_t *mt)
{
	const struct meta *m;
	uint32_t rid;
	int rc = rt_module_meta(rt, module, &m);

	rc = rc ? rc : meta_typedef_find(m, fullname, &rid);
	return rc ? rc : token_mt(rt, module, META_TOKEN(META_TABLE_TYPEDEF, rid), mt);
}

/* Reads a module's AvailableTypeParams once (Loader.md DacEnumerableHash:
 * bucket 0 holds the chain count, chains start at bucket 3, a set low bit
 * ends a chain); the entries must add up to the table's Count. */
static int params_load(struct rt *rt, struct params_entry *e)
{
	const struct rt_lay_module *l = &rt->lay.module;
	uint64_t table, buckets, nbuckets, entry, value;
	uint32_t count;
	size_t n = 0;
	int rc = dump_read_ptr(rt->d, e->module + l->params, &table);

	if (rc || !table)
		return rc;
	rc = dump_read_ptr(rt->d, table + l->eth_buckets, &buckets);
	rc = rc ? rc : dump_read_u32(rt->d, table + l->eth_count, &count);
	rc = rc ? rc : buckets ? dump_read_ptr(rt->d, buckets, &nbuckets) : -EBADMSG;
	if (rc)
		return rc;
	if (nbuckets > PARAMS_BUCKETS_MAX || count > PARAMS_MAX)
		return -EBADMSG;
	e->mts = calloc(count ? count : 1, sizeof(*e->mts));
	if (!e->mts)
		return -ENOMEM;
	for (uint64_t b = 0; !rc && b < nbuckets; b++) {
		rc = dump_read_ptr(rt->d, buckets + (RT_ETH_FIRST_BUCKET + b) * RT_PTR_SIZE, &entry);
		while (!rc && entry && !(entry & 1)) {
			if (n == count)
				return -EBADMSG; /* more entries than Count, or a loop */
			rc = dump_read_ptr(rt->d, entry + l->eth_value, &value);
			rc = rc ? rc : dump_read_ptr(rt->d, entry + l->eth_next, &entry);
			if (!rc)
				e->mts[n++] = value & ~RT_ETH_FLAG_MASK;
		}
	}
	if (!rc && n != count)
		rc = -EBADMSG;
	e->count = n;
	return rc;
}

static int module_params(struct rt *rt, struct rt_fields *c, uint64_t module,
			 const struct params_entry **out)
{
	struct params_entry *e;

	HASH_FIND(hh, c->params, &module, sizeof(module), e);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->module = module;
		e->err = params_load(rt, e);
		if (e->err == -ENOMEM) {
			free(e->mts);
			free(e);
			return -ENOMEM;
		}
		if (e->err == -EBADMSG)
			diag_add(
				dump_diag(rt->d),
				"the table of generic instantiations of the module at 0x%016" PRIx64
				" fails its checks",
				module);
		HASH_ADD(hh, c->params, module, sizeof(e->module), e);
	}
	*out = e;
	return e->err;
}

void fields_params_free(struct rt_fields *c)
{
	struct params_entry *e, *tmp;

	HASH_ITER(hh, c->params, e, tmp)
	{
		HASH_DEL(c->params, e);
		free(e->mts);
		free(e);
	}
}

struct sig_ctx {
	struct rt *rt;
	struct rt_fields *c;
	const struct field_owner *o;
	int mode;
};

static int put_type(struct sig_ctx *x, const uint8_t *p, size_t len, int depth, struct strbuf *b);

/* Appends a name read from metadata, escaped (names.h), without its
 * generic arities when strip. */
static void put_metadata_name(struct strbuf *b, const char *raw, bool strip)
{
	struct strbuf e;

	if (!strip) {
		name_put(b, raw, strlen(raw));
		return;
	}
	strbuf_init(&e);
	name_put(&e, raw, strlen(raw));
	if (e.oom)
		b->oom = true;
	else
		rt_put_without_arity(b, e.data);
	strbuf_destroy(&e);
}

/* A TypeDef, TypeRef (nested ones as Outer+Inner) or TypeSpec token. */
static int put_token(struct sig_ctx *x, uint32_t token, bool strip_arity, int depth,
		     struct strbuf *b)
{
	const struct meta *m = x->o->m;
	uint32_t rid = META_TOKEN_RID(token), scope;
	const char *ns, *name;
	char full[1024];
	int rc;

	if (depth > SIG_DEPTH_MAX)
		return -EBADMSG;
	switch (META_TOKEN_TABLE(token)) {
	case META_TABLE_TYPEDEF:
		rc = meta_typedef_fullname(m, rid, full, sizeof(full));
		if (rc)
			return rc == -ERANGE ? -EBADMSG : rc;
		put_metadata_name(b, full, strip_arity);
		return 0;
	case META_TABLE_TYPEREF:
		rc = meta_typeref_namespace(m, rid, &ns);
		rc = rc ? rc : meta_typeref_name(m, rid, &name);
		rc = rc ? rc : meta_typeref_scope(m, rid, &scope);
		if (rc)
			return rc;
		if (META_TOKEN_TABLE(scope) == META_TABLE_TYPEREF) {
			rc = put_token(x, scope, strip_arity, depth + 1, b);
			if (rc)
				return rc;
			strbuf_puts(b, "+");
		} else if (*ns) {
			name_put(b, ns, strlen(ns));
			strbuf_puts(b, ".");
		}
		put_metadata_name(b, name, strip_arity);
		return 0;
	case META_TABLE_TYPESPEC: {
		const uint8_t *sig;
		uint32_t len;
		rc = meta_typespec_sig(m, rid, &sig, &len);
		return rc ? rc : put_type(x, sig, len, depth + 1, b);
	}
	}
	return -EBADMSG;
}

/* Generic parameter number i of the owner: its argument's name when the
 * instantiation is exact (or, for a lookup, whatever it is), else its name. */
static int put_var(struct sig_ctx *x, uint32_t i, struct strbuf *b)
{
	const char *name;

	if (i < x->o->nargs && !rt_type_name(x->rt, x->o->args[i], &name) &&
	    (x->mode != NAME_DISPLAY || strcmp(name, "System.__Canon") != 0)) {
		strbuf_puts(b, name);
		return 0;
	}
	if (x->mode != NAME_DISPLAY)
		return -ENOENT;
	if (!meta_typedef_generic_param_name(x->o->m, x->o->rid, i, &name) && *name)
		name_put(b, name, strlen(name));
	else
		strbuf_printf(b, "!%" PRIu32, i);
	return 0;
}

/* Whether a type argument is a reference type (shared as System.__Canon). */
static bool is_reference(struct sig_ctx *x, const struct meta_type *t)
{
	struct mt_raw r;

	switch (t->elem) {
	case META_ELEM_STRING:
	case META_ELEM_OBJECT:
	case META_ELEM_CLASS:
	case META_ELEM_SZARRAY:
	case META_ELEM_ARRAY:
		return true;
	case META_ELEM_GENERICINST:
		return t->generic_elem == META_ELEM_CLASS;
	case META_ELEM_VAR:
		return t->number < x->o->nargs && !(x->o->args[t->number] & RT_TH_TYPEDESC) &&
		       !fields_read_mt(x->rt, x->o->args[t->number], &r) &&
		       ((r.flags & RT_MTF_HAS_COMPONENT_SIZE) ||
			(r.flags & RT_MTF_VALUETYPE_MASK) != RT_MTF_VALUETYPE);
	}
	return false;
}

/* The type at the start of the signature bytes p, nested depth deep. */
static int sig_type_at(const uint8_t *p, size_t len, int depth, struct meta_type *t)
{
	struct meta_sig_reader r;

	if (depth > SIG_DEPTH_MAX)
		return -EBADMSG;
	meta_sig_init(&r, p, len);
	return meta_sig_type(&r, t);
}

static int put_type(struct sig_ctx *x, const uint8_t *p, size_t len, int depth, struct strbuf *b)
{
	struct meta_type t;
	int rc = sig_type_at(p, len, depth, &t);

	if (rc)
		return rc;
	if (t.elem < sizeof(primitive_names) / sizeof(primitive_names[0]) &&
	    primitive_names[t.elem]) {
		strbuf_puts(b, primitive_names[t.elem]);
		return 0;
	}
	switch (t.elem) {
	case META_ELEM_CLASS:
	case META_ELEM_VALUETYPE:
		return put_token(x, t.token, false, depth + 1, b);
	case META_ELEM_VAR:
		return put_var(x, t.number, b);
	case META_ELEM_MVAR:
		strbuf_printf(b, "!!%" PRIu32, t.number);
		return 0;
	case META_ELEM_SZARRAY:
	case META_ELEM_PTR:
	case META_ELEM_BYREF:
		rc = put_type(x, t.inner, t.inner_len, depth + 1, b);
		strbuf_puts(b, t.elem == META_ELEM_SZARRAY ? "[]"
			       : t.elem == META_ELEM_PTR   ? "*"
							   : "&");
		return rc;
	case META_ELEM_ARRAY:
		/* inner: the element Type, then the ArrayShape (II.23.2.13). */
		rc = put_type(x, t.inner, t.inner_len, depth + 1, b);
		strbuf_puts(b, t.number == 1 ? "[*" : "[");
		for (uint32_t i = 1; i < t.number && i < 32; i++)
			strbuf_puts(b, ",");
		strbuf_puts(b, "]");
		return rc;
	case META_ELEM_GENERICINST: {
		struct meta_sig_reader ar;
		rc = put_token(x, t.token, true, depth + 1, b);
		strbuf_puts(b, "<");
		meta_sig_init(&ar, t.inner, t.inner_len);
		for (uint32_t i = 0; !rc && i < t.number; i++) {
			const uint8_t *start = ar.p;
			struct meta_type at;
			rc = meta_sig_type(&ar, &at);
			if (i)
				strbuf_puts(b, ",");
			if (!rc && x->mode == NAME_CANON && is_reference(x, &at))
				strbuf_puts(b, "System.__Canon");
			else if (!rc)
				rc = put_type(x, start, (size_t)(ar.p - start), depth + 1, b);
		}
		strbuf_puts(b, ">");
		return rc;
	}
	case META_ELEM_FNPTR:
		strbuf_puts(b, "delegate*");
		return 0;
	}
	return -EBADMSG;
}

static int find_instantiation(struct sig_ctx *x, const struct params_entry *pe,
			      const struct mt_raw *def, int mode, const uint8_t *p, size_t len,
			      uint64_t *mt);

/* The loaded instantiation the GENERICINST Type at p stands for: an entry
 * of its definition's module's AvailableTypeParams with the definition's
 * TypeDef and the wanted name (arguments named as the owner has them). */
static int instantiation_mt(struct sig_ctx *x, const struct meta_type *t, const uint8_t *p,
			    size_t len, uint64_t *mt)
{
	const struct params_entry *pe;
	struct mt_raw def;
	uint64_t def_mt;
	int rc = token_mt(x->rt, x->o->module, t->token, &def_mt);

	rc = rc ? rc : fields_read_mt(x->rt, def_mt, &def);
	rc = rc ? rc : module_params(x->rt, x->c, def.module, &pe);
	if (rc)
		return rc;
	/* The exact instantiation, else its shared form: a value-type field's
	 * type is loaded approximately (shared) for layout when its
	 * arguments are reference types. */
	for (int mode = NAME_LOOKUP; mode <= NAME_CANON; mode++) {
		rc = find_instantiation(x, pe, &def, mode, p, len, mt);
		if (rc != -ENOENT)
			return rc;
	}
	return rc;
}

static int find_instantiation(struct sig_ctx *x, const struct params_entry *pe,
			      const struct mt_raw *def, int mode, const uint8_t *p, size_t len,
			      uint64_t *mt)
{
	struct sig_ctx lx = *x;
	struct strbuf want;
	struct mt_raw cand;
	const char *name;
	int rc;

	lx.mode = mode;
	strbuf_init(&want);
	rc = put_type(&lx, p, len, 0, &want);
	if (!rc && want.oom)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < pe->count; i++) {
		uint64_t e = pe->mts[i];
		if ((e & RT_TH_TYPEDESC) || fields_read_mt(x->rt, e, &cand) ||
		    cand.module != def->module || cand.rid != def->rid ||
		    (cand.flags & RT_MTF_HAS_COMPONENT_SIZE) ||
		    (cand.flags & RT_MTF_GENERICS_MASK) == RT_MTF_GENERICS_TYPICAL)
			continue;
		if (!rt_type_name(x->rt, e, &name) && !strcmp(name, want.data)) {
			*mt = e;
			strbuf_destroy(&want);
			return 0;
		}
	}
	strbuf_destroy(&want);
	return rc ? rc : -ENOENT;
}

/* The MethodTable of the value type at p, or 0 when it is not one that
 * gets a type_mt (a reference type or a primitive). */
static int value_type_mt(struct sig_ctx *x, const uint8_t *p, size_t len, int depth, uint64_t *mt)
{
	struct meta_type t;
	struct mt_raw raw;
	int rc;

	*mt = 0;
	rc = sig_type_at(p, len, depth, &t);
	if (rc)
		return rc;
	switch (t.elem) {
	case META_ELEM_VALUETYPE:
		if (META_TOKEN_TABLE(t.token) == META_TABLE_TYPESPEC) {
			const uint8_t *sig;
			uint32_t slen;
			rc = meta_typespec_sig(x->o->m, META_TOKEN_RID(t.token), &sig, &slen);
			return rc ? rc : value_type_mt(x, sig, slen, depth + 1, mt);
		}
		return token_mt(x->rt, x->o->module, t.token, mt);
	case META_ELEM_GENERICINST:
		if (t.generic_elem != META_ELEM_VALUETYPE)
			return 0;
		return instantiation_mt(x, &t, p, len, mt);
	case META_ELEM_VAR:
		if (t.number >= x->o->nargs || (x->o->args[t.number] & RT_TH_TYPEDESC))
			return 0;
		rc = fields_read_mt(x->rt, x->o->args[t.number], &raw);
		if (!rc && (raw.flags & RT_MTF_VALUETYPE_MASK) == RT_MTF_VALUETYPE &&
		    !(raw.flags & RT_MTF_HAS_COMPONENT_SIZE) &&
		    (raw.flags & RT_MTF_CATEGORY_MASK) != RT_MTF_TRUE_PRIMITIVE)
			*mt = x->o->args[t.number];
		return rc;
	}
	return 0;
}

int fields_sig(struct rt *rt, struct rt_fields *c, const struct field_owner *o, const uint8_t *sig,
	       uint32_t len, uint8_t *sig_elem, char **name, uint64_t *type_mt, int *type_err)
{
	struct sig_ctx x = {rt, c, o, NAME_DISPLAY};
	struct meta_type t;
	struct strbuf b;
	const uint8_t *type;
	size_t type_len;
	int rc = meta_field_sig_type(o->m, sig, len, &t);

	if (rc)
		return rc;
	/* The Type follows 0x06 and any custom modifiers: find where. */
	{
		struct meta_sig_reader r;
		uint8_t conv;
		meta_sig_init(&r, sig, len);
		rc = meta_sig_u8(&r, &conv);
		while (!rc && r.p < r.end &&
		       (*r.p == META_ELEM_CMOD_REQD || *r.p == META_ELEM_CMOD_OPT)) {
			uint32_t tok;
			rc = meta_sig_u8(&r, &conv);
			rc = rc ? rc : meta_sig_token(&r, &tok);
		}
		if (rc)
			return rc;
		type = r.p;
		type_len = (size_t)(r.end - r.p);
	}
	*sig_elem = t.elem;
	strbuf_init(&b);
	rc = put_type(&x, type, type_len, 0, &b);
	if (!rc && b.oom)
		rc = -ENOMEM;
	if (rc) {
		strbuf_destroy(&b);
		return rc;
	}
	*name = strbuf_steal(&b, NULL);
	strbuf_destroy(&b);
	if (!*name)
		return -ENOMEM;
	*type_err = value_type_mt(&x, type, type_len, 0, type_mt);
	if (*type_err == -ENOMEM) {
		free(*name);
		return -ENOMEM;
	}
	if (*type_err)
		*type_mt = 0;
	return 0;
}

int fields_module_types(struct rt *rt, struct rt_fields *c, uint64_t module, uint32_t ntypedefs,
			uint64_t **mts, size_t *count)
{
	const struct params_entry *pe;
	uint64_t *out, v;
	size_t n = 0, np;
	int rc = module_params(rt, c, module, &pe);

	if (rc && rc != -ENOMEM)
		pe = NULL; /* the TypeDefs can still be listed */
	else if (rc)
		return rc;
	np = pe ? pe->count : 0;
	out = calloc((size_t)ntypedefs + np + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	rc = 0;
	for (uint32_t rid = 1; !rc && rid <= ntypedefs; rid++) {
		rc = lookup_map(rt, module + rt->lay.module.typedefs, rid, &v);
		if (!rc && v && !(v & RT_TH_TYPEDESC))
			out[n++] = v;
	}
	for (size_t i = 0; !rc && i < np; i++)
		if (pe->mts[i] && !(pe->mts[i] & RT_TH_TYPEDESC))
			out[n++] = pe->mts[i];
	if (rc) {
		free(out);
		return rc;
	}
	*mts = out;
	*count = n;
	return 0;
}
