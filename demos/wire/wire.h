/* wire.h - socklab wire: capture the packets of socklab's own exchange in a private network namespace, and show them. */
#ifndef SOCKLAB_WIRE_H
#define SOCKLAB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "transports/endpoint.h"
#include "core/transport.h"
#include "wire_flow.h"
#include "wire_packet.h"

/* One captured frame, as the kernel handed it over. */
struct wire_frame {
	struct timespec ts; /* the kernel's timestamp (CLOCK_REALTIME) */
	uint32_t caplen;    /* bytes kept in bytes */
	uint32_t wirelen;   /* the frame's real length */
	uint8_t *bytes;
};

/* A packet socket on one interface and the frames read from it (wire_capture.c). */
struct wire_capture {
	int fd;
	struct wire_frame *v;
	size_t n, cap;
	unsigned long twins;   /* frames skipped: lo shows each packet twice, going out and coming in */
	unsigned long dropped; /* frames the kernel dropped, the socket's queue being full (PACKET_STATISTICS) */
	unsigned long unkept;  /* frames past WIRE_FRAMES_MAX, not kept */
	uint8_t *buf;          /* room for one frame */
};

/* At most this many frames are kept: every exchange of socklab wire makes far fewer. */
#define WIRE_FRAMES_MAX 20000

/*
 * Opens a packet socket (AF_PACKET, SOCK_RAW, ETH_P_ALL) bound to interface
 * ifname, non-blocking, with the kernel's timestamps on and a queue large
 * enough for an exchange. Needs CAP_NET_RAW in the network namespace (root,
 * or root of the user namespace that owns it). 0, or -1 with errno; traced.
 */
int wire_capture_open(struct wire_capture *c, const char *ifname);
/* Reads every frame queued now, keeping one copy of each packet. Never blocks. 0, or -1 with errno. */
int wire_capture_drain(struct wire_capture *c);
/* Waits up to ms for a frame to arrive, then drains. 1 if one came, 0 if not, -1 with errno. */
int wire_capture_wait(struct wire_capture *c, int ms);
/* The last drain, then the kernel's count of frames it dropped (PACKET_STATISTICS) into c->dropped. 0 or -1. */
int wire_capture_finish(struct wire_capture *c);
/* Closes the socket and frees the frames. Safe twice. */
void wire_capture_close(struct wire_capture *c);

/*
 * Writes the frames as a classic pcap file (LINKTYPE_ETHERNET, microsecond
 * timestamps) at path, through a temporary file beside it renamed at the end:
 * a failure leaves whatever was at path untouched. 0, or -1 with errno.
 */
int wire_pcap_write(const char *path, const struct wire_capture *c);

/* The namespace's kernel, as the lab needs it (wire_net.c). Each 0 or a count, or -1 with why filled. */
/* nftables rules in the namespace: drop pct% of the TCP segments without SYN, FIN or RST, and of the UDP datagrams. */
int wire_net_loss(int pct, int seeded, unsigned seed, char *why, size_t whylen);
/* nftables rules in the namespace: drop every TCP segment and UDP datagram to port, silently. */
int wire_net_blackhole(unsigned port, char *why, size_t whylen);
/* Packets the rules above dropped so far (their counters), or -1. */
long long wire_net_dropped(void);
/* Writes value to a sysctl of the namespace ("net/ipv4/tcp_syn_retries"). 0 or -1 with why. */
int wire_net_sysctl(const char *name, const char *value, char *why, size_t whylen);
/* The namespace's Tcp RetransSegs (/proc/net/snmp, which is per namespace), or -1. */
long long wire_net_retrans_segs(void);
/* TCP sockets of the namespace neither listening, closed nor in TIME_WAIT: connections still at work. */
int wire_net_tcp_busy(void);

/* Round trips of the loss scenario. */
#define WIRE_LOSS_MESSAGES 12

/* One exchange, run by a scenario through socklab's transports (wire_exchange.c). */
#define WIRE_SAID_MAX 8
struct wire_exchange {
	const struct transport *t;
	struct endpoint ep;         /* the server's endpoint (port 0: the kernel picks) */
	int messages;               /* round trips of the loss scenario */
	struct addr server;         /* filled: where the server is, or where the client went */
	int listening;              /* filled: a server socket listened */
	char said[WIRE_SAID_MAX][200]; /* filled: what the programs saw, one line each */
	int nsaid;
	int side;                   /* who is calling now: 0 the client, 1 the server (for the unix trace) */
	void (*tick)(void *ctx);    /* called between steps: the capture reads what came so far */
	void *tick_ctx;
};

