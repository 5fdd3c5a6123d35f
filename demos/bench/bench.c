/* bench.c - socklab bench: round trips and bulk throughput per transport, through the interface and without it, on one CPU and on two. */
#include "bench.h"
#include "bench_loss.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demos/cli.h"

extern const struct command bench_command; /* its options and --help (bench_command.c) */

volatile sig_atomic_t bench_interrupted; /* Ctrl-C: stop after the round in progress */

static void on_stop(void *ctx)
{
	(void)ctx;
	bench_interrupted = 1;
}

/* Nagle's algorithm (TCP_NODELAY) is TCP's: a byte stream over IP, not over a socket file. */
static int has_nagle(const struct transport *t)
{
	return transport_is_connected(t) && !transport_keeps_boundaries(t) && !transport_has_socket_file(t);
}

/* One test on every transport: its table, or its JSON lines. */
static int run_test(const struct bench_opts *o, const struct bench_test *test, const char *dir)
{
	struct bench_figure fig[BENCH_PLACES_MAX][2];

	if (!o->json)
		test->print_header(bench_rounds(o->seconds / (double)o->nplaces, test->round_s));
	for (size_t i = 0; i < o->n && !bench_interrupted; i++) {
		const struct transport *t = o->t[i];
		if (!test->applies(t))
			continue;
		if (bench_measure(o, test, t, dir, fig) < 0)
			return cli_error("bench", errno, NULL, "%s: measure %s", t->scheme, test->name);
		for (size_t pl = 0; pl < o->nplaces && !bench_interrupted; pl++) {
			if (!o->json)
				test->print_row(t->scheme, o->places[pl].name, fig[pl]);
			for (int w = 0; w < 2 && o->json; w++)
				bench_print_json(t->scheme, test->name, w ? "raw" : "socklab", o->places[pl].name, &fig[pl][w], -1);
		}
	}
	return 0;
}

static int run_nagle(const struct bench_opts *o, const char *dir)
{
	struct bench_figure f[2];

	if (bench_nagle(o, o->t[0], dir, f) < 0)
		return cli_error("bench", errno, NULL, "%s: measure Nagle's algorithm", o->t[0]->scheme);
	if (bench_interrupted)
		return 0;
	for (int nodelay = 0; nodelay < 2 && o->json; nodelay++)
		bench_print_json(o->t[0]->scheme, "nagle", "socklab", NULL, &f[nodelay], nodelay);
	if (!o->json)
		bench_print_nagle(f);
	return 0;
}

/* "tcp,unix" into o->t. */
static int parse_transports(const char *list, struct bench_opts *o)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		const struct transport *t = transport_find(p, len);
		if (!t || o->n == BENCH_TRANSPORTS_MAX)
			return cli_usage_error("bench", "unknown transport '%.*s' in --transports", (int)(len > 20 ? 20 : len),
					       p);
		o->t[o->n++] = t;
		p += len + (p[len] == ',');
	}
	return o->n ? 0 : cli_usage_error("bench", "--transports needs at least one transport");
}

/*
 * The placements --pin asks for, on this machine's CPUs: the client takes
 * the first, a server the same one (same) or the next (split), each with its
 * batch size (struct bench_place). "both" on a single CPU is "same"; "split"
 * there is refused. 0, or the usage error.
 */
static int parse_pin(const char *where, struct bench_opts *o)
{
	int cpus[2], n = bench_cpus(cpus);
	int same = !strcmp(where, "same"), split = !strcmp(where, "split"), both = !strcmp(where, "both");

	if (!same && !split && !both && strcmp(where, "none") != 0)
		return cli_usage_error("bench", "--pin takes same, split, both or none, not '%.20s'", where);
	o->nplaces = 0;
	o->client_cpu = -1;
	if (n == 0 || (!same && !split && !both)) { /* none, or a system that cannot pin: maybe two CPUs */
		o->places[o->nplaces++] = (struct bench_place){ "none", -1, o->batch ? o->batch : BENCH_CREDIT_EVERY };
		return 0;
	}
	if (split && n < 2)
		return cli_usage_error("bench", "--pin split needs two CPUs, and this process may use one");
	if (same || both)
		o->places[o->nplaces++] = (struct bench_place){ "same", cpus[0], o->batch ? o->batch : BENCH_WINDOW };
	if (split || (both && n >= 2))
		o->places[o->nplaces++] = (struct bench_place){ "split", cpus[1], o->batch ? o->batch : BENCH_CREDIT_EVERY };
	if (bench_pin(cpus[0]) < 0)
		return cli_error("bench", errno, NULL, "pin the client to CPU %d", cpus[0]);
	o->client_cpu = cpus[0];
	return 0;
}

