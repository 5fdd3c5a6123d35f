/* test_congestion_run.c - socklab congestion for real: short runs through the bottleneck, the host left as it was. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/helpers.h"

TestSuite(congestion_run, .timeout = 60);

/* What the host shows of its interfaces, qdiscs and nftables rules: socklab must change none of it. */
static char *host_state(void)
{
	static const char *const cmds[][4] = { { "ip", "-o", "link", NULL },
					       { "tc", "qdisc", "show", NULL },
					       { "nft", "list", "ruleset", NULL } };
	size_t len = 0;
	char *all = calloc(1, 1);

	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		struct run_result r;
		cr_assert_eq(test_run(cmds[i], NULL, 0, &r), 0, "could not run %s", cmds[i][0]);
		all = realloc(all, len + r.outlen + r.errlen + 64);
		len += (size_t)sprintf(all + len, "== %s (exit %d)\n%s%s", cmds[i][0], r.status, r.out, r.err);
		test_run_free(&r);
	}
	return all;
}

/* Skips the test when this kernel or container refuses the namespaces socklab needs, saying why. */
static void skip_if_refused(const struct run_result *r)
{
	if (r->status == 1 && (strstr(r->err, "unshare") || strstr(r->err, "user namespaces")))
		cr_skip_test("the kernel refuses the namespaces socklab congestion needs here: %s", r->err);
}

/* The numbers after each "key": in a json text, at most max of them. */
static size_t numbers(const char *json, const char *key, double *out, size_t max)
{
	size_t n = 0;
	char pat[64];

	snprintf(pat, sizeof pat, "\"%s\": ", key);
	for (const char *p = strstr(json, pat); p && n < max; p = strstr(p + 1, pat))
		out[n++] = strtod(p + strlen(pat), NULL);
	return n;
}

Test(congestion_run, two_seconds_of_reno_sampled_from_the_kernel)
{
	const char *argv[] = { "socklab", "congestion", "--seconds", "2", "--format", "json", NULL };
	static double v[4096];
	struct run_result r;
	char *before = host_state();

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	skip_if_refused(&r);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_str_eq(r.err, "");
	size_t n = numbers(r.out, "cwnd", v, 4096);
	cr_expect_gt(n, 100, "2 s every 5 ms: %zu samples", n);
	for (size_t i = 0; i < n; i++)
		cr_expect_gt(v[i], 0, "sample %zu: cwnd %g", i, v[i]);
	cr_assert_eq(numbers(r.out, "goodput_bps", v, 1), 1, "%s", r.out);
	cr_expect_gt(v[0], 1e6, "some goodput: %g bit/s", v[0]);
	cr_expect_leq(v[0], 20e6, "no more than the bottleneck lets through: %g bit/s", v[0]);
	cr_expect(strstr(r.out, "\"phase\": \"slow start\""), "it starts in slow start");
	test_run_free(&r);
	char *after = host_state();
	cr_expect_str_eq(after, before, "the host's interfaces, qdiscs or rules changed");
	free(before);
	free(after);
}

