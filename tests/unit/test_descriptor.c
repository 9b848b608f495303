// SPDX-License-Identifier: MIT
// Unit tests of the contract descriptor's JSON parser and layout provider.
#include "runtime_i.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const char good[] =
	"{\"version\":0,\"baseline\":\"empty\","
	"\"types\":{\"Thread\":{\"Id\":16,\"LinkNext\":[112,\"pointer\"]},"
	"\"MethodTable\":{\"!\":64,\"BaseSize\":4}},"
	"\"globals\":{\"ObjectHeaderSize\":[\"0x8\",\"uint64\"],\"Plain\":12,"
	"\"ThreadStore\":[[2],\"pointer\"],\"Architecture\":[\"x64\",\"string\"]},"
	"\"contracts\":{\"Thread\":1,\"Loader\":\"c1\"}}";
static const uint64_t ptrs[] = {0, 0x1000, 0x7f0000001234};

static int setup(void **state)
{
	struct rt *rt = calloc(1, sizeof(*rt));
	assert_int_equal(rt_descriptor_init(rt), 0);
	*state = rt;
	return 0;
}

static int teardown(void **state)
{
	rt_descriptor_free(*state);
	free(*state);
	return 0;
}

static void test_layout(void **state)
{
	struct rt *rt = *state;
	char err[256];
	uint64_t v;
	size_t t, g, c;

	assert_int_equal(
		rt_descriptor_parse(rt, good, strlen(good), ptrs, 3, NULL, err, sizeof(err)), 0);
	assert_int_equal(rt_field_offset(rt, "Thread", "Id", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(rt_field_offset(rt, "Thread", "LinkNext", &v), 0);
	assert_int_equal(v, 112);
	assert_int_equal(rt_field_offset(rt, "Thread", "Missing", &v), -ENOENT);
	assert_int_equal(rt_field_offset(rt, "NoSuchType", "Id", &v), -ENOENT);
	assert_int_equal(rt_type_size(rt, "MethodTable", &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(rt_type_size(rt, "Thread", &v), -ENOENT);
	assert_int_equal(rt_global(rt, "ObjectHeaderSize", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(rt_global(rt, "Plain", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(rt_global(rt, "ThreadStore", &v), 0);
	assert_int_equal(v, 0x7f0000001234);
	assert_string_equal(rt_global_string(rt, "Architecture"), "x64");
	assert_int_equal(rt_global(rt, "Architecture", &v), -ENOENT);
	rt_descriptor_counts(rt, &t, &g, &c);
	assert_int_equal(t, 2);
	assert_int_equal(g, 4);
	assert_int_equal(c, 2);
}

static void expect_bad(struct rt *rt, const char *json, uint32_t nptrs)
{
	char err[256] = "";
	assert_int_equal(
		rt_descriptor_parse(rt, json, strlen(json), ptrs, nptrs, NULL, err, sizeof(err)),
		-EBADMSG);
	assert_true(strlen(err) > 0);
}

static void test_malformed(void **state)
{
	struct rt *rt = *state;
	expect_bad(rt, "{\"types\":", 3);
	expect_bad(rt, "[1,2]", 3);
	expect_bad(rt, "{\"types\":{\"T\":5}}", 3);
	expect_bad(rt, "{\"globals\":{\"G\":[[7],\"pointer\"]}}", 3); /* index past pointer_data */
	expect_bad(rt, "{\"globals\":{\"G\":\"0xZZ\"}}", 3);
	expect_bad(rt, "{\"globals\":{\"G\":[1,2,3]}}", 3);
	expect_bad(rt, "{\"globals\":[]}", 3);
}

static void test_duplicates(void **state)
{
	struct rt *rt = *state;
	char err[256];
	const char *a = "{\"types\":{\"A\":{\"x\":1}},\"globals\":{\"G\":1}}";
	const char *b = "{\"types\":{\"B\":{\"x\":1}},\"globals\":{\"G\":2}}";
	const char *c = "{\"types\":{\"A\":{\"y\":1}}}";
	assert_int_equal(rt_descriptor_parse(rt, a, strlen(a), ptrs, 3, NULL, err, sizeof(err)), 0);
	/* A sub-descriptor may not redefine a global or a type. */
	assert_int_equal(rt_descriptor_parse(rt, b, strlen(b), ptrs, 3, NULL, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(rt_descriptor_parse(rt, c, strlen(c), ptrs, 3, NULL, err, sizeof(err)),
			 -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
