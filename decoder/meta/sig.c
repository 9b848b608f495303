// SPDX-License-Identifier: MIT
// Signature blobs: compressed integers, type tokens and Types (ECMA-335 II.23.2).
#include "meta_i.h"

#include <errno.h>

#define SIG_DEPTH_MAX 16

void meta_sig_init(struct meta_sig_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->end = p ? p + len : p;
}

int meta_sig_u8(struct meta_sig_reader *r, uint8_t *out)
{
	if (r->p == r->end)
		return -EBADMSG;
	*out = *r->p++;
	return 0;
}

static int sig_peek(const struct meta_sig_reader *r, uint8_t *out)
{
	if (r->p == r->end)
		return -EBADMSG;
	*out = *r->p;
	return 0;
}

/* II.23.2: 0xxxxxxx (7 bits), 10xxxxxx + 1 byte (14 bits), 110xxxxx + 3 bytes (29 bits). */
static int sig_compressed(struct meta_sig_reader *r, uint32_t *out, unsigned *bits)
{
	size_t avail = (size_t)(r->end - r->p);
	const uint8_t *p = r->p;

	if (avail < 1)
		return -EBADMSG;
	if ((p[0] & 0x80) == 0) {
		*out = p[0];
		*bits = 7;
		r->p += 1;
	} else if ((p[0] & 0xc0) == 0x80) {
		if (avail < 2)
			return -EBADMSG;
		*out = (uint32_t)(p[0] & 0x3f) << 8 | p[1];
		*bits = 14;
		r->p += 2;
	} else if ((p[0] & 0xe0) == 0xc0) {
		if (avail < 4)
			return -EBADMSG;
		*out = (uint32_t)(p[0] & 0x1f) << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
		       p[3];
		*bits = 29;
		r->p += 4;
	} else {
		return -EBADMSG;
	}
	return 0;
}

int meta_sig_uint(struct meta_sig_reader *r, uint32_t *out)
{
	unsigned bits;
	return sig_compressed(r, out, &bits);
}

/* II.23.2: the value is rotated left by one within its width, sign bit last. */
int meta_sig_int(struct meta_sig_reader *r, int32_t *out)
{
	uint32_t u;
	unsigned bits;
	int rc = sig_compressed(r, &u, &bits);
	if (rc)
		return rc;
	int32_t v = (int32_t)(u >> 1);
	if (u & 1)
		v -= (int32_t)1 << (bits - 1);
	*out = v;
	return 0;
}

int meta_sig_token(struct meta_sig_reader *r, uint32_t *token)
{
	static const uint8_t tables[3] = {META_TABLE_TYPEDEF, META_TABLE_TYPEREF,
					  META_TABLE_TYPESPEC};
	uint32_t v;
	int rc = meta_sig_uint(r, &v);
	if (rc)
		return rc;
	if ((v & 3) == 3 || (v >> 2) == 0)
		return -EBADMSG;
	*token = META_TOKEN(tables[v & 3], v >> 2);
	return 0;
}

static int skip_type(struct meta_sig_reader *r, int depth);

/* CustomMod*, II.23.2.7. */
static int skip_mods(struct meta_sig_reader *r)
{
	uint8_t b;
	uint32_t tok;
	while (sig_peek(r, &b) == 0 && (b == META_ELEM_CMOD_REQD || b == META_ELEM_CMOD_OPT)) {
		r->p++;
		if (meta_sig_token(r, &tok))
			return -EBADMSG;
	}
	return 0;
}

/* ArrayShape, II.23.2.13; *rank set. */
static int skip_shape(struct meta_sig_reader *r, uint32_t *rank)
{
	uint32_t n, u;
	int32_t s;
	if (meta_sig_uint(r, rank) || meta_sig_uint(r, &n))
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++)
		if (meta_sig_uint(r, &u))
			return -EBADMSG;
	if (meta_sig_uint(r, &n))
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++)
		if (meta_sig_int(r, &s))
			return -EBADMSG;
	return 0;
}

/* MethodDefSig / MethodRefSig (II.23.2.1-2) after FNPTR: return type and
 * parameters, each CustomMod* [BYREF] Type, with a SENTINEL before varargs. */
static int skip_method(struct meta_sig_reader *r, int depth)
{
	uint8_t conv, b;
	uint32_t n, gen;
	if (meta_sig_u8(r, &conv))
		return -EBADMSG;
	if ((conv & META_SIG_GENERIC) && meta_sig_uint(r, &gen))
		return -EBADMSG;
	if (meta_sig_uint(r, &n))
		return -EBADMSG;
	for (uint64_t i = 0; i <= n; i++) {
		if (skip_mods(r) || sig_peek(r, &b))
			return -EBADMSG;
		if (b == META_ELEM_SENTINEL && i > 0) {
			r->p++;
			i--;
			continue;
		}
		if (skip_type(r, depth + 1))
			return -EBADMSG;
	}
	return 0;
}

