// SPDX-License-Identifier: MIT
// Fuzz harness helpers: an in-memory ELF core around the fuzzer's bytes, and a
// contract descriptor for the code-address look-ups.
#include "fuzz_mem.h"

#include "dump.h"
#include "methods.h"
#include "runtime_i.h"

#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PRSTATUS_SIZE 336 /* x86_64 struct elf_prstatus: one thread is all dump_open() needs */

#define S_(x) #x
#define S(x)  S_(x)

/* The core's headers; the fuzzer's bytes follow them. */
struct core_head {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2]; /* PT_NOTE, PT_LOAD */
	Elf64_Nhdr nh;
	char name[8];
	uint8_t prstatus[PRSTATUS_SIZE];
};

struct dump *fuzz_mem_open(uint64_t base, const uint8_t *data, size_t size)
{
	struct core_head h;
	char path[64], err[256];
	struct dump *d = NULL;
	int fd = memfd_create("fuzz-mem", MFD_CLOEXEC);

	if (fd < 0)
		return NULL;
	memset(&h, 0, sizeof(h));
	memcpy(h.eh.e_ident, ELFMAG, SELFMAG);
	h.eh.e_ident[EI_CLASS] = ELFCLASS64;
	h.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	h.eh.e_ident[EI_VERSION] = EV_CURRENT;
	h.eh.e_type = ET_CORE;
	h.eh.e_machine = EM_X86_64;
	h.eh.e_version = EV_CURRENT;
	h.eh.e_ehsize = sizeof(h.eh);
	h.eh.e_phoff = offsetof(struct core_head, ph);
	h.eh.e_phentsize = sizeof(Elf64_Phdr);
	h.eh.e_phnum = 2;
	h.ph[0].p_type = PT_NOTE;
	h.ph[0].p_offset = offsetof(struct core_head, nh);
	h.ph[0].p_filesz = offsetof(struct core_head, prstatus) + PRSTATUS_SIZE -
			   offsetof(struct core_head, nh);
	h.ph[1].p_type = PT_LOAD;
	h.ph[1].p_offset = sizeof(h);
	h.ph[1].p_vaddr = base;
	h.ph[1].p_filesz = size;
	h.ph[1].p_memsz = size;
	h.nh.n_namesz = 5;
	h.nh.n_descsz = PRSTATUS_SIZE;
	h.nh.n_type = NT_PRSTATUS;
	memcpy(h.name, "CORE", 5);
	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    (size && write(fd, data, size) != (ssize_t)size))
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (dump_open(path, NULL, &d, err, sizeof(err)))
		d = NULL;
out:
	close(fd); /* dump_open() has its own descriptor */
	return d;
}

/* ptrs[0]: PlatformMetadata, ptrs[1]: ExecutionManagerCodeRangeMapAddress
 * (indirect globals, as the runtime publishes them). */
static const char code_descriptor[] =
	"{\"version\":0,\"types\":{"
	"\"PlatformMetadata\":{\"PrecodeMachineDescriptor\":0},"
	"\"PrecodeMachineDescriptor\":{"
	"\"StubCodePageSize\":" S(
		FUZZ_PMD_PAGE) ","
			       "\"StubPrecodeType\":" S(
				       FUZZ_PMD_STUB_TYPE) ","
							   "\"FixupStubPrecodeSize\":" S(
								   FUZZ_PMD_FIXUP_SIZE) ","
											"\"FixupByt"
											"es\":" S(FUZZ_PMD_FIXUP_BYTES) ","
															"\"FixupIgnoredBytes\":" S(
																FUZZ_PMD_FIXUP_IGN) ","
																		    "\"StubPrecodeSize\":" S(FUZZ_PMD_STUB_SIZE) ","
																								 "\"StubBytes\":" S(
																									 FUZZ_PMD_STUB_BYTES) ","
																											      "\"StubIgnoredBytes\":" S(FUZZ_PMD_STUB_IGN) "},"
																																	   "\"FixupPrecodeData\":{\"MethodDesc\":" S(FUZZ_FIXUP_MD) "},"
																																								    "\"StubPrecodeData\":{\"SecretParam\":" S(FUZZ_STUB_SECRET) ","
																																																"\"Type\":" S(
																																																	FUZZ_STUB_TYPE) "},"
																																																			"\"RangeSectionMap\":{\"TopLevelData\":0},"
																																																			"\"RangeSectionFragment\":{\"Next\":" S(
																																																				FUZZ_FRAG_NEXT) ","
																																																						"\"RangeBegin\":" S(FUZZ_FRAG_BEGIN) ","
																																																										     "\"RangeEndOpen\":" S(FUZZ_FRAG_END) ","
																																																															  "\"RangeSection\":" S(FUZZ_FRAG_SECTION) "},"
																																																																				   "\"RangeSection\":{\"HeapList\":" S(
																																																																					   FUZZ_RS_HEAPLIST) ","
																																																																							     "\"R2RModule\":" S(FUZZ_RS_R2R) "},"
																																																																											     "\"CodeHeapListNode\":{\"MapBase\":" S(FUZZ_HEAP_MAPBASE) ","
																																																																																		       "\"HeaderMap\":" S(FUZZ_HEAP_HEADERMAP) "},"
																																																																																							       "\"RealCodeHeader\":{\"MethodDesc\":" S(
																																																																																								       FUZZ_HEADER_MD) "}},"
																																																																																										       "\"globals\":{\"PlatformMetadata\":[[0],\"pointer\"],"
																																																																																										       "\"ExecutionManagerCodeRangeMapAddress\":[[1],\"pointer\"],"
																																																																																										       "\"StubCodeBlockLast\":[\"" S(FUZZ_STUB_BLOCK_LAST) "\",\"uint8\"]}}";

int fuzz_code_rt_init(struct rt *rt, struct dump *d, uint64_t platform, uint64_t range_map)
{
	const uint64_t ptrs[2] = {platform, range_map};
	char err[256];
	int rc = rt_descriptor_init(rt);

	rt->d = d;
	rc = rc ? rc
		: rt_descriptor_parse(rt, code_descriptor, sizeof(code_descriptor) - 1, ptrs, 2,
				      NULL, err, sizeof(err));
	if (!rc)
		rt_layout_load(rt); /* the code-address groups resolve from it */
	return rc;
}

void fuzz_code_run(const uint8_t *data, size_t size, uint64_t platform, uint64_t range_map)
{
	struct rt rt = {0};
	struct dump *d;
	uint64_t ip, md = 0;

	if (size < sizeof(ip))
		return;
	memcpy(&ip, data, sizeof(ip));
	if (!(d = fuzz_mem_open(FUZZ_CODE_BASE, data + sizeof(ip), size - sizeof(ip))))
		return;
	if (fuzz_code_rt_init(&rt, d, platform, range_map) == 0 &&
	    rt_code_method_desc(&rt, ip, &md) == 0 && !md)
		abort(); /* methods.h: 0 means a MethodDesc was found */
	rt_descriptor_free(&rt);
	dump_close(d);
}
