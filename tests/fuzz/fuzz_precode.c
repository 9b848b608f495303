// SPDX-License-Identifier: MIT
// libFuzzer target: the FixupPrecode/StubPrecode matcher (methods.c precode_method) through
// rt_code_method_desc(). Input: a code address (8 bytes), then the memory at FUZZ_CODE_BASE,
// which holds the PrecodeMachineDescriptor; the code range map is absent, so an address that
// is no precode ends at the map's first read.
#include "fuzz_mem.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_code_run(data, size, FUZZ_CODE_BASE, FUZZ_ABSENT);
	return 0;
}
