/* test_congestion.c - socklab congestion's pure parts: phases, episodes, ratios, Jain, Mathis, the chart, the options. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/congestion/congestion.h"
#include "demos/congestion/congestion_analysis.h"
#include "demos/congestion/congestion_chart.h"
#include "tests/support/helpers.h"

TestSuite(congestion, .timeout = 30);

#define INF CONGESTION_NO_SSTHRESH

static struct congestion_sample at(uint32_t t_ms, uint32_t cwnd, uint32_t ssthresh, int ca, uint32_t retrans)
{
	return (struct congestion_sample){ .t_us = t_ms * 1000, .cwnd = cwnd, .ssthresh = ssthresh, .rtt_us = 40000,
					   .ca_state = (uint8_t)ca, .retrans = retrans, .segs_out = t_ms * 2 + 1 };
}

Test(congestion, phases_come_from_ca_state_then_cwnd_against_ssthresh)
{
	struct congestion_sample s;

	s = at(0, 10, INF, CA_OPEN, 0); /* Reno's first ssthresh is infinite: slow start */
	cr_expect_eq(congestion_phase(&s, 1), PHASE_SLOW_START);
	cr_expect_eq(congestion_phase(&s, 0), PHASE_OPEN, "bbr keeps no ssthresh: no slow start line to cross");
	s = at(0, 49, 50, CA_DISORDER, 0);
	cr_expect_eq(congestion_phase(&s, 1), PHASE_SLOW_START, "disorder reduces nothing");
	s = at(0, 50, 50, CA_OPEN, 0);
	cr_expect_eq(congestion_phase(&s, 1), PHASE_AVOIDANCE, "cwnd = ssthresh is avoidance (RFC 5681 3.1)");
	s = at(0, 80, 40, CA_RECOVERY, 0);
	cr_expect_eq(congestion_phase(&s, 1), PHASE_RECOVERY);
	cr_expect_eq(congestion_phase(&s, 0), PHASE_RECOVERY);
	s = at(0, 1, 40, CA_LOSS, 0);
	cr_expect_eq(congestion_phase(&s, 1), PHASE_LOSS);
	s = at(0, 30, 20, CA_CWR, 0);
	cr_expect_eq(congestion_phase(&s, 1), PHASE_CWR);
	cr_expect_eq(congestion_phase_mark(PHASE_SLOW_START), 'S');
	cr_expect_str_eq(congestion_phase_name(PHASE_RECOVERY), "fast recovery");
}

/* A Reno-like run: slow start, a recovery to half, avoidance, a timeout, avoidance, a recovery cut off by the end. */
static const struct congestion_sample run_samples[] = {
	{ 0, 10, INF, 0, 0, 0, 0, 0, CA_OPEN },          { 10000, 20, INF, 0, 0, 0, 0, 0, CA_OPEN },
	{ 20000, 40, INF, 0, 0, 0, 0, 0, CA_OPEN },      { 30000, 80, INF, 0, 0, 0, 0, 0, CA_OPEN },
	{ 40000, 70, 40, 0, 0, 3, 0, 0, CA_RECOVERY },   { 50000, 50, 40, 0, 0, 5, 0, 0, CA_RECOVERY },
	{ 60000, 40, 40, 0, 0, 5, 0, 0, CA_OPEN },       { 70000, 41, 40, 0, 0, 5, 0, 0, CA_OPEN },
	{ 80000, 60, 40, 0, 0, 5, 0, 0, CA_OPEN },       { 90000, 1, 30, 0, 0, 6, 0, 0, CA_LOSS },
	{ 100000, 8, 30, 0, 0, 7, 0, 0, CA_LOSS },       { 110000, 30, 30, 0, 0, 7, 0, 0, CA_OPEN },
	{ 120000, 35, 30, 0, 0, 7, 0, 0, CA_OPEN },      { 130000, 30, 17, 0, 0, 8, 0, 0, CA_RECOVERY },
};
#define NRUN (sizeof run_samples / sizeof run_samples[0])

