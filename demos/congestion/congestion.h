/* congestion.h - socklab congestion: the options, the samples, the flows and their kinds, shared by its files. */
#ifndef SOCKLAB_CONGESTION_H
#define SOCKLAB_CONGESTION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * One run = the flows of one congestion control sharing the bottleneck for
 * --seconds. Each flow is sampled from the kernel every --interval ms; after
 * the run, pure functions (congestion_analysis.c) derive phases, loss
 * episodes and the lessons, and congestion_chart.c draws them. Nothing here
 * models TCP: every number comes from a sample or from the receiver's count.
 */

#define CONGESTION_MAX_FLOWS 8
#define CONGESTION_MAX_CCS 6
#define CONGESTION_NO_SSTHRESH 0x7fffffffu /* TCP_INFINITE_SSTHRESH: the algorithm keeps none (bbr) */

/* tcpi_ca_state, as include/uapi/linux/tcp.h numbers it (enum tcp_ca_state). */
enum congestion_ca { CA_OPEN, CA_DISORDER, CA_CWR, CA_RECOVERY, CA_LOSS };

/* What the chart calls each sample (congestion_phase()). */
enum congestion_phase { PHASE_SLOW_START, PHASE_AVOIDANCE, PHASE_OPEN, PHASE_CWR, PHASE_RECOVERY, PHASE_LOSS };

/*
 * One reading of a sender's state: for kernel TCP all from TCP_INFO (tcp(7))
 * but the time; for rdt (congestion_rdt.c) from rdt_sock_stats(), socklab's
 * own sender, each field its counterpart there (the comments name TCP's).
 */
struct congestion_sample {
	uint32_t t_us;         /* since the run began (CLOCK_MONOTONIC) */
	uint32_t cwnd;         /* tcpi_snd_cwnd, in segments */
	uint32_t ssthresh;     /* tcpi_snd_ssthresh, or CONGESTION_NO_SSTHRESH */
	uint32_t rtt_us;       /* tcpi_rtt: the smoothed RTT */
	uint32_t rttvar_us;    /* tcpi_rttvar */
	uint32_t retrans;      /* tcpi_total_retrans: segments sent again, since the start */
	uint32_t segs_out;     /* tcpi_data_segs_out: data segments sent, retransmissions included */
	uint64_t delivery_bps; /* tcpi_delivery_rate, in bits per second */
	uint8_t ca_state;      /* tcpi_ca_state: enum congestion_ca */
};

struct congestion_flow;

/*
 * A kind of flow: how one is opened, fed and read, and how its numbers are
 * named. Kernel TCP (congestion_tcp.c) is sampled from TCP_INFO; socklab's
 * own reliable transport over UDP (rdt with cc=aimd, congestion_rdt.c) from
 * its own sender's state, so the run loop, the analysis and the chart take
 * either, and every label says which. Every slot returns -1 with errno on
 * failure.
 */
struct congestion_kind {
	const char *name;     /* "kernel tcp" */
	const char *source;   /* where the samples come from, for json: "TCP_INFO" */
	const char *label;    /* a line under each run's heading saying where its samples come from, or NULL */
	const char *unit;     /* what cwnd counts: "segments" */
	const char *receiver; /* the receiver's endpoint, %s the receiver's address: "tcp://%s:0" */
	const char *legend;   /* under the charts: what *, -, ^ and each phase letter are read from */
	const char *figures;  /* under the table of flows: what goodput, retransmitted and RTT are */
	int has_delivery_rate; /* the samples' delivery_bps is measured (else it is left empty) */
	/* Connects from the current network namespace, with the flow's cc set first; without blocking, or says how long. */
	int (*open)(struct congestion_flow *f, const char *cc, const char *host, int port);
	/* Sends what the transport takes now, without blocking. */
	int (*pump)(struct congestion_flow *f);
	/* Reads the sender's state into *s (t_us left to the caller). */
	int (*sample)(struct congestion_flow *f, struct congestion_sample *s);
	/* Ends the flow at once (unsent data is discarded). */
	void (*close)(struct congestion_flow *f);
};

/* A congestion control --cc can name: facts as data. */
struct congestion_cc {
	const char *name;                   /* as TCP_CONGESTION and --cc name it */
	const struct congestion_kind *kind; /* whose flows carry it */
	int uses_ssthresh;                  /* slow start ends at ssthresh (reno, cubic); bbr keeps none */
	double beta;                        /* the decrease it is specified with; 0 for none */
	const char *beta_source;            /* where that number comes from */
};

/* The table of --cc names (congestion_args.c), NULL-name terminated. */
extern const struct congestion_cc congestion_ccs[];
extern const struct congestion_kind congestion_tcp_kind;
extern const struct congestion_kind congestion_rdt_kind;

enum congestion_format { FORMAT_CHART, FORMAT_JSON, FORMAT_CSV };

struct congestion_opts {
	uint64_t rate_bps;     /* --rate: the bottleneck, bits per second */
	uint64_t buffer_bytes; /* --buffer: the bottleneck's queue (tbf limit) */
	int delay_ms;          /* --delay (refused at run time: no netem here) */
	double loss_pct;       /* --loss: random drops of data segments at the bottleneck */
	const struct congestion_cc *cc[CONGESTION_MAX_CCS];
	int ncc;
	int flows;       /* --flows */
	int stagger_ms;  /* --stagger: flow i starts at i x stagger */
	int seconds_ms;  /* --seconds */
	int interval_ms; /* --interval: between samples */
	enum congestion_format format;
	int seeded;    /* --seed given: a reproducible loss pattern instead of the kernel's random */
	unsigned seed; /* --seed */
};

struct congestion_flow {
	const struct congestion_kind *kind;
	int fd;
	int start_ms;             /* when it is to start, from the run's start */
	int open;                 /* opened and not yet closed */
	int port;                 /* its local port, to match the receiver's count */
	uint32_t started_us;      /* when it really started */
	uint32_t mss;             /* tcpi_snd_mss, last read (rdt: the bytes of each message) */
	uint32_t min_rtt_us;      /* tcpi_min_rtt, last read (rdt: the smallest srtt sampled) */
	uint64_t bytes_received;  /* by the receiving application, within the run */
	void *own;                /* the kind's own state (rdt: its socket and last counts), or NULL */
	struct congestion_sample *s;
	size_t n, cap;
};

struct congestion_run {
	const struct congestion_cc *cc;
	struct congestion_flow flow[CONGESTION_MAX_FLOWS];
	int nflows;
	uint32_t duration_us; /* how long it really ran */
	int stopped;          /* a signal ended it early */
};

/*
 * Parses argv (after "congestion") into *o. Returns 0; 1 when --help was
 * asked (the usage is printed); EXIT_USAGE (2) after printing one line.
 */
int congestion_parse(int argc, char **argv, struct congestion_opts *o);

/* CLOCK_MONOTONIC in microseconds: the one clock of a run, shared by the sender and the receiver. */
long long congestion_now_us(void);

#endif
