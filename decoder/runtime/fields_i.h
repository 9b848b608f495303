/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals shared by fields.c and fieldtype.c. */
#ifndef CLRFS_FIELDS_I_H
#define CLRFS_FIELDS_I_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

struct rt;
struct meta;

#define PTR_SIZE 8

/* MethodTable m_dwFlags (dotnet/runtime src/coreclr/vm/methodtable.h,
 * WFLAGS_HIGH_ENUM; RuntimeTypeSystem.md). */
#define MTF_HAS_COMPONENT_SIZE 0x80000000u
#define MTF_CATEGORY_MASK      0x000f0000u
#define MTF_ARRAY_MASK	       0x000c0000u
#define MTF_ARRAY	       0x00080000u
#define MTF_IF_ARRAY_THEN_SZ   0x00020000u
#define MTF_VALUETYPE_MASK     0x000c0000u
#define MTF_VALUETYPE	       0x00040000u /* ValueType, Nullable, PrimitiveValueType, TruePrimitive */
#define MTF_NULLABLE	       0x00050000u
#define MTF_TRUE_PRIMITIVE     0x00070000u
#define MTF_GENERICS_MASK      0x00000030u
#define MTF_GENERICS_TYPICAL   0x00000030u
#define TH_TYPEDESC	       0x2ull /* TypeHandle bit: a TypeDesc, not a MethodTable */

/* Offsets of what fields.c and fieldtype.c read, from the contract
 * descriptor, and the FieldDesc layout that the descriptor lacks. */
struct fields_layout {
	uint64_t mt_flags, mt_base_size, mt_flags2, mt_parent, mt_module, mt_canon, mt_per_inst;
	uint64_t ee_mt, ee_fdlist, ee_norm, ee_padding, ee_ninst, ee_nstatic, ee_nthread;
	uint64_t rank;
	uint64_t fd_mt, fd_dw1, fd_dw2, fd_size;
	uint64_t mod_typedefs, mod_typerefs, mod_params;
	uint64_t map_next, map_data, map_count, map_mask;
	uint64_t eth_buckets, eth_count, eth_value, eth_next;
};

/* A MethodTable as read once, its canonical MethodTable and EEClass checked. */
struct mt_raw {
	uint32_t flags, base_size, flags2;
	uint64_t parent, module, per_inst;
	uint64_t canon_mt, eeclass;
};

struct field_entry;
struct params_entry;

struct rt_fields {
	int err; /* the layout is unusable: every call returns it */
	struct fields_layout l;
	uint64_t string_mt;
	struct field_entry *types;   /* by MethodTable */
	struct params_entry *params; /* a module's AvailableTypeParams, by module */
	struct info_entry *infos;    /* rt_type_info() results, by MethodTable */
};

int fields_read_mt(struct rt *rt, const struct fields_layout *l, uint64_t mt, struct mt_raw *out);

/* What a field's signature says, for the field of the type owner_mt
 * declared in metadata m: *name (caller frees), and *type_mt / *type_err
 * for a value type. With rt->fields_lock held. */
struct field_owner {
	uint64_t mt, module;
	const struct meta *m;
	uint32_t rid;	   /* the owner's TypeDef */
	uint64_t args[64]; /* the owner's type arguments */
	uint32_t nargs;
};
int fields_sig(struct rt *rt, struct rt_fields *c, const struct field_owner *o, const uint8_t *sig,
	       uint32_t len, uint8_t *sig_elem, char **name, uint64_t *type_mt, int *type_err);
void fields_params_free(struct rt_fields *c);
/* rt_module_types() with rt->fields_lock held; ntypedefs: the module's TypeDef rows. */
int fields_module_types(struct rt *rt, struct rt_fields *c, uint64_t module, uint32_t ntypedefs,
			uint64_t **mts, size_t *count);

#endif
