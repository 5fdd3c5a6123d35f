/* contrast.h - socklab contrast: the same scenarios over every transport, and what the kernel did. */
#ifndef SOCKLAB_CONTRAST_H
#define SOCKLAB_CONTRAST_H

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "demos/counters.h" /* counters_snmp(), counters_udp_drops(): the kernel's counters */
#include "transports/endpoint.h"
#include "core/transport.h"

/* One cell: what one scenario observed on one transport, as the members of a JSON object (--format json's
 * "observed"), and the summary written from them: nothing in a cell is a constant of the code. */
struct cell {
	char summary[240];
	char obs[3072]; /* "\"reads\": 3, \"sizes\": [1, 2, 3]" */
	size_t olen;
	int items;      /* members (or list items) written at this level so far */
	int outer;      /* members written before the open list */
	int failed;     /* the scenario could not run: summary says why */
};

/* Writing the observations. Keys are literals; text values are escaped for JSON. */
void obs_int(struct cell *c, const char *key, long long v);
void obs_bool(struct cell *c, const char *key, int v);
void obs_str(struct cell *c, const char *key, const char *v);
/* A call's outcome: its non-negative result as a number, or the errno name ("ECONNREFUSED"). */
void obs_result(struct cell *c, const char *key, long long r, int err);
void obs_list_begin(struct cell *c, const char *key);
void obs_item_int(struct cell *c, long long v);
void obs_item_str(struct cell *c, const char *v, size_t n);
void obs_list_end(struct cell *c);

/* Appends printf-style text to buf, a char array holding a summary being built. */
#define SAY(buf, ...) snprintf((buf) + strlen(buf), sizeof(buf) - strlen(buf), __VA_ARGS__)

