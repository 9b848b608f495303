// SPDX-License-Identifier: MIT
// Managed types by MethodTable: C#-form names, and each module's metadata read from the dump.
//
// A type handle is a MethodTable, or a TypeDesc when bit 1 is set
// (dotnet/runtime docs/design/datacontracts/RuntimeTypeSystem.md,
// TypeHandleBits). A MethodTable names itself through its module's metadata:
// TypeDef RID = MTFlags2 >> 8. Arrays name their element (PerInstInfo) and
// add [] or [,...] (rank from ArrayClass.Rank); generic instantiations
// append their type arguments, read from the type's own dictionary.
//
// Names and module metadata are cached for the life of rt.
#include "types.h"

#include "diag.h"
#include "dump.h"
#include "meta.h"
#include "runtime_i.h"
#include "names.h"
#include "strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* CorElementType of a TypeDesc (ECMA-335 II.23.1.16). */
#define ELEM_PTR       0x0f
#define ELEM_BYREF     0x10
#define ELEM_VALUETYPE 0x11 /* a native value type: the interop view of its TypeArg */

/* PEImageLayout.Flags: FLAG_MAPPED (Loader.md, PEImageFlags). */
#define LAYOUT_FLAG_MAPPED 0x1u

#define NAME_DEPTH_MAX 16	   /* nesting of arrays and type arguments */
#define NAME_LEN_MAX   (64u << 10) /* a longer name is taken as corrupted */
#define BASE_SIZE_MAX  (1u << 30)
#define IMAGE_SIZE_MAX (1u << 30)
#define TYPE_ARGS_MAX  1024
#define DICTS_MAX      1024
#define ARRAY_RANK_MAX 32 /* MAX_RANK, src/coreclr/vm/array.h */
#define PAGE	       4096u

struct name_entry {
	uint64_t th;
	char *name; /* NULL when err */
	int err;
	UT_hash_handle hh;
};

struct module_entry {
	uint64_t module;
	uint8_t *image; /* only headers, CLI header and metadata are filled */
	size_t image_size;
	struct meta *meta;
	int err;
	UT_hash_handle hh;
};

struct rt_types {
	int err; /* the layout is unusable: every call returns it */
	struct name_entry *names;
	struct module_entry *modules;
};

static struct rt_types *types_get(struct rt *rt)
{
	struct rt_types *c = rt->typenames;
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->err = rt_layout_err(rt, RT_LG_MT);
	rt->typenames = c;
	return c;
}

int rt_mt_rank(struct rt *rt, uint32_t flags, uint32_t base_size, uint64_t eeclass,
	       uint8_t *rank)
{
	const struct rt_lay_mt *l = &rt->lay.mt;
	uint8_t r = 1;
	int rc = 0;

	if (flags & RT_MTF_IF_ARRAY_THEN_SZ) {
		*rank = 1;
		return 0;
	}
	if (l->rank_from_size) {
		/* Without ArrayClass (11.0): a multi-dimensional array's BaseSize
		 * holds the header, ArrayBase and a length and a lower bound per
		 * dimension (src/coreclr/vm/array.cpp ArrayBase::GetBaseSize). */
		uint64_t fixed = RT_OBJ_HEADER_SIZE + rt->lay.obj.arr_hdr;
		if (base_size < fixed + 8 || (base_size - fixed) % 8)
			return -EBADMSG;
		r = (uint8_t)((base_size - fixed) / 8 < 256 ? (base_size - fixed) / 8 : 0);
	} else {
		/* ArrayClass::m_rank, an unsigned char (src/coreclr/vm/class.h). */
		rc = dump_read(rt->d, eeclass + l->rank, &r, 1);
	}
	if (!rc && (r < 1 || r > ARRAY_RANK_MAX))
		rc = -EBADMSG;
	if (!rc)
		*rank = r;
	return rc;
}

static void image_free(struct module_entry *e)
{
	if (e->image)
		munmap(e->image, e->image_size);
	e->image = NULL;
}

/* A module image being read from the dump, range by range. */
struct image_reader {
	struct dump *d;
	uint64_t base;
	uint8_t *buf;
};

/* meta_locate()'s need: copies [off, off+len) of the image from the dump. */
static int image_need(uint64_t off, uint64_t len, void *arg)
{
	struct image_reader *r = arg;
	return len ? dump_read(r->d, r->base + off, r->buf + off, (size_t)len) : 0;
}

