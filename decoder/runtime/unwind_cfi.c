// SPDX-License-Identifier: MIT
// Native frames: the caller of code in an ELF module, from the module's
// .eh_frame call frame information. The formats are DWARF's CFI as .eh_frame
// carries it (the LSB's "Exception Frames": CIE and FDE, the augmentation
// string, DW_EH_PE pointer encodings) and the .eh_frame_hdr search table
// that PT_GNU_EH_FRAME points at. Both are read from the dump: createdump
// keeps what its own native unwind of each thread read (createdump
// threadinfo.cpp UnwindNativeFrames, through PAL_VirtualUnwindOutOfProc), and
// dump_read() takes what a heap dump left out from the verified module file.
// Register columns are the psABIs' DWARF numbers: x86_64 rax, rdx, rcx, rbx,
// rsi, rdi, rbp, rsp, r8..r15, the return address 16; aarch64 x0..x30, sp 31,
// the return address in x30. A rule this reader does not evaluate (a DWARF
// expression) ends the unwind with -EBADMSG: nothing is guessed.
#include "stack.h"

#include "dump.h"

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PHDRS_MAX  64
#define ENTRY_MAX  4096	 /* bytes of one CIE or FDE: their programs are short */
#define STATES_MAX 8	 /* DW_CFA_remember_state depth */
#define COLS	   33	 /* the columns that hold integer registers */
#define LOOKUPS	   64	 /* binary search steps: 2^64 entries */

enum how { SAME, UNDEF, OFFSET, VAL_OFFSET, REG, EXPR };
struct rule {
	uint8_t how;
	int64_t v;
};
struct row {
	uint64_t cfa_reg;
	int64_t cfa_off;
	bool cfa_expr;
	struct rule col[COLS];
};

/* A column's register in struct rt_regs's numbering, -1 when none. */
static const int8_t x64_regs[COLS] = {0,  2,  1,  3,  6,  7,  5,  4,  8,	 9,  10,
				      11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1,
				      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
struct arch {
	const int8_t *reg; /* NULL: the identity for columns 0..31 */
	unsigned ra;	   /* the return address column */
	unsigned sp;	   /* struct rt_regs index of the stack pointer */
};
static const struct arch x64 = {x64_regs, 16, RT_REG_RSP};
static const struct arch a64 = {NULL, 30, 31};

static int reg_of(const struct arch *a, uint64_t col)
{
	if (col >= COLS)
		return -1;
	return a->reg ? a->reg[col] : col < 32 ? (int)col : -1;
}

/* A cursor over bytes copied from the dump at addr. */
struct cur {
	const uint8_t *p, *end, *buf;
	uint64_t addr;
	bool bad;
};

static bool take(struct cur *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return false;
	}
	return true;
}

static uint64_t fixed(struct cur *c, unsigned n)
{
	uint64_t v = 0;

	if (!take(c, n))
		return 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static uint64_t uleb(struct cur *c)
{
	uint64_t v = 0;

	for (unsigned shift = 0; take(c, 1); shift += 7) {
		uint8_t b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		if (shift > 70) /* longer than any 64-bit value */
			c->bad = true;
	}
	return 0;
}

static int64_t sleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (take(c, 1)) {
		uint8_t b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				v |= ~0ull << shift;
			return (int64_t)v;
		}
		if (shift > 70)
			c->bad = true;
	}
	return 0;
}

#define PE_OMIT 0xff

/* A DW_EH_PE-encoded pointer; datarel is the base of DW_EH_PE_datarel. The
 * indirect bit is taken as given (never dereferenced: only a personality
 * routine's pointer uses it, and it is skipped). */
