// SPDX-License-Identifier: MIT
// The dumped process's local UTC offset, for the round-trip text of Local DateTimes.
//
// .NET keeps the local zone in TimeZoneInfo.s_cachedData._localTimeZone
// (System.Private.CoreLib TimeZoneInfo.cs; field names checked on 10.0.12
// dumps). Static fields are not read yet, so the cache object is found on the
// heap: it must be the only System.TimeZoneInfo+CachedData object. The offset
// is fixed when the zone has no daylight saving time and none of its
// adjustment rules moves the base offset; then it is _baseUtcOffset. Any
// other zone's offset depends on the date, which is not evaluated: Local
// DateTimes then print without an offset, never with a guessed one.
#include "managed_i.h"

#include "dump.h"
#include "fields.h"
#include "heap.h"
#include "heapindex.h"
#include "objects.h"
#include "runtime.h"
#include "values.h"

#include <errno.h>

#define TICKS_PER_MINUTE 600000000LL
#define RULES_MAX 4096

/* Reads the reference field name of the object obj (of type mt). */
static int read_ref(struct rt *rt, uint64_t obj, uint64_t mt, const char *name, uint64_t *out)
{
	return mv_read_ref_field(rt, mt, rt_object_fields(rt, obj), name, out);
}

static int object_mt(struct rt *rt, uint64_t obj, uint64_t *mt)
{
	uint64_t size;
	return rt_object_size(rt, obj, mt, &size);
}

/* The TimeSpan field name (its _ticks) of the object obj of type mt. */
static int read_timespan(struct rt *rt, uint64_t obj, uint64_t mt, const char *name, int64_t *ticks)
{
	const struct rt_field *f;
	uint64_t v;
	int rc = mv_field_named(rt, mt, name, &f);

	rc = rc ? rc : (f->type_mt ? 0 : -ENOENT);
	rc = rc ? rc
		: mv_read_int_field(rt, f->type_mt, rt_object_fields(rt, obj) + f->offset, "_ticks",
				    &v);
	if (!rc)
		*ticks = (int64_t)v;
	return rc;
}

/* 0 when no adjustment rule of the array rules changes the base offset. */
static int rules_keep_base(struct rt *rt, uint64_t rules)
{
	struct rt_array a;
	uint64_t rule, mt;
	int64_t delta;
	int rc = rules ? rt_array_read(rt, rules, &a) : 0;

	if (rc || !rules)
		return rc;
	if (a.length > RULES_MAX || a.component_size != dump_pointer_size(rt_dump(rt)))
		return -EBADMSG;
	for (uint64_t i = 0; i < a.length; i++) {
		rc = dump_read_ptr(rt_dump(rt), a.data + i * a.component_size, &rule);
		rc = rc ? rc : (rule ? object_mt(rt, rule, &mt) : -EBADMSG);
		rc = rc ? rc : read_timespan(rt, rule, mt, "_baseUtcOffsetDelta", &delta);
		if (rc)
			return rc;
		if (delta)
			return -ERANGE;
	}
	return 0;
}

int32_t mv_local_offset(struct rt *rt)
{
	const struct rt_heap_type *cached;
	struct rt_heap_index *ix;
	uint64_t cache, zone, zone_mt, rules, dst;
	int64_t base;
	int rc = rt_heap_type_by_name(rt, "System.TimeZoneInfo+CachedData", &cached);

	rc = rc ? rc : rt_heap_index(rt, &ix);
	if (rc || cached->count != 1)
		return MV_OFFSET_UNKNOWN;
	cache = rt_heap_index_object(ix, cached, 0);
	rc = read_ref(rt, cache, cached->mt, "_localTimeZone", &zone);
	rc = rc ? rc : (zone ? object_mt(rt, zone, &zone_mt) : -ENOENT);
	rc = rc ? rc : mv_read_int_field(rt, zone_mt, rt_object_fields(rt, zone),
					 "_supportsDaylightSavingTime", &dst);
	rc = rc ? rc : (dst & 0xff ? -ERANGE : 0);
	rc = rc ? rc : read_ref(rt, zone, zone_mt, "_adjustmentRules", &rules);
	rc = rc ? rc : rules_keep_base(rt, rules);
	rc = rc ? rc : read_timespan(rt, zone, zone_mt, "_baseUtcOffset", &base);
	if (rc || base % TICKS_PER_MINUTE || base / TICKS_PER_MINUTE < -24 * 60 ||
	    base / TICKS_PER_MINUTE > 24 * 60)
		return MV_OFFSET_UNKNOWN;
	return (int32_t)(base / TICKS_PER_MINUTE);
}
