/* SPDX-License-Identifier: MIT */
/* Unit tests of fs/node: lazy filling, sorting, inode numbers, paths, errors. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "node.h"
#include "strbuf.h"

/* A fake provider: "/" holds b/ (3 files added out of order), a (file),
 * link -> b/f1, up -> ../a inside b, loop -> loop, bad/ (populate fails),
 * broken (render fails). Counters prove that work is done once. */
static int populates, renders;

static int file_render(struct fs_node *file, struct strbuf *out)
{
	renders++;
	strbuf_printf(out, "content of %s #%llu\n", fs_node_name(file),
		      (unsigned long long)fs_node_key(file).u);
	return 0;
}

static int fail_render(struct fs_node *file, struct strbuf *out)
{
	(void)file;
	(void)out;
	return -EIO;
}

static int fail_populate(struct fs_node *dir)
{
	int rc = fs_node_add(dir, "partial", FS_FILE, NULL, (struct fs_key){0, NULL}, NULL);
	return rc ? rc : -EBADMSG;
}

static const struct fs_ops file_ops = {.render = file_render};
static const struct fs_ops broken_ops = {.render = fail_render};
static const struct fs_ops bad_ops = {.populate = fail_populate};

static int b_populate(struct fs_node *dir)
{
	static const char *names[] = {"f3", "f1", "f2"};
	int rc = 0;

	populates++;
	for (size_t i = 0; i < 3 && !rc; i++)
		rc = fs_node_add(dir, names[i], FS_FILE, &file_ops, (struct fs_key){i, NULL}, NULL);
	if (!rc)
		rc = fs_node_add_link(dir, "up", "a");
	if (!rc)
		rc = fs_node_add_link(dir, "side", "b/f2");
	if (!rc) { /* no link may leave the tree, or point at its own directory */
		static const char *const bad[] = {"../a", "/a", "a/../b", "", "a//b",
						  "a/", "b", ".", "a/./b"};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			assert_int_equal(fs_node_add_link(dir, "x", bad[i]), -EINVAL);
	}
	return rc;
}

static const struct fs_ops b_ops = {.populate = b_populate};

static int root_populate(struct fs_node *root)
{
	int rc;

	populates++;
	rc = fs_node_add(root, "b", FS_DIR, &b_ops, (struct fs_key){0, NULL}, NULL);
	if (!rc)
		rc = fs_node_add(root, "a", FS_FILE, &file_ops, (struct fs_key){7, NULL}, NULL);
	if (!rc)
		rc = fs_node_add_link(root, "link", "b/f1");
	if (!rc)
		rc = fs_node_add_link(root, "loop", "loop");
	if (!rc)
		rc = fs_node_add(root, "bad", FS_DIR, &bad_ops, (struct fs_key){0, NULL}, NULL);
	if (!rc)
		rc = fs_node_add(root, "broken", FS_FILE, &broken_ops, (struct fs_key){0, NULL},
				 NULL);
	if (!rc) /* not allowed: names are single components */
		assert_int_equal(fs_node_add(root, "x/y", FS_FILE, &file_ops,
					     (struct fs_key){0, NULL}, NULL),
				 -EINVAL);
	return rc;
}

static const struct fs_ops root_ops = {.populate = root_populate};

/* The node numbered ino, not held (nothing trims unless a test does). */
static struct fs_node *node(struct fs_tree *t, uint64_t ino)
{
	struct fs_node *n = fs_tree_get(t, ino, NULL);
	fs_node_release(n);
	return n;
}

static uint64_t alive(struct fs_tree *t)
{
	struct fs_tree_stats st;
	fs_tree_stats(t, &st);
	return st.nodes;
}

/* file's content into buf (NUL-terminated); the error, or 0. */
static int text(struct fs_node *file, char *buf, size_t size)
{
	struct fs_content *c;
	int rc = fs_node_read(file, &c);

	if (rc)
		return rc;
	assert_true(fs_content_len(c) < size);
	memcpy(buf, fs_content_data(c), fs_content_len(c));
	buf[fs_content_len(c)] = '\0';
	fs_content_put(c);
	return 0;
}

