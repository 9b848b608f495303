/* SPDX-License-Identifier: MIT */
/* Names from the dump made safe to show: the one escaping clrfs applies (docs/design.md
 * "Names from the dump"). */
#ifndef CLRFS_NAMES_H
#define CLRFS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* Appends the first len bytes of a name read from the dump (a type, field,
 * method or enum member name from metadata, a module path) escaped: '%', '/',
 * the bytes below 0x20 and 0x7f become %XX (two uppercase hex digits). The
 * result is one token: no line break, no tab, no path separator; decoding every
 * %XX gives the name back. Names are escaped once, where they are read. */
void name_put(struct strbuf *b, const char *raw, size_t len);
/* The same for a path or other text from the dump shown on one line (a
 * module's path in /info): '/' is kept. */
void name_put_text(struct strbuf *b, const char *raw, size_t len);
/* Whether name_put() would change the len bytes at raw. */
bool name_needs_escape(const char *raw, size_t len);
/* Appends a name already escaped by name_put() as a path component: a
 * leading '.' becomes %2E (so no component is "." or ".." or hidden), and an
 * empty name is "%00" (no name holds a NUL). */
void name_put_component(struct strbuf *b, const char *safe);

#endif
