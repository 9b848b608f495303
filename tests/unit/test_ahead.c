/* SPDX-License-Identifier: MIT */
/* Unit tests of fs/ll_ahead: which lookups start rendering ahead, and what
 * gets rendered. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ll_ahead.h"
#include "node.h"
#include "strbuf.h"

/* A fake provider: "/" holds d0/ .. d7/ and plain; each dN holds the files
 * x and y, and the directory sub/. */
#define NDIRS 8

static int file_render(struct fs_node *file, struct strbuf *out)
{
	strbuf_printf(out, "%s of %s\n", fs_node_name(file), fs_node_name(fs_node_parent(file)));
	return 0;
}

static const struct fs_ops file_ops = {.render = file_render};
static const struct fs_ops empty_dir_ops = {0};

static int d_populate(struct fs_node *dir)
{
	int rc = fs_node_add(dir, "x", FS_FILE, &file_ops, (struct fs_key){0, NULL}, NULL);
	rc = rc ? rc : fs_node_add(dir, "y", FS_FILE, &file_ops, (struct fs_key){0, NULL}, NULL);
	return rc ? rc
		  : fs_node_add(dir, "sub", FS_DIR, &empty_dir_ops, (struct fs_key){0, NULL}, NULL);
}

static const struct fs_ops d_ops = {.populate = d_populate};

static int root_populate(struct fs_node *dir)
{
	char name[8];
	int rc = fs_node_add(dir, "plain", FS_FILE, &file_ops, (struct fs_key){0, NULL}, NULL);

	for (int i = 0; i < NDIRS && !rc; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		rc = fs_node_add(dir, name, FS_DIR, &d_ops, (struct fs_key){0, NULL}, NULL);
	}
	return rc;
}

static const struct fs_ops root_ops = {.populate = root_populate};

/* The node at path. Not held: nothing trims these trees (no budget). */
static struct fs_node *at(struct fs_tree *t, const char *path)
{
	struct fs_node *n = NULL;
	assert_int_equal(fs_tree_resolve(t, path, 1, &n), 0);
	fs_node_release(n);
	return n;
}

/* What a FUSE lookup of dN/NAME does: find the file, render it (for its
 * size), then tell ll_ahead. */
static void lookup(struct ll_ahead *a, struct fs_tree *t, int dir, const char *name)
{
	char path[32];
	struct fs_node *d, *f;
	size_t len;

	snprintf(path, sizeof(path), "/d%d", dir);
	d = at(t, path);
	assert_int_equal(fs_node_lookup(d, name, &f), 0);
	assert_int_equal(fs_node_size(f, &len), 0);
	ll_ahead_note(a, d, f);
	fs_node_release(f);
}

static bool rendered(struct fs_tree *t, int dir, const char *name)
{
	char path[32];
	snprintf(path, sizeof(path), "/d%d/%s", dir, name);
	return fs_node_sized(at(t, path));
}

