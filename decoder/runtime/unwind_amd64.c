// SPDX-License-Identifier: MIT
// One frame of x64 managed code unwound with its Windows x64 UNWIND_INFO, the
// format the JIT and crossgen2 emit on Linux too (StackWalk.md: "the runtime
// uses Windows style unwind logic/codes for all platforms"). The algorithm is
// that of dotnet/runtime src/coreclr/unwinder/amd64/unwinder.cpp
// (RtlVirtualUnwind): inside an epilog the rest of the epilog is emulated
// from its code bytes; elsewhere the prolog's unwind codes that have run are
// undone, then the return address is popped.
//
// UNWIND_INFO: u8 version (bits 0-2) | flags << 3, u8 SizeOfProlog, u8
// CountOfCodes, u8 FrameRegister | FrameOffset << 4 (scaled by 16), then the
// u16 codes (CodeOffset, UnwindOp | OpInfo << 4), newest first; with
// UNW_FLAG_CHAININFO the chained RUNTIME_FUNCTION follows the codes (padded
// to an even count).
#include "stack.h"

#include "dump.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

enum {
	UWOP_PUSH_NONVOL = 0,
	UWOP_ALLOC_LARGE = 1,
	UWOP_ALLOC_SMALL = 2,
	UWOP_SET_FPREG = 3,
	UWOP_SAVE_NONVOL = 4,
	UWOP_SAVE_NONVOL_FAR = 5,
	UWOP_EPILOG = 6,
	UWOP_SPARE_CODE = 7,
	UWOP_SAVE_XMM128 = 8,
	UWOP_SAVE_XMM128_FAR = 9,
	UWOP_PUSH_MACHFRAME = 10,
	UWOP_SET_FPREG_LARGE = 11, /* CoreCLR on Unix: a frame offset over 240 */
};
#define UNW_FLAG_CHAININFO 4
#define CHAIN_LIMIT	   32 /* unwinder.cpp UNWIND_CHAIN_LIMIT */

/* The slots an unwind code takes, by op. */
static unsigned code_slots(unsigned op, unsigned info)
{
	switch (op) {
	case UWOP_ALLOC_LARGE: return info ? 3 : 2;
	case UWOP_SAVE_NONVOL:
	case UWOP_SAVE_XMM128:
	case UWOP_EPILOG: return 2;
	case UWOP_SAVE_NONVOL_FAR:
	case UWOP_SAVE_XMM128_FAR:
	case UWOP_SPARE_CODE:
	case UWOP_SET_FPREG_LARGE: return 3;
	default: return 1;
	}
}

struct uinfo {
	uint8_t flags, prolog, count, freg, foff;
	uint16_t codes[256];
};

static int read_info(struct dump *d, uint64_t at, struct uinfo *u)
{
	uint8_t h[4];

	if (dump_read(d, at, h, 4))
		return -EIO;
	if ((h[0] & 7) < 1 || (h[0] & 7) > 2)
		return -EBADMSG;
	u->flags = h[0] >> 3;
	u->prolog = h[1];
	u->count = h[2];
	u->freg = h[3] & 0xf;
	u->foff = h[3] >> 4;
	return u->count && dump_read(d, at + 4, u->codes, 2u * u->count) ? -EIO : 0;
}

static uint32_t u32_at(const struct uinfo *u, unsigned i)
{
	return (uint32_t)u->codes[i] | (uint32_t)u->codes[i + 1] << 16;
}

/* The frame's base: the frame register less its offset once the prolog has
 * set it (or always, for chained info), else rsp. */
