/* rdt_sim.h - socklab's simulation of rdt: two pure cores back to back through a lossy link, on a simulated clock. */
#ifndef SOCKLAB_RDT_SIM_H
#define SOCKLAB_RDT_SIM_H

#include "rdt.h"

/*
 * A simulation, not a measurement: no socket, no scheduler, no real time.
 * Time is simulated (microseconds) and nothing sleeps: the link jumps from
 * one event to the next (a datagram arriving, a core's timer). Each datagram
 * a core outputs is offered to the link, which may drop, duplicate or delay
 * it, by a script (rule) or at random from a seed; the same seed gives the
 * same run, count for count. A datagram occupies its direction of the link
 * for len*8/rate seconds (when rate is set), then travels for delay.
 *
 * The random choices are xorshift64*, drawn as the impairment layer draws
 * them: by default one generator for both directions, in the order the
 * datagrams are sent; rdt_sim_seed gives each direction its own, its seed
 * spread as the impairment layer spreads one (impair_seed_state, splitmix64).
 *
 * Everything here is pure: no system call, no printing. Functions that fail
 * return -1 (or NULL) with errno, and one line saying why in broken.
 * The tests drive it through tests/support/rdt_link.h; socklab bench --loss
 * prints a table of it beside its measurements (demos/bench/bench_loss_sim.c).
 */

enum { RDT_SIM_A, RDT_SIM_B }; /* A opens (the client), B listens (the server) */

enum rdt_sim_verdict { RDT_SIM_PASS, RDT_SIM_DROP, RDT_SIM_DUP, RDT_SIM_LATE /* arrives after the next ones */ };

struct rdt_sim;

/* A script: what happens to the index-th datagram (from 0) that side from sends. */
typedef enum rdt_sim_verdict rdt_sim_rule_fn(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h);

/* Sees every event of side's core. */
typedef void rdt_sim_watch_fn(struct rdt_sim *l, int side, const struct rdt_event *e);

struct rdt_sim_packet {
	long long at; /* arrival time */
	unsigned id;  /* order of sending, to break ties */
	int to;
	size_t len;
	struct rdt_sim_packet *next;
	unsigned char bytes[]; /* len */
};

struct rdt_sim {
	struct rdt *end[2];
	long long now;
	long long delay;   /* one way, microseconds (default 1000) */
	long long rate;    /* bits per second; 0: no serialization time */
	long long busy[2]; /* when each direction is free again */
	double loss, dup, late; /* random impairment, each way, per datagram */
	unsigned long long rng[2]; /* the generators' states: rng[0] for both ways, or one each (per_side) */
	int per_side;              /* set by rdt_sim_seed: each direction draws from its own */
	rdt_sim_rule_fn *rule;
	void *ctx;                        /* for the rule and the application */
	void (*app)(struct rdt_sim *l);   /* called after each step: the applications read and write */
	rdt_sim_watch_fn *watch;          /* the application's view of every event, if set */
	rdt_sim_watch_fn *narrate;        /* a second one, for narration (the tests' RDT_TRACE), if set */
	unsigned sent[2], dropped[2];     /* datagrams offered and lost, per sending side */
	unsigned dropped_data[2];         /* of those lost, the ones that carried DATA */
	unsigned events[2][RDT_EV_CWND + 1]; /* events seen, per side and kind */
	struct rdt_sim_packet *queue;     /* in flight, by arrival time */
	unsigned next_id;
	char broken[200];                 /* why the last call failed, when it says why */
	struct rdt_sim_who {
		struct rdt_sim *l;
		int side;
	} who[2]; /* the cores' event contexts */
};

/* An empty simulation: delay 1 ms, no loss, one generator for both ways. Never fails. */
void rdt_sim_init(struct rdt_sim *l);

/*
 * Gives each direction its own generator: A's datagrams draw from seed_a,
 * B's from seed_b, each spread as the impairment layer spreads a seed. Call
 * before the first datagram. Never fails.
 */
void rdt_sim_seed(struct rdt_sim *l, unsigned long long seed_a, unsigned long long seed_b);

/*
 * A core for side (RDT_SIM_A or RDT_SIM_B), whose events the simulation
 * counts. Returns it, or NULL: EINVAL when cfg fails rdt_config_check (why in
 * l->broken), ENOMEM.
 */
struct rdt *rdt_sim_core(struct rdt_sim *l, int side, const struct rdt_config *cfg);

/* Frees the cores and whatever is in flight. l can be initialised again. */
void rdt_sim_free(struct rdt_sim *l);

/*
 * One step: every datagram the cores have now goes onto the link, then the
 * clock jumps to the next arrival or timer (not past until) and what is due
 * happens. Returns 1, or 0 when nothing is left to happen before until, or
 * -1: EPROTO when a core sent a malformed datagram or broke an invariant
 * (rdt_check), ENOMEM, ELOOP when a core never stops sending (why in broken).
 */
int rdt_sim_step(struct rdt_sim *l, long long until);

/*
 * Steps until done(l) is true, or else until the clock reads until (then the
 * clock reads until). Returns done(l), or -1 as rdt_sim_step, or ELOOP when
 * it never settles.
 */
int rdt_sim_run(struct rdt_sim *l, long long until, int (*done)(struct rdt_sim *l));

/*
 * A (client) connects to B (server) with these ISNs (conn id 0x5eed), and the
 * handshake runs to its end. Returns 0, or -1: as rdt_sim_core or
 * rdt_sim_run, or ETIMEDOUT when it did not end within a simulated minute.
 */
int rdt_sim_open(struct rdt_sim *l, const struct rdt_config *ca, const struct rdt_config *cb, uint32_t isn_a,
		 uint32_t isn_b);

/* Done-conditions for rdt_sim_run. */
int rdt_sim_both_established(struct rdt_sim *l);
int rdt_sim_both_closed(struct rdt_sim *l);
int rdt_sim_idle(struct rdt_sim *l); /* nothing in flight, nothing to send, no timer running */

/*
 * Reads every message side has, appending them to out (when not NULL: cap
 * bytes, *used of them taken). Returns how many, or -1 ENOBUFS when one does
 * not fit (it is lost).
 */
long rdt_sim_drain(struct rdt_sim *l, int side, unsigned char *out, size_t cap, size_t *used);

/* side's stats (rdt_get_stats). */
struct rdt_stats rdt_sim_stats(const struct rdt_sim *l, int side);

#endif
