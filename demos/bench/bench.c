/* bench.c - socklab bench: round trips and bulk throughput per transport, through the interface and without it. */
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demos/cli.h"

#define RESPAWN_EVERY 6      /* rounds per path between fresh servers */
#define TRANSPORTS_MAX 16

static const char usage[] =
	"usage: socklab bench [--transports LIST] [--test rtt|bulk|all|nagle] [--seconds N]\n"
	"                     [--pin same|apart|none] [--json] [--loss LIST]\n"
	"Measures each transport over loopback, twice in the same run: through socklab's transport\n"
	"interface ('socklab') and with plain socket calls written in the benchmark ('raw'), in\n"
	"interleaved rounds, and prints the ratio: what the interface costs.\n\n"
	"  rtt    ping-pong of 64-byte messages: median and 99th percentile round trip, and the\n"
	"         first one on each new socket (cold)\n"
	"  bulk   one way, as fast as the receiver takes it: 128 KiB writes on streams, 1400-byte\n"
	"         UDP datagrams, 8 KiB unix messages; over udp and unixgram a credit window keeps\n"
	"         the receiver from being overrun, and lost datagrams are counted\n"
	"  nagle  tcp only: requests written in two parts, with and without TCP_NODELAY\n\n"
	"  --transports LIST  comma-separated schemes (default: every kernel transport; not rdt)\n"
	"  --test NAME        rtt, bulk, all (both, the default) or nagle\n"
	"  --seconds N        time per test and transport, both paths together (default 1)\n"
	"  --pin WHERE        the client and the servers on the same CPU (the default: the\n"
	"                     steadiest figures), on two CPUs (apart), or wherever the\n"
	"                     scheduler puts them (none)\n"
	"  --json             one JSON object per line instead of the table\n"
	"  --loss LIST        instead: rdt, socklab's own protocol, in each mode (sw, gbn, sr)\n"
	"                     through each loss, in percent (0,1,5,10): the impairment layer\n"
	"                     drops that share of both ends' UDP datagrams, seeded; goodput,\n"
	"                     p50/p99 round trip, and packets sent again per message\n";

enum { TEST_RTT = 1, TEST_BULK = 2, TEST_NAGLE = 4 };
enum { PIN_SAME, PIN_APART, PIN_NONE };

struct bench_opts {
	const struct transport *t[TRANSPORTS_MAX];
	size_t n;
	unsigned tests;
	double seconds;
	int json;
	int server_cpu; /* where the servers run (the client on another), or -1: the scheduler decides */
};

static volatile sig_atomic_t interrupted; /* Ctrl-C: stop after the round in progress */

static void on_stop(void *ctx)
{
	(void)ctx;
	interrupted = 1;
}

/*
 * One test on one transport: a warm-up round per path, then bench_rounds()
 * rounds per path, taking turns and swapping who goes first each time, so that
 * whatever else the machine does falls on both paths alike. Every
 * RESPAWN_EVERY rounds both servers are started afresh, and the bulk clients
 * connect again.
 */
static int measure(struct bench_peer peers[2], unsigned test, double seconds, struct bench_figure fig[2])
{
	const struct bench_path *paths[2] = { &bench_socklab_path, &bench_raw_path };
	int n = bench_rounds(seconds);
	struct bench_round *rounds[2] = { calloc((size_t)n + 1, sizeof **rounds), calloc((size_t)n + 1, sizeof **rounds) };
	double round_s = seconds / (2 * n);
	int rc = rounds[0] && rounds[1] ? 0 : -1;

	memset(fig, 0, 2 * sizeof *fig);
	for (int r = 0; r <= n && rc == 0 && !interrupted; r++)
		for (int k = 0; k < 2 && rc == 0; k++) {
			int w = (r + k) % 2;
			struct bench_peer *p = &peers[w];
			if (r % RESPAWN_EVERY == 1 && k == 0)
				for (int i = 0; i < 2 && rc == 0; i++)
					paths[i]->hangup(&peers[i]), rc = bench_spawn(&peers[i], paths[i]);
			if (rc == 0)
				rc = test == TEST_RTT ? paths[w]->rtt(p, round_s, &rounds[w][r])
						      : paths[w]->bulk(p, round_s, &rounds[w][r]);
		}
	for (int w = 0; w < 2 && rc == 0; w++) {
		if (test == TEST_RTT)
			rc = bench_rtt_figure(&rounds[w][1], (size_t)n, &fig[w]);
		else
			bench_bulk_figure(&rounds[w][1], (size_t)n, &fig[w]);
		fig[w].msg_size = test == TEST_RTT ? BENCH_PING : bench_msg_size(peers[w].t);
	}
	if (rc == 0)
		rc = bench_paired_ratio(&rounds[0][1], &rounds[1][1], (size_t)n, test == TEST_RTT, &fig[0].ratio);
	fig[1].ratio = 1;
	int saved = errno;
	for (int w = 0; w < 2; w++) {
		for (int r = 0; rounds[w] && r <= n; r++)
			free(rounds[w][r].rtt_us);
		free(rounds[w]);
	}
	errno = saved;
	return rc;
}