static uint64_t encoded(struct cur *c, uint8_t enc, uint64_t datarel)
{
	uint64_t at = c->addr + (uint64_t)(c->p - c->buf), v;

	switch (enc & 0x0f) {
	case 0x00: v = fixed(c, 8); break; /* absptr */
	case 0x01: v = uleb(c); break;
	case 0x02: v = fixed(c, 2); break;
	case 0x03: v = fixed(c, 4); break;
	case 0x04: v = fixed(c, 8); break;
	case 0x09: v = (uint64_t)sleb(c); break;
	case 0x0a: v = (uint64_t)(int64_t)(int16_t)fixed(c, 2); break;
	case 0x0b: v = (uint64_t)(int64_t)(int32_t)fixed(c, 4); break;
	case 0x0c: v = fixed(c, 8); break;
	default: c->bad = true; return 0;
	}
	switch (enc & 0x70) {
	case 0x00: return v;
	case 0x10: return v + at;      /* pcrel */
	case 0x30: return v + datarel; /* datarel */
	default: c->bad = true; return 0;
	}
}

/* Reads the CIE or FDE at addr (its length word first) into buf; the cursor
 * covers what follows the length. 0, -EIO, -EBADMSG. */
static int read_entry(struct dump *d, uint64_t addr, uint8_t *buf, struct cur *c)
{
	uint32_t len;

	if (dump_read(d, addr, &len, 4))
		return -EIO;
	if (len == 0 || len == 0xffffffffu || len > ENTRY_MAX) /* no 64-bit .eh_frame */
		return -EBADMSG;
	if (dump_read(d, addr + 4, buf, len))
		return -EIO;
	*c = (struct cur){buf, buf + len, buf, addr + 4, false};
	return 0;
}

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra;
	uint8_t fde_enc;
	bool aug_z;
	struct cur prog;
};

static int parse_cie(struct cur *c, struct cie *ci)
{
	char aug[16];
	size_t n = 0;

	memset(ci, 0, sizeof(*ci));
	ci->fde_enc = 0;
	if (fixed(c, 4) != 0) /* the CIE id of .eh_frame */
		return -EBADMSG;
	uint64_t version = fixed(c, 1);
	if (version != 1 && version != 3 && version != 4)
		return -EBADMSG;
	for (;;) {
		if (!take(c, 1) || n == sizeof(aug))
			return -EBADMSG;
		if (!(aug[n++] = (char)*c->p++))
			break;
	}
	if (version == 4 && (fixed(c, 1) != 8 || fixed(c, 1) != 0)) /* address, segment size */
		return -EBADMSG;
	ci->code_align = uleb(c);
	ci->data_align = sleb(c);
	ci->ra = version == 1 ? fixed(c, 1) : uleb(c);
	if (aug[0] == 'z') {
		uint64_t len = uleb(c);
		if (!take(c, len))
			return -EBADMSG;
		struct cur a = {c->p, c->p + len, c->buf, c->addr, false};
		c->p += len;
		ci->aug_z = true;
		for (const char *s = aug + 1; *s && !a.bad; s++) {
			if (*s == 'R') {
				ci->fde_enc = (uint8_t)fixed(&a, 1);
			} else if (*s == 'P') {
				uint8_t enc = (uint8_t)fixed(&a, 1);
				(void)encoded(&a, enc & 0x7f, 0);
			} else if (*s == 'L') {
				(void)fixed(&a, 1);
			} else if (*s != 'S' && *s != 'B' && *s != 'G') {
				break; /* unknown, but 'z' gives the length: the rest is skipped */
			}
		}
		if (a.bad)
			return -EBADMSG;
	} else if (aug[0]) {
		return -EBADMSG; /* "eh" and others: not in any module of today */
	}
	if (c->bad || ci->code_align == 0)
		return -EBADMSG;
	ci->prog = *c;
	return 0;
}

/* A factored offset: wraps as the address arithmetic does (a hostile
 * factor must not overflow a signed product). */
static int64_t scaled(uint64_t v, const struct cie *ci)
{
	return (int64_t)(v * (uint64_t)ci->data_align);
}

static void set(struct row *r, uint64_t col, uint8_t how, int64_t v)
{
	if (col < COLS)
		r->col[col] = (struct rule){how, v};
}

/* Runs a CFA program on r up to the location pc (loc is where it starts).
 * init is the row after the CIE's program (for DW_CFA_restore), NULL while
 * that one runs. 0, or -EBADMSG. */
