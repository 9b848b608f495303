/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals of the layout layer: the tables of the runtime
 * lines (layout_lines.c) and the resolver's helpers (layout.c, layout_gc.c). */
#ifndef CLRFS_LAYOUT_I_H
#define CLRFS_LAYOUT_I_H

#include "layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One row of a line's table: a type's field offset ("Type", "Field"), a
 * type's size ("Type", "!") or a global ("Name", NULL), named as the
 * contract descriptor names them (names of our own where no descriptor has
 * one, listed in docs/layouts.md). A global is a constant, or the address
 * of a runtime variable given by its index in the exported g_dacTable
 * (src/coreclr/inc/dacvars.h order, on the line's linux-x64 build). */
enum lay_row_kind { LAY_VALUE, LAY_DACTABLE };
struct lay_row {
	const char *type, *field;
	uint64_t value;
	enum lay_row_kind kind;
};

struct lay_line {
	const char *name;   /* "10.0" */
	const char *prefix; /* matched against the product version: "10.0." */
	const struct lay_row *rows;
	size_t nrows;
	/* The precode templates of a line whose runtime publishes no
	 * PrecodeMachineDescriptor (PlatformMetadata global), else NULL. */
	const struct rt_lay_precode *precode;
	/* linux-arm64: whether the table was checked on arm64 dumps (else it
	 * serves x86_64 dumps only), the rows that differ there (looked up
	 * before rows), and the precode templates for a process whose page
	 * size is page (NULL: as on x86_64, or published by the runtime). */
	bool arm64;
	const struct lay_row *arm64_rows;
	size_t narm64_rows;
	void (*arm64_precode)(uint32_t page, struct rt_lay_precode *p);
};

/* The table of the runtime line of version v ("10.0.12"), or NULL. */
const struct lay_line *lay_line_find(const char *v);

/* The resolver's state while one group is filled. */
struct lay_res {
	struct rt *rt;
	const struct lay_line *line;
	bool arm64;	   /* the dump is of an aarch64 process */
	uint64_t dactable; /* address of g_dacTable, 0 when not exported */
	enum rt_lay_group g;
	int err;	  /* of the group being filled */
	char what[160]; /* why, for the problem line */
};

/* Begins group g; lay_end() stores its error (first failure wins). */
void lay_begin(struct lay_res *r, enum rt_lay_group g);
void lay_end(struct lay_res *r);
/* The group fails with err and a reason (printf-style), unless it already has. */
void lay_fail(struct lay_res *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Type.field's offset from the descriptor (under name, then alias when not
 * NULL), else from the line's table; the group fails when neither has it. */
void lay_field(struct lay_res *r, uint64_t *out, const char *type, const char *field,
	       const char *alias);
/* The same without failing: whether a source had it. */
bool lay_field_opt(struct lay_res *r, uint64_t *out, const char *type, const char *field);
void lay_size(struct lay_res *r, uint64_t *out, const char *type);
/* A global's value (for an indirect one, the variable's address). */
void lay_global(struct lay_res *r, uint64_t *out, const char *name);
bool lay_global_opt(struct lay_res *r, uint64_t *out, const char *name);

/* The GC, handle table and finalization queue groups (layout_gc.c). */
void lay_gc(struct lay_res *r);
void lay_handles(struct lay_res *r);
void lay_finalizer(struct lay_res *r);

#endif
