// SPDX-License-Identifier: MIT
// Unit tests of the value formatters (decoder/managed/values.h).
//
// Every expected text is what .NET 10.0 prints for the same bits with
// CultureInfo.InvariantCulture ("O" for DateTime/DateTimeOffset, "c" for
// TimeSpan, "D" for Guid, ToString() for the rest), recorded from a
// throwaway C# program on 10.0.12; the raw bits come from the same program
// (BitConverter.DoubleToInt64Bits, decimal.GetBits, Guid.ToByteArray).
#include "managed_i.h"
#include "values.h"
#include "strbuf.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static struct strbuf buf;

static int setup(void **state)
{
	(void)state;
	strbuf_init(&buf);
	strbuf_puts(&buf, "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	strbuf_destroy(&buf);
	return 0;
}

static const char *text(void)
{
	return buf.data ? buf.data : "";
}

static void reset(void)
{
	buf.len = 0;
	if (buf.data)
		buf.data[0] = '\0';
}

#define DT_UTC(t)   ((uint64_t)(t) | UINT64_C(1) << 62)
#define DT_LOCAL(t) ((uint64_t)(t) | UINT64_C(2) << 62)

/* new DateTime(2017, 7, 25, 13, 8, 0).Ticks */
#define T_2017 UINT64_C(636365848800000000)

static void check_dt(uint64_t data, int32_t off, const char *want)
{
	reset();
	assert_int_equal(mv_put_datetime(&buf, data, off), 0);
	assert_string_equal(text(), want);
}

static void test_datetime(void **state)
{
	(void)state;
	check_dt(DT_UTC(T_2017), MV_OFFSET_UNKNOWN, "2017-07-25T13:08:00.0000000Z");
	check_dt(T_2017 + 1230000, MV_OFFSET_UNKNOWN, "2017-07-25T13:08:00.1230000");
	check_dt(DT_LOCAL(T_2017), MV_OFFSET_UNKNOWN, "2017-07-25T13:08:00.0000000");
	check_dt(DT_LOCAL(T_2017), 0, "2017-07-25T13:08:00.0000000+00:00");
	check_dt(DT_LOCAL(T_2017) | UINT64_C(1) << 62, -330, "2017-07-25T13:08:00.0000000-05:30");
	check_dt(0, MV_OFFSET_UNKNOWN, "0001-01-01T00:00:00.0000000");
	check_dt(UINT64_C(3155378975999999999), MV_OFFSET_UNKNOWN, "9999-12-31T23:59:59.9999999");
	/* new DateTime(2000,2,29,23,59,59,Utc).AddTicks(1234567) */
	check_dt(DT_UTC(UINT64_C(630874655991234567)), 0, "2000-02-29T23:59:59.1234567Z");
	/* the last day of a 400-year cycle and of a century year */
	check_dt(UINT64_C(631139040000000000) - 864000000000, MV_OFFSET_UNKNOWN,
		 "2000-12-31T00:00:00.0000000");
	check_dt(UINT64_C(599581440000000000) - 864000000000, MV_OFFSET_UNKNOWN,
		 "1900-12-31T00:00:00.0000000");
	check_dt(UINT64_C(629876736000000000) - 864000000000, MV_OFFSET_UNKNOWN,
		 "1996-12-31T00:00:00.0000000");
	/* Outer+Nested.Ticks of the heap fixture */
	check_dt(UINT64_C(637366080000000000), MV_OFFSET_UNKNOWN, "2020-09-25T05:20:00.0000000");
	reset();
	assert_int_equal(mv_put_datetime(&buf, UINT64_C(3155378976000000000), 0), -EBADMSG);
	assert_string_equal(text(), "");
}

static void test_datetimeoffset(void **state)
{
	(void)state;
	/* new DateTimeOffset(2017,7,25,13,8,0, +2h): _dateTime is the UTC time */
	assert_int_equal(mv_put_datetimeoffset(&buf, T_2017 - UINT64_C(72000000000), 120), 0);
	assert_string_equal(text(), "2017-07-25T13:08:00.0000000+02:00");
	reset();
	assert_int_equal(mv_put_datetimeoffset(&buf, T_2017 + UINT64_C(198000000000), -330), 0);
	assert_string_equal(text(), "2017-07-25T13:08:00.0000000-05:30");
	reset();
	assert_int_equal(mv_put_datetimeoffset(&buf, 0, 0), 0);
	assert_string_equal(text(), "0001-01-01T00:00:00.0000000+00:00");
	reset();
	assert_int_equal(mv_put_datetimeoffset(&buf, 0, 15 * 60), -EBADMSG);
	assert_int_equal(mv_put_datetimeoffset(&buf, 0, -60), -EBADMSG);
	assert_string_equal(text(), "");
}

static void check_ts(int64_t ticks, const char *want)
{
	reset();
	mv_put_timespan(&buf, ticks);
	assert_string_equal(text(), want);
}

static void test_timespan(void **state)
{
	(void)state;
	check_ts(0, "00:00:00");
	check_ts(1, "00:00:00.0000001");
	check_ts(-1, "-00:00:00.0000001");
	check_ts(INT64_MAX, "10675199.02:48:05.4775807");
	check_ts(INT64_MIN, "-10675199.02:48:05.4775808");
	check_ts(36000000000, "01:00:00");
	check_ts(864000000000, "1.00:00:00");
	check_ts(-864000000001, "-1.00:00:00.0000001");
	check_ts(10000000, "00:00:01");
	/* new TimeSpan(1, 2, 3, 4, 500), -TimeSpan.FromMinutes(90) */
	check_ts(937845000000, "1.02:03:04.5000000");
	check_ts(-54000000000, "-01:30:00");
}

static void test_guid(void **state)
{
	(void)state;
	/* new Guid("0f8fad5b-d9cb-469f-a165-70867728950e").ToByteArray() */
	static const uint8_t g[16] = {0x5b, 0xad, 0x8f, 0x0f, 0xcb, 0xd9, 0x9f, 0x46,
				      0xa1, 0x65, 0x70, 0x86, 0x77, 0x28, 0x95, 0x0e};
	mv_put_guid(&buf, g);
	assert_string_equal(text(), "0f8fad5b-d9cb-469f-a165-70867728950e");
}

/* decimal.GetBits order: lo, mid, hi, flags. */
static void check_dec(uint32_t lo, uint32_t mid, uint32_t hi, uint32_t flags, const char *want)
{
	reset();
	assert_int_equal(mv_put_decimal(&buf, flags, hi, (uint64_t)mid << 32 | lo), 0);
	assert_string_equal(text(), want);
}

static void test_decimal(void **state)
{
	(void)state;
	check_dec(0, 0, 0, 0, "0");
	check_dec(0, 0, 0, 0x80020000, "0.00");
	check_dec(0, 0, 0, 0x00020000, "0.00");
	check_dec(0, 0, 0, 0x80050000, "0.00000");
	check_dec(0x075bcd15, 0, 0, 0x00040000, "12345.6789");
	check_dec(1, 0, 0, 0x80030000, "-0.001");
	check_dec(0xffffffff, 0xffffffff, 0xffffffff, 0, "79228162514264337593543950335");
	check_dec(0xffffffff, 0xffffffff, 0xffffffff, 0x80000000, "-79228162514264337593543950335");
	check_dec(0x10000000, 0x3e250261, 0x204fce5e, 0x001c0000, "1.0000000000000000000000000000");
	check_dec(1, 0, 0, 0x001c0000, "0.0000000000000000000000000001");
	reset();
	assert_int_equal(mv_put_decimal(&buf, 0x001d0000, 0, 1), -EBADMSG);
	assert_int_equal(mv_put_decimal(&buf, 0x00000001, 0, 1), -EBADMSG);
	assert_string_equal(text(), "");
}

static void check_d(uint64_t bits, const char *want)
{
	double d;
	memcpy(&d, &bits, sizeof(d));
	reset();
	mv_put_double(&buf, d);
	assert_string_equal(text(), want);
}

static void check_f(uint32_t bits, const char *want)
{
	float f;
	memcpy(&f, &bits, sizeof(f));
	reset();
	mv_put_float(&buf, f);
	assert_string_equal(text(), want);
}

static void test_double(void **state)
{
	(void)state;
	check_d(0x430c6bf526340000, "1000000000000000");
	check_d(0x42d6bcc41e900000, "100000000000000");
	check_d(0x437b69b4ba630f35, "1.2345678901234568E+17");
	check_d(0x4345ee2a2eb5a5c4, "12345678901234568");
	check_d(0x3f1a36e2eb1c432d, "0.0001");
	check_d(0x3ee4f8b588e368f1, "1E-05");
	check_d(0x8000000000000000, "-0");
	check_d(0x0000000000000000, "0");
	check_d(0xfff8000000000000, "NaN");
	check_d(0x7ff0000000000000, "Infinity");
	check_d(0xfff0000000000000, "-Infinity");
	check_d(0x7fe1ccf385ebc8a0, "1E+308");
	check_d(0x0000000000000001, "5E-324");
	check_d(0x2b2bff2ee48e0530, "1E-100");
	check_d(0x3fb999999999999a, "0.1");
	check_d(0x3fd5555555555555, "0.3333333333333333");
	check_d(0xc0934a456d5cfaad, "-1234.5678");
	check_d(0x42dc12218377de66, "123456789012345.6");
	check_d(0x43118b54f22aeb03, "1234567890123456.8");
	check_d(0x4341c37937e08000, "10000000000000000");
	check_d(0x4376345785d8a000, "1E+17");
	check_d(0x7e41eb2d66005835, "1.5E+300");
	check_d(0x7fefffffffffffff, "1.7976931348623157E+308");
	check_d(0x3eef75104d551d69, "1.5E-05");
	check_d(0x3f202e4b6ce5dc68, "0.00012345");
	check_d(0x437b69b4ba630f34, "1.2345678901234566E+17");
	check_d(0x000012688b70e62b, "1E-310");
}

static void test_float(void **state)
{
	(void)state;
	check_f(0x4b189680, "10000000");
	check_f(0x4cbebc20, "100000000");
	check_f(0x4048f5c3, "3.14");
	check_f(0x38d1b717, "0.0001");
	check_f(0x3727c5ac, "1E-05");
	check_f(0x00000001, "1E-45");
	check_f(0x7f7fffff, "3.4028235E+38");
	check_f(0x80000000, "-0");
	check_f(0x4b800000, "16777216");
	check_f(0x4ceb79a3, "123456790");
	check_f(0x4996b438, "1234567");
	check_f(0x4b3c614e, "12345678");
	check_f(0x3dcccccd, "0.1");
	check_f(0x4e6e6b28, "1E+09");
	check_f(0x501502f9, "1E+10");
	check_f(0x4e932c05, "1.2345678E+09");
	check_f(0x4ceb79a2, "123456780");
	check_f(0x377ba882, "1.5E-05");
	check_f(0x3901725b, "0.00012345");
	check_f(0x7e967699, "1E+38");
	check_f(0x7fc00000, "NaN");
	check_f(0xff800000, "-Infinity");
}

static void test_char(void **state)
{
	(void)state;
	mv_put_char(&buf, 'A');
	mv_put_char(&buf, 0xe9);
	mv_put_char(&buf, 0x2713);
	mv_put_char(&buf, 0xd83d);
	mv_put_char(&buf, '\n');
	mv_put_char(&buf, '\t');
	mv_put_char(&buf, '\r');
	mv_put_char(&buf, 0x1b);
	mv_put_char(&buf, '\\');
	assert_string_equal(text(), "A\xc3\xa9\xe2\x9c\x93\\ud83d\\n\\t\\r\\u001b\\");
}

/* Brent's loop detection (managed_i.h): no loop seen on a long chain of
 * distinct nodes; a loop seen within twice its length past its start. */
static void test_cycle(void **state)
{
	struct mv_cycle c = {0};

	(void)state;
	for (uint64_t n = 1; n <= 1000000; n++)
		assert_false(mv_cycle_seen(&c, n * 8));
	for (uint64_t tail = 0; tail < 40; tail += 7)
		for (uint64_t len = 1; len < 100; len += 3) {
			struct mv_cycle d = {0};
			uint64_t steps = 0, node = 0;
			/* 0, 1, ..., tail - 1, then tail .. tail + len - 1 round and round */
			while (!mv_cycle_seen(&d, node + 0x1000)) {
				node = node + 1 < tail + len ? node + 1 : tail;
				assert_true(++steps < 4 * (tail + len) + 4);
			}
		}
}

static void test_utf16(void **state)
{
	(void)state;
	/* "héllo wörld ✓ 😀" then a lone high and a lone low surrogate */
	static const uint16_t s[] = {'h',    0xe9,   'l',    'l', 'o',	 ' ',	 'w',
				     0xf6,   'r',    'l',    'd', ' ',	 0x2713, ' ',
				     0xd83d, 0xde00, 0xd800, 'x', 0xdc00};
	mv_put_utf16(&buf, s, sizeof(s) / 2);
	assert_string_equal(text(), "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80"
				    "\xef\xbf\xbdx\xef\xbf\xbd");
}

static void check_q(const uint16_t *s, size_t n, uint64_t total, const char *want)
{
	reset();
	mv_put_quoted(&buf, s, n, total);
	assert_string_equal(text(), want);
}

static void test_quoted(void **state)
{
	(void)state;
	static const uint16_t esc[] = {'a',  '"',  '\\',   '\n',   '\r',   '\t',  0x01,
				       0x1f, 0xe9, 0xd83d, 0xde00, 0xdc00, 0xd800};
	check_q(esc, 0, 0, "\"\"");
	check_q(esc, sizeof(esc) / 2, sizeof(esc) / 2,
		"\"a\\\"\\\\\\n\\r\\t\\u0001\\u001f\xc3\xa9\xf0\x9f\x98\x80\\udc00\\ud800\"");

	uint16_t many[300];
	char want[400];
	for (size_t i = 0; i < 300; i++)
		many[i] = 'a' + i % 26;
	/* exactly MV_QUOTE_MAX: whole */
	memset(want, 0, sizeof(want));
	want[0] = '"';
	for (size_t i = 0; i < 256; i++)
		want[1 + i] = (char)many[i];
	want[257] = '"';
	check_q(many, 256, 256, want);
	/* longer: first 256, then the ellipsis and the length */
	strcpy(want + 257, "\xe2\x80\xa6\" (1000 chars)");
	check_q(many, 300, 1000, want);
	check_q(many, 256, 1000, want);
	/* a pair across the cut: one code unit less */
	many[255] = 0xd83d;
	many[256] = 0xde00;
	strcpy(want + 256, "\xe2\x80\xa6\" (257 chars)");
	check_q(many, 257, 257, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycle),
		cmocka_unit_test_setup_teardown(test_datetime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datetimeoffset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timespan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decimal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double, setup, teardown),
		cmocka_unit_test_setup_teardown(test_float, setup, teardown),
		cmocka_unit_test_setup_teardown(test_char, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoted, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