static int run(struct cur c, const struct cie *ci, uint64_t loc, uint64_t pc, struct row *r,
	       const struct row *init, bool *ra_signed)
{
	struct row saved[STATES_MAX];
	unsigned nsaved = 0;

	while (c.p < c.end && !c.bad) {
		uint8_t op = *c.p++;
		uint64_t reg, delta = 0;
		int64_t off;

		switch (op >> 6) {
		case 1: delta = op & 0x3f; goto advance;
		case 2: set(r, op & 0x3f, OFFSET, scaled((uint64_t)uleb(&c), ci)); continue;
		case 3:
			if (!init)
				return -EBADMSG;
			if ((op & 0x3f) < COLS)
				r->col[op & 0x3f] = init->col[op & 0x3f];
			continue;
		}
		switch (op) {
		case 0x00: break;			    /* nop */
		case 0x01: return -EBADMSG;		    /* set_loc: not in .eh_frame of today */
		case 0x02: delta = fixed(&c, 1); goto advance; /* advance_loc1 */
		case 0x03: delta = fixed(&c, 2); goto advance;
		case 0x04: delta = fixed(&c, 4); goto advance;
		case 0x05: /* offset_extended */
			reg = uleb(&c);
			set(r, reg, OFFSET, scaled((uint64_t)uleb(&c), ci));
			break;
		case 0x06: /* restore_extended */
			reg = uleb(&c);
			if (!init)
				return -EBADMSG;
			if (reg < COLS)
				r->col[reg] = init->col[reg];
			break;
		case 0x07: set(r, uleb(&c), UNDEF, 0); break;
		case 0x08: set(r, uleb(&c), SAME, 0); break;
		case 0x09: /* register */
			reg = uleb(&c);
			set(r, reg, REG, (int64_t)uleb(&c));
			break;
		case 0x0a: /* remember_state */
			if (nsaved == STATES_MAX)
				return -EBADMSG;
			saved[nsaved++] = *r;
			break;
		case 0x0b: /* restore_state: the whole row, its CFA rule too (as GCC's
			    * epilogues expect and libgcc's unwinder does) */
			if (!nsaved)
				return -EBADMSG;
			*r = saved[--nsaved];
			break;
		case 0x0c: /* def_cfa */
			r->cfa_reg = uleb(&c);
			r->cfa_off = (int64_t)uleb(&c);
			r->cfa_expr = false;
			break;
		case 0x0d: r->cfa_reg = uleb(&c); r->cfa_expr = false; break;
		case 0x0e: r->cfa_off = (int64_t)uleb(&c); break;
		case 0x0f: /* def_cfa_expression */
			off = (int64_t)uleb(&c);
			if (!take(&c, (size_t)off))
				return -EBADMSG;
			c.p += off;
			r->cfa_expr = true;
			break;
		case 0x10: /* expression */
		case 0x16: /* val_expression */
			reg = uleb(&c);
			off = (int64_t)uleb(&c);
			if (!take(&c, (size_t)off))
				return -EBADMSG;
			c.p += off;
			set(r, reg, EXPR, 0);
			break;
		case 0x11: /* offset_extended_sf */
			reg = uleb(&c);
			set(r, reg, OFFSET, scaled((uint64_t)sleb(&c), ci));
			break;
		case 0x12: /* def_cfa_sf */
			r->cfa_reg = uleb(&c);
			r->cfa_off = scaled((uint64_t)sleb(&c), ci);
			r->cfa_expr = false;
			break;
		case 0x13: r->cfa_off = scaled((uint64_t)sleb(&c), ci); break;
		case 0x14: /* val_offset */
			reg = uleb(&c);
			set(r, reg, VAL_OFFSET, scaled((uint64_t)uleb(&c), ci));
			break;
		case 0x15:
			reg = uleb(&c);
			set(r, reg, VAL_OFFSET, scaled((uint64_t)sleb(&c), ci));
			break;
		case 0x2d: /* AArch64 negate_ra_state (x86_64: GNU_window_save, SPARC only) */
			*ra_signed = !*ra_signed;
			break;
		case 0x2e: (void)uleb(&c); break; /* GNU_args_size */
		case 0x2f:			  /* GNU_negative_offset_extended */
			reg = uleb(&c);
			set(r, reg, OFFSET, scaled(0 - (uint64_t)uleb(&c), ci));
			break;
		default: return -EBADMSG;
		}
		continue;
advance:
		if (!init)
			return -EBADMSG; /* a CIE's program does not advance */
		if (delta > (pc - loc) / ci->code_align)
			return 0; /* the row for pc is complete */
		loc += delta * ci->code_align;
	}
	return c.bad ? -EBADMSG : 0;
}

