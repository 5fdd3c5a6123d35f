/* rdt_sim.c - socklab's simulation of rdt: a simulated clock, a scripted lossy link, and the two cores on it. */
#include "rdt_sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdt_private.h"
#include "transports/impair/impair.h"

#define OUTPUT_GUARD 100000 /* datagrams one core may output at one instant before it is called broken */
#define STEPS_MAX 50000000L /* steps rdt_sim_run takes before it says the link never settles */

void rdt_sim_init(struct rdt_sim *l)
{
	memset(l, 0, sizeof *l);
	l->delay = 1000;
	l->rng[0] = l->rng[1] = 0x9E3779B97F4A7C15ULL;
}

void rdt_sim_seed(struct rdt_sim *l, unsigned long long seed_a, unsigned long long seed_b)
{
	l->rng[RDT_SIM_A] = impair_seed_state(seed_a);
	l->rng[RDT_SIM_B] = impair_seed_state(seed_b);
	l->per_side = 1;
}

/* -1 with errno err and why in l->broken. */
static int fail(struct rdt_sim *l, int err, const char *fmt, const char *what)
{
	snprintf(l->broken, sizeof l->broken, fmt, what);
	errno = err;
	return -1;
}

/* Counts each event by side and kind, and shows it to the watchers. */
static void on_event(void *ctx, const struct rdt_event *e)
{
	struct rdt_sim_who *w = ctx;

	w->l->events[w->side][e->kind]++;
	if (w->l->watch)
		w->l->watch(w->l, w->side, e);
	if (w->l->narrate)
		w->l->narrate(w->l, w->side, e);
}

struct rdt *rdt_sim_core(struct rdt_sim *l, int side, const struct rdt_config *cfg)
{
	char why[160];

	if (rdt_config_check(cfg, why, sizeof why) < 0) {
		fail(l, EINVAL, "config: %s", why);
		return NULL;
	}
	l->who[side] = (struct rdt_sim_who){ l, side };
	l->end[side] = rdt_new(cfg, on_event, &l->who[side]);
	if (!l->end[side])
		fail(l, errno, "%s", "rdt_new failed");
	return l->end[side];
}

void rdt_sim_free(struct rdt_sim *l)
{
	while (l->queue) {
		struct rdt_sim_packet *p = l->queue;
		l->queue = p->next;
		free(p);
	}
	rdt_free(l->end[0]);
	rdt_free(l->end[1]);
	l->end[0] = l->end[1] = NULL;
}

/* Puts a copy of the datagram on the link towards to, arriving at at (after those already due then). 0 or -1. */
static int enqueue(struct rdt_sim *l, int to, const void *buf, size_t len, long long at)
{
	struct rdt_sim_packet *p = malloc(sizeof *p + len), **q = &l->queue;

	if (!p)
		return fail(l, ENOMEM, "%s", "no memory for a datagram in flight");
	p->at = at;
	p->id = l->next_id++;
	p->to = to;
	p->len = len;
	memcpy(p->bytes, buf, len);
	while (*q && (*q)->at <= at)
		q = &(*q)->next;
	p->next = *q;
	*q = p;
	return 0;
}

/* One random choice for a datagram from side from: 1 with probability p. Draws only when p > 0. */
static int chance(struct rdt_sim *l, int from, double p)
{
	return p > 0 && impair_chance_state(&l->rng[l->per_side ? from : 0], p);
}

/* One datagram from side from: the script or the dice decide, then the wire carries it. 0 or -1. */
static int offer(struct rdt_sim *l, int from, const unsigned char *buf, size_t len)
{
	struct rdt_header h;
	const char *why;
	enum rdt_sim_verdict v = RDT_SIM_PASS;
	unsigned index = l->sent[from]++;

	if (rdt_wire_decode(buf, len, &h, &why) < 0)
		return fail(l, EPROTO, "a core sent a malformed datagram: %s", why);
	if (l->rule)
		v = l->rule(l, from, index, &h);
	if (v == RDT_SIM_PASS && chance(l, from, l->loss))
		v = RDT_SIM_DROP;
	else if (v == RDT_SIM_PASS && chance(l, from, l->dup))
		v = RDT_SIM_DUP;
	else if (v == RDT_SIM_PASS && chance(l, from, l->late))
		v = RDT_SIM_LATE;
	long long start = l->busy[from] > l->now ? l->busy[from] : l->now;
	long long done = start + (l->rate ? (long long)len * 8 * 1000000 / l->rate : 0);
	l->busy[from] = done;
	if (v == RDT_SIM_DROP) {
		l->dropped[from]++;
		l->dropped_data[from] += (h.flags & RDT_DATA) != 0;
		return 0;
	}
	long long at = done + l->delay + (v == RDT_SIM_LATE ? l->delay / 2 + 1 : 0);
	if (enqueue(l, !from, buf, len, at) < 0)
		return -1;
	return v == RDT_SIM_DUP ? enqueue(l, !from, buf, len, at + 1) : 0;
}

