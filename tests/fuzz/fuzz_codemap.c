// SPDX-License-Identifier: MIT
// libFuzzer target: the code range map, its fragments and the code heap's nibble map
// (methods.c jitted_method, nibble_find) through rt_code_method_desc(). Input: a code address
// (8 bytes), then the memory at FUZZ_CODE_BASE, which holds the RangeSectionMap; the
// PrecodeMachineDescriptor is absent, so the precode check fails to read (-EIO) and the
// look-up goes on to the map, as it does for jitted code.
#include "fuzz_mem.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_code_run(data, size, FUZZ_ABSENT, FUZZ_CODE_BASE);
	return 0;
}
