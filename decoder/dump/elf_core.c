// SPDX-License-Identifier: MIT
// ELF core reader: segments, notes (threads, NT_FILE modules), reads by address.
#include "dump_i.h"

#include <elf.h>
#include <libelf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOTE_NAME_CORE "CORE"
#define BULK_READ (64u << 10)

/* struct elf_prstatus of a 64-bit Linux target (linux include/uapi/linux/
 * elfcore.h): pr_pid at 32 and pr_reg, the registers, at 112 on every
 * architecture; what pr_reg holds is the architecture's own. */
#define PRSTATUS_PID_OFF 32
#define PRSTATUS_REG_OFF 112

/* The registers clrfs reads, as word indexes into pr_reg, per architecture:
 * the one place that knows a register layout. */
struct reg_layout {
	uint16_t machine;
	const char *name; /* as /info names it */
	unsigned words;	  /* pr_reg's size in 8-byte words */
	unsigned ip, sp, fp;
	unsigned nregs;		  /* dump_thread.regs used */
	uint8_t regs[DUMP_REGS]; /* the word of each */
};
static const struct reg_layout reg_layouts[] = {
	/* struct user_regs_struct (linux arch/x86/include/asm/user_64.h): r15,
	 * r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi,
	 * orig_rax, rip 16, cs, eflags, rsp 19, ... of 27; regs in the x64
	 * encoding (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15). */
	{EM_X86_64, "x86_64", 27, 16, 19, 4, 16, {10, 11, 12, 5, 19, 4, 13, 14, 9, 8, 7, 6, 3, 2, 1, 0}},
	/* struct user_pt_regs (linux arch/arm64/include/uapi/asm/ptrace.h):
	 * regs[31] with x29 the frame pointer, then sp 31, pc 32, pstate 33. */
	{EM_AARCH64, "aarch64", 34, 32, 31, 29, 32, {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
						 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
						 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}},
};

static const struct reg_layout *reg_layout_of(uint16_t machine)
{
	for (size_t i = 0; i < sizeof(reg_layouts) / sizeof(reg_layouts[0]); i++)
		if (reg_layouts[i].machine == machine)
			return &reg_layouts[i];
	return NULL;
}

/* The name of an ELF machine clrfs does not read, for the error. */
static const char *machine_name(uint16_t machine)
{
	switch (machine) {
	case EM_386: return "x86 (32-bit)";
	case EM_ARM: return "arm (32-bit)";
	case EM_RISCV: return "riscv";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390x";
	case EM_LOONGARCH: return "loongarch";
	default: return NULL;
	}
}