Test(congestion, episodes_and_decrease_ratios)
{
	struct congestion_episode e[8];
	double r[8];

	cr_assert_eq(congestion_episodes(run_samples, NRUN, e, 8), 3);
	cr_expect_eq(e[0].before, 3);
	cr_expect_eq(e[0].first, 4);
	cr_expect_eq(e[0].after, 6);
	cr_expect_eq(e[0].timeout, 0);
	cr_expect_float_eq(e[0].ratio, 0.5, 1e-9, "80 before, 40 after");
	cr_expect_eq(e[1].timeout, 1);
	cr_expect_eq(e[2].after, 0, "the run ended in it");
	cr_expect_eq(congestion_episodes(run_samples, NRUN, e, 1), 3, "the count goes on past max");
	/* Only fast recoveries that ended give a ratio: the timeout restarts from 1, the last never ended. */
	cr_assert_eq(congestion_episodes(run_samples, NRUN, e, 8), 3);
	cr_expect_eq(congestion_ratios(e, 3, r, 8), 1);
	cr_expect_float_eq(r[0], 0.5, 1e-9);
	/* An episode at the very first sample has nothing before it. */
	struct congestion_sample first[] = { at(0, 10, 5, CA_RECOVERY, 1), at(5, 5, 5, CA_OPEN, 1) };
	cr_expect_eq(congestion_episodes(first, 2, e, 8), 0);
	cr_expect_eq(congestion_episodes(NULL, 0, e, 8), 0);
}

Test(congestion, median)
{
	double odd[] = { 0.7, 0.5, 0.69 }, even[] = { 1, 4, 2, 3 };

	cr_expect_float_eq(congestion_median(odd, 3), 0.69, 1e-12);
	cr_expect_float_eq(congestion_median(even, 4), 2.5, 1e-12);
	cr_expect_float_eq(congestion_median(NULL, 0), 0, 1e-12);
}

Test(congestion, jain_index)
{
	double equal[] = { 10e6, 10e6 }, one[] = { 20e6, 0 }, skew[] = { 3, 1 }, zero[] = { 0, 0 };

	cr_expect_float_eq(congestion_jain(equal, 2), 1.0, 1e-12);
	cr_expect_float_eq(congestion_jain(one, 2), 0.5, 1e-12, "one flow takes all: 1/n");
	cr_expect_float_eq(congestion_jain(skew, 2), 16.0 / 20.0, 1e-12);
	cr_expect_float_eq(congestion_jain(zero, 2), 0, 1e-12);
	cr_expect_float_eq(congestion_jain(NULL, 0), 0, 1e-12);
}

Test(congestion, mathis_estimate)
{
	/* 1448 B every 100 ms is 115,840 bit/s; x sqrt(3/2) / sqrt(0.01) = x 12.247. */
	cr_expect_float_eq(congestion_mathis_bps(1448, 0.1, 0.01), 115840.0 * sqrt(1.5) * 10, 1e-6);
	cr_expect_float_eq(congestion_mathis_bps(1448, 0.1, 0.0), 0, 1e-12, "no loss: no estimate");
	cr_expect_float_eq(congestion_mathis_bps(0, 0.1, 0.01), 0, 1e-12);
	cr_expect_float_eq(congestion_mathis_bps(1448, 0, 0.01), 0, 1e-12);
}

Test(congestion, spread_and_summary)
{
	struct congestion_spread sp;
	struct congestion_flow f = { .s = (struct congestion_sample *)run_samples, .n = NRUN, .mss = 1448,
				     .bytes_received = 1250000, .started_us = 0 };
	struct congestion_summary sum;

	congestion_spread(run_samples, NRUN, 110000, &sp);
	cr_expect_eq(sp.n, 3);
	cr_expect_eq(sp.min, 30);
	cr_expect_eq(sp.max, 35);
	cr_expect_float_eq(sp.mean, 95.0 / 3, 1e-9);
	congestion_summarize(&f, 1000000, &sum);
	cr_expect_float_eq(sum.goodput_bps, 10e6, 1e-3, "1.25 MB in 1 s");
	cr_expect_eq(sum.retrans, 8);
	cr_expect_eq(sum.episodes, 3);
	cr_expect_eq(sum.timeouts, 1);
	cr_expect_eq(sum.nratios, 1);
}

