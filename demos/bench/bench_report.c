/* bench_report.c - what socklab bench prints: a table per test a learner can read, or one JSON object per line. */
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* A number for JSON, or null for a figure this test does not have. */
static void json_field(const char *key, double v, int has)
{
	if (has)
		printf(",\"%s\":%.3f", key, v);
	else
		printf(",\"%s\":null", key);
}

void bench_print_json(const char *scheme, const char *test, const char *path, const char *place,
		      const struct bench_figure *f, int nodelay)
{
	int rtt = strcmp(test, "bulk") != 0;

	printf("{\"transport\":\"%s\",\"test\":\"%s\",\"path\":\"%s\",\"msg_size\":%zu", scheme, test, path, f->msg_size);
	json_field("median_us", f->median_us, rtt);
	json_field("p99_us", f->p99_us, rtt);
	printf(",\"ops_per_s\":%.0f", f->ops_per_s);
	json_field("mb_per_s", f->mb_per_s, !rtt);
	printf(",\"lost\":%llu", f->lost);
	if (nodelay < 0)
		printf(",\"ratio\":%.4f", f->ratio);
	json_field("first_us", f->first_us, rtt && nodelay < 0);
	if (nodelay >= 0)
		printf(",\"nodelay\":%s", nodelay ? "true" : "false");
	if (place)
		printf(",\"placement\":\"%s\",\"better\":%s", place, f->better ? "true" : "false");
	json_field("per_send_call", f->per_send, f->per_send > 0);
	json_field("per_recv_call", f->per_recv, f->per_recv > 0);
	printf("}\n");
}

void bench_print_intro(const struct bench_opts *o)
{
	printf("socklab bench: %.1f s per test and transport; socklab = through the transport interface,\n"
	       "raw = plain socket calls, in short rounds that take turns; ratio = socklab / raw\n",
	       o->seconds);
	for (size_t pl = 0; pl < o->nplaces; pl++) {
		const struct bench_place *p = &o->places[pl];
		printf("%s", pl ? "; " : "placement: ");
		if (p->server_cpu < 0)
			printf("none = wherever the scheduler puts the client and the server");
		else if (p->server_cpu == o->client_cpu)
			printf("%s = client and server on CPU %d", p->name, p->server_cpu);
		else
			printf("%s = client on CPU %d, server on CPU %d", p->name, o->client_cpu, p->server_cpu);
	}
	printf("\n");
}

/* "split *" for the better placement of two. */
static const char *place_text(const char *place, const struct bench_figure *f, char *out, size_t len)
{
	snprintf(out, len, "%s%s", place, f->better ? " *" : "");
	return out;
}

void bench_print_rtt_header(int rounds)
{
	printf("\nround trip, 64 B: median us, %d rounds of %.0f ms per path and placement\n", rounds, BENCH_ROUND_S * 1e3);
	printf("%-11s %-9s %9s %9s %7s %9s %9s\n", "transport", "placement", "socklab", "raw", "ratio", "p99", "first");
}

void bench_print_rtt_row(const char *scheme, const char *place, const struct bench_figure f[2])
{
	char where[16];

	printf("%-11s %-9s %9.1f %9.1f %7.3f %9.1f %9.1f\n", scheme, place_text(place, &f[0], where, sizeof where),
	       f[0].median_us, f[1].median_us, f[0].ratio, f[0].p99_us, f[0].first_us);
	fflush(stdout);
}

void bench_print_bulk_header(int rounds)
{
	printf("\nbulk, one way: MB/s, %d rounds of %.0f ms per path and placement; per call: datagrams per call\n",
	       rounds, BENCH_BULK_ROUND_S * 1e3);
	printf("%-11s %-9s %9s %9s %7s %9s %21s %6s\n", "transport", "placement", "socklab", "raw", "ratio", "message",
	       "per call: sent  recv", "lost");
}

/* A datagrams-per-call figure, or "-" where the test did not count them (streams, seqpacket). */
static const char *per_call(double v, char *out, size_t len)
{
	if (v > 0)
		snprintf(out, len, "%.1f", v);
	else
		snprintf(out, len, "-");
	return out;
}

void bench_print_bulk_row(const char *scheme, const char *place, const struct bench_figure f[2])
{
	char where[16], sent[16], recv[16];
	size_t size = f[0].msg_size;

	printf("%-11s %-9s %9.1f %9.1f %7.3f %5zu %-3s %15s %5s %6llu\n", scheme, place_text(place, &f[0], where, sizeof where),
	       f[0].mb_per_s, f[1].mb_per_s, f[0].ratio, size % 1024 ? size : size / 1024, size % 1024 ? "B" : "KiB",
	       per_call(f[0].per_send, sent, sizeof sent), per_call(f[0].per_recv, recv, sizeof recv), f[0].lost + f[1].lost);
	fflush(stdout);
}

void bench_print_nagle(const struct bench_figure f[2])
{
	printf("tcp, each 64-byte request written in two parts (8 + 56 bytes), answered when whole:\n"
	       "  Nagle's algorithm on (the default)  median %9.1f us   p99 %9.1f us\n"
	       "  TCP_NODELAY set                     median %9.1f us   p99 %9.1f us\n",
	       f[0].median_us, f[0].p99_us, f[1].median_us, f[1].p99_us);
}

void bench_print_footer(const struct bench_opts *o)
{
	printf("\nratio: the median, over pairs of rounds run back to back, of socklab's figure over raw's.\n"
	       "Targets: round trip at most 1.03, bulk at least 0.97. p99 and first are the socklab path's:\n"
	       "the slowest 1%% of round trips, and the first on each new socket (cold).\n");
	if (o->nplaces > 1)
		printf("*: the placement where the socklab path did better, for that transport and test.\n");
	if (o->tests & BENCH_TEST_BULK) {
		printf("per call: datagrams per sendmmsg(), recvmmsg() or segmented sendmsg(), at most");
		for (size_t pl = 0; pl < o->nplaces; pl++)
			printf("%s %d (%s)", pl ? "," : "", o->places[pl].batch, o->places[pl].name);
		printf("; --batch N to choose.\n");
	}
}
