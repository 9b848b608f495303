/* SPDX-License-Identifier: MIT */
/* decoder/dump: bytes at virtual addresses of a process dump (ELF core). */
#ifndef CLRFS_DUMP_H
#define CLRFS_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct dump;
struct diag;

enum dump_kind {
	DUMP_KIND_FULL, /* every file-backed mapping is in the dump */
	DUMP_KIND_HEAP, /* private memory only (createdump's default) */
};

struct dump_options {
	const char *const *search_paths; /* NULL-terminated; may be NULL */
};

#define DUMP_REGS 32
struct dump_thread {
	uint32_t tid;	   /* OS thread id (NT_PRSTATUS pr_pid) */
	/* Registers at the time of the dump, of either architecture: the
	 * instruction pointer (rip, pc), the stack pointer (rsp, sp) and the
	 * frame pointer (rbp, x29). */
	uint64_t ip, sp, fp;
	/* Every integer register, numbered as the architecture's unwind
	 * information numbers them: x86_64 rax, rcx, rdx, rbx, rsp, rbp, rsi,
	 * rdi, r8..r15 (0..15); aarch64 x0..x30, sp (0..31). */
	uint64_t regs[DUMP_REGS];
};

struct dump_module {
	const char *path;    /* as named in NT_FILE; borrowed until dump_close() */
	uint64_t start, end; /* union of the module's mappings */
};

/* Opens and validates an ELF core. On failure returns a negative errno and
 * writes one sentence saying why into err. The caller closes with dump_close(). */
int dump_open(const char *path, const struct dump_options *opts, struct dump **out, char *err,
	      size_t errlen);
void dump_close(struct dump *d);

/* Reads len bytes at addr. 0 on success; -EIO when any byte is missing from
 * the dump and from the verified module file behind it. Never returns zeros
 * for missing memory. Safe from several threads. */
int dump_read(struct dump *d, uint64_t addr, void *buf, size_t len);
/* Like dump_read(), but may also fill missing bytes of a module's writable
 * data segment from its file (with relocations applied). Only for data the
 * program never writes after loading, such as the runtime's contract descriptor. */
int dump_read_image(struct dump *d, uint64_t addr, void *buf, size_t len);
/* Like dump_read(), but through pread however small: for one-off reads of
 * scattered memory (a thread's records on its stack, its thread-local
 * data), which through the map would map the page cache's large folios
 * whole (megabytes of the daemon's resident memory for a few words). */
int dump_read_cold(struct dump *d, uint64_t addr, void *buf, size_t len);
int dump_read_cold_ptr(struct dump *d, uint64_t addr, uint64_t *out);
int dump_read_u32(struct dump *d, uint64_t addr, uint32_t *out);
int dump_read_u64(struct dump *d, uint64_t addr, uint64_t *out);
/* Reads a pointer-sized value (the dump's pointer size). */
int dump_read_ptr(struct dump *d, uint64_t addr, uint64_t *out);
/* Reads a NUL-terminated string of at most max-1 bytes into buf. -EIO when
 * unreadable, -E2BIG when no NUL within max bytes. */
int dump_read_cstr(struct dump *d, uint64_t addr, char *buf, size_t max);
/* True when every byte of [addr, addr+len) is in the dump file itself. */
bool dump_has(struct dump *d, uint64_t addr, size_t len);

const char *dump_path(struct dump *d);
/* Lets go of the pages of the dump and module files mapped so far (they
 * count in the process's resident memory; the kernel keeps them in its page
 * cache, from where the next read takes them again). Any thread. */
void dump_trim(struct dump *d);
/* The dump file's modification time when it was opened: the tree's files
 * carry it, the time of the process's state they show. */
struct timespec dump_mtime(struct dump *d);
enum dump_kind dump_kind(struct dump *d);
const char *dump_kind_name(enum dump_kind k);
const char *dump_arch(struct dump *d); /* "x86_64", "aarch64", ... */
unsigned dump_pointer_size(struct dump *d);
uint32_t dump_pid(struct dump *d);
/* The process's page size (AT_PAGESZ of the core's NT_AUXV note), 0 when
 * the dump does not say. */
uint32_t dump_page_size(struct dump *d);
size_t dump_thread_count(struct dump *d);
const struct dump_thread *dump_thread(struct dump *d, size_t i);
size_t dump_module_count(struct dump *d);
const struct dump_module *dump_module(struct dump *d, size_t i);
/* The module one of whose file mappings (NT_FILE) holds addr, or NULL. */
const struct dump_module *dump_module_at(struct dump *d, uint64_t addr);
/* First module whose file name (last path component) equals name, or NULL. */
const struct dump_module *dump_module_find(struct dump *d, const char *name);
/* Calls cb(arg) once, the first time a mapped file of the dump (the dump, a
 * module file) is found to have shrunk while it was read; from the thread
 * that found it, which may hold any lock: cb must not block. */
void dump_on_change(struct dump *d, void (*cb)(void *arg), void *arg);
/* Problems found so far (missing or mismatching module files, ...). */
struct diag *dump_diag(struct dump *d);

/* ELF symbol lookup in a module's dynamic symbol table, read from the module
 * file on disk (verified against the dump) or from the dump. Sets *addr to
 * the symbol's address in the dumped process. -ENOENT when absent. */
int dump_module_symbol(struct dump *d, const struct dump_module *m, const char *name,
		       uint64_t *addr);
/* The exported function of module m whose code holds addr (the dynamic
 * symbol table: STT_FUNC with its size): its name into name (at most len - 1
 * bytes) and addr's offset into it. -ENOENT when none holds it (an internal
 * function), -EIO, -EBADMSG. */
int dump_module_symbol_at(struct dump *d, const struct dump_module *m, uint64_t addr,
			  char *name, size_t len, uint64_t *off);
/* The module's file as opened (after search paths), or NULL when none
 * matches; borrowed until dump_close(). */
const char *dump_module_file(struct dump *d, const struct dump_module *m);

#endif
