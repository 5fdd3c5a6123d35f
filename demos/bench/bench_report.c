/* bench_report.c - what socklab bench prints: a table a learner can read, or one JSON object per line. */
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

void bench_print_json(const char *scheme, const char *test, const char *path, const struct bench_figure *f,
		       int nodelay)
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
	printf("}\n");
}

void bench_print_header(double seconds, int rounds)
{
	printf("socklab bench: %.1f s per test and transport; socklab = through the transport interface,\n"
	       "raw = plain socket calls; %d rounds each, interleaved; ratio = socklab / raw\n\n",
	       seconds, rounds);
	printf("%-11s %26s %6s %7s   %24s %9s %6s\n", "", "round trip, 64 B: median us", "p99", "first",
	       "bulk, one way: MB/s", "message", "lost");
	printf("%-11s %9s %9s %6s %6s %7s   %9s %9s %6s %9s %6s\n", "transport", "socklab", "raw", "ratio", "", "",
	       "socklab", "raw", "ratio", "", "");
}

void bench_print_row(const char *scheme, const struct bench_figure rtt[2], const struct bench_figure bulk[2])
{
	printf("%-11s", scheme);
	if (rtt)
		printf(" %9.1f %9.1f %6.3f %6.1f %7.1f", rtt[0].median_us, rtt[1].median_us, rtt[0].ratio, rtt[0].p99_us,
		       rtt[0].first_us);
	else
		printf(" %9s %9s %6s %6s %7s", "-", "-", "-", "-", "-");
	if (bulk)
		printf("   %9.1f %9.1f %6.3f %5zu %-3s %6llu\n", bulk[0].mb_per_s, bulk[1].mb_per_s, bulk[0].ratio,
		       bulk[0].msg_size % 1024 ? bulk[0].msg_size : bulk[0].msg_size / 1024,
		       bulk[0].msg_size % 1024 ? "B" : "KiB", bulk[0].lost + bulk[1].lost);
	else
		printf("   %9s %9s %6s %9s %6s\n", "-", "-", "-", "-", "-");
	fflush(stdout);
}

void bench_print_nagle(const struct bench_figure f[2])
{
	printf("tcp, each 64-byte request written in two parts (8 + 56 bytes), answered when whole:\n"
	       "  Nagle's algorithm on (the default)  median %9.1f us   p99 %9.1f us\n"
	       "  TCP_NODELAY set                     median %9.1f us   p99 %9.1f us\n",
	       f[0].median_us, f[0].p99_us, f[1].median_us, f[1].p99_us);
}

void bench_print_footer(void)
{
	printf("\nratio: the median, over pairs of rounds run back to back, of socklab's figure over raw's.\n"
	       "Targets: round trip at most 1.03, bulk at least 0.97. p99 and first are the socklab path's:\n"
	       "the slowest 1%% of round trips, and the first on each new socket (cold).\n");
}
