/* SPDX-License-Identifier: MIT */
/* decoder/meta: ECMA-335 metadata of one managed PE image (types, fields, methods, signatures). */
#ifndef CLRFS_META_H
#define CLRFS_META_H

#include "meta_format.h"

#include <stddef.h>
#include <stdint.h>

struct meta;

enum meta_layout {
	META_LAYOUT_FILE,   /* the PE file as on disk: RVAs go through the section table */
	META_LAYOUT_MAPPED, /* the image as the loader mapped it: offset = RVA */
};

/* Parses and validates the image once: PE/COFF, the CLI header, the metadata
 * root, every stream, the #~ schema of every table, and every heap index and
 * coded index in every table. The bytes are borrowed: the caller keeps them
 * alive and unchanged until meta_close(). -EBADMSG when malformed (err says
 * why), -ENOMEM. The caller closes with meta_close(). */
int meta_open(const uint8_t *image, size_t size, int layout, struct meta **out, char *err,
	      size_t errlen);
void meta_close(struct meta *m);

/* Where an image's PE headers, CLI header and metadata lie (byte offsets
 * into the image as laid out), so that a caller holding only part of an
 * image can check those bytes are really present before meta_open(). */
struct meta_location {
	uint64_t headers_len;	   /* [0, headers_len): DOS, PE, optional headers, sections */
	uint64_t cli_off, cli_len; /* the CLI header (II.25.3.3) */
	uint64_t md_off, md_len;   /* the metadata root and its streams */
};

/* Called by meta_locate() for each range [off, off+len) of the image before
 * it looks at those bytes: the caller fills them in (or checks they are
 * there) and returns 0, or a negative errno that meta_locate() returns. */
typedef int meta_need_fn(uint64_t off, uint64_t len, void *arg);

/* Reads only the PE headers and the CLI header, with the same checks
 * meta_open() makes on them, asking need (when not NULL) for each range
 * first, the metadata last: a caller holding a sparse image reads just
 * what meta_open() will touch. -EBADMSG (err says why), -EINVAL, or
 * need's error. */
int meta_locate(const uint8_t *image, size_t size, int layout, meta_need_fn *need, void *arg,
		struct meta_location *out, char *err, size_t errlen);

/* The metadata version string, e.g. "v4.0.30319"; borrowed until meta_close(). */
const char *meta_version(const struct meta *m);
/* Rows of a table (enum meta_table_id); 0 for an absent or unknown table. */
uint32_t meta_table_rows(const struct meta *m, unsigned table);

/*
 * Row accessors. RIDs are 1-based; an RID outside the table gives -ENOENT.
 * Strings are borrowed NUL-terminated UTF-8 inside #Strings; blobs are a
 * pointer and length inside #Blob with the compressed length (II.23.2)
 * already decoded; both valid until meta_close(). Outputs are set only on
 * success.
 */
/* A #Blob entry by heap offset. -EBADMSG when it does not fit the heap. */
int meta_blob(const struct meta *m, uint32_t index, const uint8_t **blob, uint32_t *len);
/* A #US entry: UTF-16LE code units (nbytes even) followed in the heap by one
 * flag byte that is not included. -EBADMSG when it does not fit the heap. */
int meta_user_string(const struct meta *m, uint32_t index, const uint8_t **utf16, uint32_t *nbytes);

/* TypeDef, II.22.37. extends is a TypeDef, TypeRef or TypeSpec token, or 0.
 * Field and method ranges are [first, end) RIDs, empty when first == end;
 * -ENOTSUP when the image uses FieldPtr/MethodPtr indirection (#- streams). */
int meta_typedef_flags(const struct meta *m, uint32_t rid, uint32_t *flags);
int meta_typedef_name(const struct meta *m, uint32_t rid, const char **name);
int meta_typedef_namespace(const struct meta *m, uint32_t rid, const char **ns);
int meta_typedef_extends(const struct meta *m, uint32_t rid, uint32_t *token);
int meta_typedef_fields(const struct meta *m, uint32_t rid, uint32_t *first, uint32_t *end);
int meta_typedef_methods(const struct meta *m, uint32_t rid, uint32_t *first, uint32_t *end);
/* Number of generic parameters (GenericParam rows owned by the type, II.22.20). */
int meta_typedef_generic_params(const struct meta *m, uint32_t rid, uint32_t *count);
/* The name of the type's generic parameter number index ("T", "TKey");
 * -ENOENT when it has none of that number. */
int meta_typedef_generic_param_name(const struct meta *m, uint32_t rid, uint32_t index,
				    const char **name);
/* "Namespace.Name", nested types as "Namespace.Outer+Inner" (the nested
 * type's own namespace is ignored); generic names keep their `N suffix.
 * -ERANGE when it does not fit len bytes with the NUL; -EBADMSG when the
 * nesting is deeper than 64 or loops. */
int meta_typedef_fullname(const struct meta *m, uint32_t rid, char *buf, size_t len);
/* First TypeDef whose meta_typedef_fullname() equals fullname; -ENOENT if none. Linear. */
int meta_typedef_find(const struct meta *m, const char *fullname, uint32_t *rid);
/* The enclosing TypeDef of a nested one (NestedClass, II.22.32); -ENOENT when
 * the type is not nested. Binary search when the table is sorted. */
