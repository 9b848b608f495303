// SPDX-License-Identifier: MIT
// libFuzzer target: the GCDesc walk (decoder/runtime/refs.c rt_gcdesc_walk): the series
// count, the series and the value-type array items before a MethodTable, from the input.
// Input: the object's and the MethodTable's offsets into the memory and the object's size
// (8 bytes each; offsets taken mod 64 KiB), then the memory at FUZZ_CODE_BASE. Checks
// that every reference reported lies in the object.
#include "fuzz_mem.h"
#include "dump.h"
#include "refs.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bounds {
	uint64_t size;
};

static int check(void *arg, uint64_t off, uint64_t ref)
{
	const struct bounds *b = arg;
	(void)ref;
	if (off + 8 > b->size)
		abort(); /* a slot outside the object */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v[3];
	struct dump *d;

	if (size < sizeof(v))
		return 0;
	memcpy(v, data, sizeof(v));
	if (!(d = fuzz_mem_open(FUZZ_CODE_BASE, data + sizeof(v), size - sizeof(v))))
		return 0;
	struct bounds b = {v[2] & 0xfffff};
	(void)rt_gcdesc_walk(d, FUZZ_CODE_BASE + (v[0] & 0xffff), FUZZ_CODE_BASE + (v[1] & 0xffff),
			     b.size, check, &b);
	dump_close(d);
	return 0;
}
