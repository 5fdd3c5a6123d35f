/* test_bench.c - a short smoke run of socklab bench per transport: both paths, the JSON keys, the table. No timing asserted. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/transport.h"
#include "tests/support/helpers.h"

/* The keys the issue asks of every JSON line. */
static const char *const keys[] = { "transport", "test", "path", "msg_size", "median_us", "p99_us",
				    "ops_per_s", "mb_per_s", "lost", "placement", "better", "per_send_call", "per_recv_call" };

/* The value of key in one JSON line: a pointer just past '"key":', or NULL. */
static const char *value(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	p = strstr(line, pat);
	return p ? p + strlen(pat) : NULL;
}

/* A line that is one flat JSON object: braces, and every "key": followed by a number, a string, null or a boolean. */
static int flat_object(const char *line, size_t len)
{
	if (len < 2 || line[0] != '{' || line[len - 1] != '}')
		return 0;
	for (const char *p = line + 1; p < line + len - 1;) {
		if (*p++ != '"')
			return 0;
		while (p < line + len && *p != '"')
			p++;
		if (p[0] != '"' || p[1] != ':')
			return 0;
		p += 2;
		if (*p == '"') {
			for (p++; *p != '"'; p++)
				if (*p == '\n' || !*p)
					return 0;
			p++;
		} else if (!strncmp(p, "null", 4) || !strncmp(p, "true", 4)) {
			p += 4;
		} else if (!strncmp(p, "false", 5)) {
			p += 5;
		} else {
			char *end;
			strtod(p, &end);
			if (end == p)
				return 0;
			p = end;
		}
		if (*p == ',')
			p++;
		else if (p != line + len - 1)
			return 0;
	}
	return 1;
}

static void run_bench(struct run_result *r, const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "exec \"$0\" bench %s", args);
	const char *argv[] = { "sh", "-c", cmd, test_socklab(), NULL };
	/* A loss sweep is many cells, each a forked server; under the sanitizers or valgrind, far more than 10 s. */
	cr_assert(test_run_within(argv, NULL, 0, 60, r) == 0);
}

ParameterizedTestParameters(bench, json_both_paths)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Index of a placement's name, adding it to names the first time it is seen. */
static int place_index(const char *v, char names[2][8], int *n)
{
	for (int k = 0; k < *n; k++)
		if (strncmp(v, names[k], strlen(names[k])) == 0 && v[strlen(names[k])] == '"')
			return k;
	cr_assert_lt(*n, 2, "a third placement: %s", v);
	snprintf(names[*n], sizeof names[*n], "%.*s", (int)strcspn(v, "\""), v);
	return (*n)++;
}