/* Applies row r to regs: the caller's registers. 1 when the return address
 * is undefined (the outermost frame), 0, -EIO, -EBADMSG. */
static int apply(struct dump *d, const struct arch *a, const struct row *r, bool ra_signed,
		 struct rt_regs *regs)
{
	int creg = reg_of(a, r->cfa_reg);
	struct rt_regs out = *regs;
	uint64_t val[COLS];
	bool has[COLS] = {false};

	if (r->cfa_expr || creg < 0 || a->ra >= COLS)
		return -EBADMSG;
	uint64_t cfa = regs->r[creg] + (uint64_t)r->cfa_off;
	if (r->col[a->ra].how == UNDEF)
		return 1;
	for (unsigned col = 0; col < COLS; col++) {
		const struct rule *u = &r->col[col];
		int src;
		switch (u->how) {
		case SAME:
		case UNDEF: continue;
		case OFFSET:
			if (dump_read_u64(d, cfa + (uint64_t)u->v, &val[col]))
				return -EIO;
			break;
		case VAL_OFFSET: val[col] = cfa + (uint64_t)u->v; break;
		case REG:
			if ((src = reg_of(a, (uint64_t)u->v)) < 0)
				return -EBADMSG;
			val[col] = regs->r[src];
			break;
		default: return -EBADMSG;
		}
		has[col] = true;
	}
	for (unsigned col = 0; col < COLS; col++) {
		int dst = reg_of(a, col);
		if (has[col] && dst >= 0)
			out.r[dst] = val[col];
	}
	unsigned rac = a->ra % COLS; /* checked above */
	int ra_reg = reg_of(a, rac);
	if (!has[rac] && ra_reg < 0)
		return -EBADMSG; /* x86_64: the return address is in no register */
	uint64_t ra = has[rac] ? val[rac] : regs->r[ra_reg];
	if (ra_signed)
		ra &= 0x0000ffffffffffffull; /* the pointer authentication code */
	out.r[a->sp] = cfa;
	out.ip = ra;
	*regs = out;
	return 0;
}

int rt_unwind_cfi_at(struct dump *d, uint64_t hdr, uint64_t hdr_len, bool arm64, bool first,
		     struct rt_regs *regs, bool *outermost)
{
	const struct arch *a = arm64 ? &a64 : &x64;
	uint8_t h[4], buf[ENTRY_MAX], cbuf[ENTRY_MAX];
	uint64_t pc = first ? regs->ip : regs->ip - 1;
	int rc;

