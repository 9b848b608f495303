// SPDX-License-Identifier: MIT
// The CoreCLR runtime in a dump: libcoreclr, its version and contract descriptor.
#include "runtime_i.h"

#include "dump.h"
#include "heap_i.h"
#include "heapindex.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORECLR_NAME	    "libcoreclr.so"
#define DESCRIPTOR_SYMBOL   "DotNetRuntimeContractDescriptor"
#define RUNTIME_INFO_SYMBOL "DotNetRuntimeInfo"
#define SCCSID_PREFIX	    "@(#)Version "
#define SCAN_CHUNK	    (256u << 10)
#define SCAN_PAGE	    4096u
#define SCAN_OVERLAP	    256u

/* dotnet/runtime src/coreclr/debug/inc/runtimeinfo.h: struct RuntimeInfo
 * { char Signature[18] "DotNetRuntimeInfo"; int Version; SYMBOL_INDEX
 * RuntimeModuleIndex[24], DacModuleIndex[24], DbiModuleIndex[24];
 * int RuntimeVersion[4] (Version >= 2) }. */
#define RTINFO_VERSION_OFF 20
#define RTINFO_FILEVER_OFF 96

/* File version build field = patch * 100 + a build-time suffix (dotnet/arcade
 * Documentation/CorePackages/Versioning.md); 10.0.1226.42308 is 10.0.12. */
static void product_version(struct rt *rt, unsigned major, unsigned minor, unsigned build)
{
	snprintf(rt->version, sizeof(rt->version), "%u.%u.%u", major, minor, build / 100);
}

/* Newer runtimes export DotNetRuntimeInfo with the file version. */
static int version_from_runtime_info(struct rt *rt)
{
	uint64_t addr;
	uint8_t buf[RTINFO_FILEVER_OFF + 16];
	int32_t ver, fv[4];

	if (dump_module_symbol(rt->d, rt->mod, RUNTIME_INFO_SYMBOL, &addr) ||
	    dump_read_image(rt->d, addr, buf, sizeof(buf)) ||
	    memcmp(buf, RUNTIME_INFO_SYMBOL, 18) != 0)
		return -ENOENT;
	memcpy(&ver, buf + RTINFO_VERSION_OFF, 4);
	if (ver < 2)
		return -ENOENT;
	memcpy(fv, buf + RTINFO_FILEVER_OFF, sizeof(fv));
	if (fv[0] <= 0 || fv[1] < 0 || fv[2] < 0)
		return -ENOENT;
	product_version(rt, (unsigned)fv[0], (unsigned)fv[1], (unsigned)fv[2]);
	return 0;
}

/* The descriptor of 11.0 names the product version (RuntimeProductVersionString). */
static int version_from_descriptor(struct rt *rt)
{
	const char *v = rt_global_string(rt, "RuntimeProductVersionString");
	unsigned major, minor, patch;
	char tail;

	if (!v || sscanf(v, "%u.%u.%u%c", &major, &minor, &patch, &tail) < 3)
		return -ENOENT;
	snprintf(rt->version, sizeof(rt->version), "%u.%u.%u", major, minor, patch);
	return 0;
}

/* Looks for the sccsid string in buf[0, n); 0 when found and parsed. */
static int sccsid_in(struct rt *rt, const char *buf, size_t n)
{
	size_t plen = strlen(SCCSID_PREFIX);
	unsigned major, minor, build, rev;

	for (const char *p = buf; (p = memmem(p, n - (size_t)(p - buf), SCCSID_PREFIX, plen));
	     p++) {
		const char *s = p + plen;
		size_t left = n - (size_t)(s - buf), len = strnlen(s, left < 128 ? left : 128);
		if (len == left || len == 128)
			continue; /* cut off by the end of what was read, or not a string */
		if (sscanf(s, "%u.%u.%u.%u", &major, &minor, &build, &rev) != 4)
			continue;
		snprintf(rt->build, sizeof(rt->build), "%s", s);
		if (!rt->version[0])
			product_version(rt, major, minor, build);
		return 0;
	}
	return -ENOENT;
}

/* libcoreclr for linux-x64 exports no DotNetRuntimeInfo on 8.0 to 11.0
 * (readelf --dyn-syms). The build stamps the what(1)-style string
 * "@(#)Version MAJ.MIN.BUILD.REV @Commit: SHA" into libcoreclr's .data (seen
 * with strings -a on 8.0.34, 9.0.23, 10.0.12 and 11.0.0); it has no symbol,
 * so we scan the module's mappings for it, page by page: a heap dump holds
 * only some pages of .data, and a missing page must not hide the others.
 * A run of readable pages is scanned as one, so the string may cross pages. */