/* Decodes one Type at the cursor into out (when not NULL). */
static int read_type(struct meta_sig_reader *r, struct meta_type *out, int depth)
{
	struct meta_type t = {0};
	const uint8_t *start;
	uint8_t e;

	if (depth > SIG_DEPTH_MAX)
		return -EBADMSG;
	if (skip_mods(r) || meta_sig_u8(r, &e))
		return -EBADMSG;
	t.elem = e;
	switch (e) {
	case META_ELEM_VOID:
	case META_ELEM_BOOLEAN:
	case META_ELEM_CHAR:
	case META_ELEM_I1:
	case META_ELEM_U1:
	case META_ELEM_I2:
	case META_ELEM_U2:
	case META_ELEM_I4:
	case META_ELEM_U4:
	case META_ELEM_I8:
	case META_ELEM_U8:
	case META_ELEM_R4:
	case META_ELEM_R8:
	case META_ELEM_I:
	case META_ELEM_U:
	case META_ELEM_STRING:
	case META_ELEM_OBJECT:
	case META_ELEM_TYPEDBYREF:
		break;
	case META_ELEM_CLASS:
	case META_ELEM_VALUETYPE:
		if (meta_sig_token(r, &t.token))
			return -EBADMSG;
		break;
	case META_ELEM_VAR:
	case META_ELEM_MVAR:
		if (meta_sig_uint(r, &t.number))
			return -EBADMSG;
		break;
	case META_ELEM_PTR:
	case META_ELEM_BYREF:
	case META_ELEM_SZARRAY:
	case META_ELEM_PINNED:
		start = r->p;
		if (skip_type(r, depth + 1))
			return -EBADMSG;
		t.inner = start;
		t.inner_len = (size_t)(r->p - start);
		break;
	case META_ELEM_ARRAY:
		start = r->p;
		if (skip_type(r, depth + 1))
			return -EBADMSG;
		t.inner = start;
		t.inner_len = (size_t)(r->p - start);
		if (skip_shape(r, &t.number))
			return -EBADMSG;
		break;
	case META_ELEM_GENERICINST:
		if (meta_sig_u8(r, &t.generic_elem) || meta_sig_token(r, &t.token) ||
		    meta_sig_uint(r, &t.number) || t.number == 0)
			return -EBADMSG;
		if (t.generic_elem != META_ELEM_CLASS && t.generic_elem != META_ELEM_VALUETYPE)
			return -EBADMSG;
		start = r->p;
		for (uint32_t i = 0; i < t.number; i++)
			if (skip_type(r, depth + 1))
				return -EBADMSG;
		t.inner = start;
		t.inner_len = (size_t)(r->p - start);
		break;
	case META_ELEM_FNPTR:
		start = r->p;
		if (skip_method(r, depth))
			return -EBADMSG;
		t.inner = start;
		t.inner_len = (size_t)(r->p - start);
		break;
	default:
		return -EBADMSG;
	}
	if (out)
		*out = t;
	return 0;
}

static int skip_type(struct meta_sig_reader *r, int depth)
{
	return read_type(r, NULL, depth);
}

int meta_sig_type(struct meta_sig_reader *r, struct meta_type *out)
{
	struct meta_sig_reader c = *r;
	int rc = read_type(&c, out, 0);
	if (rc == 0)
		*r = c;
	return rc;
}

/* A token from a signature must name a row of this image. */
static bool token_ok(const struct meta *m, uint32_t token)
{
	return meta_rid_ok(m, META_TOKEN_TABLE(token), META_TOKEN_RID(token));
}

int meta_field_sig_type(const struct meta *m, const uint8_t *blob, size_t len,
			struct meta_type *out)
{
	struct meta_sig_reader r;
	struct meta_type t;
	uint8_t b;

	meta_sig_init(&r, blob, len);
	if (meta_sig_u8(&r, &b) || b != META_SIG_FIELD)
		return -EBADMSG;
	if (meta_sig_type(&r, &t) || t.elem == META_ELEM_VOID || t.elem == META_ELEM_PINNED)
		return -EBADMSG;
	if (t.token && !token_ok(m, t.token))
		return -EBADMSG;
	*out = t;
	return 0;
}
