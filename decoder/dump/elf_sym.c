// SPDX-License-Identifier: MIT
// Exported symbols of an ELF module, looked up through its in-memory dynamic section.
#include "dump_i.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

#define MAX_PHDRS 256
#define MAX_DYN	  512
#define MAX_CHAIN (1u << 20) /* bound on hash-chain steps: a dump is hostile */

struct dynsyms {
	uint64_t bias, symtab, strtab, strsz, gnu_hash, hash;
};

static int dyn_info(struct dump *d, uint64_t base, struct dynsyms *ds)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHDRS];
	int rc = dump_read(d, base, &eh, sizeof(eh));

	if (rc)
		return rc;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phnum == 0 || eh.e_phnum > MAX_PHDRS)
		return -EBADMSG;
	rc = dump_read(d, base + eh.e_phoff, ph, eh.e_phnum * sizeof(Elf64_Phdr));
	if (rc)
		return rc;
	memset(ds, 0, sizeof(*ds));
	ds->bias = UINT64_MAX;
	const Elf64_Phdr *dyn = NULL;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ds->bias == UINT64_MAX)
			ds->bias = base - (ph[i].p_vaddr & ~0xfffULL);
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
	}
	if (!dyn || ds->bias == UINT64_MAX)
		return -EBADMSG;
	size_t n = dyn->p_memsz / sizeof(Elf64_Dyn);
	if (n > MAX_DYN)
		n = MAX_DYN;
	for (size_t i = 0; i < n; i++) {
		Elf64_Dyn e;
		rc = dump_read(d, ds->bias + dyn->p_vaddr + i * sizeof(e), &e, sizeof(e));
		if (rc)
			return rc;
		if (e.d_tag == DT_NULL)
			break;
		/* The loader rewrites most address entries to absolute values in
		 * memory (glibc elf_get_dynamic_info); the file holds them relative. */
		uint64_t v = e.d_un.d_ptr, abs = v < ds->bias ? v + ds->bias : v;
		switch (e.d_tag) {
		case DT_SYMTAB:
			ds->symtab = abs;
			break;
		case DT_STRTAB:
			ds->strtab = abs;
			break;
		case DT_STRSZ:
			ds->strsz = v;
			break;
		case DT_GNU_HASH:
			ds->gnu_hash = abs;
			break;
		case DT_HASH:
			ds->hash = abs;
			break;
		}
	}
	return ds->symtab && ds->strtab ? 0 : -EBADMSG;
}

/* Compares symbol i's name with name; 1 equal (sets *addr), 0 not, <0 error. */
static int sym_match(struct dump *d, const struct dynsyms *ds, uint32_t i, const char *name,
		     uint64_t *addr)
{
	Elf64_Sym s;
	char buf[256];
	size_t len = strlen(name);
	int rc = dump_read(d, ds->symtab + (uint64_t)i * sizeof(s), &s, sizeof(s));

	if (rc)
		return rc;
	if (len + 1 > sizeof(buf) || (ds->strsz && s.st_name >= ds->strsz))
		return 0;
	rc = dump_read(d, ds->strtab + s.st_name, buf, len + 1);
	if (rc || memcmp(buf, name, len + 1) != 0 || s.st_shndx == SHN_UNDEF)
		return rc;
	*addr = ds->bias + s.st_value;
	return 1;
}

static int lookup_gnu(struct dump *d, const struct dynsyms *ds, const char *name, uint64_t *addr)
{
	uint32_t hdr[4], h = 5381;
	int rc = dump_read(d, ds->gnu_hash, hdr, sizeof(hdr));

	if (rc)
		return rc;
	uint32_t nbuckets = hdr[0], symoffset = hdr[1], bloom_size = hdr[2];
	if (!nbuckets)
		return -ENOENT;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = h * 33 + *p;
	uint64_t buckets = ds->gnu_hash + 16 + (uint64_t)bloom_size * 8;
	uint64_t chains = buckets + (uint64_t)nbuckets * 4;
	uint32_t i;
	rc = dump_read_u32(d, buckets + (h % nbuckets) * 4ULL, &i);
	if (rc)
		return rc;
	if (i < symoffset)
		return -ENOENT;
	for (unsigned steps = 0; steps < MAX_CHAIN; steps++, i++) {
		uint32_t h2;
		rc = dump_read_u32(d, chains + (uint64_t)(i - symoffset) * 4, &h2);
		if (rc)
			return rc;
		if ((h | 1) == (h2 | 1)) {
			rc = sym_match(d, ds, i, name, addr);
			if (rc)
				return rc < 0 ? rc : 0;
		}
		if (h2 & 1)
			break;
	}
	return -ENOENT;
}

static int lookup_sysv(struct dump *d, const struct dynsyms *ds, const char *name, uint64_t *addr)
{
	uint32_t hdr[2], h = 0;
	int rc = dump_read(d, ds->hash, hdr, sizeof(hdr));

	if (rc)
		return rc;
	if (!hdr[0])
		return -ENOENT;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h = (h << 4) + *p;
		uint32_t g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	uint32_t i;
	rc = dump_read_u32(d, ds->hash + 8 + (h % hdr[0]) * 4ULL, &i);
	for (unsigned steps = 0; !rc && i && steps < MAX_CHAIN; steps++) {
		if (i >= hdr[1])
			return -EBADMSG;
		rc = sym_match(d, ds, i, name, addr);
		if (rc)
			return rc < 0 ? rc : 0;
		rc = dump_read_u32(d, ds->hash + 8 + (hdr[0] + (uint64_t)i) * 4, &i);
	}
	return rc ? rc : -ENOENT;
}

int dump_module_symbol(struct dump *d, const struct dump_module *pub, const char *name,
		       uint64_t *addr)
{
	const struct dump_module_i *m = (const struct dump_module_i *)pub;
	struct dynsyms ds;
	uint64_t a = 0;

	if (m->base == UINT64_MAX)
		return -ENOENT;
	int rc = dyn_info(d, m->base, &ds);
	if (rc)
		return rc;
	rc = ds.gnu_hash ? lookup_gnu(d, &ds, name, &a) : -ENOENT;
	if (rc == -ENOENT && ds.hash)
		rc = lookup_sysv(d, &ds, name, &a);
	if (!rc)
		*addr = a;
	return rc;
}
