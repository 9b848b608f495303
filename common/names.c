// SPDX-License-Identifier: MIT
// Names from the dump made safe to show (names.h).
#include "names.h"

#include "strbuf.h"

#include <stdint.h>

static bool special_text(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '%';
}

static bool special(unsigned char c)
{
	return special_text(c) || c == '/';
}

bool name_needs_escape(const char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (special((unsigned char)raw[i]))
			return true;
	return false;
}

static void put_hex(struct strbuf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3] = {'%', hex[c >> 4], hex[c & 0xf]};

	strbuf_add(b, e, sizeof(e));
}

static void put_escaped(struct strbuf *b, const char *raw, size_t len, bool (*esc)(unsigned char))
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		if (!esc((unsigned char)raw[i]))
			continue;
		strbuf_add(b, raw + run, i - run);
		put_hex(b, (unsigned char)raw[i]);
		run = i + 1;
	}
	strbuf_add(b, raw + run, len - run);
}

void name_put(struct strbuf *b, const char *raw, size_t len)
{
	put_escaped(b, raw, len, special);
}

void name_put_text(struct strbuf *b, const char *raw, size_t len)
{
	put_escaped(b, raw, len, special_text);
}

void name_put_component(struct strbuf *b, const char *safe)
{
	if (!*safe) {
		strbuf_puts(b, "%00");
		return;
	}
	if (*safe == '.') {
		put_hex(b, '.');
		safe++;
	}
	strbuf_puts(b, safe);
}
