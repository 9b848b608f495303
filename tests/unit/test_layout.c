// SPDX-License-Identifier: MIT
// Unit tests of the layout layer's sources (decoder/runtime/layout.c): the contract
// descriptor, names that moved, a field no source gives, the line's table behind the
// descriptor, and a version clrfs has no table for.
#include "diag.h"
#include "dump.h"
#include "fuzz_mem.h"
#include "runtime_i.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A context of the given version and descriptor, over a dump of one page of
 * zeros (nothing the layer would read from it is there). */
static struct rt *rt_make(const char *version, const char *json)
{
	static const uint8_t page[4096];
	struct rt *rt = calloc(1, sizeof(*rt));
	char err[256];

	assert_non_null(rt);
	rt->d = fuzz_mem_open(0x10000, page, sizeof(page));
	assert_non_null(rt->d);
	snprintf(rt->version, sizeof(rt->version), "%s", version);
	assert_int_equal(rt_descriptor_init(rt), 0);
	if (json)
		assert_int_equal(
			rt_descriptor_parse(rt, json, strlen(json), NULL, 0, NULL, err, sizeof(err)),
			0);
	rt_layout_load(rt);
	return rt;
}

static void rt_free(struct rt *rt)
{
	struct dump *d = rt->d;

	rt_close(rt);
	dump_close(d);
}

/* Whether a problem line of the dump contains every one of the strings. */
static int has_problem(struct rt *rt, const char *a, const char *b)
{
	struct diag *dg = dump_diag(rt->d);

	for (size_t i = 0; i < diag_count(dg); i++)
		if (strstr(diag_get(dg, i), a) && (!b || strstr(diag_get(dg, i), b)))
			return 1;
	return 0;
}

#define THREAD_10                                                                                  \
	"\"Thread\":{\"Id\":16,\"OSId\":296,\"State\":0,\"PreemptiveGCDisabled\":4,"           \
	"\"LastThrownObject\":[336,\"GCHandle\"],\"LinkNext\":[112,\"pointer\"],"                \
	"\"RuntimeThreadLocals\":32},"                                                           \
	"\"ThreadStore\":{\"FirstThreadLink\":88,\"ThreadCount\":112,\"UnstartedCount\":116,"    \
	"\"BackgroundCount\":120,\"PendingCount\":124,\"DeadCount\":128},"

/* The descriptor gives the fields; 10.0's name for the handle of the managed
 * Thread, GCHandle, stands for 11.0's ExposedObject. */
static void test_descriptor_and_renamed_field(void **state)
{
	(void)state;
	/* Neither name: the group fails and says which field is missing. */
	struct rt *rt = rt_make("10.0.12", "{\"version\":0,\"types\":{" THREAD_10
					   "\"X\":{}},\"globals\":{\"ThreadStore\":4096},"
					   "\"contracts\":{\"Thread\":1}}");
	assert_int_equal(rt->lay.err[RT_LG_THREAD], -ENOTSUP);
	assert_true(has_problem(rt, "cannot be read on runtime 10.0.12", "Thread.ExposedObject"));
	rt_free(rt);

	rt = rt_make("10.0.12",
		     "{\"version\":0,\"types\":{\"Thread\":{\"Id\":16,\"OSId\":296,\"State\":0,"
		     "\"PreemptiveGCDisabled\":4,\"GCHandle\":[304,\"GCHandle\"],"
		     "\"LastThrownObject\":[336,\"GCHandle\"],\"LinkNext\":[112,\"pointer\"]},"
		     "\"ThreadStore\":{\"FirstThreadLink\":88,\"ThreadCount\":112,"
		     "\"UnstartedCount\":116,\"BackgroundCount\":120,\"PendingCount\":124,"
		     "\"DeadCount\":128}},\"globals\":{\"ThreadStore\":4096},"
		     "\"contracts\":{\"Thread\":1}}");
	assert_int_equal(rt->lay.err[RT_LG_THREAD], 0);
	assert_int_equal(rt->lay.thread.id, 16);
	assert_int_equal(rt->lay.thread.exposed, 304);
	assert_int_equal(rt->lay.thread.counts[4], 128);
	assert_int_equal(rt->lay.g.thread_store, 4096);
	assert_false(rt->lay.thread.link_is_thread); /* the Thread contract 1 links SLinks */
	rt_free(rt);

	/* 11.0's name, and its renumbered contract "c1": the list links Threads. */
	rt = rt_make("11.0.0",
		     "{\"version\":2,\"types\":{\"Thread\":{\"Id\":16,\"OSId\":224,\"State\":0,"
		     "\"PreemptiveGCDisabled\":4,\"ExposedObject\":232,\"LastThrownObject\":264,"
		     "\"LinkNext\":112},\"ThreadStore\":{\"FirstThreadLink\":88,\"ThreadCount\":96,"
		     "\"UnstartedCount\":100,\"BackgroundCount\":104,\"PendingCount\":108,"
		     "\"DeadCount\":112}},\"globals\":{\"ThreadStore\":4096},"
		     "\"contracts\":{\"Thread\":\"c1\"}}");
	assert_int_equal(rt->lay.err[RT_LG_THREAD], 0);
	assert_int_equal(rt->lay.thread.exposed, 232);
	assert_true(rt->lay.thread.link_is_thread);
	rt_free(rt);
}

