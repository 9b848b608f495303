// SPDX-License-Identifier: MIT
// The runtime's contract descriptor: JSON layouts and globals, as a layout provider.
//
// Format: dotnet/runtime docs/design/datacontracts/contract-descriptor.md and
// data_descriptor.md. The exported struct (64-bit offsets) is
//   u64 magic "DNCCDAC\0"; u32 flags (bit 1: 32-bit pointers); u32 json size;
//   ptr json; u32 pointer_data_count; u32 pad; ptr pointer_data
// The JSON holds "types", "globals", "contracts" and optional "subDescriptors".
// A global written as [[i], "type"] is indirect: its value is pointer_data[i].
#include "runtime_i.h"

#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESC_MAGIC	  0x0043414443434e44ULL /* "DNCCDAC\0" little-endian */
#define DESC_FLAG_32BIT	  0x2u
#define DESC_JSON_MAX	  (4u << 20)
#define DESC_POINTERS_MAX 65536u
#define DESC_DEPTH_MAX	  4

struct desc_hdr {
	uint64_t magic;
	uint32_t flags, json_size;
	uint64_t json;
	uint32_t pointer_count, pad;
	uint64_t pointers;
};
_Static_assert(sizeof(struct desc_hdr) == 32 + 8,
	       "contract descriptor header is 40 bytes on 64-bit");

/* A number given as a JSON integer or as a decimal or 0x-hex string. */
static int json_u64(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		unsigned long long x = strtoull(s, &end, 0);
		if (errno || end == s || *end)
			return -EBADMSG;
		*out = x;
		return 0;
	}
	return -EBADMSG;
}

static int add_global(struct rt *rt, const char *name, const json_t *v, const uint64_t *ptrs,
		      uint32_t nptrs)
{
	const json_t *val = v, *type = NULL;
	struct rt_global *g;
	uint64_t x = 0;
	int indirect = 0;

	if (json_is_array(v)) {
		if (json_array_size(v) < 1 || json_array_size(v) > 2)
			return -EBADMSG;
		val = json_array_get(v, 0);
		type = json_array_get(v, 1);
		if (json_is_array(val)) {
			if (json_array_size(val) != 1 || json_u64(json_array_get(val, 0), &x))
				return -EBADMSG;
			indirect = 1;
		}
	}
	HASH_FIND_STR(rt->globals, name, g);
	if (g)
		return -EEXIST;
	g = calloc(1, sizeof(*g));
	if (!g || !(g->name = strdup(name))) {
		free(g);
		return -ENOMEM;
	}
	if (indirect) {
		if (x >= nptrs)
			goto bad;
		g->value = ptrs[x];
	} else if (type && json_is_string(type) && strcmp(json_string_value(type), "string") == 0) {
		if (!json_is_string(val) || !(g->string = strdup(json_string_value(val))))
			goto bad;
	} else if (json_u64(val, &g->value)) {
		goto bad;
	}
	HASH_ADD_KEYPTR(hh, rt->globals, g->name, strlen(g->name), g);
	rt->nglobals++;
	return 0;
bad:
	free(g->name);
	free(g->string);
	free(g);
	return -EBADMSG;
}

/* Merges one object of named entries into dst; duplicate names are an error. */
static int merge_object(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;
	if (!json_is_object(src))
		return -EBADMSG;
	json_object_foreach(src, k, v)
	{
		if (json_object_get(dst, k))
			return -EEXIST;
		if (json_object_set(dst, k, v))
			return -ENOMEM;
	}
	return 0;
}

