// SPDX-License-Identifier: MIT
// Module files on disk: memory a heap dump leaves out, read from the verified original.
#include "dump_i.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUILD_ID_MAX	    64
#define PE_HEADER_PAGE	    4096
#define IMAGE_SCN_MEM_WRITE 0x80000000u

void dump_modfile_destroy(struct dump_modfile *f)
{
	if (!f)
		return;
	if (f->map)
		munmap((void *)f->map, f->size);
	free(f->path);
	free(f->segs);
	free(f->relocs);
	free(f->wsecs);
	memset(f, 0, sizeof(*f));
}

/* GNU build-id from a notes blob; returns its length or 0. */
static size_t notes_build_id(const uint8_t *p, size_t len, uint8_t *id)
{
	size_t pos = 0;
	while (len - pos >= 12) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, p + pos, 4);
		memcpy(&descsz, p + pos + 4, 4);
		memcpy(&type, p + pos + 8, 4);
		size_t name_off = pos + 12, desc_off = name_off + ((namesz + 3ULL) & ~3ULL);
		if (desc_off > len || descsz > len - desc_off)
			return 0;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(p + name_off, "GNU", 4) == 0 &&
		    descsz && descsz <= BUILD_ID_MAX) {
			memcpy(id, p + desc_off, descsz);
			return descsz;
		}
		pos = desc_off + ((descsz + 3ULL) & ~3ULL);
		if (pos > len)
			return 0;
	}
	return 0;
}

/* The build-id of the ELF module loaded at base, from the dump's own pages. */
static size_t dump_build_id(struct dump *d, uint64_t base, uint8_t *id)
{
	Elf64_Ehdr eh;
	if (!dump_has(d, base, sizeof(eh)) || dump_read(d, base, &eh, sizeof(eh)))
		return 0;
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
		return 0;
	uint64_t bias = UINT64_MAX;
	Elf64_Phdr ph[256];
	size_t phlen = eh.e_phnum * sizeof(Elf64_Phdr);
	if (!dump_has(d, base + eh.e_phoff, phlen) || dump_read(d, base + eh.e_phoff, ph, phlen))
		return 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			bias = base - (ph[i].p_vaddr & ~0xfffULL);
			break;
		}
	}
	if (bias == UINT64_MAX)
		return 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		uint8_t buf[512];
		if (ph[i].p_type != PT_NOTE || ph[i].p_filesz > sizeof(buf))
			continue;
		uint64_t at = bias + ph[i].p_vaddr;
		if (!dump_has(d, at, ph[i].p_filesz) || dump_read(d, at, buf, ph[i].p_filesz))
			continue;
		size_t n = notes_build_id(buf, ph[i].p_filesz, id);
		if (n)
			return n;
	}
	return 0;
}

static int reloc_cmp(const void *a, const void *b)
{
	const struct dump_reloc *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Loads segments, RELRO, RELATIVE relocations and the build-id of an ELF
 * file with libelf. */
static int elf_file_load(struct dump_modfile *f, uint16_t machine, uint8_t *id, size_t *idlen)
{
	int rc = -EBADMSG;
	Elf *e = elf_memory((char *)f->map, f->size);
	size_t phnum;

	*idlen = 0;
	if (!e || elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 ||
	    elf_getphdrnum(e, &phnum))
		goto out;
	f->segs = calloc(phnum ? phnum : 1, sizeof(*f->segs));
	if (!f->segs) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			goto out;
		if (ph.p_type == PT_LOAD) {
			if (ph.p_offset > f->size || ph.p_filesz > f->size - ph.p_offset)
				goto out;
			f->segs[f->nsegs++] =
				(struct dump_fseg){ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz,
						   !!(ph.p_flags & PF_W)};
		} else if (ph.p_type == PT_GNU_RELRO) {
			f->relro_start = ph.p_vaddr;
			f->relro_end = ph.p_vaddr + ph.p_memsz;
		} else if (ph.p_type == PT_NOTE && !*idlen) {
			if (ph.p_offset <= f->size && ph.p_filesz <= f->size - ph.p_offset)
				*idlen = notes_build_id(f->map + ph.p_offset, ph.p_filesz, id);
		}
	}
	uint32_t relative = machine == EM_AARCH64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		size_t n = sh.sh_size / sh.sh_entsize;
		struct dump_reloc *r = realloc(f->relocs, (f->nrelocs + n) * sizeof(*r));
		if (!r) {
			rc = -ENOMEM;
			goto out;
		}
		f->relocs = r;
		for (size_t i = 0; i < n; i++) {
			GElf_Rela ra;
			if (gelf_getrela(data, (int)i, &ra) && GELF_R_TYPE(ra.r_info) == relative)
				f->relocs[f->nrelocs++] =
					(struct dump_reloc){ra.r_offset, ra.r_addend};
		}
	}
	if (f->nrelocs) /* relocs is NULL without any: not for qsort() */
		qsort(f->relocs, f->nrelocs, sizeof(*f->relocs), reloc_cmp);
	f->is_elf = 1;
	rc = 0;
