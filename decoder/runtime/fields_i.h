/* SPDX-License-Identifier: MIT */
/* decoder/runtime internals shared by fields.c and fieldtype.c. */
#ifndef CLRFS_FIELDS_I_H
#define CLRFS_FIELDS_I_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "fields.h"

struct rt;
struct meta;

/* A MethodTable as read once, its canonical MethodTable and EEClass checked. */
struct mt_raw {
	uint32_t flags, base_size, rid; /* rid: the TypeDef, 0 when unknown */
	uint64_t parent, module, per_inst;
	uint64_t canon_mt, eeclass;
};

struct field_entry;
struct params_entry;

/* The type facts rt_type_info() gave last, in front of infos: rendering a
 * value asks for its type several times, and a file of values asks for the
 * same few types. Direct-mapped by MethodTable; mt 0 is an empty slot. */
#define RT_INFO_SLOTS 16
struct rt_info_slot {
	uint64_t mt;
	struct rt_type_info info;
};

struct rt_fields {
	struct field_entry *types;   /* by MethodTable */
	struct params_entry *params; /* a module's AvailableTypeParams, by module */
	struct info_entry *infos;    /* rt_type_info() results, by MethodTable */
	struct rt_info_slot slots[RT_INFO_SLOTS];
};

/* Reads the MethodTable at mt, its canonical MethodTable and its EEClass
 * checked by the EEClass's back pointer. */
int fields_read_mt(struct rt *rt, uint64_t mt, struct mt_raw *out);

/* What a field's signature says, for the field of the type owner_mt
 * declared in metadata m: *name (caller frees), and *type_mt / *type_err
 * for a value type. */
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
/* rt_module_types(); ntypedefs: the module's TypeDef rows. */
int fields_module_types(struct rt *rt, struct rt_fields *c, uint64_t module, uint32_t ntypedefs,
			uint64_t **mts, size_t *count);

#endif
