// SPDX-License-Identifier: MIT
// decoder/managed: an exception object as one line, "TypeName: message", and
// the stack trace the runtime recorded in it.
#include "managed_i.h"
#include "objects.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "methods.h"
#include "stack.h"
#include "runtime.h"
#include "strbuf.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool mv_derives_from(struct rt *rt, uint64_t mt, const char *type)
{
	struct rt_type_info ti;
	const char *name;

	for (int depth = 0; mt && depth < 64; depth++) {
		if (rt_type_name(rt, mt, &name) == 0 && !strcmp(name, type))
			return true;
		if (rt_type_info(rt, mt, &ti))
			return false;
		mt = ti.parent_mt;
	}
	return false;
}

int mv_exception_stack(struct rt *rt, uint64_t obj, struct strbuf *out)
{
	struct rt_array a;
	struct rt_trace_elem *v;
	uint64_t mt, size, trace;
	size_t n;
	int rc = rt_object_size(rt, obj, &mt, &size);

	/* System.Exception._stackTrace (Exception.CoreCLR.cs): null, the byte[]
	 * of StackTraceInfo, or an object[] holding it first (and objects the
	 * frames keep alive after it). */
	rc = rc ? rc : mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), "_stackTrace", &trace);
	if (rc || !trace)
		return rc;
	rc = rt_array_read(rt, trace, &a);
	if (!rc && a.component_size == 8 && a.length >= 1) {
		rc = dump_read_ptr(rt_dump(rt), a.data, &trace);
		rc = rc ? rc : trace ? rt_array_read(rt, trace, &a) : -EBADMSG;
	}
	if (!rc && a.component_size != 1)
		rc = -EBADMSG;
	rc = rc ? rc : rt_stack_trace_read(rt, a.data, a.length, &v, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct rt_code c;
		strbuf_addr(out, v[i].ip);
		strbuf_puts(out, "\t");
		size_t before = out->len;
		if (!v[i].md || rt_method_desc_name(rt, v[i].md, out)) {
			strbuf_truncate(out, before);
			strbuf_puts(out, "<unnamed method>");
		}
		/* The offset into the method's code, where the code is found:
		 * a return address may be the byte after its last call. */
		if (v[i].ip && rt_code_find(rt, v[i].ip - 1, &c) == 0 && c.start && c.start <= v[i].ip)
			strbuf_printf(out, "+0x%" PRIx64, v[i].ip - c.start);
		strbuf_puts(out, "\n");
	}
	free(v);
	return 0;
}

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
