/* SPDX-License-Identifier: MIT */
/* fs/ll_uring: FUSE over io_uring (see ll_uring.h).
 *
 * The protocol, from torvalds/linux fs/fuse/dev_uring.c and
 * include/uapi/linux/fuse.h (7.42):
 * - INIT: the kernel offers FUSE_OVER_IO_URING in flags2 when enable_uring
 *   is on; the daemon accepts by echoing it. From then on every request
 *   waits until each queue (one per possible CPU) has a buffer registered,
 *   or until a registration fails: then the kernel falls back to /dev/fuse.
 * - A buffer ("entry") is registered with IORING_OP_URING_CMD, cmd_op
 *   FUSE_IO_URING_CMD_REGISTER, on an SQE128 ring opened on the /dev/fuse
 *   fd: addr points to two iovecs, a struct fuse_uring_req_header and a
 *   payload of at least the connection's largest request or reply.
 * - A request made on CPU c completes a registered command of queue c: the
 *   fuse_in_header is in in_out, the operation's own header (its first
 *   argument) in op_in, the rest (names, data) in the payload, whose length
 *   is ring_ent_in_out.payload_sz. The op header's length is then
 *   in_header.len - sizeof(fuse_in_header) - payload_sz.
 * - The reply goes back with FUSE_IO_URING_CMD_COMMIT_AND_FETCH (commit_id =
 *   the request's unique): the fuse_out_header in in_out, every output
 *   argument one after the other in the payload, their length in
 *   payload_sz. The same command waits for the next request.
 * - Unmounting completes the registered commands with -ENOTCONN. */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fuse_lowlevel.h>
#include <liburing.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ll_thread.h"
#include "ll_uring.h"

/* include/uapi/linux/fuse.h (7.42); Debian 12's copy is older. */
#define LU_OVER_IO_URING_HI (1u << (41 - 32)) /* FUSE_OVER_IO_URING, in flags2 */
enum { LU_CMD_REGISTER = 1, LU_CMD_COMMIT_AND_FETCH = 2 };

struct lu_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;
	uint32_t payload_sz;
	uint32_t padding;
	uint64_t reserved;
};

struct lu_req_header {
	char in_out[128]; /* fuse_in_header, then fuse_out_header */
	char op_in[128];
	struct lu_ent_in_out ring_ent_in_out;
};

struct lu_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};

_Static_assert(sizeof(struct lu_req_header) == 288, "fuse_uring_req_header");
_Static_assert(sizeof(struct lu_cmd_req) == 24, "fuse_uring_cmd_req");

/* Entries per queue: one being answered, one the kernel can fill meanwhile. */
#define QUEUE_DEPTH 2

/* The largest request or reply libfuse 3.14 makes: max_write and max_pages
 * are at most 256 pages (its FUSE_MAX_MAX_PAGES), and so is the kernel's
 * default max_pages_limit. An INIT that asks for more keeps /dev/fuse. */
#define PAYLOAD_MAX (256u * 4096u)

/* Room before each payload: the request is handed to libfuse as one buffer,
 * its two headers copied in front of the payload the kernel wrote. */
#define PREFIX 4096u

#define STOP_TAG    1 /* user_data of the stop poll; entries are pointers */
#define GIVE_UP_TAG 2 /* user_data of give_up()'s registration */

/* How often a registration the kernel is not ready for is tried again. */
#define REGISTER_TRIES 100

struct ll_uring;
struct queue;

struct ent {
	struct lu_req_header hdr; /* the kernel keeps its address */
	char *payload;		  /* PREFIX bytes into this entry's part of the mapping */
	struct iovec iov[2];
	uint64_t unique;
	unsigned tries;
	bool replied;
};

struct queue {
	struct ll_uring *u;
	unsigned qid;
	pthread_t thread;
	bool started;
	unsigned long answered; /* requests; read once the thread has ended */
	struct io_uring ring;
	struct ent ents[QUEUE_DEPTH];
};

enum state { WAITING, GO, QUIT };

struct ll_uring {
	struct fuse_session *se;
	int fd;
	int stopfd; /* written once by ll_uring_stop(); every queue polls it */
	bool trace;
	unsigned nq;
	char *map;
	size_t map_len;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Guarded by lock: */
	unsigned reported; /* threads that have tried to open their ring */
	int setup_err;
	enum state state;
	unsigned failed_queues;
	struct queue q[];
};

