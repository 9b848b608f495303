/* SPDX-License-Identifier: MIT */
/* decoder/runtime: a type's fields (FieldDescs) and the facts a value renderer needs. */
#ifndef CLRFS_FIELDS_H
#define CLRFS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;

/* One field of a type, from its FieldDesc and its metadata. */
struct rt_field {
	char *name;	  /* escaped (names.h); borrowed until rt_close() */
	uint32_t token;	  /* FieldDef token (0x04xxxxxx) */
	/* Instance fields: from the start of the instance data (an object's
	 * data begins at obj + pointer size; a value type's at its first
	 * byte). Static fields: from the statics base, as the FieldDesc has it. */
	uint32_t offset;
	uint8_t elem; /* CorElementType as the FieldDesc has it (ELEMENT_TYPE_I4
		       * 0x08, CLASS 0x12, VALUETYPE 0x11, ...): an enum field
		       * has its underlying type (I4 for an int enum) */
	/* The MethodTable of the field's type when it is a value type other
	 * than a primitive (struct, enum, Nullable<T>, ...) and it is loaded;
	 * else 0. type_err says why it is 0 for such a type (-ENOENT: not
	 * loaded, or a generic instantiation not found; -EIO, -EBADMSG). */
	uint64_t type_mt;
	int type_err;
	/* The declared type in C# form, from the metadata signature:
	 * "System.Int32", "System.String", "Fixture.Marker",
	 * "System.Nullable<System.Int32>", "System.Int32[]"; generic
	 * parameters resolved through the owner's instantiation when it is
	 * exact, else the parameter's name ("T"). Borrowed until rt_close(). */
	char *type_name;
	uint64_t owner_mt; /* the type that declares it (the exact instantiation) */
	bool is_static, is_thread_static;
	bool is_rva; /* a static whose data is in the image (offset is an RVA) */
};

/* Instance fields of the type mt, inherited ones first (base class first),
 * in offset order within each level. Built once per MethodTable: *fields is
 * borrowed until rt_close(). -EIO when the type's data or its module's
 * metadata is missing, -EBADMSG when its FieldDescs fail their checks
 * (back-pointer, token range, counts), -ENOTSUP when this runtime's
 * descriptor lacks a layout used here. */
int rt_type_instance_fields(struct rt *rt, uint64_t mt, const struct rt_field **fields,
			    size_t *count);
/* Static fields (thread statics too) the type mt declares itself; listed
 * only, offsets as the FieldDesc has them. Borrowed; errors as above. */
int rt_type_static_fields(struct rt *rt, uint64_t mt, const struct rt_field **fields,
			  size_t *count);

/* The MethodTables of module's loaded types: each TypeDef the runtime has
 * loaded (Module.TypeDefToMethodTableMap), then the generic instantiations
 * its AvailableTypeParams table holds; TypeDescs left out. The caller frees
 * *mts. Errors as above. */
int rt_module_types(struct rt *rt, uint64_t module, uint64_t **mts, size_t *count);
/* The MethodTable of module's TypeDef whose full name (meta.h
 * meta_typedef_fullname(): "Namespace.Outer+Inner") is fullname: its token
 * found in the metadata, then the runtime's map; -ENOENT when there is no
 * such TypeDef or the runtime has not loaded it. Touches only the metadata's
 * TypeDef names, not every loaded type. */
int rt_module_type_by_name(struct rt *rt, uint64_t module, const char *fullname, uint64_t *mt);

/* Size in bytes of an unboxed value of the value type mt: BaseSize minus
 * EEClass::m_cbBaseSizePadding (MethodTable::GetNumInstanceFieldBytes()).
 * -EINVAL when mt is not a value type; -EIO, -EBADMSG. */
int rt_valuetype_size(struct rt *rt, uint64_t mt, uint32_t *size);

/* Facts about a MethodTable the value renderer needs. */
struct rt_type_info {
	bool valuetype;	   /* a value type (struct, enum, primitive, Nullable) */
	bool is_enum;	   /* its parent is System.Enum */
	bool is_nullable;  /* System.Nullable<T> */
	bool is_primitive; /* Boolean, Char, the integers, Single, Double, IntPtr, UIntPtr */
	bool is_string, is_array;
	uint8_t elem;		 /* its own CorElementType (EEClass::m_NormType): I4 for
				  * System.Int32 and int enums, VALUETYPE for structs,
				  * CLASS for classes, SZARRAY/ARRAY for arrays */
	uint8_t enum_elem;	 /* an enum's underlying CorElementType, else 0 */
	uint32_t rank;		 /* arrays: 1 for T[], n for T[,...]; else 0 */
	uint64_t element_mt;	 /* arrays: the element type handle (may be a TypeDesc) */
	uint8_t elem_of_array;	 /* arrays: CorElementType of the elements (CLASS for
				  * references, I4 for int[], VALUETYPE for structs) */
	uint32_t component_size; /* strings and arrays, else 0 */
	uint32_t base_size;
	uint64_t parent_mt; /* 0 for System.Object and interfaces */
	uint64_t module;
	uint32_t typedef_rid; /* 0 for arrays */
};
/* -EIO when unreadable, -EBADMSG when the MethodTable is not plausible. */
int rt_type_info(struct rt *rt, uint64_t mt, struct rt_type_info *out);

#endif
