// SPDX-License-Identifier: MIT
// The fields of a managed type, from its FieldDescs checked against metadata.
//
// FieldDesc (layout.h): the enclosing MethodTable, then dword1 {m_mb:24,
// static, thread-local, RVA, prot:3} and dword2 {offset:27, type:5}. Every
// FieldDesc must point back at the canonical MethodTable, and its RID must lie
// in the TypeDef's field range and agree with the metadata on static-ness, so a
// wrong layout fails instead of showing wrong fields.
//
// EEClass.FieldDescList holds the type's own instance fields first, then its
// statics (thread statics included): NumInstanceFields counts inherited
// instance fields too, NumStaticFields only the type's own
// (src/coreclr/vm/class.h, ApproxFieldDescIterator). Generic instantiations
// share the canonical MethodTable's EEClass and FieldDescs.
//
// Lists are cached per MethodTable for the life of rt.
#include "fields.h"

#include "diag.h"
#include "dump.h"
#include "fields_i.h"
#include "meta.h"
#include "names.h"
#include "runtime_i.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_OFFSET_LAST_REAL	(RT_FD_OFFSET_MAX - 6)
#define FIELD_STATIC_FLAG	0x0010u /* FieldAttributes.Static, ECMA-335 II.23.1.5 */
#define HIERARCHY_MAX		64
#define FIELDS_MAX		(1u << 16)
#define BASE_SIZE_MAX		(1u << 30)

struct field_entry {
	uint64_t mt;
	int err;
	struct rt_field *inst; /* [0, ninherited) are the parent's, borrowed */
	size_t ninst, ninherited;
	struct rt_field *stat;
	size_t nstat;
	UT_hash_handle hh;
};

static struct rt_fields *fields_get(struct rt *rt)
{
	struct rt_fields *c = rt->fields;
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	rt->fields = c;
	return c;
}

int fields_read_mt(struct rt *rt, uint64_t mt, struct mt_raw *out)
{
	const struct rt_lay_mt *l = &rt->lay.mt;
	struct mt_raw r = {0};
	uint64_t canon, back;
	uint32_t token;
	int rc;

	rc = rt_layout_err(rt, RT_LG_MT);
	if (!rc && (!mt || (mt & (RT_PTR_SIZE - 1))))
		return -EBADMSG;
	rc = rc ? rc : dump_read_u32(rt->d, mt + l->flags, &r.flags);
	rc = rc ? rc : dump_read_u32(rt->d, mt + l->base_size, &r.base_size);
	rc = rc ? rc : dump_read_u32(rt->d, mt + l->token, &token);
	rc = rc ? rc : dump_read_ptr(rt->d, mt + l->parent, &r.parent);
	rc = rc ? rc : dump_read_ptr(rt->d, mt + l->module, &r.module);
	rc = rc ? rc : dump_read_ptr(rt->d, mt + l->per_inst, &r.per_inst);
	rc = rc ? rc : dump_read_ptr(rt->d, mt + l->canon, &canon);
	if (rc)
		return rc;
	r.canon_mt = mt;
	r.eeclass = canon;
	if (canon & RT_CANON_MT_BIT) {
		r.canon_mt = canon & ~RT_CANON_MT_BIT;
		rc = dump_read_ptr(rt->d, r.canon_mt + l->canon, &r.eeclass);
		if (!rc && (r.eeclass & RT_CANON_MT_BIT))
			rc = -EBADMSG;
	}
	rc = rc ? rc : dump_read_ptr(rt->d, r.eeclass + l->ee_mt, &back);
	if (!rc && (back != r.canon_mt || r.base_size < RT_PTR_SIZE || r.base_size > BASE_SIZE_MAX))
		rc = -EBADMSG;
	if (!rc) {
		r.rid = rt_lay_rid(l, token);
		*out = r;
	}
	return rc;
}

static int by_offset(const void *a, const void *b)
{
	const struct rt_field *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->token < y->token ? -1 : x->token > y->token;
}

/* Frees what a field owns (its names) and forgets them. */
static void field_clear(struct rt_field *f)
{
	free(f->name);
	free(f->type_name);
	f->name = f->type_name = NULL;
}