/* Nagle's algorithm (TCP_NODELAY) is TCP's: a byte stream over IP, not over a socket file. */
static int has_nagle(const struct transport *t)
{
	return transport_is_connected(t) && !transport_keeps_boundaries(t) && !transport_has_socket_file(t);
}

/* Nagle's algorithm, on the socklab path: the same split request with and without TCP_NODELAY. */
static int nagle(const struct bench_opts *o, struct bench_peer *p)
{
	struct bench_figure f[2];

	memset(f, 0, sizeof f);
	p->split = 1;
	for (int nodelay = 0; nodelay < 2 && !interrupted; nodelay++) {
		struct bench_round r = { 0 };
		p->nodelay = nodelay;
		int rc = bench_socklab_path.rtt(p, o->seconds, &r);
		if (rc == 0)
			rc = bench_rtt_figure(&r, 1, &f[nodelay]);
		free(r.rtt_us);
		if (rc < 0)
			return -1;
		if (o->json)
			bench_print_json(p->t->scheme, "nagle", "socklab", &f[nodelay], nodelay);
	}
	p->split = p->nodelay = 0;
	if (!o->json && !interrupted)
		bench_print_nagle(f);
	return 0;
}

/* Every test asked for on one transport, both paths. */
static int bench_transport(const struct bench_opts *o, const struct transport *t, const char *dir)
{
	struct bench_peer peers[2] = { { .t = t, .fd = -1, .bulk_fd = -1, .cpu = o->server_cpu },
				       { .t = t, .fd = -1, .bulk_fd = -1, .cpu = o->server_cpu } };
	struct bench_figure rtt[2], bulk[2];
	const char *step = "start the servers";
	int rc = -1;

	sock_init(&peers[0].ls);
	sock_init(&peers[0].bulk);
	if (bench_socklab_path.bind(&peers[0], dir) < 0 || bench_raw_path.bind(&peers[1], dir) < 0 ||
	    bench_spawn(&peers[0], &bench_socklab_path) < 0 || bench_spawn(&peers[1], &bench_raw_path) < 0)
		goto out;
	step = "measure round trips";
	if ((o->tests & TEST_RTT) && measure(peers, TEST_RTT, o->seconds, rtt) < 0)
		goto out;
	step = "measure bulk throughput";
	if ((o->tests & TEST_BULK) && !interrupted && measure(peers, TEST_BULK, o->seconds, bulk) < 0)
		goto out;
	step = "measure Nagle's algorithm";
	if ((o->tests & TEST_NAGLE) && nagle(o, &peers[0]) < 0)
		goto out;
	rc = 0;
	if (interrupted)
		goto out;
	for (int w = 0; w < 2 && o->json; w++) {
		const char *path = w ? "raw" : "socklab";
		if (o->tests & TEST_RTT)
			bench_print_json(t->scheme, "rtt", path, &rtt[w], -1);
		if (o->tests & TEST_BULK)
			bench_print_json(t->scheme, "bulk", path, &bulk[w], -1);
	}
	if (!o->json && (o->tests & (TEST_RTT | TEST_BULK)))
		bench_print_row(t->scheme, (o->tests & TEST_RTT) ? rtt : NULL, (o->tests & TEST_BULK) ? bulk : NULL);
out:
	if (rc < 0)
		rc = cli_error("bench", errno, NULL, "%s: %s", t->scheme, step);
	int saved = errno;
	for (int w = 0; w < 2; w++) {
		const struct bench_path *path = w ? &bench_raw_path : &bench_socklab_path;
		path->hangup(&peers[w]);
		bench_stop(&peers[w]);
		path->close(&peers[w]);
	}
	errno = saved;
	return rc;
}

/* "tcp,unix" into o->t. */
static int parse_transports(const char *list, struct bench_opts *o)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		const struct transport *t = transport_find(p, len);
		if (!t || o->n == TRANSPORTS_MAX)
			return cli_usage_error("bench", "unknown transport '%.*s' in --transports", (int)(len > 20 ? 20 : len),
					       p);
		o->t[o->n++] = t;
		p += len + (p[len] == ',');
	}
	return o->n ? 0 : cli_usage_error("bench", "--transports needs at least one transport");
}

