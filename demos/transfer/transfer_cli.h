/* transfer_cli.h - what socklab send and recv share: files, progress on a terminal, rates, the receiver of messages. */
#ifndef SOCKLAB_TRANSFER_CLI_H
#define SOCKLAB_TRANSFER_CLI_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

struct sock;

#define TRANSFER_IO_BUF (256 * 1024)   /* bytes read from a file, or asked of recv(), at a time */
#define TRANSFER_DEFAULT_TIMEOUT_MS 10000

/* A progress line on standard error, redrawn in place; only when standard error is a terminal. */
struct progress {
	int on;
	const char *cmd;
	long long start_ms, last_ms;
};

void progress_start(struct progress *p, const char *cmd);
/* Redraws the line, at most every quarter of a second. */
void progress_update(struct progress *p, uint64_t bytes);
/* The last redraw, and a newline, so that the report starts on a line of its own. */
void progress_end(struct progress *p, uint64_t bytes);

/* "0.213 s, 469.5 MB/s": how long since start_ms, and the rate of bytes. */
const char *transfer_timing(long long start_ms, uint64_t bytes, char *out, size_t len);

/* Reads until len bytes or the end of input. Returns how many (0: the end), -1 with errno. */
ssize_t transfer_read_full(int fd, void *buf, size_t len);
/* Writes all of buf to a file or pipe. 0, or -1 with errno. */
int transfer_write_all(int fd, const void *buf, size_t len);

/* How recv takes in a transfer (transfer_recv_msgs.c, transfer_recv_stream.c). */
struct recv_msgs_options {
	const char *where;   /* the endpoint, for messages */
	int out;             /* where the data goes */
	int timeout_ms;      /* give up once the sender has been quiet this long */
	int slow_ms;         /* --slow: pause this long after each message, as a slow reader would */
	struct progress *progress;
	const volatile sig_atomic_t *stopping; /* set by a signal: stop, and say so */
	int *served;         /* out: set to 1 once a sender was heard (a transfer took place) */
};

/*
 * Receives one transfer on s: the accepted connection (unixpacket), or the
 * bound socket of a datagram transport, where the first sender heard is the
 * one served. Writes the data in order, counts what was lost, reordered and
 * duplicated, prints the report, and acknowledges the sender's totals.
 * Returns the exit code: 0 when every byte arrived and the checksums match.
 */
int transfer_recv_msgs(struct sock *s, const struct recv_msgs_options *o);

/*
 * Why datagrams a receiver on s counted as lost went missing, as far as the
 * kernel tells (its UDP socket's own drops, /proc/net/udp): one clause for a
 * message, written into buf. Returns buf.
 */
const char *transfer_where_lost(struct sock *s, char *buf, size_t len);

/*
 * Receives one transfer on the accepted stream connection c
 * (transfer_recv_stream.c): greets the sender, takes framed data from socklab
 * send and checks its end, or raw bytes from anything else (and says that
 * their end cannot be checked). Prints the report; returns the exit code.
 */
int transfer_recv_stream(struct sock *c, const struct recv_msgs_options *o);

#endif