	*outermost = false;
	/* .eh_frame_hdr: version 1, the encodings of eh_frame_ptr, fde_count
	 * and the table, then those; the table is sorted (initial location,
	 * FDE address) pairs, datarel sdata4 as every linker writes it. */
	if (hdr_len < 12 || hdr_len > (1ull << 32) || hdr + hdr_len < hdr)
		return -EBADMSG;
	if (dump_read(d, hdr, h, 4))
		return -EIO;
	if (h[0] != 1 || h[3] != 0x3b)
		return -EBADMSG;
	uint8_t hb[24];
	size_t hn = hdr_len - 4 < sizeof(hb) ? hdr_len - 4 : sizeof(hb);
	if (dump_read(d, hdr + 4, hb, hn))
		return -EIO;
	struct cur c = {hb, hb + hn, hb, hdr + 4, false};
	(void)encoded(&c, h[1], hdr);
	uint64_t count = encoded(&c, h[2], hdr);
	if (c.bad)
		return -EBADMSG;
	uint64_t table = c.addr + (uint64_t)(c.p - c.buf);
	if (count == 0 || count > (hdr + hdr_len - table) / 8)
		return count ? -EBADMSG : -ENOENT;
	/* The last entry whose initial location is at or below pc. */
	uint64_t lo = 0, hi = count;
	for (unsigned i = 0; lo + 1 < hi && i < LOOKUPS; i++) {
		uint64_t mid = lo + (hi - lo) / 2;
		int32_t loc;
		if (dump_read(d, table + mid * 8, &loc, 4))
			return -EIO;
		if (hdr + (uint64_t)(int64_t)loc <= pc)
			lo = mid;
		else
			hi = mid;
	}
	int32_t e[2];
	if (dump_read(d, table + lo * 8, e, 8))
		return -EIO;
	if (hdr + (uint64_t)(int64_t)e[0] > pc)
		return -ENOENT;
	uint64_t fde = hdr + (uint64_t)(int64_t)e[1];

	struct cur f, ce;
	if ((rc = read_entry(d, fde, buf, &f)))
		return rc;
	uint32_t cie_off = (uint32_t)fixed(&f, 4);
	if (cie_off == 0 || cie_off > fde + 4)
		return -EBADMSG;
	if ((rc = read_entry(d, fde + 4 - cie_off, cbuf, &ce)))
		return rc;
	struct cie ci;
	if ((rc = parse_cie(&ce, &ci)))
		return rc;
	uint64_t begin = encoded(&f, ci.fde_enc, 0);
	uint64_t range = encoded(&f, ci.fde_enc & 0x0f, 0);
	if (ci.aug_z) {
		uint64_t len = uleb(&f);
		if (take(&f, len))
			f.p += len;
	}
	if (f.bad)
		return -EBADMSG;
	if (pc < begin || pc - begin >= range)
		return -ENOENT; /* code the table covers with no FDE: a gap */

	struct row init = {0}, row;
	bool ra_signed = false;
	if ((rc = run(ci.prog, &ci, begin, pc, &init, NULL, &ra_signed)))
		return rc;
	row = init;
	if ((rc = run(f, &ci, begin, pc, &row, &init, &ra_signed)))
		return rc;
	rc = apply(d, a, &row, ra_signed, regs);
	if (rc == 1) {
		*outermost = true;
		return 0;
	}
	return rc;
}

/* The module's PT_GNU_EH_FRAME, from its ELF and program headers in memory
 * (at the module's lowest mapping, as the loader maps it). */
static int eh_frame_hdr(struct dump *d, const struct dump_module *m, uint64_t *hdr,
			uint64_t *len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[PHDRS_MAX];
	uint64_t bias = UINT64_MAX;
	const Elf64_Phdr *gnu = NULL;

	if (dump_read(d, m->start, &eh, sizeof(eh)))
		return -EIO;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phnum > PHDRS_MAX)
		return -EBADMSG;
	if (dump_read(d, m->start + eh.e_phoff, ph, eh.e_phnum * sizeof(*ph)))
		return -EIO;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && bias == UINT64_MAX)
			bias = m->start - (ph[i].p_vaddr & ~0xfffull);
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			gnu = &ph[i];
	}
	if (!gnu || bias == UINT64_MAX)
		return -ENOENT;
	*hdr = bias + gnu->p_vaddr;
	*len = gnu->p_memsz;
	return 0;
}

int rt_unwind_cfi(struct dump *d, bool arm64, bool first, struct rt_regs *regs, bool *outermost)
{
	const struct dump_module *m = dump_module_at(d, first ? regs->ip : regs->ip - 1);
	uint64_t hdr, len;
	int rc;

	*outermost = false;
	if (!m)
		return -ENOENT;
	if ((rc = eh_frame_hdr(d, m, &hdr, &len)))
		return rc;
	return rt_unwind_cfi_at(d, hdr, len, arm64, first, regs, outermost);
}