/* A scenario: its name, what it shows, what it needs, and how it runs. */
struct wire_scenario {
	const char *name;
	const char *what;   /* for --help */
	int served;         /* a server is there: echo... (refused and no-server have none) */
	int connection;     /* needs a connected transport */
	int network;        /* needs packets: not for unix sockets */
	int nft;            /* needs nftables rules in the namespace */
	int (*run)(struct wire_exchange *x);
};
extern const struct wire_scenario wire_scenarios[];
extern const size_t wire_nscenarios;
/* The scenario named name, or NULL. */
const struct wire_scenario *wire_scenario_find(const char *name);

/* Records a line of what the programs saw, printf-style. */
void wire_said(struct wire_exchange *x, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Everything the outputs show: the packets, what the analysis made of them, and the kernel's counts. */
struct wire_report {
	const char *scheme, *scenario;
	const struct wire_frame *frames; /* the bytes of each packet */
	const struct wire_pkt *pkts;
	const struct wire_note *notes;
	const long long *t_ns;      /* each packet's time, from the first */
	size_t n;
	const struct wire_flow *flow;
	const struct wire_exchange *x; /* NULL when there was no exchange (the fuzz target) */
	int loss_pct;               /* -1: no loss rule */
	long long nft_dropped;      /* -1: unknown */
	long long kernel_retrans;   /* the namespace's RetransSegs delta; -1: not read */
	unsigned long twins, dropped, unkept;
	int settled;                /* every connection had ended when the capture stopped */
	const char *where;          /* "as root", or "unprivileged" (through a user namespace) */
};

/* The words the outputs share (wire_label.c). */
/* "SYN,ACK seq=0 ack=1 len=0 win=65483" (win only when with_window): packet i on an arrow. */
const char *wire_label(const struct wire_report *r, size_t i, int with_window, char *out, size_t len);
/* What packet i carries beside its arrow: a SYN's options, UDP's Length, what an ICMP error quotes, a retransmission. */
const char *wire_detail(const struct wire_report *r, size_t i, char *out, size_t len);
/* "0.045": milliseconds with 3 decimals, at most 8 characters ("123456s" beyond). */
const char *wire_ms(long long ns, char *out, size_t len);

/*
 * The outputs (wire_ladder.c, wire_formats.c, wire_explain.c): each prints r
 * to out and returns nothing; a failed write shows in ferror(out), which the
 * caller checks. The ladder and --explain keep every line within 79 columns.
 */
void wire_print_ladder(FILE *out, const struct wire_report *r);
void wire_print_mermaid(FILE *out, const struct wire_report *r);
void wire_print_json(FILE *out, const struct wire_report *r);
/* s as a JSON string, quotes included, control characters and non-ASCII bytes escaped. */
void wire_json_string(FILE *out, const char *s);
void wire_print_explain(FILE *out, const struct wire_report *r);
/* The UDP part of --explain (wire_explain_udp.c). */
void wire_explain_udp(FILE *out, const struct wire_report *r);
/* Prints one point of --explain: "- " and the text, wrapped at 79 columns. */
void wire_point(FILE *out, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* What the command line asked for (wire.c). */
struct wire_options {
	const struct transport *t;
	struct endpoint ep;           /* the server's endpoint, or where nobody listens (refused, no-server) */
	const struct wire_scenario *sc;
	const char *format;           /* "ladder", "mermaid" or "json" */
	const char *pcap;             /* --pcap FILE, or NULL */
	int explain;
	int loss;                     /* --loss percent, -1 when none */
	int seeded;                   /* --seed given: the same packets are dropped each run */
	int bare;                     /* only a transport was named: socklab chose the endpoint */
	unsigned seed;
};

/* Runs o's exchange in a private network namespace, captures it and prints it (wire_run.c). The exit code. */
int wire_run(const struct wire_options *o);

/*
 * unix sockets: no packets; the exchange's system calls instead (wire_unix.c).
 * When o->bare (only the transport was named), the socket file goes in a
 * private directory. Returns the exit code.
 */
int wire_unix(const struct wire_options *o);

#endif
