// SPDX-License-Identifier: MIT
// decoder/managed: enum values by member name, [Flags] enums as "A|B", from module metadata.
#include "managed_i.h"

#include "fields.h"
#include "meta.h"
#include "names.h"
#include "reason.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* FieldAttributes (II.23.1.5): an enum's members are static literals. */
#define FIELD_STATIC  0x0010
#define FIELD_LITERAL 0x0040

struct member {
	const char *name;
	uint64_t value; /* zero-extended to 64 bits from the underlying size */
};

static bool is_signed(uint8_t elem)
{
	return elem == META_ELEM_I1 || elem == META_ELEM_I2 || elem == META_ELEM_I4 ||
	       elem == META_ELEM_I8 || elem == META_ELEM_I;
}

/* The raw bits of a value of underlying type elem, zero-extended. */
static uint64_t bits_of(const uint8_t *raw, size_t size)
{
	uint64_t v = 0;
	memcpy(&v, raw, size);
	return v;
}

/* The literal members of the enum TypeDef rid, in metadata order. Caller
 * frees *out. */
static int members_of(const struct meta *m, uint32_t rid, size_t size, struct member **out,
		      size_t *count)
{
	uint32_t first, end, len;
	const uint8_t *blob;
	uint16_t flags;
	uint8_t type;
	struct member *v;
	size_t n = 0;
	int rc = meta_typedef_fields(m, rid, &first, &end);

	if (rc)
		return rc;
	v = calloc(end - first + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t f = first; f < end; f++) {
		if (meta_field_flags(m, f, &flags) ||
		    (flags & (FIELD_STATIC | FIELD_LITERAL)) != (FIELD_STATIC | FIELD_LITERAL))
			continue;
		if (meta_field_name(m, f, &v[n].name) ||
		    meta_constant(m, META_TOKEN(META_TABLE_FIELD, f), &type, &blob, &len))
			continue;
		if (len != size) /* a constant of another width is not this enum's */
			continue;
		v[n++].value = bits_of(blob, size);
	}
	*out = v;
	*count = n;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	return x->value < y->value ? -1 : x->value > y->value;
}

static void put_number(struct strbuf *b, uint64_t v, size_t size, uint8_t elem)
{
	if (is_signed(elem)) {
		int64_t s = (int64_t)v;
		if (size < 8 && (v >> (8 * size - 1) & 1))
			s = (int64_t)(v | ~UINT64_C(0) << (8 * size));
		strbuf_printf(b, "%" PRId64, s);
	} else {
		strbuf_printf(b, "%" PRIu64, v);
	}
}

/* Enum.ToString() of a [Flags] enum: the members whose bits are all in the
 * value, taken largest first, none twice, shown lowest first; the value
 * when bits are left over (dotnet/runtime Enum.cs, TryFormatFlagNames).
 * members is sorted by value. */
static bool put_flags(struct strbuf *b, const struct member *v, size_t n, uint64_t value)
{
	bool *take = calloc(n ? n : 1, sizeof(*take));
	uint64_t left = value;
	bool first = true;

	if (!take)
		return false;
	for (size_t i = n; i-- > 0 && left;) {
		if (v[i].value && (left & v[i].value) == v[i].value) {
			left &= ~v[i].value;
			take[i] = true;
		}
	}
	if (!left) {
		for (size_t i = 0; i < n; i++) {
			if (take[i]) {
				strbuf_puts(b, first ? "" : "|");
				name_put(b, v[i].name, strlen(v[i].name));
				first = false;
			}
		}
	}
	free(take);
	return !left;
}

int mv_put_enum(struct rt *rt, uint64_t mt, const struct rt_type_info *ti, const uint8_t *raw,
		struct strbuf *b)
{
	const struct meta *m;
	struct member *v = NULL;
	size_t n = 0, size = mv_elem_size(ti->enum_elem);
	uint64_t value = bits_of(raw, size);
	int rc = rt_module_meta(rt, ti->module, &m), flags;

	(void)mt;
	rc = rc ? rc : members_of(m, ti->typedef_rid, size, &v, &n);
	if (rc) {
		/* Without names the number is still the value, but say why. */
		put_number(b, value, size, ti->enum_elem);
		strbuf_puts(b, " ");
		reason_put_unreadable(b, rc);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].value == value) {
			name_put(b, v[i].name, strlen(v[i].name));
			goto out;
		}
	}
	flags = meta_has_custom_attribute(m, META_TOKEN(META_TABLE_TYPEDEF, ti->typedef_rid),
					  "System", "FlagsAttribute");
	if (flags == 1 && value) {
		qsort(v, n, sizeof(*v), by_value);
		if (put_flags(b, v, n, value))
			goto out;
	}
	put_number(b, value, size, ti->enum_elem);
out:
	free(v);
	return 0;
}
