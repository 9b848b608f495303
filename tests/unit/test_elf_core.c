// SPDX-License-Identifier: MIT
// Unit tests of the ELF core reader on small synthetic cores.
#include "diag.h"
#include "dump.h"

#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A core under construction: headers first, segment bytes after. */
struct core {
	uint8_t buf[1 << 16];
	size_t len;
	Elf64_Phdr ph[8];
	int nph;
	uint8_t notes[4096];
	size_t nnotes;
};

static void note(struct core *c, uint32_t type, const void *desc, uint32_t len)
{
	uint32_t hdr[3] = {5, len, type};
	memcpy(c->notes + c->nnotes, hdr, 12);
	memcpy(c->notes + c->nnotes + 12, "CORE\0\0\0", 8);
	memcpy(c->notes + c->nnotes + 20, desc, len);
	c->nnotes += 20 + ((len + 3) & ~3u);
}

static void thread_note(struct core *c, uint32_t tid)
{
	uint8_t st[336] = {0};
	memcpy(st + 32, &tid, 4);
	note(c, NT_PRSTATUS, st, sizeof(st));
}

/* Adds a PT_LOAD whose first filesz bytes hold the pattern (addr & 0xff). */
static void load(struct core *c, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *p = &c->ph[c->nph++];
	memset(p, 0, sizeof(*p));
	p->p_type = PT_LOAD;
	p->p_vaddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
}