/* The node at path, not held. */
static struct fs_node *at(struct fs_tree *t, const char *path)
{
	struct fs_node *n = NULL;
	assert_int_equal(fs_tree_resolve(t, path, 1, &n), 0);
	fs_node_release(n);
	return n;
}

static int setup(void **state)
{
	struct fs_tree *t;

	populates = renders = 0;
	if (fs_tree_new(&root_ops, NULL, &t))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	fs_tree_free(*state);
	return 0;
}

static void test_root_is_ino_1_and_lazy(void **state)
{
	struct fs_tree *t = *state;
	struct fs_node *root = fs_tree_root(t);

	assert_int_equal(fs_node_ino(root), 1);
	assert_ptr_equal(node(t, 1), root);
	assert_ptr_equal(fs_node_parent(root), root);
	assert_null(node(t, 0));
	assert_null(node(t, 2)); /* nothing populated yet */
	assert_int_equal(populates, 0);
}

static void test_children_sorted_once(void **state)
{
	struct fs_tree *t = *state;
	struct fs_node *const *kids;
	size_t n;
	const char *want[] = {"a", "b", "bad", "broken", "link", "loop"};

	assert_int_equal(fs_node_children(fs_tree_root(t), &kids, &n), 0);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(fs_node_name(kids[i]), want[i]);
		/* every ino maps back to its node */
		assert_ptr_equal(node(t, fs_node_ino(kids[i])), kids[i]);
	}
	assert_int_equal(fs_node_children(fs_tree_root(t), &kids, &n), 0);
	assert_int_equal(populates, 1);
	assert_int_equal(alive(t), 7);
}

static void test_lookup(void **state)
{
	struct fs_tree *t = *state;
	struct fs_node *b, *f, *a;

	assert_int_equal(fs_node_lookup(fs_tree_root(t), "b", &b), 0);
	assert_int_equal(fs_node_kind(b), FS_DIR);
	assert_int_equal(fs_node_lookup(b, "f2", &f), 0);
	assert_int_equal(fs_node_key(f).u, 2);
	assert_ptr_equal(fs_node_parent(f), b);
	assert_int_equal(fs_node_lookup(b, "f4", &f), -ENOENT);
	assert_int_equal(fs_node_lookup(fs_tree_root(t), "a", &a), 0);
	assert_int_equal(fs_node_lookup(a, "x", &f), -ENOTDIR);
	assert_int_equal(populates, 2);
}

static void test_content_rendered_once(void **state)
{
	struct fs_tree *t = *state;
	struct fs_node *a;
	struct fs_content *c, *again;
	size_t len;

	assert_int_equal(fs_node_lookup(fs_tree_root(t), "a", &a), 0);
	assert_false(fs_node_sized(a));
	assert_int_equal(fs_node_read(a, &c), 0);
	assert_int_equal(fs_content_len(c), strlen("content of a #7\n"));
	assert_memory_equal(fs_content_data(c), "content of a #7\n", fs_content_len(c));
	assert_int_equal(fs_node_read(a, &again), 0);
	assert_ptr_equal(again, c);
	assert_true(fs_node_sized(a));
	assert_int_equal(fs_node_size(a, &len), 0);
	assert_int_equal(len, fs_content_len(c));
	assert_int_equal(renders, 1);
	fs_content_put(again);
	fs_content_put(c);
	fs_node_release(a);
	assert_int_equal(fs_node_read(fs_tree_root(t), &c), -EISDIR);
}

/* What the tree lists can be read: a directory whose populate failed holds
 * only .unreadable (its partial children are dropped), a file whose render
 * failed reads the reason; both stay so, and what is not listed is absent. */
