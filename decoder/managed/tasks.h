/* SPDX-License-Identifier: MIT */
/* decoder/managed: the tasks on the heap that have not completed. */
#ifndef CLRFS_TASKS_H
#define CLRFS_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt;
struct strbuf;

/* /tasks/list: "ADDR<TAB>STATUS<TAB>METHOD" per Task (System.Threading.Tasks.
 * Task or a type deriving from it: Task<T>, async state machine boxes,
 * promises) that has not completed, by address. STATUS as Task.Status names
 * it, from m_stateFlags; METHOD the async method as C# names it for a state
 * machine box, the delegate's target for Task.Run and ContinueWith, else the
 * task's type. Errors as the heap index's. */
int mv_tasks_list(struct rt *rt, struct strbuf *out);

/* /tasks/stats: "COUNT<TAB>STATUS<TAB>METHOD" per distinct STATUS and
 * METHOD of the list, by COUNT descending, then STATUS and METHOD. */
int mv_tasks_stats(struct rt *rt, struct strbuf *out);

/* /tasks/chains: one block per async causality chain, blocks separated by
 * an empty line, by the address of their first line. A block starts with
 * what its innermost async method awaits ("ADDR<TAB>TYPE": the pending task
 * whose continuation it is, else "-<TAB><unknown>"), then one line per task
 * from the innermost outward, "ADDR<TAB>STATE<TAB>METHOD" (STATE an async
 * method's <>1__state, the await it is suspended at; "-" for a task that is
 * no async method, a WhenAll's promise), each the continuation of the line
 * above, as SOS dumpasync shows them. A task awaited by several is a fork,
 * a WhenAll a join: each path gets its own block. */
int mv_tasks_chains(struct rt *rt, struct strbuf *out);

/* /tasks/stacks: the chains grouped by their sequence of methods, the
 * async parallel-stacks view: "COUNT chains" then the methods innermost
 * first, one block per sequence by COUNT descending, an empty line between. */
int mv_tasks_stacks(struct rt *rt, struct strbuf *out);

/* One task, for its object's directory: */
/* Its status as Task.Status names it (final states too). */
int mv_task_status(struct rt *rt, uint64_t obj, struct strbuf *out);
/* Its method, as /tasks/list names it. */
int mv_task_method(struct rt *rt, uint64_t obj, struct strbuf *out);
/* A state machine box's <>1__state; -EBADMSG when obj is no box. */
int mv_box_state(struct rt *rt, uint64_t obj, int64_t *state);
/* The task a box's method awaits (from the state machine's awaiter fields);
 * 0 when it awaits none that is a Task. */
int mv_box_awaits(struct rt *rt, uint64_t box, uint64_t *task);
/* The ExecutionContext a box captured (0 when none). */
int mv_box_context(struct rt *rt, uint64_t box, uint64_t *ec);
/* The tasks its continuation resumes (at most max): the awaiting boxes, or
 * a task that waits for it (a WhenAll's promise). */
int mv_task_continuations(struct rt *rt, uint64_t obj, uint64_t *out, size_t max, size_t *n);

#endif