int bench_main(int argc, char **argv)
{
	struct bench_opts o = { .tests = BENCH_TEST_RTT | BENCH_TEST_BULK, .seconds = 1 };
	const char *pin = "both";
	char dir[] = "/tmp/socklab-bench.XXXXXX", *end;
	int c, rc = 0, ms;
	long batch;
	const char *loss = NULL, *seed_text = NULL;
	unsigned long long seed = LOSS_SEED;

	while ((c = cli_next_option(&bench_command, argc, argv)) != -1) {
		switch (c) {
		case 'T':
			if ((rc = parse_transports(optarg, &o)) != 0)
				return rc;
			break;
		case 'x':
			o.tests = !strcmp(optarg, "rtt") ? BENCH_TEST_RTT : !strcmp(optarg, "bulk") ? BENCH_TEST_BULK
				: !strcmp(optarg, "all") ? BENCH_TEST_RTT | BENCH_TEST_BULK
				: !strcmp(optarg, "nagle") ? BENCH_TEST_NAGLE : 0;
			if (!o.tests)
				return cli_usage_error("bench", "--test takes rtt, bulk, all or nagle, not '%.20s'", optarg);
			break;
		case 's':
			if ((ms = cli_seconds(optarg)) < 10 || ms > 3600 * 1000)
				return cli_usage_error("bench", "--seconds takes a duration from 0.01 to 3600, not '%.20s'",
						       optarg);
			o.seconds = ms / 1000.0;
			break;
		case 'p': pin = optarg; break;
		case 'b':
			errno = 0;
			batch = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || batch < 1 || batch > BENCH_BATCH_MAX)
				return cli_usage_error("bench", "--batch takes 1 to %d datagrams, not '%.20s'", BENCH_BATCH_MAX,
						       optarg);
			o.batch = (int)batch;
			break;
		case 'j': o.json = 1; break;
		case 'l': loss = optarg; break;
		case 'e':
			if (cli_number(optarg, 0, LOSS_SEED_MAX, &seed) < 0)
				return cli_usage_error("bench", "--seed takes a whole number from 0 to %llu, not '%.24s'",
						       LOSS_SEED_MAX, optarg);
			seed_text = optarg;
			break;
		case 'h': return cli_help(&bench_command);
		default: return cli_bad_option("bench", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("bench", "unexpected argument '%.40s'", argv[optind]);
	if (seed_text && !loss)
		return cli_usage_error("bench", "--seed goes with --loss: it seeds the loss sweep's drops");
	if (loss) /* the loss sweep: rdt's modes, not the two paths */
		return (rc = bench_loss(loss, o.seconds, seed, o.json)) != 0 ? rc
		       : fflush(stdout) == 0 ? 0 : cli_error("bench", errno, NULL, "write standard output");
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
		for (size_t i = 0; transport_registry[i] && o.n < BENCH_TRANSPORTS_MAX; i++)
			if (!transport_in_user_space(transport_registry[i]) &&
			    (o.tests != BENCH_TEST_NAGLE || (has_nagle(transport_registry[i]) && o.n == 0)))
				o.t[o.n++] = transport_registry[i];
	if (o.tests == BENCH_TEST_NAGLE)
		for (size_t i = 0; i < o.n; i++)
			if (!has_nagle(o.t[i]))
				return cli_usage_error("bench", "--test nagle is about TCP: use --transports tcp");
	if ((rc = parse_pin(pin, &o)) != 0)
		return rc;
	cli_on_stop(on_stop, NULL); /* first: a signal must never find the directory made and nobody to remove it */
	if (!mkdtemp(dir))
		return cli_error("bench", errno, NULL, "create a directory for socket files in /tmp");
	if (!o.json && o.tests != BENCH_TEST_NAGLE)
		bench_print_intro(&o);
	for (const struct bench_test *test = bench_tests; test->name && rc == 0 && !bench_interrupted; test++)
		if (o.tests & test->bit)
			rc = run_test(&o, test, dir);
	if (rc == 0 && (o.tests & BENCH_TEST_NAGLE))
		rc = run_nagle(&o, dir);
	rmdir(dir);
	if (rc == 0 && bench_interrupted)
		rc = cli_error("bench", EINTR, NULL, "stopped before the end");
	if (rc == 0 && !o.json && o.tests != BENCH_TEST_NAGLE)
		bench_print_footer(&o);
	if (fflush(stdout) != 0 && rc == 0)
		rc = cli_error("bench", errno, NULL, "write standard output");
	return rc;
}