static int version_from_sccsid(struct rt *rt)
{
	const struct dump_module *m = rt->mod;
	char *buf = malloc(SCAN_CHUNK + SCAN_OVERLAP);
	size_t fill = 0;
	int rc = -ENOENT;

	if (!buf)
		return -ENOMEM;
	for (uint64_t a = m->start & ~(uint64_t)(SCAN_PAGE - 1); a < m->end && rc; a += SCAN_PAGE) {
		if (dump_read_image(rt->d, a, buf + fill, SCAN_PAGE)) {
			rc = fill ? sccsid_in(rt, buf, fill) : rc;
			fill = 0;
			continue;
		}
		fill += SCAN_PAGE;
		if (fill >= SCAN_CHUNK) {
			rc = sccsid_in(rt, buf, fill);
			/* Keep the end: the string may go on in the next page. */
			memmove(buf, buf + fill - SCAN_OVERLAP, SCAN_OVERLAP);
			fill = SCAN_OVERLAP;
		}
	}
	if (rc && fill)
		rc = sccsid_in(rt, buf, fill);
	free(buf);
	return rc;
}

int rt_open(struct dump *d, struct rt **out, char *err, size_t errlen)
{
	uint64_t desc;
	int rc;
	struct rt *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return -ENOMEM;
	rt->d = d;
	rt->mod = dump_module_find(d, CORECLR_NAME);
	if (!rt->mod) {
		snprintf(err, errlen, "not a .NET process: no %s among the %zu modules of the dump",
			 CORECLR_NAME, dump_module_count(d));
		rc = -ENOENT;
		goto out;
	}
	rt->base = rt->mod->start;
	rc = dump_module_symbol(d, rt->mod, DESCRIPTOR_SYMBOL, &desc);
	if (rc == -ENOENT) {
		/* .NET 8 has no contract descriptor: the tables of the layout
		 * layer give what the decoder needs (layout_lines.c). */
		rc = rt_descriptor_init(rt);
		rt->desc_source = "none";
	} else if (rc) {
		snprintf(err, errlen,
			 "cannot read the symbol table of %s: the dump lacks it and no matching "
			 "file of it could be read",
			 rt->mod->path);
		rc = -EIO;
	} else {
		rc = rt_descriptor_load(rt, desc, err, errlen);
	}
	if (rc)
		goto out;
	version_from_runtime_info(rt);
	version_from_descriptor(rt);
	version_from_sccsid(rt);
	if (!rt->version[0]) {
		snprintf(err, errlen, "cannot tell the version of the runtime in %s",
			 rt->mod->path);
		rc = -ENOTSUP;
		goto out;
	}
	rt_layout_load(rt);
out:
	if (rc) {
		rt_close(rt);
		return rc;
	}
	*out = rt;
	return 0;
}

void rt_close(struct rt *rt)
{
	if (!rt)
		return;
	rt_descriptor_free(rt);
	free(rt->threads);
	rt_gc_free(rt->gc);
	rt_heap_index_free(rt->heap_index);
	for (int p = 0; p < RT_PART_COUNT; p++)
		if (rt->part[p] && rt->part_free[p])
			rt->part_free[p](rt->part[p]);
	rt_fields_free(rt->fields);
	rt_types_free(rt->typenames);
	rt_heap_names_free(rt->heap_names);
	rt_objmt_free(rt->objmt);
	free(rt->handles);
	free(rt->fq);
	free(rt);
}

int rt_once(struct rt *rt, struct rt_once *o, int (*build)(struct rt *rt))
{
	int rc;

	if (o->state == 1)
		return 0;
	if (o->state < 0)
		return o->state;
	if (o->state == 2)
		return -EDEADLK;
	o->state = 2;
	rc = build(rt);
	o->state = rc == -ENOMEM ? 0 : rc ? rc : 1;
	return rc;
}

int rt_part(struct rt *rt, enum rt_part p, int (*build)(struct rt *rt, void **value),
	    void (*destroy)(void *value), void **out)
{
	struct rt_once *o = &rt->part_once[p];
	int rc;

	/* rt_once()'s states, with the part's own build and value. */
	if (o->state == 2)
		return -EDEADLK;
	if (!o->state) {
		o->state = 2;
		rt->part_free[p] = destroy;
		rc = build(rt, &rt->part[p]);
		o->state = rc == -ENOMEM ? 0 : rc ? rc : 1;
	}
	if (o->state != 1)
		return o->state < 0 ? o->state : -ENOMEM;
	*out = rt->part[p];
	return 0;
}

struct dump *rt_dump(struct rt *rt)
{
	return rt->d;
}
const char *rt_version(struct rt *rt)
{
	return rt->version;
}
const char *rt_build(struct rt *rt)
{
	return rt->build;
}
const char *rt_module_path(struct rt *rt)
{
	return rt->mod->path;
}
uint64_t rt_module_base(struct rt *rt)
{
	return rt->base;
}
const char *rt_descriptor_source(struct rt *rt)
{
	return rt->desc_source;
}
