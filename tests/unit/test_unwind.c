// SPDX-License-Identifier: MIT
// Unit tests of the x64 unwinder (decoder/runtime/unwind_amd64.c) on a frame shaped as
// the JIT makes them: push rbp; sub rsp, 0x20; lea rbp, [rsp+0x20]; ...; add rsp, 0x20;
// pop rbp; ret, with UWOP_PUSH_NONVOL rbp, UWOP_ALLOC_SMALL 0x20 and UWOP_SET_FPREG
// (rbp = rsp + 0x20). Unwound from the body, from inside the prolog and from the
// epilog, each must give the caller's rip, rsp and rbp.
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
#define CODE	    0x40
#define INFO	    0x20
#define FRAME_TOP   0x120 /* rsp after the prolog (0x100) + 0x20 */
#define CALLER_RBP  0x7f0000001000ull
#define RETURN_ADDR 0x7f0000002345ull

static uint8_t mem[0x200];

static struct dump *frame(void)
{
	static const uint8_t code[] = {0x55, 0x48, 0x83, 0xec, 0x20, 0x48, 0x8d, 0x6c, 0x24, 0x20,
				       0x90, 0x90, 0x48, 0x83, 0xc4, 0x20, 0x5d, 0xc3};
	static const uint8_t info[] = {1, 10, 3, 5 | 2 << 4, 10, 3, 5, 2 | 3 << 4, 1, 0 | 5 << 4};
	uint32_t rf[3] = {CODE, CODE + sizeof(code), INFO};
	uint64_t saved_rbp = CALLER_RBP, ret = RETURN_ADDR;

	memset(mem, 0, sizeof(mem));
	memcpy(mem, rf, sizeof(rf));
	memcpy(mem + INFO, info, sizeof(info));
	memcpy(mem + CODE, code, sizeof(code));
	memcpy(mem + FRAME_TOP, &saved_rbp, 8);
	memcpy(mem + FRAME_TOP + 8, &ret, 8);
	struct dump *d = fuzz_mem_open(BASE, mem, sizeof(mem));
	assert_non_null(d);
	return d;
}

static void expect_caller(const struct rt_regs *r)
{
	assert_int_equal(r->ip, RETURN_ADDR);
	assert_int_equal(r->r[RT_REG_RSP], BASE + FRAME_TOP + 16);
	assert_int_equal(r->r[RT_REG_RBP], CALLER_RBP);
}

/* In the body: the prolog's codes undone, from rbp (the frame register). */
static void test_body(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 10;
	r.r[RT_REG_RSP] = BASE + FRAME_TOP - 0x20;
	r.r[RT_REG_RBP] = BASE + FRAME_TOP;
	assert_int_equal(rt_unwind_amd64(d, BASE, BASE, &r), 0);
	expect_caller(&r);
	dump_close(d);
}

/* After the push alone: only that code is undone; rbp is not the frame yet. */
static void test_prolog(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 1;
	r.r[RT_REG_RSP] = BASE + FRAME_TOP;
	r.r[RT_REG_RBP] = 0x1234; /* the caller's, not yet saved over */
	assert_int_equal(rt_unwind_amd64(d, BASE, BASE, &r), 0);
	expect_caller(&r);
	dump_close(d);
}

/* At the epilog (add rsp, 0x20; pop rbp; ret): emulated from the code bytes. */
static void test_epilog(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 12;
	r.r[RT_REG_RSP] = BASE + FRAME_TOP - 0x20;
	r.r[RT_REG_RBP] = 0x5678; /* anything: the epilog does not read it */
	assert_int_equal(rt_unwind_amd64(d, BASE, BASE, &r), 0);
	expect_caller(&r);
	dump_close(d);
}

/* An instruction pointer outside the function, or info of an unknown
 * version, is refused; a stack outside the dump is missing memory. */
static void test_refusals(void **state)
{
	(void)state;
	struct dump *d = frame();
	struct rt_regs r = {0};

	r.ip = BASE + CODE + 0x30;
	assert_int_equal(rt_unwind_amd64(d, BASE, BASE, &r), -EBADMSG);
	r.ip = BASE + CODE + 10;
	r.r[RT_REG_RSP] = 0x10;
	r.r[RT_REG_RBP] = 0x30;
	assert_int_equal(rt_unwind_amd64(d, BASE, BASE, &r), -EIO);
	dump_close(d);
	mem[INFO] = 3; /* version 3 */
	d = fuzz_mem_open(BASE, mem, sizeof(mem));
	r.ip = BASE + CODE + 10;
	assert_int_equal(rt_unwind_amd64(d, BASE, BASE, &r), -EBADMSG);
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
