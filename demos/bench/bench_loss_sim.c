/* bench_loss_sim.c - the loss sweep's simulated table: rdt's core on a simulated clock and link, not a measurement. */
#include "bench_loss.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "transports/rdt/rdt_sim.h"

#define SIM_UNTIL (3600LL * 1000000) /* simulated microseconds a cell may take before it is called stuck */
#define SIM_ISN_A 1000                /* the initial sequence numbers: fixed, so that a seed is the whole run */
#define SIM_ISN_B 2000

/* The applications: A sends LOSS_SIM_MESSAGES messages as fast as rdt takes them, B reads them. */
struct sim_app {
	unsigned long long sent, got;
	int failed; /* B's drain failed (cannot happen with no buffer: counted anyway) */
};

static void sim_app(struct rdt_sim *l)
{
	static const unsigned char msg[LOSS_MSG];
	struct sim_app *a = l->ctx;

	while (a->sent < LOSS_SIM_MESSAGES && rdt_send(l->end[RDT_SIM_A], msg, sizeof msg, l->now) >= 0)
		a->sent++;
	long n = rdt_sim_drain(l, RDT_SIM_B, NULL, 0, NULL);
	if (n < 0)
		a->failed = 1;
	else
		a->got += (unsigned long long)n;
}

/* Done: every message delivered and nothing left to happen, or a side failed. */
static int sim_done(struct rdt_sim *l)
{
	const struct sim_app *a = l->ctx;

	if (a->failed || rdt_error(l->end[RDT_SIM_A]) || rdt_error(l->end[RDT_SIM_B]))
		return 1;
	return a->got == LOSS_SIM_MESSAGES && rdt_sim_idle(l);
}

/* The config the real cells ask for in their endpoints (bench_loss_cell.c), or -1 with errno. */
static int sim_config(const char *arq, struct rdt_config *c)
{
	char opts[64], why[160];

	if (strcmp(arq, "sw") != 0)
		snprintf(opts, sizeof opts, "arq=%s&window=%d", arq, LOSS_WINDOW);
	else
		snprintf(opts, sizeof opts, "arq=%s", arq);
	if (rdt_config_parse(opts, c, why, sizeof why) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int bench_loss_sim(const char *arq, double loss, unsigned long long seed, struct loss_sim_cell *out)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct sim_app a = { 0 };
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (sim_config(arq, &c) < 0)
		return -1;
	rdt_sim_init(&l);
	rdt_sim_seed(&l, seed, seed + 1);
	l.delay = LOSS_SIM_DELAY_US;
	l.rate = LOSS_SIM_RATE;
	l.loss = loss;
	l.ctx = &a;
	if (rdt_sim_open(&l, &c, &c, SIM_ISN_A, SIM_ISN_B) == 0) {
		l.app = sim_app;
		int done = rdt_sim_run(&l, l.now + SIM_UNTIL, sim_done);
		int err = rdt_error(l.end[RDT_SIM_A]) ? rdt_error(l.end[RDT_SIM_A]) : rdt_error(l.end[RDT_SIM_B]);
		if (done > 0 && !err && !a.failed && a.got == LOSS_SIM_MESSAGES)
			rc = 0;
		else if (done >= 0)
			errno = err ? err : a.failed ? ENOBUFS : ETIMEDOUT;
	}
	if (rc == 0) {
		struct rdt_stats s = rdt_sim_stats(&l, RDT_SIM_A);
		out->messages = a.got;
		out->lost = (unsigned long long)l.dropped[RDT_SIM_A] + l.dropped[RDT_SIM_B];
		out->lost_data = l.dropped_data[RDT_SIM_A];
		out->resent = s.retransmits_timeout + s.retransmits_fast;
		out->usec = l.now;
	}
	int saved = errno;
	rdt_sim_free(&l);
	errno = saved;
	return rc;
}

int bench_loss_sim_all(const struct loss_sweep *sw, unsigned long long seed, struct loss_sim_cell cell[3][8])
{
	static const char *const arqs[] = { "sw", "gbn", "sr" };

	for (size_t m = 0; m < 3; m++)
		for (size_t k = 0; k < sw->n; k++)
			if (bench_loss_sim(arqs[m], sw->loss[k], seed, &cell[m][k]) < 0)
				return -1;
	return 0;
}

/* What the simulated table is, and why it is there. */
static void sim_intro(unsigned long long seed)
{
	printf("\nsocklab's simulation, not a measurement: the same rdt core, client and server back to back on a simulated\n"
	       "clock, over a link of %d us each way at %d Mbit/s that drops that share of each way's datagrams (seeded:\n"
	       "%llu and %llu, drawn as the impairment layer draws; gbn and sr at window %d); %d messages of %d bytes.\n"
	       "The rows above run on the real clock, where a timer racing the scheduler changes their counts a little\n"
	       "from run to run; here nothing races: the same seed gives the same counts, exactly.\n\n"
	       "%-6s %5s %9s %17s %7s %11s %17s\n",
	       LOSS_SIM_DELAY_US, (int)(LOSS_SIM_RATE / 1000000), seed, seed + 1, LOSS_WINDOW, LOSS_SIM_MESSAGES, LOSS_MSG, "mode", "loss", "messages",
	       "lost (both ways)", "resent", "resent/msg", "resent/lost data");
}

/* One simulated row: the table's or a JSON line. */
static void sim_row(const char *arq, double loss, unsigned long long seed, const struct loss_sim_cell *c, int json)
{
	double per = c->messages ? (double)c->resent / (double)c->messages : 0;
	double per_lost = c->lost_data ? (double)c->resent / (double)c->lost_data : 0;

	if (json)
		printf("{\"transport\":\"rdt\",\"arq\":\"%s\",\"simulated\":true,\"loss\":%.4f,\"seed\":%llu,\"delay_us\":%d,"
		       "\"rate_bps\":%lld,\"messages\":%llu,\"lost\":%llu,\"lost_data\":%llu,\"resent\":%llu,\"resent_per_msg\":%.4f,"
		       "\"resent_per_lost_data\":%.4f,\"simulated_us\":%lld}\n",
		       arq, loss, seed, LOSS_SIM_DELAY_US, LOSS_SIM_RATE, c->messages, c->lost, c->lost_data, c->resent, per, per_lost,
		       c->usec);
	else if (c->lost_data)
		printf("%-6s %4g%% %9llu %17llu %7llu %11.3f %17.2f\n", arq, loss * 100, c->messages, c->lost, c->resent,
		       per, per_lost);
	else
		printf("%-6s %4g%% %9llu %17llu %7llu %11.3f %17s\n", arq, loss * 100, c->messages, c->lost, c->resent, per,
		       "-");
}

int bench_loss_sim_print(struct loss_sweep *sw, int json)
{
	static const char *const arqs[] = { "sw", "gbn", "sr" };

	if (bench_loss_sim_all(sw, sw->seed, sw->sim) < 0)
		return -1;
	sw->sim_ok = 1;
	if (!json)
		sim_intro(sw->seed);
	for (size_t m = 0; m < 3; m++)
		for (size_t k = 0; k < sw->n; k++)
			sim_row(arqs[m], sw->loss[k], sw->seed, &sw->sim[m][k], json);
	return 0;
}
