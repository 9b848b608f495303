// SPDX-License-Identifier: MIT
// libFuzzer target: the x64 and arm64 unwinders (decoder/runtime/unwind_amd64.c,
// unwind_arm64.c): UNWIND_INFO headers, unwind codes, chained info and the epilog bytes
// at the instruction pointer; .xdata headers, epilog scopes and codes; all from the
// input. Input: ip, sp, fp (8 bytes each; ip and sp taken as offsets into the memory,
// the top bit of ip's word picks arm64), then the memory at FUZZ_CODE_BASE, whose first
// bytes are the RUNTIME_FUNCTION (RVAs from FUZZ_CODE_BASE). Unwinds up to 8 frames,
// each with the same RUNTIME_FUNCTION, while it succeeds.
#include "fuzz_mem.h"
#include "dump.h"
#include "stack.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_regs r = {0};
	uint64_t v[3];
	struct dump *d;

	if (size < sizeof(v))
		return 0;
	memcpy(v, data, sizeof(v));
	if (!(d = fuzz_mem_open(FUZZ_CODE_BASE, data + sizeof(v), size - sizeof(v))))
		return 0;
	bool arm64 = v[0] >> 63;
	r.ip = FUZZ_CODE_BASE + (v[0] & 0xffff);
	r.r[arm64 ? 31 : RT_REG_RSP] = FUZZ_CODE_BASE + (v[1] & 0xffff);
	r.r[arm64 ? 29 : RT_REG_RBP] = v[2];
	for (int i = 0; i < 8; i++)
		if ((arm64 ? rt_unwind_arm64 : rt_unwind_amd64)(d, FUZZ_CODE_BASE, FUZZ_CODE_BASE, &r))
			break;
	dump_close(d);
	return 0;
}
