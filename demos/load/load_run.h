/* load_run.h - what the load generator's loop (load_run.c) and its clients (load_client.c, load_stream.c, load_message.c) share. */
#ifndef SOCKLAB_LOAD_RUN_H
#define SOCKLAB_LOAD_RUN_H

#include "core/transport.h"
#include "load.h"

#define LOAD_CHUNK (64 * 1024) /* stream: bytes handed to one send, or asked of one recv */
#define READS_PER_WAKE 16       /* receives per client per wake-up, so that every client gets its turn */

/* Message transports: one message sent and not yet back. */
struct load_slot {
	unsigned msg;
	long long sent_ms;
	int used;
};

struct load_client {
	struct sock sock;
	unsigned id;
	unsigned next_send;     /* the next message to send; stream: send_off bytes of it are sent */
	size_t send_off;
	unsigned next_recv;     /* stream: the message coming back, recv_off bytes of it so far */
	size_t recv_off;
	int bad;                /* stream: the message coming back differs somewhere */
	unsigned in_flight;     /* message transports: slots in use */
	unsigned finished;      /* messages echoed, corrupted or lost: the client is done at o->messages */
	struct load_slot *slots; /* message transports: o->window of them */
	long long progress_ms;  /* the last send or receive that moved something */
	unsigned events;        /* what the poller watches for */
	int done, blocked;
};

struct load_run {
	const struct load_options *o;
	struct load_result *r;
	struct load_client *c;
	struct load_client **by_fd;
	int nby_fd;
	struct poller *poller;
	unsigned char *buf; /* room for one message, or a stream's chunk */
	size_t buflen;
	struct load_client **blocked; /* datagram clients to retry: the kernel had no room */
	unsigned nblocked;
	unsigned ndone;
	const struct load_kind *kind; /* streams or messages, by the transport's facts */
};

/*
 * What a client does that depends on the transport's one fact that matters
 * here, chosen once in load_run(): a stream's bytes back to back, checked as
 * they come (load_stream.c), or a window of whole messages (load_message.c).
 * The loop calls these only for clients that are not done.
 */
struct load_kind {
	/* Sends what the client's window allows, without blocking. */
	void (*pump)(struct load_run *run, struct load_client *c);
	/* Reads and checks what has come back, without blocking. */
	void (*read)(struct load_run *run, struct load_client *c);
	/* Counts echoes older than the timeout as lost (messages), or fails a stalled client. */
	void (*expire)(struct load_run *run, struct load_client *c, long long now);
};

extern const struct load_kind load_stream_kind, load_message_kind;

/* load_client.c, for every kind. The client failed during op with err: what it has not finished is lost; records the first failure. */
void load_client_fail(struct load_run *run, struct load_client *c, const char *op, int err);
/* The client is done: stop watching it. Its socket stays open until every client is done. */
void load_client_done(struct load_run *run, struct load_client *c);
/* Watches the client's socket for ev (POLLER_IN, POLLER_OUT), making a system call only when that changes. */
void load_client_watch(struct load_run *run, struct load_client *c, unsigned ev);
/* One of the client's messages is over: counted in *counter (echoed, corrupted or lost). */
void load_client_finish(struct load_run *run, struct load_client *c, unsigned long long *counter);
/* Queues the client to retry its send shortly (a datagram socket has no readiness for that). */
void load_client_block(struct load_run *run, struct load_client *c);

#endif