static void test_errors_are_kept(void **state)
{
	struct fs_tree *t = *state;
	struct fs_node *bad, *broken, *why, *const *kids;
	char data[128];
	size_t n;

	assert_int_equal(fs_tree_resolve(t, "/bad", 1, &bad), 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(fs_node_children(bad, &kids, &n), 0);
		assert_int_equal(n, 1);
		assert_string_equal(fs_node_name(kids[0]), ".unreadable");
	}
	assert_int_equal(fs_tree_resolve(t, "/bad/partial", 1, &bad), -ENOENT);
	assert_int_equal(fs_tree_resolve(t, "/bad/.unreadable", 1, &why), 0);
	assert_int_equal(text(why, data, sizeof(data)), 0);
	assert_string_equal(data, "<unreadable: malformed data in the dump>\n");
	assert_int_equal(fs_tree_resolve(t, "/broken", 1, &broken), 0);
	assert_int_equal(text(broken, data, sizeof(data)), 0);
	assert_string_equal(data, "<unreadable: memory missing from the dump>\n");
	fs_node_release(bad);
	fs_node_release(why);
	fs_node_release(broken);
}

static void test_resolve(void **state)
{
	struct fs_tree *t = *state;
	struct fs_node *n;

	assert_int_equal(fs_tree_resolve(t, "/", 1, &n), 0);
	assert_ptr_equal(n, fs_tree_root(t));
	assert_int_equal(fs_tree_resolve(t, "//b/./f3/", 1, &n), 0);
	assert_string_equal(fs_node_name(n), "f3");
	assert_int_equal(fs_tree_resolve(t, "/b/../../a", 1, &n), 0);
	assert_string_equal(fs_node_name(n), "a");
	/* symlinks: followed at the end only when asked, always in the middle */
	assert_int_equal(fs_tree_resolve(t, "/link", 0, &n), 0);
	assert_int_equal(fs_node_kind(n), FS_SYMLINK);
	assert_string_equal(fs_node_target(n), "b/f1");
	assert_int_equal(fs_tree_resolve(t, "/link", 1, &n), 0);
	assert_string_equal(fs_node_name(n), "f1");
	assert_int_equal(fs_tree_resolve(t, "/b/up", 0, &n), 0);
	assert_string_equal(fs_node_target(n), "../a"); /* the shortest relative path */
	assert_int_equal(fs_tree_resolve(t, "/b/up", 1, &n), 0);
	assert_string_equal(fs_node_name(n), "a");
	assert_int_equal(fs_tree_resolve(t, "/b/side", 0, &n), 0);
	assert_string_equal(fs_node_target(n), "f2");
	assert_int_equal(fs_tree_resolve(t, "/loop", 1, &n), -ELOOP);
	assert_int_equal(fs_tree_resolve(t, "/nope", 1, &n), -ENOENT);
	assert_int_equal(fs_tree_resolve(t, "/a/x", 1, &n), -ENOTDIR);
	assert_int_equal(fs_tree_resolve(t, "a", 1, &n), -EINVAL);
}

/* Several threads race to fill and read the same nodes: each populate and
 * render still runs once and all see the same bytes. */
/* A large directory of "k0".."k9": children made one lookup at a time. */
static int vmakes;

static int v_lookup(struct fs_node *dir, const char *name, uint64_t *key)
{
	(void)dir;
	if (name[0] != 'k' || name[1] < '0' || name[1] > '9' || name[2])
		return -ENOENT;
	*key = (uint64_t)(name[1] - '0');
	return 0;
}

static int v_make(struct fs_node *dir, const char *name, uint64_t key)
{
	vmakes++;
	return fs_node_add(dir, name, FS_FILE, &file_ops, (struct fs_key){key, NULL}, NULL);
}

static int v_list(struct fs_node *dir, uint64_t from,
		  int (*emit)(struct fs_node *, const char *, uint64_t, uint64_t, void *), void *arg)
{
	char name[3] = "k0";
	int rc = 0;
	for (uint64_t i = from; i < 10 && !rc; i++) {
		name[1] = (char)('0' + i);
		rc = emit(dir, name, i, i + 1, arg);
	}
	return rc;
}

