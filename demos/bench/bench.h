/* bench.h - socklab bench: every transport measured twice, through the interface and with plain socket calls. */
#ifndef SOCKLAB_BENCH_H
#define SOCKLAB_BENCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/transport.h"

#define BENCH_PING 64                /* rtt: bytes in each ping and each pong */
#define BENCH_STREAM_WRITE (128 * 1024) /* bulk on a stream: bytes per write, and per read */
#define BENCH_UDP_MSG 1400           /* bulk over UDP: one datagram fits one Ethernet frame */
#define BENCH_UNIX_MSG (8 * 1024)    /* bulk over unix message transports */
#define BENCH_WINDOW 64              /* datagrams: at most this many sent and not yet credited */
#define BENCH_CREDIT_EVERY 16        /* datagrams: the receiver grants credit this often */
#define BENCH_TIMEOUT_MS 2000        /* any single wait for the peer */
#define BENCH_LOST_MAX 100           /* rtt: pings lost before the peer counts as gone */
#define BENCH_ROUND_S 0.005          /* a round: short, so that what else runs rarely spans both of a pair */
#define BENCH_BULK_ROUND_S 0.020     /* bulk: long beside filling and draining the socket buffers (TCP's: 4 MiB) */
#define BENCH_ROUNDS_MIN 10          /* rounds per path and test, whatever --seconds says */
#define BENCH_ROUNDS_MAX 1000
#define BENCH_BATCH_MAX BENCH_WINDOW /* datagram bulk: at most this many per system call (--batch) */
#define BENCH_REPLY 21               /* a CREDIT or FINAL datagram: tag, u32 round, u64 datagrams, u64 calls */
#define BENCH_PLACES_MAX 2           /* placements measured side by side (--pin both) */
#define BENCH_TRANSPORTS_MAX 16

/*
 * The datagram protocol between the benchmark's client and its server, in
 * the first byte of every datagram (connected transports need none: a new
 * connection per round, and its first byte says what it is for).
 */
enum bench_tag {
	BENCH_PING_TAG = 'P',   /* echo it back */
	BENCH_DATA_TAG = 'D',   /* u32 round, then payload: count it */
	BENCH_END_TAG = 'E',    /* u32 round: reply BENCH_FINAL_TAG with the round's count */
	BENCH_PROBE_TAG = 'Q',  /* u32 round: reply BENCH_CREDIT_TAG with the count now */
	BENCH_CREDIT_TAG = 'C', /* u32 round, u64 datagrams received so far, u64 0 */
	BENCH_FINAL_TAG = 'F',  /* u32 round, u64 datagrams received in all, u64 receive calls that took them */
	BENCH_RTT_CONN = 'R',   /* connected: this connection is for round trips */
	BENCH_BULK_CONN = 'B',  /* connected: this connection is for bulk, blocks of bench_msg_size() */
	BENCH_MORE_TAG = 'M',   /* bulk, first byte of a block: more follow */
	BENCH_LAST_TAG = 'L',   /* bulk, first byte of a block: the round's last; acknowledge it */
};

/* What one round measured. */
struct bench_round {
	double *rtt_us;          /* rtt: every round trip but the first, in microseconds */
	size_t n, cap;
	double first_us;         /* rtt: the first round trip on the new socket */
	unsigned long long bytes, msgs, lost; /* bulk: delivered (as the receiver counted), and lost */
	double seconds;          /* bulk: first write to the receiver's acknowledgement */
	unsigned long long send_calls, recv_calls; /* datagram bulk: the system calls that sent and received them */
};

/* One benchmark server, in a child process, and where its clients find it. */
struct bench_peer {
	const struct transport *t;
	pid_t pid;
	struct addr addr;        /* where it listens */
	struct sock ls;          /* socklab path: the listening socket (its file is removed with it) */
	struct sock bulk;        /* socklab path: the bulk client, kept from round to round */
	int fd;                  /* raw path: the listening socket */
	int bulk_fd;             /* raw path: the bulk client */
	char path[108];          /* raw path, unix: the socket file */
	int nodelay;             /* tcp: clients set TCP_NODELAY (socklab path) */
	int split;               /* rtt: each ping written in two parts, 8 then 56 bytes (socklab path) */
	uint32_t round;          /* datagrams: the round number, so the server can tell rounds apart */
	int cpu;                 /* the server's CPU, or -1 to let the scheduler choose */
	int batch;               /* datagram bulk: at most this many per system call; 1: sendto and recvfrom */
	int id;                  /* which of a transport's servers of this path it is: names its socket file */
};

/*
 * A path: the same measurements written twice. rtt and bulk each run one
 * round for the given seconds against the peer's server. They return 0, or
 * -1 with errno. Nothing prints.
 */