int bench_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "transports", required_argument, NULL, 'T' }, { "test", required_argument, NULL, 'x' },
		{ "seconds", required_argument, NULL, 's' },    { "json", no_argument, NULL, 'j' },
		{ "pin", required_argument, NULL, 'p' },        { "loss", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },             { NULL, 0, NULL, 0 },
	};
	struct bench_opts o = { .tests = TEST_RTT | TEST_BULK, .seconds = 1, .server_cpu = -1 };
	int cpus[2], pin = PIN_SAME;
	char dir[] = "/tmp/socklab-bench.XXXXXX";
	int c, rc = 0, ms;
	const char *loss = NULL;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'T':
			if ((rc = parse_transports(optarg, &o)) != 0)
				return rc;
			break;
		case 'x':
			o.tests = !strcmp(optarg, "rtt") ? TEST_RTT : !strcmp(optarg, "bulk") ? TEST_BULK
				: !strcmp(optarg, "all") ? TEST_RTT | TEST_BULK : !strcmp(optarg, "nagle") ? TEST_NAGLE : 0;
			if (!o.tests)
				return cli_usage_error("bench", "--test takes rtt, bulk, all or nagle, not '%.20s'", optarg);
			break;
		case 's':
			if ((ms = cli_seconds(optarg)) < 10 || ms > 3600 * 1000)
				return cli_usage_error("bench", "--seconds takes a duration from 0.01 to 3600, not '%.20s'",
						       optarg);
			o.seconds = ms / 1000.0;
			break;
		case 'p':
			pin = !strcmp(optarg, "same") ? PIN_SAME : !strcmp(optarg, "apart") ? PIN_APART
				: !strcmp(optarg, "none") ? PIN_NONE : -1;
			if (pin < 0)
				return cli_usage_error("bench", "--pin takes same, apart or none, not '%.20s'", optarg);
			break;
		case 'j': o.json = 1; break;
		case 'l': loss = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("bench", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("bench", "unexpected argument '%.40s'", argv[optind]);
	if (loss) /* the loss sweep: rdt's modes, not the two paths */
		return bench_loss(loss, o.seconds, o.json) != 0 ? EXIT_RUNTIME : (fflush(stdout) == 0 ? 0 : cli_error("bench", errno, NULL, "write standard output"));
	/*
	 * Both paths need plain socket calls that reach the transport: a protocol
	 * socklab runs in user space (rdt) has none, and its server, a thread of
	 * the process that made it, would not follow bench's forked servers.
	 */
	for (size_t i = 0; i < o.n; i++)
		if (transport_in_user_space(o.t[i]))
			return cli_usage_error("bench", "%s is socklab's own protocol, run by a thread in user space: no plain "
					       "socket calls reach it, so bench has no raw path to compare (use the kernel's "
					       "transports)", o.t[i]->scheme);
	if (o.n == 0) /* every kernel transport; for --test nagle, the one it is about */
		for (size_t i = 0; transport_registry[i] && o.n < TRANSPORTS_MAX; i++)
			if (!transport_in_user_space(transport_registry[i]) &&
			    (o.tests != TEST_NAGLE || (has_nagle(transport_registry[i]) && o.n == 0)))
				o.t[o.n++] = transport_registry[i];
	if (o.tests == TEST_NAGLE)
		for (size_t i = 0; i < o.n; i++)
			if (!has_nagle(o.t[i]))
				return cli_usage_error("bench", "--test nagle is about TCP: use --transports tcp");
	/* The client takes the first CPU; the servers the same one, or the next. */
	if (pin != PIN_NONE && bench_cpus(cpus) >= (pin == PIN_APART ? 2 : 1) && bench_pin(cpus[0]) == 0)
		o.server_cpu = pin == PIN_APART ? cpus[1] : cpus[0];
	cli_on_stop(on_stop, NULL); /* first: a signal must never find the directory made and nobody to remove it */
	if (!mkdtemp(dir))
		return cli_error("bench", errno, NULL, "create a directory for socket files in /tmp");
	if (!o.json && o.tests != TEST_NAGLE)
		bench_print_header(o.seconds, bench_rounds(o.seconds));
	for (size_t i = 0; i < o.n && rc == 0 && !interrupted; i++)
		rc = bench_transport(&o, o.t[i], dir);
	rmdir(dir);
	if (rc == 0 && interrupted)
		rc = cli_error("bench", EINTR, NULL, "stopped before the end");
	if (rc == 0 && !o.json && (o.tests & (TEST_RTT | TEST_BULK)))
		bench_print_footer();
	if (fflush(stdout) != 0 && rc == 0)
		rc = cli_error("bench", errno, NULL, "write standard output");
	return rc;
}
