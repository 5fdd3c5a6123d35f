/* congestion_run.c - one run: the flows of one algorithm through the bottleneck, sampled from the kernel as they go. */
#include "congestion_run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/errors.h"
#include "core/sys/sys.h"
#include "congestion_exec.h"
#include "congestion_recv.h"

long long congestion_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Appends one sample; -1 with ENOMEM. */
static int keep(struct congestion_flow *f, const struct congestion_sample *s)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1024;
		struct congestion_sample *more = realloc(f->s, cap * sizeof *more);
		if (!more)
			return -1;
		f->s = more;
		f->cap = cap;
	}
	f->s[f->n++] = *s;
	return 0;
}

/* Samples every open flow at time t (from the run's start). */
static int sample_all(struct congestion_run *run, uint32_t t)
{
	for (int i = 0; i < run->nflows; i++) {
		struct congestion_flow *f = &run->flow[i];
		struct congestion_sample s = { .t_us = t };
		if (f->open && (f->kind->sample(f, &s) < 0 || keep(f, &s) < 0))
			return -1;
	}
	return 0;
}

/* The loop: start the flows when due, keep them sending, sample every interval, until the end or a signal. */
static int drive(const struct congestion_opts *o, struct congestion_run *run, int port, long long t0,
		 volatile sig_atomic_t *stopping, char *why, size_t whylen)
{
	long long end = t0 + (long long)o->seconds_ms * 1000, next = t0, now;
	struct pollfd p[CONGESTION_MAX_FLOWS];

	while ((now = congestion_now_us()) < end && !*stopping) {
		long long wake = end;
		for (int i = 0; i < run->nflows; i++) {
			struct congestion_flow *f = &run->flow[i];
			long long due = t0 + (long long)f->start_ms * 1000;
			if (!f->open && now >= due) {
				if (f->kind->open(f, run->cc->name, CONGESTION_RECEIVER_ADDR, port) < 0)
					return fail_why(why, whylen, "open flow %d (%s, %s): %s", i + 1, run->cc->name,
							f->kind->name, errno_text(errno));
				f->open = 1;
				f->started_us = (uint32_t)(now - t0);
			} else if (!f->open && due < wake)
				wake = due;
			p[i] = (struct pollfd){ .fd = f->open ? f->fd : -1, .events = POLLOUT };
		}
		if (now >= next) {
			if (sample_all(run, (uint32_t)(now - t0)) < 0)
				return fail_why(why, whylen, "sample the flows (%s): %s", run->cc->kind->source,
						errno_text(errno));
			next += (long long)o->interval_ms * 1000;
			if (next <= now) /* fell behind (a stopped process): skip, never sample twice at once */
				next = now + (long long)o->interval_ms * 1000;
		}
		if (next < wake)
			wake = next;
		int ms = (int)((wake - now + 999) / 1000);
		if (poll(p, (nfds_t)run->nflows, ms) < 0 && errno != EINTR)
			return fail_why(why, whylen, "poll: %s", errno_text(errno));
		for (int i = 0; i < run->nflows; i++)
			if (run->flow[i].open && p[i].revents && run->flow[i].kind->pump(&run->flow[i]) < 0)
				return fail_why(why, whylen, "send on flow %d (%s): %s", i + 1, run->cc->name, errno_text(errno));
	}
	run->stopped = *stopping != 0;
	run->duration_us = (uint32_t)((now < end ? now : end) - t0);
	return 0;
}

int congestion_run(const struct congestion_opts *o, const struct congestion_net *net, const struct congestion_cc *cc,
		   struct congestion_run *run, volatile sig_atomic_t *stopping, char *why, size_t whylen)
{
	int port = 0, report = -1, stop = -1, rc;

	memset(run, 0, sizeof *run);
	run->cc = cc;
	run->nflows = o->flows;
	for (int i = 0; i < o->flows; i++)
		run->flow[i] = (struct congestion_flow){ .kind = cc->kind, .fd = -1, .start_ms = i * o->stagger_ms };
	long long t0 = congestion_now_us();
	pid_t pid = congestion_receiver_start(net, cc->kind, t0 + (long long)o->seconds_ms * 1000, &port, &report, &stop);
	if (pid < 0)
		return fail_why(why, whylen, "start the receiver (%s, listening on %s in the receiver's namespace): %s",
				cc->kind->name, CONGESTION_RECEIVER_ADDR, errno_text(errno));
	rc = drive(o, run, port, t0, stopping, why, whylen);
	for (int i = 0; i < run->nflows; i++)
		if (run->flow[i].open) {
			run->flow[i].kind->close(&run->flow[i]);
			run->flow[i].open = 0;
		}
	if (rc < 0 || run->stopped)
		congestion_reap(pid); /* its count is not needed: no report follows */
	else if (congestion_receiver_collect(pid, report, stop, run) < 0) {
		int reported = 0, connected = 0;
		for (int i = 0; i < run->nflows; i++) {
			connected += run->flow[i].port != 0;
			reported += run->flow[i].bytes_received != 0;
		}
		rc = fail_why(why, whylen, "the receiver did not report every flow's bytes (%d of %d flows connected, %d "
			      "with bytes counted)", connected, run->nflows, reported);
	}
	if (rc < 0 || run->stopped) {
		close(report);
		close(stop);
	}
	return rc;
}

void congestion_run_free(struct congestion_run *run)
{
	for (int i = 0; i < run->nflows; i++) {
		free(run->flow[i].s);
		run->flow[i].s = NULL;
		run->flow[i].n = run->flow[i].cap = 0;
	}
}
