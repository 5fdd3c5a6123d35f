/* bench_loss.h - the loss sweep's parts: one cell (rdt or kernel TCP), TCP's namespace, the goals. */
#ifndef SOCKLAB_BENCH_LOSS_H
#define SOCKLAB_BENCH_LOSS_H

#include <stddef.h>

#define LOSS_PINGS 200 /* round trips of BENCH_PING bytes per cell */
#define LOSS_MSG 1400  /* bulk: bytes per message, one packet each */
#define LOSS_SEED 1    /* rdt: the client's seed; the server's is the next: a run repeats its losses */
#define LOSS_WINDOW 32 /* rdt gbn and sr: packets in flight, as the goals say */
#define LOSS_TCP_MTU "1500" /* TCP's namespace: lo's MTU, so that a segment is one Ethernet-sized packet */

/* What one mode at one loss measured. */
struct loss_cell {
	double mb_per_s, p50_us, p99_us;
	unsigned long long messages, resent; /* the client's data messages, and its packets sent again */
	long long lost;    /* rdt: datagrams the client sent that the server never received; -1 unknown */
	long long dropped; /* tcp: packets nftables dropped in the namespace, both ways; -1 unknown */
	double srtt_us;    /* rdt: its SRTT (DATA to ACK, RFC 6298), averaged over the bulk; 0 unknown */
};

/*
 * One cell: a server in a child, a client here, over rdt in mode arq (sw,
 * gbn, sr) with the impairment layer dropping loss (0 to 1) of both ends'
 * datagrams, seeded; or, arq NULL, over kernel TCP with no impairment (the
 * caller's namespace loses packets, or not). Fills *out. Returns 0, or -1
 * with errno. Blocks for about seconds plus the round trips.
 */
int bench_loss_cell(const char *arq, double loss, double seconds, struct loss_cell *out);

/*
 * Kernel TCP at one loss: a child enters a private network namespace
 * (netns_enter_private), gives lo an MTU of LOSS_TCP_MTU and no GSO (one TCP
 * segment per packet), installs an nftables rule dropping loss of the TCP
 * segments without SYN, FIN or RST (numgen random: not seeded), and runs
 * bench_loss_cell there. Returns 0 with *out filled; or -1 and, in why, one
 * line saying why TCP could not run (no namespace, no nft...). Blocks.
 */
int bench_loss_tcp(double loss, double seconds, struct loss_cell *out, char *why, size_t whylen);

/* The sweep's cells, for the goals: row 0-2 rdt sw, gbn, sr; row 3 tcp (ok[3][k] 0 when it could not run). */
struct loss_sweep {
	size_t n;
	double loss[8];
	struct loss_cell cell[4][8];
	int ok[4][8];
	struct loss_cell tcp_lo; /* kernel TCP on this process's own loopback, as it is: the speed goal's reference */
	int tcp_lo_ok;
};

/* Prints the goals as measured in sw (lines, or JSON objects). Never fails. */
void bench_loss_goals(const struct loss_sweep *sw, int json);

#endif
