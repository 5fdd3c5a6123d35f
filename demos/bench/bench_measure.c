/* bench_measure.c - the benchmark's tests as a table, each measured through both paths at every placement, in interleaved rounds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define RESPAWN_EVERY 6 /* rounds per path between fresh servers */

static const struct bench_path *const paths[2] = { &bench_socklab_path, &bench_raw_path };

static int every_transport(const struct transport *t)
{
	(void)t;
	return 1;
}

static int rtt_round(const struct bench_path *path, struct bench_peer *p, double seconds, struct bench_round *out)
{
	return path->rtt(p, seconds, out);
}

static int bulk_round(const struct bench_path *path, struct bench_peer *p, double seconds, struct bench_round *out)
{
	return path->bulk(p, seconds, out);
}

const struct bench_test bench_tests[] = {
	{ "rtt", BENCH_TEST_RTT, 1, BENCH_ROUND_S, every_transport, rtt_round, bench_print_rtt_header, bench_print_rtt_row },
	{ "bulk", BENCH_TEST_BULK, 0, BENCH_BULK_ROUND_S, every_transport, bulk_round, bench_print_bulk_header,
	  bench_print_bulk_row },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL },
};

/* Stops every server of peers and closes its sockets (removing their files). */
static void stop_all(struct bench_peer peers[][2], size_t places)
{
	int saved = errno;

	for (size_t pl = 0; pl < places; pl++)
		for (int w = 0; w < 2; w++) {
			paths[w]->hangup(&peers[pl][w]);
			bench_stop(&peers[pl][w]);
			paths[w]->close(&peers[pl][w]);
		}
	errno = saved;
}

/* A server per placement and path, each on its placement's CPU. 0, or -1 with errno (the caller stops them). */
static int start_all(const struct bench_opts *o, const struct transport *t, const char *dir, struct bench_peer peers[][2])
{
	for (size_t pl = 0; pl < o->nplaces; pl++)
		for (int w = 0; w < 2; w++) {
			struct bench_peer *p = &peers[pl][w];
			*p = (struct bench_peer){ .t = t, .fd = -1, .bulk_fd = -1, .cpu = o->places[pl].server_cpu,
						  .batch = o->places[pl].batch, .id = (int)pl };
			sock_init(&p->ls);
			sock_init(&p->bulk);
		}
	for (size_t pl = 0; pl < o->nplaces; pl++)
		for (int w = 0; w < 2; w++)
			if (paths[w]->bind(&peers[pl][w], dir) < 0 || bench_spawn(&peers[pl][w], paths[w]) < 0)
				return -1;
	return 0;
}

/* Every path's figure at every placement, the ratios, and which placement did better. */
static int figures(const struct bench_opts *o, const struct bench_test *test, const struct transport *t,
		   struct bench_round *rounds[][2], int n, struct bench_figure fig[][2])
{
	size_t best = 0;

	for (size_t pl = 0; pl < o->nplaces; pl++) {
		for (int w = 0; w < 2; w++) {
			struct bench_figure *f = &fig[pl][w];
			memset(f, 0, sizeof *f);
			if (test->latency && bench_rtt_figure(&rounds[pl][w][1], (size_t)n, f) < 0)
				return -1;
			if (!test->latency)
				bench_bulk_figure(&rounds[pl][w][1], (size_t)n, f);
			f->msg_size = test->latency ? BENCH_PING : bench_msg_size(t);
		}
		if (bench_paired_ratio(&rounds[pl][0][1], &rounds[pl][1][1], (size_t)n, test->latency, &fig[pl][0].ratio) < 0)
			return -1;
		fig[pl][1].ratio = 1;
		double a = test->latency ? fig[pl][0].median_us : fig[pl][0].mb_per_s;
		double b = test->latency ? fig[best][0].median_us : fig[best][0].mb_per_s;
		if (test->latency ? a < b : a > b)
			best = pl;
	}
	if (o->nplaces > 1)
		fig[best][0].better = fig[best][1].better = 1;
	return 0;
}