/* rtt and bulk through both paths at every placement: four lines each, every key, numbers that make sense. */
ParameterizedTest(size_t *i, bench, json_both_paths)
{
	const struct transport *t = transport_registry[*i];
	char args[128], names[2][8];
	struct run_result r;
	int seen[2][2][2] = { { { 0 } } }, better[2][2] = { { 0 } }, places = 0;

	snprintf(args, sizeof args, "--transports %s --test all --seconds 0.2 --pin both --json", t->scheme);
	run_bench(&r, args);
	if (transport_in_user_space(t)) { /* no plain socket calls reach it: no raw path, and bench says so */
		cr_expect_eq(r.status, 2, "%s: exit %d: %s", t->scheme, r.status, r.err);
		cr_expect(strstr(r.err, "socklab's own protocol") != NULL, "%s: %s", t->scheme, r.err);
		cr_expect_str_eq(r.out, "");
		test_run_free(&r);
		return;
	}
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	int lines = 0;
	for (char *line = r.out, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
		*nl = '\0';
		cr_assert(flat_object(line, (size_t)(nl - line)), "%s: not a JSON object: %s", t->scheme, line);
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			cr_assert(value(line, keys[k]) != NULL, "%s: no \"%s\" in %s", t->scheme, keys[k], line);
		int rtt = strncmp(value(line, "test"), "\"rtt\"", 5) == 0;
		int raw = strncmp(value(line, "path"), "\"raw\"", 5) == 0;
		int pl = place_index(value(line, "placement") + 1, names, &places);
		cr_expect(rtt || strncmp(value(line, "test"), "\"bulk\"", 6) == 0, "%s", line);
		cr_expect(raw || strncmp(value(line, "path"), "\"socklab\"", 9) == 0, "%s", line);
		seen[rtt][raw][pl]++;
		better[rtt][pl] += strncmp(value(line, "better"), "true", 4) == 0;
		cr_expect_gt(strtod(value(line, "ops_per_s"), NULL), 0, "%s", line);
		/* Datagrams per system call: counted for datagram bulk, and then at least one and at most the window. */
		int counted = !rtt && !transport_is_connected(t);
		for (int k = 0; k < 2; k++) {
			const char *v = value(line, k ? "per_recv_call" : "per_send_call");
			cr_expect(counted ? strtod(v, NULL) >= 1 && strtod(v, NULL) <= 64 : strncmp(v, "null", 4) == 0, "%s", line);
		}
		if (rtt) {
			cr_expect_eq(strtod(value(line, "msg_size"), NULL), 64, "%s", line);
			cr_expect_gt(strtod(value(line, "median_us"), NULL), 0, "%s", line);
			cr_expect_geq(strtod(value(line, "p99_us"), NULL), strtod(value(line, "median_us"), NULL), "%s", line);
		} else {
			cr_expect_gt(strtod(value(line, "mb_per_s"), NULL), 0, "%s", line);
			if (transport_is_reliable(t))
				cr_expect_eq(strtod(value(line, "lost"), NULL), 0, "%s", line);
		}
		char want[32];
		snprintf(want, sizeof want, "\"%s\"", t->scheme);
		cr_expect(strncmp(value(line, "transport"), want, strlen(want)) == 0, "%s", line);
	}
	cr_expect_eq(lines, 4 * places, "%s: %s", t->scheme, r.out);
	for (int a = 0; a < 2; a++) {
		for (int b = 0; b < 2; b++)
			for (int pl = 0; pl < places; pl++)
				cr_expect_eq(seen[a][b][pl], 1, "%s: test %d path %d at %s seen %d times", t->scheme, a, b, names[pl],
					     seen[a][b][pl]);
		/* With two placements, one is the better for each test: both its lines say so, the other's not. */
		if (places == 2)
			cr_expect((better[a][0] == 2 && better[a][1] == 0) || (better[a][0] == 0 && better[a][1] == 2),
				  "%s: test %d: better %d and %d", t->scheme, a, better[a][0], better[a][1]);
	}
	test_run_free(&r);
}

/* --batch 1: one datagram per system call, each way, and the bulk still counts what arrived. */
Test(bench, one_datagram_per_call)
{
	struct run_result r;

	run_bench(&r, "--transports udp,unixgram --test bulk --seconds 0.1 --pin same --batch 1 --json");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	int lines = 0;
	for (char *line = r.out, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
		*nl = '\0';
		cr_expect_eq(strtod(value(line, "per_send_call"), NULL), 1, "%s", line);
		cr_expect_eq(strtod(value(line, "per_recv_call"), NULL), 1, "%s", line);
		cr_expect(strstr(line, "\"placement\":\"same\"") != NULL, "%s", line);
	}
	cr_expect_eq(lines, 4, "%s", r.out);
	test_run_free(&r);
}

/* The tables a learner reads: one per test, a row per transport and placement, the better placement marked. */
Test(bench, table)
{
	struct run_result r;

	run_bench(&r, "--transports udp,unix --seconds 0.1");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "\nround trip, 64 B") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "\nbulk, one way") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "\ntransport   placement") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "\nudp         same") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "\nunix        same") != NULL, "%s", r.out);
	if (strstr(r.out, "; split = client on CPU")) { /* two CPUs: both placements by default, the better marked */
		cr_expect(strstr(r.out, "\nudp         split") != NULL, "%s", r.out);
		cr_expect(strstr(r.out, "\nunix        split") != NULL, "%s", r.out);
		int marks = 0;
		for (const char *p = r.out; (p = strstr(p, " * ")) != NULL; p++)
			marks++;
		cr_expect_eq(marks, 4, "two transports, two tests: %s", r.out);
	}
	cr_expect(strstr(r.out, "ratio") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "per call: datagrams per") != NULL, "%s", r.out);
	cr_expect_eq(r.errlen, 0, "%s", r.err);
	test_run_free(&r);
}