static void entry_free(struct field_entry *e)
{
	for (size_t i = e->ninherited; i < e->ninst; i++)
		field_clear(&e->inst[i]);
	for (size_t i = 0; i < e->nstat; i++)
		field_clear(&e->stat[i]);
	free(e->inst);
	free(e->stat);
	free(e);
}

/* One FieldDesc, checked and named. */
static int field_from_desc(struct rt *rt, struct rt_fields *c, const struct field_owner *o,
			   const uint8_t *fd, uint64_t canon_mt, uint32_t first, uint32_t end,
			   struct rt_field *f)
{
	const struct rt_lay_fields *l = &rt->lay.fields;
	uint64_t back;
	uint32_t dw1, dw2, rid;
	uint16_t mflags;
	const uint8_t *sig;
	const char *raw;
	uint32_t siglen;
	uint8_t sig_elem;
	struct strbuf name;
	int rc;

	memcpy(&back, fd + l->fd_mt, sizeof(back));
	memcpy(&dw1, fd + l->fd_dw1, sizeof(dw1));
	memcpy(&dw2, fd + l->fd_dw2, sizeof(dw2));
	rid = dw1 & RT_FD_MB_MASK;
	if (back != canon_mt || rid < first || rid >= end)
		return -EBADMSG;
	rc = meta_field_flags(o->m, rid, &mflags);
	rc = rc ? rc : meta_field_name(o->m, rid, &raw);
	rc = rc ? rc : meta_field_sig(o->m, rid, &sig, &siglen);
	if (rc)
		return rc == -ENOENT ? -EBADMSG : rc;
	/* Metadata names are escaped as they are read (names.h). */
	strbuf_init(&name);
	name_put(&name, raw, strlen(raw));
	f->name = name.oom ? NULL : strbuf_steal(&name, NULL);
	strbuf_destroy(&name);
	if (!f->name)
		return -ENOMEM;
	f->token = META_TOKEN(META_TABLE_FIELD, rid);
	f->offset = dw2 & RT_FD_OFFSET_MASK;
	f->elem = (uint8_t)(dw2 >> RT_FD_TYPE_SHIFT);
	f->is_static = dw1 & RT_FD_STATIC;
	f->is_thread_static = dw1 & RT_FD_THREAD_LOCAL;
	f->is_rva = dw1 & RT_FD_RVA;
	f->owner_mt = o->mt;
	if (f->is_static != !!(mflags & FIELD_STATIC_FLAG)) {
		field_clear(f);
		return -EBADMSG;
	}
	rc = fields_sig(rt, c, o, sig, siglen, &sig_elem, &f->type_name, &f->type_mt, &f->type_err);
	if (rc) {
		field_clear(f);
		return rc;
	}
	/* The FieldDesc's type agrees with the signature: a primitive is
	 * itself, a reference is CLASS (an enum has its underlying type). */
	bool ok = true;
	if (sig_elem >= META_ELEM_BOOLEAN && sig_elem <= META_ELEM_R8)
		ok = f->elem == sig_elem;
	else if (sig_elem == META_ELEM_I || sig_elem == META_ELEM_U)
		ok = f->elem == sig_elem;
	else if (sig_elem == META_ELEM_STRING || sig_elem == META_ELEM_OBJECT ||
		 sig_elem == META_ELEM_CLASS || sig_elem == META_ELEM_SZARRAY ||
		 sig_elem == META_ELEM_ARRAY)
		ok = f->elem == META_ELEM_CLASS;
	if (!ok) {
		field_clear(f);
		return -EBADMSG;
	}
	return 0;
}

/* The field counts of an EEClass: instance fields (inherited ones too),
 * statics (thread statics too), thread statics. */
