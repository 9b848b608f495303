// SPDX-License-Identifier: MIT
// PE/COFF image → CLI header → metadata root and its streams (ECMA-335 II.24, II.25).
#include "meta_i.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes why into err and returns -EBADMSG (meta_i.h). */
int meta_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* True when [off, off+len) lies inside a buffer of size bytes. */
static bool in_range(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Maps [rva, rva+len) to a file offset: through the section whose raw data
 * holds the whole range (FILE layout, II.25.3) or identically (MAPPED). */
static int rva_to_off(int layout, uint64_t size, const uint8_t *sections, uint16_t nsections,
		      uint32_t rva, uint32_t len, uint64_t *off)
{
	if (layout == META_LAYOUT_MAPPED) {
		if (!in_range(rva, len, size))
			return -EBADMSG;
		*off = rva;
		return 0;
	}
	for (uint16_t i = 0; i < nsections; i++) {
		struct meta_section_header s;
		memcpy(&s, sections + (size_t)i * sizeof(s), sizeof(s));
		uint64_t span =
			s.vsize ? (s.vsize < s.raw_size ? s.vsize : s.raw_size) : s.raw_size;
		if (rva < s.rva || rva - s.rva >= span)
			continue;
		if (!in_range(rva - s.rva, len, span) ||
		    !in_range((uint64_t)s.raw_off + (rva - s.rva), len, size))
			return -EBADMSG;
		*off = (uint64_t)s.raw_off + (rva - s.rva);
		return 0;
	}
	return -EBADMSG;
}

/* Finds the CLI header and the metadata through the PE headers. need, when
 * given, is asked for each range before its bytes are looked at. */
static int pe_locate(const uint8_t *img, uint64_t size, int layout, meta_need_fn *need, void *arg,
		     struct meta_location *loc, char *err, size_t errlen)
{
	struct meta_coff_header coff;
	struct meta_cli_header cli;
	struct meta_data_dir dir;
	uint32_t lfanew, sig, ndirs;
	uint16_t magic;
	uint64_t opt, ndirs_off, dirs_off, sect, off;
	int rc;

#define NEED(o, l)                                                                                 \
	do {                                                                                       \
		if (need && (rc = need((o), (l), arg)) != 0)                                       \
			return rc;                                                                 \
	} while (0)
	if (img && size >= 0x40)
		NEED(0, 0x40);
	if (!img || size < 0x40 || meta_le(img, 2) != META_DOS_MAGIC)
		return meta_bad(err, errlen, "not a PE image (no MZ header)");
	lfanew = meta_le(img + META_DOS_LFANEW, 4);
	if (!in_range(lfanew, 4 + sizeof(coff), size))
		return meta_bad(err, errlen, "PE header at 0x%x is outside the image", lfanew);
	NEED(lfanew, 4 + sizeof(coff));
	sig = meta_le(img + lfanew, 4);
	if (sig != META_PE_SIGNATURE)
		return meta_bad(err, errlen, "no PE signature at 0x%x", lfanew);
	memcpy(&coff, img + lfanew + 4, sizeof(coff));
	opt = (uint64_t)lfanew + 4 + sizeof(coff);
	if (!in_range(opt, coff.opt_size, size) || coff.opt_size < 2)
		return meta_bad(err, errlen, "PE optional header is outside the image");
	NEED(opt, coff.opt_size);
	magic = (uint16_t)meta_le(img + opt, 2);
	if (magic == META_PE32_MAGIC) {
		ndirs_off = META_PE32_NDIRS_OFF;
		dirs_off = META_PE32_DIRS_OFF;
	} else if (magic == META_PE32PLUS_MAGIC) {
		ndirs_off = META_PE32PLUS_NDIRS_OFF;
		dirs_off = META_PE32PLUS_DIRS_OFF;
	} else {
		return meta_bad(err, errlen, "unknown PE optional header magic 0x%x", magic);
	}
	if (coff.opt_size < dirs_off + (META_DIR_CLI + 1) * sizeof(dir))
		return meta_bad(err, errlen, "PE optional header has no CLI header directory");
	ndirs = meta_le(img + opt + ndirs_off, 4);
	if (ndirs <= META_DIR_CLI)
		return meta_bad(err, errlen, "not a managed image (%u data directories)", ndirs);
	memcpy(&dir, img + opt + dirs_off + META_DIR_CLI * sizeof(dir), sizeof(dir));
	if (dir.rva == 0 || dir.size < sizeof(cli))
		return meta_bad(err, errlen, "not a managed image (no CLI header)");
	sect = opt + coff.opt_size;
	if (!in_range(sect, (uint64_t)coff.nsections * sizeof(struct meta_section_header), size))
		return meta_bad(err, errlen, "PE section table is outside the image");
	loc->headers_len = sect + (uint64_t)coff.nsections * sizeof(struct meta_section_header);
	NEED(sect, loc->headers_len - sect);
	if (rva_to_off(layout, size, img + sect, coff.nsections, dir.rva, sizeof(cli), &off))
		return meta_bad(err, errlen, "CLI header at RVA 0x%x is outside the image",
				dir.rva);
	loc->cli_off = off;
	loc->cli_len = sizeof(cli);
	NEED(off, sizeof(cli));
	memcpy(&cli, img + off, sizeof(cli));
	if (cli.cb < sizeof(cli))
		return meta_bad(err, errlen, "CLI header is %u bytes, expected 72", cli.cb);
	if (cli.metadata.size < sizeof(struct meta_root) ||
	    rva_to_off(layout, size, img + sect, coff.nsections, cli.metadata.rva,
		       cli.metadata.size, &off))
		return meta_bad(err, errlen, "metadata at RVA 0x%x (%u bytes) is outside the image",
				cli.metadata.rva, cli.metadata.size);
	loc->md_off = off;
	loc->md_len = cli.metadata.size;
	NEED(off, loc->md_len);
	return 0;
#undef NEED
}

int meta_locate(const uint8_t *image, size_t size, int layout, meta_need_fn *need, void *arg,
		struct meta_location *out, char *err, size_t errlen)
{
	struct meta_location loc = {0};
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (layout != META_LAYOUT_FILE && layout != META_LAYOUT_MAPPED)
		return -EINVAL;
	rc = pe_locate(image, image ? size : 0, layout, need, arg, &loc, err, errlen);
	if (!rc)
		*out = loc;
	return rc;
}

/* Finds the metadata root through the PE headers and the CLI header. */
static int pe_parse(struct meta *m, char *err, size_t errlen)
{
	struct meta_location loc = {0};
	int rc = pe_locate(m->image, m->size, m->layout, NULL, NULL, &loc, err, errlen);

	if (rc)
		return rc;
	m->md = m->image + loc.md_off;
	m->md_size = (uint32_t)loc.md_len;
	return 0;
}

/* Reads the metadata root (II.24.2.1) and the stream headers (II.24.2.2). */
static int root_parse(struct meta *m, char *err, size_t errlen)
{
	struct meta_root root;
	uint64_t pos;
	uint16_t nstreams;
	const uint8_t *tables = NULL;
	uint32_t tables_size = 0;

	memcpy(&root, m->md, sizeof(root));
	if (root.signature != META_ROOT_SIGNATURE)
		return meta_bad(err, errlen, "no metadata signature (BSJB)");
	if (root.version_len > META_VERSION_MAX || (root.version_len & 3) ||
	    !in_range(sizeof(root), (uint64_t)root.version_len + 4, m->md_size))
		return meta_bad(err, errlen, "metadata version string of %u bytes is malformed",
				root.version_len);
	memcpy(m->version, m->md + sizeof(root), root.version_len);
	m->version[root.version_len] = '\0';
	pos = sizeof(root) + root.version_len;
	nstreams = (uint16_t)meta_le(m->md + pos + 2, 2);
	pos += 4;
	for (uint16_t i = 0; i < nstreams; i++) {
		struct meta_stream_header sh;
		struct meta_heap *heap = NULL;
		const char *name;
		size_t nlen;

		if (!in_range(pos, sizeof(sh), m->md_size))
			return meta_bad(err, errlen, "stream header %u is outside the metadata", i);
		memcpy(&sh, m->md + pos, sizeof(sh));
		pos += sizeof(sh);
		name = (const char *)m->md + pos;
		uint64_t avail = m->md_size - pos;
		nlen = strnlen(name, avail < META_STREAM_NAME_MAX ? avail : META_STREAM_NAME_MAX);
		if (nlen == avail || nlen == META_STREAM_NAME_MAX)
			return meta_bad(err, errlen, "stream header %u has an unterminated name",
					i);
		pos += (nlen + 4) & ~(uint64_t)3;
		if (!in_range(sh.offset, sh.size, m->md_size))
			return meta_bad(err, errlen,
					"stream %.32s (0x%x+0x%x) is outside the metadata", name,
					sh.offset, sh.size);
		if (strcmp(name, "#~") == 0 || strcmp(name, "#-") == 0) {
			if (tables)
				return meta_bad(err, errlen, "two table streams");
			tables = m->md + sh.offset;
			tables_size = sh.size;
			m->uncompressed = name[1] == '-';
			continue;
		}
		if (strcmp(name, "#Strings") == 0)
			heap = &m->strings;
		else if (strcmp(name, "#Blob") == 0)
			heap = &m->blob;
		else if (strcmp(name, "#GUID") == 0)
			heap = &m->guid;
		else if (strcmp(name, "#US") == 0)
			heap = &m->us;
		if (!heap)
			continue; /* #Pdb, #JTD and others: not read */
		if (heap->base)
			return meta_bad(err, errlen, "two %s streams", name);
		heap->base = m->md + sh.offset;
		heap->size = sh.size;
		if (heap->size == 0)
			heap->base = NULL;
	}
	if (!tables)
		return meta_bad(err, errlen, "metadata has no #~ stream");
	/* Every string index below the heap size then ends inside the heap. */
	if (m->strings.base && m->strings.base[m->strings.size - 1] != '\0')
		return meta_bad(err, errlen, "#Strings does not end with a NUL");
	m->tables_stream = tables;
	m->tables_size = tables_size;
	return 0;
}

int meta_open(const uint8_t *image, size_t size, int layout, struct meta **out, char *err,
	      size_t errlen)
{
	struct meta *m = NULL;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (layout != META_LAYOUT_FILE && layout != META_LAYOUT_MAPPED) {
		rc = -EINVAL;
		goto out;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		rc = -ENOMEM;
		goto out;
	}
	m->image = image;
	m->size = image ? size : 0;
	m->layout = layout;
	rc = pe_parse(m, err, errlen);
	if (!rc)
		rc = root_parse(m, err, errlen);
	if (!rc)
		rc = meta_tables_parse(m, err, errlen);
	if (!rc) {
		*out = m;
		m = NULL;
	}
out:
	meta_close(m);
	return rc;
}

void meta_close(struct meta *m)
{
	free(m);
}

const char *meta_version(const struct meta *m)
{
	return m->version;
}
