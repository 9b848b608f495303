// SPDX-License-Identifier: MIT
// Problems found while decoding a dump, each kept once.
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
}

void diag_destroy(struct diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->count; i++)
		free(d->msgs[i]);
	free(d->msgs);
	pthread_mutex_destroy(&d->lock);
	memset(d, 0, sizeof(*d));
}

void diag_add(struct diag *d, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->count; i++) {
		if (strcmp(d->msgs[i], msg) == 0)
			goto out;
	}
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		char **m = realloc(d->msgs, cap * sizeof(*m));
		if (!m)
			goto out;
		d->msgs = m;
		d->cap = cap;
	}
	d->msgs[d->count++] = msg;
	msg = NULL;
out:
	pthread_mutex_unlock(&d->lock);
	free(msg);
}

size_t diag_count(struct diag *d)
{
	pthread_mutex_lock(&d->lock);
	size_t n = d->count;
	pthread_mutex_unlock(&d->lock);
	return n;
}

const char *diag_get(struct diag *d, size_t i)
{
	pthread_mutex_lock(&d->lock);
	const char *m = i < d->count ? d->msgs[i] : NULL;
	pthread_mutex_unlock(&d->lock);
	return m;
}
