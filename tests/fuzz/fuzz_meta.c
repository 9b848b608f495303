// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary bytes opened as a managed PE image in both layouts, then every type
// name and field signature walked.
#include "meta.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct meta *m)
{
	char name[512];
	uint32_t ntypes = meta_table_rows(m, META_TABLE_TYPEDEF);

	for (uint32_t rid = 1; rid <= ntypes; rid++) {
		uint32_t first, end, v;
		const char *s;

		(void)meta_typedef_fullname(m, rid, name, sizeof(name));
		(void)meta_typedef_generic_params(m, rid, &v);
		(void)meta_typedef_extends(m, rid, &v);
		if (meta_typedef_name(m, rid, &s) == 0)
			(void)strlen(s);
		if (meta_typedef_methods(m, rid, &first, &end) == 0 && first < end)
			(void)meta_method_owner(m, first, &v);
		if (meta_typedef_fields(m, rid, &first, &end))
			continue;
		for (uint32_t f = first; f < end; f++) {
			const uint8_t *sig;
			uint32_t len;
			uint8_t type;
			struct meta_type t;

			(void)meta_field_owner(m, f, &v);
			(void)meta_constant(m, META_TOKEN(META_TABLE_FIELD, f), &type, &sig, &len);
			if (meta_field_sig(m, f, &sig, &len) ||
			    meta_field_sig_type(m, sig, len, &t))
				continue;
			if (t.inner) {
				struct meta_sig_reader r;
				struct meta_type in;
				meta_sig_init(&r, t.inner, t.inner_len);
				while (r.p < r.end && meta_sig_type(&r, &in) == 0)
					;
			}
		}
	}
	for (uint32_t rid = 1; rid <= meta_table_rows(m, META_TABLE_TYPEREF); rid++) {
		const char *s;
		uint32_t v;
		(void)meta_typeref_name(m, rid, &s);
		(void)meta_typeref_scope(m, rid, &v);
	}
	const char *name;
	uint16_t version[4];
	static volatile size_t sink;
	if (meta_assembly(m, &name, version) == 0)
		sink = strlen(name); /* a string of the heap is terminated inside it */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly size bytes, so any overread is reported. */
	uint8_t *copy = malloc(size ? size : 1);
	char err[256];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (int layout = META_LAYOUT_FILE; layout <= META_LAYOUT_MAPPED; layout++) {
		struct meta *m = NULL;
		if (meta_open(copy, size, layout, &m, err, sizeof(err)) == 0)
			walk(m);
		meta_close(m);
	}
	free(copy);
	return 0;
}
