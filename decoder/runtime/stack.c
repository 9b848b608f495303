// SPDX-License-Identifier: MIT
// A thread's stack, walked as the runtime describes its own walk
// (dotnet/runtime docs/design/datacontracts/StackWalk.md, as the cDAC's
// StackWalk_1 implements it), from the thread's registers in the dump:
// - in managed code (rt_code_find), the method's frame is unwound with its
//   unwind info (rt_unwind_amd64, rt_unwind_arm64); Frames of the thread's
//   chain that lie below the caller's stack pointer belong to that method and
//   are listed before it (an InlinedCallFrame is its P/Invoke in flight);
// - elsewhere (native code: libc, the runtime) the frame is unwound with the
//   module's call frame information (rt_unwind_cfi); where that does not
//   hold, the walk goes on from the next explicit Frame of the chain
//   (Thread.Frame, linked by Frame.Next up to ~0), whose kind is its first
//   word (a FrameIdentifier, or on 8.0 and 9.0 a vtable). The Frames that
//   record a caller's context give the next registers: an active
//   InlinedCallFrame (a P/Invoke in flight: CallerReturnAddress set) its
//   call site, a FramedMethodFrame its TransitionBlock, the exception and
//   resumable Frames their CONTEXT. An active InlinedCallFrame stays the
//   current Frame until the walk is past its method.
#include "stack.h"

#include "dump.h"
#include "methods.h"
#include "runtime_i.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES_MAX 4096		  /* bound on one walk */
#define FRAME_TOP  (~0ull)	  /* frames.h FRAME_TOP_VALUE */

/* What differs by architecture: the stack and frame pointer's numbers and
 * the unwinder (the CONTEXT a Frame may hold is the layout layer's:
 * struct rt_lay_stack ctx_*). */
struct arch {
	unsigned sp, fp;
	int (*unwind)(struct dump *d, uint64_t base, uint64_t rtf, struct rt_regs *regs);
};
static const struct arch amd64 = {RT_REG_RSP, RT_REG_RBP, rt_unwind_amd64};
static const struct arch arm64 = {31, 29, rt_unwind_arm64};

struct walk {
	struct rt *rt;
	const struct rt_lay_stack *l;
	const struct arch *a;
	struct rt_frame *v;
	size_t n, cap;
};

static int push(struct walk *w, struct rt_frame f)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct rt_frame *v = realloc(w->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = f;
	return 0;
}

static int frame_kind(const struct rt_lay_stack *l, uint64_t id)
{
	for (int k = 0; k < RT_FK_COUNT; k++)
		if (l->frame_id[k] && l->frame_id[k] == id)
			return k;
	return -1;
}

static int read_context(const struct rt_lay_stack *l, struct dump *d, uint64_t ctx,
			struct rt_regs *r)
{
	uint64_t v[RT_REGS], ip;

	if (l->ctx_nregs > RT_REGS || dump_read(d, ctx + l->ctx_regs, v, l->ctx_nregs * 8) ||
	    dump_read_ptr(d, ctx + l->ctx_ip, &ip))
		return -EIO;
	memcpy(r->r, v, l->ctx_nregs * 8);
	r->ip = ip;
	return 0;
}

/* Sets r to the caller context the Frame at f records, if it records one:
 * 1 when it did, 0 when this kind records none (or an inactive one), -EIO. */
