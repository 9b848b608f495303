// SPDX-License-Identifier: MIT
// Unit tests of the dominator tree (decoder/runtime/dominators.c rt_dominators): random
// graphs with extra edges and several roots checked against dominators found by brute
// force (d dominates v when v is reached from the roots but not once d is taken out),
// a textbook graph, and a chain of a million vertices (no recursion on the C stack).
#include "refgraph_i.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAXN 40

struct graph {
	uint32_t n;
	bool adj[MAXN][MAXN]; /* the edges, extra ones included */
	uint32_t off[MAXN + 1], dst[MAXN * MAXN], roff[MAXN + 1], rsrc[MAXN * MAXN];
	struct rt_dom_edge extra[MAXN];
	size_t nextra;
	uint32_t roots[MAXN];
	size_t nroots;
};

/* The CSR arrays of the graph's plain edges (those not in extra). */
static void make_csr(struct graph *g, bool plain[MAXN][MAXN])
{
	uint32_t k = 0;

	for (uint32_t v = 0; v < g->n; v++) {
		g->off[v] = k;
		for (uint32_t w = 0; w < g->n; w++)
			if (plain[v][w])
				g->dst[k++] = w;
	}
	g->off[g->n] = k;
	k = 0;
	for (uint32_t w = 0; w < g->n; w++) {
		g->roff[w] = k;
		for (uint32_t v = 0; v < g->n; v++)
			if (plain[v][w])
				g->rsrc[k++] = v;
	}
	g->roff[g->n] = k;
}

/* Which vertices the roots reach with vertex cut taken out (cut >= n: none). */
static void reach(const struct graph *g, uint32_t cut, bool *seen)
{
	uint32_t q[MAXN];
	size_t head = 0, tail = 0;

	memset(seen, 0, MAXN);
	for (size_t i = 0; i < g->nroots; i++)
		if (g->roots[i] != cut && !seen[g->roots[i]]) {
			seen[g->roots[i]] = true;
			q[tail++] = g->roots[i];
		}
	while (head < tail) {
		uint32_t v = q[head++];
		for (uint32_t w = 0; w < g->n; w++)
			if (g->adj[v][w] && w != cut && !seen[w]) {
				seen[w] = true;
				q[tail++] = w;
			}
	}
}

/* The immediate dominators by brute force. */
static void brute(const struct graph *g, uint32_t *idom)
{
	bool live[MAXN], dom[MAXN][MAXN] = {{0}}, seen[MAXN];

	reach(g, UINT32_MAX, live);
	for (uint32_t d = 0; d < g->n; d++) {
		reach(g, d, seen);
		for (uint32_t v = 0; v < g->n; v++)
			dom[d][v] = live[v] && !seen[v] && v != d; /* d strictly dominates v */
	}
	for (uint32_t v = 0; v < g->n; v++) {
		if (!live[v]) {
			idom[v] = RT_DOM_NONE;
			continue;
		}
		/* The strict dominator every other strict dominator dominates. */
		idom[v] = RT_DOM_ROOT;
		for (uint32_t d = 0; d < g->n; d++) {
			if (!dom[d][v])
				continue;
			bool nearest = true;
			for (uint32_t e = 0; e < g->n; e++)
				if (e != d && dom[e][v] && !dom[e][d])
					nearest = false;
			if (nearest)
				idom[v] = d;
		}
	}
}

static void check(struct graph *g)
{
	struct rt_domgraph gr = { g->n, g->off, g->dst, g->roff, g->rsrc, g->extra, g->nextra,
				  g->roots, g->nroots };
	uint32_t idom[MAXN], want[MAXN], order[MAXN], count, pos[MAXN];

	assert_int_equal(rt_dominators(&gr, idom, order, &count), 0);
	brute(g, want);
	for (uint32_t v = 0; v < g->n; v++)
		assert_int_equal(idom[v], want[v]);
	/* The order holds each reached vertex once, after its idom. */
	memset(pos, 0xff, sizeof(pos));
	for (uint32_t i = 0; i < count; i++) {
		assert_int_equal(pos[order[i]], UINT32_MAX);
		pos[order[i]] = i;
	}
	for (uint32_t v = 0; v < g->n; v++) {
		assert_int_equal(pos[v] != UINT32_MAX, want[v] != RT_DOM_NONE);
		if (want[v] < RT_DOM_ROOT)
			assert_true(pos[want[v]] < pos[v]);
	}
}

