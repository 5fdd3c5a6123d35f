/* congestion_analysis.h - what a run's samples say: phases, loss episodes, decrease ratios, Mathis, Jain. Pure. */
#ifndef SOCKLAB_CONGESTION_ANALYSIS_H
#define SOCKLAB_CONGESTION_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "congestion.h"

/*
 * The phase of one sample, from the kernel's own state (tcpi_ca_state) and,
 * while that is open (or disorder: reordering suspected, nothing reduced),
 * from cwnd against ssthresh as RFC 5681 section 3.1 draws the line:
 * below ssthresh (infinite at first) is slow start, at or above is
 * congestion avoidance. For an algorithm that keeps no ssthresh
 * (uses_ssthresh 0: bbr) an open sample is just PHASE_OPEN.
 */
enum congestion_phase congestion_phase(const struct congestion_sample *s, int uses_ssthresh);

/* "slow start", "congestion avoidance", "open", "cwnd reduced (CWR)", "fast recovery", "timeout (loss)". */
const char *congestion_phase_name(enum congestion_phase p);

/* The chart's letter for a phase: S, A, o, C, R, L. */
char congestion_phase_mark(enum congestion_phase p);

/* One loss episode: consecutive samples in fast recovery or timeout. */
struct congestion_episode {
	size_t before;  /* the last sample before it */
	size_t first;   /* its first sample */
	size_t after;   /* the first sample after it; 0 when the run ended in it */
	int timeout;    /* some sample was in the Loss state (a retransmission timeout) */
	double ratio;   /* cwnd at after / cwnd at before; 0 when unknown */
};

/*
 * Finds the loss episodes of n samples, in order; writes at most max into
 * out. An episode at the very first sample has no "before" and is skipped.
 * Returns how many there are (possibly more than max).
 */
size_t congestion_episodes(const struct congestion_sample *s, size_t n, struct congestion_episode *out, size_t max);

/*
 * The decrease ratios of the fast-recovery episodes that ended (timeouts
 * left out: cwnd restarts from one), in order, into out (at most max).
 * Returns how many were written.
 */
size_t congestion_ratios(const struct congestion_episode *e, size_t n, double *out, size_t max);

/* The median of v[0..n) (sorts v); 0 for n == 0. */
double congestion_median(double *v, size_t n);

/* Jain's fairness index (sum x)^2 / (n sum x^2): 1 when all equal, 1/n when one takes all; 0 for n == 0 or all 0. */
double congestion_jain(const double *x, size_t n);

/*
 * The Mathis estimate (Mathis, Semke, Mahdavi, Ott, CCR 1997) of a Reno
 * flow's throughput, in bits per second: MSS / RTT x C / sqrt(p), with
 * C = sqrt(3/2) ~ 1.22. 0 when an input is not positive.
 */
double congestion_mathis_bps(uint32_t mss, double rtt_s, double p);

/* cwnd's spread over samples from from_us on. */
struct congestion_spread {
	size_t n;
	uint32_t min, max;
	double mean, cv; /* cv: standard deviation / mean */
};
void congestion_spread(const struct congestion_sample *s, size_t n, uint32_t from_us, struct congestion_spread *out);

/* One flow's figures, all from its samples and the receiver's count. */
struct congestion_summary {
	double goodput_bps;   /* bytes the receiving application read x 8 / the flow's time */
	uint32_t retrans;     /* tcpi_total_retrans at the last sample */
	uint32_t segs_out;    /* tcpi_data_segs_out at the last sample */
	double p;             /* retrans / segs_out */
	uint32_t rtt_min_us;  /* tcpi_min_rtt */
	double rtt_avg_us;    /* the mean of the sampled tcpi_rtt */
	double mathis_bps;    /* at p and rtt_avg */
	double p_episodes;    /* loss episodes / segs_out: the model's "one loss a window" */
	double mathis_episodes_bps; /* at p_episodes and rtt_avg */
	size_t episodes, timeouts;
	size_t nratios;
	double ratio_median;
	double ratios[8];     /* the first few, for the report */
	struct congestion_spread spread; /* over the last three quarters of the run */
};

/* Summarizes flow f of a run that lasted end_us. Blocks never; not thread-safe (a static scratch array). */
void congestion_summarize(const struct congestion_flow *f, uint32_t end_us, struct congestion_summary *out);

#endif