/* A field no source gives fails its group, and only it, with a problem line
 * that names the field; other groups are read. */
static void test_missing_field(void **state)
{
	(void)state;
	struct rt *rt = rt_make("10.0.12",
				"{\"version\":0,\"types\":{\"String\":{\"m_FirstChar\":12},"
				"\"Array\":{\"!\":16,\"m_NumComponents\":8}},"
				"\"globals\":{\"ObjectToMethodTableUnmask\":7},\"contracts\":{}}");
	assert_int_equal(rt->lay.err[RT_LG_OBJ], -ENOTSUP);
	assert_true(has_problem(rt, "strings and arrays cannot be read on runtime 10.0.12",
				"String.m_StringLength"));
	/* The 10.0 table still gives the handle table and finalizer constants. */
	assert_int_equal(rt->lay.handles.ntypes, 13);
	assert_int_equal(rt->lay.handles.table_segs, 56);
	assert_int_equal(rt->lay.finalizer.nfill, 7);
	assert_int_equal(rt->lay.err[RT_LG_FINALIZER], 0);
	rt_free(rt);
}

/* The line's table fills what the descriptor lacks; the descriptor wins where
 * it has the field. */
static void test_table_behind_descriptor(void **state)
{
	(void)state;
	static const char eeclass[] =
		"\"EEClass\":{\"FieldDescList\":24,\"NumInstanceFields\":50,"
		"\"NumStaticFields\":54,\"NumThreadStaticFields\":58}";
	char json[512];

	snprintf(json, sizeof(json), "{\"version\":0,\"types\":{%s},\"contracts\":{}}", eeclass);
	struct rt *rt = rt_make("10.0.3", json);
	assert_string_equal(rt->lay.line, "10.0");
	assert_int_equal(rt->lay.err[RT_LG_FIELDS], 0);
	assert_int_equal(rt->lay.fields.fd_size, 16);	     /* table */
	assert_int_equal(rt->lay.fields.ee_padding, 49);     /* table */
	assert_int_equal(rt->lay.fields.ee_ninst, 50);	     /* descriptor */
	assert_false(rt->lay.fields.counts_packed);
	rt_free(rt);

	snprintf(json, sizeof(json),
		 "{\"version\":0,\"types\":{%s,\"FieldDesc\":{\"!\":32,\"MTOfEnclosingClass\":0,"
		 "\"DWord1\":24,\"DWord2\":28}},\"contracts\":{}}",
		 eeclass);
	rt = rt_make("10.0.12", json);
	assert_int_equal(rt->lay.err[RT_LG_FIELDS], 0);
	assert_int_equal(rt->lay.fields.fd_size, 32);
	assert_int_equal(rt->lay.fields.fd_dw1, 24);
	rt_free(rt);
}

/* 8.0 has no descriptor: its table gives everything, in 8.0's own forms; its
 * runtime variables come from g_dacTable, which this dump lacks. */
static void test_table_alone(void **state)
{
	(void)state;
	struct rt *rt = rt_make("8.0.34", NULL);

	assert_string_equal(rt->lay.line, "8.0");
	assert_int_equal(rt->lay.mt.token, 0x0a);
	assert_int_equal(rt->lay.mt.token_mask, 0xffff);
	assert_true(rt->lay.fields.counts_packed);
	assert_true(rt->lay.statics.dlm);
	assert_true(rt->lay.codemap.nibble_linear);
	assert_false(rt->lay.alloc.rtl_indirect);
	assert_int_equal(rt->lay.alloc.rtl, 0x58);
	assert_int_equal(rt->lay.handles.ntypes, 12);
	assert_int_equal(rt->lay.precode.stub_type, 0x4c);
	assert_int_equal(rt->lay.err[RT_LG_THREAD], -EIO);
	assert_true(has_problem(rt, "threads (Thread, ThreadStore) cannot be read on runtime 8.0.34",
				"g_dacTable entry 16 (ThreadStore) is unreadable"));
	rt_free(rt);
}

/* A version clrfs has no table for (a 12.0 preview): the descriptor's fields
 * are read, every group it cannot fill says so. */
static void test_unknown_version(void **state)
{
	(void)state;
	struct rt *rt = rt_make("12.0.0",
				"{\"version\":2,\"types\":{\"String\":{\"m_StringLength\":8,"
				"\"m_FirstChar\":12},\"Array\":{\"!\":16,\"m_NumComponents\":8}},"
				"\"globals\":{\"ObjectToMethodTableUnmask\":7},\"contracts\":{}}");
	assert_null(rt->lay.line);
	assert_int_equal(rt->lay.err[RT_LG_OBJ], 0);
	assert_int_equal(rt->lay.err[RT_LG_MT], -ENOTSUP);
	assert_true(has_problem(rt, "types (MethodTable, EEClass) cannot be read on runtime 12.0.0",
				"clrfs has no table for this version"));
	for (int g = 0; g < RT_LG_COUNT; g++)
		if (g != RT_LG_OBJ)
			assert_int_not_equal(rt->lay.err[g], 0);
	rt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor_and_renamed_field),
		cmocka_unit_test(test_missing_field),
		cmocka_unit_test(test_table_behind_descriptor),
		cmocka_unit_test(test_table_alone),
		cmocka_unit_test(test_unknown_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
