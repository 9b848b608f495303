/* SPDX-License-Identifier: MIT */
/* decoder/runtime: code addresses to MethodDescs, MethodDescs to names. */
#ifndef CLRFS_METHODS_H
#define CLRFS_METHODS_H

#include <stdint.h>

struct rt;
struct strbuf;

/* The MethodDesc of the method whose code or precode stub is at ip: a
 * FixupPrecode or StubPrecode (PrecodeStubs contract v3), else jitted code
 * found through the code range map and its nibble map (ExecutionManager
 * v2). -ENOENT when ip is neither (ReadyToRun code included), -EIO, -EBADMSG,
 * -ENOTSUP when the descriptor lacks a layout. */
int rt_code_method_desc(struct rt *rt, uint64_t ip, uint64_t *md);

/* Appends "Namespace.Type.Method" for the MethodDesc md: its chunk's
 * MethodTable named by rt_type_name(), the MethodDef token's name from
 * metadata. Nothing appended on error (-EIO, -EBADMSG when md fails its
 * checks). */
int rt_method_desc_name(struct rt *rt, uint64_t md, struct strbuf *out);

#endif
