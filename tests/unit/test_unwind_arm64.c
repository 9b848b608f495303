// SPDX-License-Identifier: MIT
// Unit tests of the arm64 unwinder (decoder/runtime/unwind_arm64.c) on a frame shaped as
// the JIT makes them: stp fp, lr, [sp, #-32]!; mov fp, sp; ...; ldp fp, lr, [sp], #32;
// ret, whose .xdata holds set_fp, save_fplr_x 32, end, with one epilog at the end (E)
// whose codes start at index 1. Unwound from the body, the prolog and the epilog, each
// must give the caller's pc, sp and fp.
#include "dump.h"
#include "fuzz_mem.h"
#include "stack.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define BASE	    FUZZ_CODE_BASE
#define CODE	    0x40 /* 8 instructions: the prolog's 2, 4 of body, the epilog's 2 */
#define XDATA	    0x20
#define FRAME	    0x100 /* sp after the prolog */
#define CALLER_FP   0x7f0000001000ull
#define RETURN_ADDR 0x7f0000002344ull
#define SP	    31
#define FP	    29
#define LR	    30

static uint8_t mem[0x200];

static struct dump *frame(void)
{
	/* FunctionLength 8 words; E; EpilogCount (the epilog's code index) 1;
	 * CodeWords 1: set_fp (e1), save_fplr_x z=3 (83), end (e4), nop pad. */
	uint32_t rf[2] = {CODE, XDATA};
	uint32_t header = 8 | 1u << 21 | 1u << 22 | 1u << 27;
	static const uint8_t codes[] = {0xe1, 0x83, 0xe4, 0xe3};
	uint64_t saved_fp = CALLER_FP, ret = RETURN_ADDR;

	memset(mem, 0, sizeof(mem));
	memcpy(mem, rf, sizeof(rf));
	memcpy(mem + XDATA, &header, 4);
	memcpy(mem + XDATA + 4, codes, sizeof(codes));
	memcpy(mem + FRAME, &saved_fp, 8);
	memcpy(mem + FRAME + 8, &ret, 8);
	struct dump *d = fuzz_mem_open(BASE, mem, sizeof(mem));
	assert_non_null(d);
	return d;
}

static void expect_caller(const struct rt_regs *r)
{
	assert_int_equal(r->ip, RETURN_ADDR);
	assert_int_equal(r->r[SP], BASE + FRAME + 32);
	assert_int_equal(r->r[FP], CALLER_FP);
}

/* In the body: fp is the frame; every code undone, then pc = lr. */
static void test_body(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 3 * 4;
	r.r[SP] = BASE + FRAME - 0x40; /* moved since by the body */
	r.r[FP] = BASE + FRAME;
	assert_int_equal(rt_unwind_arm64(d, BASE, BASE, &r), 0);
	expect_caller(&r);
	dump_close(d);
}

/* After the stp alone: set_fp has not run, so it is skipped. */
static void test_prolog(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 4;
	r.r[SP] = BASE + FRAME;
	r.r[FP] = 0x1234;
	assert_int_equal(rt_unwind_arm64(d, BASE, BASE, &r), 0);
	expect_caller(&r);
	dump_close(d);
}

/* At the epilog's ldp: its codes from index 1 (save_fplr_x) undone; at the
 * ret, nothing left but pc = lr. */
static void test_epilog(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 6 * 4;
	r.r[SP] = BASE + FRAME;
	r.r[FP] = 0x5678;
	assert_int_equal(rt_unwind_arm64(d, BASE, BASE, &r), 0);
	expect_caller(&r);
	r = (struct rt_regs){0};
	r.ip = BASE + CODE + 7 * 4;
	r.r[SP] = BASE + FRAME + 32;
	r.r[FP] = CALLER_FP;
	r.r[LR] = RETURN_ADDR;
	assert_int_equal(rt_unwind_arm64(d, BASE, BASE, &r), 0);
	expect_caller(&r);
	dump_close(d);
}

/* Outside the function, packed unwind data, memory missing. */
static void test_refusals(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 8 * 4;
	assert_int_equal(rt_unwind_arm64(d, BASE, BASE, &r), -EBADMSG);
	r.ip = BASE + CODE + 3 * 4;
	r.r[FP] = 0x10;
	assert_int_equal(rt_unwind_arm64(d, BASE, BASE, &r), -EIO);
	dump_close(d);
	mem[4] |= 1; /* UnwindData's low bits: packed */
	d = fuzz_mem_open(BASE, mem, sizeof(mem));
	assert_int_equal(rt_unwind_arm64(d, BASE, BASE, &r), -EBADMSG);
	dump_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_prolog),
		cmocka_unit_test(test_epilog),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
