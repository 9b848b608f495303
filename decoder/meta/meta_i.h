/* SPDX-License-Identifier: MIT */
/* decoder/meta internals: the validated image, table schema and cell access. */
#ifndef CLRFS_META_I_H
#define CLRFS_META_I_H

#include "meta.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define META_COLS_MAX 9

/* A heap stream (#Strings, #Blob, #GUID, #US) inside the metadata. */
struct meta_heap {
	const uint8_t *base; /* NULL when the stream is absent */
	uint32_t size;
};

/* One table of the #~ stream: rows of row_size bytes from base. */
struct meta_table {
	const uint8_t *base;
	uint32_t rows, row_size;
	uint8_t ncols;
	uint8_t col_off[META_COLS_MAX], col_width[META_COLS_MAX]; /* width 1, 2 or 4 */
};

/* Everything below points into the caller's image and is checked by
 * meta_open(): each table lies inside #~, each string index is below the
 * #Strings size (which ends with a NUL), each blob fits #Blob, each coded
 * index has a valid tag and a row in range, and TypeDef field and method
 * lists are non-decreasing within [1, rows+1]. */
struct meta {
	const uint8_t *image;
	size_t size;
	int layout;
	const uint8_t *md; /* metadata root */
	uint32_t md_size;
	char version[META_VERSION_MAX + 1];
	struct meta_heap strings, blob, guid, us;
	const uint8_t *tables_stream;
	uint32_t tables_size;
	bool uncompressed; /* a #- stream: FieldPtr and the like may be present */
	uint8_t heap_sizes;
	uint64_t valid, sorted;
	struct meta_table tables[META_TABLE_COUNT];
	/* Whether these tables really are sorted by their key column (checked
	 * at open; binary search only then). */
	bool nested_sorted, constant_sorted, gp_sorted, ca_sorted;
};

/* Parses the #~ / #- stream held in m->tables_stream (tables.c). */
int meta_tables_parse(struct meta *m, char *err, size_t errlen);

static inline uint32_t meta_le(const uint8_t *p, unsigned width)
{
	/* A switch, not memcpy(&v, p, width): with a constant size each read
	 * is a single load, and every cell of every table is read at open. */
	switch (width) {
	case 1:
		return p[0];
	case 2:
		return (uint32_t)p[0] | (uint32_t)p[1] << 8;
	default:
		return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24;
	}
}

/* A cell of a row known to exist (1 <= rid <= rows). */
static inline uint32_t meta_cell(const struct meta *m, unsigned table, uint32_t rid, unsigned col)
{
	const struct meta_table *t = &m->tables[table];
	return meta_le(t->base + (size_t)(rid - 1) * t->row_size + t->col_off[col],
		       t->col_width[col]);
}

static inline bool meta_rid_ok(const struct meta *m, unsigned table, uint32_t rid)
{
	return table < META_TABLE_COUNT && rid >= 1 && rid <= m->tables[table].rows;
}

/* A string known to be valid (checked at open). */
static inline const char *meta_str(const struct meta *m, uint32_t index)
{
	return m->strings.base ? (const char *)m->strings.base + index : "";
}

/* Decodes a coded index value into a token (0 when its row is 0). */
uint32_t meta_coded_token(unsigned kind, uint32_t value);
/* Encodes a token as a coded index value; -ENOENT when the kind cannot hold it. */
int meta_coded_value(unsigned kind, uint32_t token, uint32_t *value);
/* Bounds-checked heap entries shared by blobs and user strings. */
int meta_heap_entry(const struct meta_heap *h, uint32_t index, const uint8_t **p, uint32_t *len);

/* Formats why an image is malformed into err (when given); returns -EBADMSG. */
int meta_bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