struct bench_path {
	const char *name; /* "socklab" or "raw" */
	/* The server's socket for p->t (in dir, for unix transports), bound in the benchmark's process. */
	int (*bind)(struct bench_peer *p, const char *dir);
	/* The server's loop, run in a child process (bench_spawn). Never returns. */
	void (*serve)(struct bench_peer *p);
	/* One round on a new client socket: its first round trip is kept apart (first_us). */
	int (*rtt)(struct bench_peer *p, double seconds, struct bench_round *out);
	/* One round on the bulk client, which is kept from round to round (opened when needed). */
	int (*bulk)(struct bench_peer *p, double seconds, struct bench_round *out);
	/* Closes the bulk client. */
	void (*hangup)(struct bench_peer *p);
	/* Closes the server's socket and removes its file (after bench_stop). */
	void (*close)(struct bench_peer *p);
};

/*
 * Starts a fresh server for p in a child process, stopping the one before.
 * The benchmark does so every few rounds: whatever luck one process has (where
 * its memory landed, say) is then shared out between the paths. 0 or -1.
 */
int bench_spawn(struct bench_peer *p, const struct bench_path *path);
/* Stops p's server, if it runs. */
void bench_stop(struct bench_peer *p);

extern const struct bench_path bench_socklab_path, bench_raw_path;

/* Each path's server side (bench_socklab_server.c, bench_raw_server.c), as in struct bench_path. */
int bench_socklab_bind(struct bench_peer *p, const char *dir);
void bench_socklab_serve(struct bench_peer *p);
void bench_socklab_close(struct bench_peer *p);
int bench_raw_bind(struct bench_peer *p, const char *dir);
void bench_raw_serve(struct bench_peer *p);
void bench_raw_close(struct bench_peer *p);

/* One line of the report: one test on one transport through one path, over all its rounds. */
struct bench_figure {
	size_t msg_size;
	double median_us, p99_us, first_us; /* rtt; first: the median over rounds of each new socket's first */
	double ops_per_s;                   /* round trips, or messages (stream: writes) per second */
	double mb_per_s;                    /* bulk: megabytes (10^6) per second */
	unsigned long long lost;
	double ratio;                       /* socklab / raw: the median over pairs of adjacent rounds */
	double per_send, per_recv;          /* datagram bulk: datagrams per system call; 0 where not counted */
	int better;                         /* this placement's socklab figure beat the other placement's */
};

/*
 * Where the client and the servers run (--pin). The client stays on the first
 * CPU it may use. How many datagrams a batch call should move depends on it:
 * on one CPU the receiver runs only once the sender waits, so the whole
 * window goes in as few calls as possible (BENCH_WINDOW); on two, the
 * receiver works on one batch while the sender makes the next, which needs
 * batches no larger than a credit step (BENCH_CREDIT_EVERY): with bigger
 * ones both sides spend their time waking each other up.
 */
struct bench_place {
	const char *name; /* "same", "split", "none" */
	int server_cpu;   /* -1: wherever the scheduler puts it */
	int batch;        /* datagram bulk: at most this many per system call (--batch, or by placement) */
};

/* The tests, as bits of bench_opts.tests. */
enum { BENCH_TEST_RTT = 1, BENCH_TEST_BULK = 2, BENCH_TEST_NAGLE = 4 };

/* What the user asked for. */
struct bench_opts {
	const struct transport *t[BENCH_TRANSPORTS_MAX];
	size_t n;
	unsigned tests;  /* bits of struct bench_test */
	double seconds;  /* per test and transport, both paths and every placement together */
	int json;
	int batch;       /* --batch, or 0: as the placement suits (struct bench_place) */
	struct bench_place places[BENCH_PLACES_MAX];
	size_t nplaces;
	int client_cpu;  /* where the client runs, or -1 */
};

/*
 * A test: what one round of it measures and how it is reported. The tests
 * are a table (bench_tests, bench_measure.c), run in its order; a new test
 * is one more line there, with its round and its printing.
 */
struct bench_test {
	const char *name; /* --test NAME, and "test" in JSON */
	unsigned bit;
	int latency;      /* 1: round trips, the lower the better; 0: throughput, the higher the better */
	double round_s;   /* how long one round of it lasts */
	/* Whether it concerns t at all (a row is printed only where it does). */
	int (*applies)(const struct transport *t);
	/* One round through path against p's server. 0, or -1 with errno. */
	int (*round)(const struct bench_path *path, struct bench_peer *p, double seconds, struct bench_round *out);
	/* The table's header (rounds per path and placement), and one row: socklab's and raw's figures at one placement. */
	void (*print_header)(int rounds);
	void (*print_row)(const char *scheme, const char *place, const struct bench_figure f[2]);
};

