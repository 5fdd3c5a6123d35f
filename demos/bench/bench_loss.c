/* bench_loss.c - socklab bench --loss: rdt's three modes (impairment layer, seeded) beside kernel TCP (nftables). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_loss.h"
#include "demos/cli.h"
#include "demos/wire/wire.h"

static const char *const modes[] = { "sw", "gbn", "sr", "tcp", "tcp/lo" };

/* The header of the table, with what each part of the run does. */
static void intro(double seconds, unsigned long long seed)
{
	printf("socklab bench --loss: rdt, socklab's own protocol, through the impairment layer: each end drops\n"
	       "that share of its UDP datagrams (seeded: %llu and %llu; at 0%%, no layer at all; gbn and sr at window\n"
	       "%d); kernel TCP in a private network namespace whose lo (MTU %s, one segment per packet) drops that\n"
	       "share of the TCP segments without SYN, FIN or RST (nftables). %d round trips of %d bytes, then %.1f s\n"
	       "of %d-byte messages. Retransmissions are the sender's (rdt's count, TCP_INFO's tcpi_total_retrans),\n"
	       "per message it sent.\n\n"
	       "%-6s %5s %12s %10s %10s %12s %9s\n",
	       seed, seed + 1, LOSS_WINDOW, LOSS_TCP_MTU, LOSS_PINGS, BENCH_PING, seconds, LOSS_MSG, "mode",
	       "loss", "goodput MB/s", "p50 us", "p99 us", "messages", "resent/msg");
}

/* One row: the table's or a JSON line. */
static void row(size_t m, double loss, const struct loss_cell *c, int json)
{
	double per = c->messages ? (double)c->resent / (double)c->messages : 0;

	if (json && m < 3)
		printf("{\"transport\":\"rdt\",\"arq\":\"%s\",\"loss\":%.4f,\"mb_per_s\":%.3f,\"p50_us\":%.1f,"
		       "\"p99_us\":%.1f,\"messages\":%llu,\"resent\":%llu,\"resent_per_msg\":%.4f,\"lost\":%lld}\n",
		       modes[m], loss, c->mb_per_s, c->p50_us, c->p99_us, c->messages, c->resent, per, c->lost);
	else if (json)
		printf("{\"transport\":\"tcp\",\"where\":\"%s\",\"loss\":%.4f,\"mb_per_s\":%.3f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
		       "\"messages\":%llu,\"resent\":%llu,\"resent_per_msg\":%.4f,\"dropped\":%lld}\n",
		       m == 3 ? "netns" : "loopback", loss, c->mb_per_s, c->p50_us, c->p99_us, c->messages, c->resent, per,
		       c->dropped);
	else
		printf("%-6s %4g%% %12.2f %10.1f %10.1f %12llu %9.3f\n", modes[m], loss * 100, c->mb_per_s, c->p50_us,
		       c->p99_us, c->messages, per);
}

/* The TCP rows: each loss in its namespace, or one line saying why not. */
static void tcp_rows(struct loss_sweep *sw, double seconds, int json)
{
	char why[200], said[200] = "";
	int ran = 0;

	for (size_t k = 0; k < sw->n; k++) {
		if (bench_loss_tcp(sw->loss[k], seconds, &sw->cell[3][k], why, sizeof why) < 0) {
			if (json) {
				printf("{\"transport\":\"tcp\",\"where\":\"netns\",\"loss\":%.4f,\"skipped\":", sw->loss[k]);
				wire_json_string(stdout, why);
				printf("}\n");
			} else if (strcmp(why, said) != 0) { /* one line per reason, not one per loss */
				printf("tcp    %4g%%  not run: %s\n", sw->loss[k] * 100, why);
				snprintf(said, sizeof said, "%s", why);
			}
			continue;
		}
		sw->ok[3][k] = ran = 1;
		row(3, sw->loss[k], &sw->cell[3][k], json);
		fflush(stdout);
	}
	if (!json && ran)
		printf("tcp: TCP's losses are nftables' numgen random, not seeded: they differ from run to run. rdt's drops are\n"
		       "     drawn from its seeds, the same decisions in the same order every run (its counts still move a\n"
		       "     little: a timer races the scheduler; the simulation below has no scheduler).\n");
}

int bench_loss(const char *list, double seconds, unsigned long long seed, int json)
{
	static struct loss_sweep sw;

	sw.seed = seed;
	for (const char *p = list; *p && sw.n < sizeof sw.loss / sizeof sw.loss[0];) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0 || v >= 100 || (*end && *end != ','))
			return cli_usage_error("bench", "--loss takes percentages from 0 to 99, comma-separated, not '%.40s'", list);
		sw.loss[sw.n++] = v / 100;
		p = *end ? end + 1 : end;
	}
	if (!json)
		intro(seconds, seed);
	for (size_t m = 0; m < 3; m++)
		for (size_t k = 0; k < sw.n; k++) {
			if (bench_loss_cell(modes[m], sw.loss[k], seconds, seed, &sw.cell[m][k]) < 0)
				return cli_error("bench", errno, NULL, "rdt arq=%s at %g%% loss", modes[m], sw.loss[k] * 100);
			sw.ok[m][k] = 1;
			row(m, sw.loss[k], &sw.cell[m][k], json);
			fflush(stdout);
			/*
			 * The speed goal's reference: TCP as the loopback has it (GSO, its MTU), not one
			 * segment per packet; right after sr's loss-free cell, so that both see the same load.
			 */
			if (m == 2 && sw.loss[k] == 0 && !sw.tcp_lo_ok)
				sw.tcp_lo_ok = bench_loss_cell(NULL, 0, seconds, seed, &sw.tcp_lo) == 0;
		}
	tcp_rows(&sw, seconds, json);
	if (sw.tcp_lo_ok)
		row(4, 0, &sw.tcp_lo, json);
	if (!json && sw.tcp_lo_ok)
		printf("tcp/lo: kernel TCP on bench's own loopback, as it is (its MTU, GSO: segments up to 64 KiB), no loss.\n");
	fflush(stdout);
	if (bench_loss_sim_print(&sw, json) < 0)
		return cli_error("bench", errno, NULL, "socklab's simulation of rdt");
	bench_loss_goals(&sw, json);
	return 0;
}
