/* SPDX-License-Identifier: MIT */
/* A growable byte buffer for rendering file contents. */
#ifndef CLRFS_STRBUF_H
#define CLRFS_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *data; /* NUL-terminated while oom is false */
	size_t len, cap;
	bool oom; /* a growth failed: contents are incomplete */
};

void strbuf_init(struct strbuf *b);
void strbuf_destroy(struct strbuf *b);
void strbuf_add(struct strbuf *b, const void *data, size_t len);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap);
/* The hot formats without printf: an address as "0x" and 16 lowercase hex
 * digits (like "0x%016" PRIx64), and decimal integers. */
void strbuf_addr(struct strbuf *b, uint64_t v);
void strbuf_u64(struct strbuf *b, uint64_t v);
void strbuf_i64(struct strbuf *b, int64_t v);
/* Drops the bytes past len (no-op when len is not shorter). */
void strbuf_truncate(struct strbuf *b, size_t len);
/* Hands the bytes to the caller (free() them); the buffer is left empty. */
char *strbuf_steal(struct strbuf *b, size_t *len);

#endif
