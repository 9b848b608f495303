/* SPDX-License-Identifier: MIT */
/* decoder/meta: on-disk layouts of PE/COFF, the CLI header and ECMA-335 metadata. */
#ifndef CLRFS_META_FORMAT_H
#define CLRFS_META_FORMAT_H

#include <stdint.h>

/* Structures below are copied in with memcpy(); every field is little-endian. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "meta reads little-endian layouts");

/* PE/COFF (Microsoft PE format; ECMA-335 II.25.2). */
#define META_DOS_MAGIC	    0x5a4du	/* "MZ" */
#define META_DOS_LFANEW	    0x3c	/* u32 offset of the PE signature */
#define META_PE_SIGNATURE   0x00004550u /* "PE\0\0" */
#define META_PE32_MAGIC	    0x10bu
#define META_PE32PLUS_MAGIC 0x20bu
/* Offsets inside the optional header of NumberOfRvaAndSizes and the data directories. */
#define META_PE32_NDIRS_OFF	92u
#define META_PE32_DIRS_OFF	96u
#define META_PE32PLUS_NDIRS_OFF 108u
#define META_PE32PLUS_DIRS_OFF	112u
#define META_DIR_CLI		14u /* CLI header directory, II.25.2.3.3 */

struct meta_coff_header {
	uint16_t machine, nsections;
	uint32_t timestamp, symtab, nsymbols;
	uint16_t opt_size, characteristics;
};
_Static_assert(sizeof(struct meta_coff_header) == 20, "COFF file header is 20 bytes");

struct meta_data_dir {
	uint32_t rva, size;
};
_Static_assert(sizeof(struct meta_data_dir) == 8, "data directory is 8 bytes");

struct meta_section_header {
	char name[8];
	uint32_t vsize, rva, raw_size, raw_off;
	uint32_t reloc_off, lines_off;
	uint16_t nrelocs, nlines;
	uint32_t characteristics;
};
_Static_assert(sizeof(struct meta_section_header) == 40, "section header is 40 bytes");

/* IMAGE_COR20_HEADER, ECMA-335 II.25.3.3. */
struct meta_cli_header {
	uint32_t cb;
	uint16_t major, minor;
	struct meta_data_dir metadata;
	uint32_t flags, entry_point;
	struct meta_data_dir resources, strong_name, code_manager, vtable_fixups, export_jumps,
		native_header;
};
_Static_assert(sizeof(struct meta_cli_header) == 72, "CLI header is 72 bytes");

/* Metadata root, II.24.2.1: this header, a version string of version_len bytes
 * (a multiple of 4, at most 255 + padding), then u16 flags, u16 stream count,
 * then the stream headers. */
#define META_ROOT_SIGNATURE 0x424a5342u /* "BSJB" */
#define META_VERSION_MAX    256u
struct meta_root {
	uint32_t signature;
	uint16_t major, minor;
	uint32_t reserved, version_len;
};
_Static_assert(sizeof(struct meta_root) == 16, "metadata root header is 16 bytes");

/* Stream header, II.24.2.2: offset (from the root) and size, then a
 * NUL-terminated name of at most 32 bytes padded to a multiple of 4. */
struct meta_stream_header {
	uint32_t offset, size;
};
_Static_assert(sizeof(struct meta_stream_header) == 8, "stream header is 8 bytes");
#define META_STREAM_NAME_MAX 32u

/* The #~ stream header, II.24.2.6, followed by one u32 row count per bit set
 * in valid (in table order), then the tables. */
struct meta_tables_header {
	uint32_t reserved;
	uint8_t major, minor, heap_sizes, reserved2;
	uint64_t valid, sorted;
};
_Static_assert(sizeof(struct meta_tables_header) == 24, "#~ header is 24 bytes");
#define META_HEAP_STRINGS_WIDE 0x01u /* #Strings indexes are 4 bytes */
#define META_HEAP_GUID_WIDE    0x02u
#define META_HEAP_BLOB_WIDE    0x04u
/* Not in ECMA-335; CoreCLR and System.Reflection.Metadata: a u32 follows the row counts. */
#define META_HEAP_EXTRA_DATA 0x40u

