/* rdt_link.h - the rdt tests' network: two cores back to back through a scripted, lossy link, on a simulated clock. */
#ifndef SOCKLAB_TEST_RDT_LINK_H
#define SOCKLAB_TEST_RDT_LINK_H

#include "transports/rdt/rdt.h"

/*
 * Time is simulated (microseconds) and nothing sleeps: the link jumps from
 * one event to the next (a datagram arriving, a core's timer). Each datagram
 * a core outputs is offered to the link, which may drop, duplicate or delay
 * it, by a script (rule) or at random from a seed; the same seed gives the
 * same run. A datagram occupies its direction of the link for len*8/rate
 * seconds (when rate is set), then travels for delay.
 */

enum { LINK_A, LINK_B }; /* A opens (the client), B listens (the server) */

enum link_verdict { LINK_PASS, LINK_DROP, LINK_DUP, LINK_LATE /* arrives after the next ones: reordered */ };

struct link;

/* A script: what happens to the index-th datagram (from 0) that side from sends. */
typedef enum link_verdict link_rule_fn(struct link *l, int from, unsigned index, const struct rdt_header *h);

struct link_packet {
	long long at; /* arrival time */
	unsigned id;  /* order of sending, to break ties */
	int to;
	size_t len;
	struct link_packet *next;
	unsigned char bytes[]; /* len */
};

struct link {
	struct rdt *end[2];
	long long now;
	long long delay;   /* one way, microseconds (default 1000) */
	long long rate;    /* bits per second; 0: no serialization time */
	long long busy[2]; /* when each direction is free again */
	double loss, dup, late; /* random impairment, each way, per datagram */
	unsigned long long rng;
	link_rule_fn *rule;
	void *ctx;                        /* for the rule and the application */
	void (*app)(struct link *l);      /* called after each step: the applications read and write */
	void (*watch)(struct link *l, int side, const struct rdt_event *e); /* sees every event, if set */
	unsigned sent[2], dropped[2];     /* datagrams offered and lost, per sending side */
	unsigned events[2][RDT_EV_CWND + 1]; /* events seen, per side and kind */
	struct link_packet *queue;        /* in flight, by arrival time */
	unsigned next_id;
	int trace;                        /* RDT_TRACE=1 in the environment: every event on stderr */
	struct link_who {
		struct link *l;
		int side;
	} who[2]; /* the cores' event contexts */
};

/* An empty link: delay 1 ms, no loss, seed 1. */
void link_init(struct link *l);

/* A core for side (LINK_A or LINK_B) whose events the link counts. Fails the test if cfg is refused. */
struct rdt *link_core(struct link *l, int side, const struct rdt_config *cfg);

/* Frees the cores and whatever is in flight. */
void link_free(struct link *l);

/*
 * One step: every datagram the cores have now goes onto the link, then the
 * clock jumps to the next arrival or timer (not past until) and what is due
 * happens. Returns 0 when nothing is left to happen before until.
 */
int link_step(struct link *l, long long until);

/* Steps until done(l) is true, or else until the clock reads until. Returns done(l). */
int link_run(struct link *l, long long until, int (*done)(struct link *l));

/* A (client) connects to B (server) with these ISNs (conn id 0x5eed) and the handshake runs to its end. */
void link_open(struct link *l, const struct rdt_config *ca, const struct rdt_config *cb, uint32_t isn_a,
	       uint32_t isn_b);

/* Done-conditions for link_run. */
int link_both_established(struct link *l);
int link_both_closed(struct link *l);
int link_idle(struct link *l); /* nothing in flight, nothing to send, no timer running */

/* Reads every message side has, appending to out (if not NULL, cap bytes); returns how many. */
unsigned link_drain(struct link *l, int side, unsigned char *out, size_t cap, size_t *used);

/* The side's stats. */
struct rdt_stats link_stats(struct link *l, int side);

#endif
