/* SPDX-License-Identifier: MIT */
/* fs/format: value and error texts shared by every provider. */
#include "format.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "strbuf.h"
#include "fs.h"

/* Errors whose strerror() text would mislead a reader of a dump (the decoder
 * uses them with the meanings of STYLE.md rule 6). */
#define FS_REASONS(X)                                                                              \
	X(EIO, "memory missing from the dump")                                                     \
	X(EBADMSG, "malformed data in the dump")                                                   \
	X(ENOTSUP, "not supported for this runtime version")                                       \
	X(E2BIG, "value too long")

const char *fs_reason(int rc)
{
	switch (-rc) {
#define FS_REASON_CASE(code, text)                                                                 \
	case code:                                                                                 \
		return text;
		FS_REASONS(FS_REASON_CASE)
#undef FS_REASON_CASE
	default:
		/* glibc returns static text for known codes; thread-safe. */
		return strerror(-rc);
	}
}

void fs_put_addr(struct strbuf *b, uint64_t addr)
{
	strbuf_printf(b, "0x%016" PRIx64, addr);
}

void fs_put_unreadable(struct strbuf *b, int rc)
{
	strbuf_printf(b, "<unreadable: %s>", fs_reason(rc));
}

void fs_put_bool(struct strbuf *b, bool v)
{
	strbuf_puts(b, v ? "true" : "false");
}
