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
