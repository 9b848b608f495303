// SPDX-License-Identifier: MIT
// The text of a decoder error: one table for every layer that renders one.
#include "reason.h"

#include <errno.h>
#include <string.h>

#include "strbuf.h"

/* Errors whose strerror() text would mislead a reader of a dump (the decoder
 * uses them with the meanings of STYLE.md rule 6). */
#define REASONS(X)                                                                                 \
	X(EIO, "memory missing from the dump")                                                     \
	X(EBADMSG, "malformed data in the dump")                                                   \
	X(ENOTSUP, "not supported for this runtime version")                                       \
	X(E2BIG, "value too long")                                                                 \
	X(ENODATA, "not initialized")                                                              \
	X(ENOSYS, "not read by clrfs")                                                           \
	X(ESTALE, "the dump file changed")

const char *reason_text(int rc)
{
	switch (-rc) {
#define REASON_CASE(code, text)                                                                    \
	case code:                                                                                 \
		return text;
		REASONS(REASON_CASE)
#undef REASON_CASE
	default:
		/* glibc returns static text for known codes; thread-safe. */
		return strerror(-rc);
	}
}

void reason_put_unreadable(struct strbuf *b, int rc)
{
	strbuf_printf(b, "<unreadable: %s>", reason_text(rc));
}