extern const struct bench_test bench_tests[]; /* ends with a NULL name */

/* Set by Ctrl-C (bench.c): the measurement stops after the round in progress. */
extern volatile sig_atomic_t bench_interrupted;

/*
 * Measures test on t at every placement of o, both paths, in interleaved
 * rounds (bench_measure.c), with servers in dir. Fills fig[place][path]
 * (path 0 socklab, 1 raw). Returns 0, or -1 with errno.
 */
int bench_measure(const struct bench_opts *o, const struct bench_test *test, const struct transport *t, const char *dir,
		  struct bench_figure fig[][2]);
/* Nagle's algorithm on tcp, socklab path: the same split request with TCP_NODELAY off and on. 0 or -1. */
int bench_nagle(const struct bench_opts *o, const struct transport *t, const char *dir, struct bench_figure f[2]);

/* Round trips: every sample of every round, sorted for the median and 99th percentile. -1 ENOMEM. */
int bench_rtt_figure(const struct bench_round *rounds, size_t n, struct bench_figure *f);
/*
 * Bulk: the median round's rate (robust to a round another program disturbed),
 * lost summed, and datagrams per system call over all rounds that counted them.
 */
void bench_bulk_figure(const struct bench_round *rounds, size_t n, struct bench_figure *f);
/*
 * The overhead: for each pair of rounds run one right after the other (one
 * through each path), socklab's figure over raw's; the median of those. A
 * pair shares whatever the machine was doing then, so this cancels most of
 * it. rtt: round medians; bulk: round rates. -1 ENOMEM.
 */
int bench_paired_ratio(const struct bench_round *socklab, const struct bench_round *raw, size_t n, int rtt,
		       double *ratio);

/* The report (bench_report.c). What was measured, and where: before the tables. */
void bench_print_intro(const struct bench_opts *o);
/* The tables of the two tests (as struct bench_test's print_header and print_row). */
void bench_print_rtt_header(int rounds);
void bench_print_rtt_row(const char *scheme, const char *place, const struct bench_figure f[2]);
void bench_print_bulk_header(int rounds);
void bench_print_bulk_row(const char *scheme, const char *place, const struct bench_figure f[2]);
/* The nagle test's two figures, TCP_NODELAY off and on. */
void bench_print_nagle(const struct bench_figure f[2]);
/* What the ratios and the marks mean, after the tables. */
void bench_print_footer(const struct bench_opts *o);
/*
 * One JSON line. place: the placement's name, or NULL (nagle); nodelay: -1,
 * else the nagle test's TCP_NODELAY setting.
 */
void bench_print_json(const char *scheme, const char *test, const char *path, const char *place,
		      const struct bench_figure *f, int nodelay);

/*
 * CPU placement. Whether a client and its server share one CPU or run on two
 * changes a loopback round trip several times over, and bulk throughput by
 * half: the benchmark pins the client to one CPU and the servers to the same
 * or the next (struct bench_place), the same for both paths.
 * bench_cpus() fills the first two CPUs this process may use and returns how
 * many it found (0 where pinning is not supported); bench_pin() pins the
 * calling process to cpu (nothing when cpu < 0). 0 or -1 with errno.
 */
int bench_cpus(int cpus[2]);
int bench_pin(int cpu);

/* Rounds per path of round_s each, for a test of the given seconds (both paths together). */
int bench_rounds(double seconds, double round_s);

/* Bulk message size for t: a large stream write, a datagram that fits the medium. */
size_t bench_msg_size(const struct transport *t);
/* Seconds on a monotonic clock. */
double bench_now(void);
/* Appends one round trip to r. -1 ENOMEM. */
int bench_record(struct bench_round *r, double us);
/* Little-endian integers in the datagram protocol. */
void bench_put32(unsigned char *p, uint32_t v);
void bench_put64(unsigned char *p, uint64_t v);
uint32_t bench_get32(const unsigned char *p);
uint64_t bench_get64(const unsigned char *p);

/*
 * --loss LIST: rdt in each mode through each loss (percentages), a server
 * forked per cell, then kernel TCP through the same loss in a private
 * network namespace (or one line saying why not) and on the loopback as it
 * is, then socklab's simulation of the same modes and losses (not a
 * measurement: the same seed, the same counts), then issue 12's goals as
 * measured (bench_loss.h); rdt's drops drawn from seed (the client's) and
 * seed + 1 (the server's). Prints a table, or JSON lines. 0, or the exit code
 * of the one line it printed on standard error.
 */
int bench_loss(const char *list, double seconds, unsigned long long seed, int json);

#endif
