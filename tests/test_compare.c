/* test_compare.c - make compare's script: a short smoke run of every comparison it makes, and its report's targets and verdicts. No timing asserted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/helpers.h"

TestSuite(compare, .timeout = 60);

/* One round, tiny: bench over udp only, the tools that need whole seconds (iperf3, sockperf) left out. */
Test(compare, smoke)
{
	char cmd[512];
	struct run_result r;

	snprintf(cmd, sizeof cmd,
		 "COMPARE_SKIP='iperf3 sockperf' COMPARE_TRANSPORTS=udp COMPARE_MB=1 COMPARE_SECONDS=0.02 COMPARE_INSTALL=0 "
		 "exec sh demos/bench/bench_compare.sh \"$0\" 1");
	const char *argv[] = { "sh", "-c", cmd, test_socklab(), NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	static const char *const want[] = {
		"socklab compare: 1 round;", "\n1. socklab bench: the socklab path over the raw path",
		"\n  udp        rtt  same ", "\n  udp        bulk same ", "datagrams per call: ",
		"\n  udp        bulk same  batched / one ",
		"\n2. transfers of 1 MiB", "\n  tcp   socklab / socat ", "\n  unix  socklab / nc ",
		"CPU seconds per GB: sender ", "(left out: iperf3", "(left out: sockperf", " ratios at or beyond their targets",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_expect(strstr(r.out, want[i]) != NULL, "no \"%s\" in:\n%s", want[i], r.out);
	cr_expect(strstr(r.err, "failed") == NULL && strstr(r.err, "never listened") == NULL, "%s", r.err);
	test_run_free(&r);
}

/* Runs the report on lines, returns its output in r. */
static void report(const char *lines, struct run_result *r)
{
	char dir[64], path[128], cmd[256];

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/results", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(lines, f);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof cmd, "exec sh demos/bench/bench_compare_report.sh %s 3 1024", path);
	const char *argv[] = { "sh", "-c", cmd, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, r), 0);
	test_rmdir(dir);
}

/* The median decides, against each kind of figure's target; the spread is the lowest and highest round. */
Test(compare, targets_and_verdicts)
{
	struct run_result r;

	report("ratio:bench:udp:bulk:split 0.95\nratio:bench:udp:bulk:split 0.80\nratio:bench:udp:bulk:split 0.92\n"
	       "better:bench:udp:bulk split\n"
	       "ratio:bench:tcp:bulk:same 0.96\n"
	       "ratio:bench:tcp:rtt:same 1.02\n"
	       "ratio:xfer:tcp:nc 0.99\nratio:xfer:tcp:nc 1.20\nratio:xfer:tcp:nc 1.01\n"
	       "ratio:sockperf:udp:same 1.01\n"
	       "ratio:iperf3:split 1.00\n"
	       "ratio:batch:udp:split 2.5\n",
	       &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	static const char *const want[] = {
		"\n  udp        bulk split               0.920  [0.800, 0.950]  >= 0.90  pass  * 1/3\n",
		"\n  tcp        bulk same                0.960  [0.960, 0.960]  >= 0.97  FAIL\n",
		"\n  tcp        rtt  same                1.020  [1.020, 1.020]  <= 1.03  pass\n",
		"\n  tcp   socklab / nc                  1.010  [0.990, 1.200]  >= 1.00  pass\n",
		"\n  udp   same  socklab / sockperf      1.010  [1.010, 1.010]  <= 1.00  FAIL\n",
		"\n  tcp   split socklab / iperf3        1.000  [1.000, 1.000]  >= 1.00  pass\n",
		"\n  udp        bulk split batched / one  2.500  [2.500, 2.500]  >= 0.97  pass\n",
		"5 of 7 ratios at or beyond their targets; not met:",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_expect(strstr(r.out, want[i]) != NULL, "no \"%s\" in:\n%s", want[i], r.out);
	test_run_free(&r);
}