static int ee_counts(struct rt *rt, uint64_t ee, uint32_t *ninst, uint32_t *nstatic,
		     uint32_t *nthread)
{
	const struct rt_lay_fields *l = &rt->lay.fields;
	uint16_t w[3] = {0};
	uint32_t d[3];
	uint8_t fixed, packed;
	int rc;

	if (!l->counts_packed) {
		rc = dump_read(rt->d, ee + l->ee_ninst, &w[0], 2);
		rc = rc ? rc : dump_read(rt->d, ee + l->ee_nstatic, &w[1], 2);
		rc = rc ? rc : dump_read(rt->d, ee + l->ee_nthread, &w[2], 2);
		d[0] = w[0], d[1] = w[1], d[2] = w[2];
	} else {
		rc = dump_read(rt->d, ee + l->ee_fixed_size, &fixed, 1);
		rc = rc ? rc : dump_read(rt->d, ee + l->ee_packed, &packed, 1);
		/* Bit-packed fields (PackedDWORDFields) are never made at run
		 * time: seen unpacked on every EEClass of 8.0.34. */
		if (!rc && (packed || fixed < l->ee_fixed_size))
			rc = -ENOTSUP;
		rc = rc ? rc : dump_read_u32(rt->d, ee + fixed + 4 * l->ee_ninst, &d[0]);
		rc = rc ? rc : dump_read_u32(rt->d, ee + fixed + 4 * l->ee_nstatic, &d[1]);
		rc = rc ? rc : dump_read_u32(rt->d, ee + fixed + 4 * l->ee_nthread, &d[2]);
	}
	if (rc)
		return rc;
	if (d[0] > FIELDS_MAX || d[1] > FIELDS_MAX || d[2] > d[1])
		return -EBADMSG;
	*ninst = d[0], *nstatic = d[1], *nthread = d[2];
	return 0;
}

/* Builds the entry of mt, its parents' first. */
static int entry_of(struct rt *rt, struct rt_fields *c, uint64_t mt, int depth,
		    struct field_entry **out)
{
	const struct rt_lay_fields *l = &rt->lay.fields;
	struct field_entry *e, *pe = NULL;
	struct field_owner o = {.mt = mt};
	struct mt_raw r;
	uint32_t ninst, nstatic, nthread, pninst = 0, pnstatic, pnthread;
	uint64_t fdlist;
	uint32_t first, end, nthreads_seen = 0;
	uint8_t *raw = NULL;
	int rc;

	HASH_FIND(hh, c->types, &mt, sizeof(mt), e);
	if (e) {
		*out = e;
		return e->err;
	}
	if (depth > HIERARCHY_MAX)
		return -ELOOP;
	rc = fields_read_mt(rt, mt, &r);
	if (!rc && r.parent)
		rc = entry_of(rt, c, r.parent, depth + 1, &pe);
	if (rc == -ENOMEM || rc == -ELOOP)
		return rc;
	if (!(e = calloc(1, sizeof(*e))))
		return -ENOMEM;
	e->mt = mt;
	if (rc)
		goto out;
	rc = ee_counts(rt, r.eeclass, &ninst, &nstatic, &nthread);
	rc = rc ? rc : dump_read_ptr(rt->d, r.eeclass + l->ee_fdlist, &fdlist);
	if (rc)
		goto out;
	if (pe) {
		struct mt_raw pr;
		rc = fields_read_mt(rt, r.parent, &pr);
		rc = rc ? rc : ee_counts(rt, pr.eeclass, &pninst, &pnstatic, &pnthread);
		if (rc)
			goto out;
	}
	size_t own = ninst >= pninst ? (size_t)(ninst - pninst) : 0, n = own + nstatic;
	if (ninst < pninst || nthread > nstatic || (pe && pe->ninst != pninst) || (n && !fdlist)) {
		rc = -EBADMSG;
		goto out;
	}
	e->inst = calloc(pninst + own + 1, sizeof(*e->inst));
	e->stat = calloc(nstatic + 1, sizeof(*e->stat));
	raw = malloc(n * l->fd_size + 1);
	if (!e->inst || !e->stat || !raw) {
		rc = -ENOMEM;
		goto out;
	}
	if (pninst)
		memcpy(e->inst, pe->inst, pninst * sizeof(*e->inst));
	e->ninst = e->ninherited = pninst;
	if (!n)
		goto out;
	rc = dump_read(rt->d, fdlist, raw, n * l->fd_size);
	rc = rc ? rc : rt_module_meta(rt, r.module, &o.m);
	rc = rc ? rc : meta_typedef_fields(o.m, r.rid, &first, &end);
	if (rc == -ENOENT)
		rc = -EBADMSG;
	if (!rc && rt_type_args(rt, mt, o.args, sizeof(o.args) / sizeof(o.args[0]), &o.nargs))
		o.nargs = 0; /* then generic parameters go by their names */
	o.module = r.module;
	o.rid = r.rid;
	for (size_t i = 0; !rc && i < n; i++) {
		struct rt_field *f = i < own ? &e->inst[e->ninst] : &e->stat[e->nstat];
		rc = field_from_desc(rt, c, &o, raw + i * l->fd_size, r.canon_mt, first, end, f);
		if (!rc && f->is_static != (i >= own))
			rc = -EBADMSG;
		if (!rc && !f->is_static &&
		    (f->offset > FIELD_OFFSET_LAST_REAL || f->offset >= r.base_size - 2 * RT_PTR_SIZE))
			rc = -EBADMSG;
		if (rc)
			field_clear(f);
		if (!rc && i < own)
			e->ninst++;
		else if (!rc)
			nthreads_seen += f->is_thread_static, e->nstat++;
	}
	if (!rc && nthreads_seen != nthread)
		rc = -EBADMSG;
	if (!rc)
		qsort(e->inst + pninst, own, sizeof(*e->inst), by_offset);
out:
	free(raw);
	if (rc == -ENOMEM) {
		entry_free(e);
		return rc;
	}
	if (rc == -EBADMSG)
		diag_add(dump_diag(rt->d),
			 "the fields of the type with MethodTable 0x%016" PRIx64
			 " fail their checks against the metadata",
			 mt);
	e->err = rc;
	HASH_ADD(hh, c->types, mt, sizeof(e->mt), e);
	*out = e;
	return rc;
}