/* The custom io's callbacks get the session's userdata, not ours; there is
 * one session per process. */
static struct ll_uring *the_uring;
static _Atomic uint64_t init_unique; /* the FUSE_INIT being answered, or 0 */
static atomic_bool kernel_offers;    /* it offered FUSE_OVER_IO_URING */
static __thread struct ent *cur_ent; /* the ring request this thread answers */

static void set_state(struct ll_uring *u, enum state s)
{
	pthread_mutex_lock(&u->lock);
	if (u->state == WAITING)
		u->state = s;
	pthread_cond_broadcast(&u->cond);
	pthread_mutex_unlock(&u->lock);
}

/* --- the custom io ------------------------------------------------------ */

static ssize_t lu_read(int fd, void *buf, size_t len, void *userdata)
{
	ssize_t n = read(fd, buf, len);
	const size_t need = sizeof(struct fuse_in_header) + offsetof(struct fuse_init_in, flags2) +
			    sizeof(uint32_t);

	(void)userdata;
	if (n >= (ssize_t)need) {
		const struct fuse_in_header *ih = buf;
		const struct fuse_init_in *in = (const void *)(ih + 1);

		if (ih->opcode == FUSE_INIT) {
			atomic_store(&kernel_offers, (in->flags & FUSE_INIT_EXT) &&
							     (in->flags2 & LU_OVER_IO_URING_HI));
			atomic_store(&init_unique, ih->unique);
		}
	}
	return n;
}

/* The payload the kernel wants of every entry: fs/fuse/dev_uring.c
 * fuse_uring_create() with fc's values after INIT (fs/fuse/inode.c: max_pages
 * is FUSE_DEFAULT_MAX_PAGES_PER_REQ, 32, unless the reply sets it). */
static size_t payload_needed(const struct fuse_init_out *o)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (o->flags & FUSE_MAX_PAGES) && o->max_pages > 32 ? o->max_pages : 32;
	size_t n = pages * page;

	if (n < o->max_write)
		n = o->max_write;
	return n < 8192 ? 8192 : n;
}

/* The reply to FUSE_INIT: accepts io_uring when the kernel offered it and
 * the rings are ready, then lets the queues register (the kernel has taken
 * the reply when writev returns). */
static ssize_t init_reply(int fd, struct iovec *iov, int count)
{
	struct ll_uring *u = the_uring;
	const struct fuse_out_header *oh = iov[0].iov_base;
	struct fuse_init_out out;
	struct iovec v[2];
	bool use = false;
	ssize_t n;
	int err;

	atomic_store(&init_unique, 0);
	if (u && oh->error == 0 && count == 2 && iov[1].iov_len == sizeof(out) &&
	    atomic_load(&kernel_offers)) {
		memcpy(&out, iov[1].iov_base, sizeof(out));
		if ((out.flags & FUSE_INIT_EXT) && payload_needed(&out) <= PAYLOAD_MAX) {
			out.flags2 |= LU_OVER_IO_URING_HI;
			v[0] = iov[0];
			v[1] = (struct iovec){&out, sizeof(out)};
			iov = v;
			use = true;
		}
	}
	n = writev(fd, iov, count);
	err = errno;
	if (u) {
		use = use && n >= 0;
		if (u->trace)
			fprintf(stderr, "clrfs: io_uring: %s\n",
				use ? "accepted; one queue per CPU"
				: atomic_load(&kernel_offers)
					? "not used; requests go through /dev/fuse"
					: "not offered by the kernel; requests go through "
					  "/dev/fuse");
		set_state(u, use ? GO : QUIT);
	}
	errno = err;
	return n;
}