out:
	elf_end(e);
	return rc;
}

/* Records the PE sections the runtime may write, so they are never read from disk. */
static int pe_file_load(struct dump_modfile *f)
{
	uint32_t lfanew;
	uint16_t nsec, optsz;

	if (f->size < 0x40)
		return -EBADMSG;
	memcpy(&lfanew, f->map + 0x3c, 4);
	if ((uint64_t)lfanew + 24 > f->size || memcmp(f->map + lfanew, "PE\0\0", 4) != 0)
		return -EBADMSG;
	memcpy(&nsec, f->map + lfanew + 6, 2);
	memcpy(&optsz, f->map + lfanew + 20, 2);
	uint64_t sec = (uint64_t)lfanew + 24 + optsz;
	if (sec + (uint64_t)nsec * 40 > f->size)
		return -EBADMSG;
	f->wsecs = calloc(nsec ? nsec : 1, sizeof(*f->wsecs));
	if (!f->wsecs)
		return -ENOMEM;
	for (unsigned i = 0; i < nsec; i++) {
		uint32_t rawsize, rawptr, flags;
		const uint8_t *s = f->map + sec + i * 40ULL;
		memcpy(&rawsize, s + 16, 4);
		memcpy(&rawptr, s + 20, 4);
		memcpy(&flags, s + 36, 4);
		if (flags & IMAGE_SCN_MEM_WRITE)
			f->wsecs[f->nwsecs++] = (struct dump_pesec){rawptr, rawsize};
	}
	return 0;
}

/* Module files are shared libraries and assemblies: none is this large. */
#define MODULE_SIZE_MAX (1ull << 30)

/* Maps a candidate file: only a regular file, opened without blocking and
 * checked before it is read, so that a FIFO or a device in its place cannot
 * hang or feed the reader. -ENOENT with why in note. */
