// SPDX-License-Identifier: MIT
// Writes the seed inputs of fuzz_unwind, fuzz_cfi, fuzz_refs, fuzz_handles, fuzz_precode (x64 and arm64 shapes) and
// fuzz_codemap into DIR/<target>/:
// small well-formed structures for the fuzzer to mutate (tests/fuzz/seeds holds its output).
// Usage: mkseeds DIR
#include "fuzz_mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A seed under construction: bytes grow as they are written. */
struct seed {
	uint8_t *p;
	size_t len;
};

static void put(struct seed *s, size_t off, const void *v, size_t n)
{
	if (off + n > s->len) {
		uint8_t *p = realloc(s->p, off + n);
		if (!p) {
			perror("mkseeds");
			exit(1);
		}
		memset(p + s->len, 0, off + n - s->len);
		s->p = p;
		s->len = off + n;
	}
	memcpy(s->p + off, v, n);
}

/* The u32 at off, 0 past the bytes written so far. */
static uint32_t get32(const struct seed *s, size_t off)
{
	uint32_t v = 0;

	if (off + 4 <= s->len)
		memcpy(&v, s->p + off, 4);
	return v;
}

static void put8(struct seed *s, size_t off, uint8_t v)
{
	put(s, off, &v, 1);
}

static void put32(struct seed *s, size_t off, uint32_t v)
{
	put(s, off, &v, 4);
}

static void put64(struct seed *s, size_t off, uint64_t v)
{
	put(s, off, &v, 8);
}

