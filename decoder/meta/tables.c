// SPDX-License-Identifier: MIT
// The #~ tables stream: schema of every table, row sizes, and validation of every cell (ECMA-335
// II.22, II.24.2.6).
#include "meta_i.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* Column kinds; a schema cell is kind << 8 | argument. */
enum {
	C_END,
	C_FIXED,  /* argument: width in bytes */
	C_STRING, /* #Strings index */
	C_GUID,	  /* #GUID index (1-based, 16-byte entries) */
	C_BLOB,	  /* #Blob index */
	C_INDEX,  /* argument: table; a RID in [0, rows] */
	C_LIST,	  /* argument: table; first RID of a run, in [1, rows+1] */
	C_CODED,  /* argument: enum meta_coded */
};
#define F(w) (C_FIXED << 8 | (w))
#define S    (C_STRING << 8)
#define G    (C_GUID << 8)
#define B    (C_BLOB << 8)
#define I(t) (C_INDEX << 8 | META_TABLE_##t)
#define L(t) (C_LIST << 8 | META_TABLE_##t)
#define X(k) (C_CODED << 8 | META_CODED_##k)

/* II.22: the columns of each table, in order. */
static const uint16_t schema[META_TABLE_COUNT][META_COLS_MAX] = {
	[META_TABLE_MODULE] = {F(2), S, G, G, G},
	[META_TABLE_TYPEREF] = {X(RESOLUTIONSCOPE), S, S},
	[META_TABLE_TYPEDEF] = {F(4), S, S, X(TYPEDEFORREF), L(FIELD), L(METHODDEF)},
	[META_TABLE_FIELDPTR] = {I(FIELD)},
	[META_TABLE_FIELD] = {F(2), S, B},
	[META_TABLE_METHODPTR] = {I(METHODDEF)},
	[META_TABLE_METHODDEF] = {F(4), F(2), F(2), S, B, L(PARAM)},
	[META_TABLE_PARAMPTR] = {I(PARAM)},
	[META_TABLE_PARAM] = {F(2), F(2), S},
	[META_TABLE_INTERFACEIMPL] = {I(TYPEDEF), X(TYPEDEFORREF)},
	[META_TABLE_MEMBERREF] = {X(MEMBERREFPARENT), S, B},
	[META_TABLE_CONSTANT] = {F(1), F(1), X(HASCONSTANT), B},
	[META_TABLE_CUSTOMATTRIBUTE] = {X(HASCUSTOMATTRIBUTE), X(CUSTOMATTRIBUTETYPE), B},
	[META_TABLE_FIELDMARSHAL] = {X(HASFIELDMARSHAL), B},
	[META_TABLE_DECLSECURITY] = {F(2), X(HASDECLSECURITY), B},
	[META_TABLE_CLASSLAYOUT] = {F(2), F(4), I(TYPEDEF)},
	[META_TABLE_FIELDLAYOUT] = {F(4), I(FIELD)},
	[META_TABLE_STANDALONESIG] = {B},
	[META_TABLE_EVENTMAP] = {I(TYPEDEF), L(EVENT)},
	[META_TABLE_EVENTPTR] = {I(EVENT)},
	[META_TABLE_EVENT] = {F(2), S, X(TYPEDEFORREF)},
	[META_TABLE_PROPERTYMAP] = {I(TYPEDEF), L(PROPERTY)},
	[META_TABLE_PROPERTYPTR] = {I(PROPERTY)},
	[META_TABLE_PROPERTY] = {F(2), S, B},
	[META_TABLE_METHODSEMANTICS] = {F(2), I(METHODDEF), X(HASSEMANTICS)},
	[META_TABLE_METHODIMPL] = {I(TYPEDEF), X(METHODDEFORREF), X(METHODDEFORREF)},
	[META_TABLE_MODULEREF] = {S},
	[META_TABLE_TYPESPEC] = {B},
	[META_TABLE_IMPLMAP] = {F(2), X(MEMBERFORWARDED), S, I(MODULEREF)},
	[META_TABLE_FIELDRVA] = {F(4), I(FIELD)},
	[META_TABLE_ENCLOG] = {F(4), F(4)},
	[META_TABLE_ENCMAP] = {F(4)},
	[META_TABLE_ASSEMBLY] = {F(4), F(2), F(2), F(2), F(2), F(4), B, S, S},
	[META_TABLE_ASSEMBLYPROCESSOR] = {F(4)},
	[META_TABLE_ASSEMBLYOS] = {F(4), F(4), F(4)},
	[META_TABLE_ASSEMBLYREF] = {F(2), F(2), F(2), F(2), F(4), B, S, S, B},
	[META_TABLE_ASSEMBLYREFPROCESSOR] = {F(4), I(ASSEMBLYREF)},
	[META_TABLE_ASSEMBLYREFOS] = {F(4), F(4), F(4), I(ASSEMBLYREF)},
	[META_TABLE_FILE] = {F(4), S, B},
	[META_TABLE_EXPORTEDTYPE] = {F(4), F(4), S, S, X(IMPLEMENTATION)},
	[META_TABLE_MANIFESTRESOURCE] = {F(4), F(4), S, X(IMPLEMENTATION)},
	[META_TABLE_NESTEDCLASS] = {I(TYPEDEF), I(TYPEDEF)},
	[META_TABLE_GENERICPARAM] = {F(2), F(2), X(TYPEORMETHODDEF), S},
	[META_TABLE_METHODSPEC] = {X(METHODDEFORREF), B},
	[META_TABLE_GENERICPARAMCONSTRAINT] = {I(GENERICPARAM), X(TYPEDEFORREF)},
};