/* Sets the cell's text, printf-style. */
void cell_say(struct cell *c, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Marks the cell failed at step what with err; returns -1 for the scenario to return. */
int cell_fail(struct cell *c, const char *what, int err);

/* The JSON text of member key in c's observations ("3", "\"EMSGSIZE\"", "[1, 2]"), or NULL. */
const char *cell_get(const struct cell *c, const char *key, char *buf, size_t len);

/* Writes s (n bytes) as a JSON string, quotes included. */
void json_string(FILE *out, const char *s, size_t n);

/*
 * The lab: where a run makes its sockets. Every endpoint is on 127.0.0.1 with
 * port 0, or a socket file in a private directory, so runs never collide.
 */
struct lab {
	char dir[64];        /* the private directory, removed at the end */
	const char *options; /* impairment for every endpoint ("drop=0.1&seed=7"), or NULL */
	unsigned seq;        /* numbers the socket files */
	unsigned filtered;   /* a port on 127.0.0.1 whose packets a firewall drops (make lab), or 0 */
};

/*
 * How long to wait for data that should come, for data that should not, and
 * for a connection that connect() reported: it is queued for accept() when
 * the client's last ACK arrives, or if make lab drops it, when the client
 * answers a SYN-ACK sent again after 1, 3, 7 s (tcp_synack_retries).
 */
#define EXPECT_MS 3000
#define QUIET_MS 250
#define ACCEPT_MS 10000

/*
 * Opens a socket of t through the endpoint machinery, as the demos do:
 * a server (SERVER: at a fresh address, or at *at when at is given) or a
 * client of *at (CLIENT). plain: without the lab's impairment. 0 or -1 errno.
 */
int lab_open(struct lab *lab, const struct transport *t, enum endpoint_role role, const struct addr *at, int plain,
	     struct sock *s);

/* A server and one client of it; on a connected transport, the server's accepted socket too. */
struct pair {
	struct sock srv; /* bound, and listening when connected */
	struct sock cli;
	struct sock acc; /* connected: the server's socket for cli */
	struct addr from; /* datagram: the address of the last datagram the server read */
	struct addr at;   /* where srv is bound */
};

/* Sets up *p (sockets closed on failure). 0 or -1 with errno. */
int pair_open(struct lab *lab, const struct transport *t, struct pair *p);
/*
 * As pair_open, the server's receive buffer set to rcvbuf bytes (SO_RCVBUF)
 * before the client arrives, so that a connection's window is sized by it
 * from its first segment; the client's send buffer to sndbuf. 0: the default.
 */
int pair_open_sized(struct lab *lab, const struct transport *t, struct pair *p, int rcvbuf, int sndbuf);
void pair_close(struct pair *p);
/* The socket the server reads its client on: the accepted one, or the bound one. */
struct sock *pair_server(struct pair *p);
/* The server's receive: recv on a connection, recvfrom (filling p->from) on datagrams. */
ssize_t pair_server_recv(struct pair *p, void *buf, size_t len, int *truncated);
/* The server's reply: send on a connection, sendto p->from on datagrams. */
ssize_t pair_server_send(struct pair *p, const void *buf, size_t len);

/* Waits up to ms for s to be readable. 1, 0 on timeout, -1 errno. */
int lab_wait(struct sock *s, int ms);
/* How long to wait for the next piece of data on s: a connection delivers late; a datagram now or never. */
int lab_patience(const struct sock *s);
/* What lab_drain() read. */
struct drained {
	int reads;        /* how many receives returned data */
	size_t sizes[16]; /* the size of each of the first 16 */
	size_t min, max;  /* the smallest and largest read */
	size_t got;       /* bytes in all */
	char data[256];   /* the first bytes */
	size_t dlen;
	int eof;          /* a connection ended (recv returned 0) */
};

/*
 * One receive on the server's side, if something comes within ms, added to
 * *d. Returns 1 (a read, or the end of a connection), 0 (nothing), -1 errno.
 */
int lab_recv_once(struct pair *p, struct drained *d, int ms);
/*
 * Receives on the server's side until d holds want bytes, the connection
 * ends, or lab_patience() passes with nothing. Zero *d first. 0 or -1 errno.
 */
int lab_drain(struct pair *p, size_t want, struct drained *d);

/* Writes d as the members "reads", "sizes" and "data" of c. */
void obs_drained(struct cell *c, const struct drained *d);
/* "'a' 'bb' 'ccc'": each read as text, or its size when long ("70000 bytes"). Returns buf. */
const char *drained_text(const struct drained *d, char *buf, size_t len);
/* The client's side: reads until want bytes, the end, or lab_patience() of silence. Returns bytes read. */
size_t lab_read(struct sock *s, char *buf, size_t want);

/* The kernel's own figures (contrast_kernel.c): -1 (or failure) where it keeps none, and the cell says nothing. */
/* A connection's TCP_INFO (tcp(7)), in the units a cell shows; ok 0: not a TCP socket, or not Linux. */
struct tcp_figures {
	int ok;
	double rtt_ms, rttvar_ms; /* smoothed round-trip time and its variation */
	unsigned cwnd;            /* congestion window, in segments */
	unsigned total_retrans;   /* segments this connection sent again */
	unsigned retransmits;     /* times the segment (or SYN) now waiting was sent again */
	unsigned state;           /* TCP_ESTABLISHED, TCP_SYN_SENT... */
};
/* Fills *f from getsockopt(TCP_INFO); 0, or -1 (f->ok 0) on any socket that is not TCP. */
int kernel_tcp_info(int fd, struct tcp_figures *f);
/* Bytes waiting to be read on fd (FIONREAD; a unix datagram socket: the first datagram's size), or -1. */
long long kernel_queued_in(int fd);
/* Bytes the sender still holds (SIOCOUTQ: TCP unsent or unacknowledged; unix: memory charged to it), or -1. */
long long kernel_queued_out(int fd);
/* An int socket option of level SOL_SOCKET (the value the kernel uses: SO_RCVBUF is doubled), or -1. */
long long kernel_sockopt(int fd, int option, const char *name);
/* A number from a /proc/sys file ("/proc/sys/net/unix/max_dgram_qlen"), or -1. */
long long kernel_setting(const char *path);

/* Scenarios 7 and 12 send numbered messages (contrast_tally.c); the most either sends, and their size. */
#define TALLY_COUNT_MAX 1000
#define TALLY_SIZE_MAX 1000

/* What a run of numbered messages did. Each message starts with its number, six digits. */
struct tally {
	size_t count, size;          /* what the sender sends */
	size_t sent, waits;          /* messages handed to the socket; times it said "wait" (EAGAIN) */
	/* At the first wait, before the slow reader has read anything: what held the sender back. */
	size_t first_sent;           /* messages the socket had taken: all queued somewhere */
	long long first_in;          /* bytes waiting at the reader (FIONREAD), -1 unknown */
	long long first_out;         /* bytes the sender held (SIOCOUTQ), -1 unknown */
	struct tcp_figures tcp;      /* the sender's TCP_INFO once everything arrived */
	size_t reads, arrived, dups, late; /* receives; distinct messages; extra copies; overtaken ones */
	long long high;              /* the highest number seen so far */
	long long start, last;       /* when the first send began; when data last arrived */
	long long ms;                /* from the first send to the last data read */
	unsigned char seen[TALLY_COUNT_MAX];
	char rec[TALLY_SIZE_MAX];    /* a stream's bytes, cut back into messages */
	size_t rlen;
	int eof;
};

/* An empty tally for count messages of size bytes (at most the maxima above): none seen yet. */
void tally_reset(struct tally *t, size_t count, size_t size);
/*
 * The client of p sends t->count numbered messages, waiting whenever its
 * socket says so; the server's side reads them all along, or (slow) only when
 * the sender must wait, then what is left once the client closes. 0, or -1
 * with errno (ETIMEDOUT when nothing moved for two seconds).
 */
int tally_run(struct pair *p, struct tally *t, int slow);

/* One scenario: a row of the table. */
struct scenario {
	const char *name;     /* for --scenarios and JSON: "boundaries" */
	const char *question; /* the row's title */
	const char *why;      /* why the transports differ, in one line */
	int (*run)(struct lab *lab, const struct transport *t, struct cell *c);
	/*
	 * NULL: it runs over a protocol socklab runs in user space (rdt) too. Else
	 * why it cannot: what it observes is the kernel's own (a socket of the
	 * kernel's protocol, TIME_WAIT, SCM_RIGHTS...), and the cell says so.
	 */
	const char *user_space;
};

extern const struct scenario contrast_scenarios[];
extern const size_t contrast_nscenarios;

/* The words --format takes (contrast_command.c). */
struct cli_words;
extern const struct cli_words contrast_formats;

/*
 * Each scenario, in order across the files: contrast_handshake.c 1,
 * contrast_talk.c 2-4, contrast_limits.c 5-6, contrast_flow.c 7,
 * contrast_server.c 8-10, contrast_calls.c 11, contrast_delivery.c 12.
 * 0, or -1 after cell_fail().
 */
int scenario_handshake(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_boundaries(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_empty(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_end(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_size(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_buffer(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_flow(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_greeting(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_clients(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_restart(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_calls(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_delivery(struct lab *lab, const struct transport *t, struct cell *c);
/* What one kind of socket alone can do: contrast_abilities.c 13-14, contrast_reach.c 15-16. */
int scenario_descriptors(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_credentials(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_one_to_many(struct lab *lab, const struct transport *t, struct cell *c);
int scenario_stranger(struct lab *lab, const struct transport *t, struct cell *c);

/*
 * The calls of scenario "calls", kept for the diagrams: each traced line,
 * which side made it, and at which step of the exchange.
 */
enum step {
	STEP_SERVER_OPEN,  /* socket, bind, listen */
	STEP_CLIENT_OPEN,  /* socket, connect (or a bind of its own) */
	STEP_ACCEPT,       /* connected: accept */
	STEP_ASK,          /* the client sends "hi" */
	STEP_HEAR,         /* the server receives it */
	STEP_ANSWER,       /* and sends it back */
	STEP_GET,          /* the client receives the answer */
	STEP_CLIENT_CLOSE, /* the client closes */
	STEP_SERVER_END,   /* connected: the server reads the end, closes that connection */
	STEP_SERVER_CLOSE, /* the server closes its listening (or only) socket */
	STEPS
};
struct call {
	char line[200];
	int server; /* 0: the client made it */
	int step;
};
struct calls {
	const struct transport *t;
	struct call *v;
	size_t n, cap;
};
/* Runs the exchange over t, capturing its calls into *out (calls_free() releases them). 0 or -1. */
int contrast_capture(struct lab *lab, const struct transport *t, struct calls *out);
void calls_free(struct calls *c);

/* The outputs (contrast_print.c, contrast_mermaid.c). cells[s * nt + i]: scenario s, transport i. */
struct table {
	const struct scenario *const *rows;
	size_t nrows;
	const struct transport *const *cols;
	size_t ncols;
	const struct cell *cells;
	const char *options; /* the impairment, or NULL */
	int width;           /* text: the columns it may use (contrast_width) */
};
/*
 * Text: a grid (a column per transport) when it fits in tb->width; else one
 * scenario at a time, a transport a line. Every line fits in tb->width.
 */
void print_text(FILE *out, const struct table *tb);
void print_markdown(FILE *out, const struct table *tb);
void print_json(FILE *out, const struct table *tb);
/* Sequence diagrams, one box per transport, steps side by side. */
void print_mermaid(FILE *out, const struct calls *runs, size_t n);
/* The same, as plain text that fits in width columns: one diagram per transport, the two sides as lifelines. */
void print_sequence(FILE *out, const struct calls *runs, size_t n, int width);
/* A trace line made stable for a picture: addresses left out ("sendto(3, 2 bytes) = 2"). */
void call_label(const char *line, char *out, size_t len);
/* Does this call reach the peer (data; on a connection the handshake and the end)? " (the end)" etc. in *what. */
int call_reaches_peer(const struct call *k, const struct transport *t, const char *label, const char **what);

/* Runs scenario sc over t into c (contrast.c), refusing a cell a transport_no_* stub answered: its errno is
 * socklab's, not the kernel's. Returns what the scenario returned, or -1. */
int contrast_run(const struct scenario *sc, struct lab *lab, const struct transport *t, struct cell *c);

/* contrast_pick.c: the transports and scenarios a list names (-1 after a usage error), the text's width. */
#define CONTRAST_WIDTH_MIN 40
#define CONTRAST_WIDTH_MAX 1000
int pick_transports(const char *list, const struct transport **out, size_t max);
int pick_scenarios(const char *list, const struct scenario **out, size_t max);
const struct scenario *scenario_find(const char *name, size_t len);
/* --width when forced > 0; else $COLUMNS; else the terminal's (TIOCGWINSZ on stdout); else 80. */
int contrast_width(int forced);
/* Removes the lab's directory and whatever a scenario left in it. */
void lab_cleanup(struct lab *lab);

#endif
