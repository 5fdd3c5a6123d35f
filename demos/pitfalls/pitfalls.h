/* pitfalls.h - the shared set-up of socklab pitfalls: a server and a client in one process. */
#ifndef SOCKLAB_PITFALLS_H
#define SOCKLAB_PITFALLS_H

#include <stddef.h>
#include <sys/types.h>

#include "core/transport.h"

/* What a pitfall needs to happen. */
enum pair_need {
	PAIR_NONE,      /* nothing: it sets itself up */
	PAIR_STREAM,    /* a byte stream (tcp, unix) */
	PAIR_CONNECTED, /* a connection (tcp, unix, unixpacket) */
	PAIR_ANY,       /* any transport: datagrams too, for contrast */
};

/* A server and its client, talking in this one process. */
struct pair {
	struct sock server;   /* bound, and listening when connected */
	struct sock accepted; /* connected: the server's end of the connection */
	struct sock client;
	struct sock *reader;  /* where the server reads: &accepted, or &server for datagrams */
};

struct pitfall {
	const char *name, *summary;
	enum pair_need need;
	int (*run)(struct pair *p); /* prints what happens; returns the exit code */
};

/* The server's receive: recv() on the connection, recvfrom() on a datagram socket. */
ssize_t pair_recv(struct pair *p, void *buf, size_t len, int *truncated);

/* Waits (at most 2 s) until n bytes are waiting for the server: a stream peeks, a message transport needs one. 0 or -1. */
int pair_wait_bytes(struct pair *p, size_t n);

/* Sets up what f needs over endpoint (NULL: tcp://127.0.0.1:0), runs it, and closes everything. */
int pitfall_run(const struct pitfall *f, const char *endpoint);

/* The stale socket file, from start to end in a temporary directory (pitfalls_pair.c). */
int pitfall_stale_file(void);

/*
 * The descriptor pitfalls (pitfalls_fds.c, pitfalls_fdlimits.c): each runs
 * over socketpair(2) in this process, sends copies of one descriptor, and
 * reports the process's open descriptors before and after. p is unused.
 */
int pitfall_fds_small_buffer(struct pair *p);
int pitfall_fds_no_buffer(struct pair *p);
int pitfall_fds_zero_bytes(struct pair *p);
int pitfall_fds_too_many(struct pair *p);
int pitfall_fds_barrier(struct pair *p);
int pitfall_fds_exec(struct pair *p);

/* What the descriptor pitfalls share: a connected unix pair, a descriptor to send, and the count when they began. */
struct fds_lab {
	int sv[2];  /* sv[0] sends, sv[1] receives */
	int file;   /* /dev/null, opened once: copies of it travel */
	int before; /* descriptors open once the pair and the file were */
};

/* socketpair(AF_UNIX, type), /dev/null, and the count. 0, or the exit code of the error it printed. */
int fds_open_pair(struct fds_lab *lab, int type);
void fds_close_pair(struct fds_lab *lab);
/* sendmsg of data (a string) with n copies of lab->file (n <= 3), and a line saying so. */
ssize_t fds_send(struct fds_lab *lab, const char *data, size_t n);
/* "5", or "-1 EINVAL (invalid argument)". Returns buf. */
const char *fds_result(ssize_t r, int err, char *buf, size_t len);
/* "descriptors open in this process: 5 before, 7 after" and then. */
void fds_count_line(const struct fds_lab *lab, const char *then);

#endif
