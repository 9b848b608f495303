/* SPDX-License-Identifier: MIT */
/* decoder/dump internals: the parsed core and the module files behind it. */
#ifndef CLRFS_DUMP_I_H
#define CLRFS_DUMP_I_H

#include "diag.h"
#include "dump.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* A PT_LOAD of the core: [vaddr, vaddr+filesz) is in the file at off;
 * [vaddr+filesz, vaddr+memsz) is absent (not zero). */
struct dump_seg {
	uint64_t vaddr, memsz, filesz, off;
};

/* One NT_FILE entry: [start, end) maps the module file from byte fileoff. */
struct dump_map {
	uint64_t start, end, fileoff;
	size_t module; /* index into dump.modules */
};

/* A module file opened from disk to supply what a heap dump leaves out. */
struct dump_modfile {
	int state;	    /* 0 not tried, 1 verified and open, -1 unusable */
	char *path;	    /* the file opened */
	const uint8_t *map; /* whole file, mmap'ed read-only */
	uint64_t size;
	int is_elf;
	/* ELF: loadable segments of the file and the RELRO range (vaddrs). */
	struct dump_fseg {
		uint64_t vaddr, memsz, off, filesz;
		int writable;
	} * segs;
	size_t nsegs;
	uint64_t relro_start, relro_end;
	/* R_*_RELATIVE relocations sorted by r_offset. */
	struct dump_reloc {
		uint64_t offset;
		int64_t addend;
	} * relocs;
	size_t nrelocs;
	/* PE: sections written at run time (image file offsets). */
	struct dump_pesec {
		uint64_t off, size;
	} * wsecs;
	size_t nwsecs;
};

struct dump_module_i {
	struct dump_module pub;
	uint64_t base;	       /* start of the mapping of file offset 0 */
	struct dump_modfile f; /* guarded by dump.lock */
};

struct dump {
	char *path;
	int fd;
	const uint8_t *map; /* the core file, mmap'ed read-only */
	uint64_t size;
	struct timespec mtime; /* the core file's, at open */
	uint16_t machine;
	unsigned ptr_size;
	uint32_t pid;
	uint32_t page_size; /* AT_PAGESZ of NT_AUXV, 0 when the dump has none */
	enum dump_kind kind;

	struct dump_seg *segs; /* sorted by vaddr, non-overlapping */
	size_t nsegs;
	struct dump_map *maps; /* sorted by start */
	size_t nmaps;
	struct dump_module_i *modules;
	size_t nmodules;
	struct dump_thread *threads;
	size_t nthreads;

	char **search_paths;
	pthread_mutex_t lock; /* guards module files */
	struct diag diag;
	bool changed; /* a mapped file shrank under its mapping (guard.c) */
	void (*on_change)(void *arg); /* set before any read; then read-only */
	void *on_change_arg;
};

/* Fills [addr, addr+len) from the verified file of the module mapped there.
 * image: also from writable data segments. 0, or -EIO. (modfile.c) */
int dump_modfile_read(struct dump *d, const struct dump_map *m, uint64_t addr, void *buf,
		      size_t len, int image);
void dump_modfile_destroy(struct dump_modfile *f);

/* Copies out of a mapping (the core's or a module file's), turning the SIGBUS
 * of a file that shrank under it into -ESTALE and one problem of d (guard.c). */
int dump_guard_copy(struct dump *d, void *dst, const void *src, size_t n);
/* Runs fn(arg) the same way: -ESTALE when a mapped file shrank under it (what
 * fn allocated is then lost). */
int dump_guarded(struct dump *d, int (*fn)(void *), void *arg);
/* NULL for a regular file, else what mode says the file is ("a FIFO"): only
 * regular files are read, dumps and module files alike (elf_core.c). */
const char *dump_file_kind(mode_t mode);
/* Says once, in d's problems, that a mapped file changed (guard.c). */
void dump_changed(struct dump *d);
/* Installs the SIGBUS handler, once per process. */
void dump_guard_init(void);

#endif