#define NONE 0xff /* a tag that names no table */

/* II.24.2.6: the tables a coded index can name, by tag. */
static const struct coded {
	uint8_t bits, ntags;
	uint8_t tables[22];
} coded[META_CODED_COUNT] = {
	[META_CODED_TYPEDEFORREF] = {2,
				     3,
				     {META_TABLE_TYPEDEF, META_TABLE_TYPEREF, META_TABLE_TYPESPEC}},
	[META_CODED_HASCONSTANT] = {2,
				    3,
				    {META_TABLE_FIELD, META_TABLE_PARAM, META_TABLE_PROPERTY}},
	[META_CODED_HASCUSTOMATTRIBUTE] = {5, 22, {META_TABLE_METHODDEF,
						   META_TABLE_FIELD,
						   META_TABLE_TYPEREF,
						   META_TABLE_TYPEDEF,
						   META_TABLE_PARAM,
						   META_TABLE_INTERFACEIMPL,
						   META_TABLE_MEMBERREF,
						   META_TABLE_MODULE,
						   META_TABLE_DECLSECURITY,
						   META_TABLE_PROPERTY,
						   META_TABLE_EVENT,
						   META_TABLE_STANDALONESIG,
						   META_TABLE_MODULEREF,
						   META_TABLE_TYPESPEC,
						   META_TABLE_ASSEMBLY,
						   META_TABLE_ASSEMBLYREF,
						   META_TABLE_FILE,
						   META_TABLE_EXPORTEDTYPE,
						   META_TABLE_MANIFESTRESOURCE,
						   META_TABLE_GENERICPARAM,
						   META_TABLE_GENERICPARAMCONSTRAINT,
						   META_TABLE_METHODSPEC}},
	[META_CODED_HASFIELDMARSHAL] = {1, 2, {META_TABLE_FIELD, META_TABLE_PARAM}},
	[META_CODED_HASDECLSECURITY] =
		{2, 3, {META_TABLE_TYPEDEF, META_TABLE_METHODDEF, META_TABLE_ASSEMBLY}},
	[META_CODED_MEMBERREFPARENT] = {3,
					5,
					{META_TABLE_TYPEDEF, META_TABLE_TYPEREF,
					 META_TABLE_MODULEREF, META_TABLE_METHODDEF,
					 META_TABLE_TYPESPEC}},
	[META_CODED_HASSEMANTICS] = {1, 2, {META_TABLE_EVENT, META_TABLE_PROPERTY}},
	[META_CODED_METHODDEFORREF] = {1, 2, {META_TABLE_METHODDEF, META_TABLE_MEMBERREF}},
	[META_CODED_MEMBERFORWARDED] = {1, 2, {META_TABLE_FIELD, META_TABLE_METHODDEF}},
	[META_CODED_IMPLEMENTATION] =
		{2, 3, {META_TABLE_FILE, META_TABLE_ASSEMBLYREF, META_TABLE_EXPORTEDTYPE}},
	[META_CODED_CUSTOMATTRIBUTETYPE] =
		{3, 5, {NONE, NONE, META_TABLE_METHODDEF, META_TABLE_MEMBERREF, NONE}},
	[META_CODED_RESOLUTIONSCOPE] = {2,
					4,
					{META_TABLE_MODULE, META_TABLE_MODULEREF,
					 META_TABLE_ASSEMBLYREF, META_TABLE_TYPEREF}},
	[META_CODED_TYPEORMETHODDEF] = {1, 2, {META_TABLE_TYPEDEF, META_TABLE_METHODDEF}},
};

