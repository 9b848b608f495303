/* SPDX-License-Identifier: MIT */
/* fs/format: value and error texts shared by every provider. */
#include "format.h"

#include <inttypes.h>

#include "names.h"
#include "reason.h"
#include "strbuf.h"
#include "fs.h"

const char *fs_reason(int rc)
{
	return reason_text(rc);
}

void fs_put_addr(struct strbuf *b, uint64_t addr)
{
	strbuf_addr(b, addr);
}

void fs_put_unreadable(struct strbuf *b, int rc)
{
	reason_put_unreadable(b, rc);
}

void fs_put_result(struct strbuf *b, size_t from, int rc)
{
	if (!rc)
		return;
	strbuf_truncate(b, from);
	fs_put_unreadable(b, rc);
}

void fs_put_bool(struct strbuf *b, bool v)
{
	strbuf_puts(b, v ? "true" : "false");
}

char *fs_component(const char *safe)
{
	struct strbuf b;
	char *c;

	strbuf_init(&b);
	name_put_component(&b, safe);
	c = b.oom ? NULL : strbuf_steal(&b, NULL);
	strbuf_destroy(&b);
	return c;
}
