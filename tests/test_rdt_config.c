/* test_rdt_config.c - rdt's options: the parser's one-line answers, the window rules, and what breaks without them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/rdt_link.h"

#define MS 1000LL
#define SECOND 1000000LL

/* Parses text; returns the message ("" when accepted). */
static const char *parse(const char *text, struct rdt_config *c)
{
	static char why[256];

	why[0] = '\0';
	if (rdt_config_parse(text, c, why, sizeof why) < 0)
		cr_assert_neq(why[0], '\0', "%s: refused without a reason", text);
	else
		cr_assert_eq(why[0], '\0', "%s: accepted, yet a reason", text);
	return why;
}

Test(rdt_config, defaults_and_modes)
{
	struct rdt_config c;

	cr_expect_str_eq(parse("", &c), "");
	cr_expect(c.arq == RDT_ARQ_SR && c.window == 32 && c.seqbits == 32 && c.payload == 1400 && c.cc == RDT_CC_NONE);
	cr_expect(c.rto_min == 10 * MS && c.rto_init == 100 * MS && c.rto_max == 1000 * MS && c.retries == 8);
	cr_expect_str_eq(parse("arq=sw", &c), "");
	cr_expect(c.window == 1 && c.seqbits == 1, "stop-and-wait: the alternating bit");
	cr_expect_str_eq(parse("seqbits=3&arq=gbn&window=7", &c), "");
	cr_expect(c.arq == RDT_ARQ_GBN && c.window == 7 && c.seqbits == 3);
	cr_expect_str_eq(parse("arq=sr&window=4&seqbits=3&cc=aimd&rto_min=10", &c), "");
	cr_expect(c.cc == RDT_CC_AIMD && c.window == 4);
	cr_expect_str_eq(parse("rto_min=200", &c), "");
	cr_expect_eq(c.rto_init, 200 * MS, "the initial RTO follows a floor raised above it");
	cr_expect_str_eq(parse("rcvbuf=0&sndbuf=1&payload=65000&retries=1", &c), "");
}

Test(rdt_config, the_window_rules_say_why)
{
	struct rdt_config c;

	cr_expect_str_eq(parse("arq=gbn&seqbits=3&window=8", &c),
			 "window=8 is too large for seqbits=3: Go-Back-N needs window <= 2^k-1 = 7, or a packet resent "
			 "after its ACK was lost is taken for a new one with the same number");
	cr_expect_str_eq(parse("arq=sr&seqbits=3&window=5", &c),
			 "window=5 is too large for seqbits=3: selective repeat needs window <= 2^(k-1) = 4, or a packet "
			 "resent after its ACK was lost is taken for a new one with the same number");
	cr_expect_str_eq(parse("arq=sw&window=2", &c),
			 "window=2 with arq=sw: stop-and-wait sends one packet and waits for its ACK, so window must be 1 "
			 "(arq=gbn and arq=sr keep more in flight)");
	cr_expect_str_eq(parse("arq=sr&seqbits=1&window=1", &c), "", "SR with the alternating bit: window 1");
	cr_expect_str_eq(parse("window=1024&payload=65000", &c),
			 "window=1024, sndbuf=64, rcvbuf=64 and payload=65000 need 134 MiB of buffers, more than 64");
	cr_expect_str_eq(parse("rto_min=2000", &c),
			 "rto_min=2000, rto_init=2000, rto_max=1000 (ms): each must be at most the next");
}

Test(rdt_config, a_config_made_in_code_is_checked_the_same)
{
	struct rdt_config c;
	char why[256];

	rdt_config_default(&c);
	cr_expect_eq(rdt_config_check(&c, why, sizeof why), 0);
	c.window = 0;
	cr_expect_eq(rdt_config_check(&c, why, sizeof why), -1);
	cr_expect_str_eq(why, "window=0 is out of range: window takes a whole number from 1 to 1024");
	rdt_config_default(&c);
	c.rto_max = 61 * SECOND;
	cr_expect_eq(rdt_config_check(&c, why, sizeof why), -1);
	cr_expect_str_eq(why, "rto_max=61000000 us is out of range: rto_max takes milliseconds from 1 to 60000");
	rdt_config_default(&c);
	c.arq = 9;
	cr_expect_eq(rdt_config_check(&c, why, sizeof why), -1);
	cr_expect_eq(rdt_new(&c, NULL, NULL), NULL);
	cr_expect_eq(errno, EINVAL);
}

Test(rdt_config, bad_options_named_with_their_range)
{
	struct rdt_config c;

	cr_expect_str_eq(parse("window=0", &c),
			 "bad value in 'window=0': window takes a whole number from 1 to 1024 (window=32 keeps up to 32 "
			 "packets in flight)");
	cr_expect_str_eq(parse("arq=tcp", &c), "bad value in 'arq=tcp': arq takes sw, gbn or sr (arq=gbn for Go-Back-N)");
	cr_expect_str_eq(parse("cc=cubic", &c),
			 "bad value in 'cc=cubic': cc takes none or aimd (cc=aimd adds a congestion window)");
	cr_expect_str_eq(parse("seqbits=33", &c),
			 "bad value in 'seqbits=33': seqbits takes a whole number from 1 to 32 (seqbits=3 numbers packets 0 "
			 "to 7 and round again)");
	cr_expect_str_eq(parse("rto_min=-1", &c),
			 "bad value in 'rto_min=-1': rto_min takes milliseconds from 1 to 60000 (rto_min=10 never waits "
			 "less than 10 ms)");
	cr_expect_str_eq(parse("window", &c),
			 "bad value in 'window': window takes a whole number from 1 to 1024 (window=32 keeps up to 32 "
			 "packets in flight)");
	cr_expect_str_eq(parse("windows=3", &c),
			 "unknown option 'windows' (rdt knows arq, window, seqbits, sndbuf, rcvbuf, payload, rto_init, "
			 "rto_min, rto_max, retries, cc)");
	cr_expect_str_eq(parse("window=4&window=5", &c), "option 'window' is given twice");
	cr_expect_str_eq(parse("window=4&&arq=sr", &c), "empty option between '&' (write key=value&key=value)");
	cr_expect_str_eq(parse("window=4&", &c), "empty option after the last '&'");
	cr_expect_str_eq(parse("window=99999999999999999999", &c),
			 "bad value in 'window=99999999999999999999': window takes a whole number from 1 to 1024 "
			 "(window=32 keeps up to 32 packets in flight)");
}