/* Nagle's algorithm: one line with TCP_NODELAY off, one with it on. */
Test(bench, nagle)
{
	struct run_result r;

	run_bench(&r, "--test nagle --seconds 0.2 --json");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "\"nodelay\":false") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "\"nodelay\":true") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "\"test\":\"nagle\"") != NULL, "%s", r.out);
	test_run_free(&r);
}

/* Usage errors: exit 2 and one line. */
Test(bench, usage_errors)
{
	static const char *const bad[] = { "--test speed", "--transports tcp,carrier-pigeon", "--seconds 0",
					   "--pin everywhere", "--pin apart", "--batch 0", "--batch 65", "--batch 8x", "--bogus",
					   "extra", "--test nagle --transports udp" };

	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct run_result r;
		run_bench(&r, bad[k]);
		cr_expect_eq(r.status, 2, "%s: exit %d: %s", bad[k], r.status, r.err);
		cr_expect(strchr(r.err, '\n') == r.err + r.errlen - 1, "%s: not one line: %s", bad[k], r.err);
		cr_expect_eq(r.outlen, 0, "%s: %s", bad[k], r.out);
		test_run_free(&r);
	}
}

/* The goals the sweep states, by their JSON names. */
static const char *const goals[] = { "sw_vs_formula", "gbn_vs_sw", "sr_vs_sw", "sr_resent_per_lost",
				     "sr_vs_tcp", "same_seed_same_counts" };

/* A row of the sweep (rdt or tcp): numbers that make sense; through loss something was sent again. */
static void check_row(const char *line)
{
	double loss = strtod(value(line, "loss"), NULL);

	cr_expect_gt(strtod(value(line, "mb_per_s"), NULL), 0, "%s", line);
	cr_expect_gt(strtod(value(line, "messages"), NULL), 0, "%s", line);
	cr_expect_gt(strtod(value(line, "p99_us"), NULL), 0, "%s", line);
	cr_expect(value(line, "resent_per_msg"), "%s", line);
	if (loss > 0)
		cr_expect_gt(strtod(value(line, "resent"), NULL), 0, "nothing sent again through loss: %s", line);
}

/*
 * --loss: rdt's three modes through 0% and 5% loss each way, a JSON line
 * each, kernel TCP on the loopback as it is, and the goals, each
 * with the figure this run measured (never null: both 0% and 5% ran).
 * Through loss every mode resends, and selective repeat resends less per
 * message than Go-Back-N, which sends its window again. The TCP rows of the
 * namespace are loss_sweep_tcp's.
 */
Test(bench, loss_sweep, .timeout = 90)
{
	struct run_result r;
	double gbn = -1, sr = -1;
	int rdt = 0, lo = 0, met[sizeof goals / sizeof goals[0]] = { 0 };

	run_bench(&r, "--loss 0,5 --seconds 0.1 --json");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	for (char *line = r.out, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		cr_assert(flat_object(line, (size_t)(nl - line)), "not a JSON object: %s", line);
		for (size_t g = 0; g < sizeof goals / sizeof goals[0]; g++)
			if (value(line, "goal") && strncmp(value(line, "goal") + 1, goals[g], strlen(goals[g])) == 0) {
				cr_expect(strtod(value(line, "measured"), NULL) > 0, "no figure: %s", line);
				cr_expect(!strncmp(value(line, "met"), "true", 4) || !strncmp(value(line, "met"), "false", 5),
					  "%s", line);
				met[g]++;
			}
		if (strstr(line, "\"simulated\":true")) /* socklab's simulation: test_bench_sim.c */
			continue;
		if (strstr(line, "\"transport\":\"rdt\"") || strstr(line, "\"where\":\"loopback\"")) {
			check_row(line);
			rdt += strstr(line, "\"transport\":\"rdt\"") != NULL;
			lo += strstr(line, "\"where\":\"loopback\"") != NULL;
		}
		double loss = value(line, "loss") ? strtod(value(line, "loss"), NULL) : 0;
		if (loss > 0 && strstr(line, "\"arq\":\"gbn\""))
			gbn = strtod(value(line, "resent_per_msg"), NULL);
		if (loss > 0 && strstr(line, "\"arq\":\"sr\""))
			sr = strtod(value(line, "resent_per_msg"), NULL);
	}
	cr_expect_eq(rdt, 6, "%s", r.out);
	cr_expect_eq(lo, 1, "no kernel TCP on the loopback: %s", r.out);
	for (size_t g = 0; g < sizeof goals / sizeof goals[0]; g++)
		cr_expect_eq(met[g], 1, "goal %s: %d lines: %s", goals[g], met[g], r.out);
	cr_expect(sr >= 0 && gbn > sr, "resent per message: gbn %.3f, sr %.3f", gbn, sr);
	test_run_free(&r);
}