static const struct fs_ops v_ops = {.vlookup = v_lookup, .vmake = v_make, .vlist = v_list};

static int root_big_populate(struct fs_node *dir)
{
	return fs_node_add(dir, "big", FS_DIR, &v_ops, (struct fs_key){0, NULL}, NULL);
}

static const struct fs_ops root_big_ops = {.populate = root_big_populate};

/* fs_node_list() callback: appends the child's name and its next position
 * to the buffer arg; stops after the fourth child when asked. */
struct listing {
	char names[64];
	uint64_t next;
	int stop_after;
};

static int collect(void *arg, struct fs_node *kid, uint64_t next)
{
	struct listing *l = arg;
	strcat(l->names, fs_node_name(kid));
	strcat(l->names, " ");
	l->next = next;
	return --l->stop_after == 0;
}

static void test_large_directory(void **state)
{
	struct fs_tree *t;
	struct fs_node *dir, *a, *b, *const *kids;
	struct listing l = {"", 0, 4};
	size_t n;
	(void)state;

	assert_int_equal(fs_tree_new(&v_ops, NULL, &t), 0);
	dir = fs_tree_root(t);
	vmakes = 0;
	assert_int_equal(fs_node_lookup(dir, "k3", &a), 0);
	assert_int_equal(fs_node_lookup(dir, "k3", &b), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(vmakes, 1);
	assert_int_equal(alive(t), 2);
	assert_int_equal(fs_node_lookup(dir, "zz", &b), -ENOENT);
	assert_int_equal(fs_node_children(dir, &kids, &n), -EOPNOTSUPP);
	assert_false(fs_node_listed(dir));
	/* Listed in pages: only what a page shows is made. */
	assert_int_equal(fs_node_list(dir, 0, collect, &l), 1);
	assert_string_equal(l.names, "k0 k1 k2 k3 ");
	assert_int_equal(vmakes, 4); /* k3 was not made twice */
	l = (struct listing){"", 0, 0};
	assert_int_equal(fs_node_list(dir, 4, collect, &l), 0);
	assert_string_equal(l.names, "k4 k5 k6 k7 k8 k9 ");
	assert_int_equal(l.next, 10);
	assert_int_equal(vmakes, 10);
	assert_int_equal(fs_node_lookup(dir, "k3", &b), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(fs_node_key(b).u, 3);
	fs_node_release(a);
	fs_node_release(a);
	fs_node_release(b);
	fs_tree_free(t);
}

static void *racer(void *arg)
{
	struct fs_tree *t = arg;
	struct fs_node *n;
	size_t len;

	for (int i = 0; i < 100; i++) {
		if (fs_tree_resolve(t, "/b/up", 1, &n))
			return (void *)1;
		int rc = fs_node_size(n, &len);
		fs_node_release(n);
		if (rc || len != strlen("content of a #7\n"))
			return (void *)1;
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[8];
	void *ret;

	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, racer, *state), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(populates, 2);
	assert_int_equal(renders, 1);
}

/* fs_tree_trim()'s ask callback: records "parent/name" of each ask. */
static char asked[256];

static void ask(void *arg, uint64_t parent, const char *name)
{
	(void)arg;
	snprintf(asked + strlen(asked), sizeof(asked) - strlen(asked), "%llu/%s ",
		 (unsigned long long)parent, name);
}

/* Over its budget, the tree frees what nobody holds and makes it again,
 * the same, when asked; numbers freed are given again with a new
 * generation. */
static void test_trim_frees_and_remakes(void **state)
{
	struct fs_tree *t = *state;
	struct fs_node *b, *f1;
	struct fs_tree_stats st;
	char before[64], after[64];
	uint64_t ino, gen, gen2;

	b = at(t, "/b");
	f1 = at(t, "/b/f1");
	ino = fs_node_ino(f1);
	assert_int_equal(text(f1, before, sizeof(before)), 0);
	assert_int_equal(alive(t), 12); /* the root, its 6 children, b's 5 */
	fs_tree_set_budget(t, 1);
	assert_true(fs_tree_over(t));
	asked[0] = '\0';
	fs_tree_trim(t, ask, NULL);
	fs_tree_stats(t, &st);
	assert_int_equal(st.content_bytes, 0);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.freed, 5); /* b's children; the root's stay (it is held) */
	assert_string_equal(asked, "");
	assert_false(fs_node_listed(b));
	assert_null(node(t, ino));
	/* Made again: the same bytes, the number given again, a new generation. */
	assert_int_equal(fs_tree_resolve(t, "/b/f1", 1, &f1), 0);
	assert_int_equal(text(f1, after, sizeof(after)), 0);
	assert_string_equal(after, before);
	assert_int_equal(renders, 2);
	assert_int_equal(populates, 3);
	assert_ptr_equal(fs_tree_get(t, fs_node_ino(f1), &gen), f1);
	fs_node_release(f1);
	/* Held (by the resolve): trimming keeps it, and its directory's other
	 * children with it. */
	fs_tree_trim(t, ask, NULL);
	assert_ptr_equal(at(t, "/b/f1"), f1);
	fs_node_release(f1);
	/* The kernel holds it now: trimming asks it to drop /b. */
	fs_node_remember(f1);
	asked[0] = '\0';
	fs_tree_set_budget(t, 1);
	fs_tree_trim(t, ask, NULL);
	assert_string_equal(asked, "1/b ");
	assert_ptr_equal(at(t, "/b/f1"), f1);
	/* Forgotten: freed at the next trim, its number given again. */
	ino = fs_node_ino(f1);
	gen = fs_node_gen(f1);
	fs_tree_forget(t, ino, 1);
	fs_tree_set_budget(t, 1);
	fs_tree_trim(t, ask, NULL);
	assert_null(node(t, ino));
	assert_int_equal(fs_tree_resolve(t, "/b/f3", 1, &f1), 0);
	fs_node_release(f1);
	b = fs_tree_get(t, ino, &gen2); /* one of b's new children */
	assert_non_null(b);
	assert_true(gen2 != gen);
	fs_node_release(b);
}

/* A large directory's children go one by one: a held one stays. */
static void test_trim_large_directory(void **state)
{
	struct fs_tree *t;
	struct fs_node *dir, *k3;
	struct listing l = {"", 0, 0};
	struct fs_tree_stats st;
	(void)state;

	assert_int_equal(fs_tree_new(&v_ops, NULL, &t), 0);
	dir = fs_tree_root(t);
	assert_int_equal(fs_node_list(dir, 0, collect, &l), 0);
	assert_int_equal(alive(t), 11);
	/* The root is never trimmed: a directory under it is needed. */
	fs_tree_set_budget(t, 1);
	fs_tree_trim(t, ask, NULL);
	assert_int_equal(alive(t), 11);
	fs_tree_free(t);

	assert_int_equal(fs_tree_new(&root_big_ops, NULL, &t), 0);
	dir = at(t, "/big");
	l = (struct listing){"", 0, 0};
	assert_int_equal(fs_node_list(dir, 0, collect, &l), 0);
	assert_int_equal(alive(t), 12);
	assert_int_equal(fs_node_lookup(dir, "k3", &k3), 0);
	fs_tree_set_budget(t, 1);
	fs_tree_trim(t, ask, NULL);
	fs_tree_stats(t, &st);
	assert_int_equal(st.freed, 9);
	assert_ptr_equal(at(t, "/big/k3"), k3);
	fs_node_release(k3);
	fs_tree_set_budget(t, 1);
	fs_tree_trim(t, ask, NULL);
	assert_int_equal(alive(t), 2);
	fs_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_root_is_ino_1_and_lazy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_children_sorted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_rendered_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_are_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trim_frees_and_remakes, setup, teardown),
		cmocka_unit_test(test_trim_large_directory),
		cmocka_unit_test(test_large_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