/* Lays out header, phdrs, notes and segments; writes to a temp file. */
static char *finish(struct core *c, int xnum, size_t cut)
{
	Elf64_Ehdr eh = {0};
	size_t nph = (size_t)c->nph + 1,
	       off = sizeof(eh) + nph * sizeof(Elf64_Phdr) + sizeof(Elf64_Shdr);
	Elf64_Phdr all[9];

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = xnum ? PN_XNUM : (uint16_t)nph;
	eh.e_shoff = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 1;
	memset(&all[0], 0, sizeof(all[0]));
	all[0].p_type = PT_NOTE;
	all[0].p_offset = off;
	all[0].p_filesz = c->nnotes;
	memcpy(c->buf + off, c->notes, c->nnotes);
	off += c->nnotes;
	for (int i = 0; i < c->nph; i++) {
		all[i + 1] = c->ph[i];
		all[i + 1].p_offset = off;
		for (uint64_t k = 0; k < c->ph[i].p_filesz; k++)
			c->buf[off + k] = (uint8_t)(c->ph[i].p_vaddr + k);
		off += c->ph[i].p_filesz;
	}
	Elf64_Shdr sh = {0};
	sh.sh_info = (uint32_t)nph;
	memcpy(c->buf, &eh, sizeof(eh));
	memcpy(c->buf + eh.e_phoff, all, nph * sizeof(Elf64_Phdr));
	memcpy(c->buf + eh.e_shoff, &sh, sizeof(sh));
	c->len = cut ? cut : off;

	char *path = strdup("/tmp/clrfs-test-core-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, c->buf, c->len), (ssize_t)c->len);
	close(fd);
	return path;
}

static struct core *basic(void)
{
	struct core *c = calloc(1, sizeof(*c));
	uint8_t ps[136] = {0};
	uint32_t pid = 4242;
	memcpy(ps + 24, &pid, 4);
	note(c, NT_PRPSINFO, ps, sizeof(ps));
	thread_note(c, 100);
	thread_note(c, 101);
	/* NT_FILE: one mapping of a file that does not exist, not in the dump. */
	uint8_t nf[16 + 24 + 32] = {0};
	uint64_t hdr[2] = {1, 4096}, ent[3] = {0x30000, 0x31000, 0};
	memcpy(nf, hdr, 16);
	memcpy(nf + 16, ent, 24);
	strcpy((char *)nf + 40, "/nonexistent/libfoo.so");
	note(c, NT_FILE, nf, sizeof(nf));
	/* NT_AUXV: AT_PAGESZ after another entry, then AT_NULL. */
	uint64_t auxv[] = {AT_HWCAP, 0xff, AT_PAGESZ, 16384, AT_NULL, 0};
	note(c, NT_AUXV, auxv, sizeof(auxv));
	load(c, 0x10000, 0x1000, 0x2000); /* tail [0x11000, 0x12000) absent */
	load(c, 0x20000, 0x1000, 0x1000);
	load(c, 0x21000, 0x1000, 0x1000); /* adjacent to the one before */
	return c;
}

static struct dump *open_ok(const char *path)
{
	struct dump *d = NULL;
	char err[256] = "";
	int rc = dump_open(path, NULL, &d, err, sizeof(err));
	if (rc)
		fail_msg("dump_open: %s", err);
	return d;
}

static void test_notes(void **state)
{
	(void)state;
	struct core *c = basic();
	char *path = finish(c, 0, 0);
	struct dump *d = open_ok(path);

	assert_int_equal(dump_pid(d), 4242);
	assert_int_equal(dump_thread_count(d), 2);
	assert_int_equal(dump_thread(d, 1)->tid, 101);
	assert_string_equal(dump_arch(d), "x86_64");
	assert_int_equal(dump_page_size(d), 16384);
	assert_int_equal(dump_module_count(d), 1);
	assert_non_null(dump_module_find(d, "libfoo.so"));
	assert_null(dump_module_find(d, "libbar.so"));
	dump_close(d);
	unlink(path);
	free(path);
	free(c);
}

static void test_reads(void **state)
{
	(void)state;
	struct core *c = basic();
	char *path = finish(c, 0, 0);
	struct dump *d = open_ok(path);
	uint8_t b[32];

	assert_int_equal(dump_read(d, 0x10010, b, 4), 0);
	assert_int_equal(b[0], 0x10);
	assert_int_equal(b[3], 0x13);
	/* Across two adjacent segments. */
	assert_int_equal(dump_read(d, 0x20ff8, b, 16), 0);
	assert_int_equal(b[7], 0xff);
	assert_int_equal(b[8], 0x00);
	assert_int_equal(b[15], 0x07);
	/* The absent tail of a segment is missing, not zero. */
	assert_int_equal(dump_read(d, 0x10ff8, b, 16), -EIO);
	assert_int_equal(dump_read(d, 0x11000, b, 1), -EIO);
	assert_false(dump_has(d, 0x11000, 1));
	assert_true(dump_has(d, 0x20ff8, 16));
	/* Unmapped, and past the end of the address space. */
	assert_int_equal(dump_read(d, 0x5000, b, 1), -EIO);
	assert_int_equal(dump_read(d, UINT64_MAX - 2, b, 8), -EIO);
	/* A module file that does not exist: -EIO, reported once. */
	assert_int_equal(dump_read(d, 0x30000, b, 4), -EIO);
	assert_int_equal(dump_read(d, 0x30010, b, 4), -EIO);
	assert_int_equal(diag_count(dump_diag(d)), 1);
	assert_non_null(strstr(diag_get(dump_diag(d), 0), "not found"));
	dump_close(d);
	unlink(path);
	free(path);
	free(c);
}

static void test_pn_xnum(void **state)
{
	(void)state;
	struct core *c = basic();
	char *path = finish(c, 1, 0);
	struct dump *d = open_ok(path);
	uint8_t b;
	assert_int_equal(dump_read(d, 0x21001, &b, 1), 0);
	assert_int_equal(b, 0x01);
	dump_close(d);
	unlink(path);
	free(path);
	free(c);
}

static void test_truncated(void **state)
{
	(void)state;
	struct core *c = basic();
	char *full = finish(c, 0, 0);
	size_t len = c->len;
	unlink(full);
	free(full);
	/* Cut in the middle of the last segment. */
	char *path = finish(c, 0, len - 0x800);
	struct dump *d = open_ok(path);
	uint8_t b[4];
	assert_int_equal(dump_read(d, 0x21000, b, 4), 0);
	assert_int_equal(dump_read(d, 0x21900, b, 4), -EIO);
	assert_non_null(strstr(diag_get(dump_diag(d), 0), "truncated"));
	dump_close(d);
	unlink(path);
	free(path);
	free(c);
}

static void test_rejects(void **state)
{
	(void)state;
	struct core *c = basic();
	char *path = finish(c, 0, 100); /* inside the program headers */
	struct dump *d = NULL;
	char err[256];
	assert_int_equal(dump_open(path, NULL, &d, err, sizeof(err)), -EBADMSG);
	assert_null(d);
	assert_non_null(strstr(err, "truncated"));
	unlink(path);
	free(path);

	c->buf[0] = 'X';
	path = strdup("/tmp/clrfs-test-notelf-XXXXXX");
	int fd = mkstemp(path);
	assert_int_equal(write(fd, "hello, this is no core file\n", 28), 28);
	close(fd);
	assert_int_equal(dump_open(path, NULL, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not an ELF core"));
	unlink(path);
	free(path);
	assert_int_equal(dump_open("/nonexistent/core", NULL, &d, err, sizeof(err)), -ENOENT);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes),	cmocka_unit_test(test_reads),
		cmocka_unit_test(test_pn_xnum), cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
