/* SPDX-License-Identifier: MIT */
/* fs/format: how values are written in rendered files (docs/design.md "Values"). */
#ifndef CLRFS_FS_FORMAT_H
#define CLRFS_FS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* "0x" and 16 lowercase hex digits. */
void fs_put_addr(struct strbuf *b, uint64_t addr);
/* "<unreadable: reason>" for a negative errno (reason from fs_reason()). */
void fs_put_unreadable(struct strbuf *b, int rc);
/* What a render wrote into b from offset from on: kept when rc is 0, else
 * replaced by "<unreadable: reason>". */
void fs_put_result(struct strbuf *b, size_t from, int rc);
/* A name the decoder gives (escaped as it was read, names.h) as a path
 * component: a leading '.' escaped too. NULL when out of memory; caller
 * frees. */
char *fs_component(const char *safe);
/* "true" or "false". */
void fs_put_bool(struct strbuf *b, bool v);

#endif