/* Reads what meta_open() looks at, and nothing else: the PE headers, the
 * CLI header and the metadata, each range as meta_locate() asks for it.
 * Every byte of those must come from the dump (or the module file behind
 * it, dump_read()): a missing page is -EIO, never zeros. */
int rt_module_image(struct rt *rt, uint64_t module, uint64_t *base, uint32_t *size, bool *mapped)
{
	const struct rt_lay_module *l = &rt->lay.module;
	struct dump *d = rt->d;
	uint64_t pea, image, layout;
	uint32_t flags;
	int rc;

	rc = rt_layout_err(rt, RT_LG_MODULE);
	rc = rc ? rc : dump_read_ptr(d, module + l->pea, &pea);
	rc = rc ? rc : pea ? dump_read_ptr(d, pea + l->pea_image, &image) : -ENOTSUP;
	rc = rc ? rc : image ? dump_read_ptr(d, image + l->image_layout, &layout) : -ENOTSUP;
	if (!rc && !layout)
		rc = -ENOTSUP; /* no loaded image: a dynamic (Reflection.Emit) module */
	rc = rc ? rc : dump_read_ptr(d, layout + l->layout_base, base);
	rc = rc ? rc : dump_read_u32(d, layout + l->layout_size, size);
	rc = rc ? rc : dump_read_u32(d, layout + l->layout_flags, &flags);
	if (rc)
		return rc;
	if (!*base || *size < PAGE || *size > IMAGE_SIZE_MAX)
		return -EBADMSG;
	*mapped = flags & LAYOUT_FLAG_MAPPED;
	return 0;
}

static int module_load(struct rt *rt, struct module_entry *e)
{
	struct dump *d = rt->d;
	struct meta_location loc;
	uint64_t base;
	uint32_t size;
	bool mapped;
	char err[160];
	int rc = rt_module_image(rt, e->module, &base, &size, &mapped);

	if (rc)
		return rc;
	int kind = mapped ? META_LAYOUT_MAPPED : META_LAYOUT_FILE;
	/* Large and mostly untouched: an anonymous mapping gets zero pages on
	 * first touch (calloc may clear the whole of it when malloc serves it
	 * from its heap). */
	e->image = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->image == MAP_FAILED) {
		e->image = NULL;
		return -ENOMEM;
	}
	e->image_size = size;
	struct image_reader r = {d, base, e->image};
	rc = meta_locate(e->image, size, kind, image_need, &r, &loc, err, sizeof(err));
	if (rc == -EIO) {
		diag_add(dump_diag(d),
			 "the metadata of the module image at 0x%016" PRIx64
			 " is missing from the dump and its file",
			 base);
		return rc;
	}
	if (!rc)
		rc = meta_open(e->image, size, kind, &e->meta, err, sizeof(err));
	if (rc == -EBADMSG)
		diag_add(dump_diag(d), "the module image at 0x%016" PRIx64 " is malformed: %s",
			 base, err);
	return rc;
}

static int module_meta(struct rt *rt, struct rt_types *c, uint64_t module, const struct meta **out)
{
	struct module_entry *e;

	if (!module)
		return -EBADMSG;
	HASH_FIND(hh, c->modules, &module, sizeof(module), e);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->module = module;
		e->err = module_load(rt, e);
		if (e->err) {
			meta_close(e->meta);
			e->meta = NULL;
			image_free(e);
		}
		if (e->err == -ENOMEM) {
			free(e);
			return -ENOMEM;
		}
		HASH_ADD(hh, c->modules, module, sizeof(e->module), e);
	}
	if (e->err)
		return e->err;
	*out = e->meta;
	return 0;
}

static int name_of(struct rt *rt, struct rt_types *c, uint64_t th, int depth, const char **out);

/* The EEClass of a MethodTable, checked by its back-pointer to the
 * canonical MethodTable (EEClass.MethodTable). */
