// SPDX-License-Identifier: MIT
// decoder/managed: one-line text of an unboxed value: primitives, references, structs.
#include "managed_i.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "heapindex.h"
#include "meta.h"
#include "objects.h"
#include "reason.h"
#include "runtime.h"
#include "statics.h"
#include "strbuf.h"
#include "types.h"
#include "values.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Structs cannot hold themselves by value; the limit only guards against
 * a corrupted type graph. */
#define STRUCT_DEPTH_MAX 16

size_t mv_elem_size(uint8_t elem)
{
	switch (elem) {
	case META_ELEM_BOOLEAN:
	case META_ELEM_I1:
	case META_ELEM_U1:
		return 1;
	case META_ELEM_CHAR:
	case META_ELEM_I2:
	case META_ELEM_U2:
		return 2;
	case META_ELEM_I4:
	case META_ELEM_U4:
	case META_ELEM_R4:
		return 4;
	case META_ELEM_I8:
	case META_ELEM_U8:
	case META_ELEM_R8:
	case META_ELEM_I:
	case META_ELEM_U:
	case META_ELEM_PTR:
	case META_ELEM_FNPTR:
		return 8; /* 64-bit dumps only */
	default:
		return 0;
	}
}

void mv_put_primitive(struct strbuf *b, uint8_t elem, const uint8_t *p)
{
	int8_t i1;
	int16_t i2;
	uint16_t u2;
	int32_t i4;
	uint32_t u4;
	int64_t i8;
	uint64_t u8;
	float r4;
	double r8;

	switch (elem) {
	case META_ELEM_BOOLEAN: /* the runtime treats any non-zero byte as true */
		strbuf_puts(b, p[0] ? "true" : "false");
		break;
	case META_ELEM_CHAR:
		memcpy(&u2, p, 2);
		mv_put_char(b, u2);
		break;
	case META_ELEM_I1:
		memcpy(&i1, p, 1);
		strbuf_i64(b, i1);
		break;
	case META_ELEM_U1:
		strbuf_u64(b, p[0]);
		break;
	case META_ELEM_I2:
		memcpy(&i2, p, 2);
		strbuf_i64(b, i2);
		break;
	case META_ELEM_U2:
		memcpy(&u2, p, 2);
		strbuf_u64(b, u2);
		break;
	case META_ELEM_I4:
		memcpy(&i4, p, 4);
		strbuf_i64(b, i4);
		break;
	case META_ELEM_U4:
		memcpy(&u4, p, 4);
		strbuf_u64(b, u4);
		break;
	case META_ELEM_I8:
		memcpy(&i8, p, 8);
		strbuf_i64(b, i8);
		break;
	case META_ELEM_U8:
		memcpy(&u8, p, 8);
		strbuf_u64(b, u8);
		break;
	case META_ELEM_R4:
		memcpy(&r4, p, 4);
		mv_put_float(b, r4);
		break;
	case META_ELEM_R8:
		memcpy(&r8, p, 8);
		mv_put_double(b, r8);
		break;
	default: /* I, U, PTR, FNPTR: an address */
		memcpy(&u8, p, 8);
		strbuf_addr(b, u8);
		break;
	}
}

static void put_addr(struct strbuf *b, uint64_t addr)
{
	strbuf_addr(b, addr);
}

int mv_put_reference(struct rt *rt, uint64_t ref, struct strbuf *b)
{
	struct rt_type_info ti;
	uint64_t mt, size;
	const char *name;
	int rc;

	if (!ref) {
		strbuf_puts(b, "null");
		return 0;
	}
	rc = rt_object_size(rt, ref, &mt, &size);
	rc = rc ? rc : rt_type_info(rt, mt, &ti);
	if (!rc && ti.is_string)
		return mv_string_quoted(rt, ref, b);
	rc = rc ? rc : rt_type_name(rt, mt, &name);
	put_addr(b, ref);
	strbuf_puts(b, " ");
	if (rc) {
		reason_put_unreadable(b, rc);
		return rc;
	}
	strbuf_puts(b, name);
	return 0;
}

