// SPDX-License-Identifier: MIT
// Reads of mapped files that survive the files shrinking under the mapping.
//
// The dump and the module files are mmap'ed. When one shrinks while mounted (a
// new dump written to the same name, `truncate`), touching a page past its new
// end raises SIGBUS, which would kill the daemon and leave a dead mount. Every
// copy out of a mapping goes through dump_guard_copy(): a SIGBUS during it
// jumps back there, the copy fails with -ESTALE ("the dump file changed"),
// and the dump says so once in its problems. The handler acts only for a
// thread inside a guarded copy; any other SIGBUS is re-raised with the
// default action, as if there were no handler.
//
// SIGBUS is unblocked in the thread on its first guarded copy: libfuse starts
// its workers with every signal blocked, and a fault on a blocked SIGBUS kills
// the process. The handler is installed with SA_NODEFER, so that the jump out
// of it leaves SIGBUS unblocked (sigsetjmp(…, 0) does not restore the mask).
#include "dump_i.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

/* Read by the handler: volatile, and fenced around the guarded access, so
 * that the compiler neither drops the stores nor moves the copy past them. */
static _Thread_local sigjmp_buf *volatile guard_jmp;
static _Thread_local bool guard_unblocked;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (guard_jmp)
		siglongjmp(*guard_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

void dump_guard_init(void)
{
	pthread_once(&guard_once, guard_install);
}

static void unblock_sigbus(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	guard_unblocked = true;
}

void dump_on_change(struct dump *d, void (*cb)(void *arg), void *arg)
{
	d->on_change = cb;
	d->on_change_arg = arg;
}

void dump_changed(struct dump *d)
{
	struct stat st;

	if (__atomic_exchange_n(&d->changed, true, __ATOMIC_RELAXED))
		return;
	if (fstat(d->fd, &st) == 0 && (uint64_t)st.st_size != d->size)
		diag_add(&d->diag,
			 "the dump file changed while it was read: it was %" PRIu64
			 " bytes and is %lld; what it no longer holds is unreadable",
			 d->size, (long long)st.st_size);
	else
		diag_add(&d->diag, "a mapped file of the dump changed while it was read; what it "
				   "no longer holds is unreadable");
	if (d->on_change)
		d->on_change(d->on_change_arg);
}

/* Guarded regions nest (a guarded parse makes guarded copies): each one
 * restores the jump target of the one around it. */
int dump_guard_copy(struct dump *d, void *dst, const void *src, size_t n)
{
	sigjmp_buf jb, *volatile outer = guard_jmp;

	if (!guard_unblocked)
		unblock_sigbus();
	if (sigsetjmp(jb, 0)) {
		guard_jmp = outer;
		dump_changed(d);
		return -ESTALE;
	}
	guard_jmp = &jb;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(dst, src, n);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	guard_jmp = outer;
	return 0;
}

int dump_guarded(struct dump *d, int (*fn)(void *), void *arg)
{
	sigjmp_buf jb, *volatile outer = guard_jmp;
	int rc;

	if (!guard_unblocked)
		unblock_sigbus();
	if (sigsetjmp(jb, 0)) {
		guard_jmp = outer;
		dump_changed(d);
		return -ESTALE;
	}
	guard_jmp = &jb;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	rc = fn(arg);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	guard_jmp = outer;
	return rc;
}
