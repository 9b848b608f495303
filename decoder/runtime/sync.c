// SPDX-License-Identifier: MIT
// Monitors: the thin lock an object's header holds, or the sync block its
// header indexes (src/coreclr/vm/syncblk.h; docs/design/datacontracts/
// SyncBlock.md). A thin lock is the holder's managed thread id and its
// recursion level (times held - 1). An inflated Monitor is a SyncTableEntry
// { SyncBlock, Object } in g_pSyncTable; its SyncBlock starts with an
// AwareLock on 8.0 to 10.0 ({ state, recursion, holder }: the holder a
// Thread* on 8.0 and 9.0, its managed id on 10.0) and holds a handle to a
// System.Threading.Lock from 11.0, or the thin lock's bits until that Lock
// is made. Before 11.0 the threads in Monitor.Wait queue on the SyncBlock.
#include "sync.h"

#include "dump.h"
#include "runtime.h"
#include "runtime_i.h"

#include <errno.h>
#include <string.h>

static void thin(const struct rt_lay_sync *l, uint32_t v, struct rt_monitor *out)
{
	out->owner = v & l->tid_mask;
	out->recursion = out->owner ? ((v & l->rec_mask) >> l->rec_shift) + 1 : 0;
}

/* The managed id of the thread whose Thread is at addr; 0 when none is. */
static uint32_t thread_id_at(struct rt *rt, uint64_t addr)
{
	const struct rt_thread *t = rt_thread_find(rt, RT_THREAD_ADDR, addr);

	return t ? t->managed_id : 0;
}

/* The threads in Monitor.Wait on the sync block sb (8.0-10.0): SyncBlock's
 * m_Link heads a list of the WaitEventLinks on their stacks, linked through
 * m_LinkSB; each names its SyncBlock (checked) and its Thread. */
static int wait_queue(struct rt *rt, uint64_t sb, struct rt_monitor *out)
{
	const struct rt_lay_sync *l = &rt->lay.sync;
	uint64_t link, back, thread;

	if (dump_read_ptr(rt->d, sb + l->sb_link, &link))
		return -EIO;
	for (unsigned steps = 0; link && steps < RT_MONITOR_WAIT_STEPS; steps++) {
		uint64_t wel = link - l->wel_link;
		/* On the waiting thread's stack: read once (dump_read_cold()). */
		if (dump_read_cold_ptr(rt->d, wel + l->wel_sb, &back) || back != sb ||
		    dump_read_cold_ptr(rt->d, wel + l->wel_thread, &thread))
			return -EBADMSG;
		if (out->nwait < RT_MONITOR_WAIT_MAX)
			out->wait[out->nwait] = thread_id_at(rt, thread);
		out->nwait++;
		if (dump_read_cold_ptr(rt->d, link, &link))
			return -EIO;
	}
	return 0;
}

int rt_monitor_read(struct rt *rt, uint64_t obj, uint32_t value, struct rt_monitor *out)
{
	const struct rt_lay_sync *l = &rt->lay.sync;
	uint64_t entry, back, sb;
	int rc = rt_layout_err(rt, RT_LG_SYNC);

	memset(out, 0, sizeof(*out));
	out->obj = obj;
	if (rc)
		return rc;
	if (!(value & l->is_index)) {
		thin(l, value, out);
		return 0;
	}
	if (value & l->is_hash)
		return -ENOENT; /* a hash code, no lock */
	out->index = value & l->index_mask;
	if (dump_read_ptr(rt->d, l->sync_table, &entry) || !entry)
		return -EIO;
	entry += (uint64_t)out->index * l->ste_size;
	if (dump_read_ptr(rt->d, entry + l->ste_sb, &sb) ||
	    dump_read_ptr(rt->d, entry + l->ste_obj, &back))
		return -EIO;
	if (back != obj || !sb)
		return -EBADMSG;
	out->syncblock = sb;
	if (l->managed_lock) {
		uint64_t h;
		uint32_t v;
		if (dump_read_ptr(rt->d, sb + l->sb_lock, &h) ||
		    (h && dump_read_ptr(rt->d, h, &out->lock)))
			return -EIO;
		if (!out->lock) {
			if (dump_read_u32(rt->d, sb + l->sb_thin, &v))
				return -EIO;
			thin(l, v, out);
		}
		return 0;
	}
	uint32_t state, rec;
	uint64_t holder = 0;
	sb += l->aw_at;
	if (dump_read_u32(rt->d, sb + l->aw_state, &state) ||
	    dump_read_u32(rt->d, sb + l->aw_rec, &rec))
		return -EIO;
	if (l->aw_holder_id) {
		uint32_t id;
		if (dump_read_u32(rt->d, sb + l->aw_holder, &id))
			return -EIO;
		holder = id;
	} else if (dump_read_ptr(rt->d, sb + l->aw_holder, &holder)) {
		return -EIO;
	}
	out->waiters = state >> l->aw_waiter_shift;
	if (state & l->aw_locked) {
		out->owner = l->aw_holder_id ? (uint32_t)holder : thread_id_at(rt, holder);
		if (!out->owner)
			out->owner = RT_OWNER_UNKNOWN; /* held; the Thread is not listed */
		out->recursion = rec;
	}
	return wait_queue(rt, out->syncblock, out);
}

int rt_lock_bits(struct rt *rt, struct rt_lock_bits *out)
{
	const struct rt_lay_sync *l = &rt->lay.sync;
	int rc = rt_layout_err(rt, RT_LG_SYNC);

	if (rc)
		return rc;
	if (!l->lock_known)
		return -ENOTSUP;
	*out = (struct rt_lock_bits){
		.locked = l->lock_locked, .waiter_shift = l->lock_waiter_shift, .owner_os = l->lock_owner_os};
	return 0;
}

int rt_object_locked(struct rt *rt, uint64_t obj)
{
	const struct rt_lay_sync *l = &rt->lay.sync;
	uint32_t v;
	int rc = rt_layout_err(rt, RT_LG_SYNC);

	rc = rc ? rc : dump_read_u32(rt->d, obj - l->hdr_value, &v);
	if (rc)
		return rc;
	return (v & l->is_index) ? !(v & l->is_hash) : (v & l->tid_mask) != 0;
}

int rt_thread_blocking(struct rt *rt, uint64_t thread, struct rt_blocking *out, size_t max,
		       size_t *n)
{
	const struct rt_lay_sync *l = &rt->lay.sync;
	uint64_t item;
	int rc = rt_layout_err(rt, RT_LG_SYNC);

	*n = 0;
	if (rc)
		return rc;
	if (l->managed_lock)
		return -ENOTSUP;
	if (dump_read_ptr(rt->d, thread + l->th_blocking, &item))
		return -EIO;
	for (unsigned steps = 0; item && steps < RT_MONITOR_WAIT_STEPS; steps++) {
		uint64_t aw, type = 0;
		/* On the thread's stack: read once, not through the map. */
		if (dump_read_cold_ptr(rt->d, item + l->dbi_monitor, &aw) ||
		    dump_read_cold(rt->d, item + l->dbi_type, &type, 4))
			return -EIO;
		/* DebugBlock_MonitorCriticalSection (0), DebugBlock_MonitorEvent (1) */
		if (!aw || type > 1)
			return -EBADMSG;
		if (*n < max)
			out[*n] = (struct rt_blocking){.syncblock = aw - l->aw_at, .wait = type == 1};
		(*n)++;
		if (dump_read_cold_ptr(rt->d, item + l->dbi_next, &item))
			return -EIO;
	}
	return 0;
}