static uint64_t frame_base(const struct uinfo *u, const struct rt_regs *r, uint64_t off,
			   bool chained)
{
	if (!u->freg)
		return r->r[RT_REG_RSP];
	uint64_t scaled = u->foff * 16ull;
	bool set = chained || off >= u->prolog;
	for (unsigned i = 0; i < u->count; i += code_slots(u->codes[i] >> 8 & 0xf, u->codes[i] >> 12)) {
		unsigned op = u->codes[i] >> 8 & 0xf;
		if (op == UWOP_SET_FPREG_LARGE && i + 2 < u->count)
			scaled = (uint64_t)u32_at(u, i + 1) * 16;
		if ((op == UWOP_SET_FPREG || op == UWOP_SET_FPREG_LARGE) && off >= (u->codes[i] & 0xff))
			set = true;
	}
	return set ? r->r[u->freg] - scaled : r->r[RT_REG_RSP];
}

/* Whether ip is in an epilog (the instructions at ip are add/lea rsp, pops,
 * then a return or a jump out of the function); if so emulates them. */
static int try_epilog(struct dump *d, const struct uinfo *u, uint64_t fstart, uint64_t fend,
		      struct rt_regs *r, bool *done)
{
	uint8_t b[32];
	unsigned o = 0;
	int64_t add = 0;
	int lea_reg = -1;

	*done = false;
	if (dump_read(d, r->ip, b, sizeof(b)))
		return 0; /* as the runtime: unreadable code is no epilog */
	if (b[0] == 0x48 && b[1] == 0x83 && b[2] == 0xc4) {
		add = (int8_t)b[3];
		o = 4;
	} else if (b[0] == 0x48 && b[1] == 0x81 && b[2] == 0xc4) {
		int32_t v;
		memcpy(&v, b + 3, 4);
		add = v;
		o = 7;
	} else if ((b[0] & 0xfe) == 0x48 && b[1] == 0x8d && ((b[2] & 0xf8) == 0x60 || (b[2] & 0xf8) == 0xa0)) {
		/* lea rsp, [frame register + disp8 / disp32] */
		lea_reg = (b[0] & 1) << 3 | (b[2] & 7);
		if (lea_reg != u->freg || !u->freg)
			return 0;
		if ((b[2] & 0xf8) == 0x60) {
			add = (int8_t)b[3];
			o = 4;
		} else {
			int32_t v;
			memcpy(&v, b + 3, 4);
			add = v;
			o = 7;
		}
	}
	unsigned pops = o, npop = 0;
	uint8_t popreg[16];
	while (pops + 2 < sizeof(b) && npop < 16) {
		if ((b[pops] & 0xf8) == 0x58) {
			popreg[npop++] = b[pops] & 7;
			pops += 1;
		} else if ((b[pops] & 0xf0) == 0x40 && !(b[pops] & 0x08) && (b[pops + 1] & 0xf8) == 0x58) {
			popreg[npop++] = (uint8_t)((b[pops] & 1) << 3 | (b[pops + 1] & 7));
			pops += 2;
		} else {
			break;
		}
	}
	unsigned t = pops;
	if (t < sizeof(b) - 6 && b[t] == 0xf2)
		t++; /* bnd prefix */
	bool end = false;
	if (b[t] == 0xc3 || b[t] == 0xc2 || (b[t] == 0xf3 && b[t + 1] == 0xc3)) {
		end = true;
	} else if (b[t] == 0xeb || b[t] == 0xe9) {
		int32_t rel = 0;
		unsigned len = b[t] == 0xeb ? 2 : 5;
		if (b[t] == 0xeb)
			rel = (int8_t)b[t + 1];
		else
			memcpy(&rel, b + t + 1, 4);
		uint64_t target = r->ip + t + len + (int64_t)rel;
		end = target < fstart || target >= fend || target == fstart;
	} else if (b[t] == 0xff && b[t + 1] == 0x25) {
		end = true;
	} else if ((b[t] & 0xf8) == 0x48 && b[t + 1] == 0xff && (b[t + 2] & 0x38) == 0x20) {
		end = true; /* rex.w jmp r/m64 */
	}
	if (!end || (o == 0 && npop == 0 && b[t] != 0xc3 && b[t] != 0xc2 && b[t] != 0xf3))
		return 0; /* a jump alone is no epilog */
	uint64_t sp = lea_reg >= 0 ? r->r[lea_reg] + (uint64_t)add : r->r[RT_REG_RSP] + (uint64_t)add;
	for (unsigned i = 0; i < npop; i++, sp += 8)
		if (dump_read_ptr(d, sp, &r->r[popreg[i]]))
			return -EIO;
	if (dump_read_ptr(d, sp, &r->ip))
		return -EIO;
	r->r[RT_REG_RSP] = sp + 8;
	*done = true;
	return 0;
}

