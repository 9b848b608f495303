/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals: native layouts the contract descriptor does not
 * publish, one row per supported runtime version (DESIGN.md "Layers"). */
#ifndef CLRFS_LAYOUTS_H
#define CLRFS_LAYOUTS_H

struct rt;

struct rt_native_layout {
	const char *version; /* product version prefix: "10.0." */
	/* HANDLE_MAX_INTERNAL_TYPES (src/coreclr/gc/handletableconstants.h):
	 * sizes HandleTable.rgTypeFlags and the per-type arrays of a handle
	 * table segment's header; the last type marks user-data blocks. */
	unsigned handle_types;
	/* CFinalize::ExtraSegCount (src/coreclr/gc/gcpriv.h): fill pointers
	 * past the per-generation ones (the critical and normal ready lists). */
	unsigned fq_extra_segs;
};

/* This runtime's row, or NULL (with a sentence in dump_diag()) for a
 * version the table lacks. */
const struct rt_native_layout *rt_native_layout(struct rt *rt);

#endif
