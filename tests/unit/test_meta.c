// SPDX-License-Identifier: MIT
// Unit tests of the ECMA-335 metadata reader on the installed runtime's assemblies and corruptions
// of them.
//
// The expected values are facts about the assemblies of Microsoft.NETCore.App
// 10.0.12 as installed under /usr/share/dotnet, printed by a throwaway program
// using System.Reflection.Metadata (MetadataReader: GetTableRowCount,
// GetTableRowSize, GetTableMetadataOffset, GetTypeDefinition, ...). Another
// runtime version has other values: the tests skip unless 10.0.12 is there.
#include "meta.h"
#include "meta_i.h" /* schema checks compare row sizes and table offsets */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RUNTIME_DIR "/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/"
#define CORELIB	    RUNTIME_DIR "System.Private.CoreLib.dll"
#define COLLECTIONS RUNTIME_DIR "System.Collections.dll"

struct file {
	uint8_t *data;
	size_t size;
};

/* Reads a whole file; false (and a message) when absent. */
static bool slurp(const char *path, struct file *f)
{
	FILE *fp = fopen(path, "rb");
	long n;
	bool ok = false;

	f->data = NULL;
	f->size = 0;
	if (!fp) {
		print_message("skipped: %s is not installed (the facts are about .NET 10.0.12)\n",
			      path);
		return false;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0) {
		f->data = malloc((size_t)n);
		f->size = (size_t)n;
		ok = f->data && fread(f->data, 1, f->size, fp) == f->size;
	}
	fclose(fp);
	assert_true(ok);
	return true;
}

static struct meta *open_ok(const uint8_t *data, size_t size, int layout)
{
	struct meta *m = NULL;
	char err[256];
	int rc = meta_open(data, size, layout, &m, err, sizeof(err));
	if (rc)
		print_error("meta_open: %d %s\n", rc, err);
	assert_int_equal(rc, 0);
	return m;
}

static int open_rc(const uint8_t *data, size_t size)
{
	struct meta *m = NULL;
	char err[256];
	int rc = meta_open(data, size, META_LAYOUT_FILE, &m, err, sizeof(err));
	if (rc == 0)
		meta_close(m);
	else
		assert_true(err[0] != '\0');
	return rc;
}

/* Row counts, row sizes and offsets (from the metadata root) of tables 0x00-0x2c. */
struct schema_facts {
	uint32_t rows[META_TABLE_COUNT], size[META_TABLE_COUNT], off[META_TABLE_COUNT];
	uint32_t strings_size, strings_off, blob_size, blob_off, us_size, us_off;
};

static const struct schema_facts corelib_schema = {
	{1,   0,   2760, 0,  9296, 0,  41564, 0, 66742, 2147, 8216, 3792, 27152, 158,  0,
	 153, 143, 3587, 12, 0,	   32, 1056,  0, 5490,	6040, 4120, 4,	  2246,	 491,  150,
	 0,   0,   1,	 0,  0,	   0,  0,     0, 0,	0,    4,    917,  4159,	 4912, 1979},
	{12, 10, 18, 2, 10, 2,	20, 4, 8, 4,  12, 10, 12, 8, 10, 8,  6,	 4,  4, 2,  8, 4, 2,
	 10, 6,	 10, 4, 4,  12, 6,  8, 4, 28, 4,  12, 28, 6, 14, 12, 18, 14, 4, 12, 8, 4},
	{248,	  260,	   260,	    49940,   49940,   142900,  142900,	974180,	 974180,
	 1508116, 1516704, 1615296, 1653216, 1979040, 1980304, 1980304, 1981528, 1982386,
	 1996734, 1996782, 1996782, 1997038, 2001262, 2001262, 2056162, 2092402, 2133602,
	 2133618, 2142602, 2148494, 2149394, 2149394, 2149394, 2149422, 2149422, 2149422,
	 2149422, 2149422, 2149422, 2149422, 2149422, 2149478, 2153146, 2203054, 2242350},
	574069,
	2250268,
	392328,
	2949560,
	125204,
	2824340,
};

static const struct schema_facts collections_schema = {
	{1, 116, 71,  0, 162, 0, 771, 0, 597, 143, 694, 13, 471, 0,  0,
	 1, 0,	 134, 0, 0,   0, 41,  0, 215, 236, 242, 0,  121, 0,  1,
	 0, 0,	 1,   0, 0,   1, 0,   0, 0,   20,  2,	37, 99,	 37, 1},
	{10, 6, 14, 2, 6, 2, 14, 2, 6, 4,  6, 6,  6,  4, 6,  8, 6,  2,	4, 2, 6, 4, 2,
	 6,  6, 6,  2, 2, 8, 6,	 8, 4, 22, 4, 12, 20, 6, 14, 8, 14, 12, 4, 8, 4, 4},
	{236,	246,   942,   1936,  1936,  2908,  2908,  13702, 13702, 17284, 17856, 22020,
	 22098, 24924, 24924, 24924, 24932, 24932, 25200, 25200, 25200, 25200, 25364, 25364,
	 26654, 28070, 29522, 29522, 29764, 29764, 29770, 29770, 29770, 29792, 29792, 29792,
	 29812, 29812, 29812, 29812, 30092, 30116, 30264, 31056, 31204},
	15206,
	31208,
	8836,
	48616,
	2184,
	46416,
};