/* Metadata tables, II.22 (ids as in II.24.2.6 and the high byte of tokens). */
enum meta_table_id {
	META_TABLE_MODULE = 0x00,
	META_TABLE_TYPEREF = 0x01,
	META_TABLE_TYPEDEF = 0x02,
	META_TABLE_FIELDPTR = 0x03,
	META_TABLE_FIELD = 0x04,
	META_TABLE_METHODPTR = 0x05,
	META_TABLE_METHODDEF = 0x06,
	META_TABLE_PARAMPTR = 0x07,
	META_TABLE_PARAM = 0x08,
	META_TABLE_INTERFACEIMPL = 0x09,
	META_TABLE_MEMBERREF = 0x0a,
	META_TABLE_CONSTANT = 0x0b,
	META_TABLE_CUSTOMATTRIBUTE = 0x0c,
	META_TABLE_FIELDMARSHAL = 0x0d,
	META_TABLE_DECLSECURITY = 0x0e,
	META_TABLE_CLASSLAYOUT = 0x0f,
	META_TABLE_FIELDLAYOUT = 0x10,
	META_TABLE_STANDALONESIG = 0x11,
	META_TABLE_EVENTMAP = 0x12,
	META_TABLE_EVENTPTR = 0x13,
	META_TABLE_EVENT = 0x14,
	META_TABLE_PROPERTYMAP = 0x15,
	META_TABLE_PROPERTYPTR = 0x16,
	META_TABLE_PROPERTY = 0x17,
	META_TABLE_METHODSEMANTICS = 0x18,
	META_TABLE_METHODIMPL = 0x19,
	META_TABLE_MODULEREF = 0x1a,
	META_TABLE_TYPESPEC = 0x1b,
	META_TABLE_IMPLMAP = 0x1c,
	META_TABLE_FIELDRVA = 0x1d,
	META_TABLE_ENCLOG = 0x1e,
	META_TABLE_ENCMAP = 0x1f,
	META_TABLE_ASSEMBLY = 0x20,
	META_TABLE_ASSEMBLYPROCESSOR = 0x21,
	META_TABLE_ASSEMBLYOS = 0x22,
	META_TABLE_ASSEMBLYREF = 0x23,
	META_TABLE_ASSEMBLYREFPROCESSOR = 0x24,
	META_TABLE_ASSEMBLYREFOS = 0x25,
	META_TABLE_FILE = 0x26,
	META_TABLE_EXPORTEDTYPE = 0x27,
	META_TABLE_MANIFESTRESOURCE = 0x28,
	META_TABLE_NESTEDCLASS = 0x29,
	META_TABLE_GENERICPARAM = 0x2a,
	META_TABLE_METHODSPEC = 0x2b,
	META_TABLE_GENERICPARAMCONSTRAINT = 0x2c,
	META_TABLE_COUNT
};

/* A token is table << 24 | RID (II.22); RIDs are 1-based, 0 means none. */
#define META_TOKEN(table, rid) (((uint32_t)(table) << 24) | ((uint32_t)(rid)&0xffffffu))
#define META_TOKEN_TABLE(tok)  ((uint32_t)(tok) >> 24)
#define META_TOKEN_RID(tok)    ((uint32_t)(tok)&0xffffffu)
#define META_RID_MAX	       0xffffffu

/* Coded index kinds, II.24.2.6. */
enum meta_coded {
	META_CODED_TYPEDEFORREF,
	META_CODED_HASCONSTANT,
	META_CODED_HASCUSTOMATTRIBUTE,
	META_CODED_HASFIELDMARSHAL,
	META_CODED_HASDECLSECURITY,
	META_CODED_MEMBERREFPARENT,
	META_CODED_HASSEMANTICS,
	META_CODED_METHODDEFORREF,
	META_CODED_MEMBERFORWARDED,
	META_CODED_IMPLEMENTATION,
	META_CODED_CUSTOMATTRIBUTETYPE,
	META_CODED_RESOLUTIONSCOPE,
	META_CODED_TYPEORMETHODDEF,
	META_CODED_COUNT
};