uint32_t meta_coded_token(unsigned kind, uint32_t value)
{
	const struct coded *c = &coded[kind];
	uint32_t tag = value & ((1u << c->bits) - 1), rid = value >> c->bits;
	if (rid == 0 || tag >= c->ntags || c->tables[tag] == NONE)
		return 0;
	return META_TOKEN(c->tables[tag], rid);
}

int meta_coded_value(unsigned kind, uint32_t token, uint32_t *value)
{
	const struct coded *c = &coded[kind];
	for (uint32_t tag = 0; tag < c->ntags; tag++) {
		if (c->tables[tag] == META_TOKEN_TABLE(token)) {
			*value = META_TOKEN_RID(token) << c->bits | tag;
			return 0;
		}
	}
	return -ENOENT;
}

/* II.23.2: a compressed length prefix, then that many bytes. */
int meta_heap_entry(const struct meta_heap *h, uint32_t index, const uint8_t **p, uint32_t *len)
{
	uint64_t hdr, n;
	uint8_t b;

	if (!h->base) {
		if (index)
			return -EBADMSG;
		*p = NULL;
		*len = 0;
		return 0;
	}
	if (index >= h->size)
		return -EBADMSG;
	b = h->base[index];
	if ((b & 0x80) == 0) {
		hdr = 1;
		n = b;
	} else if ((b & 0xc0) == 0x80) {
		hdr = 2;
		if (h->size - index < hdr)
			return -EBADMSG;
		n = (uint64_t)(b & 0x3f) << 8 | h->base[index + 1];
	} else if ((b & 0xe0) == 0xc0) {
		hdr = 4;
		if (h->size - index < hdr)
			return -EBADMSG;
		n = (uint64_t)(b & 0x1f) << 24 | (uint64_t)h->base[index + 1] << 16 |
		    (uint64_t)h->base[index + 2] << 8 | h->base[index + 3];
	} else {
		return -EBADMSG;
	}
	if (hdr + n > (uint64_t)h->size - index)
		return -EBADMSG;
	*p = h->base + index + hdr;
	*len = (uint32_t)n;
	return 0;
}

int meta_blob(const struct meta *m, uint32_t index, const uint8_t **blob, uint32_t *len)
{
	return meta_heap_entry(&m->blob, index, blob, len);
}

int meta_user_string(const struct meta *m, uint32_t index, const uint8_t **utf16, uint32_t *nbytes)
{
	const uint8_t *p;
	uint32_t n;
	int rc = meta_heap_entry(&m->us, index, &p, &n);
	if (rc)
		return rc;
	if (n == 0) {
		*utf16 = p;
		*nbytes = 0;
		return 0;
	}
	if ((n & 1) == 0)
		return -EBADMSG; /* II.24.2.4: even bytes of UTF-16 plus one flag byte */
	*utf16 = p;
	*nbytes = n - 1;
	return 0;
}

uint32_t meta_table_rows(const struct meta *m, unsigned table)
{
	return table < META_TABLE_COUNT ? m->tables[table].rows : 0;
}

static unsigned coded_width(const struct meta *m, unsigned kind)
{
	const struct coded *c = &coded[kind];
	uint32_t max = 0;
	for (unsigned i = 0; i < c->ntags; i++)
		if (c->tables[i] != NONE && m->tables[c->tables[i]].rows > max)
			max = m->tables[c->tables[i]].rows;
	return max < (1u << (16 - c->bits)) ? 2 : 4;
}

/* Column widths and offsets of every table, from the row counts and heap sizes. */
static void layout_tables(struct meta *m)
{
	for (unsigned t = 0; t < META_TABLE_COUNT; t++) {
		struct meta_table *tb = &m->tables[t];
		unsigned off = 0, i;
		for (i = 0; i < META_COLS_MAX && schema[t][i] != C_END; i++) {
			unsigned kind = schema[t][i] >> 8, arg = schema[t][i] & 0xff, w;
			switch (kind) {
			case C_FIXED:
				w = arg;
				break;
			case C_STRING:
				w = m->heap_sizes & META_HEAP_STRINGS_WIDE ? 4 : 2;
				break;
			case C_GUID:
				w = m->heap_sizes & META_HEAP_GUID_WIDE ? 4 : 2;
				break;
			case C_BLOB:
				w = m->heap_sizes & META_HEAP_BLOB_WIDE ? 4 : 2;
				break;
			case C_CODED:
				w = coded_width(m, arg);
				break;
			default:
				w = m->tables[arg].rows < 0x10000 ? 2 : 4;
				break;
			}
			tb->col_off[i] = (uint8_t)off;
			tb->col_width[i] = (uint8_t)w;
			off += w;
		}
		tb->ncols = (uint8_t)i;
		tb->row_size = off;
	}
}

