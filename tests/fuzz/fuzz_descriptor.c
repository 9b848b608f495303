// SPDX-License-Identifier: MIT
// libFuzzer target: the contract descriptor's JSON parser and layout look-ups.
#include "runtime_i.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t ptrs[4] = {0, 0x1000, 0x2000, 0x3000};
	struct rt rt = {0};
	char err[256];
	uint64_t v;

	if (rt_descriptor_init(&rt) == 0 && rt_descriptor_parse(&rt, (const char *)data, size, ptrs,
								4, NULL, err, sizeof(err)) == 0) {
		(void)rt_field_offset(&rt, "Thread", "Id", &v);
		(void)rt_type_size(&rt, "MethodTable", &v);
		(void)rt_global(&rt, "ThreadStore", &v);
		(void)rt_global_string(&rt, "Architecture");
	}
	rt_descriptor_free(&rt);
	return 0;
}