static int map_file(const char *path, struct dump_modfile *f, char *note, size_t notelen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -ENOENT;
	}
	if (dump_file_kind(st.st_mode) || st.st_size == 0 ||
	    (uint64_t)st.st_size > MODULE_SIZE_MAX) {
		snprintf(note, notelen, "%s is %s", path,
			 dump_file_kind(st.st_mode) ? dump_file_kind(st.st_mode)
			 : st.st_size	     ? "larger than any module file (1 GiB)"
					     : "empty");
		close(fd);
		return -ENOENT;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	f->map = m;
	f->size = (uint64_t)st.st_size;
	return 0;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

struct check_arg {
	struct dump *d;
	struct dump_module_i *m;
	struct dump_modfile *f;
	const char *path;
	char *note;
	size_t notelen;
};

/* Checks a mapped candidate against the dump and reads its layout; run
 * guarded (guard.c): the file may shrink under its mapping. */
static int check_candidate(void *arg)
{
	struct check_arg *a = arg;
	struct dump *d = a->d;
	struct dump_modfile *f = a->f;
	uint8_t want[BUILD_ID_MAX], have[BUILD_ID_MAX];
	int rc = 0;

	if (f->size >= SELFMAG && memcmp(f->map, ELFMAG, SELFMAG) == 0) {
		size_t wn = dump_build_id(d, a->m->base, want), hn = 0;
		rc = elf_file_load(f, d->machine, have, &hn);
		if (rc)
			return rc;
		if (!wn) {
			snprintf(a->note, a->notelen,
				 "%s: the dump holds no build-id to check it against", a->path);
			rc = -ESTALE;
		} else if (wn != hn || memcmp(want, have, wn) != 0) {
			char x[2 * BUILD_ID_MAX + 1], y[2 * BUILD_ID_MAX + 1];
			hex(want, wn, x);
			hex(have, hn, y);
			snprintf(a->note, a->notelen,
				 "%s does not match the dump (build-id %s in the dump, %s in the "
				 "file)",
				 a->path, x, hn ? y : "none");
			rc = -ESTALE;
		}
	} else {
		/* createdump keeps each managed module's first page: the PE headers
		 * (timestamp, sizes, section table) must be identical. */
		uint8_t page[PE_HEADER_PAGE];
		size_t n = f->size < sizeof(page) ? (size_t)f->size : sizeof(page);
		if (!dump_has(d, a->m->base, n) || dump_read(d, a->m->base, page, n)) {
			snprintf(a->note, a->notelen,
				 "%s: the dump holds no PE header to check it against", a->path);
			rc = -ESTALE;
		} else if (memcmp(page, f->map, n) != 0) {
			snprintf(a->note, a->notelen,
				 "%s does not match the dump (its PE headers differ)", a->path);
			rc = -ESTALE;
		} else {
			rc = pe_file_load(f);
		}
	}
	return rc;
}

/* Tries one candidate path; 0 when it matches the dump, else -ENOENT/-ESTALE
 * with why in note. */
static int try_candidate(struct dump *d, struct dump_module_i *m, const char *path, char *note,
			 size_t notelen)
{
	struct dump_modfile f = {0};
	struct check_arg a = {d, m, &f, path, note, notelen};
	int rc = map_file(path, &f, note, notelen);

	if (!rc)
		rc = dump_guarded(d, check_candidate, &a);
	if (rc) {
		dump_modfile_destroy(&f);
		return rc;
	}
	f.path = strdup(path);
	if (!f.path) {
		dump_modfile_destroy(&f);
		return -ENOMEM;
	}
	f.state = 1;
	m->f = f;
	return 0;
}

/* Opens the module's file once: its NT_FILE path, then DIR/basename for each
 * search path. Reports a missing or mismatching file once. Caller holds d->lock. */
static void modfile_open(struct dump *d, struct dump_module_i *m)
{
	const char *base = strrchr(m->pub.path, '/');
	char note[512] = "", path[4096];

	base = base ? base + 1 : m->pub.path;
	m->f.state = -1;
	if (m->base == UINT64_MAX) {
		diag_add(&d->diag, "module %s: no mapping of its first page in the dump",
			 m->pub.path);
		return;
	}
	if (try_candidate(d, m, m->pub.path, note, sizeof(note)) == 0)
		return;
	for (size_t i = 0; d->search_paths && d->search_paths[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", d->search_paths[i], base);
		if (try_candidate(d, m, path, note, sizeof(note)) == 0)
			return;
	}
	if (note[0])
		diag_add(&d->diag, "module file %s; memory the dump leaves out of it is unreadable",
			 note);
	else
		diag_add(&d->diag,
			 "module file %s not found (add --search-path DIR); memory the dump leaves "
			 "out of it is unreadable",
			 m->pub.path);
}

static void apply_relocs(const struct dump_modfile *f, uint64_t vaddr, uint64_t bias, uint8_t *buf,
			 size_t n)
{
	/* First relocation whose 8 bytes could reach into [vaddr, vaddr+n). */
	uint64_t from = vaddr >= 7 ? vaddr - 7 : 0;
	size_t lo = 0, hi = f->nrelocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->relocs[mid].offset < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < f->nrelocs && f->relocs[i].offset < vaddr + n; i++) {
		uint64_t v = bias + (uint64_t)f->relocs[i].addend;
		uint8_t bytes[8];
		memcpy(bytes, &v, 8);
		for (unsigned k = 0; k < 8; k++) {
			uint64_t at = f->relocs[i].offset + k;
			if (at >= vaddr && at < vaddr + n)
				buf[at - vaddr] = bytes[k];
		}
	}
}

static int elf_read(struct dump *d, const struct dump_modfile *f, uint64_t fo, uint64_t addr,
		    uint8_t *buf, size_t len, int image)
{
	while (len) {
		const struct dump_fseg *s = NULL;
		for (size_t i = 0; i < f->nsegs; i++) {
			if (fo >= f->segs[i].off && fo - f->segs[i].off < f->segs[i].filesz) {
				s = &f->segs[i];
				break;
			}
		}
		if (!s)
			return -EIO;
		uint64_t vaddr = s->vaddr + (fo - s->off);
		size_t n = s->off + s->filesz - fo < len ? (size_t)(s->off + s->filesz - fo) : len;
		/* Plain writable data may have changed since the file was loaded;
		 * RELRO is final once relocated. */
		int relro = vaddr >= f->relro_start && vaddr + n <= f->relro_end;
		if (s->writable && !relro && !image)
			return -EIO;
		int rc = dump_guard_copy(d, buf, f->map + fo, n);
		if (rc)
			return rc;
		apply_relocs(f, vaddr, addr - vaddr, buf, n);
		buf += n;
		fo += n;
		addr += n;
		len -= n;
	}
	return 0;
}

int dump_modfile_read(struct dump *d, const struct dump_map *m, uint64_t addr, void *buf,
		      size_t len, int image)
{
	struct dump_module_i *mod = &d->modules[m->module];

	pthread_mutex_lock(&d->lock);
	if (mod->f.state == 0)
		modfile_open(d, mod);
	int ok = mod->f.state == 1;
	pthread_mutex_unlock(&d->lock);
	if (!ok)
		return -EIO;

	const struct dump_modfile *f = &mod->f;
	uint64_t fo = m->fileoff + (addr - m->start);
	if (fo > f->size || len > f->size - fo)
		return -EIO;
	if (f->is_elf)
		return elf_read(d, f, fo, addr, buf, len, image);
	for (size_t i = 0; i < f->nwsecs; i++) {
		if (fo < f->wsecs[i].off + f->wsecs[i].size && f->wsecs[i].off < fo + len)
			return -EIO;
	}
	return dump_guard_copy(d, buf, f->map + fo, len);
}

const char *dump_module_file(struct dump *d, const struct dump_module *pub)
{
	struct dump_module_i *m = (struct dump_module_i *)pub;
	pthread_mutex_lock(&d->lock);
	if (m->f.state == 0)
		modfile_open(d, m);
	const char *p = m->f.state == 1 ? m->f.path : NULL;
	pthread_mutex_unlock(&d->lock);
	return p;
}
