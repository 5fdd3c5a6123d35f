/* congestion_chart.h - a flow's congestion window over time, drawn in text no wider than 80 columns. */
#ifndef SOCKLAB_CONGESTION_CHART_H
#define SOCKLAB_CONGESTION_CHART_H

#include <stdint.h>
#include <stdio.h>

#include "congestion.h"

#define CHART_COLUMNS 72 /* time across: with the 7 of the axis, 79 in all */
#define CHART_ROWS 12    /* cwnd up */

/*
 * Draws the samples of f from from_us to to_us (run time) under title (cut
 * to 79 columns): each column is a 72nd of that span; in it '*' covers every cwnd the
 * samples had (so a decrease is a vertical stroke), '-' marks ssthresh where
 * it is finite; below the axis, the time, a row with the phase of the
 * column (the most telling one: timeout > recovery > CWR > slow start >
 * avoidance > open, congestion_phase()) and a row with '^' where the kernel
 * retransmitted. uses_ssthresh is the algorithm's fact (congestion_cc).
 * Every line is at most 80 columns. Returns nothing; output errors are the
 * caller's to check on out.
 */
void congestion_chart(FILE *out, const struct congestion_flow *f, uint32_t from_us, uint32_t to_us, int uses_ssthresh,
		      const char *title);

/* The lines that say what the marks mean and where they come from: the kind's own (TCP_INFO, or rdt's sender). */
void congestion_chart_legend(FILE *out, const struct congestion_kind *kind);

#endif
