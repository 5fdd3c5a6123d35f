/* congestion_report.h - what socklab congestion prints: charts and lessons, or every sample as json or csv. */
#ifndef SOCKLAB_CONGESTION_REPORT_H
#define SOCKLAB_CONGESTION_REPORT_H

#include <stdio.h>

#include "congestion.h"
#include "congestion_analysis.h"

/* "20 Mbit/s", "500 kbit/s", "1.5 Gbit/s" into buf; returns buf. */
const char *congestion_rate_text(double bps, char *buf, size_t len);

/*
 * --format chart: for each flow of run its chart, then a line per flow
 * (goodput, retransmissions, RTT), Jain's index when there are several,
 * and the lessons, each computed from this run. Fills sum[i] for flow i.
 */
void congestion_report_run(FILE *out, const struct congestion_opts *o, const struct congestion_run *run,
			   struct congestion_summary *sum);

/* After several runs: a line per algorithm, to compare them. sums[r] holds run r's flows' summaries. */
void congestion_report_compare(FILE *out, const struct congestion_opts *o,
			       struct congestion_summary sums[][CONGESTION_MAX_FLOWS]);

/*
 * --format json: the opening (the conditions), each run as it ends, the
 * closing. congestion_dump_json_run() takes first = 1 for the first run.
 */
void congestion_dump_json_open(FILE *out, const struct congestion_opts *o);
void congestion_dump_json_run(FILE *out, const struct congestion_run *run, int first);
void congestion_dump_json_close(FILE *out);

/* --format csv: the header line, then every sample of run, one line each. */
void congestion_dump_csv_header(FILE *out);
void congestion_dump_csv_run(FILE *out, const struct congestion_run *run);

#endif
