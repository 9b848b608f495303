/* SPDX-License-Identifier: MIT */
/* decoder/managed: text of .NET values from their raw bits (docs/design.md "Values"). */
#ifndef CLRFS_VALUES_H
#define CLRFS_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * Pure formatters: each appends the text .NET 10 itself prints for the value
 * with CultureInfo.InvariantCulture (checked against a throwaway C# program,
 * see tests/unit/test_values.c). Those returning int give 0, or -EBADMSG
 * (nothing appended) when the bits are not a valid value of the type: the
 * caller renders <unreadable: ...> instead of a guess.
 */

/* UTC offset unknown: DateTime of kind Local then gets no suffix. */
#define MV_OFFSET_UNKNOWN INT32_MIN

/* System.DateTime from its _dateData: ticks (100 ns since 0001-01-01) in the
 * low 62 bits, kind in the top 2 (0 Unspecified, 1 Utc, 2 and 3 Local). The
 * "O" format: "2017-07-25T13:08:00.0000000" then "Z" for Utc; for Local, .NET
 * appends the dumped process's offset at that time ("+02:00"), which the raw
 * value does not hold: local_offset_min gives it in minutes, or
 * MV_OFFSET_UNKNOWN for none (the text is then the local clock time alone).
 * -EBADMSG when the ticks pass 9999-12-31T23:59:59.9999999. */
int mv_put_datetime(struct strbuf *b, uint64_t date_data, int32_t local_offset_min);

/* System.DateTimeOffset from its fields _dateTime (a DateTime in UTC) and
 * _offsetMinutes: "2017-07-25T13:08:00.0000000+02:00", the clock time at the
 * offset. -EBADMSG when the offset passes +-14:00 or the time leaves the range. */
int mv_put_datetimeoffset(struct strbuf *b, uint64_t utc_date_data, int32_t offset_min);

/* System.TimeSpan from its ticks, the "c" format: "[-][d.]hh:mm:ss[.fffffff]"
 * (seven fraction digits when the fraction is not zero). Every value is valid. */
void mv_put_timespan(struct strbuf *b, int64_t ticks);

/* System.Guid from its 16 bytes in memory (_a _b _c little-endian, then _d.._k):
 * "0f8fad5b-d9cb-469f-a165-70867728950e". */
void mv_put_guid(struct strbuf *b, const uint8_t bytes[16]);

/* System.Decimal from its fields _flags (scale in bits 16-23, sign in bit 31),
 * _hi32 and _lo64: the exact value with scale digits after the point
 * ("12345.6789", "-0.001", "1.00"), no sign on zero. -EBADMSG when the scale
 * passes 28 or other flag bits are set. */
int mv_put_decimal(struct strbuf *b, uint32_t flags, uint32_t hi32, uint64_t lo64);

/* double and float as the shortest text that reads back to the same bits,
 * in .NET Core 3.0+ form: "-1234.5678", "1E+17", "1.5E-05", "-0", "NaN",
 * "Infinity", "-Infinity". Scientific when the decimal exponent is below -5
 * or reaches 17 (double) / 9 (float) digits before the point. */
void mv_put_double(struct strbuf *b, double v);
void mv_put_float(struct strbuf *b, float v);

/* A UTF-16 code point as UTF-8 (cp <= 0x10FFFF, not a surrogate). */
void mv_put_utf8(struct strbuf *b, uint32_t cp);

/* System.Char as itself in UTF-8; a control character as the escape a
 * quoted string uses ("\n", "\r", "\t", "\u001b"), so that a char never
 * breaks a one-line rendering in two; a lone surrogate (no UTF-8 form) as
 * "\ud800". */
void mv_put_char(struct strbuf *b, uint16_t c);

/* UTF-16 text as raw UTF-8 (a string's value file); a lone surrogate becomes
 * U+FFFD, as .NET's own UTF-8 encoder writes it. */
void mv_put_utf16(struct strbuf *b, const uint16_t *s, size_t n);

/* Longest string shown in one-line contexts, in UTF-16 code units. */
#define MV_QUOTE_MAX 256

/* UTF-16 text as a JSON-style quoted string for one-line contexts: escapes
 * \" \\ \n \r \t, other code units below 0x20 and lone surrogates as \uXXXX
 * (lowercase hex); the rest as UTF-8. s holds the first n code units of a
 * string of total length total, n >= min(total, MV_QUOTE_MAX). When total
 * passes MV_QUOTE_MAX only the first MV_QUOTE_MAX code units are shown (one
 * less when the last is a high surrogate), then "…" inside the quotes and
 * " (N chars)" after them: "abc…" (1000 chars). */
void mv_put_quoted(struct strbuf *b, const uint16_t *s, size_t n, uint64_t total);

#endif