/*
 * Which run comes j-th in round r, of the n = 2 x placements (run i: placement
 * i / 2, path i % 2): a Williams design (E. J. Williams, 1949), the first
 * round 0 1 n-1 2 n-2 ..., each next one shifted by one. Over n rounds every
 * run comes right after every other run once. That matters: a run finds the
 * CPU and caches as the run before it left them, and on two CPUs a run just
 * after one on the same placement finds the other CPU awake. Turning the
 * order around each round instead (S0 R0 S1 R1 | R1 S1 R0 S0) ran one path
 * twice in a row at every edge, and made it up to 10 percent faster on two
 * CPUs. With one placement this is the plain S R | R S.
 */
static int turn(int r, int j, int n)
{
	int first = j == 0 ? 0 : j % 2 ? (j + 1) / 2 : n - j / 2;

	return (first + r) % n;
}

/*
 * A warm-up round per path and placement, then bench_rounds() rounds of each
 * (as many as fit, at test->round_s each, within the seconds asked for),
 * taking turns in the order turn() gives, so that whatever else the machine
 * does falls on all alike. Every RESPAWN_EVERY rounds every server is started
 * afresh, and the bulk clients connect again.
 */
int bench_measure(const struct bench_opts *o, const struct bench_test *test, const struct transport *t, const char *dir,
		  struct bench_figure fig[][2])
{
	struct bench_peer peers[BENCH_PLACES_MAX][2];
	struct bench_round *rounds[BENCH_PLACES_MAX][2] = { { NULL } };
	size_t np = o->nplaces;
	int n = bench_rounds(o->seconds / (double)np, test->round_s);
	double round_s = o->seconds / (2.0 * (double)np * n);
	int rc = start_all(o, t, dir, peers);

	for (size_t pl = 0; pl < np; pl++)
		for (int w = 0; w < 2 && rc == 0; w++)
			if (!(rounds[pl][w] = calloc((size_t)n + 1, sizeof(struct bench_round))))
				rc = -1;
	for (int r = 0; r <= n && rc == 0 && !bench_interrupted; r++)
		for (int j = 0; j < 2 * (int)np && rc == 0; j++) {
			int i = turn(r, j, 2 * (int)np), w = i % 2;
			size_t pl = (size_t)i / 2;
			if (r % RESPAWN_EVERY == 1 && j == 0)
				for (size_t k = 0; k < np * 2 && rc == 0; k++)
					paths[k % 2]->hangup(&peers[k / 2][k % 2]), rc = bench_spawn(&peers[k / 2][k % 2], paths[k % 2]);
			if (rc == 0)
				rc = test->round(paths[w], &peers[pl][w], round_s, &rounds[pl][w][r]);
		}
	if (rc == 0 && !bench_interrupted)
		rc = figures(o, test, t, rounds, n, fig);
	stop_all(peers, np);
	int saved = errno;
	for (size_t pl = 0; pl < np; pl++)
		for (int w = 0; w < 2; w++) {
			for (int r = 0; rounds[pl][w] && r <= n; r++)
				free(rounds[pl][w][r].rtt_us);
			free(rounds[pl][w]);
		}
	errno = saved;
	return rc;
}

int bench_nagle(const struct bench_opts *o, const struct transport *t, const char *dir, struct bench_figure f[2])
{
	struct bench_peer p = { .t = t, .fd = -1, .bulk_fd = -1, .cpu = o->places[0].server_cpu, .batch = 1, .split = 1 };
	int rc = 0;

	sock_init(&p.ls);
	sock_init(&p.bulk);
	memset(f, 0, 2 * sizeof *f);
	if (bench_socklab_path.bind(&p, dir) < 0 || bench_spawn(&p, &bench_socklab_path) < 0)
		rc = -1;
	for (int nodelay = 0; nodelay < 2 && rc == 0 && !bench_interrupted; nodelay++) {
		struct bench_round r = { 0 };
		p.nodelay = nodelay;
		rc = bench_socklab_path.rtt(&p, o->seconds, &r);
		if (rc == 0)
			rc = bench_rtt_figure(&r, 1, &f[nodelay]);
		free(r.rtt_us);
	}
	int saved = errno;
	bench_stop(&p);
	bench_socklab_path.close(&p);
	errno = saved;
	return rc;
}
