/* rdt_link.c - the rdt tests' network: a simulated clock, a scripted lossy link, and the two cores on it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdt_link.h"
#include "transports/rdt/rdt_private.h"

void link_init(struct link *l)
{
	memset(l, 0, sizeof *l);
	l->delay = 1000;
	l->rng = 0x9E3779B97F4A7C15ULL;
	l->trace = getenv("RDT_TRACE") != NULL;
}

/* Counts each event by side and kind; with RDT_TRACE, prints it as the transport's --trace would. */
static void on_event(void *ctx, const struct rdt_event *e)
{
	struct link_who *w = ctx;
	char line[200];

	w->l->events[w->side][e->kind]++;
	if (w->l->watch)
		w->l->watch(w->l, w->side, e);
	if (w->l->trace) {
		rdt_event_format(e, line, sizeof line);
		fprintf(stderr, "%10.3f ms %c %s\n", (double)e->now / 1000.0, "AB"[w->side], line);
	}
}

struct rdt *link_core(struct link *l, int side, const struct rdt_config *cfg)
{
	char why[256];

	cr_assert_eq(rdt_config_check(cfg, why, sizeof why), 0, "config: %s", why);
	l->who[side] = (struct link_who){ l, side };
	l->end[side] = rdt_new(cfg, on_event, &l->who[side]);
	cr_assert(l->end[side], "rdt_new failed");
	return l->end[side];
}

void link_free(struct link *l)
{
	while (l->queue) {
		struct link_packet *p = l->queue;
		l->queue = p->next;
		free(p);
	}
	rdt_free(l->end[0]);
	rdt_free(l->end[1]);
	l->end[0] = l->end[1] = NULL;
}

/* xorshift64*, as the impairment layer draws: the same seed, the same losses. */
static double draw(struct link *l)
{
	l->rng ^= l->rng >> 12;
	l->rng ^= l->rng << 25;
	l->rng ^= l->rng >> 27;
	return (double)((l->rng * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

/* Puts a copy of the datagram on the link towards to, arriving at at (after those already due earlier). */
static void enqueue(struct link *l, int to, const void *buf, size_t len, long long at)
{
	struct link_packet *p = malloc(sizeof *p + len), **q = &l->queue;

	cr_assert(p);
	p->at = at;
	p->id = l->next_id++;
	p->to = to;
	p->len = len;
	memcpy(p->bytes, buf, len);
	while (*q && (*q)->at <= at)
		q = &(*q)->next;
	p->next = *q;
	*q = p;
}

/* One datagram from side from: the script or the dice decide, then the wire carries it. */
static void offer(struct link *l, int from, const unsigned char *buf, size_t len)
{
	struct rdt_header h;
	const char *why;
	enum link_verdict v = LINK_PASS;
	unsigned index = l->sent[from]++;

	cr_assert_eq(rdt_wire_decode(buf, len, &h, &why), 0, "a core sent a malformed datagram: %s", why);
	if (l->rule)
		v = l->rule(l, from, index, &h);
	if (v == LINK_PASS && l->loss > 0 && draw(l) < l->loss)
		v = LINK_DROP;
	else if (v == LINK_PASS && l->dup > 0 && draw(l) < l->dup)
		v = LINK_DUP;
	else if (v == LINK_PASS && l->late > 0 && draw(l) < l->late)
		v = LINK_LATE;
	long long start = l->busy[from] > l->now ? l->busy[from] : l->now;
	long long done = start + (l->rate ? (long long)len * 8 * 1000000 / l->rate : 0);
	l->busy[from] = done;
	if (v == LINK_DROP) {
		l->dropped[from]++;
		return;
	}
	long long at = done + l->delay + (v == LINK_LATE ? l->delay / 2 + 1 : 0);
	enqueue(l, !from, buf, len, at);
	if (v == LINK_DUP)
		enqueue(l, !from, buf, len, at + 1);
}

/* Everything both cores have to send now goes onto the link. */
static void flush(struct link *l)
{
	unsigned char buf[RDT_HEADER_SIZE + RDT_PAYLOAD_MAX];

	for (int side = 0; side < 2; side++) {
		ssize_t n;
		for (int guard = 0; l->end[side] && (n = rdt_output(l->end[side], l->now, buf, sizeof buf)) != 0; guard++) {
			cr_assert(n > 0 && guard < 100000, "rdt_output: %zd", n);
			offer(l, side, buf, (size_t)n);
		}
	}
}

int link_step(struct link *l, long long until)
{
	long long next = l->queue ? l->queue->at : -1;

	if (l->app)
		l->app(l);
	flush(l);
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
		struct link_packet *p = l->queue;
		l->queue = p->next;
		rdt_input(l->end[p->to], p->bytes, p->len, l->now);
		free(p);
	}
	if (l->app)
		l->app(l);
	flush(l); /* timers due now fire now, not at the next step */
	for (int side = 0; side < 2; side++) {
		const char *broken = l->end[side] ? rdt_check(l->end[side]) : NULL;
		cr_assert_null(broken, "%c at %lld us: %s", "AB"[side], l->now, broken);
	}
	return 1;
}

int link_run(struct link *l, long long until, int (*done)(struct link *l))
{
	if (l->app)
		l->app(l);
	flush(l); /* what the applications did since the last step goes out now */
	for (long steps = 0; !done(l); steps++) {
		cr_assert(steps < 50000000, "the link never settles");
		if (!link_step(l, until)) {
			l->now = until > l->now ? until : l->now; /* nothing happens before until: time passes anyway */
			return done(l);
		}
	}
	return 1;
}

int link_both_established(struct link *l)
{
	return rdt_state(l->end[0]) == RDT_ESTABLISHED && rdt_state(l->end[1]) == RDT_ESTABLISHED;
}

int link_both_closed(struct link *l) { return rdt_closed(l->end[0]) && rdt_closed(l->end[1]); }

int link_idle(struct link *l)
{
	return !l->queue && rdt_next_wake(l->end[0], l->now) < 0 && rdt_next_wake(l->end[1], l->now) < 0;
}

void link_open(struct link *l, const struct rdt_config *ca, const struct rdt_config *cb, uint32_t isn_a,
	       uint32_t isn_b)
{
	link_core(l, LINK_A, ca);
	link_core(l, LINK_B, cb);
	cr_assert_eq(rdt_listen(l->end[LINK_B], isn_b), 0);
	cr_assert_eq(rdt_connect(l->end[LINK_A], 0x5eedULL << 32 | isn_a, l->now), 0);
	cr_assert(link_run(l, l->now + 60000000, link_both_established), "the handshake never ended: A %s, B %s",
		  rdt_state_name(rdt_state(l->end[0])), rdt_state_name(rdt_state(l->end[1])));
}

unsigned link_drain(struct link *l, int side, unsigned char *out, size_t cap, size_t *used)
{
	unsigned char buf[RDT_PAYLOAD_MAX];
	unsigned n = 0;
	size_t len;

	while (rdt_recv(l->end[side], buf, sizeof buf, &len, NULL) == 1) {
		if (out) {
			cr_assert(*used + len <= cap, "more data arrived than was sent");
			memcpy(out + *used, buf, len);
			*used += len;
		}
		n++;
	}
	return n;
}

struct rdt_stats link_stats(struct link *l, int side)
{
	struct rdt_stats s;

	rdt_get_stats(l->end[side], &s);
	return s;
}
