/* wire_flow.h - what the packets of one exchange say: who sent each, relative seq/ack, windows, TCP states, retransmissions, RTTs. */
#ifndef SOCKLAB_WIRE_FLOW_H
#define SOCKLAB_WIRE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "wire_packet.h"

/* Which way a packet went, between the exchange's client and server; ASIDE when it is not of the exchange. */
enum wire_dir { WIRE_TO_SERVER, WIRE_TO_CLIENT, WIRE_ASIDE };

/* The states of RFC 9293's diagram (3.3.2), and NONE for a transport that has none (UDP). */
enum wire_state {
	ST_NONE, ST_CLOSED, ST_LISTEN, ST_SYN_SENT, ST_SYN_RECEIVED, ST_ESTABLISHED, ST_FIN_WAIT_1, ST_FIN_WAIT_2,
	ST_CLOSE_WAIT, ST_CLOSING, ST_LAST_ACK, ST_TIME_WAIT,
};

/* "SYN_SENT", "TIME_WAIT"...; "" for ST_NONE. */
const char *wire_state_name(enum wire_state s);

/* What the analysis adds to one packet. */
struct wire_note {
	enum wire_dir dir;
	uint32_t rseq, rack;     /* TCP: seq and ack relative to each side's initial sequence number */
	unsigned seglen;         /* TCP: sequence numbers the segment takes: its data, plus 1 for SYN and for FIN */
	uint64_t window;         /* TCP: the window as its receiver reads it, scaled where scaling applies */
	int scaled;              /* 1 when window is the field shifted by the sender's window scale */
	int retrans;             /* TCP: it carries sequence numbers its sender had sent before */
	enum wire_state state[2]; /* after this packet: [0] the client's, [1] the server's connection's */
	long long rtt_ns;        /* a data segment: the time to the first ACK covering it (-1: no sample) */
	int acked_by;            /* the index of that ACK, or -1 */
};

/* One end of the exchange, as its packets show it. */
struct wire_side {
	int seen;             /* it sent a packet (a TCP one, for the fields below) */
	int syn;              /* its SYN was captured: isn is that SYN's seq */
	int based;            /* isn is known (from its SYN, or its first segment minus 1 as Wireshark does) */
	uint32_t isn;
	uint32_t next;        /* one past the highest sequence number it sent */
	int wscale;           /* the window scale its SYN offered, -1 none */
	int fin;              /* it sent a FIN, at sequence number fin_seq */
	uint32_t fin_seq;
	int packets, segments, retrans; /* packets sent; of them, with data; and retransmitted */
	unsigned long long bytes;       /* data bytes, retransmissions included */
	int samples;          /* RTT samples of its data segments (Karn: none from a retransmitted one) */
	double srtt_ns, rttvar_ns; /* RFC 6298 2.2-2.3, alpha 1/8 and beta 1/4, over those samples in order */
};

/* The exchange: set server (or not) and listening, then wire_flow_analyze(). */
struct wire_flow {
	int have_server;          /* server below is known; else the first packet's destination is taken */
	struct wire_ends server;  /* the server's address in src and port in sport, its protocol in proto */
	int listening;            /* a socket listened at the server: its connection starts from LISTEN */
	/* Filled by the analysis: */
	struct wire_ends client;  /* the client's address and port, from the first packet of the exchange */
	int have_client;
	int tcp;                  /* the exchange is TCP (states, seq/ack) rather than UDP */
	int scaling;              /* both SYNs offered window scaling, so later windows are scaled (RFC 7323 2.2) */
	struct wire_side side[2]; /* [0] client, [1] server */
	size_t packets, aside;    /* packets of the exchange; packets of anything else */
	int icmp;                 /* ICMP errors about the exchange */
};

/*
 * Reads n decoded packets (captured at times t_ns, in order) as one exchange
 * and fills notes[0..n-1] and f's sides. Packets of other conversations are
 * marked WIRE_ASIDE and change nothing. The states are inferred as if each
 * packet reached the other side (the capture is taken on the way out). Pure.
 */
void wire_flow_analyze(struct wire_flow *f, const struct wire_pkt *pkts, const long long *t_ns, size_t n,
		       struct wire_note *notes);

/* 1 when a comes before b in sequence space (RFC 9293 3.4: arithmetic modulo 2^32). */
static inline int wire_seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

#endif