/* Checks one cell against the heaps and tables it refers to. */
static int check_cell(const struct meta *m, unsigned t, uint32_t rid, unsigned col, char *err,
		      size_t errlen)
{
	unsigned kind = schema[t][col] >> 8, arg = schema[t][col] & 0xff;
	uint32_t v = meta_cell(m, t, rid, col), n;
	const uint8_t *p;

	switch (kind) {
	case C_STRING:
		if (m->strings.base ? v < m->strings.size : v == 0)
			return 0;
		break;
	case C_GUID:
		if (v <= m->guid.size / 16)
			return 0;
		break;
	case C_BLOB:
		if (meta_heap_entry(&m->blob, v, &p, &n) == 0)
			return 0;
		break;
	case C_INDEX:
		if (v <= m->tables[arg].rows)
			return 0;
		break;
	case C_LIST:
		if (v >= 1 && v <= (uint64_t)m->tables[arg].rows + 1)
			return 0;
		break;
	case C_CODED: {
		const struct coded *c = &coded[arg];
		uint32_t tag = v & ((1u << c->bits) - 1);
		if (tag < c->ntags && c->tables[tag] != NONE &&
		    (v >> c->bits) <= m->tables[c->tables[tag]].rows)
			return 0;
		if (tag < c->ntags && v >> c->bits == 0)
			return 0; /* a null coded index: the tag does not matter */
		break;
	}
	default:
		return 0;
	}
	return meta_bad(err, errlen, "table 0x%02x row %u column %u: index 0x%x is out of range", t,
			rid, col, v);
}

/* Whether every value of a coded-index column is valid, from what one pass
 * gathered: seen[tag] when some cell has that tag, max[tag] the greatest
 * row number under it. Same rule as check_cell(). */
static bool coded_ok(const struct meta *m, const struct coded *c, const bool *seen,
		     const uint32_t *max)
{
	for (unsigned tag = 0; tag < (1u << c->bits); tag++) {
		if (!seen[tag])
			continue;
		if (tag >= c->ntags)
			return false;
		if (max[tag] == 0)
			continue; /* only null indexes: the tag does not matter */
		if (c->tables[tag] == NONE || max[tag] > m->tables[c->tables[tag]].rows)
			return false;
	}
	return true;
}

/* Checks every cell of column col of table t in one pass over the rows:
 * range-valued columns by their least and greatest value, coded indexes by
 * the greatest row per tag, blob indexes entry by entry. A bad column is
 * scanned again cell by cell, which names the first bad row. Every cell of
 * every table is read here at open: CoreLib has some 300,000. */
