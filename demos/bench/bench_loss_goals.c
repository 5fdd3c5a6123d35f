/* bench_loss_goals.c - issue 12's goals for rdt, socklab's own protocol, as this run of the loss sweep measured them. */
#include "bench_loss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { SW, GBN, SR, TCP };

#define SW_ASKS "rdt sw goodput within 15% of msg_size / RTT"
#define SR_LOST_ASKS "rdt sr resends per lost packet at 5% <= 1.2"
#define TEXT(x) #x
#define NUMBER(x) TEXT(x)
#define GBN_ASKS "rdt gbn at window " NUMBER(LOSS_WINDOW) " >= 5x rdt sw's goodput at 0%"
#define SR_ASKS "rdt sr at window " NUMBER(LOSS_WINDOW) " >= 5x rdt sw's goodput at 0%"
#define TCP_ASKS "rdt sr >= 25% of kernel TCP's goodput, 1400-byte messages, 0% loss"
#define SEED_ASKS "the same seed gives the same retransmission counts (socklab's simulation; the real rows' vary)"

/* The column of loss (0 to 1) in sw, or -1. */
static int column(const struct loss_sweep *sw, double loss)
{
	for (size_t k = 0; k < sw->n; k++)
		if (fabs(sw->loss[k] - loss) < 1e-9)
			return (int)k;
	return -1;
}

/*
 * One goal: its name (JSON), what it asks, what the run measured (a text, and
 * the figure compared to the bound), met or not.
 */
static void goal(int json, const char *name, const char *asks, double figure, const char *measured, int met)
{
	if (json && measured)
		printf("{\"goal\":\"%s\",\"measured\":%.4f,\"met\":%s}\n", name, figure, met ? "true" : "false");
	else if (!json)
		printf("goal %s : measured %s (%s)\n", asks, measured, met ? "met" : "not met");
}

/* A goal this run cannot tell: one line saying why. */
static void unmeasured(int json, const char *name, const char *asks, const char *why)
{
	if (json)
		printf("{\"goal\":\"%s\",\"measured\":null,\"met\":null,\"why\":\"%s\"}\n", name, why);
	else
		printf("goal %s : not measured (%s)\n", asks, why);
}

/*
 * Stop-and-wait against its formula, one message per round trip: LOSS_MSG /
 * RTT, the RTT being rdt's own (its SRTT of DATA to ACK, RFC 6298), averaged
 * over the loss-free cell's bulk; the pings' p50 also crosses both programs.
 */
static void sw_formula(const struct loss_sweep *sw, int k0, int json)
{
	char text[200];
	const struct loss_cell *c = &sw->cell[SW][k0];
	double predicted = c->srtt_us > 0 ? LOSS_MSG / c->srtt_us : 0; /* bytes per us: MB/s */
	double ratio = predicted > 0 ? c->mb_per_s / predicted : 0;

	if (predicted <= 0) {
		unmeasured(json, "sw_vs_formula", SW_ASKS, "rdt took no RTT sample");
		return;
	}
	snprintf(text, sizeof text, "%.2f MB/s against %d B / %.1f us (rdt's SRTT, mean over the bulk) = %.2f MB/s: %.0f%%",
		 c->mb_per_s, LOSS_MSG, c->srtt_us, predicted, ratio * 100);
	goal(json, "sw_vs_formula", SW_ASKS, ratio, text, fabs(ratio - 1) <= 0.15);
}

/* A window mode against stop-and-wait, both loss-free. */
static void window_vs_sw(const struct loss_sweep *sw, int m, int k0, int json)
{
	char text[120];
	double ratio = sw->cell[SW][k0].mb_per_s > 0 ? sw->cell[m][k0].mb_per_s / sw->cell[SW][k0].mb_per_s : 0;

	snprintf(text, sizeof text, "%.2f / %.2f MB/s = %.1fx", sw->cell[m][k0].mb_per_s, sw->cell[SW][k0].mb_per_s, ratio);
	goal(json, m == GBN ? "gbn_vs_sw" : "sr_vs_sw", m == GBN ? GBN_ASKS : SR_ASKS, ratio, text, ratio >= 5);
}

