/* test_rdt_timer.c - rdt's timers: RFC 6298's numbers by hand, nothing early, backoff, Karn's rule, the retry limit. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "tests/support/rdt_link.h"
#include "transports/rdt/rdt_rto.h"

#define MS 1000LL
#define SECOND 1000000LL

Test(rdt_timer, rfc6298_first_and_second_sample)
{
	struct rdt_rto r;

	rdt_rto_init(&r, 1000 * MS, 1 * MS, 60 * SECOND, 1 * MS);
	cr_expect_eq(rdt_rto_current(&r), 1000 * MS, "before any sample: the initial RTO");
	rdt_rto_sample(&r, 100 * MS); /* 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) = 3R */
	cr_expect_eq(r.srtt, 100 * MS);
	cr_expect_eq(r.rttvar, 50 * MS);
	cr_expect_eq(rdt_rto_current(&r), 300 * MS);
	rdt_rto_sample(&r, 200 * MS);
	/* 2.3 by hand: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5;
	 * RTO = 112.5 + 4 * 62.5 = 362.5 ms */
	cr_expect_eq(r.rttvar, 62500);
	cr_expect_eq(r.srtt, 112500);
	cr_expect_eq(rdt_rto_current(&r), 362500);
	rdt_rto_sample(&r, 112500); /* the estimate exactly: RTTVAR decays by a quarter */
	cr_expect_eq(r.rttvar, 46875);
	cr_expect_eq(r.srtt, 112500);
}

Test(rdt_timer, granularity_floor_and_ceiling)
{
	struct rdt_rto r;

	rdt_rto_init(&r, 100 * MS, 10 * MS, 1000 * MS, 1 * MS);
	rdt_rto_sample(&r, 0); /* loopback's RTT in ms: SRTT 0, RTTVAR 0, RTO = 0 + max(G, 0) = G, floored */
	cr_expect_eq(rdt_rto_current(&r), 10 * MS);
	rdt_rto_init(&r, 100 * MS, 1, 1000 * MS, 1 * MS);
	rdt_rto_sample(&r, 100);
	cr_expect_eq(rdt_rto_current(&r), 100 + 1 * MS, "4 RTTVAR = 200 us is less than G = 1 ms");
	rdt_rto_init(&r, 100 * MS, 10 * MS, 1000 * MS, 1 * MS);
	rdt_rto_sample(&r, 900 * MS);
	cr_expect_eq(rdt_rto_current(&r), 1000 * MS, "3R = 2.7 s, but the ceiling");
	rdt_rto_init(&r, 5 * SECOND, 10 * MS, 1000 * MS, 1 * MS);
	cr_expect_eq(rdt_rto_current(&r), 1000 * MS, "an initial RTO above the ceiling");
}

Test(rdt_timer, backoff_doubles_up_to_the_ceiling_until_a_sample)
{
	struct rdt_rto r;
	long long want = 30 * MS;

	rdt_rto_init(&r, 100 * MS, 10 * MS, 1000 * MS, 1 * MS);
	rdt_rto_sample(&r, 10 * MS);
	for (int i = 0; i < 10; i++, want = want * 2 > 1000 * MS ? 1000 * MS : want * 2) {
		cr_expect_eq(rdt_rto_current(&r), want, "after %d timeouts", i);
		rdt_rto_backoff(&r);
	}
	rdt_rto_sample(&r, 10 * MS);
	cr_expect_lt(rdt_rto_current(&r), 40 * MS, "a new sample ends the backoff");
}

/* Loses what one side sends, data only or everything. */
struct losses {
	int side, everything, first_only, done;
	long long sent_at[16];
	int transmissions;
};

static enum rdt_sim_verdict lose(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	struct losses *s = l->ctx;

	(void)index;
	if (from != s->side || !(s->everything || (h->flags & RDT_DATA)))
		return RDT_SIM_PASS;
	if ((h->flags & RDT_DATA) && s->transmissions < 16)
		s->sent_at[s->transmissions++] = l->now;
	if (s->first_only && s->done++)
		return RDT_SIM_PASS;
	return RDT_SIM_DROP;
}

static void open_pair(struct rdt_sim *l, struct rdt_config *c, struct losses *s)
{
	rdt_config_default(c);
	c->window = 4;
	link_init(l);
	link_open(l, c, c, 100, 200);
	l->rule = lose;
	l->ctx = s;
}