/*
 * Kernel TCP through real loss: a private namespace whose lo drops 5% of
 * the segments (nftables). Its row has numbers, it sent segments again, and
 * nftables counted drops; where no namespace can be made, the row says why
 * and the test is skipped with that reason.
 */
Test(bench, loss_sweep_tcp, .timeout = 60)
{
	struct run_result r;
	int rows = 0;

	run_bench(&r, "--loss 5 --seconds 0.1 --json");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	char *tcp = strstr(r.out, "{\"transport\":\"tcp\",\"where\":\"netns\"");
	cr_assert(tcp, "no TCP row: %s", r.out);
	tcp[strcspn(tcp, "\n")] = '\0';
	if (value(tcp, "skipped"))
		cr_skip_test("no namespace for TCP here: %s", tcp);
	check_row(tcp);
	cr_expect_gt(strtod(value(tcp, "dropped"), NULL), 0, "nftables dropped nothing: %s", tcp);
	for (const char *p = r.out; (p = strstr(p, "\"transport\":\"rdt\"")); p++)
		rows++;
	for (const char *p = r.out; (p = strstr(p, "\"simulated\":true")); p++)
		rows--; /* the measured rows, not socklab's simulation's */
	cr_expect_eq(rows, 3, "%s", r.out);
	test_run_free(&r);
}

/*
 * The table: the rows, the line saying TCP's losses are not seeded, and each
 * goal as "goal ... : measured ... (met)" or "(not met)". A loss nftables
 * cannot draw (0.5%: numgen counts whole percents) is one line for TCP,
 * saying why, and rdt's rows still run.
 */
Test(bench, loss_table, .timeout = 90)
{
	struct run_result r;

	run_bench(&r, "--loss 0,0.5 --seconds 0.1");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "\nsw        0% "), "%s", r.out);
	cr_expect(strstr(r.out, "\nsr      0.5% "), "%s", r.out);
	cr_expect(strstr(r.out, "\ntcp     0.5%  not run: nftables' numgen draws whole percents, not 0.5%\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\ntcp: TCP's losses are nftables' numgen random, not seeded: they differ from run to run. "
				"rdt's drops are\n     drawn from its seeds, the same decisions in the same order every run"),
		  "%s", r.out);
	cr_expect(strstr(r.out, "\ntcp/lo    0% "), "%s", r.out);
	cr_expect(strstr(r.out, "\ngoal rdt sr resends per lost packet at 5% <= 1.2 : not measured (no 5% in --loss)\n"),
		  "%s", r.out);
	const char *asks[] = { "goal rdt sw goodput within 15% of msg_size / RTT : measured ",
			       "goal rdt gbn at window 32 >= 5x rdt sw's goodput at 0% : measured ",
			       "goal rdt sr at window 32 >= 5x rdt sw's goodput at 0% : measured ",
			       "goal rdt sr >= 25% of kernel TCP's goodput, 1400-byte messages, 0% loss : measured " };
	for (size_t k = 0; k < sizeof asks / sizeof asks[0]; k++) {
		const char *p = strstr(r.out, asks[k]);
		cr_expect(p, "%s\n%s", asks[k], r.out);
		if (p) {
			size_t len = strcspn(p, "\n");
			cr_expect(len > 6 && (!strncmp(p + len - 6, " (met)", 6) || !strncmp(p + len - 10, " (not met)", 10)),
				  "%.*s", (int)len, p);
		}
	}
	test_run_free(&r);
}
