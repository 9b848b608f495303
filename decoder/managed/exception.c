// SPDX-License-Identifier: MIT
// decoder/managed: an exception object as one line, "TypeName: message".
#include "managed_i.h"
#include "objects.h"

#include "dump.h"
#include "heap.h"
#include "runtime.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>

int mv_put_exception(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	struct strbuf msg;
	const char *name;
	uint64_t mt, size, message;
	int rc = rt_object_size(rt, obj, &mt, &size);

	rc = rc ? rc : rt_type_name(rt, mt, &name);
	/* System.Exception._message (System.Private.CoreLib Exception.cs). */
	rc = rc ? rc
		: mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "_message",
				    &message);
	if (rc)
		return rc;
	strbuf_init(&msg);
	if (message)
		rc = mv_string(rt, message, &msg);
	if (!rc && msg.oom)
		rc = -ENOMEM;
	if (!rc) {
		strbuf_puts(out, name);
		if (message)
			strbuf_puts(out, ": ");
		for (size_t i = 0; i < msg.len; i++) {
			char c = msg.data[i];
			if (c == '\n' || c == '\r' || c == '\t')
				strbuf_puts(out, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
			else
				strbuf_add(out, &c, 1);
		}
	}
	strbuf_destroy(&msg);
	return rc;
}