/* Waits (up to 10 s) until dN/name is rendered for every N in [from, to). */
static bool wait_rendered(struct fs_tree *t, int from, int to, const char *name)
{
	for (int tries = 0; tries < 1000; tries++) {
		int n = 0;
		for (int i = from; i < to; i++)
			n += rendered(t, i, name);
		if (n == to - from)
			return true;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return false;
}

static void setup_tree(struct fs_tree **t, struct ll_ahead **a)
{
	struct fs_node *const *kids;
	size_t n;

	assert_int_equal(fs_tree_new(&root_ops, NULL, t), 0);
	assert_int_equal(ll_ahead_start(false, a), 0);
	/* The parent is listed, as a glob lists it. */
	assert_int_equal(fs_node_children(fs_tree_root(*t), &kids, &n), 0);
}

static void teardown_tree(struct fs_tree *t, struct ll_ahead *a)
{
	ll_ahead_stop(a);
	fs_tree_free(t);
}

/* Two lookups of x in d3 and d4: every other dN/x gets rendered, the scan's
 * order or not (d0..d2 come round after d7); y is left alone. */
static void test_scan_renders_siblings(void **state)
{
	struct fs_tree *t;
	struct ll_ahead *a;

	(void)state;
	setup_tree(&t, &a);
	lookup(a, t, 3, "x");
	lookup(a, t, 4, "x");
	assert_int_equal(ll_ahead_wait(a), 1);
	assert_true(wait_rendered(t, 0, NDIRS, "x"));
	ll_ahead_stop(a); /* joined: nothing renders after this */
	for (int i = 0; i < NDIRS; i++)
		assert_false(rendered(t, i, "y"));
	fs_tree_free(t);
}

/* One lookup, lookups of different names, the same directory twice, or a
 * directory found by name: no scan, nothing rendered by the thread. */
static void test_no_scan(void **state)
{
	struct fs_tree *t;
	struct ll_ahead *a;
	struct fs_node *f;

	(void)state;
	setup_tree(&t, &a);
	lookup(a, t, 1, "x");
	lookup(a, t, 2, "y");
	lookup(a, t, 2, "x");
	lookup(a, t, 2, "x");
	assert_int_equal(fs_node_lookup(at(t, "/d5"), "sub", &f), 0);
	ll_ahead_note(a, at(t, "/d5"), f);
	assert_int_equal(fs_node_lookup(at(t, "/d6"), "sub", &f), 0);
	ll_ahead_note(a, at(t, "/d6"), f);
	/* Waited for, not stopped: a scan begun wrongly would render. */
	assert_int_equal(ll_ahead_wait(a), 0);
	ll_ahead_stop(a);
	for (int i = 3; i < NDIRS; i++) {
		assert_false(rendered(t, i, "x"));
		assert_false(rendered(t, i, "y"));
	}
	assert_false(rendered(t, 0, "x"));
	fs_tree_free(t);
}

/* "/big" is a large directory: its children dN are made one per lookup. */
static int big_vlookup(struct fs_node *dir, const char *name, uint64_t *key)
{
	(void)dir;
	if (name[0] != 'd' || name[1] < '0' || name[1] >= '0' + NDIRS || name[2])
		return -ENOENT;
	*key = (uint64_t)(name[1] - '0');
	return 0;
}

static int big_vmake(struct fs_node *dir, const char *name, uint64_t key)
{
	return fs_node_add(dir, name, FS_DIR, &d_ops, (struct fs_key){key, NULL}, NULL);
}

static int big_vlist(struct fs_node *dir, uint64_t from,
		     int (*emit)(struct fs_node *, const char *, uint64_t, uint64_t, void *),
		     void *arg)
{
	char name[8];
	int rc = 0;

	for (uint64_t i = from; i < NDIRS && !rc; i++) {
		snprintf(name, sizeof(name), "d%d", (int)i);
		rc = emit(dir, name, i, i + 1, arg);
	}
	return rc;
}

static const struct fs_ops big_ops = {
	.vlookup = big_vlookup, .vmake = big_vmake, .vlist = big_vlist};

static int bigroot_populate(struct fs_node *dir)
{
	return fs_node_add(dir, "big", FS_DIR, &big_ops, (struct fs_key){0, NULL}, NULL);
}

static const struct fs_ops bigroot_ops = {.populate = bigroot_populate};

/* A parent never listed (a large directory looked up child by child) is
 * never scanned: the scan would list it, which makes every child. */
static void test_unlisted_parent(void **state)
{
	struct fs_tree *t;
	struct ll_ahead *a;
	struct fs_node *d, *f;

	(void)state;
	assert_int_equal(fs_tree_new(&bigroot_ops, NULL, &t), 0);
	assert_int_equal(ll_ahead_start(false, &a), 0);
	for (int i = 3; i < 6; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/big/d%d", i);
		d = at(t, path);
		assert_int_equal(fs_node_lookup(d, "x", &f), 0);
		ll_ahead_note(a, d, f);
		fs_node_release(f);
	}
	assert_int_equal(ll_ahead_wait(a), 0);
	ll_ahead_stop(a);
	assert_false(fs_node_listed(at(t, "/big")));
	assert_false(fs_node_sized(at(t, "/big/d6/x")));
	assert_false(fs_node_sized(at(t, "/big/d2/x")));
	fs_tree_free(t);
}

/* Stopping while a scan runs, and a NULL context, are safe. */
static void test_stop_and_null(void **state)
{
	struct fs_tree *t;
	struct ll_ahead *a;
	struct fs_node *f;

	(void)state;
	setup_tree(&t, &a);
	lookup(a, t, 0, "y");
	lookup(a, t, 1, "y");
	teardown_tree(t, a);
	assert_int_equal(fs_tree_new(&root_ops, NULL, &t), 0);
	assert_int_equal(fs_node_lookup(at(t, "/d0"), "x", &f), 0);
	ll_ahead_note(NULL, at(t, "/d0"), f);
	ll_ahead_stop(NULL);
	fs_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_renders_siblings),
		cmocka_unit_test(test_no_scan),
		cmocka_unit_test(test_unlisted_parent),
		cmocka_unit_test(test_stop_and_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