static int eeclass_of(struct rt *rt, uint64_t mt, uint64_t canon, uint64_t *eeclass)
{
	const struct rt_lay_mt *l = &rt->lay.mt;
	uint64_t canon_mt = mt, cls = canon, back;
	int rc = 0;

	if (canon & RT_CANON_MT_BIT) {
		canon_mt = canon & ~RT_CANON_MT_BIT;
		rc = dump_read_ptr(rt->d, canon_mt + l->canon, &cls);
		if (!rc && (cls & RT_CANON_MT_BIT))
			rc = -EBADMSG;
	}
	rc = rc ? rc : dump_read_ptr(rt->d, cls + l->ee_mt, &back);
	if (!rc && back != canon_mt)
		rc = -EBADMSG;
	if (!rc)
		*eeclass = cls;
	return rc;
}

/* Appends name without its generic arities ("Dictionary`2+Enumerator" ->
 * "Dictionary+Enumerator"). */
void rt_put_without_arity(struct strbuf *b, const char *name)
{
	for (const char *p = name; *p;) {
		if (*p == '`' && p[1] >= '0' && p[1] <= '9') {
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
			continue;
		}
		strbuf_add(b, p++, 1);
	}
}

/* The dictionary of an instantiated MethodTable, whose first NumTypeArgs
 * entries are its type arguments: PerInstInfo[NumDicts - 1]
 * (methodtable.h GetDictionary(); the GenericsDictInfo sits just before
 * PerInstInfo, GetGenericsDictInfo(): one pointer-sized struct on 64-bit). */
static int type_dict(struct rt *rt, uint64_t per_inst, uint64_t *dict, uint16_t *nargs)
{
	const struct rt_lay_mt *l = &rt->lay.mt;
	uint16_t ndicts, n;
	int rc = dump_read(rt->d, per_inst - RT_PTR_SIZE + l->gdi_ndicts, &ndicts, sizeof(ndicts));

	rc = rc ? rc : dump_read(rt->d, per_inst - RT_PTR_SIZE + l->gdi_nargs, &n, sizeof(n));
	if (rc)
		return rc;
	if (ndicts == 0 || ndicts > DICTS_MAX || n == 0 || n > TYPE_ARGS_MAX)
		return -EBADMSG;
	rc = dump_read_ptr(rt->d, per_inst + (uint64_t)(ndicts - 1) * RT_PTR_SIZE, dict);
	if (!rc)
		*nargs = n;
	return rc;
}

/* Writes a generic type's metadata name with its arguments handed out along
 * the nesting chain by each name's arity, as C# and ClrMD write them:
 * "Dictionary`2+Entry" with <K,V> is "Dictionary<K,V>+Entry" and
 * "Outer`1+Inner`1" with <A,B> is "Outer<A>+Inner<B>". Arguments no arity
 * claims go to the innermost name. */
static void put_generic_name(struct strbuf *b, const char *full, const char *const *args,
			     uint32_t nargs)
{
	uint32_t next = 0;

	for (const char *seg = full; seg;) {
		const char *plus = strchr(seg, '+'), *end = plus ? plus : seg + strlen(seg);
		const char *tick = memchr(seg, '`', (size_t)(end - seg));
		uint32_t arity = 0;
		if (tick)
			arity = (uint32_t)strtoul(tick + 1, NULL, 10);
		strbuf_add(b, seg, (size_t)((tick ? tick : end) - seg));
		if (!plus)
			arity = nargs - next; /* the innermost name takes the rest */
		if (arity > nargs - next)
			arity = nargs - next;
		for (uint32_t i = 0; i < arity; i++)
			strbuf_printf(b, "%s%s", i ? "," : "<", args[next++]);
		if (arity)
			strbuf_puts(b, ">");
		if (plus)
			strbuf_puts(b, "+");
		seg = plus ? plus + 1 : NULL;
	}
}

/* The name of an instantiated MethodTable: full (its metadata name) with
 * its type arguments. */
static int put_instantiation(struct rt *rt, struct rt_types *c, const char *full, uint64_t per_inst,
			     uint32_t nparams, int depth, struct strbuf *b)
{
	const char *args[TYPE_ARGS_MAX];
	uint64_t dict, arg;
	uint16_t nargs;
	int rc = type_dict(rt, per_inst, &dict, &nargs);

	if (rc)
		return rc;
	if (nargs != nparams)
		return -EBADMSG;
	for (uint16_t i = 0; i < nargs; i++) {
		rc = dump_read_ptr(rt->d, dict + (uint64_t)i * RT_PTR_SIZE, &arg);
		rc = rc ? rc : name_of(rt, c, arg, depth + 1, &args[i]);
		if (rc)
			return rc;
	}
	put_generic_name(b, full, args, nargs);
	return 0;
}