static void save(const char *dir, const char *target, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	if (!(f = fopen(path, "wb")) || fwrite(s->p, 1, s->len, f) != s->len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Handle table segment header for 13 types (dotnet/runtime src/coreclr/gc/handletablepriv.h
 * _TableSegmentHeader, packed): 120 blocks of 64 handles, values from +0x1000. */
#define BLOCKS	       120
#define SEG_FREE_MASK  (BLOCKS * 4 + BLOCKS)
#define SEG_BLOCK_TYPE (SEG_FREE_MASK + BLOCKS * 8)
#define SEG_USER_DATA  (SEG_BLOCK_TYPE + BLOCKS)
#define SEG_NEXT       (SEG_USER_DATA + 2 * BLOCKS + 6 * FUZZ_HANDLE_TYPES)
#define SEG_TABLE      (SEG_NEXT + 8)
#define SEG_EMPTY_LINE (SEG_TABLE + 10)
#define SEG_VALUES     0x1000
#define BLOCK_DATA     (FUZZ_HANDLE_TYPES - 1)

/* objecthandle.cpp s_rgTypeFlags: which handle types keep user data. */
static const uint32_t type_flags[FUZZ_HANDLE_TYPES] = {0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0};

/* A HandleTable at table whose one segment is seg (both offsets in s). */
static void handle_table(struct seed *s, size_t table, size_t seg)
{
	for (unsigned t = 0; t < FUZZ_HANDLE_TYPES; t++)
		put32(s, table + 4 * t, type_flags[t]);
	put64(s, table + ((FUZZ_HANDLE_TYPES * 4 + 7) & ~7u), FUZZ_HANDLES_BASE + seg);
	put64(s, seg + SEG_TABLE, FUZZ_HANDLES_BASE + table);
	for (unsigned b = 0; b < BLOCKS; b++) {
		put8(s, seg + SEG_BLOCK_TYPE + b, 0xff);
		put8(s, seg + SEG_USER_DATA + b, 0xff);
		put32(s, seg + SEG_FREE_MASK + 8 * b, 0xffffffff);
		put32(s, seg + SEG_FREE_MASK + 8 * b + 4, 0xffffffff);
	}
}

/* Block b of the segment at seg gets type; handle i (in use) holds obj. */
static void handle(struct seed *s, size_t seg, unsigned b, unsigned type, unsigned i, uint64_t obj)
{
	size_t mask = seg + SEG_FREE_MASK + 8 * b + 4 * (i / 32);

	put32(s, mask, get32(s, mask) & ~(1u << (i % 32)));
	put8(s, seg + SEG_BLOCK_TYPE + b, (uint8_t)type);
	put64(s, seg + SEG_VALUES + 512 * b + 8 * i, obj);
}

/* The segment's bEmptyLine and bCommitLine; its blocks below empty are all in the seed. */
static void lines(struct seed *s, size_t seg, uint8_t empty, uint8_t commit)
{
	put8(s, seg + SEG_EMPTY_LINE, empty);
	put8(s, seg + SEG_EMPTY_LINE + 1, commit);
	if (empty)
		put8(s, seg + SEG_VALUES + 512 * (size_t)empty - 1, 0);
}

/* The map at 0 (its header overlays the unused rgGeneration of the segment at 0),
 * one bucket, slot tables at 0x140 and 0x180. */
static void handle_map(struct seed *s, unsigned nslots)
{
	put64(s, 0, FUZZ_HANDLES_BASE + 0x40); /* pBuckets */
	put64(s, 8, 0);			       /* pNext */
	put32(s, 16, 10);		       /* dwMaxIndex */
	put64(s, 0x40, FUZZ_HANDLES_BASE + 0x100);
	put64(s, 0x100, FUZZ_HANDLES_BASE + 0x120); /* bucket: pTable, index 0 */
	for (unsigned i = 0; i < nslots; i++)
		put64(s, 0x120 + 8 * i, FUZZ_HANDLES_BASE + 0x140 + 0x40 * i);
}

static void handles_seeds(const char *dir)
{
	struct seed s = {0};
	const uint64_t obj = 0x7f0012340000ull;

	/* Workstation GC: strong, dependent (user data in block 2), pinned, one free
	 * slot that holds a value. */
	handle_map(&s, 1);
	handle_table(&s, 0x140, 0);
	handle(&s, 0, 0, 2, 0, obj);
	handle(&s, 0, 0, 2, 1, obj + 0x18);
	handle(&s, 0, 0, 2, 5, obj + 0x30);
	put64(&s, SEG_VALUES + 8 * 9, obj + 0x48);
	handle(&s, 0, 1, 6, 0, obj + 0x60);
	handle(&s, 0, 1, 6, 1, obj + 0x78);
	put8(&s, SEG_USER_DATA + 1, 2);
	put8(&s, SEG_BLOCK_TYPE + 2, BLOCK_DATA);
	put64(&s, SEG_VALUES + 512 * 2, obj + 0x90);
	put64(&s, SEG_VALUES + 512 * 2 + 8, obj + 0xa8);
	handle(&s, 0, 3, 3, 63, obj + 0xc0);
	lines(&s, 0, 5, 6);
	save(dir, "handles", "workstation", &s);
	free(s.p);

	/* Server GC: two slots, the second table's segment 64 KiB on. */
	memset(&s, 0, sizeof(s));
	handle_map(&s, 2);
	handle_table(&s, 0x140, 0);
	handle_table(&s, 0x180, 0x10000);
	handle(&s, 0, 0, 1, 3, obj);
	handle(&s, 0x10000, 0, 4, 7, obj + 0x18);
	handle(&s, 0x10000, 1, 0, 0, obj + 0x30);
	lines(&s, 0, 1, 1);
	lines(&s, 0x10000, 2, 3);
	save(dir, "handles", "server", &s);
	free(s.p);
}

/* x86_64 precode-like code, padded with int3: a fixup's jmp [rip+X]; mov r10, [rip+Y];
 * jmp [rip+Z], a stub's mov r10, [rip+X]; jmp [rip+Y] (the rip-relative loads reach the
 * data page). */
static const uint8_t fixup_code[24] = {0xff, 0x25, 0xfa, 0x0f, 0x00, 0x00, 0x4c, 0x8b,
				       0x15, 0xfb, 0x0f, 0x00, 0x00, 0xff, 0x25, 0xfd,
				       0x0f, 0x00, 0x00, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc};
static const uint8_t stub_code[16] = {0x4c, 0x8b, 0x15, 0xf9, 0x0f, 0x00, 0x00, 0xff,
				      0x25, 0xfb, 0x0f, 0x00, 0x00, 0xcc, 0xcc, 0xcc};
#define PAGE	  0x1000
#define STUB_TYPE 7

/* An input: the code address, then the memory (mem, at FUZZ_CODE_BASE). */
static void save_code(const char *dir, const char *target, const char *name, const struct seed *mem,
		      uint64_t ip)
{
	struct seed s = {0};

	put64(&s, 0, ip);
	put(&s, 8, mem->p, mem->len);
	save(dir, target, name, &s);
	free(s.p);
}

static void precode_seeds(const char *dir)
{
	struct seed m = {0};
	uint8_t ign[24] = {0};

	put32(&m, FUZZ_PMD_PAGE, PAGE);
	put8(&m, FUZZ_PMD_STUB_TYPE, STUB_TYPE);
	put8(&m, FUZZ_PMD_FIXUP_SIZE, sizeof(fixup_code));
	put(&m, FUZZ_PMD_FIXUP_BYTES, fixup_code, sizeof(fixup_code));
	memset(ign + 19, 1, 5); /* the padding */
	put(&m, FUZZ_PMD_FIXUP_IGN, ign, sizeof(ign));
	put8(&m, FUZZ_PMD_STUB_SIZE, sizeof(stub_code));
	put(&m, FUZZ_PMD_STUB_BYTES, stub_code, sizeof(stub_code));
	memset(ign, 0, sizeof(ign));
	memset(ign + 13, 1, 3);
	put(&m, FUZZ_PMD_STUB_IGN, ign, sizeof(ign));
	/* A FixupPrecode at 0x100, StubPrecodes at 0x140 (a method's) and 0x180 (another
	 * type's), non-precode code at 0x1c0; their data one page on. */
	put(&m, 0x100, fixup_code, sizeof(fixup_code));
	put64(&m, 0x100 + PAGE + FUZZ_FIXUP_MD, 0x7f0056780010ull);
	put(&m, 0x140, stub_code, sizeof(stub_code));
	put64(&m, 0x140 + PAGE + FUZZ_STUB_SECRET, 0x7f0056780048ull);
	put8(&m, 0x140 + PAGE + FUZZ_STUB_TYPE, STUB_TYPE);
	put(&m, 0x180, stub_code, sizeof(stub_code));
	put64(&m, 0x180 + PAGE + FUZZ_STUB_SECRET, 0x7f0056780080ull);
	put8(&m, 0x180 + PAGE + FUZZ_STUB_TYPE, STUB_TYPE + 1);
	put64(&m, 0x1c0, 0x9090909090909090ull);
	put64(&m, 0x1c0 + 16, 0); /* the 24 bytes the fixup template is matched against */
	save_code(dir, "precode", "fixup", &m, FUZZ_CODE_BASE + 0x100);
	save_code(dir, "precode", "stub", &m, FUZZ_CODE_BASE + 0x140);
	save_code(dir, "precode", "stub-other-type", &m, FUZZ_CODE_BASE + 0x180);
	save_code(dir, "precode", "no-precode", &m, FUZZ_CODE_BASE + 0x1c0);
	free(m.p);
}

/* arm64 precode-like code (the shapes of dotnet/runtime src/coreclr/vm/arm64/
 * thunktemplates.S), data 16K on: a fixup's ldr x11, Target; br x11; ldr x10,
 * MethodDesc; ldr x11, PrecodeFixupThunk; br x11, a stub's ldr x10, SecretParam; ldr
 * x11, Target; br x11; each padded to 24 bytes with brk #0. LDR (literal) is
 * 0x58000000 | imm19 << 5 | Rt (imm19: the distance / 4), BR is 0xd61f0000 | Rn << 5. */
#define A64_PAGE      0x4000
#define A64_LDR(rt, d) (0x58000000u | ((uint32_t)(d) / 4) << 5 | (rt))
#define A64_BR(rn)     (0xd61f0000u | (rn) << 5)
#define A64_BRK	      0xd4200000u

static void put_a64(struct seed *s, size_t off, const uint32_t *ins, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put32(s, off + 4 * i, ins[i]);
}

static void precode_seeds_arm64(const char *dir)
{
	const uint32_t fixup[6] = {A64_LDR(11, A64_PAGE),     A64_BR(11),
				   A64_LDR(10, A64_PAGE),     A64_LDR(11, A64_PAGE + 4),
				   A64_BR(11),		      A64_BRK};
	const uint32_t stub[6] = {A64_LDR(10, A64_PAGE), A64_LDR(11, A64_PAGE + 4), A64_BR(11),
				  A64_BRK, A64_BRK, A64_BRK};
	struct seed m = {0}, code = {0};
	uint8_t ign[24] = {0};

	put32(&m, FUZZ_PMD_PAGE, A64_PAGE);
	put8(&m, FUZZ_PMD_STUB_TYPE, STUB_TYPE);
	put_a64(&code, 0, fixup, 6);
	put8(&m, FUZZ_PMD_FIXUP_SIZE, 24);
	put(&m, FUZZ_PMD_FIXUP_BYTES, code.p, 24);
	memset(ign + 20, 1, 4); /* the padding */
	put(&m, FUZZ_PMD_FIXUP_IGN, ign, sizeof(ign));
	put(&m, 0x100, code.p, 24);
	put64(&m, 0x100 + A64_PAGE + FUZZ_FIXUP_MD, 0x0000ffff56780010ull);
	put_a64(&code, 0, stub, 6);
	put8(&m, FUZZ_PMD_STUB_SIZE, 24);
	put(&m, FUZZ_PMD_STUB_BYTES, code.p, 24);
	memset(ign, 0, sizeof(ign));
	memset(ign + 12, 1, 12);
	put(&m, FUZZ_PMD_STUB_IGN, ign, sizeof(ign));
	put(&m, 0x140, code.p, 24);
	put64(&m, 0x140 + A64_PAGE + FUZZ_STUB_SECRET, 0x0000ffff56780048ull);
	put8(&m, 0x140 + A64_PAGE + FUZZ_STUB_TYPE, STUB_TYPE);
	save_code(dir, "precode", "arm64-fixup", &m, FUZZ_CODE_BASE + 0x100);
	save_code(dir, "precode", "arm64-stub", &m, FUZZ_CODE_BASE + 0x140);
	free(code.p);
	free(m.p);
}

/* Where the code range map's pieces lie in the memory (offsets from FUZZ_CODE_BASE). */
#define MAP_LEVELS  0x1000 /* 4 tables of 256 pointers, 0x800 apart, below the top one */
#define MAP_FRAG    0x3800
#define MAP_SECTION 0x3840
#define MAP_HEAP    0x3880
#define MAP_NIBBLES 0x3900
#define MAP_HEADER  0x3a00
#define MAP_CODE    0x4000
#define MAP_CODELEN 0x900

/* The nibble map entry of a method starting at code offset start: (start % 32) / 4 + 1 in
 * its 32-byte bucket's nibble, 8 buckets per u32 unit, the first in the top nibble. */
static void nibble(struct seed *m, uint32_t start)
{
	uint32_t bucket = start / 32;
	size_t at = MAP_NIBBLES + 4 * (bucket / 8);

	put32(m, at, get32(m, at) | ((start % 32) / 4 + 1) << (28 - 4 * (bucket % 8)));
}

/* A method at code offset start: its code header pointer just before it. */
static void method(struct seed *m, uint32_t start, uint64_t header)
{
	put64(m, MAP_CODE + start - 8, header);
}

static void codemap_seeds(const char *dir)
{
	struct seed m = {0};
	const uint64_t code = FUZZ_CODE_BASE + MAP_CODE;
	const uint64_t ip = code + 0x58;
	uint64_t level = MAP_LEVELS;

	/* The map: TopLevelData, the top table of 256 pointers inline at the map's
	 * start, then one table per level on the way to ip (address bits 56-17, 8 per
	 * level), the last naming the fragment. Every seed's ip shares them. */
	uint64_t table = 0;
	for (int l = 5; l >= 1; l--) {
		uint64_t next = l > 1 ? FUZZ_CODE_BASE + level : FUZZ_CODE_BASE + MAP_FRAG;
		put64(&m, table + 8 * ((ip >> (17 + 8 * (l - 1))) & 0xff), next);
		table = level;
		level += 0x800;
	}
	put64(&m, MAP_FRAG + FUZZ_FRAG_NEXT, 0);
	put64(&m, MAP_FRAG + FUZZ_FRAG_BEGIN, code);
	put64(&m, MAP_FRAG + FUZZ_FRAG_END, code + MAP_CODELEN);
	put64(&m, MAP_FRAG + FUZZ_FRAG_SECTION, FUZZ_CODE_BASE + MAP_SECTION);
	put64(&m, MAP_SECTION + FUZZ_RS_HEAPLIST, FUZZ_CODE_BASE + MAP_HEAP);
	put64(&m, MAP_SECTION + FUZZ_RS_R2R, 0);
	put64(&m, MAP_HEAP + FUZZ_HEAP_MAPBASE, code);
	put64(&m, MAP_HEAP + FUZZ_HEAP_HEADERMAP, FUZZ_CODE_BASE + MAP_NIBBLES);
	put64(&m, MAP_HEADER + FUZZ_HEADER_MD, 0x7f00567800b8ull);
	put32(&m, MAP_NIBBLES + 4 * (MAP_CODELEN / 256) - 4, 0); /* the map covers the code */
	/* A method at 0x40 (its nibble in ip's unit), one at 0x1e4 (in the unit before
	 * 0x210's), one at 0x300 running on through units 4 and 5 (pointer units: the
	 * method's offset in the top 28 bits, (value - 9) << 2 below), and a stub
	 * block at 0x800 (a code header at most StubCodeBlockLast). */
	nibble(&m, 0x40);
	method(&m, 0x40, FUZZ_CODE_BASE + MAP_HEADER);
	nibble(&m, 0x1e4);
	method(&m, 0x1e4, FUZZ_CODE_BASE + MAP_HEADER);
	nibble(&m, 0x300);
	method(&m, 0x300, FUZZ_CODE_BASE + MAP_HEADER);
	put32(&m, MAP_NIBBLES + 4 * 4, 0x300 | 9);
	put32(&m, MAP_NIBBLES + 4 * 5, 0x300 | 9);
	nibble(&m, 0x800);
	method(&m, 0x800, 3);
	put8(&m, MAP_CODE + MAP_CODELEN - 1, 0xcc); /* the code is all there */
	save_code(dir, "codemap", "nibble", &m, ip);
	save_code(dir, "codemap", "unit-before", &m, code + 0x210);
	save_code(dir, "codemap", "pointer-unit", &m, code + 0x480);
	save_code(dir, "codemap", "stub-block", &m, code + 0x810);
	free(m.p);
}

/* fuzz_unwind: rip, rsp, rbp, then memory whose first 12 bytes are the
 * RUNTIME_FUNCTION. A JIT-shaped frame (push rbp; sub rsp, 0x20; lea rbp,
 * [rsp+0x20]: UWOP_PUSH_NONVOL rbp, UWOP_ALLOC_SMALL, UWOP_SET_FPREG) with
 * the return address on the stack; one seed in the body, one in its prolog,
 * one at an epilog (add rsp, 0x20; pop rbp; ret). */
static void unwind_seeds(const char *dir)
{
	struct seed s = {0};
	const size_t code = 0x40, info = 0x20, stack = 0x100;

	put32(&s, 24 + 0, code);	 /* BeginAddress */
	put32(&s, 24 + 4, code + 0x40); /* EndAddress */
	put32(&s, 24 + 8, info);	 /* UnwindData */
	/* version 1, no flags; prolog 10 bytes; 3 codes; frame register rbp at 2 x 16 */
	put8(&s, 24 + info, 1);
	put8(&s, 24 + info + 1, 10);
	put8(&s, 24 + info + 2, 3);
	put8(&s, 24 + info + 3, 5 | 2 << 4);
	put8(&s, 24 + info + 4, 10), put8(&s, 24 + info + 5, 3);	     /* SET_FPREG */
	put8(&s, 24 + info + 6, 5), put8(&s, 24 + info + 7, 2 | 3 << 4);   /* ALLOC_SMALL 0x20 */
	put8(&s, 24 + info + 8, 1), put8(&s, 24 + info + 9, 0 | 5 << 4);   /* PUSH_NONVOL rbp */
	static const uint8_t body[] = {0x55, 0x48, 0x83, 0xec, 0x20, 0x48, 0x8d, 0x6c, 0x24, 0x20,
				       0x90, 0x90, 0x48, 0x83, 0xc4, 0x20, 0x5d, 0xc3};
	put(&s, 24 + code, body, sizeof(body));
	put64(&s, 24 + stack + 0x20, FUZZ_CODE_BASE + 0x200); /* saved rbp */
	put64(&s, 24 + stack + 0x28, FUZZ_CODE_BASE + 0x44);  /* return address */
	put64(&s, 0, code + 10);
	put64(&s, 8, stack);
	put64(&s, 16, FUZZ_CODE_BASE + stack + 0x20);
	save(dir, "unwind", "body", &s);
	put64(&s, 0, code + 1);
	put64(&s, 8, stack + 0x20);
	save(dir, "unwind", "prolog", &s);
	put64(&s, 0, code + 12);
	put64(&s, 8, stack);
	save(dir, "unwind", "epilog", &s);
	free(s.p);

	/* arm64 (the top bit of ip's word): stp fp, lr, [sp, #-32]!; mov fp, sp;
	 * 4 of body; ldp fp, lr, [sp], #32; ret. .xdata: 8 words, E, epilog
	 * codes at index 1; set_fp, save_fplr_x 32, end. */
	struct seed a = {0};
	const uint64_t a64 = 1ull << 63;
	put32(&a, 24 + 0, code);
	put32(&a, 24 + 4, info);
	put32(&a, 24 + info, 8 | 1u << 21 | 1u << 22 | 1u << 27);
	put32(&a, 24 + info + 4, 0xe3e483e1);
	put64(&a, 24 + stack, FUZZ_CODE_BASE + 0x200); /* saved fp */
	put64(&a, 24 + stack + 8, FUZZ_CODE_BASE + 0x44); /* saved lr */
	put(&a, 24 + code, (uint8_t[32]){0}, 32);
	put64(&a, 0, a64 | (code + 12));
	put64(&a, 8, stack - 0x40);
	put64(&a, 16, FUZZ_CODE_BASE + stack);
	save(dir, "unwind", "arm64-body", &a);
	put64(&a, 0, a64 | (code + 24));
	put64(&a, 8, stack);
	save(dir, "unwind", "arm64-epilog", &a);
	free(a.p);
}

/* fuzz_cfi: ip, sp, fp, then memory starting with an .eh_frame_hdr (version
 * 1; eh_frame_ptr pcrel sdata4, fde_count udata4, a datarel sdata4 table of
 * one entry), then .eh_frame: a CIE ("zR", code alignment 1, data alignment
 * -8, the return address in column 16, FDE pointers pcrel sdata4; CFA rsp+8,
 * the return address at CFA-8) and an FDE for 0x40 bytes of code at 0x200:
 * push rbp (CFA rsp+16, rbp at CFA-16), mov rbp, rsp (CFA rbp+16), a
 * remember_state and restore_state around an epilog. Seeds in the prolog
 * and in the body (x64), and one read as arm64's columns. */
static void cfi_seeds(const char *dir)
{
	struct seed s = {0};
	/* Offsets into the memory, which starts at seed byte 24. */
	const uint32_t hdr = 0, cie = 0x20, fde = cie + 24, code = 0x200, stack = 0x300;
	static const uint8_t cie_body[] = {0, 0, 0, 0, 1, 'z', 'R', 0, 0x01, 0x78, 16, 1, 0x1b,
					   0x0c, 7, 8, 0x90, 1, 0, 0};
	static const uint8_t fde_prog[] = {0x41, 0x0e, 16, 0x86, 2, 0x43, 0x0d, 6, 0x4a,
					   0x0a, 0x0c, 7, 8, 0x41, 0x0b, 0, 0, 0};
#define M(x) (24 + (size_t)(x))
	put8(&s, M(hdr), 1), put8(&s, M(hdr + 1), 0x1b), put8(&s, M(hdr + 2), 0x03);
	put8(&s, M(hdr + 3), 0x3b);
	put32(&s, M(hdr + 4), cie - (hdr + 4)); /* eh_frame_ptr */
	put32(&s, M(hdr + 8), 1);		  /* fde_count */
	put32(&s, M(hdr + 12), code - hdr);	  /* the table */
	put32(&s, M(hdr + 16), fde - hdr);
	put32(&s, M(cie), sizeof(cie_body));
	put(&s, M(cie + 4), cie_body, sizeof(cie_body));
	put32(&s, M(fde), 4 + 4 + 4 + 1 + sizeof(fde_prog));
	put32(&s, M(fde + 4), fde + 4 - cie);
	put32(&s, M(fde + 8), code - (fde + 8)); /* pc_begin, pcrel */
	put32(&s, M(fde + 12), 0x40);		   /* pc_range */
	put8(&s, M(fde + 16), 0);
	put(&s, M(fde + 17), fde_prog, sizeof(fde_prog));
	put64(&s, M(stack), FUZZ_CODE_BASE + 0x400);	     /* saved rbp */
	put64(&s, M(stack + 8), FUZZ_CODE_BASE + code + 0x20); /* return address */
	put64(&s, M(0x3f8), 0);
#undef M
	put64(&s, 0, 1ull << 62 | (code + 0x10)); /* in the body: CFA rbp+16 */
	put64(&s, 8, stack - 0x20);
	put64(&s, 16, FUZZ_CODE_BASE + stack);
	save(dir, "cfi", "body", &s);
	put64(&s, 0, 1ull << 62 | code); /* at the entry: CFA rsp+8 */
	put64(&s, 8, stack + 8);
	save(dir, "cfi", "entry", &s);
	put64(&s, 0, 1ull << 63 | 1ull << 62 | (code + 0x10));
	save(dir, "cfi", "arm64", &s);
	free(s.p);
}

/* fuzz_refs: object offset, MethodTable offset, object size, then memory. An
 * object of 40 bytes with two series (one reference at +8, two at +24: sizes
 * stored less the object size), and an array of three 16-byte structs with
 * one reference each (series count -1, one item { nptrs 1, skip 8 } from
 * +16). The references point back into the memory. */
static void refs_seeds(const char *dir)
{
	struct seed s = {0};
	const size_t obj = 0x100, mt = 0x80;
#define M(x) (24 + (size_t)(x))
	put64(&s, M(mt - 8), 2);
	put64(&s, M(mt - 24), (uint64_t)(8 - 40)), put64(&s, M(mt - 16), 8);
	put64(&s, M(mt - 40), (uint64_t)(16 - 40)), put64(&s, M(mt - 32), 24);
	put64(&s, M(obj), FUZZ_CODE_BASE + mt);
	for (size_t off = 8; off < 40; off += 8)
		put64(&s, M(obj + off), FUZZ_CODE_BASE + obj);
	put64(&s, M(0x1f8), 0);
	put64(&s, 0, obj), put64(&s, 8, mt), put64(&s, 16, 40);
	save(dir, "refs", "object", &s);
	put64(&s, M(mt - 8), (uint64_t)-1);
	put32(&s, M(mt - 24), 1), put32(&s, M(mt - 20), 8);
	put64(&s, M(mt - 16), 16);
	for (size_t off = 8; off < 72; off += 8)
		put64(&s, M(obj + off), FUZZ_CODE_BASE + obj);
	put64(&s, M(obj + 8), 3); /* the array's length */
	put64(&s, 16, 24 + 3 * 16);
	save(dir, "refs", "struct-array", &s);
#undef M
	free(s.p);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	handles_seeds(argv[1]);
	precode_seeds(argv[1]);
	precode_seeds_arm64(argv[1]);
	codemap_seeds(argv[1]);
	unwind_seeds(argv[1]);
	cfi_seeds(argv[1]);
	refs_seeds(argv[1]);
	return 0;
}