/* The instance field called name of the type mt (managed_i.h). */
int mv_field_named(struct rt *rt, uint64_t mt, const char *name, const struct rt_field **out)
{
	const struct rt_field *f;
	size_t n;
	int rc = rt_type_instance_fields(rt, mt, &f, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(f[i].name, name)) {
			*out = &f[i];
			return 0;
		}
	}
	return -EBADMSG; /* a well-known type without its field: not this runtime's */
}

/* Reads the integer field f of an instance whose data is at addr, sign- or
 * zero-extended as its element type says (managed_i.h). */
int mv_read_int_at(struct rt *rt, const struct rt_field *f, uint64_t addr, uint64_t *out)
{
	uint8_t raw[8] = {0};
	size_t sz = mv_elem_size(f->elem);
	int rc;

	if (!sz || f->elem == META_ELEM_R4 || f->elem == META_ELEM_R8)
		return -EBADMSG;
	rc = dump_read(rt_dump(rt), addr + f->offset, raw, sz);
	if (rc)
		return rc;
	uint64_t v = 0;
	memcpy(&v, raw, sz);
	bool is_signed = f->elem == META_ELEM_I1 || f->elem == META_ELEM_I2 ||
			 f->elem == META_ELEM_I4 || f->elem == META_ELEM_I8 ||
			 f->elem == META_ELEM_I;
	if (is_signed && sz < 8 && (v >> (8 * sz - 1) & 1))
		v |= ~UINT64_C(0) << (8 * sz);
	*out = v;
	return 0;
}

/* CoreLib is the module of System.String, which every heap holds. */
int mv_corelib_type(struct rt *rt, const char *name, uint64_t *mt)
{
	const struct rt_heap_type *anchor;
	struct rt_type_info info;
	int rc = rt_heap_type_by_name(rt, "System.String", &anchor);

	rc = rc ? rc : rt_type_info(rt, anchor->mt, &info);
	return rc ? rc : rt_module_type_by_name(rt, info.module, name, mt);
}

int mv_read_int_field(struct rt *rt, uint64_t mt, uint64_t addr, const char *name, uint64_t *out)
{
	const struct rt_field *f;
	int rc = mv_field_named(rt, mt, name, &f);

	return rc ? rc : mv_read_int_at(rt, f, addr, out);
}

/* Reads the reference field f of an instance whose data is at addr
 * (managed_i.h). */
int mv_read_ref_at(struct rt *rt, const struct rt_field *f, uint64_t addr, uint64_t *out)
{
	switch (f->elem) {
	case META_ELEM_CLASS:
	case META_ELEM_STRING:
	case META_ELEM_OBJECT:
	case META_ELEM_SZARRAY:
	case META_ELEM_ARRAY:
		return dump_read_ptr(rt_dump(rt), addr + f->offset, out);
	default:
		return -EBADMSG; /* not a reference: not this runtime's layout */
	}
}

int mv_read_ref_field(struct rt *rt, uint64_t mt, uint64_t addr, const char *name, uint64_t *out)
{
	const struct rt_field *f;
	int rc = mv_field_named(rt, mt, name, &f);

	return rc ? rc : mv_read_ref_at(rt, f, addr, out);
}

enum well_known { WK_NONE, WK_DATETIME, WK_TIMESPAN, WK_GUID, WK_DECIMAL, WK_DATETIMEOFFSET };

static const struct {
	const char *name;
	enum well_known kind;
} well_known[] = {
	{"System.DateTime", WK_DATETIME},
	{"System.TimeSpan", WK_TIMESPAN},
	{"System.Guid", WK_GUID},
	{"System.Decimal", WK_DECIMAL},
	{"System.DateTimeOffset", WK_DATETIMEOFFSET},
};

static enum well_known well_known_kind(struct rt *rt, uint64_t mt)
{
	const char *name;

	if (!mt || rt_type_name(rt, mt, &name))
		return WK_NONE;
	for (size_t i = 0; i < sizeof(well_known) / sizeof(well_known[0]); i++)
		if (!strcmp(name, well_known[i].name))
			return well_known[i].kind;
	return WK_NONE;
}

bool mv_is_well_known(struct rt *rt, uint64_t type_mt)
{
	return well_known_kind(rt, type_mt) != WK_NONE;
}

