/* bench_stats.c - the benchmark's plumbing: clocks, medians and percentiles, CPU pinning, server processes, wire format. */
#ifdef __linux__
#define _GNU_SOURCE /* sched_setaffinity(2) and the CPU_SET macros */
#include <sched.h>
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "bench.h"

#define ROUNDS_MAX BENCH_ROUNDS_MAX

int bench_cpus(int cpus[2])
{
#ifdef __linux__
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
#else
	(void)cpus;
	return 0;
#endif
}

int bench_pin(int cpu)
{
#ifdef __linux__
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set);
#else
	(void)cpu;
	return 0;
#endif
}

int bench_rounds(double seconds, double round_s)
{
	double n = seconds / (2 * round_s);

	return n < BENCH_ROUNDS_MIN ? BENCH_ROUNDS_MIN : n > BENCH_ROUNDS_MAX ? BENCH_ROUNDS_MAX : (int)n;
}

int bench_spawn(struct bench_peer *p, const struct bench_path *path)
{
	bench_stop(p);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
#endif
		bench_pin(p->cpu);
		path->serve(p);
		_exit(1);
	}
	return 0;
}

void bench_stop(struct bench_peer *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	p->pid = 0;
}

size_t bench_msg_size(const struct transport *t)
{
	if (!transport_keeps_boundaries(t))
		return BENCH_STREAM_WRITE;
	return transport_has_socket_file(t) ? BENCH_UNIX_MSG : BENCH_UDP_MSG;
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int bench_record(struct bench_round *r, double us)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		double *p = realloc(r->rtt_us, cap * sizeof *p);
		if (!p)
			return -1;
		r->rtt_us = p;
		r->cap = cap;
	}
	r->rtt_us[r->n++] = us;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The value below which a fraction q of the sorted samples lie (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
	size_t rank = (size_t)(q * (double)n + 0.999999);
	return n ? v[rank ? rank - 1 : 0] : 0;
}

int bench_rtt_figure(const struct bench_round *rounds, size_t n, struct bench_figure *f)
{
	size_t total = 0, k = 0, m = n < ROUNDS_MAX ? n : ROUNDS_MAX;
	double sum = 0, firsts[ROUNDS_MAX], medians[ROUNDS_MAX];

	for (size_t i = 0; i < n; i++)
		total += rounds[i].n;
	double *all = malloc((total ? total : 1) * sizeof *all);
	if (!all)
		return -1;
	for (size_t i = 0; i < m; i++) {
		double *start = all + k;
		for (size_t j = 0; j < rounds[i].n; j++)
			sum += all[k++] = rounds[i].rtt_us[j];
		qsort(start, rounds[i].n, sizeof *start, by_value);
		medians[i] = quantile(start, rounds[i].n, 0.5);
		firsts[i] = rounds[i].first_us;
		f->lost += rounds[i].lost;
	}
	qsort(all, total, sizeof *all, by_value);
	qsort(medians, m, sizeof *medians, by_value);
	qsort(firsts, m, sizeof *firsts, by_value);
	f->msg_size = BENCH_PING;
	f->median_us = quantile(medians, m, 0.5); /* the median round's: robust to a round someone else disturbed */
	f->p99_us = quantile(all, total, 0.99);
	f->first_us = quantile(firsts, m, 0.5);
	f->ops_per_s = sum > 0 ? total / (sum / 1e6) : 0;
	free(all);
	return 0;
}

void bench_bulk_figure(const struct bench_round *rounds, size_t n, struct bench_figure *f)
{
	double bytes[ROUNDS_MAX], msgs[ROUNDS_MAX];
	unsigned long long sent = 0, got = 0, send_calls = 0, recv_calls = 0;
	size_t m = n < ROUNDS_MAX ? n : ROUNDS_MAX;

	for (size_t i = 0; i < m; i++) {
		double s = rounds[i].seconds > 0 ? rounds[i].seconds : 1e-9;
		bytes[i] = rounds[i].bytes / s;
		msgs[i] = rounds[i].msgs / s;
		f->lost += rounds[i].lost;
		sent += rounds[i].msgs + rounds[i].lost, got += rounds[i].msgs;
		send_calls += rounds[i].send_calls, recv_calls += rounds[i].recv_calls;
	}
	qsort(bytes, m, sizeof *bytes, by_value);
	qsort(msgs, m, sizeof *msgs, by_value);
	f->mb_per_s = quantile(bytes, m, 0.5) / 1e6;
	f->ops_per_s = quantile(msgs, m, 0.5);
	f->per_send = send_calls ? (double)sent / (double)send_calls : 0;
	f->per_recv = recv_calls ? (double)got / (double)recv_calls : 0;
}

/* A round's figure: its median round trip, or its throughput. */
static double round_figure(const struct bench_round *r, int rtt, double *scratch)
{
	if (!rtt)
		return r->seconds > 0 ? r->bytes / r->seconds : 0;
	for (size_t j = 0; j < r->n; j++)
		scratch[j] = r->rtt_us[j];
	qsort(scratch, r->n, sizeof *scratch, by_value);
	return quantile(scratch, r->n, 0.5);
}

int bench_paired_ratio(const struct bench_round *socklab, const struct bench_round *raw, size_t n, int rtt,
		       double *ratio)
{
	double ratios[ROUNDS_MAX], *scratch = NULL;
	size_t m = n < ROUNDS_MAX ? n : ROUNDS_MAX, most = 1;

	for (size_t i = 0; rtt && i < m; i++)
		most = socklab[i].n > most ? socklab[i].n : most, most = raw[i].n > most ? raw[i].n : most;
	if (rtt && !(scratch = malloc(most * sizeof *scratch)))
		return -1;
	for (size_t i = 0; i < m; i++) {
		double a = round_figure(&socklab[i], rtt, scratch), b = round_figure(&raw[i], rtt, scratch);
		ratios[i] = b > 0 ? a / b : 0;
	}
	free(scratch);
	qsort(ratios, m, sizeof *ratios, by_value);
	*ratio = quantile(ratios, m, 0.5);
	return 0;
}

void bench_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void bench_put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t bench_get32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t bench_get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