/* struct elf_prpsinfo: pr_pid at 24 on 64-bit targets. */
#define PRPSINFO_PID_OFF 24

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Bounded view of the core file: a pointer to [off, off+len) or NULL. */
static const uint8_t *core_bytes(const struct dump *d, uint64_t off, uint64_t len)
{
	if (off > d->size || len > d->size - off)
		return NULL;
	return d->map + off;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint16_t le16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct dump_seg *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int map_cmp(const void *a, const void *b)
{
	const struct dump_map *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int parse_nt_file(struct dump *d, const uint8_t *desc, uint64_t len)
{
	if (len < 16)
		return -EBADMSG;
	uint64_t count = le64(desc), page = le64(desc + 8);
	if (count > (len - 16) / 24 || page == 0 || (page & (page - 1)))
		return -EBADMSG;
	const uint8_t *names = desc + 16 + count * 24, *end = desc + len;

	/* createdump and the kernel write offsets in pages; some writers used
	 * bytes. Byte offsets are page multiples; page offsets almost never all are. */
	int bytes = 0;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t off = le64(desc + 16 + i * 24 + 16);
		if (off) {
			bytes = 1;
			if (off % page) {
				bytes = 0;
				break;
			}
		}
	}

	d->maps = calloc(count ? count : 1, sizeof(*d->maps));
	d->modules = calloc(count ? count : 1, sizeof(*d->modules));
	if (!d->maps || !d->modules)
		return -ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = desc + 16 + i * 24;
		const uint8_t *nul = memchr(names, 0, (size_t)(end - names));
		if (!nul)
			return -EBADMSG;
		const char *name = (const char *)names;
		names = nul + 1;
		uint64_t start = le64(e), stop = le64(e + 8), off = le64(e + 16);
		if (stop <= start)
			continue;
		if (!bytes) {
			if (off > UINT64_MAX / page)
				return -EBADMSG;
			off *= page;
		}
		size_t mi;
		for (mi = 0; mi < d->nmodules; mi++) {
			if (strcmp(d->modules[mi].pub.path, name) == 0)
				break;
		}
		if (mi == d->nmodules) {
			char *p = strdup(name);
			if (!p)
				return -ENOMEM;
			d->modules[mi].pub.path = p;
			d->modules[mi].pub.start = start;
			d->modules[mi].pub.end = stop;
			d->modules[mi].base = UINT64_MAX;
			d->nmodules++;
		}
		struct dump_module_i *m = &d->modules[mi];
		if (start < m->pub.start)
			m->pub.start = start;
		if (stop > m->pub.end)
			m->pub.end = stop;
		if (off == 0 && m->base == UINT64_MAX)
			m->base = start;
		d->maps[d->nmaps++] = (struct dump_map){start, stop, off, mi};
	}
	qsort(d->maps, d->nmaps, sizeof(*d->maps), map_cmp);
	return 0;
}