/* The well-known struct kind of mt at addr, fields found by name
 * (System.Private.CoreLib, .NET 10: DateTime._dateData, TimeSpan._ticks,
 * Guid._a.._k, Decimal._flags/_hi32/_lo64, DateTimeOffset._dateTime and
 * _offsetMinutes). */
static int put_well_known(struct rt *rt, enum well_known kind, uint64_t mt, uint64_t addr,
			  struct strbuf *b)
{
	const struct rt_field *f;
	uint64_t v1 = 0, v2 = 0, v3 = 0;
	uint8_t guid[16];
	uint32_t size;
	int rc;

	switch (kind) {
	case WK_DATETIME:
		rc = mv_read_int_field(rt, mt, addr, "_dateData", &v1);
		return rc ? rc
			  : mv_put_datetime(b, v1,
					    (v1 >> 62) >= 2 ? mv_local_offset(rt)
							    : MV_OFFSET_UNKNOWN);
	case WK_TIMESPAN:
		rc = mv_read_int_field(rt, mt, addr, "_ticks", &v1);
		if (!rc)
			mv_put_timespan(b, (int64_t)v1);
		return rc;
	case WK_GUID:
		rc = mv_field_named(rt, mt, "_a", &f);
		rc = rc ? rc : rt_valuetype_size(rt, mt, &size);
		if (!rc && (f->offset != 0 || size != sizeof(guid)))
			rc = -EBADMSG;
		rc = rc ? rc : dump_read(rt_dump(rt), addr, guid, sizeof(guid));
		if (!rc)
			mv_put_guid(b, guid);
		return rc;
	case WK_DECIMAL:
		rc = mv_read_int_field(rt, mt, addr, "_flags", &v1);
		rc = rc ? rc : mv_read_int_field(rt, mt, addr, "_hi32", &v2);
		rc = rc ? rc : mv_read_int_field(rt, mt, addr, "_lo64", &v3);
		return rc ? rc : mv_put_decimal(b, (uint32_t)v1, (uint32_t)v2, v3);
	case WK_DATETIMEOFFSET:
		rc = mv_field_named(rt, mt, "_dateTime", &f);
		rc = rc ? rc
			: mv_read_int_field(rt, f->type_mt, addr + f->offset, "_dateData", &v1);
		rc = rc ? rc : mv_read_int_field(rt, mt, addr, "_offsetMinutes", &v2);
		if (!rc && ((int64_t)v2 < INT32_MIN || (int64_t)v2 > INT32_MAX))
			rc = -EBADMSG;
		return rc ? rc : mv_put_datetimeoffset(b, v1, (int32_t)(int64_t)v2);
	default:
		return -EINVAL;
	}
}

/* The field f of the value at addr; a struct field whose type the runtime
 * did not load says why (fields.h type_err). */
static int render_field(struct rt *rt, uint64_t addr, const struct rt_field *f, struct strbuf *b,
			unsigned depth)
{
	int rc;

	if (f->elem == META_ELEM_VALUETYPE && !f->type_mt) {
		rc = f->type_err ? f->type_err : -ENOENT;
		reason_put_unreadable(b, rc);
		return rc;
	}
	return mv_render_at(rt, addr + f->offset, f->elem, f->type_mt, b, depth);
}

/* "{Name=value, ...}" over the instance fields of the struct mt at addr. */
static int put_struct(struct rt *rt, uint64_t mt, uint64_t addr, struct strbuf *b, unsigned depth)
{
	const struct rt_field *f;
	size_t n;
	int rc = rt_type_instance_fields(rt, mt, &f, &n), first = 0;

	if (rc)
		return rc;
	strbuf_puts(b, "{");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_puts(b, ", ");
		strbuf_printf(b, "%s=", f[i].name);
		rc = render_field(rt, addr, &f[i], b, depth + 1);
		first = first ? first : rc;
	}
	strbuf_puts(b, "}");
	return first;
}

