/* SPDX-License-Identifier: MIT */
/* Problems found while decoding a dump: collected once, shown in /info. */
#ifndef CLRFS_DIAG_H
#define CLRFS_DIAG_H

#include <pthread.h>
#include <stddef.h>

/* A list of one-sentence problem reports, each kept once (duplicates are
 * dropped). Safe to add to from several threads. */
struct diag {
	pthread_mutex_t lock; /* guards everything below */
	char **msgs;
	size_t count, cap;
};

void diag_init(struct diag *d);
void diag_destroy(struct diag *d);
/* Adds a printf-formatted message unless the same text is already there. */
void diag_add(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Count and the i-th message; borrowed, valid until diag_destroy(). */
size_t diag_count(struct diag *d);
const char *diag_get(struct diag *d, size_t i);

#endif
