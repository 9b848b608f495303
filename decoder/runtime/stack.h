/* SPDX-License-Identifier: MIT */
/* decoder/runtime: a thread's stack, walked as the runtime describes its own
 * stack walk (dotnet/runtime docs/design/datacontracts/StackWalk.md). */
#ifndef CLRFS_STACK_H
#define CLRFS_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;
struct dump;

/* A thread's integer registers, numbered as dump_thread.regs numbers them
 * (x86_64: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15; aarch64: x0..x30,
 * sp), and its instruction pointer. */
#define RT_REG_RSP 4
#define RT_REG_RBP 5
#define RT_REGS	   32
struct rt_regs {
	uint64_t r[RT_REGS];
	uint64_t ip;
};

/* Unwinds one frame of x64 code whose RUNTIME_FUNCTION is at rtf (its RVAs
 * relative to base): the Windows x64 UNWIND_INFO the JIT and crossgen2 emit
 * on every OS (src/coreclr/unwinder/amd64/unwinder.cpp). regs becomes the
 * caller's. 0, -EIO (memory missing), -EBADMSG (the info does not hold). */
int rt_unwind_amd64(struct dump *d, uint64_t base, uint64_t rtf, struct rt_regs *regs);
/* The same for arm64 code and its Windows arm64 .xdata (src/coreclr/unwinder/
 * arm64/unwinder.cpp); the RUNTIME_FUNCTION is { BeginAddress, UnwindData }. */
int rt_unwind_arm64(struct dump *d, uint64_t base, uint64_t rtf, struct rt_regs *regs);

/* Unwinds one frame of native code from its module's .eh_frame (DWARF call
 * frame information, found through the module's PT_GNU_EH_FRAME; the module
 * the one mapped at the instruction pointer). first: regs are an interrupted
 * context (the thread's own), else ip is a return address. regs become the
 * caller's; *outermost says the frame is the stack's last (its return
 * address is undefined: a thread's start). 0, -ENOENT (no module or no call
 * frame information covers the code), -EIO (memory missing), -EBADMSG (the
 * information does not hold, or uses a DWARF expression). */
int rt_unwind_cfi(struct dump *d, bool arm64, bool first, struct rt_regs *regs, bool *outermost);
/* The same from the .eh_frame_hdr at hdr (hdr_len bytes). */
int rt_unwind_cfi_at(struct dump *d, uint64_t hdr, uint64_t hdr_len, bool arm64, bool first,
		     struct rt_regs *regs, bool *outermost);

enum rt_frame_type {
	RT_FRAME_MANAGED, /* a method's code: md, start */
	RT_FRAME_RUNTIME, /* an explicit Frame of the runtime: kind, addr */
	RT_FRAME_NATIVE,  /* native code */
};

struct rt_frame {
	enum rt_frame_type type;
	uint64_t sp, ip;
	uint64_t md, start; /* managed: the MethodDesc (0 unknown), the code start */
	int kind;	    /* runtime: enum rt_frame_kind, or -1 unknown */
	uint64_t addr;	    /* runtime: the Frame */
};

/* The frames of the thread whose native Thread is at thread and OS id os_id,
 * innermost first (*frames malloc'ed, *n of them). When the walk cannot go
 * on, *why says why (static text, else NULL) after the frames it found.
 * 0, or -ENOTSUP (no stack layouts), -ENOENT (no registers for the thread:
 * not in the dump), -ENOMEM. */
int rt_thread_stack(struct rt *rt, uint64_t thread, uint64_t os_id, struct rt_frame **frames,
		    size_t *n, const char **why);

/* The elements of an exception's recorded stack trace (stackwalk.h
 * StackTraceInfo: a header, then its count of elements), from the len bytes
 * at data (the byte[] of Exception._stackTrace): ip and MethodDesc of each,
 * the throwing frame first (*v malloc'ed). 0; -ENOTSUP (no layout), -EIO,
 * -EBADMSG (the count does not fit), -ENOMEM. */
struct rt_trace_elem {
	uint64_t ip, md;
};
int rt_stack_trace_read(struct rt *rt, uint64_t data, uint64_t len, struct rt_trace_elem **v,
			size_t *n);

#endif