int rt_unwind_amd64(struct dump *d, uint64_t base, uint64_t rtf, struct rt_regs *regs)
{
	struct rt_regs r = *regs;
	struct uinfo u;
	uint32_t f[3];
	bool chained = false, machframe = false;

	if (dump_read(d, rtf, f, sizeof(f)))
		return -EIO;
	uint64_t fstart = base + f[0], fend = base + f[1];
	if (r.ip < fstart || (f[1] > f[0] && r.ip >= fend))
		return -EBADMSG;
	uint64_t off = r.ip - fstart;
	for (int link = 0; link < CHAIN_LIMIT; link++) {
		int rc = read_info(d, base + f[2], &u);
		if (rc)
			return rc;
		uint64_t fb = frame_base(&u, &r, off, chained);
		if (!chained && off >= u.prolog) {
			bool done;
			rc = try_epilog(d, &u, fstart, fend, &r, &done);
			if (rc)
				return rc;
			if (done) {
				*regs = r;
				return 0;
			}
		}
		for (unsigned i = 0; i < u.count;) {
			unsigned co = u.codes[i] & 0xff, op = u.codes[i] >> 8 & 0xf, info = u.codes[i] >> 12;
			unsigned slots = code_slots(op, info);
			if (i + slots > u.count)
				return -EBADMSG;
			if (!chained && off < co) {
				i += slots; /* not run yet */
				continue;
			}
			uint64_t *sp = &r.r[RT_REG_RSP];
			switch (op) {
			case UWOP_PUSH_NONVOL:
				if (dump_read_ptr(d, *sp, &r.r[info]))
					return -EIO;
				*sp += 8;
				break;
			case UWOP_ALLOC_LARGE:
				*sp += info ? u32_at(&u, i + 1) : u.codes[i + 1] * 8ull;
				break;
			case UWOP_ALLOC_SMALL: *sp += info * 8ull + 8; break;
			case UWOP_SET_FPREG: *sp = r.r[u.freg] - u.foff * 16ull; break;
			case UWOP_SET_FPREG_LARGE: *sp = r.r[u.freg] - (uint64_t)u32_at(&u, i + 1) * 16; break;
			case UWOP_SAVE_NONVOL:
				if (dump_read_ptr(d, fb + u.codes[i + 1] * 8ull, &r.r[info]))
					return -EIO;
				break;
			case UWOP_SAVE_NONVOL_FAR:
				if (dump_read_ptr(d, fb + u32_at(&u, i + 1), &r.r[info]))
					return -EIO;
				break;
			case UWOP_PUSH_MACHFRAME: {
				uint64_t at = *sp + (info ? 8 : 0), nsp;
				if (dump_read_ptr(d, at, &r.ip) || dump_read_ptr(d, at + 24, &nsp))
					return -EIO;
				*sp = nsp;
				machframe = true;
				break;
			}
			default: break; /* xmm saves, version 2 epilog codes */
			}
			i += slots;
		}
		if (!(u.flags & UNW_FLAG_CHAININFO))
			break;
		uint64_t next = base + f[2] + 4 + 2ull * ((u.count + 1u) & ~1u);
		if (dump_read(d, next, f, sizeof(f)))
			return -EIO;
		chained = true;
		if (link == CHAIN_LIMIT - 1)
			return -EBADMSG;
	}
	if (!machframe) {
		if (dump_read_ptr(d, r.r[RT_REG_RSP], &r.ip))
			return -EIO;
		r.r[RT_REG_RSP] += 8;
	}
	*regs = r;
	return 0;
}
