// SPDX-License-Identifier: MIT
// Unit tests of the render buffer (common/strbuf.h): the printf-free number
// formats against printf's own output, and printf across the buffer's growth.
#include "strbuf.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Checks that b holds exactly want (its length too), then empties b. */
static void expect_text(struct strbuf *b, const char *want)
{
	assert_string_equal(b->data, want);
	assert_int_equal(b->len, strlen(want));
	strbuf_destroy(b);
	strbuf_init(b);
}

static void test_addr_matches_printf(void **state)
{
	static const uint64_t v[] = {0, 1, 0xabcdef, 0x00007f512d009f98, UINT64_MAX};
	struct strbuf b;
	char want[32];
	(void)state;
	strbuf_init(&b);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		strbuf_addr(&b, v[i]);
		snprintf(want, sizeof(want), "0x%016" PRIx64, v[i]);
		expect_text(&b, want);
	}
	strbuf_destroy(&b);
}

static void test_decimals_match_printf(void **state)
{
	static const int64_t s[] = {0, 1, -1, 9, 10, -10, 123456789, INT64_MAX, INT64_MIN};
	static const uint64_t u[] = {0, 9, 10, 18446744073709551615u};
	struct strbuf b;
	char want[32];
	(void)state;
	strbuf_init(&b);
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		strbuf_i64(&b, s[i]);
		snprintf(want, sizeof(want), "%" PRId64, s[i]);
		expect_text(&b, want);
	}
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		strbuf_u64(&b, u[i]);
		snprintf(want, sizeof(want), "%" PRIu64, u[i]);
		expect_text(&b, want);
	}
	strbuf_destroy(&b);
}

/* printf first writes into the free space; when the text does not fit it
 * must grow and write it whole, leaving no trace of the partial attempt. */
static void test_printf_across_growth(void **state)
{
	char want[4096], piece[64];
	struct strbuf b;
	size_t len = 0;
	(void)state;
	strbuf_init(&b);
	strbuf_printf(&b, "%s", ""); /* from no buffer at all */
	assert_int_equal(b.len, 0);
	for (int i = 0; len + 64 < sizeof(want); i++) {
		int n = snprintf(piece, sizeof(piece), "<%d:%0*d>", i, i % 40, i);
		strbuf_printf(&b, "<%d:%0*d>", i, i % 40, i);
		memcpy(want + len, piece, (size_t)n);
		len += (size_t)n;
		want[len] = '\0';
		assert_int_equal(b.len, len);
		assert_true(b.cap > b.len);
		assert_string_equal(b.data, want);
	}
	strbuf_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_matches_printf),
		cmocka_unit_test(test_decimals_match_printf),
		cmocka_unit_test(test_printf_across_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