static int fields_of(struct rt *rt, uint64_t mt, bool statics, const struct rt_field **fields,
		     size_t *count)
{
	struct field_entry *e = NULL;
	int rc;

	rc = rt_layout_err(rt, RT_LG_MT);
	rc = rc ? rc : rt_layout_err(rt, RT_LG_FIELDS);
	if (rc)
		return rc;
	struct rt_fields *c = fields_get(rt);
	rc = !c ? -ENOMEM : entry_of(rt, c, mt, 0, &e);
	if (rc == -ELOOP)
		rc = -EBADMSG; /* a parent chain longer than any real one */
	if (rc)
		return rc;
	*fields = statics ? e->stat : e->inst;
	*count = statics ? e->nstat : e->ninst;
	return 0;
}

int rt_type_instance_fields(struct rt *rt, uint64_t mt, const struct rt_field **fields,
			    size_t *count)
{
	return fields_of(rt, mt, false, fields, count);
}

int rt_type_static_fields(struct rt *rt, uint64_t mt, const struct rt_field **fields, size_t *count)
{
	return fields_of(rt, mt, true, fields, count);
}

int rt_module_types(struct rt *rt, uint64_t module, uint64_t **mts, size_t *count)
{
	const struct meta *m;
	int rc = rt_module_meta(rt, module, &m);

	if (rc)
		return rc;
	struct rt_fields *c = fields_get(rt);
	rc = !c ? -ENOMEM
		: fields_module_types(rt, c, module, meta_table_rows(m, META_TABLE_TYPEDEF), mts,
				      count);
	return rc;
}

static bool is_valuetype(uint32_t flags)
{
	return !(flags & RT_MTF_HAS_COMPONENT_SIZE) &&
	       (flags & RT_MTF_VALUETYPE_MASK) == RT_MTF_VALUETYPE;
}

int rt_valuetype_size(struct rt *rt, uint64_t mt, uint32_t *size)
{
	struct mt_raw r;
	uint8_t pad;
	int rc = rt_layout_err(rt, RT_LG_FIELDS);

	rc = rc ? rc : fields_read_mt(rt, mt, &r);
	if (rc)
		return rc;
	if (!is_valuetype(r.flags))
		return -EINVAL;
	rc = dump_read(rt->d, r.eeclass + rt->lay.fields.ee_padding, &pad, 1);
	if (rc)
		return rc;
	/* BaseSize = max(MIN_OBJECT_SIZE, align(size + header + MT pointer));
	 * a padding that does not give that back is not the padding. */
	uint32_t n = r.base_size - pad,
		 boxed = (n + 2 * RT_PTR_SIZE + RT_PTR_SIZE - 1) & ~(RT_PTR_SIZE - 1);
	if (pad > r.base_size || n == 0 ||
	    (boxed < RT_MIN_OBJ_SIZE ? RT_MIN_OBJ_SIZE : boxed) != r.base_size)
		return -EBADMSG;
	*size = n;
	return 0;
}