static int check_column(const struct meta *m, unsigned t, unsigned col, char *err, size_t errlen)
{
	const struct meta_table *tb = &m->tables[t];
	unsigned kind = schema[t][col] >> 8, arg = schema[t][col] & 0xff;
	unsigned width = tb->col_width[col];
	const uint8_t *p = tb->base + tb->col_off[col];
	uint32_t lo = UINT32_MAX, hi = 0;
	bool ok = true;

	if (tb->rows == 0 || kind == C_FIXED)
		return 0;
	switch (kind) {
	case C_CODED: {
		const struct coded *c = &coded[arg];
		/* At most 5 tag bits (HasCustomAttribute, II.24.2.6). */
		uint32_t mask = (1u << c->bits) - 1, max[32] = {0};
		bool seen[32] = {0};
		for (uint32_t r = 0; r < tb->rows; r++, p += tb->row_size) {
			uint32_t v = meta_le(p, width), tag = v & mask, row = v >> c->bits;
			seen[tag] = true;
			max[tag] = row > max[tag] ? row : max[tag];
		}
		ok = coded_ok(m, c, seen, max);
		break;
	}
	case C_BLOB: {
		const uint8_t *e;
		uint32_t n;
		for (uint32_t r = 0; ok && r < tb->rows; r++, p += tb->row_size)
			ok = meta_heap_entry(&m->blob, meta_le(p, width), &e, &n) == 0;
		break;
	}
	default: /* C_STRING, C_GUID, C_INDEX, C_LIST */
		for (uint32_t r = 0; r < tb->rows; r++, p += tb->row_size) {
			uint32_t v = meta_le(p, width);
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		switch (kind) {
		case C_STRING:
			ok = m->strings.base ? hi < m->strings.size : hi == 0;
			break;
		case C_GUID:
			ok = hi <= m->guid.size / 16;
			break;
		case C_INDEX:
			ok = hi <= m->tables[arg].rows;
			break;
		default: /* C_LIST */
			ok = lo >= 1 && hi <= (uint64_t)m->tables[arg].rows + 1;
			break;
		}
	}
	for (uint32_t rid = 1; !ok && rid <= tb->rows; rid++) {
		int rc = check_cell(m, t, rid, col, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* Whether the rows are sorted (non-decreasing) by column col. */
static bool sorted_by(const struct meta *m, unsigned t, unsigned col)
{
	for (uint32_t rid = 2; rid <= m->tables[t].rows; rid++)
		if (meta_cell(m, t, rid - 1, col) > meta_cell(m, t, rid, col))
			return false;
	return true;
}

int meta_tables_parse(struct meta *m, char *err, size_t errlen)
{
	struct meta_tables_header h;
	uint64_t pos = sizeof(h), need = 0;

	if (m->tables_size < sizeof(h))
		return meta_bad(err, errlen, "#~ stream of %u bytes is too short", m->tables_size);
	memcpy(&h, m->tables_stream, sizeof(h));
	m->heap_sizes = h.heap_sizes;
	m->valid = h.valid;
	m->sorted = h.sorted;
	if (h.valid >> META_TABLE_COUNT)
		return meta_bad(err, errlen, "#~ declares unknown tables (valid mask 0x%016llx)",
				(unsigned long long)h.valid);
	for (unsigned t = 0; t < META_TABLE_COUNT; t++) {
		if (!(h.valid >> t & 1))
			continue;
		if (pos + 4 > m->tables_size)
			return meta_bad(err, errlen, "#~ row counts run past the stream");
		m->tables[t].rows = meta_le(m->tables_stream + pos, 4);
		if (m->tables[t].rows > META_RID_MAX)
			return meta_bad(err, errlen, "table 0x%02x has %u rows", t,
					m->tables[t].rows);
		pos += 4;
	}
	if (h.heap_sizes & META_HEAP_EXTRA_DATA)
		pos += 4;
	layout_tables(m);
	for (unsigned t = 0; t < META_TABLE_COUNT; t++)
		need += (uint64_t)m->tables[t].rows * m->tables[t].row_size;
	if (pos > m->tables_size || need > m->tables_size - pos)
		return meta_bad(err, errlen, "#~ tables need %llu bytes, the stream has %llu",
				(unsigned long long)(pos + need),
				(unsigned long long)m->tables_size);
	for (unsigned t = 0; t < META_TABLE_COUNT; t++) {
		m->tables[t].base = m->tables_stream + pos;
		pos += (uint64_t)m->tables[t].rows * m->tables[t].row_size;
	}
	for (unsigned t = 0; t < META_TABLE_COUNT; t++) {
		for (unsigned c = 0; c < m->tables[t].ncols; c++) {
			int rc = check_column(m, t, c, err, errlen);
			if (rc)
				return rc;
		}
	}
	/* II.22.37: each list marks the start of a run, so the lists never decrease. */
	if (!sorted_by(m, META_TABLE_TYPEDEF, META_TYPEDEF_FIELDLIST) ||
	    !sorted_by(m, META_TABLE_TYPEDEF, META_TYPEDEF_METHODLIST))
		return meta_bad(err, errlen, "TypeDef field or method lists decrease");
	m->nested_sorted = sorted_by(m, META_TABLE_NESTEDCLASS, META_NESTED_NESTED);
	m->constant_sorted = sorted_by(m, META_TABLE_CONSTANT, META_CONSTANT_PARENT);
	m->gp_sorted = sorted_by(m, META_TABLE_GENERICPARAM, META_GP_OWNER);
	m->ca_sorted = sorted_by(m, META_TABLE_CUSTOMATTRIBUTE, META_CA_PARENT);
	return 0;
}
