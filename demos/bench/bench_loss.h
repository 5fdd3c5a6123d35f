/* bench_loss.h - the loss sweep's parts: one cell (rdt or kernel TCP), TCP's namespace, the goals. */
#ifndef SOCKLAB_BENCH_LOSS_H
#define SOCKLAB_BENCH_LOSS_H

#include <stddef.h>

#define LOSS_PINGS 200 /* round trips of BENCH_PING bytes per cell */
#define LOSS_MSG 1400  /* bulk: bytes per message, one packet each */
#define LOSS_SEED 1    /* rdt: the client's seed (--seed); the server's is the next: a run repeats its losses */
#define LOSS_SEED_MAX 18446744073709551614ULL /* the impairment layer's largest seed, less one for the server's */
#define LOSS_WINDOW 32 /* rdt gbn and sr: packets in flight, as the goals say */
#define LOSS_SIM_DELAY_US 50     /* the simulated table: the link's fixed one-way delay, microseconds */
#define LOSS_SIM_RATE 1000000000LL /* ...and its rate, bits per second: datagrams arrive one by one, each ACKed, as on lo */
#define LOSS_SIM_MESSAGES 10000  /* the simulated table: LOSS_MSG-byte messages per cell */
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
 * datagrams, seeded (the client from seed, the server from seed + 1); or,
 * arq NULL, over kernel TCP with no impairment (the caller's namespace loses
 * packets, or not; seed unused). Fills *out. Returns 0, or -1 with errno.
 * Blocks for about seconds plus the round trips.
 */
int bench_loss_cell(const char *arq, double loss, double seconds, unsigned long long seed, struct loss_cell *out);

/* What one mode at one loss did in socklab's simulation (bench_loss_sim.c): counts, not measurements. */
struct loss_sim_cell {
	unsigned long long messages;  /* delivered: LOSS_SIM_MESSAGES */
	unsigned long long lost;      /* datagrams the link dropped, both ways */
	unsigned long long lost_data; /* of those, the client's DATA */
	unsigned long long resent;    /* the client's DATA sent again, by timer or fast */
	long long usec;               /* simulated time the cell took, handshake included */
};

/*
 * One simulated cell: two rdt cores (transports/rdt/rdt_sim.h) in mode arq
 * (sw; gbn and sr at LOSS_WINDOW), configured as the real cells' endpoints
 * ask, back to back over a link of LOSS_SIM_DELAY_US each way at
 * LOSS_SIM_RATE that drops loss
 * (0 to 1) of each way's datagrams, the client's drawn from seed and the
 * server's from seed + 1; the client sends LOSS_SIM_MESSAGES messages of
 * LOSS_MSG bytes. Pure: no system call, no real time; the same arguments
 * give the same counts. Returns 0, or -1 with errno (ETIMEDOUT: rdt gave up,
 * or the cell did not end within a simulated hour; ENOMEM).
 */
int bench_loss_sim(const char *arq, double loss, unsigned long long seed, struct loss_sim_cell *out);

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
	unsigned long long seed;        /* --seed: the client's; the server's is the next */
	struct loss_sim_cell sim[3][8]; /* the simulated table: rows sw, gbn, sr */
	int sim_ok;
};

/* Every simulated cell of sw's losses, modes sw, gbn, sr, into cell. 0, or -1 with errno. Never blocks. */
int bench_loss_sim_all(const struct loss_sweep *sw, unsigned long long seed, struct loss_sim_cell cell[3][8]);

/*
 * The simulated table: every cell of sw's losses from sw->seed into sw->sim
 * (sim_ok set), printed under a header that says it is socklab's simulation
 * and why it is there (or as JSON lines, "simulated":true). 0, or -1 with
 * errno. Never blocks; about 0.1 s of CPU per loss.
 */
int bench_loss_sim_print(struct loss_sweep *sw, int json);

/* Prints the goals as measured in sw (lines, or JSON objects). Never fails. */
void bench_loss_goals(const struct loss_sweep *sw, int json);

#endif