static int put_valuetype(struct rt *rt, uint64_t addr, uint64_t mt, struct strbuf *b,
			 unsigned depth)
{
	struct rt_type_info ti;
	const struct rt_field *f;
	uint8_t raw[8];
	enum well_known kind;
	int rc;

	if (!mt)
		return -ENOENT;
	if (depth > STRUCT_DEPTH_MAX)
		return -EBADMSG;
	rc = rt_type_info(rt, mt, &ti);
	if (rc)
		return rc;
	if (!ti.valuetype)
		return -EBADMSG;
	if (ti.is_enum) {
		size_t sz = mv_elem_size(ti.enum_elem);
		if (!sz)
			return -EBADMSG;
		rc = dump_read(rt_dump(rt), addr, raw, sz);
		return rc ? rc : mv_put_enum(rt, mt, &ti, raw, b);
	}
	if (ti.is_primitive)
		return mv_render_at(rt, addr, ti.elem, 0, b, depth + 1);
	if (ti.is_nullable) {
		uint64_t has;
		rc = mv_read_int_field(rt, mt, addr, "hasValue", &has);
		rc = rc ? rc : mv_field_named(rt, mt, "value", &f);
		if (rc)
			return rc;
		if (!has) {
			strbuf_puts(b, "null");
			return 0;
		}
		return render_field(rt, addr, f, b, depth + 1);
	}
	kind = well_known_kind(rt, mt);
	if (kind != WK_NONE)
		return put_well_known(rt, kind, mt, addr, b);
	return put_struct(rt, mt, addr, b, depth);
}

int mv_render_at(struct rt *rt, uint64_t addr, uint8_t elem, uint64_t type_mt, struct strbuf *b,
		 unsigned depth)
{
	uint8_t raw[8];
	size_t sz = mv_elem_size(elem), before = b->len;
	uint64_t ref;
	int rc;

	if (sz && !type_mt) {
		rc = dump_read(rt_dump(rt), addr, raw, sz);
		if (!rc)
			mv_put_primitive(b, elem, raw);
	} else if (sz || elem == META_ELEM_VALUETYPE) {
		/* A field of an enum type has the enum's underlying elem and
		 * the enum's MethodTable (fields.h): the type decides. */
		rc = put_valuetype(rt, addr, type_mt, b, depth);
		/* A nested value already says where it failed; else say it here. */
		if (rc && b->len != before)
			return rc;
	} else {
		rc = dump_read_ptr(rt_dump(rt), addr, &ref);
		if (!rc)
			return mv_put_reference(rt, ref, b);
	}
	if (rc) {
		b->len = before;
		if (b->data)
			b->data[before] = '\0';
		reason_put_unreadable(b, rc);
	}
	return rc;
}

int mv_render_value(struct rt *rt, uint64_t addr, uint8_t elem, uint64_t type_mt,
		    struct strbuf *out)
{
	return mv_render_at(rt, addr, elem, type_mt, out, 0);
}

bool mv_is_scalar(struct rt *rt, uint8_t elem, uint64_t type_mt)
{
	struct rt_type_info ti;

	if (elem != META_ELEM_VALUETYPE || !type_mt)
		return true;
	if (rt_type_info(rt, type_mt, &ti))
		return true; /* rendered as <unreadable: ...> */
	return ti.is_enum || ti.is_primitive || ti.is_nullable || mv_is_well_known(rt, type_mt);
}

int mv_static_ref(struct rt *rt, const char *tname, const char *field, uint64_t *out)
{
	const struct rt_field *f;
	size_t nf;
	uint64_t mt, addr;
	int rc = mv_corelib_type(rt, tname, &mt);

	rc = rc ? rc : rt_type_static_fields(rt, mt, &f, &nf);
	for (size_t k = 0; !rc && k < nf; k++)
		if (!strcmp(f[k].name, field)) {
			rc = rt_static_field_addr(rt, mt, &f[k], &addr);
			return rc ? rc : dump_read_ptr(rt_dump(rt), addr, out);
		}
	return rc ? rc : -ENOENT;
}

int mv_obj_ref(struct rt *rt, uint64_t obj, const char *name, uint64_t *out)
{
	uint64_t mt, size;
	int rc = rt_object_size(rt, obj, &mt, &size);

	return rc ? rc : mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), name, out);
}

int mv_obj_int(struct rt *rt, uint64_t obj, const char *name, uint64_t *out)
{
	uint64_t mt, size;
	int rc = rt_object_size(rt, obj, &mt, &size);

	return rc ? rc : mv_read_int_field(rt, mt, rt_object_fields(rt, obj), name, out);
}
