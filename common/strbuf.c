// SPDX-License-Identifier: MIT
// A growable byte buffer for rendering file contents.
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void strbuf_destroy(struct strbuf *b)
{
	if (!b)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static bool strbuf_reserve(struct strbuf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return true;
fail:
	b->oom = true;
	return false;
}

void strbuf_add(struct strbuf *b, const void *data, size_t len)
{
	if (!strbuf_reserve(b, len))
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
	size_t room = b->cap - b->len; /* cap > len whenever cap != 0 */
	va_list ap2;
	int n;

	if (b->oom)
		return;
	/* Straight into the free space when it fits (the usual case), so the
	 * format is run once, not once to measure and once to write. */
	va_copy(ap2, ap);
	n = vsnprintf(b->cap ? b->data + b->len : NULL, b->cap ? room : 0, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && b->cap && (size_t)n < room) {
		b->len += (size_t)n;
		return;
	}
	if (b->cap)
		b->data[b->len] = '\0'; /* undo a partial write */
	if (n < 0 || !strbuf_reserve(b, (size_t)n))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void strbuf_addr(struct strbuf *b, uint64_t v)
{
	char s[18] = {'0', 'x'};

	for (int i = 17; i >= 2; i--, v >>= 4)
		s[i] = "0123456789abcdef"[v & 15];
	strbuf_add(b, s, sizeof(s));
}

void strbuf_u64(struct strbuf *b, uint64_t v)
{
	char s[20];
	size_t i = sizeof(s);

	do
		s[--i] = (char)('0' + v % 10);
	while (v /= 10);
	strbuf_add(b, s + i, sizeof(s) - i);
}

void strbuf_i64(struct strbuf *b, int64_t v)
{
	if (v < 0) {
		strbuf_add(b, "-", 1);
		strbuf_u64(b, -(uint64_t)v); /* INT64_MIN too: unsigned negation */
		return;
	}
	strbuf_u64(b, (uint64_t)v);
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *strbuf_steal(struct strbuf *b, size_t *len)
{
	char *p = b->data;
	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	memset(b, 0, sizeof(*b));
	return p;
}

void strbuf_truncate(struct strbuf *b, size_t len)
{
	if (len >= b->len || b->oom)
		return;
	b->len = len;
	b->data[len] = '\0';
}