Test(rdt_timer, nothing_before_the_rto_then_doubling)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct losses s = { .side = RDT_SIM_A };
	unsigned char buf[2048];

	open_pair(&l, &c, &s);
	struct rdt_stats st = rdt_sim_stats(&l, RDT_SIM_A);
	long long rto = st.rto, t0 = l.now;
	cr_assert_eq(rto, 10 * MS, "RTT 2 ms: 3R = 6 ms, floored at rto_min");
	cr_assert_eq(rdt_send(l.end[RDT_SIM_A], "tick", 4, t0), 4);
	cr_assert_gt(rdt_output(l.end[RDT_SIM_A], t0, buf, sizeof buf), 0);
	cr_expect_eq(rdt_next_wake(l.end[RDT_SIM_A], t0), rto);
	cr_expect_eq(rdt_output(l.end[RDT_SIM_A], t0 + rto - 1, buf, sizeof buf), 0, "nothing one microsecond early");
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_A).retransmits_timeout, 0);
	cr_expect_gt(rdt_output(l.end[RDT_SIM_A], t0 + rto, buf, sizeof buf), 0, "sent again at the RTO");
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_A).retransmits_timeout, 1);
	cr_expect_eq(rdt_next_wake(l.end[RDT_SIM_A], t0 + rto), 2 * rto, "the RTO doubled");
	l.now = t0 + rto;
	link_run(&l, l.now + 2 * SECOND, rdt_sim_idle);
	/* The link saw the retransmissions that followed (the first two were ours): 40, 80... ms apart, up to 1 s. */
	cr_assert_geq(s.transmissions, 5);
	cr_expect_eq(s.sent_at[0] - t0, 3 * rto, "the third transmission, 2 RTOs after the second");
	long long gap = 4 * rto;
	for (int i = 0; i + 1 < s.transmissions; i++, gap = gap * 2 > SECOND ? SECOND : gap * 2)
		cr_expect_eq(s.sent_at[i + 1] - s.sent_at[i], gap, "gap %d", i);
	rdt_sim_free(&l);
}

Test(rdt_timer, karns_rule_no_sample_from_a_retransmitted_packet)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct losses s = { .side = RDT_SIM_A, .first_only = 1 };

	open_pair(&l, &c, &s);
	unsigned samples = l.events[RDT_SIM_A][RDT_EV_RTT];
	long long srtt = rdt_sim_stats(&l, RDT_SIM_A).srtt;
	rdt_send(l.end[RDT_SIM_A], "one", 3, l.now);
	cr_assert(link_run(&l, l.now + SECOND, rdt_sim_idle));
	struct rdt_stats st = rdt_sim_stats(&l, RDT_SIM_A);
	cr_expect_eq(st.retransmits_timeout, 1);
	cr_expect_eq(l.events[RDT_SIM_A][RDT_EV_RTT], samples, "the ACK may answer either copy: no sample");
	cr_expect_eq(st.srtt, srtt, "SRTT untouched: it would have taken RTO + RTT = 12 ms");
	cr_expect_eq(st.rto, 20 * MS, "and the backoff stays");
	rdt_send(l.end[RDT_SIM_A], "two", 3, l.now);
	cr_assert(link_run(&l, l.now + SECOND, rdt_sim_idle));
	st = rdt_sim_stats(&l, RDT_SIM_A);
	cr_expect_eq(l.events[RDT_SIM_A][RDT_EV_RTT], samples + 1, "a packet sent once gives a sample");
	cr_expect_eq(st.rto, 10 * MS, "which ends the backoff");
	rdt_sim_free(&l);
}

Test(rdt_timer, retry_limit_gives_etimedout)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct losses s = { .side = RDT_SIM_B, .everything = 1 };

	open_pair(&l, &c, &s);
	rdt_send(l.end[RDT_SIM_A], "anyone?", 7, l.now);
	link_run(&l, l.now + 60 * SECOND, rdt_sim_idle);
	struct rdt_stats st = rdt_sim_stats(&l, RDT_SIM_A);
	cr_expect_eq(rdt_state(l.end[RDT_SIM_A]), RDT_CLOSED);
	cr_expect_eq(rdt_error(l.end[RDT_SIM_A]), ETIMEDOUT);
	cr_expect_eq(st.retransmits_timeout, c.retries, "%u retransmissions, then the end", c.retries);
	cr_expect_eq(l.events[RDT_SIM_A][RDT_EV_TIMEOUT], c.retries + 1);
	cr_expect_eq(rdt_next_wake(l.end[RDT_SIM_A], l.now), -1, "a failed connection sets no timer");
	unsigned char buf[2048];
	cr_expect_eq(rdt_output(l.end[RDT_SIM_A], l.now + SECOND, buf, sizeof buf), 0, "and sends nothing more");
	rdt_sim_free(&l);
}

/* With retries=2, A's data all lost: alone, A gives up at its third timeout; if B speaks now and then, never. */
static int a_gives_up(int b_speaks)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct losses s = { .side = RDT_SIM_A };

	rdt_config_default(&c);
	c.retries = 2;
	link_init(&l);
	link_open(&l, &c, &c, 100, 200);
	l.rule = lose;
	l.ctx = &s;
	rdt_send(l.end[RDT_SIM_A], "x", 1, l.now);
	for (int round = 0; round < 8; round++) { /* 200 ms: timeouts at 10, 30, 70 and 150 ms */
		link_run(&l, l.now + 25 * MS, rdt_sim_idle);
		if (b_speaks && rdt_established(l.end[RDT_SIM_B]))
			cr_assert_eq(rdt_send(l.end[RDT_SIM_B], "here", 4, l.now), 4);
	}
	int err = rdt_error(l.end[RDT_SIM_A]);
	rdt_sim_free(&l);
	return err;
}

Test(rdt_timer, any_ack_heard_restarts_the_count)
{
	cr_expect_eq(a_gives_up(0), ETIMEDOUT);
	cr_expect_eq(a_gives_up(1), 0, "B's packets carry ACKs: A knows B is there");
}