/* The reply to the ring request e: into e's header and payload. */
static ssize_t ent_reply(struct ent *e, const struct iovec *iov, int count)
{
	struct fuse_out_header oh;
	size_t total = 0, len = 0;
	char *tmp = NULL, *src;

	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	memcpy(&oh, iov[0].iov_base, sizeof(oh));
	if (total - iov[0].iov_len > PAYLOAD_MAX) {
		oh.error = -EIO;
	} else {
		/* A source inside this entry's buffers would be overwritten
		 * while copied: go through a copy then (no reply of clrfs's
		 * does, but libfuse does not promise it). */
		char *lo = e->payload - PREFIX, *hi = e->payload + PAYLOAD_MAX;
		for (int i = 1; i < count && !tmp; i++) {
			src = iov[i].iov_base;
			if (iov[i].iov_len && src < hi && src + iov[i].iov_len > lo) {
				tmp = malloc(total);
				if (!tmp) {
					oh.error = -ENOMEM;
					break;
				}
			}
		}
		for (int i = 1; i < count && oh.error == 0; i++) {
			memcpy((tmp ? tmp : e->payload) + len, iov[i].iov_base, iov[i].iov_len);
			len += iov[i].iov_len;
		}
		if (tmp && oh.error == 0)
			memcpy(e->payload, tmp, len);
		free(tmp);
	}
	if (oh.error)
		len = 0;
	oh.len = (uint32_t)(sizeof(oh) + len);
	memcpy(e->hdr.in_out, &oh, sizeof(oh));
	e->hdr.ring_ent_in_out.payload_sz = (uint32_t)len;
	e->replied = true;
	return (ssize_t)total;
}

static ssize_t lu_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	const struct fuse_out_header *oh = NULL;
	struct ent *e = cur_ent;
	uint64_t init = atomic_load(&init_unique);

	(void)userdata;
	if (count > 0 && iov[0].iov_len >= sizeof(*oh))
		oh = iov[0].iov_base;
	if (oh && e && oh->unique == e->unique)
		return ent_reply(e, iov, count);
	if (oh && init && oh->unique == init)
		return init_reply(fd, iov, count);
	return writev(fd, iov, count);
}

static const struct fuse_custom_io lu_io = {.read = lu_read, .writev = lu_writev};

/* --- a queue's thread ---------------------------------------------------- */

static struct io_uring_sqe *cmd_sqe(struct queue *q, struct ent *e, uint32_t op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);

	if (!sqe)
		return NULL;		  /* cannot be: the ring has room for every entry */
	memset(sqe, 0, 2 * sizeof(*sqe)); /* SQE128 */
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = q->u->fd;
	sqe->cmd_op = op;
	sqe->user_data = (uintptr_t)e;
	struct lu_cmd_req *cr = (void *)sqe->cmd;
	cr->qid = (uint16_t)q->qid;
	return sqe;
}

static void ent_register(struct queue *q, struct ent *e)
{
	struct io_uring_sqe *sqe = cmd_sqe(q, e, LU_CMD_REGISTER);

	if (sqe) {
		sqe->addr = (uintptr_t)e->iov;
		sqe->len = 2;
	}
}

/* Once INIT has accepted io_uring, the kernel holds every request until
 * each queue has registered, or until a registration fails. A queue that
 * cannot register makes one fail on purpose (there is no queue 0xffff),
 * lest the mount hang: requests then go through /dev/fuse. */
static void give_up(struct queue *q)
{
	struct io_uring_sqe *sqe = cmd_sqe(q, NULL, LU_CMD_REGISTER);

	if (sqe) {
		sqe->user_data = GIVE_UP_TAG;
		((struct lu_cmd_req *)(void *)sqe->cmd)->qid = 0xffff;
		sqe->addr = (uintptr_t)q->ents[0].iov;
		sqe->len = 2;
	}
}

static void ent_commit(struct queue *q, struct ent *e)
{
	struct io_uring_sqe *sqe = cmd_sqe(q, e, LU_CMD_COMMIT_AND_FETCH);

	if (sqe)
		((struct lu_cmd_req *)(void *)sqe->cmd)->commit_id = e->unique;
}

/* Hands the request in e to libfuse as /dev/fuse would have delivered it. */
static void ent_answer(struct queue *q, struct ent *e)
{
	struct fuse_in_header ih;
	uint32_t psz = e->hdr.ring_ent_in_out.payload_sz;
	size_t op;

	memcpy(&ih, e->hdr.in_out, sizeof(ih));
	e->unique = e->hdr.ring_ent_in_out.commit_id;
	e->replied = false;
	if (psz <= PAYLOAD_MAX && ih.len >= sizeof(ih) + psz &&
	    (op = ih.len - sizeof(ih) - psz) <= sizeof(e->hdr.op_in)) {
		char *start = e->payload - op - sizeof(ih);
		struct fuse_buf fb = {.size = ih.len, .mem = start};

		memcpy(start, &ih, sizeof(ih));
		memcpy(start + sizeof(ih), e->hdr.op_in, op);
		cur_ent = e;
		fuse_session_process_buf(q->u->se, &fb);
		cur_ent = NULL;
	}
	if (!e->replied) { /* malformed, or no reply made: the entry must go back */
		struct fuse_out_header oh = {sizeof(oh), -EIO, e->unique};
		struct iovec v = {&oh, sizeof(oh)};
		ent_reply(e, &v, 1);
	}
}

