// SPDX-License-Identifier: MIT
// libFuzzer target: the native unwinder (decoder/runtime/unwind_cfi.c): the
// .eh_frame_hdr search table, CIE and FDE headers, augmentation data, pointer
// encodings, CFA programs and the register rules, all from the input. Input: ip, sp,
// fp (8 bytes each; ip and sp taken as offsets into the memory, the top bit of ip's
// word picks arm64, the next one an interrupted context), then the memory at
// FUZZ_CODE_BASE, which starts with the .eh_frame_hdr. Unwinds up to 8 frames while
// it succeeds.
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
	bool outermost;

	if (size < sizeof(v))
		return 0;
	memcpy(v, data, sizeof(v));
	if (!(d = fuzz_mem_open(FUZZ_CODE_BASE, data + sizeof(v), size - sizeof(v))))
		return 0;
	bool arm64 = v[0] >> 63, first = v[0] >> 62 & 1;
	r.ip = FUZZ_CODE_BASE + (v[0] & 0xffff);
	r.r[arm64 ? 31 : RT_REG_RSP] = FUZZ_CODE_BASE + (v[1] & 0xffff);
	r.r[arm64 ? 29 : RT_REG_RBP] = v[2];
	for (int i = 0; i < 8; i++, first = false)
		if (rt_unwind_cfi_at(d, FUZZ_CODE_BASE, size - sizeof(v), arm64, first, &r,
				     &outermost) ||
		    outermost)
			break;
	dump_close(d);
	return 0;
}
