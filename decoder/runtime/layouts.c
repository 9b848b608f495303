// SPDX-License-Identifier: MIT
// Native layouts the contract descriptor lacks, per runtime version. Each value
// is also checked on every dump by the code that uses it (handles.c,
// finalizer.c): a wrong row fails loudly, it never yields plausible garbage.
#include "layouts.h"

#include "diag.h"
#include "dump.h"
#include "runtime.h"

#include <string.h>

static const struct rt_native_layout layouts[] = {
	/* 10.0 (release/10.0, checked on 10.0.12 = 95017c7): 13 handle types,
	 * HNDTYPE_WEAK_SHORT..HNDTYPE_CROSSREFERENCE (0..11) plus the data
	 * block type 12: seen on the dump as HandleTable.pSegmentList at +56
	 * (align8(13 * 4)) and as each segment's pHandleTable back pointer at
	 * +2006. ExtraSegCount 2 (gcpriv.h, and dac_finalize_queue in
	 * gcinterface.dac.h, which the GC static_asserts to match). */
	{"10.0.", 13, 2},
};

const struct rt_native_layout *rt_native_layout(struct rt *rt)
{
	const char *v = rt_version(rt);

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (strncmp(v, layouts[i].version, strlen(layouts[i].version)) == 0)
			return &layouts[i];
	}
	diag_add(dump_diag(rt_dump(rt)),
		 "no native layout for runtime %s: handles and the finalization queue are "
		 "not read",
		 v);
	return NULL;
}
