/* SPDX-License-Identifier: MIT */
/* The text of a decoder error, for "<unreadable: ...>" and messages. */
#ifndef CLRFS_REASON_H
#define CLRFS_REASON_H

struct strbuf;

/* "memory missing from the dump" for -EIO, "malformed data in the dump" for
 * -EBADMSG, ... (the meanings of STYLE.md rule 6), else like strerror(-rc).
 * A static string. */
const char *reason_text(int rc);
/* Appends "<unreadable: reason>" for the negative errno rc. */
void reason_put_unreadable(struct strbuf *b, int rc);

#endif