/* A 10 s Reno-like sawtooth: slow start to 100, then halving at 100 every 2 s. */
static size_t sawtooth(struct congestion_sample *s, size_t max)
{
	size_t n = 0;
	uint32_t cwnd = 10, ssthresh = INF, retrans = 0;

	for (uint32_t t = 0; t < 10000 && n < max; t += 5) {
		int ca = CA_OPEN;
		if (cwnd >= 100) {
			ssthresh = cwnd / 2;
			cwnd = ssthresh;
			ca = CA_RECOVERY;
			retrans++;
		} else if (ssthresh == INF) {
			cwnd = cwnd * 2 > 100 ? 100 : cwnd * 2;
		} else if (t % 40 == 0) {
			cwnd++;
		}
		s[n++] = at(t, cwnd, ssthresh, ca, retrans);
	}
	return n;
}

Test(congestion, the_chart_fits_80_columns_and_marks_what_happened)
{
	static struct congestion_sample s[2000];
	struct congestion_flow f = { .s = s, .n = sawtooth(s, 2000) };
	char *text = NULL;
	size_t len = 0, lines = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert(out);
	congestion_chart(out, &f, 0, 10000000, 1, "reno, flow 1 of 1: a title that goes on and on and on well past eighty columns");
	congestion_chart_legend(out, &congestion_tcp_kind);
	fclose(out);
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		cr_assert(nl, "every line ends");
		cr_expect_leq(nl - line, 80, "line %zu is %d columns: %.*s", lines + 1, (int)(nl - line), (int)(nl - line), line);
		lines++;
	}
	cr_expect_eq(lines, 1 + CHART_ROWS + 1 + 1 + 2 + 3, "%s", text);
	const char *phase = strstr(text, "\nphase  "), *retr = strstr(text, "\nretr.  ");
	cr_assert(phase && retr, "%s", text);
	cr_expect(memchr(phase + 8, 'A', CHART_COLUMNS), "avoidance: %s", text);
	cr_expect(memchr(phase + 8, 'R', CHART_COLUMNS), "recovery: %s", text);
	cr_expect(memchr(retr + 8, '^', CHART_COLUMNS), "retransmissions: %s", text);
	cr_expect(strstr(text, "  100 |") || strstr(text, "  110 |"), "the scale reaches the top: %s", text);
	cr_expect(strstr(text, "   0 s ") && strstr(text, " 5 s ") && strstr(text, "10 s\n"), "%s", text);
	free(text);
}

/* The first 60 ms alone: slow start's doublings, then the first recovery. */
Test(congestion, a_zoomed_chart_shows_slow_start)
{
	static struct congestion_sample s[2000];
	struct congestion_flow f = { .s = s, .n = sawtooth(s, 2000) };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	congestion_chart(out, &f, 0, 60000, 1, "zoom");
	fclose(out);
	const char *phase = strstr(text, "\nphase  ");
	cr_assert(phase, "%s", text);
	cr_expect_eq(phase[8], 'S', "it starts in slow start: %s", text);
	cr_expect(memchr(phase + 8, 'R', CHART_COLUMNS), "then recovers: %s", text);
	cr_expect(strstr(text, "0.000 s") && strstr(text, "0.060 s\n"), "%s", text);
	free(text);
}

Test(congestion, an_empty_flow_draws_no_chart)
{
	struct congestion_flow f = { .n = 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	congestion_chart(out, &f, 0, 1000000, 1, "t");
	fclose(out);
	cr_expect_str_eq(text, "t\n  (no samples)\n");
	free(text);
}

/* rdt's legend says where its marks come from, in 80 columns, and never names TCP_INFO's fields. */
Test(congestion, the_aimd_legend_names_rdt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert(out);
	congestion_chart_legend(out, &congestion_rdt_kind);
	fputs(congestion_rdt_kind.figures, out);
	fclose(out);
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		cr_assert(nl, "every line ends");
		cr_expect_leq(nl - line, 80, "%.*s", (int)(nl - line), line);
	}
	cr_expect(strstr(text, "rdt"), "%s", text);
	cr_expect_null(strstr(text, "tcpi_"), "%s", text);
	cr_expect_null(strstr(text, "kernel"), "%s", text);
	free(text);
}