int rt_descriptor_parse(struct rt *rt, const char *json, size_t len, const uint64_t *ptrs,
			uint32_t nptrs, json_t **subs, char *err, size_t errlen)
{
	json_error_t jerr;
	const char *k;
	json_t *v;
	int rc = -EBADMSG;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root || !json_is_object(root)) {
		snprintf(err, errlen, "the contract descriptor's JSON is malformed: %s",
			 root ? "not an object" : jerr.text);
		goto out;
	}
	json_t *types = json_object_get(root, "types"), *globals = json_object_get(root, "globals");
	json_t *contracts = json_object_get(root, "contracts");
	if ((types && merge_object(rt->types, types)) ||
	    (contracts && merge_object(rt->contracts, contracts))) {
		snprintf(err, errlen,
			 "the contract descriptor's types or contracts are malformed or repeated");
		goto out;
	}
	if (types) {
		/* Every type is an object of offsets; check once so lookups need not. */
		json_object_foreach(types, k, v)
		{
			if (!json_is_object(v)) {
				snprintf(err, errlen,
					 "the contract descriptor's type %s is not an object", k);
				goto out;
			}
		}
	}
	if (globals && !json_is_object(globals)) {
		snprintf(err, errlen, "the contract descriptor's globals are not an object");
		goto out;
	}
	if (globals) {
		json_object_foreach(globals, k, v)
		{
			rc = add_global(rt, k, v, ptrs, nptrs);
			if (rc == -EEXIST)
				rc = -EBADMSG;
			if (rc) {
				snprintf(err, errlen,
					 "the contract descriptor's global %s is malformed or "
					 "repeated",
					 k);
				goto out;
			}
		}
	}
	if (subs) {
		*subs = json_object_get(root, "subDescriptors");
		json_incref(*subs);
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static int load_one(struct rt *rt, uint64_t addr, int depth, char *err, size_t errlen)
{
	struct desc_hdr h;
	struct dump *d = rt->d;
	uint64_t *ptrs = NULL;
	char *json = NULL;
	json_t *subs = NULL;
	int rc;

	if (depth > DESC_DEPTH_MAX) {
		snprintf(err, errlen, "contract descriptor sub-descriptors nest too deep");
		return -EBADMSG;
	}
	/* The header lives in libcoreclr's .data and is never written after
	 * relocation, so its file copy (relocated) stands in when the dump lacks it. */
	rc = dump_read_image(d, addr, &h, sizeof(h));
	if (rc) {
		snprintf(err, errlen,
			 "the runtime's contract descriptor at 0x%016" PRIx64
			 " is not in the dump and no matching libcoreclr.so file could be read",
			 addr);
		goto out;
	}
	if (!dump_has(d, addr, sizeof(h)))
		rt->desc_source = "module file";
	if (h.magic != DESC_MAGIC) {
		snprintf(err, errlen, "the contract descriptor at 0x%016" PRIx64 " has a bad magic",
			 addr);
		rc = -EBADMSG;
		goto out;
	}
	if (h.flags & DESC_FLAG_32BIT) {
		snprintf(err, errlen, "32-bit runtimes are not supported");
		rc = -ENOTSUP;
		goto out;
	}
	if (h.json_size == 0 || h.json_size > DESC_JSON_MAX ||
	    h.pointer_count > DESC_POINTERS_MAX) {
		snprintf(err, errlen,
			 "the contract descriptor's sizes are implausible (json %u bytes, %u "
			 "pointers)",
			 h.json_size, h.pointer_count);
		rc = -EBADMSG;
		goto out;
	}
	json = malloc(h.json_size);
	ptrs = calloc(h.pointer_count ? h.pointer_count : 1, sizeof(*ptrs));
	if (!json || !ptrs) {
		rc = -ENOMEM;
		goto out;
	}
	rc = dump_read_image(d, h.json, json, h.json_size);
	if (!rc && h.pointer_count)
		rc = dump_read_image(d, h.pointers, ptrs, h.pointer_count * sizeof(*ptrs));
	if (rc) {
		snprintf(err, errlen,
			 "the contract descriptor's JSON or pointer data is unreadable");
		goto out;
	}
	if (!dump_has(d, h.json, h.json_size))
		rt->desc_source = "module file";
	rc = rt_descriptor_parse(rt, json, h.json_size, ptrs, h.pointer_count, &subs, err, errlen);
	if (rc)
		goto out;
	const char *k;
	json_t *v;
	if (subs && json_is_object(subs)) {
		json_object_foreach(subs, k, v)
		{
			/* The value is the address of a pointer to another descriptor;
			 * a null pointer means that part is not in use. */
			uint64_t idx, sub = 0;
			const json_t *iv = json_is_array(v) ? json_array_get(v, 0) : NULL;
			if (!json_is_array(iv) || json_u64(json_array_get(iv, 0), &idx) ||
			    idx >= h.pointer_count) {
				snprintf(err, errlen,
					 "the contract descriptor's sub-descriptor %s is malformed",
					 k);
				rc = -EBADMSG;
				goto out;
			}
			if (dump_read_ptr(d, ptrs[idx], &sub) == 0 && sub) {
				rc = load_one(rt, sub, depth + 1, err, errlen);
				if (rc)
					goto out;
			}
		}
	}
	rc = 0;
out:
	json_decref(subs);
	free(json);
	free(ptrs);
	return rc;
}

int rt_descriptor_init(struct rt *rt)
{
	rt->desc_source = "dump";
	rt->types = json_object();
	rt->contracts = json_object();
	return rt->types && rt->contracts ? 0 : -ENOMEM;
}

int rt_descriptor_load(struct rt *rt, uint64_t addr, char *err, size_t errlen)
{
	int rc = rt_descriptor_init(rt);
	return rc ? rc : load_one(rt, addr, 0, err, errlen);
}

void rt_descriptor_free(struct rt *rt)
{
	struct rt_global *g, *tmp;
	HASH_ITER(hh, rt->globals, g, tmp)
	{
		HASH_DEL(rt->globals, g);
		free(g->name);
		free(g->string);
		free(g);
	}
	json_decref(rt->types);
	json_decref(rt->contracts);
	rt->types = rt->contracts = NULL;
}

void rt_descriptor_counts(struct rt *rt, size_t *types, size_t *globals, size_t *contracts)
{
	*types = json_object_size(rt->types);
	*globals = rt->nglobals;
	*contracts = json_object_size(rt->contracts);
}

int rt_field_offset(struct rt *rt, const char *type, const char *field, uint64_t *off)
{
	json_t *t = json_object_get(rt->types, type);
	json_t *f = t ? json_object_get(t, field) : NULL;
	if (json_is_array(f))
		f = json_array_get(f, 0);
	return f && json_u64(f, off) == 0 ? 0 : -ENOENT;
}

int rt_type_size(struct rt *rt, const char *type, uint64_t *size)
{
	json_t *t = json_object_get(rt->types, type);
	json_t *s = t ? json_object_get(t, "!") : NULL;
	return s && json_u64(s, size) == 0 ? 0 : -ENOENT;
}

int rt_global(struct rt *rt, const char *name, uint64_t *value)
{
	struct rt_global *g;
	HASH_FIND_STR(rt->globals, name, g);
	if (!g || g->string)
		return -ENOENT;
	*value = g->value;
	return 0;
}

int rt_global_deref(struct rt *rt, const char *name, uint64_t *value)
{
	uint64_t addr;
	int rc = rt_global(rt, name, &addr);
	return rc ? rc : dump_read_ptr(rt->d, addr, value);
}

const char *rt_global_string(struct rt *rt, const char *name)
{
	struct rt_global *g;
	HASH_FIND_STR(rt->globals, name, g);
	return g ? g->string : NULL;
}