static void trace_failure(struct queue *q, int res)
{
	struct ll_uring *u = q->u;
	bool first;

	pthread_mutex_lock(&u->lock);
	first = u->failed_queues++ == 0;
	pthread_mutex_unlock(&u->lock);
	if (u->trace && first)
		fprintf(stderr, "clrfs: io_uring: queue %u: %s; requests go through /dev/fuse\n",
			q->qid, strerror(-res));
}

static void serve(struct queue *q)
{
	struct ll_uring *u = q->u;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
	bool stop = false;

	if (!sqe)
		return;
	io_uring_prep_poll_add(sqe, u->stopfd, POLLIN);
	sqe->user_data = STOP_TAG;
	for (unsigned i = 0; i < QUEUE_DEPTH; i++)
		ent_register(q, &q->ents[i]);
	while (!stop) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int rc = io_uring_submit_and_wait(&q->ring, 1);

		if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
			break;
		io_uring_for_each_cqe(&q->ring, head, cqe)
		{
			struct ent *e = (void *)(uintptr_t)cqe->user_data;

			seen++;
			if (cqe->user_data == STOP_TAG) {
				stop = true;
			} else if (cqe->user_data == GIVE_UP_TAG) {
				/* -EINVAL, as asked: the kernel has gone back. */
			} else if (cqe->res == -EAGAIN && e->tries++ < REGISTER_TRIES) {
				usleep(1000); /* INIT not taken yet */
				ent_register(q, e);
			} else if (cqe->res == -EAGAIN) {
				trace_failure(q, cqe->res);
				give_up(q);
			} else if (cqe->res < 0) {
				/* Unmounted (-ENOTCONN), or refused: then the
				 * kernel has gone back to /dev/fuse. The
				 * entry rests. */
				if (cqe->res != -ENOTCONN && cqe->res != -ECANCELED)
					trace_failure(q, cqe->res);
			} else {
				ent_answer(q, e);
				ent_commit(q, e);
				q->answered++;
			}
		}
		io_uring_cq_advance(&q->ring, seen);
	}
}

/* An SQE128 ring for this thread alone; the kernel runs the work of its
 * completions only when the thread waits for them (DEFER_TASKRUN, 6.1),
 * which spares interrupting it. */
static int ring_open(struct io_uring *ring)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SQE128 | IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_DEFER_TASKRUN,
	};
	int rc = io_uring_queue_init_params(2 * QUEUE_DEPTH + 2, ring, &p);

	if (rc == -EINVAL) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_SQE128;
		rc = io_uring_queue_init_params(2 * QUEUE_DEPTH + 2, ring, &p);
	}
	return rc;
}