static int frame_context(struct walk *w, uint64_t f, int kind, struct rt_regs *r)
{
	const struct rt_lay_stack *l = w->l;
	struct dump *d = w->rt->d;
	uint64_t a, b, c;

	switch (kind) {
	case RT_FK_INLINED_CALL:
		if (dump_read_ptr(d, f + l->icf_ret, &a))
			return -EIO;
		if (!a)
			return 0; /* not in a call now */
		if (dump_read_ptr(d, f + l->icf_sp, &b) || dump_read_ptr(d, f + l->icf_fp, &c))
			return -EIO;
		r->ip = a;
		r->r[w->a->sp] = b;
		r->r[w->a->fp] = c;
		return 1;
	case RT_FK_PINVOKE_CALLI:
	case RT_FK_PRESTUB_METHOD:
	case RT_FK_CALL_COUNTING_HELPER:
	case RT_FK_STUB_DISPATCH:
	case RT_FK_EXTERNAL_METHOD:
	case RT_FK_DYNAMIC_HELPER: {
		uint64_t tb;
		if (!l->fmf_tb)
			return 0; /* not described on this line */
		if (dump_read_ptr(d, f + l->fmf_tb, &tb) || dump_read_ptr(d, tb + l->tb_ret, &a))
			return -EIO;
		for (unsigned i = 0; i < l->nsaved; i++)
			if (dump_read_ptr(d, tb + l->tb_regs + l->saved_off[i], &r->r[l->saved_reg[i]]))
				return -EIO;
		r->ip = a;
		r->r[w->a->sp] = tb + l->tb_size;
		return 1;
	}
	case RT_FK_SOFTWARE_EXCEPTION:
		if (!l->sef_ctx)
			return 0;
		return read_context(w->l, d, f + l->sef_ctx, r) ? -EIO : 1;
	case RT_FK_FAULTING_EXCEPTION:
		if (!l->fef_ctx)
			return 0;
		return read_context(w->l, d, f + l->fef_ctx, r) ? -EIO : 1;
	case RT_FK_RESUMABLE:
	case RT_FK_REDIRECTED_THREAD:
		if (!l->rsf_ctx_ptr)
			return 0;
		if (dump_read_ptr(d, f + l->rsf_ctx_ptr, &a))
			return -EIO;
		return read_context(w->l, d, a, r) ? -EIO : 1;
	default: return 0;
	}
}

/* Reports the Frames of the chain below limit (those the frames walked so
 * far hold), but the one already reported as the current Frame. */
static int pass_frames(struct walk *w, uint64_t *frame, uint64_t reported, uint64_t limit,
		       const char **why)
{
	struct dump *d = w->rt->d;

	for (unsigned i = 0; *frame != FRAME_TOP && *frame && *frame < limit && i < FRAMES_MAX; i++) {
		uint64_t id = 0;
		if (*frame != reported) {
			if (dump_read_ptr(d, *frame, &id)) {
				*why = "a Frame is missing from the dump";
				return 1;
			}
			int rc = push(w, (struct rt_frame){RT_FRAME_RUNTIME, *frame, 0, 0, 0,
							   frame_kind(w->l, id), *frame});
			if (rc)
				return rc;
		}
		if (dump_read_ptr(d, *frame + w->l->frame_next, frame)) {
			*why = "a Frame is missing from the dump";
			return 1;
		}
	}
	return 0;
}