static int name_mt(struct rt *rt, struct rt_types *c, uint64_t mt, int depth, struct strbuf *b)
{
	const struct rt_lay_mt *l = &rt->lay.mt;
	uint8_t raw[4096];
	uint32_t flags, base_size, token;
	uint64_t module, canon, per_inst, eeclass;
	const struct meta *m;
	char raw_full[1024], full[3 * 1024];
	struct strbuf esc;
	int rc;

	if (mt == rt->lay.g.free_mt) {
		strbuf_puts(b, "Free"); /* as SOS names it */
		return 0;
	}
	rc = dump_read(rt->d, mt, raw, (size_t)l->size);
	if (rc)
		return rc;
	memcpy(&flags, raw + l->flags, 4);
	memcpy(&base_size, raw + l->base_size, 4);
	memcpy(&token, raw + l->token, 4);
	memcpy(&module, raw + l->module, 8);
	memcpy(&canon, raw + l->canon, 8);
	memcpy(&per_inst, raw + l->per_inst, 8);
	if (base_size > BASE_SIZE_MAX)
		return -EBADMSG;
	rc = eeclass_of(rt, mt, canon, &eeclass);
	if (rc)
		return rc;
	if ((flags & RT_MTF_HAS_COMPONENT_SIZE) && (flags & RT_MTF_ARRAY_MASK) == RT_MTF_ARRAY) {
		const char *elem;
		uint8_t rank = 1;
		rc = name_of(rt, c, per_inst, depth + 1, &elem);
		rc = rc ? rc : rt_mt_rank(rt, flags, base_size, eeclass, &rank);
		if (rc)
			return rc;
		strbuf_printf(b, "%s[", elem);
		if (!(flags & RT_MTF_IF_ARRAY_THEN_SZ) && rank == 1)
			strbuf_puts(b, "*"); /* a rank-1 array that is not an SZ array */
		for (unsigned i = 1; i < rank; i++)
			strbuf_puts(b, ",");
		strbuf_puts(b, "]");
		return 0;
	}
	rc = module_meta(rt, c, module, &m);
	if (rc)
		return rc;
	uint32_t rid = rt_lay_rid(l, token), nparams = 0;
	if (rid == 0 || rid > meta_table_rows(m, META_TABLE_TYPEDEF))
		return -EBADMSG;
	rc = meta_typedef_fullname(m, rid, raw_full, sizeof(raw_full));
	if (rc)
		return rc == -ERANGE ? -EBADMSG : rc;
	/* Metadata names are escaped as they are read (names.h): every name
	 * built here, and every name built from these, is one safe token. */
	strbuf_init(&esc);
	name_put(&esc, raw_full, strlen(raw_full));
	rc = esc.oom ? -ENOMEM : 0;
	if (!rc && esc.len >= sizeof(full))
		rc = -EBADMSG;
	if (!rc)
		memcpy(full, esc.data, esc.len + 1);
	strbuf_destroy(&esc);
	if (rc)
		return rc;
	uint32_t generics = flags & RT_MTF_HAS_COMPONENT_SIZE ? 0 : flags & RT_MTF_GENERICS_MASK;
	if (!generics || generics == RT_MTF_GENERICS_TYPICAL) {
		strbuf_puts(b, full); /* an open generic keeps its `N */
		return 0;
	}
	rc = meta_typedef_generic_params(m, rid, &nparams);
	if (rc)
		return rc;
	return put_instantiation(rt, c, full, per_inst, nparams, depth, b);
}

/* Pointers, byrefs and native value types name their TypeArg; generic
 * variables and function pointers are not named. */
static int name_typedesc(struct rt *rt, struct rt_types *c, uint64_t th, int depth,
			 struct strbuf *b)
{
	uint64_t td = th & ~RT_TH_TYPEDESC, arg;
	uint32_t type_and_flags;
	const char *an;
	int rc = dump_read_u32(rt->d, td + rt->lay.mt.td_flags, &type_and_flags);

