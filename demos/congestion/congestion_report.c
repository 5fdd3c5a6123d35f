/* congestion_report.c - the chart of every flow, its figures, and the lessons each measured in the run. */
#include "congestion_report.h"

#include "congestion_chart.h"

const char *congestion_rate_text(double bps, char *buf, size_t len)
{
	if (bps >= 1e9)
		snprintf(buf, len, "%.3g Gbit/s", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(buf, len, "%.3g Mbit/s", bps / 1e6);
	else
		snprintf(buf, len, "%.3g kbit/s", bps / 1e3);
	return buf;
}

/* The conditions of the run, in one line. */
static void heading(FILE *out, const struct congestion_opts *o, const struct congestion_run *run)
{
	char rate[32];

	fprintf(out, "== %s: %d flow%s through a %s bottleneck (tbf), queue %llu bytes", run->cc->name, run->nflows,
		run->nflows > 1 ? "s" : "", congestion_rate_text((double)o->rate_bps, rate, sizeof rate),
		(unsigned long long)o->buffer_bytes);
	if (o->loss_pct > 0)
		fprintf(out, ", %g%% loss%s", o->loss_pct, o->seeded ? " (seeded)" : "");
	if (o->delay_ms > 0)
		fprintf(out, ", +%d ms", o->delay_ms);
	fprintf(out, ", %g s\n", run->duration_us / 1e6);
	if (run->cc->kind->label) /* kernel TCP's need no saying: the legend names TCP_INFO's fields */
		fprintf(out, "   %s\n", run->cc->kind->label);
	fprintf(out, "\n");
}

/* A line per flow: what the receiver got, what the sender sent again, the round trip. */
static void figures(FILE *out, const struct congestion_run *run, const struct congestion_summary *sum)
{
	char rate[32];

	fprintf(out, "flow  goodput        retransmitted               RTT min / avg     started\n");
	for (int i = 0; i < run->nflows; i++) {
		char retr[48];
		snprintf(retr, sizeof retr, "%u of %u (%.2f%%)", sum[i].retrans, sum[i].segs_out, sum[i].p * 100);
		fprintf(out, "%4d  %-13s  %-26s  %5.2f / %5.1f ms  %5.1f s\n", i + 1,
			congestion_rate_text(sum[i].goodput_bps, rate, sizeof rate), retr, sum[i].rtt_min_us / 1e3,
			sum[i].rtt_avg_us / 1e3, run->flow[i].started_us / 1e6);
	}
	fputs(run->cc->kind->figures, out);
	if (run->nflows > 1) {
		double x[CONGESTION_MAX_FLOWS];
		for (int i = 0; i < run->nflows; i++)
			x[i] = sum[i].goodput_bps;
		fprintf(out, "fairness: Jain's index (sum x)^2 / (n sum x^2) over the goodputs = %.3f (1: equal shares,\n"
			     "1/%d: one flow takes all)\n",
			congestion_jain(x, (size_t)run->nflows), run->nflows);
	}
}

/* The decreases: what each fast recovery left of the window, against what the algorithm is specified to leave. */
static void decreases(FILE *out, const struct congestion_cc *cc, const struct congestion_summary *s)
{
	if (s->nratios == 0) {
		fprintf(out, "        decrease: no fast recovery ended in this run (%zu episodes, %zu timeouts)\n",
			s->episodes, s->timeouts);
		return;
	}
	fprintf(out, "        decrease: cwnd after each fast recovery / before it: median %.2f of %zu (", s->ratio_median,
		s->nratios);
	for (size_t i = 0; i < s->nratios && i < 4; i++)
		fprintf(out, "%s%.2f", i ? " " : "", s->ratios[i]);
	fprintf(out, "%s)\n", s->nratios > 4 ? " ..." : "");
	if (cc->beta > 0)
		fprintf(out, "          %s is specified at %.1f (%s)\n", cc->name, cc->beta, cc->beta_source);
	else
		fprintf(out, "          %s: %s\n", cc->name, cc->beta_source);
}

/* The lessons of one flow, every number from this run. */
static void lessons(FILE *out, const struct congestion_cc *cc, const struct congestion_flow *f,
		    const struct congestion_summary *s, int flow)
{
	char a[32], b[32];

	if (s->mathis_bps > 0) {
		fprintf(out, "flow %d  Mathis: MSS / RTT x 1.22 / sqrt(p), with %u B / %.1f ms, against %s measured:\n", flow,
			f->mss, s->rtt_avg_us / 1e3, congestion_rate_text(s->goodput_bps, a, sizeof a));
		fprintf(out, "          p = retransmitted / sent = %.4f: %s, measured = %.2f x it\n", s->p,
			congestion_rate_text(s->mathis_bps, b, sizeof b), s->goodput_bps / s->mathis_bps);
		if (s->mathis_episodes_bps > 0)
			fprintf(out, "          p = loss episodes / sent = %.4f: %s, measured = %.2f x it\n", s->p_episodes,
				congestion_rate_text(s->mathis_episodes_bps, b, sizeof b),
				s->goodput_bps / s->mathis_episodes_bps);
	} else {
		fprintf(out, "flow %d  Mathis: no retransmission in this run, so no loss rate to put in it\n", flow);
	}
	decreases(out, cc, s);
	fprintf(out, "        sawtooth: cwnd %u to %u over the last 3/4 of the flow, variation (sd/mean) %.2f\n",
		s->spread.min, s->spread.max, s->spread.cv);
}

/*
 * The start of a lone flow, zoomed: at 20 Mbit/s slow start is over in a
 * tenth of a second, one column of the whole run's chart. Drawn up to half
 * as long again as it took to the end of the first loss episode, when that
 * is within the first quarter of the run.
 */
static void zoom(FILE *out, const struct congestion_run *run, const struct congestion_flow *f)
{
	struct congestion_episode e;
	char title[128];

	if (congestion_episodes(f->s, f->n, &e, 1) == 0 || e.after == 0)
		return;
	uint32_t end = f->s[e.after].t_us + (f->s[e.after].t_us - f->started_us) / 2;
	if (end - f->started_us > run->duration_us / 4)
		return;
	snprintf(title, sizeof title, "%s, the first %.2f s zoomed: %s to the end of the first loss", run->cc->name,
		 (end - f->started_us) / 1e6, run->cc->uses_ssthresh ? "slow start" : "startup");
	congestion_chart(out, f, f->started_us, end, run->cc->uses_ssthresh, title);
	fprintf(out, "\n");
}

void congestion_report_run(FILE *out, const struct congestion_opts *o, const struct congestion_run *run,
			   struct congestion_summary *sum)
{
	char title[128];

	heading(out, o, run);
	for (int i = 0; i < run->nflows; i++) {
		const struct congestion_flow *f = &run->flow[i];
		congestion_summarize(f, run->duration_us, &sum[i]);
		snprintf(title, sizeof title, "%s, flow %d of %d: cwnd in %s of %u bytes, %zu samples (%d ms apart)",
			 run->cc->name, i + 1, run->nflows, run->cc->kind->unit, f->mss, f->n, o->interval_ms);
		congestion_chart(out, f, 0, run->duration_us, run->cc->uses_ssthresh, title);
		fprintf(out, "\n");
		if (run->nflows == 1)
			zoom(out, run, f);
	}
	congestion_chart_legend(out, run->cc->kind);
	fprintf(out, "\n");
	figures(out, run, sum);
	fprintf(out, "\nlessons, measured in this run:\n");
	for (int i = 0; i < run->nflows; i++)
		lessons(out, run->cc, &run->flow[i], &sum[i], i + 1);
	fprintf(out, "\n");
}

void congestion_report_compare(FILE *out, const struct congestion_opts *o,
			       struct congestion_summary sums[][CONGESTION_MAX_FLOWS])
{
	char rate[32];

	fprintf(out, "== side by side (flow 1 of each run)\n"
		     "cc       goodput        retransmitted  RTT avg    cwnd variation  decrease median\n");
	for (int r = 0; r < o->ncc; r++) {
		const struct congestion_summary *s = &sums[r][0];
		char median[32] = "none";
		if (s->nratios)
			snprintf(median, sizeof median, "%.2f of %zu", s->ratio_median, s->nratios);
		fprintf(out, "%-7s  %-13s  %12.2f%%  %6.1f ms  %14.2f  %s\n", o->cc[r]->name,
			congestion_rate_text(s->goodput_bps, rate, sizeof rate), s->p * 100, s->rtt_avg_us / 1e3,
			s->spread.cv, median);
	}
	for (int r = 0; r < o->ncc; r++)
		if (o->cc[r]->kind->label)
			fprintf(out, "%s: %s\n", o->cc[r]->name, o->cc[r]->kind->label);
}