static int walk(struct walk *w, uint64_t thread, const struct dump_thread *t, const char **why)
{
	struct rt *rt = w->rt;
	const struct rt_lay_stack *l = w->l;
	const unsigned sp = w->a->sp;
	struct rt_regs r;
	struct rt_code c;
	uint64_t frame, reported = 0;
	bool fresh = true; /* r is a context no frame was listed for yet */
	int rc;

	memcpy(r.r, t->regs, sizeof(r.r) < sizeof(t->regs) ? sizeof(r.r) : sizeof(t->regs));
	r.ip = t->ip;
	if (dump_read_ptr(rt->d, thread + l->thread_frame, &frame)) {
		*why = "the thread's Frame chain is missing from the dump";
		return 0;
	}
	/* Bounded by steps as well as frames: a Frame chain that loops (a
	 * hostile dump) reports nothing new, step after step. */
	unsigned steps = 0;
	for (bool first = true; w->n < FRAMES_MAX && steps < 2 * FRAMES_MAX; first = false, steps++) {
		/* A return address may be the byte after a method's last call. */
		rc = rt_code_find(rt, first ? r.ip : r.ip - 1, &c);
		if (rc && rc != -ENOENT) {
			*why = rc == -EIO ? "code lookup: memory missing from the dump"
					  : "code lookup: the code range map does not hold";
			return 0;
		}
		if (!rc) {
			struct rt_frame m = {RT_FRAME_MANAGED, r.r[sp], r.ip, c.md, c.start, -1, 0};
			struct rt_regs caller = r;
			if (!c.rtf) {
				*why = "no unwind info for the method's code";
				return push(w, m);
			}
			rc = w->a->unwind(rt->d, c.base, c.rtf, &caller);
			if (rc) {
				*why = rc == -EIO ? "unwinding: memory missing from the dump"
						  : "unwinding: the unwind info does not hold";
				return push(w, m);
			}
			/* The Frames inside this method's frame are its own: an
			 * InlinedCallFrame is its P/Invoke, listed before it. */
			if ((rc = pass_frames(w, &frame, reported, caller.r[sp], why)))
				return rc < 0 ? rc : 0;
			if ((rc = push(w, m)))
				return rc;
			if (caller.r[sp] <= r.r[sp]) {
				*why = "unwinding: the stack pointer does not grow";
				return 0;
			}
			r = caller;
			fresh = true;
			continue;
		}
		/* Native code: listed, then unwound by its module's call frame
		 * information; the Frames inside its frame follow it (a
		 * HelperMethodFrame of the runtime's code that a method
		 * called). Where that information ends or does not hold, the
		 * walk goes on from the next Frame of the chain. */
		bool outermost = false;
		if (fresh) {
			struct rt_regs caller = r;
			if ((rc = push(w, (struct rt_frame){RT_FRAME_NATIVE, r.r[sp], r.ip, 0, 0, -1, 0})))
				return rc;
			fresh = false;
			rc = rt_unwind_cfi(rt->d, l->arm64, first, &caller, &outermost);
			if (!rc && !outermost && caller.ip &&
			    (caller.r[sp] > r.r[sp] || (first && l->arm64 && caller.r[sp] == r.r[sp]))) {
				if ((rc = pass_frames(w, &frame, reported, caller.r[sp], why)))
					return rc < 0 ? rc : 0;
				r = caller;
				fresh = true;
				continue;
			}
		}
		if (frame == FRAME_TOP || !frame)
			return 0; /* the end of the managed stack */
		uint64_t id;
		if (dump_read_ptr(rt->d, frame, &id)) {
			*why = "a Frame is missing from the dump";
			return 0;
		}
		int kind = frame_kind(l, id);
		if (frame != reported) {
			rc = push(w, (struct rt_frame){RT_FRAME_RUNTIME, frame, 0, 0, 0, kind, frame});
			if (rc)
				return rc;
			reported = frame;
		}
		rc = frame_context(w, frame, kind, &r);
		if (rc < 0) {
			*why = "a Frame's context is missing from the dump";
			return 0;
		}
		if (rc == 1)
			fresh = true;
		/* An active InlinedCallFrame stays the current Frame while the
		 * walk is in its method, unless that is no managed code. */
		if (!(kind == RT_FK_INLINED_CALL && rc == 1 && !rt_code_find(rt, r.ip - 1, &c)) &&
		    dump_read_ptr(rt->d, frame + l->frame_next, &frame)) {
			*why = "a Frame is missing from the dump";
			return 0;
		}
	}
	*why = "more frames than clrfs walks";
	return 0;
}

#define STACK_TRACE_MAX 100000 /* bound on an exception's elements */

int rt_stack_trace_read(struct rt *rt, uint64_t data, uint64_t len, struct rt_trace_elem **v,
			size_t *n)
{
	const struct rt_lay_stack *l = &rt->lay.stack;
	uint64_t count;
	int rc = rt_layout_err(rt, RT_LG_STACK);

	*v = NULL;
	*n = 0;
	if (rc)
		return rc;
	if (len < l->sth_size)
		return -EBADMSG;
	if (dump_read_ptr(rt->d, data + l->sth_count, &count))
		return -EIO;
	if (count > STACK_TRACE_MAX || count > (len - l->sth_size) / l->ste_size)
		return -EBADMSG;
	struct rt_trace_elem *e = calloc(count ? count : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t at = data + l->sth_size + i * l->ste_size;
		if (dump_read_ptr(rt->d, at + l->ste_ip, &e[i].ip) ||
		    dump_read_ptr(rt->d, at + l->ste_md, &e[i].md)) {
			free(e);
			return -EIO;
		}
	}
	*v = e;
	*n = count;
	return 0;
}

int rt_thread_stack(struct rt *rt, uint64_t thread, uint64_t os_id, struct rt_frame **frames,
		    size_t *n, const char **why)
{
	const struct dump_thread *t = NULL;
	struct walk w = {.rt = rt, .l = &rt->lay.stack};

	w.a = rt->lay.stack.arm64 ? &arm64 : &amd64;
	int rc = rt_layout_err(rt, RT_LG_STACK);

	*frames = NULL;
	*n = 0;
	*why = NULL;
	if (rc)
		return rc;
	for (size_t i = 0; i < dump_thread_count(rt->d); i++)
		if (dump_thread(rt->d, i)->tid == os_id)
			t = dump_thread(rt->d, i);
	if (!t || !os_id)
		return -ENOENT;
	rc = walk(&w, thread, t, why);
	if (rc) {
		free(w.v);
		return rc;
	}
	*frames = w.v;
	*n = w.n;
	return 0;
}
