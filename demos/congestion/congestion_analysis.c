/* congestion_analysis.c - phases, loss episodes, decrease ratios, Mathis and Jain, from samples alone. */
#include "congestion_analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EPISODES 4096

enum congestion_phase congestion_phase(const struct congestion_sample *s, int uses_ssthresh)
{
	switch (s->ca_state) {
	case CA_LOSS:
		return PHASE_LOSS;
	case CA_RECOVERY:
		return PHASE_RECOVERY;
	case CA_CWR:
		return PHASE_CWR;
	}
	if (!uses_ssthresh)
		return PHASE_OPEN;
	return s->cwnd < s->ssthresh ? PHASE_SLOW_START : PHASE_AVOIDANCE;
}

static const struct {
	char mark;
	const char *name;
} phases[] = {
	[PHASE_SLOW_START] = { 'S', "slow start" },
	[PHASE_AVOIDANCE] = { 'A', "congestion avoidance" },
	[PHASE_OPEN] = { 'o', "open" },
	[PHASE_CWR] = { 'C', "cwnd reduced (CWR)" },
	[PHASE_RECOVERY] = { 'R', "fast recovery" },
	[PHASE_LOSS] = { 'L', "timeout (loss)" },
};

const char *congestion_phase_name(enum congestion_phase p)
{
	return phases[p].name;
}

char congestion_phase_mark(enum congestion_phase p)
{
	return phases[p].mark;
}

static int in_episode(const struct congestion_sample *s)
{
	return s->ca_state == CA_RECOVERY || s->ca_state == CA_LOSS;
}

size_t congestion_episodes(const struct congestion_sample *s, size_t n, struct congestion_episode *out, size_t max)
{
	size_t count = 0;

	for (size_t i = 1; i < n; i++) {
		if (!in_episode(&s[i]) || in_episode(&s[i - 1]))
			continue;
		struct congestion_episode e = { .before = i - 1, .first = i };
		size_t j = i;
		for (; j < n && in_episode(&s[j]); j++)
			e.timeout |= s[j].ca_state == CA_LOSS;
		if (j < n) {
			e.after = j;
			if (s[i - 1].cwnd > 0)
				e.ratio = (double)s[j].cwnd / s[i - 1].cwnd;
		}
		if (count < max)
			out[count] = e;
		count++;
		i = j;
	}
	return count;
}

size_t congestion_ratios(const struct congestion_episode *e, size_t n, double *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < max; i++)
		if (!e[i].timeout && e[i].after)
			out[k++] = e[i].ratio;
	return k;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double congestion_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double congestion_jain(const double *x, size_t n)
{
	double sum = 0, squares = 0;

	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		squares += x[i] * x[i];
	}
	return squares > 0 ? sum * sum / ((double)n * squares) : 0;
}

double congestion_mathis_bps(uint32_t mss, double rtt_s, double p)
{
	if (mss == 0 || !(rtt_s > 0) || !(p > 0))
		return 0;
	return mss * 8.0 / rtt_s * sqrt(1.5) / sqrt(p);
}

void congestion_spread(const struct congestion_sample *s, size_t n, uint32_t from_us, struct congestion_spread *out)
{
	double sum = 0, squares = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		if (s[i].t_us < from_us)
			continue;
		if (out->n == 0 || s[i].cwnd < out->min)
			out->min = s[i].cwnd;
		if (s[i].cwnd > out->max)
			out->max = s[i].cwnd;
		sum += s[i].cwnd;
		squares += (double)s[i].cwnd * s[i].cwnd;
		out->n++;
	}
	if (out->n == 0)
		return;
	out->mean = sum / (double)out->n;
	double var = squares / (double)out->n - out->mean * out->mean;
	out->cv = out->mean > 0 && var > 0 ? sqrt(var) / out->mean : 0;
}

void congestion_summarize(const struct congestion_flow *f, uint32_t end_us, struct congestion_summary *out)
{
	static struct congestion_episode e[MAX_EPISODES];
	double rtt_sum = 0, all[MAX_EPISODES];
	size_t rtt_n = 0;

	memset(out, 0, sizeof *out);
	if (end_us > f->started_us)
		out->goodput_bps = (double)f->bytes_received * 8 / ((end_us - f->started_us) / 1e6);
	if (f->n > 0) {
		out->retrans = f->s[f->n - 1].retrans;
		out->segs_out = f->s[f->n - 1].segs_out;
	}
	out->p = out->segs_out ? (double)out->retrans / out->segs_out : 0;
	out->rtt_min_us = f->min_rtt_us;
	for (size_t i = 0; i < f->n; i++)
		if (f->s[i].rtt_us > 0) {
			rtt_sum += f->s[i].rtt_us;
			rtt_n++;
		}
	out->rtt_avg_us = rtt_n ? rtt_sum / (double)rtt_n : 0;
	out->mathis_bps = congestion_mathis_bps(f->mss, out->rtt_avg_us / 1e6, out->p);
	out->episodes = congestion_episodes(f->s, f->n, e, MAX_EPISODES);
	size_t kept = out->episodes < MAX_EPISODES ? out->episodes : MAX_EPISODES;
	for (size_t i = 0; i < kept; i++)
		out->timeouts += e[i].timeout != 0;
	out->p_episodes = out->segs_out ? (double)out->episodes / out->segs_out : 0;
	out->mathis_episodes_bps = congestion_mathis_bps(f->mss, out->rtt_avg_us / 1e6, out->p_episodes);
	out->nratios = congestion_ratios(e, kept, all, MAX_EPISODES);
	for (size_t i = 0; i < out->nratios && i < sizeof out->ratios / sizeof out->ratios[0]; i++)
		out->ratios[i] = all[i];
	out->ratio_median = congestion_median(all, out->nratios);
	congestion_spread(f->s, f->n, f->started_us + (end_us - f->started_us) / 4, &out->spread);
}
