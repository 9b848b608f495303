// SPDX-License-Identifier: MIT
// decoder/managed: text of .NET values from their raw bits, as .NET 10 prints them.
#include "values.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* System.DateTime (dotnet/runtime src/libraries/System.Private.CoreLib/src/
 * System/DateTime.cs): TicksMask, KindShift, MaxTicks. */
#define TICKS_MASK     UINT64_C(0x3FFFFFFFFFFFFFFF)
#define KIND_SHIFT     62
#define MAX_TICKS      UINT64_C(3155378975999999999)
#define TICKS_PER_SEC  UINT64_C(10000000)
#define TICKS_PER_MIN  (TICKS_PER_SEC * 60)
#define TICKS_PER_HOUR (TICKS_PER_MIN * 60)
#define TICKS_PER_DAY  (TICKS_PER_HOUR * 24)
#define MAX_OFFSET_MIN (14 * 60) /* DateTimeOffset.MaxOffset */

/* Days of the 400, 100, 4 and 1-year cycles of the Gregorian calendar. */
#define DAYS_400Y 146097
#define DAYS_100Y 36524
#define DAYS_4Y	  1461
#define DAYS_1Y	  365

/* "yyyy-MM-ddTHH:mm:ss.fffffff" for ticks <= MAX_TICKS (proleptic Gregorian
 * calendar, day 0 = 0001-01-01). */