	if (rc)
		return rc;
	uint8_t elem = type_and_flags & 0xff;
	if (elem != ELEM_PTR && elem != ELEM_BYREF && elem != ELEM_VALUETYPE)
		return -ENOTSUP;
	rc = dump_read_ptr(rt->d, td + rt->lay.mt.td_arg, &arg);
	rc = rc ? rc : name_of(rt, c, arg, depth + 1, &an);
	if (rc)
		return rc;
	strbuf_printf(b, "%s%s", an, elem == ELEM_PTR ? "*" : elem == ELEM_BYREF ? "&" : "");
	return 0;
}

/* -ELOOP (too deep) is not cached: the same
 * handle may be named when asked for at a lower depth. */
static int name_of(struct rt *rt, struct rt_types *c, uint64_t th, int depth, const char **out)
{
	struct name_entry *e;
	struct strbuf b;
	int rc;

	HASH_FIND(hh, c->names, &th, sizeof(th), e);
	if (e) {
		if (!e->err)
			*out = e->name;
		return e->err;
	}
	if (!th || (th & 1))
		return -EBADMSG;
	if (depth > NAME_DEPTH_MAX)
		return -ELOOP;
	strbuf_init(&b);
	rc = th & RT_TH_TYPEDESC ? name_typedesc(rt, c, th, depth, &b) : name_mt(rt, c, th, depth, &b);
	if (!rc && b.oom)
		rc = -ENOMEM;
	if (!rc && b.len > NAME_LEN_MAX)
		rc = -EBADMSG;
	if (rc == -ELOOP || rc == -ENOMEM || !(e = calloc(1, sizeof(*e)))) {
		strbuf_destroy(&b);
		return rc ? rc : -ENOMEM;
	}
	e->th = th;
	e->err = rc;
	if (!rc)
		e->name = strbuf_steal(&b, NULL);
	strbuf_destroy(&b);
	if (!rc && !e->name) {
		free(e);
		return -ENOMEM;
	}
	HASH_ADD(hh, c->names, th, sizeof(e->th), e);
	if (!rc)
		*out = e->name;
	return rc;
}

int rt_type_name(struct rt *rt, uint64_t th, const char **name)
{
	const char *n = NULL;
	int rc;

	struct rt_types *c = types_get(rt);
	rc = !c ? -ENOMEM : c->err ? c->err : name_of(rt, c, th, 0, &n);
	if (rc == -ELOOP)
		rc = -EBADMSG; /* nested deeper than any real type: a cycle */
	if (!rc)
		*name = n;
	return rc;
}

int rt_type_args(struct rt *rt, uint64_t mt, uint64_t *args, uint32_t max, uint32_t *count)
{
	uint32_t flags, n = 0;
	uint64_t per_inst;
	int rc;

	struct rt_types *c = types_get(rt);
	rc = !c ? -ENOMEM : c->err;
	rc = rc ? rc : dump_read_u32(rt->d, mt + rt->lay.mt.flags, &flags);
	rc = rc ? rc : dump_read_ptr(rt->d, mt + rt->lay.mt.per_inst, &per_inst);
	if (!rc && !(flags & RT_MTF_HAS_COMPONENT_SIZE) && (flags & RT_MTF_GENERICS_MASK)) {
		uint64_t dict;
		uint16_t nargs;
		rc = type_dict(rt, per_inst, &dict, &nargs);
		if (!rc && nargs > max)
			rc = -ERANGE;
		for (uint16_t i = 0; !rc && i < nargs; i++)
			rc = dump_read_ptr(rt->d, dict + (uint64_t)i * RT_PTR_SIZE, &args[i]);
		n = rc ? 0 : nargs;
	}
	if (!rc)
		*count = n;
	return rc;
}

int rt_module_meta(struct rt *rt, uint64_t module, const struct meta **m)
{
	const struct meta *mm = NULL;
	int rc;

	struct rt_types *c = types_get(rt);
	rc = !c ? -ENOMEM : c->err ? c->err : module_meta(rt, c, module, &mm);
	if (!rc)
		*m = mm;
	return rc;
}

void rt_types_free(struct rt_types *c)
{
	struct name_entry *n, *ntmp;
	struct module_entry *e, *etmp;

	if (!c)
		return;
	HASH_ITER(hh, c->names, n, ntmp)
	{
		HASH_DEL(c->names, n);
		free(n->name);
		free(n);
	}
	HASH_ITER(hh, c->modules, e, etmp)
	{
		HASH_DEL(c->modules, e);
		meta_close(e->meta);
		image_free(e);
		free(e);
	}
	free(c);
}
