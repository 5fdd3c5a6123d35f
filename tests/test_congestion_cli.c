/* test_congestion_cli.c - socklab congestion's options: what they parse to, and one line (exit 2) for each mistake. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "demos/congestion/congestion.h"
#include "tests/support/helpers.h"

TestSuite(congestion_cli, .timeout = 30);

/* Parses the arguments after "congestion" in this process. */
static int parse(struct congestion_opts *o, const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { "congestion", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 1;

	while (argv[argc])
		argc++;
	return congestion_parse(argc, argv, o);
}

Test(congestion_cli, defaults)
{
	struct congestion_opts o;

	cr_assert_eq(parse(&o, NULL, NULL, NULL, NULL), 0);
	cr_expect_eq(o.rate_bps, 20000000);
	cr_expect_eq(o.buffer_bytes, 150000, "100 packets of 1500 bytes");
	cr_expect_eq(o.ncc, 1);
	cr_expect_str_eq(o.cc[0]->name, "reno");
	cr_expect_eq(o.flows, 1);
	cr_expect_eq(o.seconds_ms, 10000);
	cr_expect_eq(o.interval_ms, 5);
	cr_expect_eq(o.format, FORMAT_CHART);
	cr_expect_eq(o.seeded, 0);
}

Test(congestion_cli, values)
{
	struct congestion_opts o;

	cr_assert_eq(parse(&o, "--rate", "500kbit", "--buffer", "64p"), 0);
	cr_expect_eq(o.rate_bps, 500000);
	cr_expect_eq(o.buffer_bytes, 96000);
	cr_assert_eq(parse(&o, "--rate", "1gbit", "--buffer", "30000"), 0);
	cr_expect_eq(o.rate_bps, 1000000000);
	cr_expect_eq(o.buffer_bytes, 30000);
	cr_assert_eq(parse(&o, "--cc", "bbr,reno,cubic", "--format", "csv"), 0);
	cr_assert_eq(o.ncc, 3);
	cr_expect_str_eq(o.cc[0]->name, "bbr");
	cr_expect_eq(o.cc[0]->uses_ssthresh, 0, "a fact of the table");
	cr_expect_str_eq(o.cc[2]->name, "cubic");
	cr_expect_float_eq(o.cc[2]->beta, 0.7, 1e-9);
	cr_expect_eq(o.format, FORMAT_CSV);
	cr_assert_eq(parse(&o, "--flows", "2", "--stagger", "2.5"), 0);
	cr_expect_eq(o.flows, 2);
	cr_expect_eq(o.stagger_ms, 2500);
	cr_assert_eq(parse(&o, "--loss", "0.5", "--seed", "7"), 0);
	cr_expect_float_eq(o.loss_pct, 0.5, 1e-12);
	cr_expect(o.seeded && o.seed == 7);
	cr_assert_eq(parse(&o, "--seconds", "0.5", "--interval", "2"), 0);
	cr_expect_eq(o.seconds_ms, 500);
	cr_expect_eq(o.interval_ms, 2);
	cr_assert_eq(parse(&o, "--delay", "20", "--format", "json"), 0);
	cr_expect_eq(o.delay_ms, 20);
	cr_expect_eq(o.format, FORMAT_JSON);
	cr_expect_eq(o.cc[0]->kind, &congestion_tcp_kind, "every algorithm names its kind of flow");
}

static const struct bad {
	const char *argv[4];
	const char *why;
} bads[] = {
	{ { "--rate", "20mbps" }, "--rate '20mbps' is not a rate from 100kbit to 10gbit" },
	{ { "--rate", "50kbit" }, "--rate '50kbit' is not a rate" },
	{ { "--rate", "-5mbit" }, "--rate '-5mbit'" },
	{ { "--buffer", "100k" }, "--buffer '100k' is not a size" },
	{ { "--buffer", "1p" }, "--buffer '1p'" },
	{ { "--loss", "60" }, "--loss '60' is not a percentage from 0 to 50" },
	{ { "--loss", "1%" }, "--loss '1%'" },
	{ { "--cc", "vegas" }, "unknown algorithm 'vegas' in --cc: reno, cubic, bbr or aimd" },
	{ { "--cc", "reno,,bbr" }, "unknown algorithm '' in --cc" },
	{ { "--cc", "aimd,vegas" }, "unknown algorithm 'vegas' in --cc" },
	{ { "--cc", "reno,reno,reno,reno,reno,reno,reno" }, "--cc names more than 6 runs" },
	{ { "--flows", "9" }, "--flows '9' is not a number from 1 to 8" },
	{ { "--flows", "0" }, "--flows '0'" },
	{ { "--seconds", "0.05" }, "--seconds '0.05' is not a number of seconds from 0.1 to 600" },
	{ { "--interval", "0" }, "--interval '0' is not a whole number of ms from 1 to 1000" },
	{ { "--format", "png" }, "--format 'png' is not one of chart, json, csv" },
	{ { "--seed", "x" }, "--seed 'x' is not a whole number" },
	{ { "--delay", "-1" }, "--delay '-1'" },
	{ { "--flows", "3", "--stagger", "5" }, "--stagger 5.0 s x 2 flows leaves the last no time in 10.0 s" },
	{ { "--seconds", "600", "--interval", "1" }, "more than 100000 samples a flow" },
	{ { "--rate" }, "'--rate'" },
	{ { "extra" }, "unexpected argument 'extra'" },
};

ParameterizedTestParameters(congestion_cli, usage_errors)
{
	static size_t idx[sizeof bads / sizeof bads[0]];
	for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

/* Exit 2 before anything is set up, nothing on stdout, one line on stderr naming what is wrong. */
ParameterizedTest(size_t *i, congestion_cli, usage_errors)
{
	const char *argv[8] = { "socklab", "congestion" };
	struct run_result r;

	for (int k = 0; k < 4 && bads[*i].argv[k]; k++)
		argv[k + 2] = bads[*i].argv[k];
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2, "%s: exit %d", argv[2], r.status);
	cr_expect_str_eq(r.out, "");
	cr_expect(r.errlen > 0 && strchr(r.err, '\n') == r.err + r.errlen - 1, "not one line: %s", r.err);
	cr_expect(strncmp(r.err, "socklab: congestion: ", 21) == 0, "%s", r.err);
	cr_expect(strstr(r.err, bads[*i].why), "\"%s\" does not say \"%s\"", r.err, bads[*i].why);
	test_run_free(&r);
}

/* aimd is rdt's: its own kind of flow, labelled as such, with the decrease rdt_snd_loss applies. */
Test(congestion_cli, aimd_is_rdts_and_says_so)
{
	struct congestion_opts o;

	cr_assert_eq(parse(&o, "--cc", "reno,aimd", NULL, NULL), 0);
	cr_assert_eq(o.ncc, 2);
	cr_expect_eq(o.cc[0]->kind, &congestion_tcp_kind);
	cr_expect_eq(o.cc[1]->kind, &congestion_rdt_kind);
	cr_expect_str_eq(o.cc[1]->name, "aimd");
	cr_expect_eq(o.cc[1]->uses_ssthresh, 1);
	cr_expect_eq(o.cc[1]->beta, 0.5);
	cr_expect(strstr(o.cc[1]->beta_source, "socklab's"), "%s", o.cc[1]->beta_source);
	cr_expect(strstr(congestion_rdt_kind.label, "not TCP_INFO"), "%s", congestion_rdt_kind.label);
	cr_expect(strstr(congestion_rdt_kind.receiver, "rdt://") == congestion_rdt_kind.receiver);
	cr_expect_str_eq(congestion_rdt_kind.source, "rdt_sock_stats");
	cr_expect_str_eq(congestion_tcp_kind.source, "TCP_INFO");
	cr_expect_eq(congestion_rdt_kind.has_delivery_rate, 0, "rdt measures no delivery rate: none is shown");
}
