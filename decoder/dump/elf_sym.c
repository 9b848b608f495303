// SPDX-License-Identifier: MIT
// Exported symbols of an ELF module, looked up through its in-memory dynamic section.
#include "dump_i.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
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

#define MAX_SYMS (1u << 20) /* bound on a module's dynamic symbols */

/* How many dynamic symbols the module has: DT_HASH's nchain, else one past
 * the last symbol the GNU hash table reaches (its last bucket's chain end). */
static int sym_count(struct dump *d, const struct dynsyms *ds, uint32_t *n)
{
	uint32_t hdr[4];

	if (ds->hash)
		return dump_read(d, ds->hash, hdr, 8) ? -EIO : (*n = hdr[1], 0);
	if (!ds->gnu_hash || dump_read(d, ds->gnu_hash, hdr, sizeof(hdr)))
		return -ENOENT;
	uint32_t nbuckets = hdr[0], symoffset = hdr[1], last = 0, b;
	if (!nbuckets || nbuckets > MAX_SYMS)
		return -EBADMSG;
	uint64_t buckets = ds->gnu_hash + 16 + (uint64_t)hdr[2] * 8;
	for (uint32_t i = 0; i < nbuckets; i++) {
		if (dump_read_u32(d, buckets + 4ull * i, &b))
			return -EIO;
		if (b > last)
			last = b;
	}
	if (last < symoffset) {
		*n = symoffset;
		return 0;
	}
	uint64_t chains = buckets + (uint64_t)nbuckets * 4;
	for (uint32_t steps = 0; steps < MAX_SYMS; steps++, last++) {
		uint32_t h;
		if (dump_read_u32(d, chains + (uint64_t)(last - symoffset) * 4, &h))
			return -EIO;
		if (h & 1) {
			*n = last + 1;
			return 0;
		}
	}
	return -EBADMSG;
}

int dump_module_symbol_at(struct dump *d, const struct dump_module *pub, uint64_t addr,
			  char *name, size_t len, uint64_t *off)
{
	const struct dump_module_i *m = (const struct dump_module_i *)pub;
	struct dynsyms ds;
	uint32_t n;
	int rc;

	if (m->base == UINT64_MAX || len < 2)
		return -ENOENT;
	rc = dyn_info(d, m->base, &ds);
	rc = rc ? rc : sym_count(d, &ds, &n);
	if (rc)
		return rc;
	if (n > MAX_SYMS)
		return -EBADMSG;
	/* The table in one read: a symbol at a time cost most of a walk of
	 * every thread's stack. */
	Elf64_Sym *syms = malloc((size_t)n * sizeof(*syms));
	if (!syms)
		return -ENOMEM;
	if (n && dump_read(d, ds.symtab, syms, (size_t)n * sizeof(*syms))) {
		free(syms);
		return -EIO;
	}
	uint64_t best = UINT64_MAX;
	uint32_t best_name = 0;
	for (uint32_t i = 1; i < n; i++) {
		const Elf64_Sym *s = &syms[i];
		unsigned type = ELF64_ST_TYPE(s->st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s->st_shndx == SHN_UNDEF)
			continue;
		uint64_t start = ds.bias + s->st_value;
		if (addr >= start && addr - start < s->st_size && (best == UINT64_MAX || start > best)) {
			best = start;
			best_name = s->st_name;
		}
	}
	free(syms);
	if (best == UINT64_MAX || (ds.strsz && best_name >= ds.strsz))
		return -ENOENT;
	/* The name, up to len - 1 bytes; a name cut short is refused. */
	for (size_t i = 0; i < len; i++) {
		if (dump_read(d, ds.strtab + best_name + i, &name[i], 1))
			return -EIO;
		if (!name[i]) {
			*off = addr - best;
			return i ? 0 : -ENOENT;
		}
	}
	return -ENOENT;
}