/* Packets sent again per packet lost at 5%: SR's goal, GBN's for the contrast (no goal: never "met"). */
static void resent_per_lost(const struct loss_sweep *sw, int m, int k5, int json)
{
	char text[200];
	const struct loss_cell *c = &sw->cell[m][k5];
	double per = c->lost > 0 ? (double)c->resent / (double)c->lost : 0;

	if (c->lost <= 0) {
		if (m == SR)
			unmeasured(json, "sr_resent_per_lost", SR_LOST_ASKS, "no loss was counted");
		return;
	}
	snprintf(text, sizeof text, "%llu resent / %lld lost = %.2f", c->resent, c->lost, per);
	if (m == SR)
		goal(json, "sr_resent_per_lost", SR_LOST_ASKS, per, text, per <= 1.2);
	else if (json)
		printf("{\"contrast\":\"gbn_resent_per_lost\",\"measured\":%.4f}\n", per);
	else
		printf("     (gbn at 5%%, for the contrast, no goal: %s)\n", text);
}

/*
 * The same seed, the same counts: the simulated table run again here, in
 * this process, and compared count for count. It checks the simulation only:
 * the real rows run on the real clock, and their counts vary a little.
 */
static void same_seed(const struct loss_sweep *sw, int json)
{
	static struct loss_sim_cell again[3][8];
	char text[200];
	size_t cells = 3 * sw->n, same = 0;

	if (!sw->sim_ok || bench_loss_sim_all(sw, sw->seed, again) < 0) {
		unmeasured(json, "same_seed_same_counts", SEED_ASKS, "the simulation did not run");
		return;
	}
	for (size_t m = 0; m < 3; m++)
		for (size_t k = 0; k < sw->n; k++)
			same += memcmp(&again[m][k], &sw->sim[m][k], sizeof again[m][k]) == 0;
	snprintf(text, sizeof text, "the simulated table run twice with seed %llu: %zu of %zu cells identical",
		 sw->seed, same, cells);
	goal(json, "same_seed_same_counts", SEED_ASKS, (double)same / (double)cells, text, same == cells);
}

void bench_loss_goals(const struct loss_sweep *sw, int json)
{
	char text[160];
	int k0 = column(sw, 0), k5 = column(sw, 0.05);

	if (!json)
		printf("\nIssue 12's goals for rdt, socklab's own protocol, as this run measured them:\n");
	if (k0 < 0) {
		unmeasured(json, "sw_vs_formula", SW_ASKS, "no 0% in --loss");
		unmeasured(json, "gbn_vs_sw", GBN_ASKS, "no 0% in --loss");
		unmeasured(json, "sr_vs_sw", SR_ASKS, "no 0% in --loss");
		unmeasured(json, "sr_vs_tcp", TCP_ASKS, "no 0% in --loss");
	} else {
		sw_formula(sw, k0, json);
		window_vs_sw(sw, GBN, k0, json);
		window_vs_sw(sw, SR, k0, json);
	}
	if (k5 < 0) {
		unmeasured(json, "sr_resent_per_lost", SR_LOST_ASKS, "no 5% in --loss");
	} else {
		resent_per_lost(sw, SR, k5, json);
		resent_per_lost(sw, GBN, k5, json);
		if (!json)
			printf("     (lost: datagrams the client sent that the server never received: its DATA, and its few\n"
			       "     ACKs of the pings' echoes and its SYN; resent: its DATA sent again, by timer or fast)\n");
	}
	if (k0 >= 0 && sw->tcp_lo_ok) {
		double tcp = sw->tcp_lo.mb_per_s, ratio = tcp > 0 ? sw->cell[SR][k0].mb_per_s / tcp : 0;
		snprintf(text, sizeof text, "%.2f / %.2f MB/s (TCP on bench's own loopback, as it is) = %.0f%%",
			 sw->cell[SR][k0].mb_per_s, tcp, ratio * 100);
		goal(json, "sr_vs_tcp", TCP_ASKS, ratio, text, ratio >= 0.25);
	} else if (k0 >= 0) {
		unmeasured(json, "sr_vs_tcp", TCP_ASKS, "kernel TCP did not run on the loopback");
	}
	same_seed(sw, json);
}
