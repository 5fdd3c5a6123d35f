/* rdt_rto.h - the retransmission timeout of RFC 6298: SRTT, RTTVAR, backoff, a floor and a ceiling. */
#ifndef SOCKLAB_RDT_RTO_H
#define SOCKLAB_RDT_RTO_H

/*
 * How long a sender waits for an ACK before sending again (Kurose & Ross,
 * 3.5.3 "Round-Trip Time Estimation and Timeout"; RFC 6298). Times are in
 * microseconds. From each RTT sample R:
 *
 *   first sample:  SRTT = R, RTTVAR = R/2                          (RFC 6298 2.2)
 *   later ones:    RTTVAR = (1 - beta) RTTVAR + beta |SRTT - R|    beta = 1/4
 *                  SRTT   = (1 - alpha) SRTT + alpha R             alpha = 1/8 (2.3)
 *   then:          RTO = SRTT + max(G, K RTTVAR), K = 4, clamped to [floor, ceiling]
 *
 * so a first sample gives RTO = 3R. Each timeout doubles the RTO (5.5), up to
 * the ceiling, until a new sample (Karn's algorithm: the backed-off value
 * stays while only retransmitted packets are acknowledged).
 *
 * Karn's rule is the caller's half: never take a sample from a packet sent
 * more than once, since its ACK may answer either copy (Karn and Partridge,
 * 1987; RFC 6298 section 3).
 *
 * The floor: RFC 6298 2.4 rounds any RTO below 1 s up to 1 s, a guard for the
 * Internet, where receivers delay their ACKs by up to 500 ms (RFC 1122
 * 4.2.3.2) and clocks were coarse. rdt acknowledges every packet at once and
 * mostly runs over loopback, where an RTT is tens of microseconds: its default
 * floor is 10 ms, enough for a busy scheduler's delays (configurable: rto_min=).
 */
struct rdt_rto {
	long long srtt, rttvar; /* smoothed RTT and its variation; 0 before the first sample */
	long long rto;          /* from the estimate, clamped, before backoff */
	unsigned backoff;       /* timeouts since the last sample: the RTO is doubled this many times */
	int samples;            /* how many RTT samples so far */
	long long floor, ceiling, granularity; /* the clamps, and G: the clock granularity of the caller's timers */
};

/* Starts with RTO = initial (clamped to [floor, ceiling]) and no sample, as RFC 6298 2.1 does with 1 s. */
void rdt_rto_init(struct rdt_rto *r, long long initial, long long floor, long long ceiling, long long granularity);

/* Takes the RTT sample rtt (>= 0) into SRTT and RTTVAR, recomputes the RTO and ends any backoff. */
void rdt_rto_sample(struct rdt_rto *r, long long rtt);

/* A timeout: doubles the RTO in use, up to the ceiling. */
void rdt_rto_backoff(struct rdt_rto *r);

/* The RTO to arm a timer with now: the estimate, doubled once per backoff, at most the ceiling. */
long long rdt_rto_current(const struct rdt_rto *r);

#endif
