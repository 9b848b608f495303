// SPDX-License-Identifier: MIT
// The tables of the runtime lines: what each line's contract descriptor lacks,
// named as the descriptor names it (layout_i.h struct lay_row). Every row says
// where it comes from; rows are checked on the dump at open (layout.c) and by
// the code that reads them. docs/layouts.md lists, per line, which source
// each layout comes from.
#include "layout_i.h"

#include <string.h>

#define ROWS(a) a, sizeof(a) / sizeof(a[0])
#define G(name, v)		  {name, NULL, v, LAY_VALUE}
#define F(type, field, v)	  {type, field, v, LAY_VALUE}

/* The GC handle table's constants, the same on every line up to 11.0, which
 * publishes them: src/coreclr/gc/handletablepriv.h HANDLE_SEGMENT_SIZE,
 * HANDLE_HANDLES_PER_BLOCK, HANDLE_BLOCKS_PER_SEGMENT ((0x10000 - 0x1000) /
 * 8 / 64 on 64-bit); objecthandle.h INITIAL_HANDLE_TABLE_ARRAY_SIZE; the
 * HandleTableMap { pBuckets, pNext, u32 dwMaxIndex } and HandleTableBucket
 * { pTable, u32 HandleTableIndex } of objecthandle.h. */
#define HANDLE_TABLE_ROWS                                                                          \
	G("HandleSegmentSize", 0x10000), G("HandlesPerBlock", 64),                                 \
		G("HandleBlocksPerSegment", 120), G("InitialHandleTableArraySize", 10),            \
		F("HandleTableMap", "BucketsPtr", 0), F("HandleTableMap", "Next", 8),              \
		F("HandleTableMap", "MaxIndex", 16), F("HandleTableBucket", "Table", 0),           \
		F("HandleTableBucket", "HandleTableIndex", 8)

static const struct lay_row net10[] = {
	/* EEClass::m_cbBaseSizePadding, the byte after m_NormType (class.h;
	 * published as EEClass.BaseSizePadding from 11.0, at 49 as here). */
	F("EEClass", "BaseSizePadding", 49),
	/* FieldDesc (src/coreclr/vm/field.h, 64-bit release build; published
	 * from 11.0 with these offsets): checked on 1,026 FieldDescs of 10.0.12. */
	F("FieldDesc", "!", 16),
	F("FieldDesc", "MTOfEnclosingClass", 0),
	F("FieldDesc", "DWord1", 8),
	F("FieldDesc", "DWord2", 12),
	/* 13 handle types: HNDTYPE_WEAK_SHORT..HNDTYPE_CROSSREFERENCE (0..11)
	 * plus the data-block type 12 (handletableconstants.h; seen on 10.0.12
	 * as HandleTable.pSegmentList at +56 = align8(13 * 4) and as each
	 * segment's pHandleTable back pointer). HNDF_EXTRAINFO for variable (4),
	 * dependent (6), sizedref (8), weak native COM (9), weak interior
	 * pointer (10), cross-reference (11): objecthandle.cpp s_rgTypeFlags. */
	G("HandleMaxInternalTypes", 13),
	G("HandleExtraInfoTypes", 0xf50),
	F("HandleTable", "SegmentList", 56),
	HANDLE_TABLE_ROWS,
	/* CFinalize: m_FillPointers[total_generation_count + ExtraSegCount (2)]
	 * at 0 (gcpriv.h; dac_finalize_queue in gcinterface.dac.h, which the GC
	 * static_asserts to match). */
	G("CFinalizeFillPointersLength", 7),
	F("CFinalize", "FillPointers", 0),
};

static const struct lay_line lines[] = {
	{"10.0", "10.0.", ROWS(net10)},
};

const struct lay_line *lay_line_find(const char *v)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strncmp(v, lines[i].prefix, strlen(lines[i].prefix)))
			return &lines[i];
	return NULL;
}
