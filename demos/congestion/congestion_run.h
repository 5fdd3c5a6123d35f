/* congestion_run.h - one run of one algorithm: its flows through the bottleneck, sampled every interval. */
#ifndef SOCKLAB_CONGESTION_RUN_H
#define SOCKLAB_CONGESTION_RUN_H

#include <signal.h>
#include <stddef.h>

#include "congestion.h"
#include "congestion_net.h"

/*
 * Runs o->flows flows of cc from the sender's namespace to a receiver child
 * in the receiver's namespace, for o->seconds_ms or until *stopping is set
 * (by a signal handler). Every o->interval_ms each open flow is sampled from
 * its kind (TCP_INFO, or rdt's own sender); at the end the receiver's byte counts are read into
 * the flows. On a stop, run->stopped is set and the counts are not read (the
 * receiver is killed). Returns 0, or -1 with one line in why; either way
 * every flow is closed and the receiver reaped; run holds samples to free
 * with congestion_run_free(). Blocks for the length of the run.
 */
int congestion_run(const struct congestion_opts *o, const struct congestion_net *net, const struct congestion_cc *cc,
		   struct congestion_run *run, volatile sig_atomic_t *stopping, char *why, size_t whylen);

/* Frees the samples of run. */
void congestion_run_free(struct congestion_run *run);

#endif
