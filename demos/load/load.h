/* load.h - socklab load: many clients at once against an echo server, every echoed byte checked. */
#ifndef SOCKLAB_LOAD_H
#define SOCKLAB_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "transports/endpoint.h"
#include "core/engine/poller.h"

/* What to run: N clients, M messages each, sizes drawn from [size_min, size_max]. */
struct load_options {
	unsigned clients;
	unsigned messages;
	size_t size_min, size_max; /* on a stream size_min is at least 1: an empty write sends nothing */
	unsigned window;           /* messages a client may have sent and not yet seen come back */
	uint64_t seed;             /* the same seed gives the same sizes and the same bytes */
	int timeout_ms;            /* an echo not back after this long is lost */
	enum poller_kind poller;
};

/*
 * What happened. Messages: sent = echoed + corrupted + lost, once every
 * client is done, and clients x messages = sent + unsent. A datagram that is
 * the echo of no message in flight is unexpected, and in none of those.
 */
struct load_result {
	unsigned connected;        /* clients connected (or, for datagrams, opened) at the same time */
	unsigned failed;           /* clients that ended on an error (the first is described below) */
	unsigned long long sent, echoed, corrupted, lost;
	unsigned long long unsent;     /* messages never sent: their client failed first */
	unsigned long long unexpected; /* datagrams (or stream bytes) back that no message in flight can explain */
	unsigned long long duplicates; /* datagrams that came back twice, or after being counted lost */
	unsigned long long bytes_sent, bytes_echoed;
	double connect_s, elapsed_s; /* opening every client; then the traffic, until the last echo */
	/* The first failure: which client, during which step, and errno. err 0: none. */
	int err;
	int gai;            /* the name lookup failed: getaddrinfo's EAI_* code (err is ENOENT) */
	unsigned err_client;
	const char *err_op; /* "connect", "send", "recv" */
};

/*
 * Opens o->clients clients to ep, all of them before any sends, then runs
 * the traffic to the end and fills *r. Returns 0 when the run took place
 * (whatever the clients met: see r), or -1 with errno when it could not
 * (out of memory, or no poller). Blocks until done.
 */
int load_run(const struct endpoint *ep, const struct load_options *o, struct load_result *r);

/*
 * The messages. Message m of client c has a size and contents that depend only
 * on (seed, c, m), so the sender makes them up and the checker makes them up
 * again: nothing sent is kept in memory.
 */

/* The key of message m of client c: everything else derives from it. */
uint64_t load_key(const struct load_options *o, unsigned c, unsigned m);
/* (load_client.c) Its size in bytes, in [size_min, size_max]. */
size_t load_size(const struct load_options *o, uint64_t key);
/* Writes bytes [off, off + len) of the message into out. */
void load_fill(uint64_t key, size_t off, unsigned char *out, size_t len);
/* 1 when data holds exactly bytes [off, off + len) of the message, else 0. */
int load_check(uint64_t key, size_t off, const unsigned char *data, size_t len);

#endif
