// SPDX-License-Identifier: MIT
// One frame of arm64 managed code unwound with its Windows arm64 unwind info
// (.xdata), the format the JIT and crossgen2 emit on Linux too (StackWalk.md).
// The algorithm is that of dotnet/runtime src/coreclr/unwinder/arm64/
// unwinder.cpp (RtlpUnwindFunctionFull): in the prolog only the codes of the
// instructions that have run are undone, in an epilog those of its scope that
// have not run yet, elsewhere every code up to `end`; then pc = lr.
//
// .xdata: a header word (FunctionLength in words, bits 0-17; Version 18-19;
// X 20; E 21; EpilogCount 22-26; CodeWords 27-31; both 0: an extension word
// with EpilogCount 0-15, CodeWords 16-23), then, unless E, EpilogCount scopes
// (start offset in words 0-17, start code index 22-31), then the code bytes.
// A RUNTIME_FUNCTION's UnwindData whose low 2 bits are not 0 is packed
// unwind data, which managed code does not use (the runtime asserts it).
#include "stack.h"

#include "dump.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define FP 29
#define LR 30
#define SP 31
#define CODE_BYTES_MAX (31 * 4 + 255 * 4)

/* The length in bytes of the unwind code starting with b. */
static unsigned code_len(uint8_t b)
{
	if (b < 0xc0)
		return 1; /* alloc_s, save_r19r20_x, save_fplr, save_fplr_x */
	if (b < 0xe0)
		return 2; /* alloc_m, save_regp.., save_freg_x */
	if (b == 0xe0)
		return 4; /* alloc_l */
	if (b == 0xe2)
		return 2; /* add_fp */
	if (b == 0xe7)
		return 3; /* save_any_reg */
	return 1;
}

/* How many prolog instructions the codes from index i to `end` stand for:
 * one each (end and end_c end). */
static unsigned count_insns(const uint8_t *c, unsigned n, unsigned i)
{
	unsigned k = 0;

	while (i < n && c[i] != 0xe4 && c[i] != 0xe5) {
		k++;
		i += code_len(c[i]);
	}
	return k;
}

/* Restores count registers from first (x19.. as 19.., fp 29, lr 30) at sp +
 * off, 8 bytes apart; floating-point ones (fp set) are only skipped. */
static int restore(struct dump *d, struct rt_regs *r, unsigned first, unsigned count, uint64_t at,
		   bool fp)
{
	for (unsigned i = 0; i < count; i++) {
		if (fp)
			continue;
		if (first + i > LR)
			return -EBADMSG;
		if (dump_read_ptr(d, at + 8ull * i, &r->r[first + i]))
			return -EIO;
	}
	return 0;
}

/* Runs the codes from index i until `end` (or skip of them, first). */
static int run_codes(struct dump *d, const uint8_t *c, unsigned n, unsigned i, unsigned skip,
		     struct rt_regs *r)
{
	unsigned nexts = 0; /* save_next codes seen: more pairs for the next save */
	int rc = 0;

	for (; i < n && skip; skip--)
		i += code_len(c[i]);
	while (i < n && !rc) {
		uint8_t b = c[i], b1 = i + 1 < n ? c[i + 1] : 0;
		uint64_t *sp = &r->r[SP];
		unsigned len = code_len(b);
		if (i + len > n)
			return -EBADMSG;
		if (b < 0x20) { /* alloc_s: sp += x * 16 */
			*sp += (b & 0x1f) * 16ull;
		} else if (b < 0x40) { /* save_r19r20_x: stp x19, x20, [sp, #-z*8]! */
			rc = restore(d, r, 19, 2 + 2 * nexts, *sp, false);
			*sp += (b & 0x1f) * 8ull;
			nexts = 0;
		} else if (b < 0x80) { /* save_fplr: stp fp, lr, [sp, #z*8] */
			rc = restore(d, r, FP, 2, *sp + (b & 0x3f) * 8ull, false);
		} else if (b < 0xc0) { /* save_fplr_x: stp fp, lr, [sp, #-(z+1)*8]! */
			rc = restore(d, r, FP, 2, *sp, false);
			*sp += ((b & 0x3f) + 1) * 8ull;
		} else if (b < 0xc8) { /* alloc_m: sp += x * 16 (11 bits) */
			*sp += (((b & 7u) << 8) | b1) * 16ull;
		} else if (b < 0xd0) { /* save_regp(_x): stp x(19+X), x(20+X), [sp, #Z*8](!) */
			unsigned x = ((b & 3u) << 2) | (b1 >> 6), z = b1 & 0x3f;
			bool wb = b >= 0xcc;
			rc = restore(d, r, 19 + x, 2 + 2 * nexts, wb ? *sp : *sp + z * 8ull, false);
			if (wb)
				*sp += (z + 1) * 8ull;
			nexts = 0;
		} else if (b < 0xd4) { /* save_reg: str x(19+X), [sp, #Z*8] */
			unsigned x = ((b & 3u) << 2) | (b1 >> 6), z = b1 & 0x3f;
			rc = restore(d, r, 19 + x, 1, *sp + z * 8ull, false);
		} else if (b < 0xd6) { /* save_reg_x: str x(19+X), [sp, #-(Z+1)*8]! */
			unsigned x = ((b & 1u) << 3) | (b1 >> 5), z = b1 & 0x1f;
			rc = restore(d, r, 19 + x, 1, *sp, false);
			*sp += (z + 1) * 8ull;
		} else if (b < 0xd8) { /* save_lrpair: stp x(19+2X), lr, [sp, #Z*8] */
			unsigned x = ((b & 1u) << 2) | (b1 >> 6), z = b1 & 0x3f;
			rc = restore(d, r, 19 + 2 * x, 1, *sp + z * 8ull, false);
			if (!rc && dump_read_ptr(d, *sp + z * 8ull + 8, &r->r[LR]))
				rc = -EIO;
		} else if (b < 0xda) { /* save_fregp: no integer register, no sp change */
			nexts = 0;
		} else if (b < 0xdc) { /* save_fregp_x */
			*sp += ((b1 & 0x3f) + 1) * 8ull;
			nexts = 0;
		} else if (b < 0xde) { /* save_freg */
		} else if (b == 0xde) { /* save_freg_x */
			*sp += ((b1 & 0x1f) + 1) * 8ull;
		} else if (b == 0xe0) { /* alloc_l: sp += x * 16 (24 bits) */
			*sp += (((uint32_t)b1 << 16) | (uint32_t)c[i + 2] << 8 | c[i + 3]) * 16ull;
		} else if (b == 0xe1) { /* set_fp: mov fp, sp */
			*sp = r->r[FP];
		} else if (b == 0xe2) { /* add_fp: add fp, sp, #x*8 */
			*sp = r->r[FP] - b1 * 8ull;
		} else if (b == 0xe3 || b == 0xec || b == 0xfc) {
			/* nop, clear-unwound-to-call, pac: nothing to undo */
		} else if (b == 0xe4 || b == 0xe5) { /* end, end_c */
			return 0;
		} else if (b == 0xe6) { /* save_next */
			nexts++;
		} else {
			return -EBADMSG; /* save_any_reg, trap/machine/context frames: not in managed code */
		}
		i += len;
	}
	return rc;
}