/* Is a process that carries this marker in its environment still there? */
static int marked_alive(const char *marker)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d)) != NULL) {
		char path[300], env[8192];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
		FILE *f = fopen(path, "r");
		size_t got = f ? fread(env, 1, sizeof env - 1, f) : 0;
		if (f)
			fclose(f);
		for (size_t i = 0; i < got && !found; i += strlen(env + i) + 1) {
			env[got] = '\0';
			found = strcmp(env + i, marker) == 0;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* SIGTERM mid-run (once the bottleneck is up): one line, exit 1, no child left, the host as it was. */
Test(congestion_run, sigterm_mid_run_leaves_nothing)
{
	const char *argv[] = { test_socklab(), "congestion", "--seconds", "20", "--format", "csv", NULL };
	char marker[320], line[256];
	struct test_peer p;
	char *before = host_state();

	snprintf(line, sizeof line, "%d", (int)getpid());
	snprintf(marker, sizeof marker, "SOCKLAB_CONGESTION_TEST=%s", line);
	setenv("SOCKLAB_CONGESTION_TEST", line, 1); /* inherited by socklab and every child it makes */
	cr_assert_eq(test_peer_start(&p, argv), 0);
	if (test_peer_wait_line(&p, 1, "cc,flow,t_ms", line, sizeof line) < 0) {
		int status = test_peer_wait_exit(&p);
		struct run_result r = { .status = status, .err = p.errbuf ? p.errbuf : "" };
		skip_if_refused(&r);
		cr_assert_fail("no csv header (exit %d): %s", status, r.err);
	}
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	int status = test_peer_wait_exit(&p);
	cr_expect_eq(status, 1, "exit %d", status);
	cr_expect(p.errbuf && strstr(p.errbuf, "stopped by signal 15"), "%s", p.errbuf ? p.errbuf : "");
	cr_expect(p.errbuf && strchr(p.errbuf, '\n') == p.errbuf + p.errlen - 1, "one line: %s", p.errbuf);
	test_peer_free(&p);
	cr_expect_not(marked_alive(marker), "a child of socklab congestion outlived it");
	char *after = host_state();
	cr_expect_str_eq(after, before, "the host's interfaces, qdiscs or rules changed");
	free(before);
	free(after);
}

/* Without root: the same run through a user namespace, or one line saying what is missing (exit 1). */
Test(congestion_run, unprivileged_runs_or_says_why)
{
	const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", test_socklab(),
			       "congestion", "--seconds", "0.5", "--format", "csv", NULL };
	struct run_result r;

	if (geteuid() != 0)
		cr_skip_test("setpriv needs root to drop to nobody; this test already runs unprivileged elsewhere");
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	skip_if_refused(&r);
	if (r.status == 0) {
		cr_expect(strncmp(r.out, "cc,flow,t_ms,cwnd,", 18) == 0, "%s", r.out);
		cr_expect(strstr(r.out, "\nreno,1,"), "samples: %.200s", r.out);
	} else {
		cr_expect_eq(r.status, 1, "exit %d: %s", r.status, r.err);
		cr_expect(strchr(r.err, '\n') == r.err + r.errlen - 1, "one line: %s", r.err);
	}
	test_run_free(&r);
}

/* How many lines of text contain what. */
static size_t lines_with(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/*
 * --cc aimd: the samples are rdt's own sender's (rdt_sock_stats), traced as
 * rdt narrates them: cwnd grows, is cut when the bottleneck's queue
 * overflows, the ssthresh sampled is one rdt set, and no more retransmissions
 * are printed than rdt made. The receiver's process narrates nothing, so
 * every rdt line in the trace is the sender's.
 */
Test(congestion_run, aimd_is_sampled_from_rdts_own_sender)
{
	const char *argv[] = { "socklab", "--trace", "congestion", "--cc", "aimd", "--seconds", "2", "--format", "json", NULL };
	static double v[4096];
	struct run_result r;
	char *before = host_state();

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	skip_if_refused(&r);
	cr_assert_eq(r.status, 0, "exit %d: %.2000s", r.status, r.err);
	cr_expect(strstr(r.out, "\"source\": \"rdt_sock_stats\", \"runs\""), "%.300s", r.out);
	cr_expect(strstr(r.out, "{\"cc\": \"aimd\", \"source\": \"rdt_sock_stats\""), "%.300s", r.out);
	cr_expect(strstr(r.out, "\"delivery_bps\": null") && !strstr(r.out, "\"delivery_bps\": 0"),
		  "rdt measures no delivery rate, and none is shown");
	size_t n = numbers(r.out, "cwnd", v, 4096), cuts = 0;
	double top = 0;
	cr_assert_gt(n, 100, "2 s every 5 ms: %zu samples", n);
	cr_expect_eq(v[0], 1, "rdt's slow start begins at one packet: %g", v[0]);
	for (size_t i = 1; i < n; i++) {
		cuts += v[i] < v[i - 1];
		top = v[i] > top ? v[i] : top;
	}
	cr_expect_gt(top, 20, "cwnd grew: at most %g", top);
	cr_expect_geq(cuts, 1, "the queue overflowed at least once, and cwnd was cut");
	const char *ss = strstr(r.out, "\"ssthresh\": ");
	while (ss && ss[12] == 'n')
		ss = strstr(ss + 1, "\"ssthresh\": "); /* null until rdt lowers it from the window */
	cr_assert(ss, "an ssthresh set by a decrease: %.300s", r.out);
	char said[64];
	snprintf(said, sizeof said, ", ssthresh %ld (", strtol(ss + 12, NULL, 10));
	cr_expect(strstr(r.err, said), "rdt never said '%s'", said);
	cr_expect(lines_with(r.err, "(rdt: cwnd ") > 0, "rdt narrated its window");
	cr_assert_eq(numbers(r.out, "retransmitted", v, 1), 1);
	cr_expect_gt(v[0], 0, "losses at the overflow are retransmitted");
	cr_expect_leq(v[0], (double)lines_with(r.err, "(rdt: retransmit seq="), "no more than rdt retransmitted");
	cr_expect_null(strstr(r.err, "-> LISTEN"), "the receiver's process narrates nothing");
	cr_assert_eq(numbers(r.out, "bytes_received", v, 1), 1);
	cr_expect_eq((long long)v[0] % 1400, 0, "whole messages of 1400 bytes: %g", v[0]);
	test_run_free(&r);
	char *after = host_state();
	cr_expect_str_eq(after, before, "the host's interfaces, qdiscs or rules changed");
	free(before);
	free(after);
}

/* reno then aimd with loss, one after another: each labelled, side by side, nothing left behind. */
Test(congestion_run, reno_then_aimd_side_by_side)
{
	const char *argv[] = { test_socklab(), "congestion", "--cc", "reno,aimd", "--loss", "2", "--seconds", "1", NULL };
	char marker[320], pid[32];
	struct run_result r;
	char *before = host_state();

	snprintf(pid, sizeof pid, "aimd%d", (int)getpid());
	snprintf(marker, sizeof marker, "SOCKLAB_CONGESTION_TEST=%s", pid);
	setenv("SOCKLAB_CONGESTION_TEST", pid, 1);
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	skip_if_refused(&r);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_str_eq(r.err, "");
	cr_expect(strstr(r.out, "== reno: 1 flow") && strstr(r.out, "== aimd: 1 flow"), "%s", r.out);
	cr_expect(strstr(r.out, "== aimd: 1 flow through a 20 Mbit/s bottleneck (tbf), queue 150000 bytes, 2% loss, 1 s\n"
				"   socklab's rdt over UDP (cc=aimd): samples from its own sender, not TCP_INFO\n"),
		  "%s", r.out);
	cr_expect_eq(lines_with(r.out, "not TCP_INFO"), 2, "the run's heading and the table's note: %s", r.out);
	cr_expect(strstr(r.out, "aimd, flow 1 of 1: cwnd in packets of 1400 bytes"), "%s", r.out);
	cr_expect(strstr(r.out, "^ rdt retransmitted in it"), "%s", r.out);
	cr_expect(strstr(r.out, "^ the kernel retransmitted in that column"), "reno's legend is the kernel's: %s", r.out);
	const char *table = strstr(r.out, "== side by side");
	cr_assert(table, "%s", r.out);
	cr_expect(strstr(table, "\nreno ") && strstr(table, "\naimd "), "%s", table);
	cr_expect(strstr(r.out, "aimd is specified at 0.5 (socklab's rule"), "%s", r.out);
	test_run_free(&r);
	unsetenv("SOCKLAB_CONGESTION_TEST");
	cr_expect_not(marked_alive(marker), "a child of socklab congestion outlived it");
	char *after = host_state();
	cr_expect_str_eq(after, before, "the host's interfaces, qdiscs or rules changed");
	free(before);
	free(after);
}