Test(rdt_config, options_split_from_the_impairment_layers)
{
	char mine[64], rest[64];

	cr_assert_eq(rdt_options_split("arq=sr&drop=0.1&window=4&seed=7", mine, sizeof mine, rest, sizeof rest), 0);
	cr_expect_str_eq(mine, "arq=sr&window=4");
	cr_expect_str_eq(rest, "drop=0.1&seed=7");
	cr_assert_eq(rdt_options_split("", mine, sizeof mine, rest, sizeof rest), 0);
	cr_expect(mine[0] == '\0' && rest[0] == '\0');
	cr_expect_eq(rdt_options_split("arq=sr&window=4", mine, 8, rest, sizeof rest), -1);
	cr_expect_eq(errno, ENAMETOOLONG);
}

/*
 * What the rules prevent, shown with them switched off (cfg.unsafe). A sends
 * a full window; B gets it all, but every ACK is lost; A's timers resend the
 * old packets, which B, its window now past them, must recognise as old.
 */
struct demo {
	int quiet_b;         /* phase 1: everything B sends is lost */
	unsigned next, total;
	unsigned char got[4096];
	size_t used;
};

static enum rdt_sim_verdict lose_b(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	struct demo *d = l->ctx;

	(void)index, (void)h;
	return from == RDT_SIM_B && d->quiet_b ? RDT_SIM_DROP : RDT_SIM_PASS;
}

static void demo_apps(struct rdt_sim *l)
{
	struct demo *d = l->ctx;
	char m = (char)('0' + d->next);

	while (d->next < d->total && rdt_send(l->end[RDT_SIM_A], &m, 1, l->now) == 1)
		m = (char)('0' + ++d->next);
	link_drain(l, RDT_SIM_B, d->got, sizeof d->got, &d->used);
}

/* Messages "0".."9" from A with the given rules; returns the first ten B read, in order. */
static const char *old_packets_return(enum rdt_arq arq, unsigned window, int unsafe, unsigned isn)
{
	static char stream[64];
	struct rdt_sim l;
	struct rdt_config c;
	struct demo d = { .quiet_b = 1, .total = 10 };

	rdt_config_default(&c);
	c.arq = arq;
	c.seqbits = 3;
	c.window = window;
	c.unsafe = unsafe;
	link_init(&l);
	link_open(&l, &c, &c, isn, 3); /* A's first packet is number isn + 1 = 0 */
	l.rule = lose_b;
	l.ctx = &d;
	l.app = demo_apps;
	link_run(&l, l.now + 15 * MS, rdt_sim_idle); /* the window goes, its ACKs are lost, it goes again */
	cr_assert_geq(rdt_sim_stats(&l, RDT_SIM_A).retransmits_timeout, 1);
	d.quiet_b = 0;
	int idle = link_run(&l, l.now + 1 * SECOND, rdt_sim_idle);
	cr_assert(idle || unsafe, "with the rules, everything is delivered and acknowledged");
	d.used = d.used < 10 ? d.used : 10;
	memcpy(stream, d.got, d.used);
	stream[d.used] = '\0';
	rdt_sim_free(&l);
	return stream;
}

Test(rdt_config, sr_without_its_rule_takes_old_packets_for_new)
{
	struct rdt_config c;

	rdt_config_default(&c);
	c.arq = RDT_ARQ_SR;
	c.seqbits = 3;
	c.window = 5;
	cr_expect_eq(rdt_new(&c, NULL, NULL), NULL, "refused: SR needs window <= 4 with seqbits=3");
	cr_expect_eq(errno, EINVAL);
	cr_expect_str_eq(old_packets_return(RDT_ARQ_SR, 4, 0, 7), "0123456789", "window 4: old packets seen as old");
	/* Window 5: B's window after 0-4 is 5,6,7,0,1; A's resent 0 and 1 fall inside it and pass for 8 and 9. */
	cr_expect_str_eq(old_packets_return(RDT_ARQ_SR, 5, 1, 7), "0123456701", "window 5: a silent corruption");
}

Test(rdt_config, gbn_without_its_rule_takes_old_packets_for_new)
{
	cr_expect_str_eq(old_packets_return(RDT_ARQ_GBN, 7, 0, 7), "0123456789");
	/*
	 * Window 8: after 0-7 B expects 8, numbered 0 like the first packet A sends
	 * again. B's ACK for it (number 0 again) looks to A like no progress: A goes
	 * back N again and again, and B takes every round for new messages.
	 */
	cr_expect_str_eq(old_packets_return(RDT_ARQ_GBN, 8, 1, 7), "0123456701", "window 8: a silent corruption");
}