/* Columns of the tables this module reads (II.22.x); indexes into the schema. */
enum { META_TYPEREF_SCOPE, META_TYPEREF_NAME, META_TYPEREF_NAMESPACE };
enum {
	META_TYPEDEF_FLAGS,
	META_TYPEDEF_NAME,
	META_TYPEDEF_NAMESPACE,
	META_TYPEDEF_EXTENDS,
	META_TYPEDEF_FIELDLIST,
	META_TYPEDEF_METHODLIST
};
enum { META_FIELD_FLAGS, META_FIELD_NAME, META_FIELD_SIGNATURE };
enum {
	META_METHOD_RVA,
	META_METHOD_IMPLFLAGS,
	META_METHOD_FLAGS,
	META_METHOD_NAME,
	META_METHOD_SIGNATURE,
	META_METHOD_PARAMLIST
};
enum { META_MEMBERREF_CLASS, META_MEMBERREF_NAME, META_MEMBERREF_SIGNATURE };
enum { META_CONSTANT_TYPE, META_CONSTANT_PAD, META_CONSTANT_PARENT, META_CONSTANT_VALUE };
enum { META_CA_PARENT, META_CA_TYPE, META_CA_VALUE };
enum { META_TYPESPEC_SIGNATURE };
enum { META_NESTED_NESTED, META_NESTED_ENCLOSING };
enum { META_GP_NUMBER, META_GP_FLAGS, META_GP_OWNER, META_GP_NAME };
enum {
	META_ASSEMBLY_HASHALG,
	META_ASSEMBLY_MAJOR,
	META_ASSEMBLY_MINOR,
	META_ASSEMBLY_BUILD,
	META_ASSEMBLY_REVISION,
	META_ASSEMBLY_FLAGS,
	META_ASSEMBLY_PUBLICKEY,
	META_ASSEMBLY_NAME,
	META_ASSEMBLY_CULTURE
};

/* CorElementType, II.23.1.16. */
enum meta_elem {
	META_ELEM_END = 0x00,
	META_ELEM_VOID = 0x01,
	META_ELEM_BOOLEAN = 0x02,
	META_ELEM_CHAR = 0x03,
	META_ELEM_I1 = 0x04,
	META_ELEM_U1 = 0x05,
	META_ELEM_I2 = 0x06,
	META_ELEM_U2 = 0x07,
	META_ELEM_I4 = 0x08,
	META_ELEM_U4 = 0x09,
	META_ELEM_I8 = 0x0a,
	META_ELEM_U8 = 0x0b,
	META_ELEM_R4 = 0x0c,
	META_ELEM_R8 = 0x0d,
	META_ELEM_STRING = 0x0e,
	META_ELEM_PTR = 0x0f,
	META_ELEM_BYREF = 0x10,
	META_ELEM_VALUETYPE = 0x11,
	META_ELEM_CLASS = 0x12,
	META_ELEM_VAR = 0x13,
	META_ELEM_ARRAY = 0x14,
	META_ELEM_GENERICINST = 0x15,
	META_ELEM_TYPEDBYREF = 0x16,
	META_ELEM_I = 0x18,
	META_ELEM_U = 0x19,
	META_ELEM_FNPTR = 0x1b,
	META_ELEM_OBJECT = 0x1c,
	META_ELEM_SZARRAY = 0x1d,
	META_ELEM_MVAR = 0x1e,
	META_ELEM_CMOD_REQD = 0x1f,
	META_ELEM_CMOD_OPT = 0x20,
	META_ELEM_SENTINEL = 0x41,
	META_ELEM_PINNED = 0x45,
};

/* Signature prefixes, II.23.2.1-4. */
#define META_SIG_FIELD	      0x06u
#define META_SIG_CONV_MASK    0x0fu
#define META_SIG_GENERIC      0x10u
#define META_SIG_HASTHIS      0x20u
#define META_SIG_EXPLICITTHIS 0x40u

#endif