static void random_graphs(void **state)
{
	(void)state;
	srand(18);
	for (int round = 0; round < 2000; round++) {
		static struct graph g;
		bool plain[MAXN][MAXN] = {{0}};
		memset(&g, 0, sizeof(g));
		g.n = 1 + (uint32_t)(rand() % MAXN);
		int density = 1 + rand() % 4; /* edges per vertex, about */
		for (uint32_t v = 0; v < g.n; v++)
			for (int e = 0; e < density; e++)
				if (rand() % 3) {
					uint32_t w = (uint32_t)rand() % g.n;
					plain[v][w] = g.adj[v][w] = true;
				}
		g.nextra = (size_t)(rand() % 4);
		for (size_t i = 0; i < g.nextra; i++) {
			g.extra[i] = (struct rt_dom_edge){ (uint32_t)rand() % g.n, (uint32_t)rand() % g.n };
			g.adj[g.extra[i].p][g.extra[i].s] = true;
		}
		g.nroots = 1 + (size_t)(rand() % 3);
		for (size_t i = 0; i < g.nroots; i++)
			g.roots[i] = (uint32_t)rand() % g.n;
		make_csr(&g, plain);
		check(&g);
	}
}

/* Lengauer and Tarjan's example (1979, figure 1), R A B C D E F G H I J K L as 0-12. */
static void textbook(void **state)
{
	static const uint32_t edges[][2] = {
		{0, 1}, {0, 2}, {0, 3}, {1, 4}, {2, 1}, {2, 4}, {2, 5}, {3, 6}, {3, 7}, {4, 12},
		{5, 8}, {6, 9}, {7, 9}, {7, 10}, {8, 5}, {8, 11}, {9, 11}, {10, 9}, {11, 0}, {11, 9},
		{12, 8},
	};
	static const uint32_t want[13] = { RT_DOM_ROOT, 0, 0, 0, 0, 0, 3, 3, 0, 0, 7, 0, 4 };
	static struct graph g;
	bool plain[MAXN][MAXN] = {{0}};
	uint32_t idom[13], order[13], count;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.n = 13;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		plain[edges[i][0]][edges[i][1]] = g.adj[edges[i][0]][edges[i][1]] = true;
	g.roots[g.nroots++] = 0;
	make_csr(&g, plain);
	struct rt_domgraph gr = { g.n, g.off, g.dst, g.roff, g.rsrc, NULL, 0, g.roots, 1 };
	assert_int_equal(rt_dominators(&gr, idom, order, &count), 0);
	assert_int_equal(count, 13);
	for (uint32_t v = 0; v < 13; v++)
		assert_int_equal(idom[v], want[v]);
}

/* A linked list a million long: each dominates the next. */
static void deep_chain(void **state)
{
	const uint32_t n = 1000000;
	uint32_t *off = malloc((n + 1) * sizeof(*off)), *dst = malloc(n * sizeof(*dst));
	uint32_t *roff = malloc((n + 1) * sizeof(*roff)), *rsrc = malloc(n * sizeof(*rsrc));
	uint32_t *idom = malloc(n * sizeof(*idom)), *order = malloc(n * sizeof(*order)), count;
	uint32_t root = 0;

	(void)state;
	assert_non_null(off && dst && roff && rsrc && idom && order);
	/* v -> v + 1: v's edge is dst[v], w's from rsrc[w - 1]; the last has none out,
	 * the first none in. */
	for (uint32_t v = 0; v + 1 < n; v++) {
		dst[v] = v + 1;
		rsrc[v] = v;
	}
	for (uint32_t v = 0; v < n; v++) {
		off[v] = v;
		roff[v] = v ? v - 1 : 0;
	}
	off[n] = roff[n] = n - 1;
	struct rt_domgraph gr = { n, off, dst, roff, rsrc, NULL, 0, &root, 1 };
	assert_int_equal(rt_dominators(&gr, idom, order, &count), 0);
	assert_int_equal(count, n);
	assert_int_equal(idom[0], RT_DOM_ROOT);
	for (uint32_t v = 1; v < n; v++)
		assert_int_equal(idom[v], v - 1);
	free(off);
	free(dst);
	free(roff);
	free(rsrc);
	free(idom);
	free(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_graphs),
		cmocka_unit_test(textbook),
		cmocka_unit_test(deep_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