int rt_unwind_arm64(struct dump *d, uint64_t base, uint64_t rtf, struct rt_regs *regs)
{
	struct rt_regs r = *regs;
	uint32_t f[2], h, ext, nepi, nwords, scopes[32];
	uint8_t c[CODE_BYTES_MAX];

	if (dump_read(d, rtf, f, sizeof(f)))
		return -EIO;
	if (f[1] & 3)
		return -EBADMSG; /* packed or chained: not emitted for managed code */
	uint64_t xdata = base + f[1], fstart = base + f[0];
	if (dump_read_u32(d, xdata, &h))
		return -EIO;
	uint64_t flen = (h & 0x3ffff) * 4ull;
	if (r.ip < fstart || r.ip >= fstart + flen || (h >> 18 & 3))
		return -EBADMSG;
	bool e = h >> 21 & 1;
	nepi = h >> 22 & 0x1f;
	nwords = h >> 27;
	uint64_t at = xdata + 4;
	if (!nepi && !nwords) {
		if (dump_read_u32(d, at, &ext))
			return -EIO;
		nepi = ext & 0xffff;
		nwords = ext >> 16 & 0xff;
		at += 4;
	}
	unsigned nscopes = e ? 0 : nepi;
	if (nscopes > sizeof(scopes) / sizeof(scopes[0]))
		nscopes = sizeof(scopes) / sizeof(scopes[0]); /* the later scopes go unread */
	if (nscopes && dump_read(d, at, scopes, 4u * nscopes))
		return -EIO;
	at += 4ull * (e ? 0 : nepi);
	unsigned n = nwords * 4;
	if (n > sizeof(c) || (n && dump_read(d, at, c, n)))
		return n > sizeof(c) ? -EBADMSG : -EIO;
	uint64_t off = (r.ip - fstart) / 4; /* in instructions */
	unsigned prolog = count_insns(c, n, 0);
	int rc;
	if (off < prolog) {
		/* In the prolog: undo the instructions that have run. */
		rc = run_codes(d, c, n, 0, prolog - (unsigned)off, &r);
	} else {
		/* In an epilog (its codes' instructions, then the ret): from its
		 * code index, less the instructions of it already run. With E,
		 * one epilog, at the end, whose codes start at index EpilogCount. */
		int scope = -1;
		uint32_t start = 0, index = 0;
		if (e) {
			index = nepi;
			unsigned len = count_insns(c, n, index) + 1;
			if (flen / 4 >= len && off >= flen / 4 - len) {
				scope = 0;
				start = (uint32_t)(flen / 4 - len);
			}
		} else {
			for (unsigned k = 0; k < nscopes; k++) {
				uint32_t s = scopes[k] & 0x3ffff, idx = scopes[k] >> 22;
				if (off >= s && off < s + count_insns(c, n, idx) + 1) {
					scope = (int)k;
					start = s;
					index = idx;
				}
			}
		}
		if (scope >= 0)
			rc = run_codes(d, c, n, index, (unsigned)(off - start), &r);
		else
			rc = run_codes(d, c, n, 0, 0, &r);
	}
	if (rc)
		return rc;
	r.ip = r.r[LR];
	*regs = r;
	return 0;
}
