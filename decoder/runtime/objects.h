/* SPDX-License-Identifier: MIT */
/* decoder/runtime: the headers of strings and arrays (lengths, bounds, where the data starts). */
#ifndef CLRFS_OBJECTS_H
#define CLRFS_OBJECTS_H

#include <stdint.h>

struct rt;

/* Where the instance fields of the object at obj start, which FieldDesc
 * offsets count from: past its MethodTable pointer (sizeof(Object),
 * src/coreclr/vm/object.h; FieldDesc::GetAddress). */
uint64_t rt_object_fields(struct rt *rt, uint64_t obj);

/* The System.String at obj: its length in UTF-16 code units
 * (String.m_StringLength) and the address of its first one
 * (String.m_FirstChar). -EINVAL when obj is not a string, -EIO when
 * unreadable, -EBADMSG when the length is negative or passes the object. */
int rt_string_read(struct rt *rt, uint64_t obj, uint32_t *len, uint64_t *chars);

#define RT_ARRAY_MAX_RANK 32 /* MAX_RANK, dotnet/runtime src/coreclr/vm/array.h */

/* The header of an array. */
struct rt_array {
	uint64_t mt;
	uint64_t length; /* every element (Array.m_NumComponents) */
	uint32_t rank;	 /* 1 for T[] */
	int bounded;	 /* T[,], T[*]: lengths and lower bounds below are read */
	uint32_t lengths[RT_ARRAY_MAX_RANK];
	int32_t lower[RT_ARRAY_MAX_RANK];
	uint64_t data;		 /* the first element */
	uint32_t component_size; /* bytes per element */
	uint8_t elem;		 /* CorElementType of the elements (rt_type_info elem_of_array) */
	uint64_t element_mt;	 /* their type handle */
};

/* Reads the array header at obj. The data of an array starts after the
 * header (Array size in the descriptor) and, for T[,] and T[*], after rank
 * lengths and rank lower bounds (int32 each; ArrayBase, dotnet/runtime
 * src/coreclr/vm/object.h), which must agree with the MethodTable's
 * BaseSize and with m_NumComponents. -EINVAL when obj is not an array,
 * -EIO, -EBADMSG. */
int rt_array_read(struct rt *rt, uint64_t obj, struct rt_array *out);

#endif
