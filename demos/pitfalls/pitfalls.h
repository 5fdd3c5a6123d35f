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

#endif