static void *queue_main(void *arg)
{
	struct queue *q = arg;
	struct ll_uring *u = q->u;
	cpu_set_t cpus;
	enum state s;
	int rc;

	/* Requests made on CPU qid come to this queue: answered there, the
	 * process that made it is woken on its own CPU. Not fatal (a cpuset
	 * may forbid it): the queue works from anywhere. */
	CPU_ZERO(&cpus);
	CPU_SET(q->qid, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	rc = ring_open(&q->ring);
	pthread_mutex_lock(&u->lock);
	if (rc && !u->setup_err)
		u->setup_err = rc;
	u->reported++;
	pthread_cond_broadcast(&u->cond);
	while (u->state == WAITING)
		pthread_cond_wait(&u->cond, &u->lock);
	s = u->state;
	pthread_mutex_unlock(&u->lock);
	if (rc)
		return NULL;
	if (s == GO)
		serve(q);
	io_uring_queue_exit(&q->ring);
	return NULL;
}

/* --- starting and stopping ----------------------------------------------- */

static bool enabled_by_kernel(void)
{
	char c = 0;
	FILE *f = fopen("/sys/module/fuse/parameters/enable_uring", "re");

	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'Y' || c == '1';
}

/* The kernel makes one queue per possible CPU and picks one by CPU number:
 * "0-N" is all this handles (anything else keeps /dev/fuse). */
static unsigned possible_cpus(void)
{
	char buf[64] = "";
	unsigned long lo, hi;
	char *end;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	lo = strtoul(buf, &end, 10);
	if (end == buf || lo != 0)
		return 0;
	if (*end == '\n' || *end == 0)
		return 1;
	if (*end != '-')
		return 0;
	hi = strtoul(end + 1, &end, 10);
	if (*end != '\n' && *end != 0)
		return 0;
	return hi < LL_URING_MAX_QUEUES ? (unsigned)hi + 1 : 0;
}

static void uring_free(struct ll_uring *u)
{
	if (u->map)
		munmap(u->map, u->map_len);
	if (u->stopfd >= 0)
		close(u->stopfd);
	pthread_cond_destroy(&u->cond);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

/* Ends the threads started so far and frees u. */
static void uring_end(struct ll_uring *u)
{
	uint64_t one = 1;
	unsigned long answered = 0;

	set_state(u, QUIT);
	if (write(u->stopfd, &one, sizeof(one)) != sizeof(one))
		perror("clrfs: io_uring stop");
	for (unsigned i = 0; i < u->nq; i++) {
		if (u->q[i].started)
			pthread_join(u->q[i].thread, NULL);
		answered += u->q[i].answered;
	}
	if (u->trace && u->state == GO)
		fprintf(stderr, "clrfs: io_uring: %lu requests answered by %u queues\n", answered,
			u->nq);
	uring_free(u);
}

int ll_uring_start(struct fuse_session *se, bool trace, struct ll_uring **out)
{
	const size_t stride = PREFIX + PAYLOAD_MAX;
	unsigned nq = possible_cpus();
	struct ll_uring *u;
	int rc = 0;

	if (!enabled_by_kernel() || nq == 0)
		return -EOPNOTSUPP;
	u = calloc(1, sizeof(*u) + nq * sizeof(u->q[0]));
	if (!u)
		return -ENOMEM;
	u->se = se;
	u->fd = fuse_session_fd(se);
	u->trace = trace;
	u->nq = nq;
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cond, NULL);
	u->stopfd = eventfd(0, EFD_CLOEXEC);
	/* Address space only: the kernel touches what requests use. */
	u->map_len = (size_t)nq * QUEUE_DEPTH * stride;
	u->map = mmap(NULL, u->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (u->map == MAP_FAILED)
		u->map = NULL;
	if (u->stopfd < 0 || !u->map) {
		rc = -errno;
		uring_free(u);
		return rc;
	}
	for (unsigned i = 0; i < nq; i++) {
		struct queue *q = &u->q[i];

		q->u = u;
		q->qid = i;
		for (unsigned k = 0; k < QUEUE_DEPTH; k++) {
			struct ent *e = &q->ents[k];

			e->payload = u->map + (i * QUEUE_DEPTH + k) * stride + PREFIX;
			e->iov[0] = (struct iovec){&e->hdr, sizeof(e->hdr)};
			e->iov[1] = (struct iovec){e->payload, PAYLOAD_MAX};
		}
	}
	for (unsigned i = 0; i < nq && !rc; i++) {
		rc = ll_thread_start(&u->q[i].thread, queue_main, &u->q[i]);
		u->q[i].started = rc == 0;
	}
	pthread_mutex_lock(&u->lock);
	for (unsigned started = 0; !rc;) {
		for (unsigned i = started = 0; i < nq; i++)
			started += u->q[i].started;
		if (u->reported == started)
			break;
		pthread_cond_wait(&u->cond, &u->lock);
	}
	if (!rc)
		rc = u->setup_err;
	pthread_mutex_unlock(&u->lock);
	the_uring = u;
	if (!rc)
		rc = fuse_session_custom_io(se, &lu_io, u->fd);
	if (rc) {
		the_uring = NULL;
		uring_end(u);
		return rc;
	}
	*out = u;
	return 0;
}

void ll_uring_stop(struct ll_uring *u)
{
	if (!u)
		return;
	the_uring = NULL;
	uring_end(u);
}
