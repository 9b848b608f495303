/* SPDX-License-Identifier: MIT */
/* Fuzz harness helpers: a dump whose memory is the fuzzer's bytes, and the
 * contract descriptor the code-address look-ups need. */
#ifndef CLRFS_FUZZ_MEM_H
#define CLRFS_FUZZ_MEM_H

#include <stddef.h>
#include <stdint.h>

struct dump;
struct rt;

/* Writes an ELF core to a memfd, with one thread and one PT_LOAD holding
 * [base, base+size) = data, and opens it with dump_open(): the decoder reads
 * the bytes through the same code as a real dump, and every other address is
 * missing. NULL on failure; the caller closes with dump_close(). */
struct dump *fuzz_mem_open(uint64_t base, const uint8_t *data, size_t size);

/* The layout the code-address look-ups (methods.c) read, as a descriptor:
 * PlatformMetadata at platform, ExecutionManagerCodeRangeMapAddress at
 * range_map (each an address the dump may or may not hold), offsets as below.
 * The offsets are the harness's own, not a runtime's: the reader takes every
 * one from the descriptor, so any consistent set drives the same code, and
 * mkseeds.c lays out its seeds with these.
 * 0, or <0 with rt half-built: free with rt_descriptor_free(). */
int fuzz_code_rt_init(struct rt *rt, struct dump *d, uint64_t platform, uint64_t range_map);

/* One run of the code-address look-up (rt_code_method_desc()) on the input
 * of fuzz_precode or fuzz_codemap: its first 8 bytes are the code address
 * (little-endian), the rest is the memory at FUZZ_CODE_BASE. platform and
 * range_map as fuzz_code_rt_init(). Aborts when the look-up breaks its
 * contract (0 with a null MethodDesc). */
void fuzz_code_run(const uint8_t *data, size_t size, uint64_t platform, uint64_t range_map);

/* Where the targets map their input: fuzz_handles' memory starts with the
 * HandleTableMap, at a 64 KiB boundary as a handle table segment must be;
 * fuzz_precode's with the PrecodeMachineDescriptor, fuzz_codemap's with the
 * RangeSectionMap. An address no input reaches stands for the other. */
#define FUZZ_HANDLES_BASE 0x7f3a00000000ull
#define FUZZ_HANDLE_TYPES 13	  /* HandleMaxInternalTypes of 10.0 (layout_lines.c) */
#define FUZZ_HANDLE_EXTRA 0xf50u /* HandleExtraInfoTypes of 10.0 */
#define FUZZ_CODE_BASE	  0x7f5a00000000ull
#define FUZZ_ABSENT	  0x1000ull

/* The offsets fuzz_code_rt_init() publishes: each is stringified into its
 * descriptor, so the seeds and the descriptor cannot disagree. */
#define FUZZ_PMD_PAGE	     0	/* u32 StubCodePageSize */
#define FUZZ_PMD_STUB_TYPE   4	/* u8 StubPrecodeType */
#define FUZZ_PMD_FIXUP_SIZE  8	/* u8 FixupStubPrecodeSize */
#define FUZZ_PMD_FIXUP_BYTES 9	/* u8[24] */
#define FUZZ_PMD_FIXUP_IGN   33 /* u8[24] */
#define FUZZ_PMD_STUB_SIZE   57 /* u8 StubPrecodeSize */
#define FUZZ_PMD_STUB_BYTES  58 /* u8[24] */
#define FUZZ_PMD_STUB_IGN    82 /* u8[24] */
#define FUZZ_FIXUP_MD	     8	/* FixupPrecodeData.MethodDesc */
#define FUZZ_STUB_SECRET     0	/* StubPrecodeData.SecretParam */
#define FUZZ_STUB_TYPE	     16 /* StubPrecodeData.Type */
#define FUZZ_FRAG_NEXT	     0	/* RangeSectionFragment */
#define FUZZ_FRAG_BEGIN	     8
#define FUZZ_FRAG_END	     16
#define FUZZ_FRAG_SECTION    24
#define FUZZ_RS_HEAPLIST     40 /* RangeSection */
#define FUZZ_RS_R2R	     48
#define FUZZ_HEAP_MAPBASE    32 /* CodeHeapListNode */
#define FUZZ_HEAP_HEADERMAP  40
#define FUZZ_HEADER_MD	     24 /* RealCodeHeader.MethodDesc */
#define FUZZ_STUB_BLOCK_LAST 0xf

#endif