int meta_enclosing_class(const struct meta *m, uint32_t typedef_rid, uint32_t *enclosing_rid);

/* TypeRef, II.22.38. scope is a Module, ModuleRef, AssemblyRef or TypeRef token, or 0. */
int meta_typeref_name(const struct meta *m, uint32_t rid, const char **name);
int meta_typeref_namespace(const struct meta *m, uint32_t rid, const char **ns);
int meta_typeref_scope(const struct meta *m, uint32_t rid, uint32_t *token);

/* The module's Assembly row (II.22.2): its name and version (major, minor,
 * build, revision). -ENOENT when the module has none (a netmodule). */
int meta_assembly(const struct meta *m, const char **name, uint16_t version[4]);

/* TypeSpec, II.22.39: its signature (a Type, II.23.2.14). */
int meta_typespec_sig(const struct meta *m, uint32_t rid, const uint8_t **sig, uint32_t *len);

/* Field, II.22.15. */
int meta_field_flags(const struct meta *m, uint32_t rid, uint16_t *flags);
int meta_field_name(const struct meta *m, uint32_t rid, const char **name);
int meta_field_sig(const struct meta *m, uint32_t rid, const uint8_t **sig, uint32_t *len);
/* The TypeDef whose field list holds the field; -ENOENT when none does. */
int meta_field_owner(const struct meta *m, uint32_t field_rid, uint32_t *typedef_rid);

/* MethodDef, II.22.26. */
int meta_method_flags(const struct meta *m, uint32_t rid, uint16_t *flags);
int meta_method_name(const struct meta *m, uint32_t rid, const char **name);
int meta_method_sig(const struct meta *m, uint32_t rid, const uint8_t **sig, uint32_t *len);
/* The TypeDef whose method list holds the method; -ENOENT when none does. */
int meta_method_owner(const struct meta *m, uint32_t method_rid, uint32_t *typedef_rid);

/* Constant, II.22.9: the default value of a Field, Param or Property token.
 * type is an element type (II.23.1.16); the blob holds the value's bytes.
 * -ENOENT when the parent has no constant. */
int meta_constant(const struct meta *m, uint32_t parent_token, uint8_t *type, const uint8_t **blob,
		  uint32_t *len);

/* CustomAttribute, II.22.10: 1 when the metadata item token (a TypeDef,
 * Field, MethodDef, ... token) carries an attribute whose constructor
 * belongs to the type ns.name (a TypeDef or TypeRef of that name, so
 * "System", "FlagsAttribute" matches wherever FlagsAttribute is defined);
 * 0 when it does not; -ENOENT when token cannot carry attributes. */
int meta_has_custom_attribute(const struct meta *m, uint32_t token, const char *ns,
			      const char *name);

/* A cursor over signature bytes (II.23.2); every read is bounds-checked and
 * gives -EBADMSG past the end. The bytes are borrowed. */
struct meta_sig_reader {
	const uint8_t *p, *end;
};

void meta_sig_init(struct meta_sig_reader *r, const uint8_t *p, size_t len);
int meta_sig_u8(struct meta_sig_reader *r, uint8_t *out);
/* Compressed unsigned and signed integers, II.23.2. */
int meta_sig_uint(struct meta_sig_reader *r, uint32_t *out);
int meta_sig_int(struct meta_sig_reader *r, int32_t *out);
/* TypeDefOrRefOrSpecEncoded, II.23.2.8, as a TypeDef, TypeRef or TypeSpec token. */
int meta_sig_token(struct meta_sig_reader *r, uint32_t *token);

/* One decoded Type (II.23.2.12), without a tree: nested types are left as
 * bytes (inner) to decode with another meta_sig_type() when needed. */
struct meta_type {
	uint8_t elem;	      /* enum meta_elem; never a custom modifier */
	uint8_t generic_elem; /* GENERICINST: META_ELEM_CLASS or META_ELEM_VALUETYPE */
	uint32_t token;	      /* CLASS, VALUETYPE, GENERICINST: the (generic) type */
	uint32_t number;      /* VAR, MVAR: the index; GENERICINST: argument count;
				 ARRAY: rank */
	/* SZARRAY, ARRAY, PTR, BYREF: the element Type; GENERICINST: the
	 * arguments, one Type after another; FNPTR: the method signature.
	 * Borrowed from the signature; NULL and 0 otherwise. */
	const uint8_t *inner;
	size_t inner_len;
};

/* Reads one Type at the cursor, custom modifiers before it skipped, and
 * moves past it (checking the whole Type, nesting at most 16 deep).
 * -EBADMSG when malformed. */
int meta_sig_type(struct meta_sig_reader *r, struct meta_type *out);
/* Decodes a FieldSig (II.23.2.4): 0x06, custom modifiers, Type. Tokens are
 * checked against the tables of m. -EBADMSG when malformed. */
int meta_field_sig_type(const struct meta *m, const uint8_t *blob, size_t len,
			struct meta_type *out);

#endif
