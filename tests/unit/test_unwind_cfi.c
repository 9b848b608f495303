// SPDX-License-Identifier: MIT
// Unit tests of the native unwinder (decoder/runtime/unwind_cfi.c) on call frame
// information laid out in memory as a linker lays it out: an .eh_frame_hdr with one
// table entry, a CIE as GCC writes it for x86_64 ("zR", code alignment 1, data
// alignment -8, return address column 16, CFA rsp+8, the return address at CFA-8) and
// an FDE for a function that pushes rbp (at +1), makes it the frame pointer (at +4),
// and has an epilog inside remember_state / restore_state (+14 to +15).
#include "dump.h"
#include "fuzz_mem.h"
#include "stack.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define BASE	    FUZZ_CODE_BASE
#define CIE	    0x20
#define FDE	    (CIE + 24)
#define CODE	    0x200
#define STACK	    0x300 /* where rbp points in the body */
#define CALLER_RBP  0x7f0000001000ull
#define RETURN_ADDR 0x7f0000002345ull

static uint8_t mem[0x400];

static void put32(size_t at, uint32_t v)
{
	memcpy(mem + at, &v, 4);
}

static void layout(const uint8_t *prog, size_t n)
{
	static const uint8_t cie[] = {0, 0, 0, 0, 1, 'z', 'R', 0, 0x01, 0x78, 16, 1, 0x1b,
				      0x0c, 7, 8, 0x90, 1, 0, 0};
	uint64_t rbp = CALLER_RBP, ra = RETURN_ADDR;

	memset(mem, 0, sizeof(mem));
	mem[0] = 1, mem[1] = 0x1b, mem[2] = 0x03, mem[3] = 0x3b;
	put32(4, CIE - 4);
	put32(8, 1);
	put32(12, CODE);
	put32(16, FDE);
	put32(CIE, sizeof(cie));
	memcpy(mem + CIE + 4, cie, sizeof(cie));
	put32(FDE, (uint32_t)(4 + 4 + 4 + 1 + n));
	put32(FDE + 4, FDE + 4 - CIE);
	put32(FDE + 8, CODE - (FDE + 8));
	put32(FDE + 12, 0x40);
	memcpy(mem + FDE + 17, prog, n);
	memcpy(mem + STACK, &rbp, 8);
	memcpy(mem + STACK + 8, &ra, 8);
}

static const uint8_t prog[] = {0x41, 0x0e, 16, 0x86, 2,	  /* +1: push rbp */
			       0x43, 0x0d, 6,		  /* +4: mov rbp, rsp */
			       0x4a, 0x0a, 0x0c, 7, 8,	  /* +14: pop rbp, remember */
			       0x41, 0x0b, 0,	 0, 0}; /* +15: restore_state */

static int unwind(uint64_t ip, uint64_t sp, uint64_t rbp, bool first, struct rt_regs *r,
		  bool *outermost)
{
	struct dump *d = fuzz_mem_open(BASE, mem, sizeof(mem));
	assert_non_null(d);
	memset(r, 0, sizeof(*r));
	r->ip = ip;
	r->r[RT_REG_RSP] = sp;
	r->r[RT_REG_RBP] = rbp;
	int rc = rt_unwind_cfi_at(d, BASE, 20, false, first, r, outermost);
	dump_close(d);
	return rc;
}

static void expect_caller(const struct rt_regs *r, uint64_t rbp)
{
	assert_int_equal(r->ip, RETURN_ADDR);
	assert_int_equal(r->r[RT_REG_RSP], BASE + STACK + 16);
	assert_int_equal(r->r[RT_REG_RBP], rbp);
}

/* At the entry (an interrupted context): the CIE's rules alone. */
static void test_entry(void **state)
{
	struct rt_regs r;
	bool outermost;
	(void)state;
	layout(prog, sizeof(prog));
	assert_int_equal(unwind(BASE + CODE, BASE + STACK + 8, 0x55, true, &r, &outermost), 0);
	assert_false(outermost);
	expect_caller(&r, 0x55);
}

/* In the body, from a return address: CFA rbp+16, rbp saved at CFA-16. The same
 * after the epilog's restore_state, which restores the CFA rule as well. */
static void test_body(void **state)
{
	struct rt_regs r;
	bool outermost;
	(void)state;
	layout(prog, sizeof(prog));
	assert_int_equal(unwind(BASE + CODE + 9, 0, BASE + STACK, false, &r, &outermost), 0);
	expect_caller(&r, CALLER_RBP);
	assert_int_equal(unwind(BASE + CODE + 0x21, 0, BASE + STACK, false, &r, &outermost), 0);
	expect_caller(&r, CALLER_RBP);
	/* In the epilog, after pop rbp: CFA rsp+8; rbp's rule stays (its slot still
	 * holds the caller's), as GCC leaves it. */
	assert_int_equal(unwind(BASE + CODE + 14, BASE + STACK + 8, 0x77, true, &r, &outermost), 0);
	expect_caller(&r, CALLER_RBP);
}

static void test_refusals(void **state)
{
	struct rt_regs r;
	bool outermost;
	(void)state;
	layout(prog, sizeof(prog));
	/* Before the table's first function and past the FDE's range. */
	assert_int_equal(unwind(BASE + CODE - 1, 0, 0, true, &r, &outermost), -ENOENT);
	assert_int_equal(unwind(BASE + CODE + 0x40, 0, 0, true, &r, &outermost), -ENOENT);
	/* The saved registers outside the dump's memory. */
	assert_int_equal(unwind(BASE + CODE + 9, 0, 0x1000, false, &r, &outermost), -EIO);
	/* A DW_CFA_expression for rbp: not evaluated. */
	static const uint8_t expr[] = {0x10, 6, 1, 0x9c, 0, 0};
	layout(expr, sizeof(expr));
	assert_int_equal(unwind(BASE + CODE, BASE + STACK + 8, 0, true, &r, &outermost), -EBADMSG);
	/* A return address undefined: the outermost frame. */
	static const uint8_t undef[] = {0x07, 16, 0};
	layout(undef, sizeof(undef));
	assert_int_equal(unwind(BASE + CODE, BASE + STACK + 8, 0, true, &r, &outermost), 0);
	assert_true(outermost);
	/* restore_state with nothing remembered; an unknown opcode. */
	static const uint8_t bad1[] = {0x0b, 0}, bad2[] = {0x3f, 0};
	layout(bad1, sizeof(bad1));
	assert_int_equal(unwind(BASE + CODE, BASE + STACK + 8, 0, true, &r, &outermost), -EBADMSG);
	layout(bad2, sizeof(bad2));
	assert_int_equal(unwind(BASE + CODE, BASE + STACK + 8, 0, true, &r, &outermost), -EBADMSG);
	/* The table's header: another version. */
	layout(prog, sizeof(prog));
	mem[0] = 2;
	assert_int_equal(unwind(BASE + CODE, BASE + STACK + 8, 0, true, &r, &outermost), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