/* Everything both cores have to send now goes onto the link. 0 or -1. */
static int flush(struct rdt_sim *l)
{
	unsigned char buf[RDT_HEADER_SIZE + RDT_PAYLOAD_MAX];

	for (int side = 0; side < 2; side++) {
		ssize_t n;
		for (int guard = 0; l->end[side] && (n = rdt_output(l->end[side], l->now, buf, sizeof buf)) != 0; guard++) {
			if (n < 0)
				return fail(l, errno, "%s", "rdt_output failed");
			if (guard >= OUTPUT_GUARD)
				return fail(l, ELOOP, "%s", "a core never stops sending at one instant");
			if (offer(l, side, buf, (size_t)n) < 0)
				return -1;
		}
	}
	return 0;
}

/* The applications' turn, then the cores' datagrams onto the link. 0 or -1. */
static int turn(struct rdt_sim *l)
{
	if (l->app)
		l->app(l);
	return flush(l);
}

int rdt_sim_step(struct rdt_sim *l, long long until)
{
	long long next = l->queue ? l->queue->at : -1;

	if (turn(l) < 0)
		return -1;
	for (int side = 0; side < 2; side++) {
		long long w = l->end[side] ? rdt_next_wake(l->end[side], l->now) : -1;
		if (w >= 0 && (next < 0 || l->now + w < next))
			next = l->now + w;
	}
	if (l->queue && (next < 0 || l->queue->at < next))
		next = l->queue->at;
	if (next < 0 || next > until)
		return 0;
	if (next > l->now)
		l->now = next;
	while (l->queue && l->queue->at <= l->now) {
		struct rdt_sim_packet *p = l->queue;
		l->queue = p->next;
		rdt_input(l->end[p->to], p->bytes, p->len, l->now); /* an ignored datagram is counted by the core */
		free(p);
	}
	if (turn(l) < 0) /* timers due now fire now, not at the next step */
		return -1;
	for (int side = 0; side < 2; side++) {
		const char *broken = l->end[side] ? rdt_check(l->end[side]) : NULL;
		if (broken) {
			snprintf(l->broken, sizeof l->broken, "%c at %lld us: %s", "AB"[side], l->now, broken);
			errno = EPROTO;
			return -1;
		}
	}
	return 1;
}

int rdt_sim_run(struct rdt_sim *l, long long until, int (*done)(struct rdt_sim *l))
{
	if (turn(l) < 0) /* what the applications did since the last step goes out now */
		return -1;
	for (long steps = 0; !done(l); steps++) {
		if (steps >= STEPS_MAX)
			return fail(l, ELOOP, "%s", "the link never settles");
		int r = rdt_sim_step(l, until);
		if (r < 0)
			return -1;
		if (r == 0) {
			l->now = until > l->now ? until : l->now; /* nothing happens before until: time passes anyway */
			return done(l);
		}
	}
	return 1;
}

int rdt_sim_both_established(struct rdt_sim *l)
{
	return rdt_state(l->end[0]) == RDT_ESTABLISHED && rdt_state(l->end[1]) == RDT_ESTABLISHED;
}

int rdt_sim_both_closed(struct rdt_sim *l) { return rdt_closed(l->end[0]) && rdt_closed(l->end[1]); }

int rdt_sim_idle(struct rdt_sim *l)
{
	return !l->queue && rdt_next_wake(l->end[0], l->now) < 0 && rdt_next_wake(l->end[1], l->now) < 0;
}

int rdt_sim_open(struct rdt_sim *l, const struct rdt_config *ca, const struct rdt_config *cb, uint32_t isn_a,
		 uint32_t isn_b)
{
	if (!rdt_sim_core(l, RDT_SIM_A, ca) || !rdt_sim_core(l, RDT_SIM_B, cb))
		return -1;
	if (rdt_listen(l->end[RDT_SIM_B], isn_b) < 0 || rdt_connect(l->end[RDT_SIM_A], 0x5eedULL << 32 | isn_a, l->now) < 0)
		return fail(l, errno, "%s", "rdt_listen or rdt_connect failed");
	int r = rdt_sim_run(l, l->now + 60000000, rdt_sim_both_established);
	if (r < 0)
		return -1;
	if (r == 0) {
		snprintf(l->broken, sizeof l->broken, "the handshake never ended: A %s, B %s",
			 rdt_state_name(rdt_state(l->end[0])), rdt_state_name(rdt_state(l->end[1])));
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

long rdt_sim_drain(struct rdt_sim *l, int side, unsigned char *out, size_t cap, size_t *used)
{
	unsigned char buf[RDT_PAYLOAD_MAX];
	long n = 0;
	size_t len;

	while (rdt_recv(l->end[side], buf, sizeof buf, &len, NULL) == 1) {
		if (out) {
			if (*used + len > cap)
				return fail(l, ENOBUFS, "%s", "more data arrived than was sent");
			memcpy(out + *used, buf, len);
			*used += len;
		}
		n++;
	}
	return n;
}

struct rdt_stats rdt_sim_stats(const struct rdt_sim *l, int side)
{
	struct rdt_stats s;

	rdt_get_stats(l->end[side], &s);
	return s;
}
