/* SPDX-License-Identifier: MIT */
/* decoder/runtime: code addresses to MethodDescs, MethodDescs to names. */
#ifndef CLRFS_METHODS_H
#define CLRFS_METHODS_H

#include <stdbool.h>
#include <stdint.h>

struct rt;
struct strbuf;

/* The MethodDesc of the method whose code or precode stub is at ip: a
 * FixupPrecode or StubPrecode (PrecodeStubs contract v3), else code found
 * through the code range map (rt_code_find). -ENOENT when ip is neither, or
 * ReadyToRun code whose method the runtime has not prepared; -EIO, -EBADMSG,
 * -ENOTSUP when the descriptor lacks a layout. */
int rt_code_method_desc(struct rt *rt, uint64_t ip, uint64_t *md);

/* Managed code at an address (ExecutionManager): its method, where the
 * method's code starts, and the RUNTIME_FUNCTION whose unwind info covers
 * it (rtf, its RVAs relative to base; 0 when the stack layouts are not
 * known). md is 0 for ReadyToRun code the runtime has no MethodDesc for. */
struct rt_code {
	uint64_t md, start, base, rtf;
	bool r2r;
};
/* 0; -ENOENT when ip is no managed code (native code, a stub, a thunk),
 * -EIO, -EBADMSG, -ENOTSUP. */
int rt_code_find(struct rt *rt, uint64_t ip, struct rt_code *c);

/* Appends "Namespace.Type.Method" for the MethodDesc md: its chunk's
 * MethodTable named by rt_type_name(), the MethodDef token's name from
 * metadata. Nothing appended on error (-EIO, -EBADMSG when md fails its
 * checks). */
int rt_method_desc_name(struct rt *rt, uint64_t md, struct strbuf *out);

#endif