/* rt_type_info() is asked for every value rendered: its answers are kept. */
struct info_entry {
	uint64_t mt;
	struct rt_type_info info;
	UT_hash_handle hh;
};

static int type_info_read(struct rt *rt, uint64_t mt, struct rt_type_info *out);

int rt_type_info(struct rt *rt, uint64_t mt, struct rt_type_info *out)
{
	struct rt_fields *c = fields_get(rt);
	struct rt_info_slot *slot;
	struct info_entry *e = NULL;
	int rc;

	if (!c)
		return -ENOMEM;
	slot = &c->slots[(mt >> 3 ^ mt >> 9) % RT_INFO_SLOTS];
	if (mt && slot->mt == mt) {
		*out = slot->info;
		return 0;
	}
	HASH_FIND(hh, c->infos, &mt, sizeof(mt), e);
	if (e) {
		*out = e->info;
	} else {
		rc = type_info_read(rt, mt, out);
		if (rc)
			return rc;
		e = calloc(1, sizeof(*e));
		if (e) { /* else only not kept */
			e->mt = mt;
			e->info = *out;
			HASH_ADD(hh, c->infos, mt, sizeof(e->mt), e);
		}
	}
	*slot = (struct rt_info_slot){mt, *out};
	return 0;
}

static int type_info_read(struct rt *rt, uint64_t mt, struct rt_type_info *out)
{
	const struct rt_lay_mt *l = &rt->lay.mt;
	struct rt_type_info t = {0};
	struct mt_raw r, er;
	const char *pname;
	uint8_t norm, rank = 1;
	int rc = fields_read_mt(rt, mt, &r);

	rc = rc ? rc : dump_read(rt->d, r.eeclass + l->ee_norm, &norm, 1);
	if (rc)
		return rc;
	t.elem = norm;
	t.base_size = r.base_size;
	t.parent_mt = r.parent;
	t.module = r.module;
	t.is_string = mt == rt->lay.g.string_mt;
	t.component_size =
		r.flags & RT_MTF_HAS_COMPONENT_SIZE ? r.flags & RT_MTF_COMPONENT_SIZE_MASK : 0;
	t.is_array = (r.flags & RT_MTF_HAS_COMPONENT_SIZE) &&
		     (r.flags & RT_MTF_ARRAY_MASK) == RT_MTF_ARRAY;
	if (t.is_array) {
		rc = rt_mt_rank(rt, r.flags, r.base_size, r.eeclass, &rank);
		t.rank = rank;
		t.element_mt = r.per_inst;
		if (!rc && (r.per_inst & RT_TH_TYPEDESC)) {
			t.elem_of_array = META_ELEM_PTR; /* pointers, function pointers */
		} else if (!rc) {
			rc = fields_read_mt(rt, r.per_inst, &er);
			rc = rc ? rc : dump_read(rt->d, er.eeclass + l->ee_norm, &norm, 1);
			t.elem_of_array = is_valuetype(er.flags) ? norm : META_ELEM_CLASS;
		}
		if (rc)
			return rc;
	} else if (!(r.flags & RT_MTF_HAS_COMPONENT_SIZE)) {
		t.typedef_rid = r.rid;
	}
	if (is_valuetype(r.flags)) {
		t.valuetype = true;
		t.is_nullable = (r.flags & RT_MTF_CATEGORY_MASK) == RT_MTF_NULLABLE;
		t.is_primitive = (r.flags & RT_MTF_CATEGORY_MASK) == RT_MTF_TRUE_PRIMITIVE;
		if (r.parent && !rt_type_name(rt, r.parent, &pname) &&
		    !strcmp(pname, "System.Enum")) {
			t.is_enum = true;
			t.enum_elem = norm;
		}
	}
	*out = t;
	return 0;
}

void rt_fields_free(struct rt_fields *c)
{
	struct field_entry *e, *tmp;

	if (!c)
		return;
	HASH_ITER(hh, c->types, e, tmp)
	{
		HASH_DEL(c->types, e);
		entry_free(e);
	}
	struct info_entry *i, *itmp;
	HASH_ITER(hh, c->infos, i, itmp)
	{
		HASH_DEL(c->infos, i);
		free(i);
	}
	fields_params_free(c);
	free(c);
}