static int add_thread(struct dump *d, const uint8_t *desc, uint64_t len)
{
	const struct reg_layout *l = reg_layout_of(d->machine);

	if (!l || len < PRSTATUS_REG_OFF + l->words * 8)
		return -EBADMSG;
	struct dump_thread *t = realloc(d->threads, (d->nthreads + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	d->threads = t;
	t = &d->threads[d->nthreads++];
	t->tid = le32(desc + PRSTATUS_PID_OFF);
	t->ip = le64(desc + PRSTATUS_REG_OFF + l->ip * 8);
	t->sp = le64(desc + PRSTATUS_REG_OFF + l->sp * 8);
	t->fp = le64(desc + PRSTATUS_REG_OFF + l->fp * 8);
	for (unsigned i = 0; i < DUMP_REGS; i++)
		t->regs[i] = i < l->nregs ? le64(desc + PRSTATUS_REG_OFF + l->regs[i] * 8) : 0;
	return 0;
}

/* AT_PAGESZ of an NT_AUXV note (pairs of 64-bit words up to AT_NULL): the
 * process's page size, or 0 when absent or not a power of two. */
static uint32_t auxv_page_size(const uint8_t *desc, uint64_t len)
{
	for (uint64_t i = 0; len - i >= 16 && i <= len; i += 16) {
		uint64_t type = le64(desc + i), value = le64(desc + i + 8);
		if (type == AT_NULL)
			break;
		if (type == AT_PAGESZ)
			return value >= 1024 && value <= (1u << 24) && !(value & (value - 1))
				       ? (uint32_t)value
				       : 0;
	}
	return 0;
}

static int parse_notes(struct dump *d, const uint8_t *p, uint64_t len)
{
	uint64_t pos = 0;
	while (len - pos >= 12) {
		uint32_t namesz = le32(p + pos), descsz = le32(p + pos + 4),
			 type = le32(p + pos + 8);
		uint64_t name_off = pos + 12;
		uint64_t desc_off = name_off + (((uint64_t)namesz + 3) & ~3ULL);
		uint64_t next = desc_off + (((uint64_t)descsz + 3) & ~3ULL);
		if (desc_off > len || descsz > len - desc_off)
			return -EBADMSG;
		int is_core = namesz == sizeof(NOTE_NAME_CORE) &&
			      memcmp(p + name_off, NOTE_NAME_CORE, namesz) == 0;
		const uint8_t *desc = p + desc_off;
		int rc = 0;
		if (is_core && type == NT_PRSTATUS)
			rc = add_thread(d, desc, descsz);
		else if (is_core && type == NT_PRPSINFO && descsz >= PRPSINFO_PID_OFF + 4)
			d->pid = le32(desc + PRPSINFO_PID_OFF);
		else if (is_core && type == NT_FILE && !d->maps)
			rc = parse_nt_file(d, desc, descsz);
		else if (is_core && type == NT_AUXV && !d->page_size)
			d->page_size = auxv_page_size(desc, descsz);
		if (rc)
			return rc;
		if (next > len)
			break;
		pos = next;
	}
	return 0;
}

/* Bytes of [start, end) present in the core. */
static uint64_t covered(const struct dump *d, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	for (size_t i = 0; i < d->nsegs; i++) {
		const struct dump_seg *s = &d->segs[i];
		uint64_t lo = s->vaddr > start ? s->vaddr : start;
		uint64_t hi = s->vaddr + s->filesz < end ? s->vaddr + s->filesz : end;
		if (hi > lo)
			n += hi - lo;
	}
	return n;
}

/* A full dump holds every file-backed mapping whole; a heap dump keeps
 * only some pages of them (headers, build-id notes). Mappings with no page
 * at all (guard regions, PROT_NONE) say nothing either way. */
static enum dump_kind classify(const struct dump *d)
{
	for (size_t i = 0; i < d->nmaps; i++) {
		uint64_t c = covered(d, d->maps[i].start, d->maps[i].end);
		if (c && c < d->maps[i].end - d->maps[i].start)
			return DUMP_KIND_HEAP;
	}
	return DUMP_KIND_FULL;
}

static int parse_core(struct dump *d, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	const uint8_t *p = core_bytes(d, 0, EI_NIDENT);

	if (!p || memcmp(p, ELFMAG, SELFMAG) != 0) {
		seterr(err, errlen, "not an ELF core file (no ELF magic at the start)");
		return -EBADMSG;
	}
	if (p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != ELFDATA2LSB) {
		/* e_machine sits at 18 in either class; big-endian as it is. */
		const uint8_t *m = core_bytes(d, 0, 20);
		const char *arch = m && p[EI_DATA] == ELFDATA2LSB ? machine_name(le16(m + 18)) : NULL;
		seterr(err, errlen,
		       "unsupported ELF core%s%s: clrfs reads 64-bit little-endian x86_64 and "
		       "aarch64 dumps", arch ? " of " : "", arch ? arch : "");
		return -ENOTSUP;
	}
	p = core_bytes(d, 0, sizeof(eh));
	if (!p) {
		seterr(err, errlen, "truncated: the file ends inside the ELF header");
		return -EBADMSG;
	}
	memcpy(&eh, p, sizeof(eh));
	if (eh.e_type != ET_CORE) {
		seterr(err, errlen, "not an ELF core file (ELF type %u, not ET_CORE)", eh.e_type);
		return -EBADMSG;
	}
	d->machine = eh.e_machine;
	if (!reg_layout_of(eh.e_machine)) {
		const char *arch = machine_name(eh.e_machine);
		if (arch)
			seterr(err, errlen, "unsupported ELF core of %s: clrfs reads x86_64 and "
					    "aarch64 dumps", arch);
		else
			seterr(err, errlen, "unsupported ELF core of machine %u: clrfs reads "
					    "x86_64 and aarch64 dumps", eh.e_machine);
		return -ENOTSUP;
	}
	d->ptr_size = 8;
	if (eh.e_phentsize != sizeof(Elf64_Phdr)) {
		seterr(err, errlen, "malformed ELF core: program header size %u", eh.e_phentsize);
		return -EBADMSG;
	}
	uint64_t phnum = eh.e_phnum;
	if (phnum == PN_XNUM) {
		/* More than 65534 headers: the real count is in section 0's sh_info. */
		Elf64_Shdr sh;
		p = core_bytes(d, eh.e_shoff, sizeof(sh));
		if (!p || eh.e_shnum == 0) {
			seterr(err, errlen,
			       "malformed ELF core: e_phnum is PN_XNUM but section 0 is missing");
			return -EBADMSG;
		}
		memcpy(&sh, p, sizeof(sh));
		phnum = sh.sh_info;
	}
	if (phnum > d->size / sizeof(Elf64_Phdr) ||
	    !core_bytes(d, eh.e_phoff, phnum * sizeof(Elf64_Phdr))) {
		seterr(err, errlen,
		       "truncated or malformed: the program headers (%" PRIu64 " at offset %" PRIu64
		       ") lie outside the file",
		       phnum, (uint64_t)eh.e_phoff);
		return -EBADMSG;
	}
	d->segs = calloc(phnum ? phnum : 1, sizeof(*d->segs));
	if (!d->segs)
		return -ENOMEM;
	uint64_t truncated = 0;
	for (uint64_t i = 0; i < phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, d->map + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE) {
			p = core_bytes(d, ph.p_offset, ph.p_filesz);
			if (!p) {
				seterr(err, errlen,
				       "truncated: the notes segment lies past the end of the "
				       "file");
				return -EBADMSG;
			}
			int rc = parse_notes(d, p, ph.p_filesz);
			if (rc) {
				seterr(err, errlen, "malformed ELF core: bad notes (%s)",
				       strerror(-rc));
				return rc;
			}
		} else if (ph.p_type == PT_LOAD && ph.p_memsz) {
			uint64_t filesz = ph.p_filesz < ph.p_memsz ? ph.p_filesz : ph.p_memsz;
			if (ph.p_vaddr > UINT64_MAX - ph.p_memsz) {
				seterr(err, errlen,
				       "malformed ELF core: segment %" PRIu64 " wraps around", i);
				return -EBADMSG;
			}
			/* A segment cut short by truncation keeps what is there. */
			if (ph.p_offset >= d->size)
				filesz = 0;
			else if (filesz > d->size - ph.p_offset)
				filesz = d->size - ph.p_offset;
			if (filesz < ph.p_filesz)
				truncated++;
			d->segs[d->nsegs++] =
				(struct dump_seg){ph.p_vaddr, ph.p_memsz, filesz, ph.p_offset};
		}
	}
	qsort(d->segs, d->nsegs, sizeof(*d->segs), seg_cmp);
	for (size_t i = 1; i < d->nsegs; i++) {
		if (d->segs[i - 1].vaddr + d->segs[i - 1].memsz > d->segs[i].vaddr) {
			seterr(err, errlen, "malformed ELF core: segments overlap at 0x%" PRIx64,
			       d->segs[i].vaddr);
			return -EBADMSG;
		}
	}
	if (d->nthreads == 0) {
		seterr(err, errlen, "malformed ELF core: no NT_PRSTATUS note (no threads)");
		return -EBADMSG;
	}
	if (truncated)
		diag_add(&d->diag,
			 "the dump file is truncated: %" PRIu64
			 " memory segments end past its last byte",
			 truncated);
	d->kind = classify(d);
	return 0;
}

struct parse_arg {
	struct dump *d;
	char *err;
	size_t errlen;
};

static int parse_guarded(void *arg)
{
	struct parse_arg *a = arg;
	return parse_core(a->d, a->err, a->errlen);
}

/* What a file must be to be read as a dump: a regular file of at most this
 * size (far beyond any process's memory clrfs could be asked about). */
#define DUMP_SIZE_MAX (1ull << 42)

const char *dump_file_kind(mode_t mode)
{
	return S_ISREG(mode)    ? NULL
	       : S_ISDIR(mode)  ? "a directory"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
				: "of an unknown kind";
}

int dump_open(const char *path, const struct dump_options *opts, struct dump **out, char *err,
	      size_t errlen)
{
	struct stat st;
	int rc;
	struct dump *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->fd = -1;
	(void)elf_version(EV_CURRENT); /* libelf reads module files (modfile.c) */
	pthread_mutex_init(&d->lock, NULL);
	diag_init(&d->diag);
	d->path = strdup(path);
	if (!d->path) {
		rc = -ENOMEM;
		goto out;
	}
	if (opts && opts->search_paths) {
		size_t n = 0;
		while (opts->search_paths[n])
			n++;
		d->search_paths = calloc(n + 1, sizeof(char *));
		if (!d->search_paths) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			d->search_paths[i] = strdup(opts->search_paths[i]);
			if (!d->search_paths[i]) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
	/* Non-blocking, and checked before any read: a FIFO or a device must
	 * not hang or feed the reader. */
	d->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (d->fd < 0 || fstat(d->fd, &st) < 0) {
		rc = -errno;
		seterr(err, errlen, "%s", strerror(errno));
		goto out;
	}
	if (dump_file_kind(st.st_mode)) {
		rc = -EINVAL;
		seterr(err, errlen, "%s, not a regular file", dump_file_kind(st.st_mode));
		goto out;
	}
	if ((uint64_t)st.st_size > DUMP_SIZE_MAX) {
		rc = -EFBIG;
		seterr(err, errlen, "%lld bytes, larger than any dump clrfs reads (4 TiB)",
		       (long long)st.st_size);
		goto out;
	}
	d->size = (uint64_t)st.st_size;
	d->mtime = st.st_mtim;
	if (d->size < EI_NIDENT) {
		rc = -EBADMSG;
		seterr(err, errlen, "not an ELF core file (only %" PRIu64 " bytes)", d->size);
		goto out;
	}
	void *m = mmap(NULL, d->size, PROT_READ, MAP_PRIVATE, d->fd, 0);
	if (m == MAP_FAILED) {
		rc = -errno;
		seterr(err, errlen, "cannot map the file: %s", strerror(errno));
		goto out;
	}
	d->map = m;
	dump_guard_init();
	struct parse_arg pa = {d, err, errlen};
	rc = dump_guarded(d, parse_guarded, &pa);
	if (rc == -ESTALE)
		seterr(err, errlen, "the file changed while it was read");
out:
	if (rc) {
		dump_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

void dump_close(struct dump *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nmodules; i++) {
		free((char *)d->modules[i].pub.path);
		dump_modfile_destroy(&d->modules[i].f);
	}
	if (d->search_paths) {
		for (size_t i = 0; d->search_paths[i]; i++)
			free(d->search_paths[i]);
		free(d->search_paths);
	}
	if (d->map)
		munmap((void *)d->map, d->size);
	if (d->fd >= 0)
		close(d->fd);
	free(d->modules);
	free(d->maps);
	free(d->segs);
	free(d->threads);
	free(d->path);
	diag_destroy(&d->diag);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* The last segment starting at or below addr, or NULL. */
static const struct dump_seg *seg_find(const struct dump *d, uint64_t addr)
{
	size_t lo = 0, hi = d->nsegs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->segs[mid].vaddr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &d->segs[lo - 1] : NULL;
}

static const struct dump_map *map_find(const struct dump *d, uint64_t addr)
{
	size_t lo = 0, hi = d->nmaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < d->maps[lo - 1].end)
		return &d->maps[lo - 1];
	return NULL;
}

const struct dump_module *dump_module_at(struct dump *d, uint64_t addr)
{
	const struct dump_map *m = map_find(d, addr);

	return m && m->module < d->nmodules ? &d->modules[m->module].pub : NULL;
}

/* The segment the calling thread read last, by index: decoding reads near
 * where it read before (an object's fields, the next array element), and the
 * check below costs less than the binary search. */
static _Thread_local size_t last_seg;

/* The mapped bytes of [addr, addr+len) when they lie in one segment's
 * present part, else NULL (then read_any() finds them the long way). The
 * segments do not overlap (checked at open), so a segment that holds addr is
 * the one seg_find() returns. */
static inline const uint8_t *seg_bytes(const struct dump *d, uint64_t addr, size_t len)
{
	size_t i = last_seg;
	const struct dump_seg *s;

	if (i >= d->nsegs || addr < d->segs[i].vaddr ||
	    addr - d->segs[i].vaddr >= d->segs[i].filesz) {
		s = seg_find(d, addr);
		if (!s || addr - s->vaddr >= s->filesz)
			return NULL;
		last_seg = i = (size_t)(s - d->segs);
	}
	s = &d->segs[i];
	if (len > s->filesz - (addr - s->vaddr))
		return NULL;
	return d->map + s->off + (addr - s->vaddr);
}

/* cold: through pread however small (dump_read_cold()). */
static int read_any(struct dump *d, uint64_t addr, void *buf, size_t len, int image, int cold)
{
	uint8_t *out = buf;

	if (len && addr > UINT64_MAX - len)
		return -EIO;
	if (len < BULK_READ && !cold) {
		const uint8_t *p = seg_bytes(d, addr, len);
		if (p)
			return dump_guard_copy(d, out, p, len);
	}
	while (len) {
		const struct dump_seg *s = seg_find(d, addr);
		size_t n;
		if (s && addr < s->vaddr + s->filesz) {
			n = s->vaddr + s->filesz - addr < len
				    ? (size_t)(s->vaddr + s->filesz - addr)
				    : len;
			/* Bulk reads (the heap walk's windows) go through pread: the page
			 * cache copies them without faulting every page into our mapping. */
			if ((n < BULK_READ && !cold) ||
			    pread(d->fd, out, n, (off_t)(s->off + (addr - s->vaddr))) != (ssize_t)n) {
				int rc = dump_guard_copy(d, out, d->map + s->off + (addr - s->vaddr), n);
				if (rc)
					return rc;
			}
		} else {
			/* Absent from the core up to the next segment: try the module file. */
			const struct dump_map *m = map_find(d, addr);
			if (!m)
				return -EIO;
			uint64_t stop = m->end;
			size_t next = s ? (size_t)(s - d->segs) + 1 : 0;
			if (next < d->nsegs && d->segs[next].vaddr < stop)
				stop = d->segs[next].vaddr;
			n = stop - addr < len ? (size_t)(stop - addr) : len;
			int rc = dump_modfile_read(d, m, addr, out, n, image);
			if (rc)
				return rc;
		}
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

int dump_read(struct dump *d, uint64_t addr, void *buf, size_t len)
{
	return read_any(d, addr, buf, len, 0, 0);
}

int dump_read_image(struct dump *d, uint64_t addr, void *buf, size_t len)
{
	return read_any(d, addr, buf, len, 1, 0);
}

int dump_read_cold(struct dump *d, uint64_t addr, void *buf, size_t len)
{
	return read_any(d, addr, buf, len, 0, 1);
}

int dump_read_cold_ptr(struct dump *d, uint64_t addr, uint64_t *out)
{
	uint64_t v = 0;
	int rc = dump_read_cold(d, addr, &v, d->ptr_size == 8 ? 8 : 4);

	if (!rc)
		*out = v;
	return rc;
}

int dump_read_u32(struct dump *d, uint64_t addr, uint32_t *out)
{
	const uint8_t *p = seg_bytes(d, addr, sizeof(*out));
	uint32_t v;
	int rc;

	if (p) { /* a fixed-size copy: one load */
		rc = dump_guard_copy(d, &v, p, sizeof(v));
		if (!rc)
			*out = v;
		return rc;
	}
	rc = dump_read(d, addr, &v, sizeof(v));
	if (!rc)
		*out = v;
	return rc;
}

int dump_read_u64(struct dump *d, uint64_t addr, uint64_t *out)
{
	const uint8_t *p = seg_bytes(d, addr, sizeof(*out));
	uint64_t v;
	int rc;

	if (p) { /* a fixed-size copy: one load */
		rc = dump_guard_copy(d, &v, p, sizeof(v));
		if (!rc)
			*out = v;
		return rc;
	}
	rc = dump_read(d, addr, &v, sizeof(v));
	if (!rc)
		*out = v;
	return rc;
}

int dump_read_ptr(struct dump *d, uint64_t addr, uint64_t *out)
{
	if (d->ptr_size == 8)
		return dump_read_u64(d, addr, out);
	uint32_t v;
	int rc = dump_read_u32(d, addr, &v);
	if (!rc)
		*out = v;
	return rc;
}

int dump_read_cstr(struct dump *d, uint64_t addr, char *buf, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		int rc = dump_read(d, addr + i, &buf[i], 1);
		if (rc)
			return rc;
		if (!buf[i])
			return 0;
	}
	if (max)
		buf[max - 1] = '\0';
	return -E2BIG;
}

bool dump_has(struct dump *d, uint64_t addr, size_t len)
{
	if (len && addr > UINT64_MAX - len)
		return false;
	while (len) {
		const struct dump_seg *s = seg_find(d, addr);
		if (!s || addr >= s->vaddr + s->filesz)
			return false;
		uint64_t n = s->vaddr + s->filesz - addr;
		if (n >= len)
			return true;
		addr += n;
		len -= (size_t)n;
	}
	return true;
}

const char *dump_path(struct dump *d)
{
	return d->path;
}

void dump_trim(struct dump *d)
{
	/* Private, read-only and never written: the pages come back from the
	 * page cache on the next read (a minor fault). */
	madvise((void *)d->map, d->size, MADV_DONTNEED);
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct dump_modfile *f = &d->modules[i].f;
		if (f->state == 1 && f->map)
			madvise((void *)f->map, f->size, MADV_DONTNEED);
	}
	pthread_mutex_unlock(&d->lock);
}

struct timespec dump_mtime(struct dump *d)
{
	return d->mtime;
}
enum dump_kind dump_kind(struct dump *d)
{
	return d->kind;
}
unsigned dump_pointer_size(struct dump *d)
{
	return d->ptr_size;
}
uint32_t dump_page_size(struct dump *d)
{
	return d->page_size;
}
uint32_t dump_pid(struct dump *d)
{
	return d->pid ? d->pid : (d->nthreads ? d->threads[0].tid : 0);
}
size_t dump_thread_count(struct dump *d)
{
	return d->nthreads;
}
size_t dump_module_count(struct dump *d)
{
	return d->nmodules;
}
struct diag *dump_diag(struct dump *d)
{
	return &d->diag;
}

const char *dump_kind_name(enum dump_kind k)
{
	return k == DUMP_KIND_FULL ? "full" : "heap";
}

const char *dump_arch(struct dump *d)
{
	const struct reg_layout *l = reg_layout_of(d->machine);

	return l ? l->name : "unknown";
}

const struct dump_thread *dump_thread(struct dump *d, size_t i)
{
	return i < d->nthreads ? &d->threads[i] : NULL;
}

const struct dump_module *dump_module(struct dump *d, size_t i)
{
	return i < d->nmodules ? &d->modules[i].pub : NULL;
}

const struct dump_module *dump_module_find(struct dump *d, const char *name)
{
	for (size_t i = 0; i < d->nmodules; i++) {
		const char *p = d->modules[i].pub.path, *slash = strrchr(p, '/');
		if (strcmp(slash ? slash + 1 : p, name) == 0)
			return &d->modules[i].pub;
	}
	return NULL;
}