static void put_clock(struct strbuf *b, uint64_t ticks)
{
	static const uint16_t cum[2][13] = {
		{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
		{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
	};
	uint64_t days = ticks / TICKS_PER_DAY, t = ticks % TICKS_PER_DAY;
	uint64_t c400 = days / DAYS_400Y, d = days % DAYS_400Y;
	uint64_t c100 = d / DAYS_100Y;
	if (c100 == 4) /* the last day of a 400-year cycle */
		c100 = 3;
	d -= c100 * DAYS_100Y;
	uint64_t c4 = d / DAYS_4Y;
	d -= c4 * DAYS_4Y;
	uint64_t c1 = d / DAYS_1Y;
	if (c1 == 4) /* the last day of a leap year */
		c1 = 3;
	d -= c1 * DAYS_1Y;
	int leap = c1 == 3 && (c4 != 24 || c100 == 3);
	unsigned month = 1;
	while (d >= cum[leap][month])
		month++;
	uint64_t year = c400 * 400 + c100 * 100 + c4 * 4 + c1 + 1;
	strbuf_printf(b,
		      "%04" PRIu64 "-%02u-%02" PRIu64 "T%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64
		      ".%07" PRIu64,
		      year, month, d - cum[leap][month - 1] + 1, t / TICKS_PER_HOUR,
		      t / TICKS_PER_MIN % 60, t / TICKS_PER_SEC % 60, t % TICKS_PER_SEC);
}

static void put_offset(struct strbuf *b, int32_t min)
{
	uint32_t a = (uint32_t)(min < 0 ? -min : min);
	strbuf_printf(b, "%c%02u:%02u", min < 0 ? '-' : '+', a / 60, a % 60);
}

int mv_put_datetime(struct strbuf *b, uint64_t date_data, int32_t local_offset_min)
{
	uint64_t ticks = date_data & TICKS_MASK;
	unsigned kind = (unsigned)(date_data >> KIND_SHIFT);

	if (ticks > MAX_TICKS)
		return -EBADMSG;
	put_clock(b, ticks);
	if (kind == 1)
		strbuf_puts(b, "Z");
	else if (kind >= 2 && local_offset_min != MV_OFFSET_UNKNOWN)
		put_offset(b, local_offset_min);
	return 0;
}

int mv_put_datetimeoffset(struct strbuf *b, uint64_t utc_date_data, int32_t offset_min)
{
	uint64_t utc = utc_date_data & TICKS_MASK;

	if (offset_min < -MAX_OFFSET_MIN || offset_min > MAX_OFFSET_MIN || utc > MAX_TICKS)
		return -EBADMSG;
	int64_t local = (int64_t)utc + (int64_t)offset_min * (int64_t)TICKS_PER_MIN;
	if (local < 0 || (uint64_t)local > MAX_TICKS)
		return -EBADMSG;
	put_clock(b, (uint64_t)local);
	put_offset(b, offset_min);
	return 0;
}

void mv_put_timespan(struct strbuf *b, int64_t ticks)
{
	/* Magnitude in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
	uint64_t a = ticks < 0 ? -(uint64_t)ticks : (uint64_t)ticks;
	uint64_t days = a / TICKS_PER_DAY, frac = a % TICKS_PER_SEC;

	if (ticks < 0)
		strbuf_puts(b, "-");
	if (days)
		strbuf_printf(b, "%" PRIu64 ".", days);
	strbuf_printf(b, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, a / TICKS_PER_HOUR % 24,
		      a / TICKS_PER_MIN % 60, a / TICKS_PER_SEC % 60);
	if (frac)
		strbuf_printf(b, ".%07" PRIu64, frac);
}

void mv_put_guid(struct strbuf *b, const uint8_t g[16])
{
	strbuf_printf(b, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		      g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11],
		      g[12], g[13], g[14], g[15]);
}

/* System.Decimal: SignMask, ScaleMask, ScaleShift, MaxScale (Decimal.DecCalc.cs). */
#define DEC_SIGN	UINT32_C(0x80000000)
#define DEC_SCALE_MASK	UINT32_C(0x00FF0000)
#define DEC_SCALE_SHIFT 16
#define DEC_MAX_SCALE	28

int mv_put_decimal(struct strbuf *b, uint32_t flags, uint32_t hi32, uint64_t lo64)
{
	unsigned scale = (flags & DEC_SCALE_MASK) >> DEC_SCALE_SHIFT;
	unsigned __int128 v = ((unsigned __int128)hi32 << 64) | lo64;
	char digits[64];
	size_t n = 0;

	if ((flags & ~(DEC_SIGN | DEC_SCALE_MASK)) || scale > DEC_MAX_SCALE)
		return -EBADMSG;
	do { /* at most 29 digits */
		digits[n++] = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	while (n <= scale) /* at least one digit before the point */
		digits[n++] = '0';
	/* .NET prints no sign on a zero, whatever the sign bit. */
	bool zero = !hi32 && !lo64;
	if ((flags & DEC_SIGN) && !zero)
		strbuf_puts(b, "-");
	for (size_t i = n; i-- > 0;) {
		strbuf_add(b, &digits[i], 1);
		if (i == scale && scale)
			strbuf_puts(b, ".");
	}
	return 0;
}

/*
 * Shortest round trip: the first precision p (1..17) whose correctly
 * rounded p-digit decimal (printf %.*e) reads back to the same value. The
 * correctly rounded p-digit decimal is the nearest one, so if any p-digit
 * decimal reads back, it does: this is the shortest-and-closest digit string
 * .NET Core 3.0+ prints. The digits are then laid out the way .NET's general
 * format does (Number.Formatting.cs FormatGeneral): plain unless the decimal
 * point falls more than maxpos digits right of the first digit or more than
 * 4 left of it ("1E-05"), then d[.ddd]E+XX with at least two exponent digits.
 */
static void put_digits(struct strbuf *b, double v, bool is_float, int maxpos)
{
	char buf[40], digits[20];
	int p, exp10 = 0;
	size_t nd = 0;

	if (isnan(v)) {
		strbuf_puts(b, "NaN");
		return;
	}
	if (isinf(v)) {
		strbuf_puts(b, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (signbit(v))
		strbuf_puts(b, "-");
	v = fabs(v);
	if (v == 0) {
		strbuf_puts(b, "0");
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
		if (is_float ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
			break;
	}
	/* buf is "d[.ddd]e[+-]XX" */
	char *e = strchr(buf, 'e');
	for (char *c = buf; c < e; c++)
		if (*c != '.')
			digits[nd++] = *c;
	exp10 = atoi(e + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;

	int scale = exp10 + 1; /* digits before the point */
	if (scale > maxpos || scale < -3) {
		strbuf_add(b, digits, 1);
		if (nd > 1) {
			strbuf_puts(b, ".");
			strbuf_add(b, digits + 1, nd - 1);
		}
		strbuf_printf(b, "E%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (scale <= 0) {
		strbuf_puts(b, "0.");
		for (int i = scale; i < 0; i++)
			strbuf_puts(b, "0");
		strbuf_add(b, digits, nd);
	} else if ((size_t)scale >= nd) {
		strbuf_add(b, digits, nd);
		for (size_t i = nd; i < (size_t)scale; i++)
			strbuf_puts(b, "0");
	} else {
		strbuf_add(b, digits, (size_t)scale);
		strbuf_puts(b, ".");
		strbuf_add(b, digits + scale, nd - (size_t)scale);
	}
}

void mv_put_double(struct strbuf *b, double v)
{
	put_digits(b, v, false, 17);
}

void mv_put_float(struct strbuf *b, float v)
{
	put_digits(b, v, true, 9);
}

void mv_put_utf8(struct strbuf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	strbuf_add(b, u, n);
}

static bool is_high(uint16_t c)
{
	return c >= 0xD800 && c <= 0xDBFF;
}

static bool is_low(uint16_t c)
{
	return c >= 0xDC00 && c <= 0xDFFF;
}

void mv_put_char(struct strbuf *b, uint16_t c)
{
	if (c == '\n')
		strbuf_puts(b, "\\n");
	else if (c == '\r')
		strbuf_puts(b, "\\r");
	else if (c == '\t')
		strbuf_puts(b, "\\t");
	else if (c < 0x20 || c == 0x7f || is_high(c) || is_low(c))
		strbuf_printf(b, "\\u%04x", c);
	else
		mv_put_utf8(b, c);
}

/* The code point at s[*i] (a pair counts once), moving *i past it; a lone
 * surrogate gives itself with *lone set. */
static uint32_t next_cp(const uint16_t *s, size_t n, size_t *i, bool *lone)
{
	uint16_t c = s[(*i)++];

	*lone = false;
	if (is_high(c) && *i < n && is_low(s[*i]))
		return 0x10000 + ((uint32_t)(c - 0xD800) << 10) + (uint32_t)(s[(*i)++] - 0xDC00);
	*lone = is_high(c) || is_low(c);
	return c;
}

void mv_put_utf16(struct strbuf *b, const uint16_t *s, size_t n)
{
	bool lone;

	for (size_t i = 0; i < n;) {
		uint32_t cp = next_cp(s, n, &i, &lone);
		mv_put_utf8(b, lone ? 0xFFFD : cp);
	}
}

void mv_put_quoted(struct strbuf *b, const uint16_t *s, size_t n, uint64_t total)
{
	bool cut = total > MV_QUOTE_MAX, lone;
	char run[256]; /* plain ASCII gathered, added in one go */
	size_t r = 0;

	if (cut && n >= MV_QUOTE_MAX) {
		n = MV_QUOTE_MAX;
		if (is_high(s[n - 1]))
			n--; /* never half a pair: show one code unit less */
	}
	strbuf_puts(b, "\"");
	for (size_t i = 0; i < n;) {
		uint32_t cp = next_cp(s, n, &i, &lone);
		if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') {
			run[r++] = (char)cp;
			if (r == sizeof(run)) {
				strbuf_add(b, run, r);
				r = 0;
			}
			continue;
		}
		strbuf_add(b, run, r);
		r = 0;
		switch (cp) {
		case '"':
			strbuf_puts(b, "\\\"");
			break;
		case '\\':
			strbuf_puts(b, "\\\\");
			break;
		case '\n':
			strbuf_puts(b, "\\n");
			break;
		case '\r':
			strbuf_puts(b, "\\r");
			break;
		case '\t':
			strbuf_puts(b, "\\t");
			break;
		default:
			if (cp < 0x20 || lone)
				strbuf_printf(b, "\\u%04x", cp);
			else
				mv_put_utf8(b, cp);
		}
	}
	strbuf_add(b, run, r);
	if (cut)
		strbuf_printf(b, "…\" (%" PRIu64 " chars)", total);
	else
		strbuf_puts(b, "\"");
}