static void check_schema(const struct meta *m, const struct schema_facts *f)
{
	for (unsigned t = 0; t < META_TABLE_COUNT; t++) {
		assert_int_equal(meta_table_rows(m, t), f->rows[t]);
		assert_int_equal(m->tables[t].row_size, f->size[t]);
		assert_int_equal(m->tables[t].base - m->md, f->off[t]);
	}
	assert_int_equal(meta_table_rows(m, META_TABLE_COUNT), 0);
	/* SRM leaves out the padding after the last string; the stream header keeps it. */
	assert_int_equal(m->strings.size, (f->strings_size + 3) & ~3u);
	assert_int_equal(m->strings.base - m->md, f->strings_off);
	assert_int_equal(m->blob.size, f->blob_size);
	assert_int_equal(m->blob.base - m->md, f->blob_off);
	assert_int_equal(m->us.size, f->us_size);
	assert_int_equal(m->us.base - m->md, f->us_off);
	assert_string_equal(meta_version(m), "v4.0.30319");
}

static int setup_corelib(void **state)
{
	struct file *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	if (!slurp(CORELIB, f)) {
		free(f);
		f = NULL;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct file *f = *state;
	if (f)
		free(f->data);
	free(f);
	return 0;
}

#define NEED_FILE(state)                                                                           \
	do {                                                                                       \
		if (!*(state))                                                                     \
			skip();                                                                    \
	} while (0)

static void test_corelib_schema(void **state)
{
	NEED_FILE(state);
	struct file *f = *state;
	struct meta *m = open_ok(f->data, f->size, META_LAYOUT_FILE);
	check_schema(m, &corelib_schema);
	meta_close(m);
}

struct typedef_fact {
	uint32_t rid;
	const char *ns, *name, *full;
	uint32_t flags, extends, field_first, nfields, method_first, nmethods, ngp;
};

static void test_corelib_typedefs(void **state)
{
	static const struct typedef_fact facts[] = {
		{1, "", "<Module>", "<Module>", 0, 0, 0, 0, 0, 0, 0},
		{2, "", "<>f__AnonymousType0`2", "<>f__AnonymousType0`2", 0x100100, 0x02000067, 1,
		 2, 1, 6, 2},
		{3, "", "Interop", "Interop", 0x100180, 0x02000067, 0, 0, 7, 12, 0},
		{100, "System", "Math", "System.Math", 0x100181, 0x02000067, 600, 3, 1316, 133, 0},
		{1000, "System.Threading", "ITimer", "System.Threading.ITimer", 0x1000a1, 0, 0, 0,
		 16754, 1, 0},
		{2760, "", "<>y__InlineArray8`1", "<>y__InlineArray8`1", 0x100100, 0x02000090, 9296,
		 1, 0, 0, 1},
	};
	NEED_FILE(state);
	struct file *f = *state;
	struct meta *m = open_ok(f->data, f->size, META_LAYOUT_FILE);
	char buf[256];

	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		const struct typedef_fact *x = &facts[i];
		const char *s;
		uint32_t v, first, end;

		assert_int_equal(meta_typedef_name(m, x->rid, &s), 0);
		assert_string_equal(s, x->name);
		assert_int_equal(meta_typedef_namespace(m, x->rid, &s), 0);
		assert_string_equal(s, x->ns);
		assert_int_equal(meta_typedef_flags(m, x->rid, &v), 0);
		assert_int_equal(v, x->flags);
		assert_int_equal(meta_typedef_extends(m, x->rid, &v), 0);
		assert_int_equal(v, x->extends);
		assert_int_equal(meta_typedef_fields(m, x->rid, &first, &end), 0);
		assert_int_equal(end - first, x->nfields);
		if (x->nfields)
			assert_int_equal(first, x->field_first);
		assert_int_equal(meta_typedef_methods(m, x->rid, &first, &end), 0);
		assert_int_equal(end - first, x->nmethods);
		if (x->nmethods)
			assert_int_equal(first, x->method_first);
		assert_int_equal(meta_typedef_generic_params(m, x->rid, &v), 0);
		assert_int_equal(v, x->ngp);
		assert_int_equal(meta_typedef_fullname(m, x->rid, buf, sizeof(buf)), 0);
		assert_string_equal(buf, x->full);
	}
	/* Out-of-range RIDs. */
	const char *s;
	uint32_t v;
	assert_int_equal(meta_typedef_name(m, 0, &s), -ENOENT);
	assert_int_equal(meta_typedef_name(m, 2761, &s), -ENOENT);
	assert_int_equal(meta_field_name(m, 9297, &s), -ENOENT);
	assert_int_equal(meta_method_name(m, 0, &s), -ENOENT);
	assert_int_equal(meta_typeref_name(m, 1, &s), -ENOENT); /* CoreLib has no TypeRefs */
	assert_int_equal(meta_enclosing_class(m, 99999, &v), -ENOENT);
	assert_int_equal(meta_field_owner(m, 0, &v), -ENOENT);
	assert_int_equal(meta_typedef_fullname(m, 100, buf, 11), -ERANGE); /* "System.Math" */
	assert_int_equal(meta_typedef_fullname(m, 100, buf, 12), 0);

	/* TypeSpec 1: GENERICINST CLASS TypeDef 2 <VAR 0, VAR 1>. */
	static const uint8_t ts1[] = {0x15, 0x12, 0x08, 0x02, 0x13, 0x00, 0x13, 0x01};
	const uint8_t *sig;
	uint32_t len;
	assert_int_equal(meta_typespec_sig(m, 1, &sig, &len), 0);
	assert_int_equal(len, sizeof(ts1));
	assert_memory_equal(sig, ts1, sizeof(ts1));

	/* Methods and their owners. */
	uint16_t fl;
	assert_int_equal(meta_method_name(m, 1, &s), 0);
	assert_string_equal(s, "get_This");
	assert_int_equal(meta_method_flags(m, 1, &fl), 0);
	assert_int_equal(fl, 0x886);
	assert_int_equal(meta_method_sig(m, 1, &sig, &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(meta_method_name(m, 1000, &s), 0);
	assert_string_equal(s, "GetUnderlyingType");
	assert_int_equal(meta_method_owner(m, 1000, &v), 0);
	assert_int_equal(meta_typedef_fullname(m, v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "System.Enum");
	assert_int_equal(meta_method_owner(m, 41564, &v), 0);
	assert_int_equal(meta_typedef_fullname(m, v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "<PrivateImplementationDetails>");
	meta_close(m);
}

struct field_fact {
	const char *name;
	uint16_t flags;
	uint8_t elem;
	uint32_t token;	    /* CLASS, VALUETYPE, GENERICINST */
	uint8_t inner_elem; /* SZARRAY */
	uint32_t inner_token;
};

static void test_corelib_execution_context(void **state)
{
	/* Fields 3191-3196 of TypeDef 890, which is ExecutionContext itself (0x0200037a). */
	static const struct field_fact facts[] = {
		{"Default", 0x33, META_ELEM_CLASS, 0x0200037a, 0, 0},
		{"s_defaultFlowSuppressed", 0x11, META_ELEM_CLASS, 0x0200037a, 0, 0},
		{"m_localValues", 0x21, META_ELEM_CLASS, 0x0200035b, 0, 0},
		{"m_localChangeNotifications", 0x21, META_ELEM_SZARRAY, 0, META_ELEM_CLASS,
		 0x02000359},
		{"m_isFlowSuppressed", 0x21, META_ELEM_BOOLEAN, 0, 0, 0},
		{"m_isDefault", 0x21, META_ELEM_BOOLEAN, 0, 0, 0},
	};
	NEED_FILE(state);
	struct file *f = *state;
	struct meta *m = open_ok(f->data, f->size, META_LAYOUT_FILE);
	uint32_t rid, first, end, owner;

	assert_int_equal(meta_typedef_find(m, "System.Threading.ExecutionContext", &rid), 0);
	assert_int_equal(rid, 890);
	assert_int_equal(meta_typedef_fields(m, rid, &first, &end), 0);
	assert_int_equal(first, 3191);
	assert_int_equal(end - first, 6);
	for (uint32_t i = 0; i < 6; i++) {
		const struct field_fact *x = &facts[i];
		const uint8_t *sig;
		uint32_t len;
		uint16_t flags;
		const char *name;
		struct meta_type t;

		assert_int_equal(meta_field_name(m, first + i, &name), 0);
		assert_string_equal(name, x->name);
		assert_int_equal(meta_field_flags(m, first + i, &flags), 0);
		assert_int_equal(flags, x->flags);
		assert_int_equal(meta_field_owner(m, first + i, &owner), 0);
		assert_int_equal(owner, 890);
		assert_int_equal(meta_field_sig(m, first + i, &sig, &len), 0);
		assert_int_equal(meta_field_sig_type(m, sig, len, &t), 0);
		assert_int_equal(t.elem, x->elem);
		assert_int_equal(t.token, x->token);
		if (x->inner_elem) {
			struct meta_sig_reader r;
			struct meta_type in;
			meta_sig_init(&r, t.inner, t.inner_len);
			assert_int_equal(meta_sig_type(&r, &in), 0);
			assert_int_equal(in.elem, x->inner_elem);
			assert_int_equal(in.token, x->inner_token);
			assert_ptr_equal(r.p, r.end);
		}
	}
	assert_int_equal(meta_enclosing_class(m, 890, &owner), -ENOENT);
	assert_int_equal(meta_typedef_find(m, "System.Threading.NoSuchType", &rid), -ENOENT);
	meta_close(m);
}

static void test_corelib_nested_generic(void **state)
{
	NEED_FILE(state);
	struct file *f = *state;
	struct meta *m = open_ok(f->data, f->size, META_LAYOUT_FILE);
	uint32_t rid, enc, n, first, end, len;
	const uint8_t *sig;
	const char *name;
	struct meta_type t, in, arg;
	struct meta_sig_reader r;
	char buf[256];

	assert_int_equal(
		meta_typedef_find(m, "System.Collections.Generic.Dictionary`2+Entry", &rid), 0);
	assert_int_equal(rid, 2611);
	assert_int_equal(meta_enclosing_class(m, 2611, &enc), 0);
	assert_int_equal(enc, 2608);
	assert_int_equal(meta_typedef_fullname(m, enc, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "System.Collections.Generic.Dictionary`2");
	assert_int_equal(meta_typedef_generic_params(m, 2608, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(meta_typedef_generic_params(m, 2611, &n), 0);
	assert_int_equal(n, 2);

	/* Dictionary`2._entries is Entry<TKey,TValue>[]: 06 1D 15 11 <2611> 02 13 00 13 01. */
	assert_int_equal(meta_typedef_fields(m, 2608, &first, &end), 0);
	assert_int_equal(first, 9039);
	assert_int_equal(meta_field_name(m, 9040, &name), 0);
	assert_string_equal(name, "_entries");
	assert_int_equal(meta_field_sig(m, 9040, &sig, &len), 0);
	assert_int_equal(meta_field_sig_type(m, sig, len, &t), 0);
	assert_int_equal(t.elem, META_ELEM_SZARRAY);
	meta_sig_init(&r, t.inner, t.inner_len);
	assert_int_equal(meta_sig_type(&r, &in), 0);
	assert_int_equal(in.elem, META_ELEM_GENERICINST);
	assert_int_equal(in.generic_elem, META_ELEM_VALUETYPE);
	assert_int_equal(in.token, META_TOKEN(META_TABLE_TYPEDEF, 2611));
	assert_int_equal(in.number, 2);
	meta_sig_init(&r, in.inner, in.inner_len);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(meta_sig_type(&r, &arg), 0);
		assert_int_equal(arg.elem, META_ELEM_VAR);
		assert_int_equal(arg.number, i);
	}
	assert_ptr_equal(r.p, r.end);

	/* Entry.key is VAR 0; Entry.value VAR 1. */
	assert_int_equal(meta_field_sig(m, 9052, &sig, &len), 0);
	assert_int_equal(meta_field_sig_type(m, sig, len, &t), 0);
	assert_int_equal(t.elem, META_ELEM_VAR);
	assert_int_equal(t.number, 0);
	assert_int_equal(meta_field_owner(m, 9052, &enc), 0);
	assert_int_equal(enc, 2611);
	meta_close(m);
}

static void test_corelib_constant(void **state)
{
	static const uint8_t five[] = {5, 0, 0, 0};
	NEED_FILE(state);
	struct file *f = *state;
	struct meta *m = open_ok(f->data, f->size, META_LAYOUT_FILE);
	uint32_t rid, first, end, len;
	const uint8_t *blob, *sig;
	const char *name;
	uint8_t type;
	struct meta_type t;

	assert_int_equal(meta_typedef_find(m, "System.DayOfWeek", &rid), 0);
	assert_int_equal(rid, 213);
	assert_int_equal(meta_typedef_fields(m, rid, &first, &end), 0);
	assert_int_equal(first, 864);
	assert_int_equal(end, 872);
	assert_int_equal(meta_field_name(m, 870, &name), 0);
	assert_string_equal(name, "Friday");
	assert_int_equal(meta_constant(m, META_TOKEN(META_TABLE_FIELD, 870), &type, &blob, &len),
			 0);
	assert_int_equal(type, META_ELEM_I4);
	assert_int_equal(len, 4);
	assert_memory_equal(blob, five, 4);
	/* value__ has no constant; a MethodDef cannot have one. */
	assert_int_equal(meta_constant(m, META_TOKEN(META_TABLE_FIELD, 864), &type, &blob, &len),
			 -ENOENT);
	assert_int_equal(meta_constant(m, META_TOKEN(META_TABLE_METHODDEF, 1), &type, &blob, &len),
			 -ENOENT);
	assert_int_equal(meta_constant(m, META_TOKEN(META_TABLE_FIELD, 99999), &type, &blob, &len),
			 -ENOENT);
	/* The members are typed as the enum itself: VALUETYPE TypeDef 213. */
	assert_int_equal(meta_field_sig(m, 870, &sig, &len), 0);
	assert_int_equal(meta_field_sig_type(m, sig, len, &t), 0);
	assert_int_equal(t.elem, META_ELEM_VALUETYPE);
	assert_int_equal(t.token, META_TOKEN(META_TABLE_TYPEDEF, 213));
	meta_close(m);
}

/* [Flags] through a MethodDef constructor (FlagsAttribute is defined in CoreLib). */
static void test_corelib_attribute(void **state)
{
	NEED_FILE(state);
	struct file *f = *state;
	struct meta *m = open_ok(f->data, f->size, META_LAYOUT_FILE);
	uint32_t rid;

	assert_int_equal(meta_typedef_find(m, "System.Reflection.BindingFlags", &rid), 0);
	assert_int_equal(meta_has_custom_attribute(m, META_TOKEN(META_TABLE_TYPEDEF, rid), "System",
						   "FlagsAttribute"),
			 1);
	assert_int_equal(meta_has_custom_attribute(m, META_TOKEN(META_TABLE_TYPEDEF, rid), "System",
						   "ObsoleteAttribute"),
			 0);
	assert_int_equal(meta_typedef_find(m, "System.DayOfWeek", &rid), 0);
	assert_int_equal(meta_has_custom_attribute(m, META_TOKEN(META_TABLE_TYPEDEF, rid), "System",
						   "FlagsAttribute"),
			 0);
	assert_int_equal(meta_has_custom_attribute(m, META_TOKEN(META_TABLE_TYPEDEF, 999999),
						   "System", "FlagsAttribute"),
			 -ENOENT);
	assert_int_equal(meta_has_custom_attribute(m, 0x70000001, "System", "FlagsAttribute"),
			 -ENOENT);
	meta_close(m);
}

/* Every type's name and every field's signature, against totals from the oracle. */
static void walk_all(const struct meta *m, uint64_t *name_bytes, uint32_t *nested,
		     uint32_t hist[256])
{
	char buf[1024];
	uint32_t ntypes = meta_table_rows(m, META_TABLE_TYPEDEF), v;

	*name_bytes = 0;
	*nested = 0;
	memset(hist, 0, 256 * sizeof(hist[0]));
	for (uint32_t rid = 1; rid <= ntypes; rid++) {
		uint32_t first, end;
		assert_int_equal(meta_typedef_fullname(m, rid, buf, sizeof(buf)), 0);
		*name_bytes += strlen(buf);
		*nested += meta_enclosing_class(m, rid, &v) == 0;
		assert_int_equal(meta_typedef_fields(m, rid, &first, &end), 0);
		for (uint32_t fr = first; fr < end; fr++) {
			const uint8_t *sig;
			uint32_t len;
			struct meta_type t;
			assert_int_equal(meta_field_owner(m, fr, &v), 0);
			assert_int_equal(v, rid);
			assert_int_equal(meta_field_sig(m, fr, &sig, &len), 0);
			assert_int_equal(meta_field_sig_type(m, sig, len, &t), 0);
			hist[t.elem]++;
		}
	}
}

static void test_corelib_walk(void **state)
{
	/* Element types of all 9296 field signatures, after custom modifiers. */
	static const struct {
		uint8_t elem;
		uint32_t count;
	} hist_facts[] = {
		{0x02, 377},  {0x03, 41},   {0x04, 11},	 {0x05, 89},  {0x06, 61},
		{0x07, 37},   {0x08, 1114}, {0x09, 138}, {0x0a, 123}, {0x0b, 63},
		{0x0c, 57},   {0x0d, 51},   {0x0e, 447}, {0x0f, 118}, {0x10, 6},
		{0x11, 3937}, {0x12, 1065}, {0x13, 171}, {0x14, 4},   {0x15, 670},
		{0x18, 139},  {0x19, 32},   {0x1b, 22},	 {0x1c, 130}, {0x1d, 393},
	};
	NEED_FILE(state);
	struct file *f = *state;
	struct meta *m = open_ok(f->data, f->size, META_LAYOUT_FILE);
	uint32_t hist[256], nested, total = 0;
	uint64_t bytes;

	walk_all(m, &bytes, &nested, hist);
	assert_int_equal(bytes, 118172);
	assert_int_equal(nested, 917);
	for (size_t i = 0; i < sizeof(hist_facts) / sizeof(hist_facts[0]); i++) {
		assert_int_equal(hist[hist_facts[i].elem], hist_facts[i].count);
		total += hist_facts[i].count;
	}
	assert_int_equal(total, 9296);
	meta_close(m);
}

/* Lays the file out as the loader would (sections at their RVAs) and reads it back. */
struct need_log {
	unsigned n, fail_at; /* fail_at: 1-based call that fails with -EIO, 0 none */
	uint64_t off[16], len[16];
};

static int need_record(uint64_t off, uint64_t len, void *arg)
{
	struct need_log *log = arg;
	if (log->n < 16) {
		log->off[log->n] = off;
		log->len[log->n] = len;
	}
	return ++log->n == log->fail_at ? -EIO : 0;
}

static void test_corelib_mapped(void **state)
{
	NEED_FILE(state);
	struct file *f = *state;
	uint32_t lfanew, hdrs, rid;
	struct meta_coff_header coff;
	uint64_t image_size = 0, sect;
	uint8_t *img;

	memcpy(&lfanew, f->data + META_DOS_LFANEW, 4);
	memcpy(&coff, f->data + lfanew + 4, sizeof(coff));
	sect = lfanew + 4 + sizeof(coff) + coff.opt_size;
	memcpy(&hdrs, f->data + lfanew + 4 + sizeof(coff) + 60, 4); /* SizeOfHeaders */
	for (unsigned i = 0; i < coff.nsections; i++) {
		struct meta_section_header s;
		memcpy(&s, f->data + sect + i * sizeof(s), sizeof(s));
		if ((uint64_t)s.rva + s.vsize > image_size)
			image_size = (uint64_t)s.rva + s.vsize;
	}
	img = calloc(1, image_size);
	assert_non_null(img);
	memcpy(img, f->data, hdrs);
	for (unsigned i = 0; i < coff.nsections; i++) {
		struct meta_section_header s;
		memcpy(&s, f->data + sect + i * sizeof(s), sizeof(s));
		memcpy(img + s.rva, f->data + s.raw_off,
		       s.raw_size < s.vsize ? s.raw_size : s.vsize);
	}
	/* meta_locate() finds the same metadata (BSJB) in both layouts. */
	struct meta_location lf, lm;
	assert_int_equal(meta_locate(f->data, f->size, META_LAYOUT_FILE, NULL, NULL, &lf, NULL, 0),
			 0);
	assert_int_equal(meta_locate(img, image_size, META_LAYOUT_MAPPED, NULL, NULL, &lm, NULL, 0),
			 0);
	assert_true(lf.headers_len == lm.headers_len && lf.headers_len <= hdrs);
	assert_true(lf.md_len == lm.md_len && lf.cli_len == 72 && lm.cli_len == 72);
	assert_true(lf.md_off != lm.md_off);
	assert_memory_equal(f->data + lf.md_off, "BSJB", 4);
	assert_memory_equal(img + lm.md_off, "BSJB", 4);
	assert_int_equal(meta_locate(img, hdrs, META_LAYOUT_MAPPED, NULL, NULL, &lm, NULL, 0),
			 -EBADMSG);
	/* need() is asked for every range it reads, the metadata last. */
	struct need_log log = {0};
	assert_int_equal(
		meta_locate(img, image_size, META_LAYOUT_MAPPED, need_record, &log, &lm, NULL, 0),
		0);
	assert_true(log.n >= 4 && log.off[log.n - 1] == lm.md_off &&
		    log.len[log.n - 1] == lm.md_len);
	log.fail_at = 2;
	log.n = 0;
	assert_int_equal(
		meta_locate(img, image_size, META_LAYOUT_MAPPED, need_record, &log, &lm, NULL, 0),
		-EIO);
	struct meta *m = open_ok(img, image_size, META_LAYOUT_MAPPED);
	check_schema(m, &corelib_schema);
	assert_int_equal(
		meta_typedef_find(m, "System.Collections.Generic.Dictionary`2+Entry", &rid), 0);
	assert_int_equal(rid, 2611);
	meta_close(m);
	/* The mapped image is not a valid flat file, nor the file a valid mapping. */
	struct meta *bad = NULL;
	char err[256];
	assert_int_equal(meta_open(f->data, f->size, META_LAYOUT_MAPPED, &bad, err, sizeof(err)),
			 -EBADMSG);
	free(img);
}

static void test_collections(void **state)
{
	struct file f;
	(void)state;
	if (!slurp(COLLECTIONS, &f))
		skip();
	struct meta *m = open_ok(f.data, f.size, META_LAYOUT_FILE);
	const char *s;
	uint32_t v;
	char buf[256];

	check_schema(m, &collections_schema);
	assert_int_equal(meta_typeref_name(m, 1, &s), 0);
	assert_string_equal(s, "Object");
	assert_int_equal(meta_typeref_namespace(m, 1, &s), 0);
	assert_string_equal(s, "System");
	assert_int_equal(meta_typeref_scope(m, 1, &v), 0);
	assert_int_equal(v, 0x23000001);
	assert_int_equal(meta_typeref_name(m, 50, &s), 0);
	assert_string_equal(s, "EqualityComparer`1");
	assert_int_equal(meta_typeref_namespace(m, 116, &s), 0);
	assert_string_equal(s, "System.Runtime.CompilerServices");
	assert_int_equal(meta_typeref_name(m, 116, &s), 0);
	assert_string_equal(s, "SkipLocalsInitAttribute");
	assert_int_equal(meta_typeref_name(m, 117, &s), -ENOENT);
	assert_int_equal(meta_typedef_fullname(m, 2, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "FxResources.System.Collections.SR");
	assert_int_equal(meta_typedef_extends(m, 2, &v), 0);
	assert_int_equal(v, 0x01000001);
	assert_int_equal(meta_field_owner(m, 162, &v), 0);
	assert_int_equal(v, 71);
	/* An attribute whose constructor is a MemberRef of a TypeRef. */
	assert_int_equal(meta_typedef_find(m, "System.Collections.Generic.PriorityQueue`2", &v), 0);
	assert_int_equal(meta_has_custom_attribute(m, META_TOKEN(META_TABLE_TYPEDEF, v),
						   "System.Diagnostics",
						   "DebuggerDisplayAttribute"),
			 1);
	assert_int_equal(meta_has_custom_attribute(m, META_TOKEN(META_TABLE_TYPEDEF, v),
						   "System.Diagnostics", "DebuggerDisplay"),
			 0);
	meta_close(m);
	free(f.data);
}

/* File offset of the CLI header's metadata directory (size at +4), by hand. */
static size_t metadata_dir_offset(const struct file *f)
{
	uint32_t lfanew, rva;
	uint16_t magic;
	struct meta_coff_header coff;
	uint64_t opt, sect;

	memcpy(&lfanew, f->data + META_DOS_LFANEW, 4);
	memcpy(&coff, f->data + lfanew + 4, sizeof(coff));
	opt = lfanew + 4 + sizeof(coff);
	memcpy(&magic, f->data + opt, 2);
	opt += magic == META_PE32_MAGIC ? META_PE32_DIRS_OFF : META_PE32PLUS_DIRS_OFF;
	memcpy(&rva, f->data + opt + META_DIR_CLI * 8, 4);
	sect = lfanew + 4 + sizeof(coff) + coff.opt_size;
	for (unsigned i = 0; i < coff.nsections; i++) {
		struct meta_section_header s;
		memcpy(&s, f->data + sect + i * sizeof(s), sizeof(s));
		if (rva >= s.rva && rva < s.rva + s.vsize)
			return s.raw_off + (rva - s.rva) + 8;
	}
	fail();
	return 0;
}

static void test_malformed(void **state)
{
	struct file f;
	struct meta *m;
	uint8_t *c;
	size_t md_off, ts_off, dir_off;
	uint32_t md_size, v;

	(void)state;
	if (!slurp(COLLECTIONS, &f))
		skip();
	m = open_ok(f.data, f.size, META_LAYOUT_FILE);
	md_off = (size_t)(m->md - f.data);
	md_size = m->md_size;
	ts_off = (size_t)(m->tables_stream - f.data);
	meta_close(m);
	c = malloc(f.size);
	assert_non_null(c);

	/* Truncated files: every cut in the headers, then every 97th byte, and
	 * every byte around the end of the metadata. Bytes after the metadata
	 * (native code, resources) are not needed. */
	assert_int_equal(open_rc(f.data, 0), -EBADMSG);
	for (size_t cut = 0; cut < f.size;
	     cut +=
	     cut < 1024 || (cut > md_off + md_size - 512 && cut < md_off + md_size + 64) ? 1 : 97) {
		uint8_t *t = malloc(cut ? cut : 1); /* exact size, so ASan sees overreads */
		assert_non_null(t);
		memcpy(t, f.data, cut);
		assert_int_equal(open_rc(t, cut), cut < md_off + md_size ? -EBADMSG : 0);
		free(t);
	}

	/* The CLI header's metadata size cut at every 4th byte: streams and
	 * tables then end outside the metadata. */
	dir_off = metadata_dir_offset(&f);
	memcpy(&v, f.data + dir_off + 4, 4);
	assert_int_equal(v, md_size);
	for (uint32_t cut = 0; cut < md_size; cut += 4) {
		memcpy(c, f.data, f.size);
		memcpy(c + dir_off + 4, &cut, 4);
		assert_int_equal(open_rc(c, f.size), -EBADMSG);
	}

	/* A corrupted stream header: the first stream's offset, then its size. */
	size_t sh = md_off + sizeof(struct meta_root);
	memcpy(&v, f.data + md_off + 12, 4); /* version length */
	sh += v + 4;
	memcpy(c, f.data, f.size);
	v = 0xfffffff0;
	memcpy(c + sh, &v, 4);
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	memcpy(c, f.data, f.size);
	memcpy(c + sh + 4, &v, 4);
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	memcpy(c, f.data, f.size);
	memset(c + sh + 8, 'x', 40); /* an unterminated name */
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	memcpy(c, f.data, f.size);
	c[md_off] ^= 0xff; /* BSJB */
	assert_int_equal(open_rc(c, f.size), -EBADMSG);

	/* A row count larger than the stream: TypeDef is the third count. */
	memcpy(c, f.data, f.size);
	v = 0x10000;
	memcpy(c + ts_off + 24 + 8, &v, 4);
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	v = 0xffffffff;
	memcpy(c + ts_off + 24 + 8, &v, 4);
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	/* An unknown table in the valid mask. */
	memcpy(c, f.data, f.size);
	c[ts_off + 8 + 7] |= 0x80;
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	/* Wide #Strings indexes make every row longer than the stream allows
	 * or the indexes point outside #Strings. */
	memcpy(c, f.data, f.size);
	c[ts_off + 6] |= META_HEAP_STRINGS_WIDE | META_HEAP_BLOB_WIDE | META_HEAP_GUID_WIDE;
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	/* A TypeDef name index past #Strings (TypeDef row 2, column 1). */
	m = open_ok(f.data, f.size, META_LAYOUT_FILE);
	size_t cell = (size_t)(m->tables[META_TABLE_TYPEDEF].base - f.data) +
		      m->tables[META_TABLE_TYPEDEF].row_size +
		      m->tables[META_TABLE_TYPEDEF].col_off[1];
	uint16_t big = (uint16_t)m->strings.size;
	meta_close(m);
	memcpy(c, f.data, f.size);
	memcpy(c + cell, &big, 2);
	assert_int_equal(open_rc(c, f.size), -EBADMSG);
	free(c);
	free(f.data);
}

/* Single-byte corruptions of the metadata must either be rejected or leave
 * an image every accessor walks without error reports from the sanitizers. */
static void test_flips(void **state)
{
	struct file f;
	struct meta *m;
	size_t md_off;
	uint32_t md_size, seed = 12345, opened = 0;
	uint8_t *c;

	(void)state;
	if (!slurp(COLLECTIONS, &f))
		skip();
	m = open_ok(f.data, f.size, META_LAYOUT_FILE);
	md_off = (size_t)(m->md - f.data);
	md_size = m->md_size;
	meta_close(m);
	c = malloc(f.size);
	assert_non_null(c);
	for (int i = 0; i < 3000; i++) {
		char buf[512], err[256];
		seed = seed * 1103515245u + 12345u;
		size_t at = md_off + (seed >> 8) % (i < 1500 ? 512 : md_size);
		memcpy(c, f.data, f.size);
		c[at] ^= (uint8_t)(1u << (seed & 7));
		m = NULL;
		int rc = meta_open(c, f.size, META_LAYOUT_FILE, &m, err, sizeof(err));
		assert_true(rc == 0 || rc == -EBADMSG);
		if (rc)
			continue;
		opened++;
		for (uint32_t r = 1; r <= meta_table_rows(m, META_TABLE_TYPEDEF); r++) {
			uint32_t first, end, v;
			(void)meta_typedef_fullname(m, r, buf, sizeof(buf));
			(void)meta_typedef_generic_params(m, r, &v);
			if (meta_typedef_fields(m, r, &first, &end))
				continue;
			for (uint32_t fr = first; fr < end; fr++) {
				const uint8_t *sig;
				uint32_t len;
				struct meta_type t;
				uint8_t type;
				(void)meta_field_owner(m, fr, &v);
				if (meta_field_sig(m, fr, &sig, &len) == 0)
					(void)meta_field_sig_type(m, sig, len, &t);
				(void)meta_constant(m, META_TOKEN(META_TABLE_FIELD, fr), &type,
						    &sig, &len);
			}
		}
		meta_close(m);
	}
	print_message("%u of 3000 corrupted images opened\n", opened);
	assert_true(opened > 0 && opened < 3000); /* both paths taken */
	free(c);
	free(f.data);
}

static void test_sig_reader(void **state)
{
	/* II.23.2 examples: 0x03, 0x7F, 0x80 0x80, 0x2E57, 0x3FFF, 0x4000, 0x1FFFFFFF. */
	static const uint8_t u[] = {0x03, 0x7f, 0x80, 0x80, 0xae, 0x57, 0xbf, 0xff,
				    0xc0, 0x00, 0x40, 0x00, 0xdf, 0xff, 0xff, 0xff};
	static const uint32_t uv[] = {3, 0x7f, 0x80, 0x2e57, 0x3fff, 0x4000, 0x1fffffff};
	/* Signed: 3 → 06, -3 → 7B, 64 → 80 80, -64 → 01, 8192 → C0 00 40 00,
	 * -8192 → 80 01, 268435455 → DF FF FF FE, -268435456 → C0 00 00 01. */
	static const uint8_t s[] = {0x06, 0x7b, 0x80, 0x80, 0x01, 0xc0, 0x00, 0x40, 0x00, 0x80,
				    0x01, 0xdf, 0xff, 0xff, 0xfe, 0xc0, 0x00, 0x00, 0x01};
	static const int32_t sv[] = {3, -3, 64, -64, 8192, -8192, 268435455, -268435456};
	struct meta_sig_reader r;
	uint32_t x, tok;
	int32_t y;
	struct meta_type t;

	(void)state;
	meta_sig_init(&r, u, sizeof(u));
	for (size_t i = 0; i < sizeof(uv) / sizeof(uv[0]); i++) {
		assert_int_equal(meta_sig_uint(&r, &x), 0);
		assert_int_equal(x, uv[i]);
	}
	assert_int_equal(meta_sig_uint(&r, &x), -EBADMSG);
	meta_sig_init(&r, s, sizeof(s));
	for (size_t i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
		assert_int_equal(meta_sig_int(&r, &y), 0);
		assert_int_equal(y, sv[i]);
	}
	/* A truncated 4-byte integer; an invalid 111xxxxx prefix. */
	static const uint8_t trunc[] = {0xc0, 0x00}, inval[] = {0xe0};
	meta_sig_init(&r, trunc, sizeof(trunc));
	assert_int_equal(meta_sig_uint(&r, &x), -EBADMSG);
	meta_sig_init(&r, inval, sizeof(inval));
	assert_int_equal(meta_sig_uint(&r, &x), -EBADMSG);
	/* TypeDefOrRefOrSpecEncoded, II.23.2.8: 0x49 is TypeRef 0x12. */
	static const uint8_t tk[] = {0x49, 0x4b};
	meta_sig_init(&r, tk, sizeof(tk));
	assert_int_equal(meta_sig_token(&r, &tok), 0);
	assert_int_equal(tok, 0x01000012);
	assert_int_equal(meta_sig_token(&r, &tok), -EBADMSG); /* tag 3 */

	/* int32[0...,0...] with a custom modifier and a function pointer array. */
	static const uint8_t arr[] = {0x20, 0x49, 0x14, 0x08, 0x02, 0x00, 0x02, 0x00, 0x00};
	meta_sig_init(&r, arr, sizeof(arr));
	assert_int_equal(meta_sig_type(&r, &t), 0);
	assert_int_equal(t.elem, META_ELEM_ARRAY);
	assert_int_equal(t.number, 2);
	assert_int_equal(t.inner_len, 1);
	assert_ptr_equal(r.p, r.end);
	static const uint8_t fn[] = {0x1d, 0x1b, 0x00, 0x02, 0x01, 0x08, 0x10, 0x0e};
	meta_sig_init(&r, fn, sizeof(fn));
	assert_int_equal(meta_sig_type(&r, &t), 0);
	assert_int_equal(t.elem, META_ELEM_SZARRAY);
	assert_ptr_equal(r.p, r.end);

	/* Nesting beyond 16 levels is refused; a failed read leaves the cursor. */
	uint8_t deep[40];
	memset(deep, META_ELEM_SZARRAY, sizeof(deep));
	deep[sizeof(deep) - 1] = META_ELEM_I4;
	meta_sig_init(&r, deep, sizeof(deep));
	assert_int_equal(meta_sig_type(&r, &t), -EBADMSG);
	assert_ptr_equal(r.p, deep);
	meta_sig_init(&r, deep + sizeof(deep) - 17, 17);
	assert_int_equal(meta_sig_type(&r, &t), 0);
	/* Truncated GENERICINST; zero arguments. */
	static const uint8_t gi[] = {0x15, 0x12, 0x08, 0x02, 0x13},
			     gi0[] = {0x15, 0x12, 0x08, 0x00};
	meta_sig_init(&r, gi, sizeof(gi));
	assert_int_equal(meta_sig_type(&r, &t), -EBADMSG);
	meta_sig_init(&r, gi0, sizeof(gi0));
	assert_int_equal(meta_sig_type(&r, &t), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sig_reader),
		cmocka_unit_test_setup_teardown(test_corelib_schema, setup_corelib, teardown),
		cmocka_unit_test_setup_teardown(test_corelib_typedefs, setup_corelib, teardown),
		cmocka_unit_test_setup_teardown(test_corelib_execution_context, setup_corelib,
						teardown),
		cmocka_unit_test_setup_teardown(test_corelib_nested_generic, setup_corelib,
						teardown),
		cmocka_unit_test_setup_teardown(test_corelib_constant, setup_corelib, teardown),
		cmocka_unit_test_setup_teardown(test_corelib_attribute, setup_corelib, teardown),
		cmocka_unit_test_setup_teardown(test_corelib_walk, setup_corelib, teardown),
		cmocka_unit_test_setup_teardown(test_corelib_mapped, setup_corelib, teardown),
		cmocka_unit_test(test_collections),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_flips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
