// SPDX-License-Identifier: MIT
// libFuzzer target: an arbitrary file opened as a dump, then the runtime looked for in it.
#include "dump.h"
#include "runtime.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	struct dump *d = NULL;
	struct rt *rt = NULL;
	int fd = memfd_create("fuzz-core", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (dump_open(path, NULL, &d, err, sizeof(err)))
		goto out;
	for (size_t i = 0; i < dump_module_count(d); i++) {
		uint64_t a, v;
		const struct dump_module *m = dump_module(d, i);
		if (dump_module_symbol(d, m, "g_dacTable", &a) == 0)
			(void)dump_read_u64(d, a, &v);
	}
	if (rt_open(d, &rt, err, sizeof(err)) == 0) {
		const struct rt_thread *t;
		size_t n;
		(void)rt_threads(rt, &t, &n);
	}
out:
	rt_close(rt);
	dump_close(d);
	close(fd);
	return 0;
}
